/**
 * Parameter grids and the packing of bar series into the sweep op's [symbols x bars] inputs.
 */
import { describeValue } from '../../errors.js';
import type { Bars } from '../../data/bars.js';
import { TIMEFRAME_MS } from '../../data/bars.js';
import { inferTimeframe } from '../../data/timeframe.js';

/**
 * A range of integer periods: [from, to] inclusive, {from, to, step}, an explicit list of
 * three or more periods, or text: "2..200", "2..200:2" (step 2), "5,10" (a list).
 */
export type RangeSpec = readonly [number, number] | { from: number; to: number; step?: number } | readonly number[] | string;

export function expandRange(spec: RangeSpec, name: string): number[] {
  let from: number, to: number, step = 1;
  if (typeof spec === 'string') {
    const m = /^\s*(\d+)\s*\.\.\s*(\d+)\s*(?::\s*(\d+)\s*)?$/.exec(spec);
    if (m) {
      from = Number(m[1]); to = Number(m[2]); step = m[3] === undefined ? 1 : Number(m[3]);
    } else if (/^\s*\d+(\s*,\s*\d+)*\s*$/.test(spec)) {
      return checkList(spec.split(',').map((v) => Number(v.trim())), name);
    } else {
      throw new RangeError(`${name} must look like 2..200, 2..200:5 or 5,10,20; got ${JSON.stringify(spec)}`);
    }
  } else if (Array.isArray(spec)) {
    if (spec.length !== 2) return checkList(spec as number[], name);
    // Two numbers are an inclusive range [from, to] (a list of two periods: "5,10").
    from = spec[0] as number; to = spec[1] as number;
  } else if (typeof spec === 'object' && spec !== null) {
    const o = spec as { from: number; to: number; step?: number };
    from = o.from; to = o.to; step = o.step ?? 1;
  } else {
    throw new TypeError(`${name} must be a range like [2, 200], {from, to, step}, a list or "2..200"; got ${describeValue(spec)}`);
  }
  for (const [k, v] of [['from', from], ['to', to], ['step', step]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name}.${k} must be an integer >= 1, got ${describeValue(v)}`);
  }
  if (to < from) throw new RangeError(`${name} is empty: to (${to}) < from (${from})`);
  const out: number[] = [];
  for (let v = from; v <= to; v += step) out.push(v);
  return out;
}

function checkList(list: readonly number[], name: string): number[] {
  if (list.length === 0) throw new RangeError(`${name} must hold at least one period`);
  for (const v of list) if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name} periods must be integers >= 1, got ${describeValue(v)}`);
  return [...new Set(list)].sort((a, b) => a - b);
}

/** Every (fast, slow) with fast < slow from the two ranges, slow-major (pairs sharing a slow period are adjacent). */
export function smaCrossPairs(fastRange: RangeSpec, slowRange: RangeSpec): { fast: Uint32Array; slow: Uint32Array } {
  const fs = expandRange(fastRange, 'fastRange'), ss = expandRange(slowRange, 'slowRange');
  const fast: number[] = [], slow: number[] = [];
  for (const s of ss) for (const f of fs) if (f < s) { fast.push(f); slow.push(s); }
  if (fast.length === 0) throw new RangeError(`no (fast, slow) pair with fast < slow in fastRange ${fs[0]}..${fs.at(-1)} and slowRange ${ss[0]}..${ss.at(-1)}`);
  return { fast: Uint32Array.from(fast), slow: Uint32Array.from(slow) };
}

/** Close time of each bar, as runBacktest stamps fills (open time + timeframe; calendar months for 1mo). */
export function barCloseTimes(b: Bars): Float64Array {
  const tf = b.timeframe ?? inferTimeframe(b.time);
  if (tf === undefined) throw new RangeError(`${b.symbol}: cannot tell the timeframe of the series (set bars.timeframe)`);
  const out = new Float64Array(b.time.length);
  if (tf === '1mo') {
    for (let i = 0; i < out.length; i++) {
      const d = new Date(b.time[i]!);
      out[i] = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
    }
    return out;
  }
  const step = TIMEFRAME_MS[tf];
  for (let i = 0; i < out.length; i++) out[i] = b.time[i]! + step;
  return out;
}

/** Several series stacked into the op's row-major inputs (in shared memory), left-aligned. */
export interface PackedBars {
  symbols: string[];
  rows: number;
  /** Columns: the longest series; shorter rows are padded (never read: end = their length). */
  cols: number;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  /** Bar close times. */
  time: Float64Array;
  /** Bars per symbol. */
  length: Uint32Array;
}

function shared(n: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(n * 8));
}

export function packBars(series: readonly Bars[]): PackedBars {
  if (!Array.isArray(series) || series.length === 0) throw new RangeError('sweep needs at least one bar series');
  const rows = series.length;
  const cols = Math.max(...series.map((s) => s.close.length));
  if (cols < 2) throw new RangeError('sweep needs series of at least 2 bars');
  const p: PackedBars = { symbols: series.map((s) => s.symbol), rows, cols, open: shared(rows * cols), high: shared(rows * cols), low: shared(rows * cols), close: shared(rows * cols), time: shared(rows * cols), length: new Uint32Array(rows) };
  series.forEach((s, r) => {
    const n = s.close.length;
    p.open.set(s.open, r * cols);
    p.high.set(s.high, r * cols);
    p.low.set(s.low, r * cols);
    p.close.set(s.close, r * cols);
    p.time.set(barCloseTimes(s), r * cols);
    for (const k of ['open', 'high', 'low', 'close'] as const) p[k].fill(1, r * cols + n, (r + 1) * cols);
    p.length[r] = n;
  });
  return p;
}
