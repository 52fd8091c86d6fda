/**
 * Simple moving average over a [rows x cols] row-major float64 matrix (one series per row).
 *
 * out[r, i] = mean(x[r, i-period+1 .. i]) for i >= period-1; NaN in the warm-up
 * (lookback = period - 1). Matches TA-Lib's SMA on finite input. Non-finite input affects
 * only the windows containing it, as a fresh sum over the window would under IEEE rules
 * (TA-Lib's running sum instead lets one NaN poison every later value).
 */
import type { OpDef } from '../registry.js';
import { compareArrays } from '../compare.js';
import { checkOutput, expectInteger, expectLength, expectTyped } from '../validate.js';

export interface SmaArgs {
  x: Float64Array;
  rows: number;
  cols: number;
  period: number;
  out?: Float64Array;
}

const MAX_DIM = 2 ** 40;

export function smaLookback(period: number): number {
  return period - 1;
}

function validate(a: SmaArgs): void {
  if (typeof a !== 'object' || a === null) throw new TypeError(`sma: arguments must be an object {x, rows, cols, period}, got ${String(a)}`);
  expectTyped('sma', 'x', a.x, 'Float64Array');
  expectInteger('sma', 'rows', a.rows, 1, MAX_DIM);
  expectInteger('sma', 'cols', a.cols, 1, MAX_DIM);
  expectLength('sma', 'x', a.x, a.rows * a.cols, 'rows * cols');
  expectInteger('sma', 'period', a.period, 1, a.cols);
  checkOutput('sma', a.out, a.rows * a.cols, { x: a.x });
}

/** Reference: a fresh sum over every window. O(rows * cols * period), obviously right. */
function reference(a: SmaArgs): Float64Array {
  const { x, rows, cols, period } = a;
  const out = a.out ?? new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let i = 0; i < cols; i++) {
      if (i < period - 1) { out[base + i] = NaN; continue; }
      let sum = 0;
      for (let j = i - period + 1; j <= i; j++) sum += x[base + j]!;
      out[base + i] = sum / period;
    }
  }
  return out;
}

export const smaOp: OpDef<SmaArgs, Float64Array> = {
  name: 'sma',
  summary: 'simple moving average over [rows x cols] float64 (TA-Lib SMA)',
  validate,
  reference,
  native: (addon, a, threads) => addon.sma(a.x, a.rows, a.cols, a.period, a.out, threads),
  rows: {
    count: (a) => a.rows,
    slice: (a, from, to) => ({
      x: a.x.subarray(from * a.cols, to * a.cols),
      rows: to - from,
      cols: a.cols,
      period: a.period,
      out: a.out.subarray(from * a.cols, to * a.cols),
    }),
    allocate: (a, shared) =>
      shared ? new Float64Array(new SharedArrayBuffer(a.rows * a.cols * 8)) : new Float64Array(a.rows * a.cols),
  },
  conformance: {
    // The running sum and the per-window sum round differently; the error grows with the
    // ratio of the series' magnitude to the window mean, ~1e-13 on price-like data.
    tolerance: 'rel 1e-9 + abs 1e-12 (running sum vs fresh per-window sums)',
    randomCases(rng) {
      const cases = [];
      for (const [rows, cols] of [[1, 1], [1, 7], [3, 50], [17, 300], [64, 1000]] as const) {
        const period = rng.int(1, cols);
        const x = new Float64Array(rows * cols);
        for (let i = 0; i < x.length; i++) x[i] = 100 * Math.exp(0.3 * rng.normal());
        cases.push({ label: `random ${rows}x${cols} period ${period}`, args: { x, rows, cols, period } });
      }
      // Non-finite values: NaN and both infinities scattered in.
      const cols = 200;
      const x = new Float64Array(2 * cols);
      for (let i = 0; i < x.length; i++) {
        const u = rng.next();
        x[i] = u < 0.03 ? NaN : u < 0.05 ? Infinity : u < 0.07 ? -Infinity : rng.normal() * 1e3;
      }
      cases.push({ label: 'non-finite values', args: { x, rows: 2, cols, period: rng.int(2, 12) } });
      return cases;
    },
    realCases(series) {
      return series.flatMap((s) =>
        [2, 14, 50, 200].filter((p) => p <= s.close.length).map((period) => ({
          label: `${s.label} close period ${period}`,
          args: { x: s.close, rows: 1, cols: s.close.length, period },
        })),
      );
    },
    compare: (e, a) => compareArrays(e, a, { rel: 1e-9, abs: 1e-12 }),
    badCases: () => {
      const x = new Float64Array(10);
      return [
        { label: 'x is a plain array', args: { x: [1, 2, 3], rows: 1, cols: 3, period: 2 }, error: TypeError, match: /sma: x must be a Float64Array/ },
        { label: 'x is Float32Array', args: { x: new Float32Array(10), rows: 1, cols: 10, period: 2 }, error: TypeError, match: /x must be a Float64Array, got Float32Array/ },
        { label: 'period 0', args: { x, rows: 1, cols: 10, period: 0 }, error: RangeError, match: /period must be an integer in \[1, 10\], got 0/ },
        { label: 'period > cols', args: { x, rows: 1, cols: 10, period: 11 }, error: RangeError, match: /period .* got 11/ },
        { label: 'period not an integer', args: { x, rows: 1, cols: 10, period: 2.5 }, error: RangeError, match: /period .* got 2.5/ },
        { label: 'period NaN', args: { x, rows: 1, cols: 10, period: NaN }, error: RangeError, match: /period .* got NaN/ },
        { label: 'period a string', args: { x, rows: 1, cols: 10, period: '5' }, error: TypeError, match: /period must be a number/ },
        { label: 'shape mismatch', args: { x, rows: 2, cols: 10, period: 3 }, error: RangeError, match: /x must have length 20/ },
        { label: 'negative rows', args: { x, rows: -1, cols: 10, period: 3 }, error: RangeError, match: /rows must be an integer/ },
        { label: 'out aliases x', args: { x, rows: 1, cols: 10, period: 3, out: x }, error: RangeError, match: /out must not share memory with x/ },
        { label: 'out wrong length', args: { x, rows: 1, cols: 10, period: 3, out: new Float64Array(9) }, error: RangeError, match: /out must have length 10/ },
      ];
    },
  },
};
