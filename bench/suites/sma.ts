/**
 * SMA over a [1,000 symbols x 10,000 bars] float64 random-walk price matrix (row-major), for
 * period 20 and period 200, into a caller-provided Float64Array.
 *
 * Cases per period (ratios are against the plain JS running-sum loop of the same period):
 *   - plain JS running sum (baseline): `sum += x[i] - x[i-p]`, written straight
 *   - TA-Lib through the `talib` npm binding, one execute() per row; the timing includes what
 *     a user holding a Float64Array must pay: Array.from(row) (the binding silently reads
 *     garbage from typed arrays), the call, and copying outReal (plus the NaN warm-up) back
 *     into the output matrix
 *   - Neurion cpu, threads=1 and threads=2
 *   - Neurion cuda (when the backend is available; includes host<->device transfers)
 *   - Neurion js reference, O(n*period): timed on a 100-symbol slice, reported per bar
 */
import { createRequire } from 'node:module';
import { availableBackends, backendStatus, compareArrays, sma } from '../../src/compute/index.js';
import { TestRng } from '../../src/util/rng.js';
import type { BenchCase, SkippedCase, SuiteModule, SuiteSpec } from '../harness.js';

const ROWS = 1_000;
const COLS = 10_000;
const JS_SLICE_ROWS = 100;
const PERIODS = [20, 200] as const;
const SEED = 20_240_601;
const TOL = { rel: 1e-9, abs: 1e-12 };
/** Written into outputs before each check so an element an implementation skips cannot pass. */
const POISON = -7.77e77;

interface TalibResult {
  begIndex: number;
  nbElement: number;
  result: { outReal: number[] };
}
interface Talib {
  version: string;
  execute(params: { name: string; startIdx: number; endIdx: number; inReal: number[]; optInTimePeriod: number }): TalibResult;
}

/** The `talib` package's main is a .node file, which ES modules cannot import: load it with require. */
const talib = createRequire(import.meta.url)('talib') as Talib;

/** The baseline: a running-sum SMA written the way anyone would write it. */
export function smaPlain(x: Float64Array, rows: number, cols: number, p: number, out: Float64Array): void {
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    const end = base + cols;
    let sum = 0;
    for (let i = base; i < base + p - 1; i++) {
      sum += x[i]!;
      out[i] = NaN;
    }
    sum += x[base + p - 1]!;
    out[base + p - 1] = sum / p;
    for (let i = base + p; i < end; i++) {
      sum += x[i]! - x[i - p]!;
      out[i] = sum / p;
    }
  }
}

/** TA-Lib SMA of every row, as a user holding a Float64Array matrix must call it. */
export function smaTalib(x: Float64Array, rows: number, cols: number, p: number, out: Float64Array): void {
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    const res = talib.execute({ name: 'SMA', startIdx: 0, endIdx: cols - 1, inReal: Array.from(x.subarray(base, base + cols)), optInTimePeriod: p });
    out.fill(NaN, base, base + res.begIndex);
    out.set(res.result.outReal, base + res.begIndex);
  }
}

function priceMatrix(rows: number, cols: number, seed: number): Float64Array {
  const rng = new TestRng(seed);
  const x = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) x.set(rng.priceSeries(cols), r * cols);
  return x;
}

function mustMatch(what: string, expected: Float64Array, actual: Float64Array): void {
  const c = compareArrays(expected, actual, TOL);
  if (!c.ok) throw new Error(`sma bench: ${what} disagrees with the plain running-sum loop: ${c.detail}`);
}

/**
 * TA-Lib's raw output must equal ours within 1e-9 relative over its whole output range, with
 * the lookback we expect; otherwise the comparison would be meaningless, so the suite aborts.
 */
function verifyTalib(x: Float64Array, ours: Float64Array, p: number): void {
  let worst = 0;
  for (let r = 0; r < ROWS; r++) {
    const base = r * COLS;
    const res = talib.execute({ name: 'SMA', startIdx: 0, endIdx: COLS - 1, inReal: Array.from(x.subarray(base, base + COLS)), optInTimePeriod: p });
    if (res.begIndex !== p - 1 || res.nbElement !== COLS - p + 1 || res.result.outReal.length !== res.nbElement) {
      throw new Error(
        `sma bench ABORTED: talib SMA(period ${p}) row ${r} returned begIndex ${res.begIndex}, nbElement ${res.nbElement}, ` +
          `outReal length ${res.result.outReal.length}; expected begIndex ${p - 1}, nbElement ${COLS - p + 1}`,
      );
    }
    const o = res.result.outReal;
    for (let k = 0; k < o.length; k++) {
      const e = ours[base + p - 1 + k]!;
      const a = o[k]!;
      const rel = Math.abs(a - e) / Math.abs(e);
      if (!(rel <= 1e-9)) {
        throw new Error(
          `sma bench ABORTED: talib SMA(period ${p}) differs from Neurion at row ${r}, bar ${p - 1 + k}: talib ${a}, neurion ${e} ` +
            `(rel ${rel.toExponential(3)} > 1e-9). Is a typed array reaching the binding?`,
        );
      }
      if (rel > worst) worst = rel;
    }
  }
  process.stdout.write(`(talib vs neurion max rel ${worst.toExponential(2)}) `);
}

export const smaSuite: SuiteModule = {
  name: 'sma',
  build(): SuiteSpec {
    const x = priceMatrix(ROWS, COLS, SEED);
    const out = new Float64Array(ROWS * COLS);
    const xSlice = x.subarray(0, JS_SLICE_ROWS * COLS);
    const outSlice = out.subarray(0, JS_SLICE_ROWS * COLS);
    const backends = availableBackends();
    const hasCpu = backends.includes('cpu');
    const hasCuda = backends.includes('cuda');
    const n = ROWS * COLS;

    const cases: BenchCase[] = [];
    const skipped: SkippedCase[] = [];
    for (const p of PERIODS) {
      const group = `period ${p}`;
      // Expected output, computed once by the baseline itself.
      const expected = new Float64Array(n);
      smaPlain(x, ROWS, COLS, p, expected);
      const check = (what: string, run: () => void, slice = false): void => {
        out.fill(POISON);
        run();
        if (slice) mustMatch(what, expected.subarray(0, JS_SLICE_ROWS * COLS), outSlice);
        else mustMatch(what, expected, out);
      };

      cases.push({
        name: 'plain JS running sum',
        group,
        tag: 'peer',
        baseline: true,
        items: n,
        notes: 'sum += x[i] - x[i-p] into a preallocated Float64Array, 1,000 x 10,000',
        verify: () => check('plain loop (self-check of poisoning)', () => smaPlain(x, ROWS, COLS, p, out)),
        fn: () => smaPlain(x, ROWS, COLS, p, out),
      });
      if (hasCpu) {
        for (const threads of [1, 2]) {
          cases.push({
            name: `neurion cpu threads=${threads}`,
            group,
            tag: 'ours',
            items: n,
            notes: `sma(x, {rows, cols, period, out}, {backend: 'cpu', threads: ${threads}})`,
            verify: () => check(`neurion cpu threads=${threads}`, () => sma(x, { rows: ROWS, cols: COLS, period: p, out }, { backend: 'cpu', threads })),
            fn: () => sma(x, { rows: ROWS, cols: COLS, period: p, out }, { backend: 'cpu', threads }),
          });
        }
      } else {
        skipped.push({ name: 'neurion cpu', group, reason: backendStatus().find((b) => b.name === 'cpu')!.detail });
      }
      if (hasCuda) {
        cases.push({
          name: 'neurion cuda',
          group,
          tag: 'ours',
          items: n,
          notes: "sma(..., {backend: 'cuda'}) from host Float64Arrays: includes host->device and device->host copies",
          verify: () => check('neurion cuda', () => sma(x, { rows: ROWS, cols: COLS, period: p, out }, { backend: 'cuda' })),
          fn: () => sma(x, { rows: ROWS, cols: COLS, period: p, out }, { backend: 'cuda' }),
        });
      } else {
        skipped.push({ name: 'neurion cuda', group, reason: backendStatus().find((b) => b.name === 'cuda')!.detail });
      }
      cases.push({
        name: `neurion js reference (${JS_SLICE_ROWS}-symbol slice)`,
        group,
        tag: 'ours',
        items: JS_SLICE_ROWS * COLS,
        notes: `O(n*period) TypeScript reference; timed on the first ${JS_SLICE_ROWS} symbols to stay affordable, reported per bar`,
        verify: () => check('neurion js reference', () => sma(xSlice, { rows: JS_SLICE_ROWS, cols: COLS, period: p, out: outSlice }, { backend: 'js' }), true),
        fn: () => sma(xSlice, { rows: JS_SLICE_ROWS, cols: COLS, period: p, out: outSlice }, { backend: 'js' }),
      });
      // Last in its group: it leaves the most garbage behind.
      cases.push({
        name: 'talib npm (Array.from + execute + copy back)',
        group,
        tag: 'peer',
        items: n,
        minSamples: 5, // ~2 s per call
        notes: `talib ${talib.version} binding, one execute per row; timing includes Array.from(row), the call and copying outReal into the Float64Array`,
        verify: () => {
          // TA-Lib's raw outReal against Neurion's own output (cpu when built, else the reference)...
          const ours = sma(x, { rows: ROWS, cols: COLS, period: p }, { backend: hasCpu ? 'cpu' : 'js' });
          verifyTalib(x, ours, p);
          // ...and the timed function's matrix against the plain loop, like every case.
          check('talib', () => smaTalib(x, ROWS, COLS, p, out));
        },
        fn: () => smaTalib(x, ROWS, COLS, p, out),
      });
    }

    return {
      name: 'sma',
      description: `simple moving average, ${ROWS.toLocaleString('en-US')} symbols x ${COLS.toLocaleString('en-US')} bars float64, periods ${PERIODS.join(' and ')}`,
      unit: 'bar',
      params: {
        rows: ROWS,
        cols: COLS,
        periods: [...PERIODS],
        dtype: 'float64',
        layout: 'row-major [symbols x bars]',
        input: `TestRng(${SEED}).priceSeries(${COLS}) per row (log-normal random walk from 100, vol 0.02)`,
        output: 'caller-provided Float64Array, reused across calls',
        jsReferenceSliceRows: JS_SLICE_ROWS,
        tolerance: 'every case checked once against the plain loop: rel 1e-9 + abs 1e-12, NaN warm-up at the same positions',
        talibVersion: talib.version,
      },
      cases,
      skipped,
    };
  },
};
