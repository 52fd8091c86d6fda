/**
 * Op `sweep.smaCross`: every (fast, slow) pair on every symbol, reduced to metrics.
 *
 *   inputs  open, high, low, close, time (bar close times, ms): row-major [symbols x bars]
 *           start, end (Uint32Array, one per symbol): the backtest covers bars [start, end);
 *             bars before start only warm the SMAs
 *           fast, slow (Uint32Array, one per parameter set): the rows of the job
 *           costs (Float64Array(8), encodeCosts), blocks (0..64: CSCV blocks, 0 = none)
 *   output  Float64Array [pairs x symbols x (13 + 2 * blocks)]: per pair and symbol the
 *           slots of SWEEP_SLOT, then per CSCV block the sum of the per-bar returns and of
 *           their squares (src/trading/overfitting.ts)
 *
 * Rows are parameter sets, so ComputePool cuts big grids into chunks of pairs. Nothing per
 * bar or per trade is kept: memory is the output (13 + 2 blocks doubles per pair and symbol)
 * plus, per thread, one SMA buffer of (distinct periods) x (block of bars) doubles.
 *
 * Backends: js = reference.ts (the judge), cpu = native/ops/sweep.cpp + native/sweep/
 * (multi-threaded, bit-identical). There is no CUDA kernel yet: the cuda backend runs the
 * CPU implementation of this op.
 */
import type { NativeAddon } from '../../compute/backend.js';
import { nativeAddon } from '../../compute/backend.js';
import type { Comparison } from '../../compute/compare.js';
import type { OpCase, OpDef, RealSeries } from '../../compute/registry.js';
import { expectAllocatable, expectInteger, expectLength, expectNoOverlap, expectTyped } from '../../compute/validate.js';
import { describeValue } from '../../errors.js';
import type { TestRng } from '../../util/rng.js';
import { COSTS_LENGTH, decodeCosts, encodeCosts, simulateSmaCross, type SweepCosts } from './reference.js';

export const OP = 'sweep.smaCross';

/** Output slots per (pair, symbol), in order. */
export const SWEEP_SLOT = {
  totalReturn: 0,
  sharpe: 1,
  maxDrawdown: 2,
  trades: 3,
  winRate: 4,
  profitFactor: 5,
  finalEquity: 6,
  fees: 7,
  timeInMarket: 8,
  skew: 9,
  kurtosis: 10,
  fingerprintHi: 11,
  fingerprintLo: 12,
} as const;
export const SWEEP_SLOTS = 13;
export const MAX_BLOCKS = 64;

export function sweepStride(blocks: number): number {
  return SWEEP_SLOTS + 2 * blocks;
}

export interface SweepSmaCrossArgs {
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  time: Float64Array;
  symbols: number;
  bars: number;
  start: Uint32Array;
  end: Uint32Array;
  fast: Uint32Array;
  slow: Uint32Array;
  costs: Float64Array;
  blocks: number;
  out?: Float64Array;
}

interface SweepAddon {
  sweepSmaCross(
    open: Float64Array, high: Float64Array, low: Float64Array, close: Float64Array, time: Float64Array, symbols: number, bars: number,
    start: Uint32Array, end: Uint32Array, fast: Uint32Array, slow: Uint32Array, costs: Float64Array, blocks: number, out?: Float64Array, threads?: number,
  ): Float64Array;
}

const SERIES = ['open', 'high', 'low', 'close', 'time'] as const;

function fail(msg: string): never {
  throw new RangeError(`${OP}: ${msg}`);
}

function validate(a: SweepSmaCrossArgs): void {
  if (typeof a !== 'object' || a === null) throw new TypeError(`${OP}: arguments must be an object {open, high, low, close, time, symbols, bars, start, end, fast, slow, costs, blocks}, got ${describeValue(a)}`);
  for (const k of SERIES) expectTyped(OP, k, a[k], 'Float64Array');
  expectInteger(OP, 'symbols', a.symbols, 1, 2 ** 24);
  expectInteger(OP, 'bars', a.bars, 2, 2 ** 32);
  const cells = a.symbols * a.bars;
  for (const k of SERIES) expectLength(OP, k, a[k], cells, 'symbols * bars');
  expectTyped(OP, 'start', a.start, 'Uint32Array');
  expectLength(OP, 'start', a.start, a.symbols, 'one per symbol');
  expectTyped(OP, 'end', a.end, 'Uint32Array');
  expectLength(OP, 'end', a.end, a.symbols, 'one per symbol');
  expectTyped(OP, 'fast', a.fast, 'Uint32Array');
  expectTyped(OP, 'slow', a.slow, 'Uint32Array');
  if (a.fast.length === 0) fail('fast must hold at least one period');
  expectLength(OP, 'slow', a.slow, a.fast.length, 'same as fast');
  expectTyped(OP, 'costs', a.costs, 'Float64Array');
  expectLength(OP, 'costs', a.costs, COSTS_LENGTH, 'initialCash, tickSize, lotSize, feeKind, feeRate, feeMinimum, feeMaxFraction, slippageBps');
  expectInteger(OP, 'blocks', a.blocks, 0, MAX_BLOCKS);

  for (let k = 0; k < a.fast.length; k++) {
    const f = a.fast[k]!, s = a.slow[k]!;
    if (f < 1) fail(`fast[${k}] must be an integer >= 1, got ${f}`);
    if (s <= f || s > a.bars) fail(`slow[${k}] must be an integer in [fast + 1, bars] = [${f + 1}, ${a.bars}], got ${s}`);
  }
  const c = a.costs;
  const positive = (i: number, what: string): void => {
    if (!(c[i]! > 0) || !Number.isFinite(c[i]!)) fail(`costs[${i}] (${what}) must be a positive number, got ${c[i]}`);
  };
  const nonNegative = (i: number, what: string): void => {
    if (!(c[i]! >= 0) || !Number.isFinite(c[i]!)) fail(`costs[${i}] (${what}) must be a non-negative number, got ${c[i]}`);
  };
  positive(0, 'initialCash');
  positive(1, 'tickSize');
  positive(2, 'lotSize');
  if (!(c[3] === 0 || c[3] === 1 || c[3] === 2)) fail(`costs[3] (feeKind) must be 0 (none), 1 (bps) or 2 (perShare), got ${c[3]}`);
  nonNegative(4, 'feeRate');
  nonNegative(5, 'feeMinimum');
  if (!Number.isNaN(c[6]!)) nonNegative(6, 'feeMaxFraction');
  nonNegative(7, 'slippageBps');

  for (let s = 0; s < a.symbols; s++) {
    const st = a.start[s]!, en = a.end[s]!;
    if (en > a.bars || en < 1) fail(`end[${s}] must be an integer in [1, bars] = [1, ${a.bars}], got ${en}`);
    if (st >= en) fail(`start[${s}] must be below end[${s}] = ${en}, got ${st}`);
    if (a.blocks > 0 && en - st - 1 < a.blocks) fail(`blocks (${a.blocks}) must not exceed the returns of symbol ${s} (end - start - 1 = ${en - st - 1})`);
  }
  for (let s = 0; s < a.symbols; s++) {
    const base = s * a.bars, en = a.end[s]!;
    for (const k of ['open', 'high', 'low', 'close'] as const) {
      const x = a[k];
      for (let i = 0; i < en; i++) {
        const v = x[base + i]!;
        if (!(v > 0) || !Number.isFinite(v)) fail(`${k}[symbol ${s}, bar ${i}] must be a finite positive price, got ${v}`);
      }
    }
    for (let i = a.start[s]!; i < en; i++) if (!Number.isFinite(a.time[base + i]!)) fail(`time[symbol ${s}, bar ${i}] must be finite, got ${a.time[base + i]}`);
  }

  const total = a.fast.length * a.symbols * sweepStride(a.blocks);
  if (a.out === undefined) return expectAllocatable(OP, total);
  expectTyped(OP, 'out', a.out, 'Float64Array');
  expectLength(OP, 'out', a.out, total, 'pairs * symbols * (13 + 2 * blocks)');
  for (const k of SERIES) expectNoOverlap(OP, 'out', a.out, k, a[k]);
  for (const k of ['costs', 'start', 'end', 'fast', 'slow'] as const) expectNoOverlap(OP, 'out', a.out, k, a[k]);
}

/** The judge: reference.ts on every pair and symbol. */
function reference(a: SweepSmaCrossArgs): Float64Array {
  const stride = sweepStride(a.blocks);
  const out = a.out ?? new Float64Array(a.fast.length * a.symbols * stride);
  const costs = decodeCosts(a.costs);
  for (let s = 0; s < a.symbols; s++) {
    const row = (x: Float64Array): Float64Array => x.subarray(s * a.bars, (s + 1) * a.bars);
    const series = { open: row(a.open), high: row(a.high), low: row(a.low), close: row(a.close), time: row(a.time), start: a.start[s]!, end: a.end[s]! };
    for (let p = 0; p < a.fast.length; p++) {
      const r = simulateSmaCross(series, a.fast[p]!, a.slow[p]!, costs, a.blocks);
      const o = (p * a.symbols + s) * stride;
      const m = r.metrics;
      out[o + SWEEP_SLOT.totalReturn] = m.totalReturn;
      out[o + SWEEP_SLOT.sharpe] = m.sharpe;
      out[o + SWEEP_SLOT.maxDrawdown] = m.maxDrawdown;
      out[o + SWEEP_SLOT.trades] = m.trades;
      out[o + SWEEP_SLOT.winRate] = m.winRate;
      out[o + SWEEP_SLOT.profitFactor] = m.profitFactor;
      out[o + SWEEP_SLOT.finalEquity] = r.equity[r.equity.length - 1]!;
      out[o + SWEEP_SLOT.fees] = m.fees;
      out[o + SWEEP_SLOT.timeInMarket] = m.timeInMarket;
      out[o + SWEEP_SLOT.skew] = r.skew;
      out[o + SWEEP_SLOT.kurtosis] = r.kurtosis;
      out[o + SWEEP_SLOT.fingerprintHi] = r.fingerprint.hi;
      out[o + SWEEP_SLOT.fingerprintLo] = r.fingerprint.lo;
      out.set(r.blockSums, o + SWEEP_SLOTS);
    }
  }
  return out;
}

function native(addon: NativeAddon, a: SweepSmaCrossArgs, threads: number): Float64Array {
  let x = addon as unknown as Partial<SweepAddon>;
  // No CUDA kernel for this op: the cuda backend runs the CPU implementation.
  if (typeof x.sweepSmaCross !== 'function') x = nativeAddon('cpu') as unknown as Partial<SweepAddon>;
  return x.sweepSmaCross!(a.open, a.high, a.low, a.close, a.time, a.symbols, a.bars, a.start, a.end, a.fast, a.slow, a.costs, a.blocks, a.out, threads);
}

/** Exact comparison (NaN equal to NaN): both backends perform the same operations in the same order. */
function compareSweep(e: Float64Array, a: Float64Array): Comparison {
  if (!(a instanceof Float64Array)) return { ok: false, maxAbsError: Infinity, maxRelError: Infinity, firstBad: 0, detail: `result is not a Float64Array: ${describeValue(a)}` };
  if (e.length !== a.length) return { ok: false, maxAbsError: Infinity, maxRelError: Infinity, firstBad: 0, detail: `length ${a.length} != expected ${e.length}` };
  let maxAbs = 0;
  for (let i = 0; i < e.length; i++) {
    const x = e[i]!, y = a[i]!;
    if (x === y || (Number.isNaN(x) && Number.isNaN(y))) continue;
    const err = Math.abs(x - y);
    maxAbs = Math.max(maxAbs, err);
    return { ok: false, maxAbsError: maxAbs, maxRelError: err / Math.abs(x), firstBad: i, detail: `index ${i}: expected ${x}, got ${y} (results must be bit-identical)` };
  }
  return { ok: true, maxAbsError: 0, maxRelError: 0, firstBad: -1, detail: 'ok' };
}

/** Daily close times from a start date (ms), for test series. */
function dailyTimes(n: number, t0 = Date.UTC(2001, 0, 2)): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => t0 + (i + 1) * 86_400_000);
}

/**
 * Random OHLC with flat stretches (so fast == slow ties and gaps through the range occur),
 * prices on a 0.01 grid except occasional off-grid extremes (clamping).
 */
export function randomSweepBars(rng: TestRng, symbols: number, bars: number): Pick<SweepSmaCrossArgs, 'open' | 'high' | 'low' | 'close' | 'time'> {
  const n = symbols * bars;
  const open = new Float64Array(n), high = new Float64Array(n), low = new Float64Array(n), close = new Float64Array(n), time = new Float64Array(n);
  for (let s = 0; s < symbols; s++) {
    let p = 20 + 200 * rng.next();
    const t = dailyTimes(bars, Date.UTC(2000 + s, 0, 3));
    for (let i = 0; i < bars; i++) {
      const k = s * bars + i;
      const flat = rng.next() < 0.08;
      const o = flat ? p : Math.round(p * Math.exp(0.01 * rng.normal()) * 100) / 100;
      const c = flat ? p : Math.round(o * Math.exp(0.02 * rng.normal()) * 100) / 100;
      open[k] = Math.max(o, 0.01);
      close[k] = Math.max(c, 0.01);
      const off = rng.next() < 0.1 ? 0.003 : 0;
      high[k] = Math.max(open[k]!, close[k]!) * (1 + 0.01 * Math.abs(rng.normal())) + off;
      low[k] = Math.max(0.005, Math.min(open[k]!, close[k]!) * (1 - 0.01 * Math.abs(rng.normal())) - off);
      if (flat) { high[k] = open[k]!; low[k] = open[k]!; }
      time[k] = t[i]!;
      p = close[k]!;
    }
  }
  return { open, high, low, close, time };
}

/** A handful of pairs valid for `bars` bars. */
function somePairs(rng: TestRng, count: number, bars: number): { fast: Uint32Array; slow: Uint32Array } {
  const fast = new Uint32Array(count), slow = new Uint32Array(count);
  for (let k = 0; k < count; k++) {
    const top = Math.max(3, Math.min(bars, 60));
    const f = rng.int(1, top - 1);
    fast[k] = f;
    slow[k] = rng.int(f + 1, top);
  }
  return { fast, slow };
}

const COST_CASES: Array<[string, SweepCosts]> = [
  ['no costs', { initialCash: 100_000, tickSize: 0.01, lotSize: 1, fees: { kind: 'bps', maker: 0, taker: 0 }, slippageBps: 0 }],
  ['10 bps + 5 bps slippage', { initialCash: 25_000, tickSize: 0.01, lotSize: 1, fees: { kind: 'bps', maker: 10, taker: 10 }, slippageBps: 5 }],
  ['per share 0.005, min 1, cap 1%', { initialCash: 10_000, tickSize: 0.05, lotSize: 1, fees: { kind: 'perShare', perShare: 0.005, minimum: 1, maxFraction: 0.01 }, slippageBps: 2 }],
  ['fractional lots, tick 1e-5', { initialCash: 5_000, tickSize: 0.00001, lotSize: 0.001, fees: { kind: 'bps', maker: 2, taker: 7.5, minimum: 0.5 }, slippageBps: 1 }],
];

export const sweepSmaCrossOp: OpDef<SweepSmaCrossArgs, Float64Array> = {
  name: OP,
  summary: 'SMA-crossover (long-only, allIn, next-open fills) over a grid of (fast, slow) pairs x symbols, reduced to metrics',
  validate,
  reference,
  native,
  rows: {
    count: (a) => a.fast.length,
    slice: (a, from, to) => {
      const per = a.symbols * sweepStride(a.blocks);
      return { ...a, fast: a.fast.subarray(from, to), slow: a.slow.subarray(from, to), out: a.out.subarray(from * per, to * per) };
    },
    allocate: (a, shared) => {
      const n = a.fast.length * a.symbols * sweepStride(a.blocks);
      return shared ? new Float64Array(new SharedArrayBuffer(n * 8)) : new Float64Array(n);
    },
  },
  conformance: {
    tolerance: 'exact (NaN = NaN): both backends perform the same floating-point operations in the same order',
    randomCases(rng: TestRng): OpCase<SweepSmaCrossArgs>[] {
      const cases: OpCase<SweepSmaCrossArgs>[] = [];
      for (const [k, [label, costs]] of COST_CASES.entries()) {
        const symbols = 1 + (k % 3), bars = [80, 400, 1200, 700][k]!;
        const data = randomSweepBars(rng, symbols, bars);
        const { fast, slow } = somePairs(rng, 6, bars);
        const start = Uint32Array.from({ length: symbols }, (_, s) => (s === 1 ? rng.int(1, bars >> 2) : 0));
        const end = Uint32Array.from({ length: symbols }, (_, s) => (s === 2 ? bars - rng.int(1, bars >> 3) : bars));
        const blocks = k % 2 === 0 ? 0 : rng.int(2, 12);
        cases.push({ label: `random ${symbols}x${bars}, ${label}, blocks ${blocks}`, args: { ...data, symbols, bars, start, end, fast, slow, costs: encodeCosts(costs), blocks } });
      }
      return cases;
    },
    realCases(series: RealSeries[]): OpCase<SweepSmaCrossArgs>[] {
      // Every bundled series, a few pairs each (the js reference runs them too).
      return series.filter((s) => s.close.length >= 30).map((s, k) => {
        const bars = s.close.length;
        const pairs: Array<[number, number]> = ([[2, 5], [5, 20], [10, 30], [20, 100], [50, 200]] as Array<[number, number]>).filter(([, sl]) => sl <= bars);
        const costs = COST_CASES[k % 2 === 0 ? 0 : 2]![1];
        return {
          label: `${s.label} ${pairs.length} pairs`,
          args: {
            open: s.open, high: s.high, low: s.low, close: s.close, time: dailyTimes(bars), symbols: 1, bars,
            start: Uint32Array.of(0), end: Uint32Array.of(bars),
            fast: Uint32Array.from(pairs, (p) => p[0]), slow: Uint32Array.from(pairs, (p) => p[1]),
            costs: encodeCosts(costs), blocks: bars > 40 ? 4 : 0,
          },
        };
      });
    },
    compare: compareSweep,
    badCases() {
      const x = new Float64Array(20).fill(10);
      const ok = {
        open: x, high: x, low: x, close: x, time: dailyTimes(20), symbols: 1, bars: 20, start: Uint32Array.of(0), end: Uint32Array.of(20),
        fast: Uint32Array.of(2), slow: Uint32Array.of(5), costs: encodeCosts(COST_CASES[0]![1]), blocks: 0,
      };
      const bad = (label: string, patch: Record<string, unknown>, error: typeof TypeError | typeof RangeError, match: RegExp) => ({ label, args: { ...ok, ...patch }, error, match });
      const neg = new Float64Array(20).fill(10);
      neg[7] = -1;
      return [
        bad('close is a plain array', { close: Array.from(x) }, TypeError, /sweep\.smaCross: close must be a Float64Array/),
        bad('fast is a Float64Array', { fast: Float64Array.of(2) }, TypeError, /fast must be a Uint32Array/),
        bad('shape mismatch', { bars: 21 }, RangeError, /open must have length 21/),
        bad('slow not above fast', { fast: Uint32Array.of(5), slow: Uint32Array.of(5) }, RangeError, /slow\[0\] must be an integer in \[fast \+ 1, bars\] = \[6, 20\], got 5/),
        bad('slow beyond the bars', { slow: Uint32Array.of(21) }, RangeError, /slow\[0\] .* got 21/),
        bad('fast 0', { fast: Uint32Array.of(0) }, RangeError, /fast\[0\] must be an integer >= 1, got 0/),
        bad('no pairs', { fast: new Uint32Array(0), slow: new Uint32Array(0) }, RangeError, /fast must hold at least one period/),
        bad('negative cash', { costs: Float64Array.of(-5, 0.01, 1, 0, 0, 0, NaN, 0) }, RangeError, /costs\[0\] \(initialCash\) must be a positive number, got -5/),
        bad('unknown fee kind', { costs: Float64Array.of(1000, 0.01, 1, 3, 0, 0, NaN, 0) }, RangeError, /feeKind/),
        bad('costs too short', { costs: Float64Array.of(1000) }, RangeError, /costs must have length 8/),
        bad('start not below end', { start: Uint32Array.of(20) }, RangeError, /start\[0\] must be below end\[0\] = 20, got 20/),
        bad('end beyond the bars', { end: Uint32Array.of(21) }, RangeError, /end\[0\] must be an integer in \[1, bars\]/),
        bad('too many blocks', { blocks: 20 }, RangeError, /blocks \(20\) must not exceed the returns of symbol 0 \(end - start - 1 = 19\)/),
        bad('blocks out of range', { blocks: 65 }, RangeError, /blocks must be an integer in \[0, 64\]/),
        bad('negative price', { low: neg }, RangeError, /low\[symbol 0, bar 7\] must be a finite positive price, got -1/),
        bad('out aliases close', { out: new Float64Array(x.buffer, 0, 13) }, RangeError, /out must not share memory with open/),
        bad('out wrong length', { out: new Float64Array(12) }, RangeError, /out must have length 13/),
      ];
    },
  },
};

export const SWEEP_OPS = [sweepSmaCrossOp] as const;
