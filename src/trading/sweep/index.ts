/**
 * Parameter sweeps: a grid of SMA-crossover parameter sets over many symbols, run in parallel
 * on the compute pool through op `sweep.smaCross` (native kernel, or the TypeScript reference
 * on the js backend), reduced as it streams in to a compact table: one typed array per
 * metric [pairs x symbols], the trade-list fingerprints, a score per pair, the top N, and the
 * overfitting statistics (deflated Sharpe ratio of the winner, PBO over the whole grid).
 *
 *   const r = await sweepSmaCross({ symbols: ['SPY', 'IWM'], fastRange: [2, 200], slowRange: [2, 200] },
 *                                 { onProgress: (done, total) => ..., signal });
 *   r.top[0]            -> { fast, slow, score, perSymbol: [...] }
 *   r.metrics.sharpe    -> Float64Array [pairs x symbols]
 *   r.overfitting       -> { deflatedSharpe: [...per symbol], pbo }
 *
 * Every (pair, symbol) result equals runBacktest with SmaCross({fast, slow}) on that symbol
 * (tests/trading.sweep.test.ts). Memory: the table (11 doubles + 2 words per pair and
 * symbol), the CSCV block sums pooled over symbols (2 x blocks doubles per pair), and one
 * window of raw op output at a time (bounded by `windowPairs`); no trade or equity record.
 */
import { availableParallelism } from 'node:os';
import { ComputePool } from '../../compute/pool.js';
import { resolveBackend, type BackendName } from '../../compute/backend.js';
import { runOp } from '../../compute/run.js';
import { loadBundled } from '../../data/index.js';
import type { Bars, Timeframe } from '../../data/bars.js';
import { describeValue } from '../../errors.js';
import type { FeeSchedule } from '../instrument.js';
import { deflatedSharpe, pboFromBlocks, type DeflatedSharpeResult, type PboResult } from '../overfitting.js';
import { fingerprintHex } from './fingerprint.js';
import { packBars, smaCrossPairs, type PackedBars, type RangeSpec } from './grid.js';
import { MAX_BLOCKS, OP, SWEEP_SLOT, SWEEP_SLOTS, sweepSmaCrossOp, sweepStride, type SweepSmaCrossArgs } from './op.js';
import { blockEdge, DEFAULT_COSTS, encodeCosts, type SweepCosts } from './reference.js';

export { sweepSmaCrossOp, SWEEP_SLOT, SWEEP_SLOTS, sweepStride, type SweepSmaCrossArgs } from './op.js';
export { simulateSmaCross, encodeCosts, decodeCosts, DEFAULT_COSTS, blockEdge, momentsFromSums, type SweepCosts, type SymbolSeries, type SimulationResult, type SweepTrade } from './reference.js';
export { tradeFingerprint, fingerprintHex, FingerprintBuilder } from './fingerprint.js';
export { expandRange, smaCrossPairs, packBars, barCloseTimes, type RangeSpec, type PackedBars } from './grid.js';

export const SWEEP_METRICS = ['totalReturn', 'sharpe', 'maxDrawdown', 'trades', 'winRate', 'profitFactor', 'finalEquity', 'fees', 'timeInMarket', 'skew', 'kurtosis'] as const;
export type SweepMetric = (typeof SWEEP_METRICS)[number];
/** Metrics a sweep can rank by (higher is better for each; drawdowns are negative). */
export const RANK_METRICS = ['sharpe', 'totalReturn', 'maxDrawdown', 'winRate', 'profitFactor', 'finalEquity'] as const;
export type RankMetric = (typeof RANK_METRICS)[number];

const YEAR_MS = 365.25 * 86_400_000;

/** Costs as flags: one commission schedule (bps or per share), slippage, instrument steps. */
export interface SweepCostsInput {
  commissionBps?: number;
  perShare?: number;
  /** Minimum commission per fill. */
  minFee?: number;
  /** Per-share commission cap as a fraction of notional. */
  maxFraction?: number;
  slippageBps?: number;
  tickSize?: number;
  lotSize?: number;
}

export function resolveCosts(c: SweepCostsInput = {}, cash = DEFAULT_COSTS.initialCash): SweepCosts {
  if (c.commissionBps !== undefined && c.perShare !== undefined) throw new RangeError('sweep costs: give commissionBps or perShare, not both (an instrument has one fee schedule)');
  let fees: FeeSchedule = DEFAULT_COSTS.fees;
  if (c.perShare !== undefined) fees = { kind: 'perShare', perShare: c.perShare, minimum: c.minFee, ...(c.maxFraction !== undefined ? { maxFraction: c.maxFraction } : {}) };
  else if (c.commissionBps !== undefined || c.minFee !== undefined) fees = { kind: 'bps', maker: c.commissionBps ?? 0, taker: c.commissionBps ?? 0, minimum: c.minFee };
  return { initialCash: cash, tickSize: c.tickSize ?? DEFAULT_COSTS.tickSize, lotSize: c.lotSize ?? DEFAULT_COSTS.lotSize, fees, slippageBps: c.slippageBps ?? 0 };
}

export interface SweepInput {
  /** Bundled symbols (with `timeframe`, default 1d) ... */
  symbols?: string[];
  timeframe?: Timeframe;
  /** ... or your own series (one per symbol). */
  bars?: Bars[];
  /** Period ranges (default 2..200 each); every fast < slow pair is run. */
  fastRange?: RangeSpec;
  slowRange?: RangeSpec;
  /** Explicit pairs instead of the ranges. */
  pairs?: ReadonlyArray<readonly [number, number]>;
  costs?: SweepCostsInput;
  cash?: number;
  /** Ranking metric: pairs are scored by its mean over the symbols (default sharpe). */
  metric?: RankMetric;
  /** How many best pairs to report (default 10). */
  top?: number;
  /** CSCV blocks for the probability of backtest overfitting (even, default 10; 0 = no overfitting statistics). */
  blocks?: number;
  /**
   * Keep the full [pairs x symbols] table (default true). false keeps only the streaming
   * reductions (top N, Sharpe dispersion, and the CSCV block sums when blocks > 0), so memory
   * no longer grows with pairs x symbols: for grids too large to tabulate.
   */
  keepTable?: boolean;
}

export interface SweepOptions {
  signal?: AbortSignal;
  /** Called as chunks finish, with (pair-symbol runs done, total). */
  onProgress?: (done: number, total: number) => void;
  /** Pool to run on (default: a pool created for the call and destroyed after). */
  pool?: ComputePool;
  /** Run in this thread instead (native threads; yields to the event loop between windows). */
  inline?: boolean;
  backend?: BackendName | 'auto';
  /** Native threads for inline runs (default: all cores). */
  threads?: number;
  /** Pairs per window of raw op output (default: ~64 MB worth). */
  windowPairs?: number;
  /** Pairs per pool chunk (default: ~5e7 bar evaluations). */
  chunkPairs?: number;
}

export interface SweepSymbolResult {
  symbol: string;
  totalReturn: number;
  sharpe: number;
  maxDrawdown: number;
  trades: number;
  winRate: number;
  profitFactor: number;
  finalEquity: number;
  fees: number;
  timeInMarket: number;
  fingerprint: string;
}

export interface SweepTopEntry {
  rank: number;
  fast: number;
  slow: number;
  /** Mean of the ranking metric over the symbols. */
  score: number;
  perSymbol: SweepSymbolResult[];
}

export interface SweepOverfitting {
  /** Per symbol: the deflated Sharpe ratio of the top pair, deflated by all pairs' Sharpe dispersion on that symbol. */
  deflatedSharpe: Array<DeflatedSharpeResult & { symbol: string }>;
  /** CSCV over every pair, returns pooled over the symbols (per-period Sharpe). */
  pbo: PboResult;
}

export interface SweepResult {
  symbols: string[];
  bars: number[];
  fast: Uint32Array;
  slow: Uint32Array;
  /** One array per metric, [pairs x symbols] row-major: value of pair p on symbol s at p * symbols + s (empty with keepTable: false). */
  metrics: Record<SweepMetric, Float64Array>;
  /** Trade-list fingerprints, [pairs x symbols] (empty with keepTable: false). */
  fingerprint: { hi: Uint32Array; lo: Uint32Array };
  metric: RankMetric;
  /** Per pair: mean of `metric` over the symbols (empty with keepTable: false). */
  score: Float64Array;
  top: SweepTopEntry[];
  overfitting?: SweepOverfitting;
  costs: SweepCosts;
  backend: BackendName;
  /** pairs x total bars evaluated. */
  barEvaluations: number;
  elapsedMs: number;
}

/** A grid job: the op's inputs without the pairs' window. */
export interface GridJob {
  data: PackedBars;
  fast: Uint32Array;
  slow: Uint32Array;
  costs: Float64Array;
  start: Uint32Array;
  end: Uint32Array;
  blocks: number;
}

function abortError(signal: AbortSignal): Error {
  const r = signal.reason as unknown;
  if (r instanceof Error) return r;
  const e = new Error('sweep was cancelled');
  e.name = 'AbortError';
  return e;
}

/**
 * Runs a grid window by window (on the pool, or inline) and hands each window's raw op
 * output to `consume(firstPair, out)`; only one window's output exists at a time.
 */
export async function runSweepGrid(job: GridJob, opts: SweepOptions, consume: (firstPair: number, out: Float64Array) => void): Promise<BackendName> {
  const pairs = job.fast.length, symbols = job.data.rows, stride = sweepStride(job.blocks);
  const per = symbols * stride;
  const windowPairs = Math.max(1, Math.min(pairs, opts.windowPairs ?? Math.floor(8_000_000 / per)));
  let barsPerPair = 0;
  for (let s = 0; s < symbols; s++) barsPerPair += job.end[s]!;
  const chunkPairs = Math.max(1, opts.chunkPairs ?? Math.floor(5e7 / Math.max(1, barsPerPair)));
  const total = pairs * symbols;
  const backend = resolveBackend(opts.backend);
  const ownPool = !opts.inline && !opts.pool;
  const pool = opts.inline ? undefined : opts.pool ?? new ComputePool({ backend });
  const base = { open: job.data.open, high: job.data.high, low: job.data.low, close: job.data.close, time: job.data.time, symbols, bars: job.data.cols, start: job.start, end: job.end, costs: job.costs, blocks: job.blocks };
  try {
    for (let p0 = 0; p0 < pairs; p0 += windowPairs) {
      if (opts.signal?.aborted) throw abortError(opts.signal);
      const p1 = Math.min(pairs, p0 + windowPairs);
      const args: SweepSmaCrossArgs = { ...base, fast: job.fast.subarray(p0, p1), slow: job.slow.subarray(p0, p1) };
      let out: Float64Array;
      if (pool) {
        out = await pool.run<Float64Array>(OP, args, {
          signal: opts.signal,
          backend,
          chunkRows: Math.min(chunkPairs, Math.ceil((p1 - p0) / Math.max(1, pool.threads))),
          onProgress: (done) => opts.onProgress?.((p0 + done) * symbols, total),
        });
      } else {
        out = runOp(sweepSmaCrossOp, args, { backend, threads: opts.threads ?? availableParallelism() });
        opts.onProgress?.(p1 * symbols, total);
        await new Promise((r) => setImmediate(r));
      }
      consume(p0, out);
    }
  } finally {
    if (ownPool) await pool!.destroy();
  }
  return backend;
}

type SymbolRow = SweepSymbolResult & { skew: number; kurtosis: number };

function perSymbolOf(symbols: readonly string[], out: Float64Array, k: number, n: number, stride: number): SymbolRow[] {
  return symbols.map((symbol, s) => {
    const o = (k * n + s) * stride;
    return {
      symbol, totalReturn: out[o + SWEEP_SLOT.totalReturn]!, sharpe: out[o + SWEEP_SLOT.sharpe]!, maxDrawdown: out[o + SWEEP_SLOT.maxDrawdown]!,
      trades: out[o + SWEEP_SLOT.trades]!, winRate: out[o + SWEEP_SLOT.winRate]!, profitFactor: out[o + SWEEP_SLOT.profitFactor]!,
      finalEquity: out[o + SWEEP_SLOT.finalEquity]!, fees: out[o + SWEEP_SLOT.fees]!, timeInMarket: out[o + SWEEP_SLOT.timeInMarket]!,
      fingerprint: fingerprintHex(out[o + SWEEP_SLOT.fingerprintHi]!, out[o + SWEEP_SLOT.fingerprintLo]!),
      skew: out[o + SWEEP_SLOT.skew]!, kurtosis: out[o + SWEEP_SLOT.kurtosis]!,
    };
  });
}

/** Higher first; NaN last; ties keep grid order. */
function better(a: { score: number; pair: number }, b: { score: number; pair: number }): number {
  const x = a.score, y = b.score;
  if (Number.isNaN(x)) return Number.isNaN(y) ? a.pair - b.pair : 1;
  if (Number.isNaN(y)) return -1;
  return y > x ? 1 : y < x ? -1 : a.pair - b.pair;
}

/** The best n pairs seen so far, in O(n) memory: candidates are pruned back to n when 2n accumulate. */
class TopN {
  private items: Array<{ score: number; pair: number; perSymbol: SymbolRow[] }> = [];
  private floor = -Infinity;
  constructor(private readonly n: number) {}
  /** Whether a score could enter (pairs arrive in grid order, so an equal score never beats an earlier one). */
  admits(score: number): boolean {
    return this.items.length < this.n || score > this.floor || (Number.isNaN(this.floor) && !Number.isNaN(score));
  }
  add(score: number, pair: number, rows: () => SymbolRow[]): void {
    this.items.push({ score, pair, perSymbol: rows() });
    if (this.items.length >= 2 * this.n) this.prune();
  }
  private prune(): void {
    this.items.sort(better);
    this.items.length = Math.min(this.items.length, this.n);
    if (this.items.length === this.n) this.floor = this.items[this.n - 1]!.score;
  }
  sorted(): Array<{ score: number; pair: number; perSymbol: SymbolRow[] }> {
    this.prune();
    return this.items;
  }
}

/** Periods per year of a symbol's evaluated span, as computeMetrics measures them. */
export function periodsPerYear(time: Float64Array, start: number, end: number): number {
  const n = end - start;
  const years = n > 1 ? (time[end - 1]! - time[start]!) / YEAR_MS : 0;
  return years > 0 ? (n - 1) / years : NaN;
}

export async function sweepSmaCross(input: SweepInput, opts: SweepOptions = {}): Promise<SweepResult> {
  const t0 = performance.now();
  if (typeof input !== 'object' || input === null) throw new TypeError(`sweep input must be an object, got ${describeValue(input)}`);
  let series: Bars[];
  if (input.bars !== undefined) {
    if (!Array.isArray(input.bars) || input.bars.length === 0) throw new RangeError('sweep bars must be a non-empty array of series');
    series = input.bars;
  } else {
    if (!Array.isArray(input.symbols) || input.symbols.length === 0) throw new RangeError('sweep needs symbols (bundled) or bars');
    series = input.symbols.map((s) => loadBundled(s, input.timeframe ?? '1d'));
  }
  const data = packBars(series);
  let fast: Uint32Array, slow: Uint32Array;
  if (input.pairs !== undefined) {
    fast = Uint32Array.from(input.pairs, (p) => p[0]);
    slow = Uint32Array.from(input.pairs, (p) => p[1]);
  } else {
    ({ fast, slow } = smaCrossPairs(input.fastRange ?? [2, 200], input.slowRange ?? [2, 200]));
  }
  const costs = resolveCosts(input.costs, input.cash);
  const metric = input.metric ?? 'sharpe';
  if (!(RANK_METRICS as readonly string[]).includes(metric)) throw new RangeError(`sweep metric must be one of ${RANK_METRICS.join(', ')}, got ${describeValue(metric)}`);
  const topN = input.top ?? 10;
  if (!Number.isInteger(topN) || topN < 0) throw new RangeError(`sweep top must be an integer >= 0, got ${describeValue(topN)}`);
  const minReturns = Math.min(...Array.from(data.length, (n) => n - 1));
  let blocks = input.blocks ?? Math.min(10, 2 * Math.floor(minReturns / 4));
  if (!Number.isInteger(blocks) || blocks < 0 || blocks > MAX_BLOCKS || blocks % 2 !== 0) throw new RangeError(`sweep blocks must be an even integer in [0, ${MAX_BLOCKS}], got ${describeValue(blocks)}`);
  if (blocks > minReturns) throw new RangeError(`sweep blocks (${blocks}) exceeds the returns of the shortest series (${minReturns})`);
  if (fast.length < 2) blocks = 0;

  const symbols = data.rows, pairs = fast.length;
  const job: GridJob = { data, fast, slow, costs: encodeCosts(costs), start: new Uint32Array(symbols), end: Uint32Array.from(data.length), blocks };
  sweepSmaCrossOp.validate({ open: data.open, high: data.high, low: data.low, close: data.close, time: data.time, symbols, bars: data.cols, start: job.start, end: job.end, fast, slow, costs: job.costs, blocks, out: undefined as never });

  const keep = input.keepTable ?? true;
  const cells = keep ? pairs * symbols : 0;
  const metrics = Object.fromEntries(SWEEP_METRICS.map((m) => [m, new Float64Array(cells)])) as Record<SweepMetric, Float64Array>;
  const fpHi = new Uint32Array(cells), fpLo = new Uint32Array(cells);
  const score = new Float64Array(keep ? pairs : 0);
  const pooledSum = new Float64Array(pairs * blocks), pooledSq = new Float64Array(pairs * blocks);
  const stride = sweepStride(blocks);
  // Streaming reductions, whatever `keep` says: the top N (ties keep grid order) and, per
  // symbol, the dispersion of the pairs' per-period Sharpe ratios (for the deflated Sharpe).
  const top = new TopN(Math.max(topN, 1));
  const rootPpy = data.symbols.map((_, s) => Math.sqrt(periodsPerYear(data.time.subarray(s * data.cols, (s + 1) * data.cols), 0, data.length[s]!)));
  const dispersion = data.symbols.map(() => ({ n: 0, mean: 0, m2: 0 }));
  const mIndex = SWEEP_SLOT[metric];
  const backend = await runSweepGrid(job, opts, (p0, out) => {
    const n = out.length / (symbols * stride);
    for (let k = 0; k < n; k++) {
      const p = p0 + k;
      let sum = 0;
      for (let s = 0; s < symbols; s++) {
        const o = (k * symbols + s) * stride;
        sum += out[o + mIndex]!;
        const sr = out[o + SWEEP_SLOT.sharpe]! / rootPpy[s]!;
        if (Number.isFinite(sr)) {
          const w = dispersion[s]!;
          w.n++;
          const d = sr - w.mean;
          w.mean += d / w.n;
          w.m2 += d * (sr - w.mean);
        }
        if (keep) {
          const cell = p * symbols + s;
          for (const m of SWEEP_METRICS) metrics[m][cell] = out[o + SWEEP_SLOT[m]]!;
          fpHi[cell] = out[o + SWEEP_SLOT.fingerprintHi]!;
          fpLo[cell] = out[o + SWEEP_SLOT.fingerprintLo]!;
        }
        for (let b = 0; b < blocks; b++) {
          pooledSum[p * blocks + b] += out[o + SWEEP_SLOTS + 2 * b]!;
          pooledSq[p * blocks + b] += out[o + SWEEP_SLOTS + 1 + 2 * b]!;
        }
      }
      const sc = sum / symbols;
      if (keep) score[p] = sc;
      if (top.admits(sc)) top.add(sc, p, () => perSymbolOf(data.symbols, out, k, symbols, stride));
    }
  });

  const ranked = top.sorted();
  const topEntries = ranked.slice(0, topN).map((c, k) => ({ rank: k + 1, fast: fast[c.pair]!, slow: slow[c.pair]!, score: c.score, perSymbol: c.perSymbol.map(({ skew: _s, kurtosis: _k, ...rest }) => rest) }));

  let overfitting: SweepOverfitting | undefined;
  if (blocks >= 2 && pairs >= 2) {
    const count = new Float64Array(blocks);
    for (let s = 0; s < symbols; s++) {
      const returns = data.length[s]! - 1;
      for (let b = 0; b < blocks; b++) count[b] += blockEdge(b + 1, returns, blocks) - blockEdge(b, returns, blocks);
    }
    const pbo = pboFromBlocks({ trials: pairs, blocks, count, sum: pooledSum, sumSq: pooledSq });
    const best = ranked[0]!;
    const deflated = data.symbols.map((symbol, s) => {
      const w = dispersion[s]!, b = best.perSymbol[s]!;
      return {
        symbol,
        ...deflatedSharpe({ sharpe: b.sharpe / rootPpy[s]!, nObs: data.length[s]! - 1, skew: b.skew, kurtosis: b.kurtosis, nTrials: pairs, sharpeVariance: w.n > 1 ? w.m2 / (w.n - 1) : 0 }),
      };
    });
    overfitting = { deflatedSharpe: deflated, pbo };
  }
  let evals = 0;
  for (let s = 0; s < symbols; s++) evals += data.length[s]!;
  return {
    symbols: data.symbols, bars: Array.from(data.length), fast, slow, metrics, fingerprint: { hi: fpHi, lo: fpLo }, metric, score, top: topEntries, overfitting,
    costs, backend, barEvaluations: evals * pairs, elapsedMs: performance.now() - t0,
  };
}
