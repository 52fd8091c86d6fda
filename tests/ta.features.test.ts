// The fused feature kernel (ta.features): the native menu agrees with the TypeScript one,
// the fused tensor equals computing every feature separately through computeIndicator
// (same kernels, same transforms), warm-up NaNs end exactly at each feature's lookback,
// float32 output is the float64 one rounded once, threads do not change results, and bad
// sets are rejected naming the feature and parameter. (The op also runs in the
// conformance suite: every backend vs the reference, poisoned outputs, guard cells.)
import { describe, expect, it } from 'vitest';
import { availableBackends, runOp } from '../src/compute/index.js';
import { nativeAddon } from '../src/compute/backend.js';
import { computeIndicator } from '../src/ta/index.js';
import { getIndicator } from '../src/ta/registry.js';
import {
  composeFeatures, computeFeatures, DEFAULT_FEATURE_SET, encodeFeatureSet, FEATURE_MENU, featureLabels, featureLookback,
  featureLookbackOf, featuresOp, randomFeatureSet, type FeatureEntry, type FeatureName, type IndicatorRunner, type Ohlcv,
} from '../src/ta/features.js';
import { randomOhlcv } from '../src/ta/ops.js';
import { TestRng, freshSeed } from '../src/util/rng.js';
import { realSeries } from './helpers/real-series.js';

const hasCpu = availableBackends().includes('cpu');
const seed = freshSeed();
const replay = ` [seed ${seed}; replay with NEURION_TEST_SEED=${seed}]`;

function matrix(rng: TestRng, rows: number, cols: number): Ohlcv {
  const m = { open: new Float64Array(rows * cols), high: new Float64Array(rows * cols), low: new Float64Array(rows * cols), close: new Float64Array(rows * cols), volume: new Float64Array(rows * cols) };
  for (let r = 0; r < rows; r++) {
    const s = randomOhlcv(rng, cols);
    for (const k of ['open', 'high', 'low', 'close', 'volume'] as const) m[k].set(s[k], r * cols);
  }
  return m;
}

const ALL: FeatureEntry[] = FEATURE_MENU.map((d) => ({ feature: d.name as FeatureName }));

/** Each indicator call through the public computeIndicator on the cpu backend (one call per indicator, whole matrix). */
const separateRunner: IndicatorRunner = (name, inputs, params, rows, cols) => {
  const spec = getIndicator(name);
  const data = Object.fromEntries(spec.inputs.map((nm, k) => [nm, inputs[k]!]));
  const p = Object.fromEntries(spec.params.map((q, k) => [q.name, params[k]!]));
  const r = computeIndicator(name, data, p, { rows, cols, backend: 'cpu', threads: 1 });
  return spec.outputs.map((o) => r[o]!);
};

describe('menu', () => {
  it('has 21 features with ids equal to their index and documented formulas', () => {
    expect(FEATURE_MENU.length).toBe(21);
    FEATURE_MENU.forEach((d, i) => {
      expect(d.id).toBe(i);
      expect(d.formula.length).toBeGreaterThan(10);
    });
    expect(DEFAULT_FEATURE_SET.length).toBe(20);
    expect(featureLookback()).toBe(49);
    expect(featureLabels().slice(0, 4)).toEqual(['logReturn(1)', 'logReturn(5)', 'logReturn(20)', 'rsi(14)']);
  });

  it.runIf(hasCpu)('native parameter names, ranges and messages equal the TypeScript ones (every feature, every bound)', () => {
    const addon = nativeAddon('cpu') as unknown as { taFeatures: (...a: unknown[]) => unknown };
    const cols = 30;
    const x = new Float64Array(cols);
    const ins = [x, x, x, x, x];
    let checked = 0;
    for (const d of FEATURE_MENU) {
      const base = [d.id, 0, 0, 0];
      d.params.forEach((q, k) => { base[1 + k] = q.default > cols ? cols : q.default; });
      // Defaults (capped at cols) are accepted by both.
      expect(() => featuresOp.validate({ inputs: ins, rows: 1, cols, spec: base })).not.toThrow();
      expect(() => addon.taFeatures(ins, 1, cols, Float64Array.from(base))).not.toThrow();
      d.params.forEach((q, k) => {
        const hi = q.maxIsLength ? cols : q.max;
        const bad = [q.min - 1, hi + 1, NaN, ...(q.integer ? [q.min + 0.5] : [])];
        for (const v of bad) {
          const spec = [...base];
          spec[1 + k] = v;
          let tsMsg = '', nativeMsg = '';
          try { featuresOp.validate({ inputs: ins, rows: 1, cols, spec }); } catch (e) { tsMsg = (e as Error).message; }
          try { addon.taFeatures(ins, 1, cols, Float64Array.from(spec)); } catch (e) { nativeMsg = (e as Error).message; }
          expect(tsMsg).toContain(`features[0] (${d.name}): ${q.name} must be`);
          expect(nativeMsg).toBe(tsMsg);
          checked++;
        }
      });
    }
    expect(checked).toBeGreaterThan(80);
  });

  it('rejects bad feature sets naming the feature and the parameter', () => {
    const rng = new TestRng(seed);
    const m = matrix(rng, 1, 50);
    expect(() => computeFeatures(m, [{ feature: 'rsi' }, { feature: 'nope' as FeatureName }])).toThrow(/features\[1\]: unknown feature "nope" \(known: logReturn, rsi/);
    expect(() => computeFeatures(m, [{ feature: 'rsi', params: { periods: 3 } }])).toThrow(/features\[0\] \(rsi\): unknown parameter "periods" \(known: period\)/);
    expect(() => computeFeatures(m, [{ feature: 'smaRatio', params: { period: 51 } }])).toThrow(/features\[0\] \(smaRatio\): period must be an integer in \[1, 50\] \(the series length\), got 51/);
    expect(() => computeFeatures(m, [{ feature: 'bbWidth', params: { nbDev: -1 } }])).toThrow(/features\[0\] \(bbWidth\): nbDev must be a number in \[0, 100\], got -1/);
    expect(() => computeFeatures(m, [{ feature: 'rsi', params: { period: '5' as unknown as number } }])).toThrow(TypeError);
    expect(() => computeFeatures(m, [])).toThrow(/spec must hold 1 to 64 features, got 0/);
    expect(() => computeFeatures({ ...m, volume: undefined }, ALL)).toThrow(/data.volume is required/);
    expect(() => computeFeatures(m, ALL, { dtype: 'float16' as 'float32' })).toThrow(/dtype must be/);
  });
});

describe.runIf(hasCpu)('fused vs separate', () => {
  it('equals each feature computed separately through computeIndicator (cpu) plus its transform', () => {
    const rng = new TestRng(seed);
    const cases: Array<[number, number, FeatureEntry[]]> = [
      [3, 600, ALL],
      [2, 700, [...DEFAULT_FEATURE_SET]],
      [4, 333, randomFeatureSet(rng, 333, 16)],
      [1, 90, randomFeatureSet(rng, 90, 16)],
    ];
    for (const [rows, cols, set] of cases) {
      const m = matrix(rng, rows, cols);
      const fused = computeFeatures(m, set, { rows, cols, backend: 'cpu', threads: 2 });
      const spec = encodeFeatureSet(set, cols);
      const sep = new Float64Array(fused.values.length);
      composeFeatures(m, rows, cols, spec, sep, separateRunner);
      const nf = set.length;
      for (let i = 0; i < sep.length; i++) {
        const a = fused.values[i]!, b = sep[i]!;
        if (Object.is(a, b)) continue;
        // Only ln (glibc vs V8) may differ, by an ulp or so.
        const f = i % nf;
        expect(fused.features[f]!.startsWith('logReturn') && Math.abs(a - b) <= 4 * Number.EPSILON * Math.max(Math.abs(b), 1e-300),
          `${fused.features[f]} at flat index ${i}: fused ${a}, separate ${b}${replay}`).toBe(true);
      }
    }
  });

  it('matches the reference on every bundled real series with the whole menu', () => {
    for (const s of realSeries()) {
      const cols = s.close.length;
      if (cols < 100) continue;
      const args = { inputs: [s.open, s.high, s.low, s.close, s.volume], rows: 1, cols, spec: encodeFeatureSet(ALL, cols) };
      const cmp = featuresOp.conformance.compare(featuresOp.reference(args), runOp(featuresOp, args, { backend: 'cpu' }));
      expect(cmp.ok, `${s.label}: ${cmp.detail}`).toBe(true);
    }
  });
});

/** Flat index i of [rows x cols x nf]: both values the same (Object.is: NaN == NaN, +0 != -0), or logReturn within ln's last bits. */
function sameAsBatch(fused: ArrayLike<number>, sep: Float64Array, labels: string[], what: string): number {
  const nf = labels.length;
  let compared = 0;
  for (let i = 0; i < sep.length; i++) {
    const a = fused[i]!, b = sep[i]!;
    compared++;
    if (Object.is(a, b)) continue;
    // ln is glibc's in the kernel and V8's Math.log in the separate path: an ulp or so apart.
    const f = i % nf;
    expect(labels[f]!.startsWith('logReturn') && Math.abs(a - b) <= 4 * Number.EPSILON * Math.max(Math.abs(b), 1e-300),
      `${what}: ${labels[f]} at flat index ${i} (bar ${Math.floor(i / nf)}): one pass ${a}, batch composition ${b}${replay}`).toBe(true);
  }
  return compared;
}

/** The matrix with NaN / +-Inf sprinkled into every field, a leading NaN block in one, -0 and 0 closes, a zero-volume stretch. */
function poison(rng: TestRng, m: Ohlcv, rows: number, cols: number): Ohlcv {
  const bad = [NaN, Infinity, -Infinity, NaN, -0, 0];
  const out = { open: Float64Array.from(m.open), high: Float64Array.from(m.high), low: Float64Array.from(m.low), close: Float64Array.from(m.close), volume: Float64Array.from(m.volume) };
  for (const k of ['open', 'high', 'low', 'close', 'volume'] as const) {
    const a = out[k];
    for (let j = 0; j < Math.max(1, Math.floor(a.length / 150)); j++) a[rng.int(0, a.length - 1)] = bad[rng.int(0, bad.length - 1)]!;
  }
  const lead = (['high', 'low', 'close', 'volume'] as const)[rng.int(0, 3)];
  for (let r = 0; r < rows; r++) for (let i = 0; i < rng.int(0, 30); i++) out[lead][r * cols + i] = NaN;
  const z = rng.int(0, rows * cols - 12);
  for (let j = z; j < z + 10; j++) out.volume[j] = 0;
  return out;
}

describe.runIf(hasCpu)('one pass == the batch-kernel composition', () => {
  // The one-pass kernel (native/ta/features_stream.h) reproduces each indicator kernel's
  // operations in their order, so each feature must equal its separate `ta` calls (the batch
  // kernels, cpu backend) plus the transform to the last bit, NaN where they give NaN.
  it('every feature, on every bundled real series (defaults and random parameters)', () => {
    const rng = new TestRng(seed);
    let compared = 0;
    for (const s of realSeries()) {
      const cols = s.close.length;
      if (cols < 60) continue;
      const m: Ohlcv = { open: s.open, high: s.high, low: s.low, close: s.close, volume: s.volume };
      for (const set of [ALL, randomFeatureSet(rng, cols, 21)]) {
        const spec = encodeFeatureSet(set, cols);
        const fused = runOp(featuresOp, { inputs: [s.open, s.high, s.low, s.close, s.volume], rows: 1, cols, spec }, { backend: 'cpu' });
        const sep = new Float64Array(fused.length);
        composeFeatures(m, 1, cols, spec, sep, separateRunner);
        compared += sameAsBatch(fused, sep, featureLabels(set), s.label);
      }
    }
    expect(compared).toBeGreaterThan(100_000);
  });

  it('every feature, on random series with NaN / +-Inf / -0 inputs, several shapes, float64 and float32 out', () => {
    const rng = new TestRng(seed);
    const cases: Array<[number, number, FeatureEntry[]]> = [
      [3, 500, ALL],
      [2, 333, randomFeatureSet(rng, 333, 24)],
      [4, 97, randomFeatureSet(rng, 97, 24)],
      [1, 41, randomFeatureSet(rng, 41, 16)],
      [2, 1500, [...DEFAULT_FEATURE_SET]],
    ];
    for (const [rows, cols, set] of cases) {
      const m = poison(rng, matrix(rng, rows, cols), rows, cols);
      const spec = encodeFeatureSet(set, cols);
      const labels = featureLabels(set);
      const sep = new Float64Array(rows * cols * set.length);
      composeFeatures(m, rows, cols, spec, sep, separateRunner);
      const fused = computeFeatures(m, set, { rows, cols, backend: 'cpu', threads: 2 });
      expect(sameAsBatch(fused.values, sep, labels, `${rows}x${cols} ${labels.join(' ')}`)).toBe(sep.length);
      // Some of every feature's values are NaN and some are not (the NaNs really reach the kernels).
      expect(Array.from(sep).some((v) => Number.isNaN(v))).toBe(true);
      const f32 = computeFeatures(m, set, { rows, cols, backend: 'cpu', dtype: 'float32' });
      expect(f32.values).toEqual(Float32Array.from(fused.values));
    }
  });
});

describe('warm-up, precision, threads', () => {
  const backends = availableBackends().filter((b) => b !== 'cuda' || process.env.NEURION_FEATURES_CUDA === '1');

  it.each(backends)('%s: NaN exactly before each feature\'s lookback, finite after (clean random data)', (backend) => {
    const rng = new TestRng(seed);
    const rows = 2, cols = 300;
    const m = matrix(rng, rows, cols);
    const t = computeFeatures(m, ALL, { rows, cols, backend });
    const nf = ALL.length;
    FEATURE_MENU.forEach((d, f) => {
      const lb = featureLookbackOf(d, d.params.map((q) => q.default));
      for (let r = 0; r < rows; r++) {
        for (let i = 0; i < cols; i++) {
          const v = t.values[(r * cols + i) * nf + f]!;
          if (i < lb) expect(Number.isNaN(v), `${d.name} row ${r} bar ${i} < lookback ${lb}: ${v}${replay}`).toBe(true);
          else expect(Number.isFinite(v), `${d.name} row ${r} bar ${i} >= lookback ${lb}: ${v}${replay}`).toBe(true);
        }
      }
    });
    expect(t.lookback).toBe(Math.max(...FEATURE_MENU.map((d) => featureLookbackOf(d, d.params.map((q) => q.default)))));
  });

  it.each(backends)('%s: float32 output is the float64 output rounded once', (backend) => {
    const rng = new TestRng(seed);
    const m = matrix(rng, 3, 200);
    const a = computeFeatures(m, ALL, { rows: 3, cols: 200, backend });
    const b = computeFeatures(m, ALL, { rows: 3, cols: 200, backend, dtype: 'float32' });
    expect(b.values).toBeInstanceOf(Float32Array);
    expect(b.values).toEqual(Float32Array.from(a.values));
  });

  it.runIf(hasCpu)('cpu: 1 and 5 threads give identical results; caller out is written in place', () => {
    const rng = new TestRng(seed);
    const m = matrix(rng, 7, 250);
    const a = computeFeatures(m, DEFAULT_FEATURE_SET, { rows: 7, cols: 250, backend: 'cpu', threads: 1 });
    const out = new Float64Array(7 * 250 * 20).fill(1.5);
    const b = computeFeatures(m, DEFAULT_FEATURE_SET, { rows: 7, cols: 250, backend: 'cpu', threads: 5, out });
    expect(b.values).toBe(out);
    expect(Array.from(b.values)).toEqual(Array.from(a.values));
  });

  it('a row of the tensor is the tensor of that row alone (rows are independent)', () => {
    const rng = new TestRng(seed);
    const rows = 3, cols = 120;
    const m = matrix(rng, rows, cols);
    const set = randomFeatureSet(rng, cols, 8);
    const nf = set.length;
    const all = computeFeatures(m, set, { rows, cols });
    const r = 1;
    const one = computeFeatures({
      open: m.open.subarray(r * cols, (r + 1) * cols), high: m.high.subarray(r * cols, (r + 1) * cols), low: m.low.subarray(r * cols, (r + 1) * cols),
      close: m.close.subarray(r * cols, (r + 1) * cols), volume: m.volume.subarray(r * cols, (r + 1) * cols),
    }, set);
    expect(Array.from(one.values)).toEqual(Array.from(all.values.subarray(r * cols * nf, (r + 1) * cols * nf)));
  });
});
