/**
 * Suite `ta-threads`: 2,000 symbols x 5,000 bars (row-major float64 matrices), through
 * computeIndicator(..., {rows, cols, out}, {backend: 'cpu', threads}) with threads=1 (baseline)
 * and threads=2, for sma, ema, rsi, atr, bbands and macd (default parameters). Outputs are
 * caller-provided and reused. Before timing, threads=2's output must equal threads=1's bit for
 * bit (rows are independent; the split must not change any value).
 *
 *   node dist/bench/suites/ta-threads.js [--quick] [--filter rsi]
 */
import { pathToFileURL } from 'node:url';
import { availableBackends, backendStatus } from '../../src/compute/index.js';
import { computeIndicator, getIndicator } from '../../src/ta/index.js';
import { parseOptions, runSuite, type BenchCase, type SuiteModule, type SuiteSpec } from '../harness.js';
import { ohlcv, type Ohlcv } from './ta-peers.js';

const ROWS = 2_000;
const COLS = 5_000;
const SEED = 20_240_603;
const INDICATORS = ['sma', 'ema', 'rsi', 'atr', 'bbands', 'macd'] as const;

/** Row r of each series is an independent ohlcv(COLS, SEED + r) draw. */
function matrices(rows: number, cols: number): Ohlcv {
  const m: Ohlcv = {
    open: new Float64Array(rows * cols),
    high: new Float64Array(rows * cols),
    low: new Float64Array(rows * cols),
    close: new Float64Array(rows * cols),
    volume: new Float64Array(rows * cols),
    time: new Float64Array(rows * cols),
    y: new Float64Array(rows * cols),
  };
  for (let r = 0; r < rows; r++) {
    const d = ohlcv(cols, SEED + r);
    for (const k of Object.keys(m) as (keyof Ohlcv)[]) m[k].set(d[k], r * cols);
  }
  return m;
}

export const taThreadsSuite: SuiteModule = {
  name: 'ta-threads',
  build(): SuiteSpec {
    const cases: BenchCase[] = [];
    const skipped: SpecSkip[] = [];
    type SpecSkip = { name: string; group: string; reason: string };
    if (!availableBackends().includes('cpu')) {
      for (const name of INDICATORS) skipped.push({ name: 'cpu threads=1/2', group: name, reason: backendStatus().find((b) => b.name === 'cpu')!.detail });
    } else {
      const m = matrices(ROWS, COLS);
      const data = { open: m.open, high: m.high, low: m.low, close: m.close, volume: m.volume };
      const n = ROWS * COLS;
      for (const name of INDICATORS) {
        const spec = getIndicator(name);
        const out = Object.fromEntries(spec.outputs.map((o) => [o, new Float64Array(n)]));
        const run = (threads: number): void => {
          computeIndicator(name, data, {}, { rows: ROWS, cols: COLS, out, backend: 'cpu', threads });
        };
        for (const threads of [1, 2]) {
          cases.push({
            name: `neurion cpu threads=${threads}`,
            group: name,
            tag: 'ours',
            baseline: threads === 1,
            items: n,
            notes: `computeIndicator('${name}', {${spec.inputs.join(', ')}}, defaults, {rows: ${ROWS}, cols: ${COLS}, out}, {backend: 'cpu', threads: ${threads}}); ${spec.outputs.length} output(s)`,
            verify:
              threads === 2
                ? () => {
                    run(1);
                    const ref = spec.outputs.map((o) => out[o]!.slice());
                    for (const o of spec.outputs) out[o]!.fill(-7.77e77);
                    run(2);
                    spec.outputs.forEach((o, k) => {
                      const a = ref[k]!, b = out[o]!;
                      for (let i = 0; i < n; i++) {
                        if (!Object.is(a[i], b[i])) throw new Error(`ta-threads ${name}.${o}: threads=2 differs from threads=1 at ${i}: ${b[i]} vs ${a[i]}`);
                      }
                    });
                  }
                : undefined,
            fn: () => run(threads),
          });
        }
      }
    }
    return {
      name: 'ta-threads',
      description: `indicators over ${ROWS.toLocaleString('en-US')} symbols x ${COLS.toLocaleString('en-US')} bars, cpu threads=1 vs threads=2`,
      unit: 'bar',
      params: {
        rows: ROWS,
        cols: COLS,
        indicators: [...INDICATORS],
        params: 'registry defaults',
        input: `row r = bench/suites/ta-peers.ts ohlcv(${COLS}, ${SEED} + r)`,
        output: 'caller-provided Float64Arrays, reused across calls',
        check: 'threads=2 output bit-identical to threads=1 (checked before timing)',
      },
      cases,
      skipped,
    };
  },
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await runSuite(taThreadsSuite, parseOptions(process.argv.slice(2)));
}
