/**
 * Recurrent-network inference: LSTM(128) -> LSTM(128) -> Dense(3) on 60 steps x 16 features,
 * and its GRU twin (GRU(128) -> GRU(128) -> Dense(3), reset_after false so TF.js can run it).
 * Weights N(0, 0.1^2), inputs N(0, 1); the same model file is loaded into TF.js.
 *
 * Groups per model (ratios against the group's baseline, timed in the same run):
 *   streaming step        one bar of one symbol: Neurion cpu session (native state handle,
 *                         1 thread) and js session (tight float64 TS) against the TF.js-wasm
 *                         way without a stateful session: re-running the 60-bar window per bar
 *   window batch 1        one 60-step window: Neurion cpu compiled threads=2 (batch 1 runs as a
 *                         two-stage layer pipeline: a helper thread runs layer 1, the caller layer
 *                         2 + head one step behind) and threads=1, Neurion op call (packs the
 *                         weights each call), TF.js wasm (SIMD) baseline
 *   batch 256             256 windows: Neurion cpu compiled threads=2 and 1 against TF.js wasm
 *                         (SIMD, single-threaded in Node) and TF.js cpu (pure JS, timed on a
 *                         16-window slice, reported per sequence)
 * Units: one item = one sequence (window) or one step (streaming).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as tfwasm from '@tensorflow/tfjs-backend-wasm';
import { availableBackends, backendStatus } from '../../src/compute/index.js';
import {
  buildModel, compileModel, createSession, fileIOHandler, predict, randomizeWeights, saveModel, type LayerConfig, type Model,
} from '../../src/models/index.js';
import { TestRng } from '../../src/util/rng.js';
import type { BenchCase, SkippedCase, SuiteModule, SuiteSpec } from '../harness.js';

const T = 60;
const F = 16;
const UNITS = 128;
const BATCH = 256;
const TFJS_CPU_SLICE = 16;
const SEED = 20_250_101;
/** TF.js (float32, its own op order and activations) against Neurion's float64 reference. */
const TOL_TFJS = 2e-5;
const TOL_OURS = 2e-5;

function layersOf(kind: 'lstm' | 'gru'): LayerConfig[] {
  return [
    { kind, units: UNITS, returnSequences: true },
    { kind, units: UNITS },
    { kind: 'dense', units: 3 },
  ];
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (!(d <= m)) m = Number.isNaN(d) ? Infinity : d;
  }
  return m;
}

function mustMatch(what: string, expected: ArrayLike<number>, actual: ArrayLike<number>, tol: number): void {
  const d = maxDiff(expected, actual);
  if (!(d <= tol)) throw new Error(`lstm bench: ${what} differs from the Neurion float64 reference by ${d} (> ${tol})`);
  process.stdout.write(`(max |diff| ${d.toExponential(2)}) `);
}

async function initWasm(): Promise<boolean> {
  const dir = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm'));
  tfwasm.setWasmPaths(`${dir}/`);
  return tf.setBackend('wasm');
}

/** Switches TF.js' backend (synchronous once the backend is initialised). */
function useBackend(name: 'wasm' | 'cpu'): void {
  if (tf.getBackend() !== name) void tf.setBackend(name);
  if (tf.getBackend() !== name) throw new Error(`lstm bench: TF.js backend ${name} did not become active`);
}

function tfPredict(m: tf.LayersModel, x: tf.Tensor3D): Float32Array {
  const y = m.predict(x) as tf.Tensor;
  const d = y.dataSync() as Float32Array;
  y.dispose();
  return d;
}

export const lstmSuite: SuiteModule = {
  name: 'lstm',
  async build(): Promise<SuiteSpec> {
    const cases: BenchCase[] = [];
    const skipped: SkippedCase[] = [];
    const hasCpu = availableBackends().includes('cpu');
    const cpuDetail = backendStatus().find((b) => b.name === 'cpu')!.detail;
    const rng = new TestRng(SEED);
    const xs = Float64Array.from({ length: BATCH * T * F }, () => rng.normal());
    const xs32 = Float32Array.from(xs);
    const x1 = xs.subarray(0, T * F);
    const tmp = mkdtempSync(join(tmpdir(), 'neurion-bench-lstm-'));

    const wasmOk = await initWasm();
    const wasmSimd = wasmOk ? await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT') : false;
    const wasmThreads = wasmOk ? await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT') : false;
    if (!wasmOk) skipped.push({ name: 'tfjs wasm', group: '*', reason: 'tf.setBackend("wasm") failed' });
    await tf.setBackend('cpu');

    for (const kind of ['lstm', 'gru'] as const) {
      const K = kind.toUpperCase();
      const model: Model = randomizeWeights(buildModel({ timesteps: T, features: F, layers: layersOf(kind), name: `bench_${kind}` }), SEED + 1, 0.1);
      saveModel(model, join(tmp, kind));
      // The reference outputs (float64) the fast paths are checked against.
      const ref256 = predict(model, xs, { batch: BATCH, timesteps: T }, { backend: 'js' });
      const ref1 = ref256.subarray(0, 3);

      // TF.js models, one per backend (weights live on the backend that loaded them).
      let tfWasm: tf.LayersModel | undefined, tfCpu: tf.LayersModel | undefined;
      let tx256: tf.Tensor3D | undefined, tx1: tf.Tensor3D | undefined, txSlice: tf.Tensor3D | undefined, tx1cpu: tf.Tensor3D | undefined;
      if (wasmOk) {
        useBackend('wasm');
        tfWasm = await tf.loadLayersModel(fileIOHandler(join(tmp, kind)) as unknown as tf.io.IOHandler);
        tx256 = tf.tensor3d(xs32, [BATCH, T, F]);
        tx1 = tf.tensor3d(xs32.subarray(0, T * F), [1, T, F]);
      }
      useBackend('cpu');
      tfCpu = await tf.loadLayersModel(fileIOHandler(join(tmp, kind)) as unknown as tf.io.IOHandler);
      txSlice = tf.tensor3d(xs32.subarray(0, TFJS_CPU_SLICE * T * F), [TFJS_CPU_SLICE, T, F]);
      tx1cpu = tf.tensor3d(xs32.subarray(0, T * F), [1, T, F]);
      void tx1cpu;

      // ---- streaming step -------------------------------------------------------------------
      {
        const group = `${K} streaming step`;
        const out = new Float64Array(3);
        const bar = new Float64Array(F);
        const jsSession = createSession(model, { backend: 'js' });
        let jsT = 0;
        const feed = (s: ReturnType<typeof createSession>, t: number): void => {
          bar.set(xs.subarray((t % T) * F, (t % T + 1) * F));
          s.step(bar, out);
        };
        const checkSession = (s: ReturnType<typeof createSession>): void => {
          s.reset();
          for (let t = 0; t < T; t++) feed(s, t);
          mustMatch(`${s.backend} session after ${T} steps`, ref1, out, TOL_OURS);
          s.reset();
        };
        cases.push({
          name: 'neurion js session (TS float64, 1 thread)', group, tag: 'ours', items: 1, baseline: !wasmOk,
          notes: 'createSession(model, {backend: "js"}).step(bar, out): preallocated float64 TS loops',
          verify: () => checkSession(jsSession),
          fn: () => feed(jsSession, jsT++),
        });
        if (hasCpu) {
          const s = createSession(model, { backend: 'cpu' });
          let t = 0;
          cases.push({
            name: 'neurion cpu session (native, 1 thread)', group, tag: 'ours', items: 1,
            notes: 'createSession(model, {backend: "cpu"}).step(bar, out): persistent native state handle, float32 AVX-512 GEMV (AVX2 where absent)',
            verify: () => checkSession(s),
            fn: () => feed(s, t++),
          });
        } else skipped.push({ name: 'neurion cpu session', group, reason: cpuDetail });
        if (wasmOk) {
          cases.push({
            name: 'tfjs wasm: re-run the 60-bar window per bar', group, tag: 'peer', items: 1, baseline: true,
            notes: 'what a TF.js user does without a stateful session: model.predict([1, 60, 16]) per new bar',
            verify: () => { useBackend('wasm'); mustMatch('tfjs wasm window', ref1, tfPredict(tfWasm!, tx1!), TOL_TFJS); },
            fn: () => { useBackend('wasm'); tfPredict(tfWasm!, tx1!); },
          });
        }
      }

      // ---- full window, batch 1 -------------------------------------------------------------
      {
        const group = `${K} window batch 1`;
        const out = new Float64Array(3);
        if (hasCpu) {
          const net = compileModel(model, { backend: 'cpu' });
          cases.push({
            name: 'neurion cpu compiled, threads=2', group, tag: 'ours', items: 1,
            notes: 'compileModel(model).predict(x, 1, 60, {threads: 2, out}); batch 1: two-stage layer pipeline (helper thread: layer 1; caller: layer 2 + head, one step behind)',
            verify: () => mustMatch('cpu compiled batch 1', ref1, net.predict(x1, 1, T, { threads: 2, out }), TOL_OURS),
            fn: () => net.predict(x1, 1, T, { threads: 2, out }),
          });
          cases.push({
            name: 'neurion cpu compiled, threads=1', group, tag: 'ours', items: 1,
            notes: 'compileModel(model).predict(x, 1, 60, {threads: 1, out}); one thread, step by step',
            verify: () => mustMatch('cpu compiled batch 1 threads=1', ref1, net.predict(x1, 1, T, { threads: 1, out }), TOL_OURS),
            fn: () => net.predict(x1, 1, T, { threads: 1, out }),
          });
          cases.push({
            name: 'neurion cpu op (packs weights per call)', group, tag: 'ours', items: 1,
            notes: 'predict(model, x, {batch: 1, timesteps: 60}, {backend: "cpu"}): validation + weight packing + forward',
            verify: () => mustMatch('cpu op batch 1', ref1, predict(model, x1, { batch: 1, timesteps: T, out }, { backend: 'cpu', threads: 1 }), TOL_OURS),
            fn: () => predict(model, x1, { batch: 1, timesteps: T, out }, { backend: 'cpu', threads: 1 }),
          });
        } else skipped.push({ name: 'neurion cpu', group, reason: cpuDetail });
        cases.push({
          name: 'neurion js reference (float64)', group, tag: 'ours', items: 1, baseline: !wasmOk, minSamples: 3,
          notes: 'the obvious float64 TypeScript reference (allocates per step)',
          verify: () => mustMatch('js reference', ref1, predict(model, x1, { batch: 1, timesteps: T }, { backend: 'js' }), 0),
          fn: () => predict(model, x1, { batch: 1, timesteps: T, out }, { backend: 'js' }),
        });
        if (wasmOk) {
          cases.push({
            name: 'tfjs wasm (SIMD)', group, tag: 'peer', items: 1, baseline: true,
            notes: 'model.predict([1, 60, 16]).dataSync()',
            verify: () => { useBackend('wasm'); mustMatch('tfjs wasm batch 1', ref1, tfPredict(tfWasm!, tx1!), TOL_TFJS); },
            fn: () => { useBackend('wasm'); tfPredict(tfWasm!, tx1!); },
          });
        }
      }

      // ---- batch 256 --------------------------------------------------------------------------
      {
        const group = `${K} batch ${BATCH}`;
        const out = new Float32Array(BATCH * 3);
        if (hasCpu) {
          const net = compileModel(model, { backend: 'cpu' });
          for (const threads of [2, 1]) {
            cases.push({
              name: `neurion cpu compiled, threads=${threads}`, group, tag: 'ours', items: BATCH,
              notes: `compileModel(model).predict(x: Float32Array, 256, 60, {threads: ${threads}, out: Float32Array})`,
              verify: () => { out.fill(NaN); mustMatch(`cpu threads=${threads}`, ref256, net.predict(xs32, BATCH, T, { threads, out }), TOL_OURS); },
              fn: () => net.predict(xs32, BATCH, T, { threads, out }),
            });
          }
        } else skipped.push({ name: 'neurion cpu', group, reason: cpuDetail });
        if (wasmOk) {
          cases.push({
            name: `tfjs wasm (SIMD${wasmThreads ? ', threads' : ', 1 thread'})`, group, tag: 'peer', items: BATCH, baseline: true, minSamples: 3,
            notes: 'model.predict([256, 60, 16]).dataSync()',
            verify: () => { useBackend('wasm'); mustMatch('tfjs wasm batch 256', ref256, tfPredict(tfWasm!, tx256!), TOL_TFJS); },
            fn: () => { useBackend('wasm'); tfPredict(tfWasm!, tx256!); },
          });
        }
        cases.push({
          name: `tfjs cpu (pure JS; ${TFJS_CPU_SLICE}-window slice)`, group, tag: 'peer', items: TFJS_CPU_SLICE, baseline: !wasmOk, minSamples: 3,
          notes: `model.predict([${TFJS_CPU_SLICE}, 60, 16]).dataSync() on the cpu backend; per sequence`,
          verify: () => { useBackend('cpu'); mustMatch('tfjs cpu slice', ref256.subarray(0, TFJS_CPU_SLICE * 3), tfPredict(tfCpu, txSlice), TOL_TFJS); },
          fn: () => { useBackend('cpu'); tfPredict(tfCpu, txSlice); },
        });
      }
    }
    rmSync(tmp, { recursive: true, force: true });

    return {
      name: 'lstm',
      description: `recurrent inference, ${K_DESC}: streaming step, one ${T}-step window, and ${BATCH} windows, against TF.js wasm and cpu`,
      unit: 'sequence',
      params: {
        models: ['LSTM(128, seq) > LSTM(128) > Dense(3)', 'GRU(128, seq, reset_after false) > GRU(128) > Dense(3)'],
        timesteps: T, features: F, batch: BATCH, tfjsCpuSlice: TFJS_CPU_SLICE,
        weights: `buildModel + randomizeWeights(seed ${SEED + 1}, N(0, 0.1^2))`, inputs: `TestRng(${SEED}) N(0, 1)`,
        tfjs: tf.version.tfjs, tfjsWasmSimd: wasmSimd, tfjsWasmThreads: wasmThreads,
        tolerance: `every case checked once against the Neurion float64 reference: max abs diff <= ${TOL_OURS} (neurion float32), <= ${TOL_TFJS} (tfjs)`,
        itemNote: 'streaming-step groups: one item = one step; other groups: one item = one sequence',
      },
      cases,
      skipped,
    };
  },
};

const K_DESC = 'LSTM(128)>LSTM(128)>Dense(3) and GRU twin, 60 x 16';
