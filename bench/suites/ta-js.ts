/**
 * Suite `ta-js`: indicators from JavaScript, end to end, one series of N bars (default 200,000)
 * per call, the result landing in caller-held Float64Arrays:
 *
 *   - neurion cpu (baseline): computeIndicator(name, inputs, defaults, {backend: 'cpu', out})
 *   - talib npm: Array.from() of every input (the binding reads typed arrays as garbage), one
 *     execute(), then outReal copied back with the NaN warm-up: what a user holding Float64Arrays pays
 *   - tulind (callback API; it rejects typed arrays): Array.from() of the inputs, indicator(),
 *     copy back
 *   - technicalindicators: X.calculate({...}) with the Float64Arrays (it accepts them), copy back
 *   - trading-signals v8: one new X(...) and an update() per bar (candles built per bar from the
 *     arrays), each result written into the Float64Array
 *   - plain JS loop, for SMA and EMA only (what the native path must stay within 2x of)
 *
 * Ratios: x vs baseline = ours ns/bar / case ns/bar, so a peer at 0.05x is 20x slower than us.
 * Before timing: ours is checked against itself (poisoned output), TA-Lib's values must equal
 * ours (rel 1e-8; the suite aborts otherwise: a typed array reaching the binding would show up
 * here); the other peers' max relative difference from ours over the last 1,000 bars is recorded
 * in their case notes (their definitions may differ: seeds, smoothing).
 *
 * By default a representative subset of indicators runs (DEFAULT_SET) -> bench/results/ta-js.json;
 * the full table (every indicator, ~10 min) is suite `ta-js-all` -> bench/results/ta-js-all.json,
 * run with NEURION_TA_JS=all npm run bench, or standalone:
 *   node dist/bench/suites/ta-js.js [--all] [--quick] [--filter rsi]
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import * as TS from 'trading-signals';
import { availableBackends, compareArrays } from '../../src/compute/index.js';
import { computeIndicator, INDICATORS } from '../../src/ta/index.js';
import type { IndicatorSpec } from '../../src/ta/spec.js';
import { parseOptions, runSuite, type BenchCase, type SkippedCase, type SuiteModule, type SuiteSpec } from '../harness.js';
import { defaults, inputsFor, ohlcv, talibOptions, TULIP, type Ohlcv } from './ta-peers.js';

const require = createRequire(import.meta.url);
const SEED = 20_240_604;
const POISON = -7.77e77;
export const DEFAULT_SET = ['sma', 'ema', 'rsi', 'macd', 'bbands', 'atr', 'stoch', 'adx', 'cci', 'willr', 'obv', 'mfi'] as const;

// ---- peer typings (the packages are CommonJS; only what is used here) ----
interface TalibInfo {
  inputs: Array<{ name: string; type: 'price' | 'real' | 'integer'; flags?: Record<string, string> }>;
  outputs: Array<{ name: string }>;
}
interface Talib {
  version: string;
  explain(name: string): TalibInfo;
  execute(args: Record<string, unknown>): { begIndex: number; nbElement: number; result: Record<string, number[]> };
}
interface TulipIndicator {
  input_names: string[];
  start(options: number[]): number;
  indicator(inputs: number[][], options: number[], cb: (err: Error | null, res: number[][]) => void): void;
}
type TiCalc = { calculate(input: Record<string, unknown>): unknown[] };

const talib = require('talib') as Talib;
const tulind = require('tulind') as { version: string; indicators: Record<string, TulipIndicator> };
const TI = require('technicalindicators') as Record<string, TiCalc>;
const TI_VERSION = (require('technicalindicators/package.json') as { version: string }).version;

// ---- technicalindicators: X.calculate(args) -> array (aligned to the end); fields per our output ----
interface TiEntry {
  fn: string;
  args(d: Ohlcv, p: readonly number[]): Record<string, unknown>;
  /** Per our output: the field of each result object, or '' for a plain number, or null (not given). */
  fields: readonly (string | null)[];
  note?: string;
}
const v = (d: Ohlcv, p: readonly number[]): Record<string, unknown> => ({ values: d.close, period: p[0] });
const hlc = (d: Ohlcv, p: readonly number[]): Record<string, unknown> => ({ high: d.high, low: d.low, close: d.close, period: p[0] });
const TI_MAP: Readonly<Record<string, TiEntry>> = {
  sma: { fn: 'SMA', args: v, fields: [''] },
  ema: { fn: 'EMA', args: v, fields: [''] },
  wma: { fn: 'WMA', args: v, fields: [''] },
  rsi: { fn: 'RSI', args: v, fields: [''] },
  roc: { fn: 'ROC', args: v, fields: [''] },
  trix: { fn: 'TRIX', args: v, fields: [''] },
  stddev: { fn: 'SD', args: v, fields: [''] },
  rollingMax: { fn: 'Highest', args: v, fields: [''] },
  rollingMin: { fn: 'Lowest', args: v, fields: [''] },
  rollingSum: { fn: 'Sum', args: v, fields: [''] },
  macd: {
    fn: 'MACD',
    args: (d, p) => ({ values: d.close, fastPeriod: p[0], slowPeriod: p[1], signalPeriod: p[2], SimpleMAOscillator: false, SimpleMASignal: false }),
    fields: ['MACD', 'signal', 'histogram'],
  },
  bbands: { fn: 'BollingerBands', args: (d, p) => ({ values: d.close, period: p[0], stdDev: p[1] }), fields: ['upper', 'middle', 'lower', 'pb', null] },
  atr: { fn: 'ATR', args: hlc, fields: [''] },
  trange: { fn: 'TrueRange', args: (d) => ({ high: d.high, low: d.low, close: d.close }), fields: [''] },
  adx: { fn: 'ADX', args: hlc, fields: ['adx'] },
  cci: { fn: 'CCI', args: hlc, fields: [''] },
  willr: { fn: 'WilliamsR', args: hlc, fields: [''] },
  stoch: {
    fn: 'Stochastic',
    args: (d, p) => ({ high: d.high, low: d.low, close: d.close, period: p[0], signalPeriod: p[3] }),
    fields: ['k', 'd'],
    note: 'their k is the fast %K (no slowing), d its SMA',
  },
  obv: { fn: 'OBV', args: (d) => ({ close: d.close, volume: d.volume }), fields: [''] },
  ad: { fn: 'ADL', args: (d) => ({ high: d.high, low: d.low, close: d.close, volume: d.volume }), fields: [''] },
  mfi: { fn: 'MFI', args: (d, p) => ({ high: d.high, low: d.low, close: d.close, volume: d.volume, period: p[0] }), fields: [''] },
  sar: { fn: 'PSAR', args: (d, p) => ({ high: d.high, low: d.low, step: p[0], max: p[1] }), fields: [''] },
  forceIndex: { fn: 'ForceIndex', args: (d, p) => ({ close: d.close, volume: d.volume, period: p[0] }), fields: [''] },
};

// ---- trading-signals: one update per bar ----
type Upd = { update(x: never, replace: boolean): unknown };
interface TsEntry {
  make(p: readonly number[]): Upd;
  input: 'x' | 'hlc' | 'hl' | 'hlcv' | 'ohlc';
  fields: readonly (string | null)[];
}
const TS_MAP: Readonly<Record<string, TsEntry>> = {
  sma: { make: (p) => new TS.SMA(p[0]!), input: 'x', fields: [''] },
  ema: { make: (p) => new TS.EMA(p[0]!), input: 'x', fields: [''] },
  wma: { make: (p) => new TS.WMA(p[0]!), input: 'x', fields: [''] },
  dema: { make: (p) => new TS.DEMA(p[0]!), input: 'x', fields: [''] },
  tema: { make: (p) => new TS.TEMA(p[0]!), input: 'x', fields: [''] },
  trima: { make: (p) => new TS.TRIMA(p[0]!), input: 'x', fields: [''] },
  hma: { make: (p) => new TS.HMA(p[0]!), input: 'x', fields: [''] },
  rsi: { make: (p) => new TS.RSI(p[0]!), input: 'x', fields: [''] },
  cmo: { make: (p) => new TS.CMO(p[0]!), input: 'x', fields: [''] },
  roc: { make: (p) => new TS.ROC(p[0]!), input: 'x', fields: [''] },
  mom: { make: (p) => new TS.MOM(p[0]!), input: 'x', fields: [''] },
  macd: { make: (p) => new TS.MACD(new TS.EMA(p[0]!), new TS.EMA(p[1]!), new TS.EMA(p[2]!)), input: 'x', fields: ['macd', 'signal', 'histogram'] },
  bbands: { make: (p) => new TS.BollingerBands(p[0]!, p[1]!), input: 'x', fields: ['upper', 'middle', 'lower', null, null] },
  atr: { make: (p) => new TS.ATR(p[0]!), input: 'hlc', fields: [''] },
  natr: { make: (p) => new TS.NATR(p[0]!), input: 'hlc', fields: [''] },
  trange: { make: () => new TS.TR(), input: 'hlc', fields: [''] },
  cci: { make: (p) => new TS.CCI(p[0]!), input: 'hlc', fields: [''] },
  willr: { make: (p) => new TS.WilliamsR(p[0]!), input: 'hlc', fields: [''] },
  adx: { make: (p) => new TS.ADX(p[0]!), input: 'hlc', fields: [''] },
  dx: { make: (p) => new TS.DX(p[0]!), input: 'hlc', fields: [''] },
  stoch: { make: (p) => new TS.StochasticOscillator({ kPeriod: p[0]!, kSlowingPeriod: p[1]!, dPeriod: p[3]! }), input: 'hlc', fields: ['stochK', 'stochD'] },
  aroon: { make: (p) => new TS.Aroon(p[0]!), input: 'hl', fields: ['aroonDown', 'aroonUp'] },
  sar: { make: (p) => new TS.PSAR({ accelerationStep: p[0]!, accelerationMax: p[1]! }), input: 'hl', fields: [''] },
  mfi: { make: (p) => new TS.MFI(p[0]!), input: 'hlcv', fields: [''] },
  ad: { make: () => new TS.AD(), input: 'hlcv', fields: [''] },
  adosc: { make: (p) => new TS.ADOSC({ fastPeriod: p[0]!, slowPeriod: p[1]! }), input: 'hlcv', fields: [''] },
  bop: { make: () => new TS.BOP(), input: 'ohlc', fields: [''] },
};

/** Writes one result (number, null or object) into the outputs at bar i. */
function put(r: unknown, fields: readonly (string | null)[], outs: Float64Array[], i: number): void {
  for (let k = 0; k < fields.length; k++) {
    const f = fields[k];
    if (f === null) continue;
    const val = r === null || r === undefined ? NaN : f === '' ? (r as number) : (r as Record<string, number>)[f];
    outs[k]![i] = typeof val === 'number' ? val : NaN;
  }
}

function tsFeed(e: TsEntry, p: readonly number[], d: Ohlcv, outs: Float64Array[]): void {
  const ind = e.make(p) as { update(x: unknown, replace: boolean): unknown };
  const n = d.close.length;
  const { open, high, low, close, volume } = d;
  const f = e.fields;
  switch (e.input) {
    case 'x':
      for (let i = 0; i < n; i++) put(ind.update(close[i], false), f, outs, i);
      break;
    case 'hl':
      for (let i = 0; i < n; i++) put(ind.update({ high: high[i], low: low[i] }, false), f, outs, i);
      break;
    case 'hlc':
      for (let i = 0; i < n; i++) put(ind.update({ high: high[i], low: low[i], close: close[i] }, false), f, outs, i);
      break;
    case 'hlcv':
      for (let i = 0; i < n; i++) put(ind.update({ high: high[i], low: low[i], close: close[i], volume: volume[i] }, false), f, outs, i);
      break;
    case 'ohlc':
      for (let i = 0; i < n; i++) put(ind.update({ open: open[i], high: high[i], low: low[i], close: close[i] }, false), f, outs, i);
      break;
  }
}

/** Max relative difference of `got` from `want` over the last `tail` bars of the mapped outputs (NaN pairs skipped). */
function tailDiff(want: Float64Array[], got: Float64Array[], mapped: readonly boolean[], tail: number): number {
  let worst = 0;
  for (let k = 0; k < want.length; k++) {
    if (!mapped[k]) continue;
    const a = want[k]!, b = got[k]!;
    for (let i = Math.max(0, a.length - tail); i < a.length; i++) {
      const x = a[i]!, y = b[i]!;
      if (x !== x && y !== y) continue;
      const rel = Math.abs(x - y) / Math.max(Math.abs(x), Math.abs(y), 1e-6);
      if (!(rel <= worst)) worst = rel !== rel ? Infinity : rel;
    }
  }
  return worst;
}

function plainSma(x: Float64Array, p: number, out: Float64Array): void {
  let sum = 0;
  for (let i = 0; i < p - 1; i++) { sum += x[i]!; out[i] = NaN; }
  sum += x[p - 1]!;
  out[p - 1] = sum / p;
  for (let i = p; i < x.length; i++) { sum += x[i]! - x[i - p]!; out[i] = sum / p; }
}
function plainEma(x: Float64Array, p: number, out: Float64Array): void {
  const k = 2 / (p + 1);
  let e = 0;
  for (let i = 0; i < p - 1; i++) { e += x[i]!; out[i] = NaN; }
  e = (e + x[p - 1]!) / p;
  out[p - 1] = e;
  for (let i = p; i < x.length; i++) { e = (x[i]! - e) * k + e; out[i] = e; }
}

function casesFor(spec: IndicatorSpec, d: Ohlcv, n: number, hasCpu: boolean, skipped: SkippedCase[]): BenchCase[] {
  const name = spec.name;
  const group = name;
  const p = defaults(spec);
  const params = Object.fromEntries(spec.params.map((q, k) => [q.name, p[k]!]));
  const data = inputsFor(spec, d);
  const outs = spec.outputs.map(() => new Float64Array(n));
  const outObj = Object.fromEntries(spec.outputs.map((o, k) => [o, outs[k]!]));
  let expected: Float64Array[] | null = null;
  const want = (): Float64Array[] => (expected ??= spec.outputs.map((o) => computeIndicator(name, data, params, { backend: hasCpu ? 'cpu' : 'js' })[o]!));
  const poison = (): void => { for (const o of outs) o.fill(POISON); };
  const cases: BenchCase[] = [];
  const paramText = spec.params.map((q, k) => `${q.name}=${p[k]}`).join(', ');

  if (!hasCpu) {
    skipped.push({ name: 'neurion cpu', group, reason: 'cpu backend unavailable (addon not built)' });
    return [];
  }
  cases.push({
    name: 'neurion cpu (out)',
    group,
    tag: 'ours',
    baseline: true,
    items: n,
    notes: `computeIndicator('${name}', {${spec.inputs.join(', ')}}, {${paramText}}, {backend: 'cpu', out}); ${spec.outputs.length} output(s)`,
    verify: () => {
      poison();
      computeIndicator(name, data, params, { backend: 'cpu', out: outObj });
      want().forEach((w, k) => {
        const c = compareArrays(w, outs[k]!, { rel: 0, abs: 0 });
        if (!c.ok) throw new Error(`ta-js ${name}: out-path output ${spec.outputs[k]} differs from the allocating call: ${c.detail}`);
      });
    },
    fn: () => computeIndicator(name, data, params, { backend: 'cpu', out: outObj }),
  });

  if (name === 'sma' || name === 'ema') {
    const plain = name === 'sma' ? plainSma : plainEma;
    cases.push({
      name: 'plain JS loop',
      group,
      tag: 'peer',
      items: n,
      notes: name === 'sma' ? 'sum += x[i] - x[i-p]; out[i] = sum / p' : 'e = (x[i] - e) * k + e, SMA seed',
      verify: () => {
        poison();
        plain(data.x ?? d.close, p[0]!, outs[0]!);
        const c = compareArrays(want()[0]!, outs[0]!, { rel: 1e-9, abs: 1e-12 });
        if (!c.ok) throw new Error(`ta-js ${name}: plain loop differs from neurion: ${c.detail}`);
      },
      fn: () => plain(d.close, p[0]!, outs[0]!),
    });
  }

  // TA-Lib through the npm binding.
  const tOpts = talibOptions(spec, p);
  if (spec.talib && tOpts) {
    const t = spec.talib;
    const info = talib.explain(t.name);
    const ourInputs = spec.inputs.map((s) => data[s]!);
    const run = (): void => {
      const args: Record<string, unknown> = { name: t.name, startIdx: 0, endIdx: n - 1, ...tOpts };
      let real = 0;
      for (const inp of info.inputs) {
        if (inp.type === 'price') for (const f of Object.values(inp.flags ?? {})) args[f] = Array.from(d[f as keyof Ohlcv]);
        else args[inp.name] = Array.from(ourInputs[real++]!);
      }
      const r = talib.execute(args);
      t.outputs.forEach((o, k) => {
        if (o === null) return;
        const dst = outs[k]!;
        dst.fill(NaN, 0, r.begIndex);
        dst.set(r.result[o]!, r.begIndex);
      });
    };
    const c: BenchCase = {
      name: 'talib npm (Array.from + execute + copy)',
      group,
      tag: 'peer',
      items: n,
      minSamples: 3,
      notes: `talib ${talib.version} ${t.name}; Array.from() of ${info.inputs.length} input group(s), execute, copy back`,
      verify: () => {
        poison();
        run();
        const mapped = t.outputs.map((o) => o !== null);
        const diff = tailDiff(want(), outs, mapped, n);
        if (!(diff <= 1e-8)) throw new Error(`ta-js ${name}: talib npm ${t.name} differs from neurion (max rel ${diff}); is a typed array reaching the binding?`);
        c.notes += `; values equal ours (max rel ${diff.toExponential(1)})`;
      },
      fn: run,
    };
    cases.push(c);
  }

  // Tulip through tulind.
  const tu = TULIP[name];
  if (tu) {
    const ind = tulind.indicators[tu.name]!;
    const opts = tu.options(p);
    const start = ind.start(opts);
    const run = (): void => {
      const ins = ind.input_names.map((s) => Array.from(s === 'real' ? d.close : d[s as keyof Ohlcv]));
      ind.indicator(ins, opts, (err, res) => {
        if (err) throw err;
        tu.outputs.forEach((o, j) => {
          if (o < 0) return;
          const dst = outs[o]!;
          dst.fill(NaN, 0, start);
          dst.set(res[j]!, start);
        });
      });
    };
    const c: BenchCase = {
      name: 'tulind (Array.from + indicator + copy)',
      group,
      tag: 'peer',
      items: n,
      minSamples: 3,
      notes: `tulind ${tulind.version} ${tu.name}(${opts.join(', ')}); Array.from() of ${ind.input_names.length} input(s), callback, copy back${tu.note ? `; ${tu.note}` : ''}`,
      verify: () => {
        poison();
        run();
        const mapped = spec.outputs.map((_, k) => tu.outputs.includes(k));
        c.notes += `; last 1000 bars max rel diff from ours ${tailDiff(want(), outs, mapped, 1000).toExponential(1)}`;
      },
      fn: run,
    };
    cases.push(c);
  }

  // technicalindicators.
  const ti = TI_MAP[name];
  if (ti) {
    const calc = TI[ti.fn]!;
    const run = (): void => {
      const r = calc.calculate(ti.args(d, p));
      const off = n - r.length;
      ti.fields.forEach((f, k) => {
        if (f === null) return;
        const dst = outs[k]!;
        dst.fill(NaN, 0, off);
        for (let i = 0; i < r.length; i++) {
          const val = f === '' ? r[i] : (r[i] as Record<string, number> | undefined)?.[f];
          dst[off + i] = typeof val === 'number' ? val : NaN;
        }
      });
    };
    const c: BenchCase = {
      name: 'technicalindicators (calculate + copy)',
      group,
      tag: 'peer',
      items: n,
      minSamples: 3,
      notes: `technicalindicators ${TI_VERSION} ${ti.fn}.calculate with the Float64Arrays, copy back${ti.note ? `; ${ti.note}` : ''}`,
      verify: () => {
        poison();
        run();
        c.notes += `; last 1000 bars max rel diff from ours ${tailDiff(want(), outs, ti.fields.map((f) => f !== null), 1000).toExponential(1)}`;
      },
      fn: run,
    };
    cases.push(c);
  }

  // trading-signals, batch as an update loop.
  const tse = TS_MAP[name];
  if (tse) {
    const run = (): void => tsFeed(tse, p, d, outs);
    const c: BenchCase = {
      name: 'trading-signals (update loop)',
      group,
      tag: 'peer',
      items: n,
      minSamples: 3,
      notes: `trading-signals 8 ${tse.make.toString().replace(/^\(p\) => |^\(\) => /, '')}: one update per bar into the Float64Array`,
      verify: () => {
        poison();
        run();
        c.notes += `; last 1000 bars max rel diff from ours ${tailDiff(want(), outs, tse.fields.map((f) => f !== null), 1000).toExponential(1)}`;
      },
      fn: run,
    };
    cases.push(c);
  }
  return cases;
}

/** The default run is suite `ta-js` (DEFAULT_SET); the full table is suite `ta-js-all`, its own results file. */
function buildSpec(opts: { quick: boolean }, all: boolean): SuiteSpec {
  const n = opts.quick ? 100_000 : 200_000;
  const d = ohlcv(n, SEED);
  const hasCpu = availableBackends().includes('cpu');
  const chosen = all ? INDICATORS : INDICATORS.filter((s) => (DEFAULT_SET as readonly string[]).includes(s.name));
  const cases: BenchCase[] = [];
  const skipped: SkippedCase[] = [];
  for (const spec of chosen) cases.push(...casesFor(spec, d, n, hasCpu, skipped));
  return {
    name: all ? 'ta-js-all' : 'ta-js',
    description: `${all ? 'every indicator' : 'indicator subset'} from JavaScript end to end, ${n.toLocaleString('en-US')} bars into caller-held Float64Arrays, neurion cpu vs npm peers`,
    unit: 'bar',
    params: {
      bars: n,
      seed: SEED,
      indicators: all ? 'all' : [...DEFAULT_SET],
      indicatorParams: 'registry defaults',
      input: 'bench/suites/ta-peers.ts ohlcv(): mean-reverting OHLCV',
      versions: { talib: talib.version, tulind: tulind.version, technicalindicators: TI_VERSION, tradingSignals: '8.3.0' },
      ratios: 'x vs baseline = neurion ns/bar / case ns/bar: a peer at 0.05x is 20x slower than neurion',
    },
    cases,
    skipped,
  };
}

export const taJsSuite: SuiteModule = {
  name: process.env.NEURION_TA_JS === 'all' ? 'ta-js-all' : 'ta-js',
  build: (opts) => buildSpec(opts, process.env.NEURION_TA_JS === 'all'),
};

// Standalone: node dist/bench/suites/ta-js.js [--all] [--quick] [--filter text]
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const all = args.includes('--all');
  const parsed = parseOptions(args.filter((a) => a !== '--all'));
  // The full table is ~240 cases: with --all, shorter sampling (>= 5 samples, ~0.5 s per case)
  // keeps it near 10 minutes on 2 cores; the settings are recorded in the results' options.
  const opts = all && !parsed.quick ? { ...parsed, minSamples: 5, maxTime: 0.5 } : parsed;
  await runSuite({ name: all ? 'ta-js-all' : 'ta-js', build: (o) => buildSpec(o, all) }, opts);
}
