// Flow indicators (ifi, instObv, smi): hand-built cases with known answers, the quantile estimator
// against numpy, bounds, monotonic responses, no look-ahead, NaN/Inf fuzz (reference vs every
// backend, stream vs batch), and the native table's signature. The generic suites (conformance,
// ta.stream, ta.registry) cover these indicators too.
//
// Indicators are run through their op (runOp(indicatorOp(spec))) so the camelCase names work
// whatever the public name lookup does.
import { describe, expect, it } from 'vitest';
import { availableBackends, runOp } from '../src/compute/index.js';
import { backendStatus } from '../src/compute/backend.js';
import { INDICATORS } from '../src/ta/registry.js';
import { indicatorOp, randomOhlcv } from '../src/ta/ops.js';
import { quantileType7 } from '../src/ta/indicators/flow.js';
import type { IndicatorSpec } from '../src/ta/spec.js';
import { TestRng, freshSeed } from '../src/util/rng.js';
import { realSeries } from './helpers/real-series.js';

const NAMES = ['ifi', 'instObv', 'smi'] as const;
const backends = availableBackends();
const seed = freshSeed();
const f = (a: number[]): Float64Array => Float64Array.from(a);

function spec(name: string): IndicatorSpec {
  const s = INDICATORS.find((x) => x.name === name);
  if (!s) throw new Error(`no indicator ${name}`);
  return s;
}

type Data = Record<'open' | 'high' | 'low' | 'close' | 'volume', Float64Array>;

function run(name: string, d: Data, params: Record<string, number> = {}, backend = backends.includes('cpu') ? 'cpu' : 'js'): Record<string, Float64Array> {
  const s = spec(name);
  const p = s.params.map((q) => params[q.name] ?? q.default);
  const ins = s.inputs.map((k) => d[k as keyof Data]);
  const r = runOp(indicatorOp(s), { inputs: ins, rows: 1, cols: ins[0]!.length, params: p }, { backend: backend as never });
  return Object.fromEntries(s.outputs.map((o, k) => [o, r[k]!]));
}

/** Bars from opens, closes and volumes (high/low = max/min of open and close). */
function bars(open: number[], close: number[], volume: number[]): Data {
  return {
    open: f(open),
    close: f(close),
    high: f(open.map((o, i) => Math.max(o, close[i]!))),
    low: f(open.map((o, i) => Math.min(o, close[i]!))),
    volume: f(volume),
  };
}

describe('large-bar quantile = numpy.quantile (method linear, numpy 2.4)', () => {
  // [values, q, numpy.quantile(values, q)] generated with numpy 2.4.6 (default_rng(7)).
  const cases: Array<[number[], number, number]> = [
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9, 9.1],
    [[100, 100, 100, 100, 1000], 0.9, 640],
    [[0.1, 0.7, 0.3], 0.35, 0.24],
    [[0.1, 0.7, 0.3], 0.75, 0.5],
    [[5], 0.3, 5],
    [[34479.434, 14600.24, 5791.301, 11136.617, 4976.739, 24105.984, 164443.589, 10526.911, 8684.435, 45924.916, 37621.483, 25799.783, 5455.055, 21080.891, 62502.06, 2932.698, 11087.53, 1271.771, 3183.363, 1390.47, 15480.916, 3290.617, 33087.027, 27864.998, 16640.647, 505.153, 9817.882, 20480.911], 0.5141, 14187.029776100004],
    [[2218.965, 10757.625, 5075.708, 6546.882, 108157.95, 6559.686, 20977.746, 82999.08, 9178.319, 18628.484, 25995.955, 24237.897, 3506.649, 24691.402, 169098.241, 2163.068, 79943.39, 26344.928, 8415.196], 0.3613, 8799.3521182],
    [[3644.836, 24631.326, 52314.789, 16594.504, 61350.917, 19934.836, 59926.335, 190571.72, 7994.48, 29872.928, 10993.271, 26659.547, 3711.562, 9237.694, 16410.982, 84808.055, 122741.158, 3025.127, 6687.775, 58125.232], 0.8741, 75610.51119020002],
    [[10995.542, 19035.665, 145149.927, 61951.423, 13482.932, 12671.823, 15134.117, 216488.802, 11590.749, 13967.373, 37379.72, 18376.801, 16384.215, 4141.856, 21649.07, 11323.417, 126651.141, 58667.005], 0.8762, 119883.55049720003],
    [[13229.384, 106744.087, 21848.786, 52842.63, 3176.897, 37049.868, 1750.565, 1040.032, 13950.696, 5710.767, 28171.869, 638664.745, 6325.948, 8639.367, 29974.609, 46143.895, 16905.443], 0.7652, 39261.5353664],
    [[63176.927, 48043.468, 4672.672, 19559.728, 23223.739, 4529.075, 32524.816, 6081.857, 94665.042, 29410.848, 25183.889, 9076.623, 18436.456, 1100.347, 4035.513], 0.1985, 4640.937062999999],
    [[78426.157, 1604.962, 68535.542, 6196.59, 70861.789, 26807.227, 2196.779, 143447.318, 191484.23, 19956.15, 14605.093, 17330.09, 5101.406, 114448.491, 9756.237, 20398.454, 6701.29, 8611.815, 3240.271, 145161.758, 17480.979, 93796.463, 22471.135, 7772.87, 13493.618, 9505.762, 22291.008], 0.3327, 9668.620845],
    [[14046.344, 2785.376, 6566.466, 263309.736, 8047.769, 4531.731, 36533.667, 181844.699, 2487.326, 16110.35, 8534.919, 1569.435], 0.4658, 8108.078170000001],
  ];
  it.each(cases.map((c, k) => [k, ...c] as const))('case %i', (_k, values, q, expected) => {
    const sorted = Float64Array.from(values).sort();
    expect(quantileType7(sorted, sorted.length, q)).toBe(expected);
  });
});

describe('ifi / instObv: hand-built cases', () => {
  // Window of 5 (q = 0.9): four quiet bars of 100 and one of 1000. Q = numpy quantile = 640, so only
  // the 1000 bar is large: ifi = +-1000 / 1400.
  const quiet = (dir: 1 | -1) => bars([10, 10, 10, 10, 10], [10.1, 9.9, 10.1, 9.9, 10 + dir], [100, 100, 100, 100, 1000]);
  it.each(backends)('one huge up bar in a quiet window (%s)', (backend) => {
    const r = run('ifi', quiet(1), { period: 5 }, backend);
    expect(Array.from(r.ifi!.slice(0, 4)).every(Number.isNaN)).toBe(true);
    expect(r.ifi![4]).toBeCloseTo(1000 / 1400, 15);
    expect(r.score![4]).toBeCloseTo(50 * (1 + 1000 / 1400), 12);
    expect(run('instObv', quiet(1), { period: 5 }, backend).instObv![4]).toBe(1000);
  });
  it.each(backends)('one huge down bar in a quiet window (%s)', (backend) => {
    expect(run('ifi', quiet(-1), { period: 5 }, backend).ifi![4]).toBeCloseTo(-1000 / 1400, 15);
    expect(run('instObv', quiet(-1), { period: 5 }, backend).instObv![4]).toBe(-1000);
  });
  it('a doji (close == open) large bar counts 0', () => {
    const d = bars([10, 10, 10, 10, 10], [10.1, 9.9, 10.1, 9.9, 10], [100, 100, 100, 100, 1000]);
    expect(run('ifi', d, { period: 5 }).ifi![4]).toBe(0);
  });
  it('equal volumes: no bar is strictly above the quantile, ifi = 0, instObv flat at 0', () => {
    const n = 40, rng = new TestRng(1);
    const open = Array.from({ length: n }, () => 100), close = Array.from({ length: n }, () => 100 + rng.normal());
    const d = bars(open, close, Array.from({ length: n }, () => 5000));
    const r = run('ifi', d, { period: 10 });
    for (let i = 9; i < n; i++) { expect(r.ifi![i]).toBe(0); expect(r.score![i]).toBe(50); }
    expect(Array.from(run('instObv', d, { period: 10 }).instObv!.slice(9)).every((x) => x === 0)).toBe(true);
  });
  it('no volume at all (FX feeds): ifi 0, score 50, smi and every component 50', () => {
    const n = 60, rng = new TestRng(2);
    const open = Array.from({ length: n }, () => 1 + 0.01 * rng.normal()), close = open.map((o) => o + 0.01 * rng.normal());
    const d = bars(open, close, new Array(n).fill(0));
    const r = run('ifi', d);
    for (let i = 19; i < n; i++) expect(r.score![i]).toBe(50);
    const s = run('smi', d);
    for (const o of spec('smi').outputs) for (let i = 32; i < n; i++) expect(s[o]![i], o).toBe(50);
  });
  it('the quiet-window bar leaves the window: ifi drops back to 0 after `period` bars', () => {
    const n = 12;
    const open: number[] = new Array(n).fill(10), close: number[] = open.map((_, i) => (i % 2 ? 10.1 : 9.9));
    const vol = new Array(n).fill(100);
    close[4] = 11;
    vol[4] = 1000;
    const r = run('ifi', bars(open, close, vol), { period: 5 }).ifi!;
    for (let i = 4; i <= 8; i++) expect(r[i]).toBeCloseTo(1000 / 1400, 15);
    for (let i = 9; i < n; i++) expect(r[i]).toBe(0);
    // instObv judged the bar once, on arrival: it keeps the +1000 forever.
    const io = run('instObv', bars(open, close, vol), { period: 5 }).instObv!;
    expect(Array.from(io.slice(4))).toEqual(new Array(n - 4).fill(1000));
  });
  it('instObv judges a bar against its own trailing window only (later big bars do not re-judge it)', () => {
    // Bar 4 (600, up) is large in its own window [100 x4, 600]; bar 5 (5000, down) arrives later.
    const d = bars([10, 10, 10, 10, 10, 10], [10.1, 9.9, 10.1, 9.9, 11, 9], [100, 100, 100, 100, 600, 5000]);
    expect(Array.from(run('instObv', d, { period: 5 }).instObv!)).toEqual([NaN, NaN, NaN, NaN, 600, 600 - 5000]);
  });
});

describe('smi: hand-built composite', () => {
  it('steady up bars closing at the high on constant volume: 0.4*50 + 0.2*100 + 0.2*50 + 0.2*50 = 60', () => {
    // No large bars (equal volumes) -> ifi score 50; every bar closes at its high -> A/D slope z = 1 ->
    // 100; institutional OBV flat -> 50; volume unchanged -> volume score 50.
    const n = 50;
    const open = Array.from({ length: n }, (_, i) => 100 + i), close = open.map((o) => o + 0.5);
    const d = bars(open, close, new Array(n).fill(1e6));
    const r = run('smi', d, { period: 10, trendPeriod: 5 });
    const lb = spec('smi').lookback([10, 0.9, 5]);
    expect(lb).toBe(13);
    expect(Number.isNaN(r.smi![lb - 1]!)).toBe(true);
    for (let i = lb; i < n; i++) {
      expect(r.ifiScore![i]).toBe(50);
      expect(r.adScore![i]).toBe(100);
      expect(r.iobvScore![i]).toBe(50);
      expect(r.volScore![i]).toBe(50);
      expect(r.smi![i]).toBeCloseTo(60, 12);
    }
  });
  it('volume score: doubling volume on a rise is tanh(ln 2) = 0.6 -> 80; on a fall -> 20', () => {
    const up = bars([10, 10, 10], [10, 10, 11], [100, 100, 200]);
    expect(run('smi', up, { period: 2, trendPeriod: 1 }).volScore![2]).toBeCloseTo(80, 12);
    const down = bars([10, 10, 10], [10, 10, 9], [100, 100, 200]);
    expect(run('smi', down, { period: 2, trendPeriod: 1 }).volScore![2]).toBeCloseTo(20, 12);
  });
});

function randomData(rng: TestRng, n: number): Data {
  const d = randomOhlcv(rng, n);
  // Fat-tailed volume so that large bars are clearly separated.
  const volume = d.volume.map((v) => v * Math.exp(1.5 * rng.normal()));
  return { open: d.open, high: d.high, low: d.low, close: d.close, volume };
}

describe('flow indicators: bounds, monotonicity, causality', () => {
  it.each(backends)('ifi in [-1, 1], scores and smi in [0, 100] on random and real series (%s)', (backend) => {
    const rng = new TestRng(seed);
    const sets: Data[] = [];
    for (let t = 0; t < 6; t++) sets.push(randomData(rng, rng.int(60, 400)));
    for (const s of realSeries().filter((r) => r.close.length < 6000).slice(0, 8)) sets.push(s as unknown as Data);
    for (const d of sets) {
      const params = { period: rng.int(2, 40), quantile: rng.next(), trendPeriod: rng.int(1, 20) };
      const ifi = run('ifi', d, params, backend);
      let defined = 0;
      for (let i = 0; i < d.close.length; i++) {
        const v = ifi.ifi![i]!, sc = ifi.score![i]!;
        if (Number.isNaN(v)) continue;
        defined++;
        if (!(v >= -1 && v <= 1 && sc >= 0 && sc <= 100)) expect.fail(`ifi ${v} score ${sc} at ${i} ${JSON.stringify(params)} [seed ${seed}]`);
      }
      expect(defined).toBeGreaterThan(0);
      const smi = run('smi', d, params, backend);
      for (const o of spec('smi').outputs) for (let i = 0; i < d.close.length; i++) {
        const v = smi[o]![i]!;
        if (!Number.isNaN(v) && !(v >= 0 && v <= 100)) expect.fail(`smi.${o} ${v} at ${i} ${JSON.stringify(params)} [seed ${seed}]`);
      }
    }
  });

  it('more volume on the (already large) up bar raises ifi; turning a large down bar up raises ifi, instObv and smi', () => {
    const rng = new TestRng(seed ^ 0xabc);
    const d = randomData(rng, 200);
    const k = 120;
    // Make bar k a big up bar, then bigger: ifi at k rises strictly.
    const d1 = { ...d, open: Float64Array.from(d.open), close: Float64Array.from(d.close), volume: Float64Array.from(d.volume) };
    d1.close[k] = d1.open[k]! * 1.01;
    d1.volume[k] = 50 * Math.max(...d.volume.subarray(k - 19, k + 1));
    const a = run('ifi', d1, { period: 20 }).ifi![k]!;
    d1.volume[k] *= 2;
    const b = run('ifi', d1, { period: 20 }).ifi![k]!;
    expect(b).toBeGreaterThan(a);
    expect(a).toBeGreaterThan(0);
    // Same bar as a down bar vs an up bar (only the open moves, so A/D and volume terms are unchanged).
    const up = { ...d1, open: Float64Array.from(d1.open) };
    const down = { ...d1, open: Float64Array.from(d1.open) };
    up.open[k] = d1.close[k]! / 1.01;
    down.open[k] = d1.close[k]! * 1.01;
    for (const [name, out] of [['ifi', 'ifi'], ['instObv', 'instObv'], ['smi', 'smi']] as const) {
      const u = run(name, up, { period: 20 })[out]!, w = run(name, down, { period: 20 })[out]!;
      expect(u[k]!, `${name} at the bar`).toBeGreaterThan(w[k]!);
      for (let i = 0; i < 200; i++) if (!Number.isNaN(u[i]!)) expect(u[i]! >= w[i]! - 1e-9, `${name} at ${i}`).toBe(true);
    }
  });

  it.each(backends)('no look-ahead: changing future bars never changes past outputs (%s)', (backend) => {
    const rng = new TestRng(seed ^ 0x77);
    for (let t = 0; t < 5; t++) {
      const n = rng.int(80, 300);
      const d = randomData(rng, n);
      const cut = rng.int(30, n - 2);
      const e: Data = {
        open: Float64Array.from(d.open), high: Float64Array.from(d.high), low: Float64Array.from(d.low), close: Float64Array.from(d.close), volume: Float64Array.from(d.volume),
      };
      for (let i = cut + 1; i < n; i++) {
        e.volume[i] = e.volume[i]! * (0.01 + 100 * rng.next());
        e.close[i] = e.close[i]! * (1 + 0.1 * rng.normal());
        e.open[i] = e.open[i]! * (1 + 0.1 * rng.normal());
        e.high[i] = Math.max(e.high[i]!, e.open[i]!, e.close[i]!);
        e.low[i] = Math.min(e.low[i]!, e.open[i]!, e.close[i]!);
      }
      const params = { period: rng.int(2, 25), quantile: rng.next(), trendPeriod: rng.int(1, 15) };
      for (const name of NAMES) {
        const a = run(name, d, params, backend), b = run(name, e, params, backend);
        for (const o of spec(name).outputs) {
          for (let i = 0; i <= cut; i++) {
            if (!Object.is(a[o]![i], b[o]![i])) expect.fail(`${name}.${o} at ${i} <= ${cut} changed: ${a[o]![i]} -> ${b[o]![i]} [seed ${seed}]`);
          }
        }
      }
    }
  });
});

/** Random OHLCV with NaN / +-Inf sprinkled into every field and a zero-volume stretch. */
function poisoned(rng: TestRng, n: number): Data {
  const d = randomData(rng, n);
  const bad = [NaN, Infinity, -Infinity];
  const out = { ...d } as Data;
  for (const k of ['open', 'high', 'low', 'close', 'volume'] as const) {
    const a = Float64Array.from(d[k]);
    for (let j = 0; j < 3; j++) if (rng.next() < 0.6) a[rng.int(0, n - 1)] = bad[rng.int(0, 2)]!;
    out[k] = a;
  }
  const z = rng.int(0, n - 10);
  for (let j = z; j < z + 8; j++) out.volume[j] = 0;
  return out;
}

function streamAll(s: IndicatorSpec, d: Data, params: Record<string, number>): Float64Array[] {
  const st = s.stream(s.params.map((p) => params[p.name] ?? p.default));
  const n = d.close.length;
  const outs = s.outputs.map(() => new Float64Array(n));
  for (let i = 0; i < n; i++) {
    st.update({ open: d.open[i], high: d.high[i], low: d.low[i], close: d.close[i], volume: d.volume[i] });
    s.outputs.forEach((_, k) => { outs[k]![i] = st.values[k]!; });
  }
  return outs;
}

function sameish(a: number, b: number, rel: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
  return Math.abs(a - b) <= rel * Math.max(Math.abs(b), 1e-300) + 1e-12;
}

describe.each(NAMES.map((n) => [n] as const))('%s: NaN/Inf fuzz and streaming', (name) => {
  const s = spec(name);
  it('reference == every backend and stream == batch on poisoned random series', () => {
    const rng = new TestRng(seed ^ 0xf10);
    for (let t = 0; t < 12; t++) {
      const n = rng.int(30, 300);
      const d = poisoned(rng, n);
      const params = { period: rng.int(2, Math.min(30, n)), quantile: rng.next(), trendPeriod: rng.int(1, Math.min(20, n)) };
      const ref = run(name, d, params, 'js');
      for (const backend of backends) {
        const got = run(name, d, params, backend);
        for (const o of s.outputs) for (let i = 0; i < n; i++) {
          if (!sameish(got[o]![i]!, ref[o]![i]!, 1e-9)) expect.fail(`${name}.${o} [${backend}] ${JSON.stringify(params)} i=${i}: ${got[o]![i]} vs reference ${ref[o]![i]} [seed ${seed}]`);
        }
      }
      const batch = run(name, d, params);
      const str = streamAll(s, d, params);
      s.outputs.forEach((o, k) => {
        for (let i = 0; i < n; i++) if (!sameish(str[k]![i]!, batch[o]![i]!, 1e-12)) expect.fail(`${name}.${o} stream ${str[k]![i]} vs batch ${batch[o]![i]} at ${i} ${JSON.stringify(params)} [seed ${seed}]`);
      });
    }
  });

  it('stream == batch on every bundled series (default params)', () => {
    const def = Object.fromEntries(s.params.map((p) => [p.name, p.default]));
    for (const r of realSeries()) {
      if (r.close.length <= s.lookback(s.params.map((p) => p.default)) + 1) continue;
      const d = r as unknown as Data;
      const batch = run(name, d, def);
      const str = streamAll(s, d, def);
      s.outputs.forEach((o, k) => {
        for (let i = 0; i < r.close.length; i++) if (!sameish(str[k]![i]!, batch[o]![i]!, 1e-12)) expect.fail(`${name}.${o} on ${r.label} bar ${i}: stream ${str[k]![i]}, batch ${batch[o]![i]}`);
      });
    }
  });
});

describe.each(backendStatus().filter((b) => b.addon && b.name !== 'js').map((b) => [b.name, b.addon!] as const))('%s native table (flow group)', (_b, addon) => {
  it('matches the TypeScript specs', () => {
    const table = addon.taList();
    for (const name of NAMES) {
      const s = spec(name), t = table.find((x) => x.name === name);
      expect(t, name).toBeDefined();
      expect(t!.inputs).toEqual([...s.inputs]);
      expect(t!.outputs).toEqual([...s.outputs]);
      expect(t!.params.map((p) => [p.name, p.default, p.min, p.max, p.integer, p.maxIsLength])).toEqual(
        s.params.map((p) => [p.name, p.default, p.min, p.max, p.integer, Boolean(p.maxIsLength)]),
      );
      const def = Float64Array.from(s.params.map((p) => p.default));
      expect(addon.taLookback(name, def)).toBe(s.lookback(Array.from(def)));
    }
  });
});
