/**
 * The fused feature kernel (ta.features) on a [2,000 symbols x 5,000 bars] random OHLCV
 * matrix, the default 20-feature set (DEFAULT_FEATURE_SET), into a caller-provided
 * [2,000 x 5,000 x 20] tensor. One item = one bar of one symbol (all 20 features of it).
 *
 * Cases (ratios against computing the same features one computeIndicator call at a time):
 *   - separate (baseline): for each feature, its indicator(s) through computeIndicator on
 *     the cpu backend over the whole matrix (threads=1), then the transform in JS into the
 *     tensor -- what a user composing the public API would do (src/ta/features.ts
 *     composeFeatures with a computeIndicator runner)
 *   - separate, threads=2
 *   - fused cpu threads=1 / threads=2 (float64), fused cpu threads=2 float32 (model path):
 *     ta.features, one pass per row (native/ta/features.h: each bar's OHLCV read once, every
 *     feature's streaming state stepped with it, in tiles of 64 bars on the CPU; per-row
 *     scratch is only the features' ring buffers)
 *   - fused cuda (when available; end to end, including host<->device copies)
 *
 * Standalone (bench/run.ts's list is not this suite's file):
 *   npx tsc -p tsconfig.json && node dist/bench/suites/ta-features.js [--quick] [--filter text]
 */
import { pathToFileURL } from 'node:url';
import { availableBackends, backendStatus, compareArrays } from '../../src/compute/index.js';
import { computeIndicator } from '../../src/ta/index.js';
import { getIndicator } from '../../src/ta/registry.js';
import {
  composeFeatures, computeFeatures, DEFAULT_FEATURE_SET, encodeFeatureSet, featureLabels, type IndicatorRunner, type Ohlcv,
} from '../../src/ta/features.js';
import { randomOhlcv } from '../../src/ta/ops.js';
import { TestRng } from '../../src/util/rng.js';
import { parseOptions, runSuite, type BenchCase, type SkippedCase, type SuiteModule, type SuiteSpec } from '../harness.js';

const ROWS = 2_000;
const COLS = 5_000;
const SEED = 20_250_301;
const POISON = -7.77e77;

function ohlcv(rows: number, cols: number, seed: number): Ohlcv {
  const rng = new TestRng(seed);
  const m = { open: new Float64Array(rows * cols), high: new Float64Array(rows * cols), low: new Float64Array(rows * cols), close: new Float64Array(rows * cols), volume: new Float64Array(rows * cols) };
  for (let r = 0; r < rows; r++) {
    const s = randomOhlcv(rng, cols);
    for (const k of ['open', 'high', 'low', 'close', 'volume'] as const) m[k].set(s[k], r * cols);
  }
  return m;
}

function separateRunner(threads: number): IndicatorRunner {
  return (name, inputs, params, rows, cols) => {
    const spec = getIndicator(name);
    const data = Object.fromEntries(spec.inputs.map((nm, k) => [nm, inputs[k]!]));
    const p = Object.fromEntries(spec.params.map((q, k) => [q.name, params[k]!]));
    const r = computeIndicator(name, data, p, { rows, cols, backend: 'cpu', threads });
    return spec.outputs.map((o) => r[o]!);
  };
}

export const featuresSuite: SuiteModule = {
  name: 'ta-features',
  build(): SuiteSpec {
    const m = ohlcv(ROWS, COLS, SEED);
    const set = DEFAULT_FEATURE_SET;
    const F = set.length;
    const spec = encodeFeatureSet(set, COLS);
    const n = ROWS * COLS;
    const out = new Float64Array(n * F);
    const out32 = new Float32Array(n * F);
    const backends = availableBackends();
    const hasCpu = backends.includes('cpu');
    const hasCuda = backends.includes('cuda');
    const group = `${F} features, ${ROWS} x ${COLS}`;
    const cases: BenchCase[] = [];
    const skipped: SkippedCase[] = [];

    let expected: Float64Array | undefined;
    const check = (what: string, run: () => void, f32 = false): void => {
      if (!expected) {
        expected = new Float64Array(n * F);
        composeFeatures(m, ROWS, COLS, spec, expected, separateRunner(2));
      }
      (f32 ? out32 : out).fill(POISON);
      run();
      const got = f32 ? out32 : out;
      // Same kernels and transforms: equal to the last bits except ln (glibc vs V8); float32 within rounding.
      const c = compareArrays(expected, got, f32 ? { rel: 6e-8, abs: 1e-30 } : { rel: 1e-14, abs: 1e-300 });
      if (!c.ok) throw new Error(`ta-features bench: ${what} disagrees with the separate computeIndicator path: ${c.detail}`);
    };

    if (!hasCpu) {
      skipped.push({ name: 'all cpu cases', group, reason: backendStatus().find((b) => b.name === 'cpu')!.detail });
    } else {
      for (const threads of [1, 2]) {
        cases.push({
          name: `separate computeIndicator calls + JS transforms, cpu threads=${threads}`,
          group,
          tag: 'ours',
          baseline: threads === 1,
          items: n,
          minSamples: 3,
          notes: `one computeIndicator(name, data, params, {rows, cols, backend: 'cpu', threads: ${threads}}) per indicator call (24 calls for the 20 features), then the transform into the [rows x cols x F] tensor in JS`,
          verify: () => check(`separate threads=${threads}`, () => composeFeatures(m, ROWS, COLS, spec, out, separateRunner(threads))),
          fn: () => composeFeatures(m, ROWS, COLS, spec, out, separateRunner(threads)),
        });
      }
      for (const threads of [1, 2]) {
        cases.push({
          name: `fused ta.features cpu threads=${threads} (float64)`,
          group,
          tag: 'ours',
          items: n,
          minSamples: 5,
          notes: `computeFeatures(data, DEFAULT_FEATURE_SET, {rows, cols, backend: 'cpu', threads: ${threads}, out})`,
          verify: () => check(`fused cpu threads=${threads}`, () => computeFeatures(m, set, { rows: ROWS, cols: COLS, backend: 'cpu', threads, out })),
          fn: () => computeFeatures(m, set, { rows: ROWS, cols: COLS, backend: 'cpu', threads, out }),
        });
      }
      cases.push({
        name: 'fused ta.features cpu threads=2 (float32 out)',
        group,
        tag: 'ours',
        items: n,
        minSamples: 5,
        notes: 'float32 output (the model path): computed in float64, rounded once at the store',
        verify: () => check('fused cpu float32', () => computeFeatures(m, set, { rows: ROWS, cols: COLS, backend: 'cpu', threads: 2, out: out32 }), true),
        fn: () => computeFeatures(m, set, { rows: ROWS, cols: COLS, backend: 'cpu', threads: 2, out: out32 }),
      });
    }
    if (hasCuda) {
      cases.push({
        name: 'fused ta.features cuda (float32 out, end to end)',
        group,
        tag: 'ours',
        items: n,
        minSamples: 5,
        notes: 'includes host->device (5 x 80 MB) and device->host (800 MB float32) pageable copies; kernel-only time: lastTimings()',
        verify: () => check('fused cuda float32', () => computeFeatures(m, set, { rows: ROWS, cols: COLS, backend: 'cuda', out: out32 }), true),
        fn: () => computeFeatures(m, set, { rows: ROWS, cols: COLS, backend: 'cuda', out: out32 }),
      });
    } else {
      skipped.push({ name: 'fused cuda', group, reason: backendStatus().find((b) => b.name === 'cuda')!.detail });
    }
    return {
      name: 'ta-features',
      description: `Fused feature tensor (${F} model features per bar; one pass per row, each bar's OHLCV read once) over ${ROWS} x ${COLS} OHLCV vs the same features one computeIndicator call at a time.`,
      unit: 'bar',
      params: { rows: ROWS, cols: COLS, seed: SEED, features: featureLabels(set), layout: '[rows x cols x F] row-major', data: 'randomOhlcv (src/ta/ops.ts), hourly bars' },
      cases,
      skipped,
    };
  },
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await runSuite(featuresSuite, parseOptions(process.argv.slice(2)));
}
