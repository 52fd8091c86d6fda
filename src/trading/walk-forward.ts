/**
 * Walk-forward optimisation of the SMA crossover: for each fold, optimise (fast, slow) over a
 * grid on the in-sample span with the sweep, then trade the chosen pair on the following
 * out-of-sample span; the out-of-sample spans tile the history and are stitched into one
 * equity curve.
 *
 * Fold geometry, in bars of the reference (first) series; k = 0, 1, ...:
 *
 *   nominal IS end   E_k = inSampleBars + k * outOfSampleBars
 *   IS window        rolling: [E_k - inSampleBars, E_k)      anchored: [0, E_k)
 *   IS evaluation    [IS start, E_k - purgeBars)              purge: IS bars whose outcome
 *                                                             would reach into the OOS are dropped
 *   embargo          [E_k, E_k + embargoBars)                 traded by neither side
 *   OOS              [E_k + embargoBars, E_k + embargoBars + outOfSampleBars) (cut at the end)
 *
 * so at least purgeBars + embargoBars bars separate the last bar the optimisation sees from
 * the first bar traded out of sample, and the OOS spans are disjoint and contiguous. Other
 * series are cut at the same timestamps.
 *
 * What each side reads (tests/trading.walkforward.test.ts checks it by perturbing the
 * future): the IS sweep reads bars before the IS evaluation end only (earlier bars warm the
 * SMAs); the OOS run reads bars before the OOS end only (the SMAs warm on everything before
 * the OOS start, which a live strategy would also have seen). Each OOS fold starts flat with
 * the initial cash; an open position is marked to market at the fold's end (no exit cost),
 * and the stitched curve chains the folds' returns.
 */
import type { Bars } from '../data/bars.js';
import { loadBundled } from '../data/index.js';
import type { Timeframe } from '../data/bars.js';
import { describeValue } from '../errors.js';
import { ComputePool } from '../compute/pool.js';
import { computeMetrics, type Metrics } from './metrics.js';
import {
  packBars, resolveCosts, runSweepGrid, simulateSmaCross, smaCrossPairs, SWEEP_SLOT, sweepStride, encodeCosts,
  RANK_METRICS, type PackedBars, type RangeSpec, type RankMetric, type SweepCostsInput, type SweepOptions, type SweepTrade,
} from './sweep/index.js';

export type WalkForwardMode = 'rolling' | 'anchored';

export interface FoldGeometry {
  mode: WalkForwardMode;
  inSampleBars: number;
  outOfSampleBars: number;
  purgeBars?: number;
  embargoBars?: number;
}

/** Bar index spans [start, end) of one fold on the reference series. */
export interface FoldSpan {
  index: number;
  /** The nominal IS window. */
  inSample: { start: number; end: number };
  /** The bars the optimisation evaluates: the IS window minus the purged tail. */
  evaluation: { start: number; end: number };
  purged: { start: number; end: number };
  embargo: { start: number; end: number };
  outOfSample: { start: number; end: number };
}

function int(name: string, v: unknown, min: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new RangeError(`walk-forward ${name} must be an integer >= ${min}, got ${describeValue(v)}`);
  return v;
}

/** The folds of a series of `bars` bars (pure geometry). */
export function walkForwardFolds(bars: number, g: FoldGeometry): FoldSpan[] {
  if (g.mode !== 'rolling' && g.mode !== 'anchored') throw new RangeError(`walk-forward mode must be rolling or anchored, got ${describeValue(g.mode)}`);
  const is = int('inSampleBars', g.inSampleBars, 2), oos = int('outOfSampleBars', g.outOfSampleBars, 2);
  const purge = int('purgeBars', g.purgeBars ?? 0, 0), embargo = int('embargoBars', g.embargoBars ?? 0, 0);
  if (purge > is - 2) throw new RangeError(`walk-forward purgeBars (${purge}) must leave at least 2 in-sample bars (inSampleBars ${is})`);
  const folds: FoldSpan[] = [];
  for (let k = 0; ; k++) {
    const end = is + k * oos;
    const oosStart = end + embargo;
    if (oosStart + 2 > bars) break; // an OOS span needs 2 bars (one return)
    const start = g.mode === 'rolling' ? end - is : 0;
    folds.push({
      index: k,
      inSample: { start, end },
      evaluation: { start, end: end - purge },
      purged: { start: end - purge, end },
      embargo: { start: end, end: oosStart },
      outOfSample: { start: oosStart, end: Math.min(bars, oosStart + oos) },
    });
  }
  if (folds.length === 0) throw new RangeError(`walk-forward: ${bars} bars leave no out-of-sample fold (inSampleBars ${is} + embargoBars ${embargo} + 2 > ${bars})`);
  return folds;
}

export interface WalkForwardConfig extends FoldGeometry {
  symbols?: string[];
  timeframe?: Timeframe;
  bars?: Bars[];
  fastRange?: RangeSpec;
  slowRange?: RangeSpec;
  pairs?: ReadonlyArray<readonly [number, number]>;
  costs?: SweepCostsInput;
  cash?: number;
  /** In-sample objective: mean of this metric over the symbols (default sharpe). */
  metric?: RankMetric;
}

export interface SpanMetrics {
  symbol: string;
  totalReturn: number;
  sharpe: number;
  maxDrawdown: number;
  trades: number;
  winRate: number;
  profitFactor: number;
}

export interface WalkForwardFold {
  index: number;
  /**
   * Bar spans [start, end) on the reference series, with the close times of their first and
   * last bars: the in-sample span the optimisation evaluated (purged tail excluded), the
   * purged tail, the embargo gap, and the out-of-sample span.
   */
  inSample: { start: number; end: number; startTime: number; endTime: number };
  purged: { start: number; end: number };
  embargo: { start: number; end: number };
  outOfSample: { start: number; end: number; startTime: number; endTime: number };
  chosen: { fast: number; slow: number };
  /** The chosen pair's score and metrics on the IS evaluation span (the optimum of the grid). */
  inSampleScore: number;
  inSampleMetrics: SpanMetrics[];
  /** The same pair traded out of sample. */
  outOfSampleScore: number;
  outOfSampleMetrics: SpanMetrics[];
}

export interface StitchedCurve {
  symbol: string;
  time: Float64Array;
  equity: Float64Array;
  metrics: Metrics;
}

export interface WalkForwardResult {
  folds: WalkForwardFold[];
  /** Per symbol, the chained out-of-sample equity of all folds. */
  stitched: StitchedCurve[];
  metric: RankMetric;
  /** Mean IS and OOS scores over the folds, and their ratio (walk-forward efficiency). */
  summary: { meanInSampleScore: number; meanOutOfSampleScore: number; efficiency: number; pairs: number };
}

function lowerBound(a: Float64Array, from: number, to: number, v: number): number {
  let lo = from, hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function scoreOf(metric: RankMetric, m: Metrics, equity: Float64Array): number {
  return metric === 'finalEquity' ? equity[equity.length - 1]! : m[metric];
}

export async function walkForward(cfg: WalkForwardConfig, opts: SweepOptions = {}): Promise<WalkForwardResult> {
  if (typeof cfg !== 'object' || cfg === null) throw new TypeError(`walk-forward config must be an object, got ${describeValue(cfg)}`);
  const series = cfg.bars ?? (cfg.symbols ?? []).map((s) => loadBundled(s, cfg.timeframe ?? '1d'));
  if (series.length === 0) throw new RangeError('walk-forward needs symbols (bundled) or bars');
  const data: PackedBars = packBars(series);
  const metric = cfg.metric ?? 'sharpe';
  if (!(RANK_METRICS as readonly string[]).includes(metric)) throw new RangeError(`walk-forward metric must be one of ${RANK_METRICS.join(', ')}, got ${describeValue(metric)}`);
  const { fast, slow } = cfg.pairs
    ? { fast: Uint32Array.from(cfg.pairs, (p) => p[0]), slow: Uint32Array.from(cfg.pairs, (p) => p[1]) }
    : smaCrossPairs(cfg.fastRange ?? [2, 200], cfg.slowRange ?? [2, 200]);
  const costs = resolveCosts(cfg.costs, cfg.cash);
  const encoded = encodeCosts(costs);
  const symbols = data.rows, cols = data.cols;
  const row = (x: Float64Array, s: number): Float64Array => x.subarray(s * cols, s * cols + data.length[s]!);
  const times = Array.from({ length: symbols }, (_, s) => row(data.time, s));
  const refTime = times[0]!;
  const spans = walkForwardFolds(data.length[0]!, cfg);
  // A span of the reference series [a, b) -> the same timestamps on series s.
  const cut = (s: number, a: number, b: number): [number, number] => {
    if (s === 0) return [a, b];
    const t = times[s]!;
    return [lowerBound(t, 0, t.length, refTime[a]!), lowerBound(t, 0, t.length, b < refTime.length ? refTime[b]! : Infinity)];
  };
  const stride = sweepStride(0);
  const folds: WalkForwardFold[] = [];
  const curves = data.symbols.map(() => ({ time: [] as number[], equity: [] as number[], exposure: [] as number[], trades: [] as SweepTrade[], level: costs.initialCash, fees: 0 }));
  let done = 0;
  const totalRuns = spans.length * fast.length * symbols;
  // One pool for every fold (unless the caller brought one or runs inline).
  const ownPool = !opts.inline && !opts.pool ? new ComputePool({ backend: opts.backend }) : undefined;
  if (ownPool) opts = { ...opts, pool: ownPool };
  try {
    for (const f of spans) {
      if (opts.signal?.aborted) throw opts.signal.reason instanceof Error ? opts.signal.reason : new Error('walk-forward was cancelled');
      // In-sample: the whole grid on the evaluation span (bars before it warm the SMAs).
      const start = new Uint32Array(symbols), end = new Uint32Array(symbols);
      for (let s = 0; s < symbols; s++) {
        const [a, b] = cut(s, f.evaluation.start, f.evaluation.end);
        if (b - a < 2) throw new RangeError(`walk-forward fold ${f.index}: ${data.symbols[s]} has ${b - a} bars in the in-sample span (needs 2); use series with a common history`);
        start[s] = a; end[s] = b;
      }
      const isMetrics = new Float64Array(fast.length * symbols * stride);
      await runSweepGrid({ data, fast, slow, costs: encoded, start, end, blocks: 0 }, {
        ...opts,
        onProgress: opts.onProgress ? (d) => opts.onProgress!(done + d, totalRuns) : undefined,
      }, (p0, out) => isMetrics.set(out, p0 * symbols * stride));
      done += fast.length * symbols;
      let best = -1, bestScore = -Infinity;
      for (let p = 0; p < fast.length; p++) {
        let sum = 0;
        for (let s = 0; s < symbols; s++) sum += isMetrics[(p * symbols + s) * stride + SWEEP_SLOT[metric]]!;
        const sc = sum / symbols;
        if (sc > bestScore || best < 0) { bestScore = sc; best = p; }
      }
      const chosen = { fast: fast[best]!, slow: slow[best]! };
      const inSampleMetrics = data.symbols.map((symbol, s): SpanMetrics => {
        const o = (best * symbols + s) * stride;
        return {
          symbol, totalReturn: isMetrics[o + SWEEP_SLOT.totalReturn]!, sharpe: isMetrics[o + SWEEP_SLOT.sharpe]!, maxDrawdown: isMetrics[o + SWEEP_SLOT.maxDrawdown]!,
          trades: isMetrics[o + SWEEP_SLOT.trades]!, winRate: isMetrics[o + SWEEP_SLOT.winRate]!, profitFactor: isMetrics[o + SWEEP_SLOT.profitFactor]!,
        };
      });
      // Out of sample: the chosen pair, bars before the OOS start only warm the SMAs.
      let oosSum = 0;
      const outOfSampleMetrics = data.symbols.map((symbol, s): SpanMetrics => {
        const [a, b] = cut(s, f.outOfSample.start, f.outOfSample.end);
        if (b - a < 2) throw new RangeError(`walk-forward fold ${f.index}: ${symbol} has ${b - a} bars in the out-of-sample span (needs 2)`);
        const sim = simulateSmaCross({ open: row(data.open, s), high: row(data.high, s), low: row(data.low, s), close: row(data.close, s), time: times[s]!, start: a, end: b }, chosen.fast, chosen.slow, costs, 0, symbol);
        const c = curves[s]!;
        const scale = c.level / costs.initialCash;
        for (let i = 0; i < sim.equity.length; i++) {
          c.time.push(times[s]![a + i]!);
          c.equity.push(sim.equity[i]! * scale);
          c.exposure.push(sim.exposure[i]!);
        }
        c.level = c.equity[c.equity.length - 1]!;
        c.trades.push(...sim.trades);
        c.fees += sim.metrics.fees;
        oosSum += scoreOf(metric, sim.metrics, sim.equity);
        const m = sim.metrics;
        return { symbol, totalReturn: m.totalReturn, sharpe: m.sharpe, maxDrawdown: m.maxDrawdown, trades: m.trades, winRate: m.winRate, profitFactor: m.profitFactor };
      });
      folds.push({
        index: f.index,
        inSample: { start: f.evaluation.start, end: f.evaluation.end, startTime: refTime[f.evaluation.start]!, endTime: refTime[f.evaluation.end - 1]! },
        outOfSample: { start: f.outOfSample.start, end: f.outOfSample.end, startTime: refTime[f.outOfSample.start]!, endTime: refTime[f.outOfSample.end - 1]! },
        purged: f.purged,
        embargo: f.embargo,
        chosen,
        inSampleScore: bestScore,
        inSampleMetrics,
        outOfSampleScore: oosSum / symbols,
        outOfSampleMetrics,
      });
    }

  } finally {
    await ownPool?.destroy();
  }

  const stitched = data.symbols.map((symbol, s): StitchedCurve => {
    const c = curves[s]!;
    const time = Float64Array.from(c.time), equity = Float64Array.from(c.equity);
    const exposure = Float64Array.from(c.exposure);
    const metrics = computeMetrics({ time, equity, exposure, trades: c.trades, initialCash: costs.initialCash, tradedNotional: 0, fees: c.fees });
    return { symbol, time, equity, metrics };
  });
  const meanIs = folds.reduce((a, f) => a + f.inSampleScore, 0) / folds.length;
  const meanOos = folds.reduce((a, f) => a + f.outOfSampleScore, 0) / folds.length;
  return { folds, stitched, metric, summary: { meanInSampleScore: meanIs, meanOutOfSampleScore: meanOos, efficiency: meanIs !== 0 ? meanOos / meanIs : NaN, pairs: fast.length } };
}
