// The training data set: no look-ahead across the chronological split (checked sample by
// sample), normalisation from the training span only, causal features and labels, the split
// table against the catalog, and the walk-forward folds of the search.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadBundled, readCatalog } from '../src/data/index.js';
import {
  adjustSplits, buildDataset, computeFeatures, computeLabels, FEATURE_LOOKBACK, FEATURE_NAMES, SPLITS, type Dataset, type Split,
} from '../src/models/train/dataset.js';
import { walkForwardFolds } from '../src/models/train/pipeline.js';

let ds: Dataset;
beforeAll(() => {
  ds = buildDataset({ symbols: ['SPY', 'IWM', 'AAPL'], steps: 30 });
});

/** [first bar time used, last bar time used] of every sample of a split. */
function usedTimes(d: Dataset, s: Split): { first: number[]; last: number[] } {
  const first: number[] = [], last: number[] = [];
  for (let i = 0; i < s.starts.length; i++) {
    const sr = d.series[s.symbol[i]!]!;
    const t = s.bar[i]!;
    first.push(sr.time[t - d.steps + 1 - d.lookback]!);
    last.push(sr.time[Math.min(sr.time.length - 1, t + d.labels.horizon)]!);
  }
  return { first, last };
}

describe('chronological split with embargo', () => {
  it('no training window\'s features or label reach into the validation span (and val -> test)', () => {
    const tr = usedTimes(ds, ds.train), va = usedTimes(ds, ds.val), te = usedTimes(ds, ds.test);
    const trainLast = Math.max(...tr.last), valFirst = Math.min(...va.first);
    const valLast = Math.max(...va.last), testFirst = Math.min(...te.first);
    expect(trainLast).toBeLessThan(valFirst);
    expect(valLast).toBeLessThan(testFirst);
    // the bars themselves: every training sample's label end is before every validation window's first feature bar
    expect(Math.max(...Array.from(ds.train.time))).toBeLessThan(Math.min(...Array.from(ds.val.time)));
    expect(ds.spans.minEmbargoBars).toBeGreaterThanOrEqual(ds.labels.horizon + FEATURE_LOOKBACK);
  });

  it('windows point at the right rows, with finite normalised features and labels', () => {
    const F = FEATURE_NAMES.length;
    for (const s of [ds.train, ds.val, ds.test]) {
      for (let i = 0; i < s.starts.length; i += 97) {
        const sr = ds.series[s.symbol[i]!]!;
        expect(s.starts[i]).toBe(sr.rowOffset + s.bar[i]! - ds.steps + 1);
        expect(s.target[i]).toBe(sr.label[s.bar[i]!]);
        for (let k = s.starts[i]! * F; k < (s.starts[i]! + ds.steps) * F; k++) {
          expect(Number.isFinite(s.xs[k]!)).toBe(true);
          expect(Math.abs(s.xs[k]!)).toBeLessThanOrEqual(5);
        }
      }
    }
    expect(ds.train.starts.length).toBeGreaterThan(5 * ds.val.starts.length / 2);
    for (const k of ['train', 'val', 'test'] as const) expect(ds.classCounts[k].every((c) => c > 0.15 * ds[k].starts.length)).toBe(true);
  });

  it('normalisation statistics come from the training span only', () => {
    // changing every feature value after the training span must not change the statistics
    const bars = ['SPY', 'IWM', 'AAPL'].map((s) => loadBundled(s, '1d'));
    const cut = Date.parse(`${ds.spans.val[0]}T00:00:00Z`) - 40 * 86_400_000;
    const tampered = bars.map((b) => {
      const k = 3;
      const scale = (a: Float64Array) => a.map((v, i) => (b.time[i]! > cut ? v * (1 + 0.2 * Math.sin(i * k)) : v));
      const high = scale(b.high), low = scale(b.low), close = scale(b.close), open = scale(b.open);
      for (let i = 0; i < close.length; i++) { high[i] = Math.max(high[i]!, open[i]!, close[i]!); low[i] = Math.min(low[i]!, open[i]!, close[i]!); }
      return { ...b, open, high, low, close, volume: b.volume.map((v, i) => (b.time[i]! > cut ? v * 3 : v)) };
    });
    const d2 = buildDataset({ symbols: ['SPY', 'IWM', 'AAPL'], steps: 30, bars: tampered });
    expect(d2.norm.mean).toEqual(ds.norm.mean);
    expect(d2.norm.std).toEqual(ds.norm.std);
    expect(Array.from(d2.train.target)).toEqual(Array.from(ds.train.target));
  });
});

describe('causality of features and labels', () => {
  it('features at bar t do not change when the bars after t are removed', () => {
    const b = adjustSplits(loadBundled('AAPL', '1d'));
    const full = computeFeatures(b);
    const F = FEATURE_NAMES.length;
    for (const t of [300, 2000, 4100]) {
      const cut = { ...b, time: b.time.slice(0, t + 1), open: b.open.slice(0, t + 1), high: b.high.slice(0, t + 1), low: b.low.slice(0, t + 1), close: b.close.slice(0, t + 1), volume: b.volume.slice(0, t + 1) };
      const part = computeFeatures(cut);
      for (let j = 0; j < F; j++) expect(part[t * F + j]!, `${FEATURE_NAMES[j]} at ${t}`).toBeCloseTo(full[t * F + j]!, 9);
    }
    // warm-up: every feature is defined from bar FEATURE_LOOKBACK on
    for (let j = 0; j < F; j++) expect(Number.isFinite(full[FEATURE_LOOKBACK * F + j]!), FEATURE_NAMES[j]).toBe(true);
  });

  it('labels: UP / DOWN / FLAT by the forward return against k * sigma20 * sqrt(h)', () => {
    const close = loadBundled('SPY', '1d').close;
    const { label, fwd, thr } = computeLabels(close, { horizon: 5, k: 0.5 });
    for (const t of [100, 1234, 5000]) {
      const r = Math.log(close[t + 5]! / close[t]!);
      expect(fwd[t]).toBeCloseTo(r, 12);
      expect(label[t]).toBe(r > thr[t]! ? 2 : r < -thr[t]! ? 0 : 1);
    }
    expect(Number.isNaN(label[close.length - 3]!)).toBe(true); // no forward return yet
  });

  it('split table matches the catalog and the raw price jumps', () => {
    const cat = readCatalog();
    for (const [sym, splits] of Object.entries(SPLITS)) {
      const entry = cat.entries.find((e) => e.symbol === sym && e.timeframe === '1d' && !e.variant)!;
      const bars = loadBundled(sym, '1d');
      for (const s of splits) {
        expect(entry.anomalies, `${sym} ${s.date}`).toContain(s.date);
        const i = bars.time.findIndex((t) => t >= Date.parse(`${s.date}T00:00:00Z`));
        const jump = bars.close[i - 1]! / bars.close[i]!;
        expect(jump / s.ratio, `${sym} ${s.date}`).toBeGreaterThan(0.75);
        expect(jump / s.ratio, `${sym} ${s.date}`).toBeLessThan(1.33);
        const adj = adjustSplits(bars);
        expect(Math.abs(Math.log(adj.close[i]! / adj.close[i - 1]!))).toBeLessThan(0.25);
      }
    }
  });
});

describe('walk-forward folds', () => {
  it('each fold validates strictly after its training labels end', () => {
    const folds = walkForwardFolds(ds, 3);
    expect(folds).toHaveLength(3);
    const tr = ds.train;
    for (const f of folds) {
      expect(f.val.length).toBeGreaterThan(100);
      const lastTrain = Math.max(...Array.from(f.train, (i) => ds.series[tr.symbol[i]!]!.time[tr.bar[i]! + ds.labels.horizon]!));
      const firstVal = Math.min(...Array.from(f.val, (i) => ds.series[tr.symbol[i]!]!.time[tr.bar[i]! - ds.steps + 1 - ds.lookback]!));
      expect(lastTrain).toBeLessThan(firstVal);
    }
    expect(folds[1]!.train.length).toBeGreaterThan(folds[0]!.train.length);
  });
});
