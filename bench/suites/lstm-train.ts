/**
 * LSTM training throughput: one optimizer step (forward, BPTT, clip by global norm, Adam) of
 * LSTM(128, return sequences) -> LSTM(128) -> Dense(3, softmax) on windows of 60 steps x 16
 * features with softmax cross-entropy. Unit: one sequence (window) trained.
 *
 * Cases (ratios against TF.js with the WASM backend, same run):
 *   - tfjs-wasm (baseline): tf.layers model, optimizer.minimize on a batch of 32 (a batch of 256
 *     takes ~6 s per step there), Adam lr 1e-3, same layer sizes
 *   - Neurion cpu threads=1 / threads=2: nn.trainGrad (native/nn/train_cpu.cpp) on a batch of
 *     256 + clipByGlobalNorm(1) + Adam in TypeScript, i.e. everything `fit` does per step
 *   - Neurion cuda (batch 256): the same step with nn.trainGrad on the GPU (kernels/nn_train.cu);
 *     skipped with the reason when the cuda backend is not available
 * Verified first: the native gradients of one window match the float64 reference (the same
 * model and window), and the tfjs loss is finite.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { availableBackends, backendStatus, nativeAddon } from '../../src/compute/backend.js';
import { buildModel } from '../../src/models/layers.js';
import { encodeModel } from '../../src/models/native.js';
import { getParams } from '../../src/models/train/grad-reference.js';
import { nativeTrainGrad, nnTrainGradOp } from '../../src/models/train/grad.js';
import { Adam, clipByGlobalNorm } from '../../src/models/train/optim.js';
import { TestRng } from '../../src/util/rng.js';
import type { BenchCase, SkippedCase, SuiteModule, SuiteSpec } from '../harness.js';

const T = 60, F = 16, U = 128;

export const lstmTrainSuite: SuiteModule = {
  name: 'lstm-train',
  async build(opts): Promise<SuiteSpec> {
    const batch = 256, tfBatch = 32;
    const rng = new TestRng(1);
    const model = buildModel({ timesteps: T, features: F, seed: 1, layers: [{ kind: 'lstm', units: U, returnSequences: true }, { kind: 'lstm', units: U }, { kind: 'dense', units: 3, activation: 'softmax' }] });
    const xs = Float32Array.from({ length: batch * T * F }, () => rng.normal());
    const starts = Int32Array.from({ length: batch }, (_, b) => b * T);
    const target = Float64Array.from({ length: batch }, () => rng.int(0, 2));
    const group = `LSTM(${U})->LSTM(${U})->Dense(3), ${T} steps x ${F} features, Adam`;
    const cases: BenchCase[] = [];
    const skipped: SkippedCase[] = [];

    // ---- tfjs-wasm peer ----
    await tf.setBackend('wasm');
    await tf.ready();
    const tm = tf.sequential();
    tm.add(tf.layers.lstm({ units: U, returnSequences: true, inputShape: [T, F], recurrentActivation: 'sigmoid' }));
    tm.add(tf.layers.lstm({ units: U, recurrentActivation: 'sigmoid' }));
    tm.add(tf.layers.dense({ units: 3, activation: 'softmax' }));
    const tx = tf.tensor3d(Array.from(xs.subarray(0, tfBatch * T * F)), [tfBatch, T, F]);
    const ty = tf.oneHot(tf.tensor1d(Array.from(target.subarray(0, tfBatch)), 'int32'), 3);
    const topt = tf.train.adam(1e-3);
    const tfStep = (): number => {
      const l = topt.minimize(() => tf.losses.softmaxCrossEntropy(ty, tm.apply(tx) as tf.Tensor) as tf.Scalar, true)!;
      const v = l.dataSync()[0]!;
      l.dispose();
      return v;
    };
    cases.push({
      name: `tfjs-wasm (batch ${tfBatch})`, group, tag: 'peer', baseline: true, items: tfBatch, minSamples: opts.quick ? 2 : 3,
      notes: `@tensorflow/tfjs-backend-wasm ${tf.version.tfjs}, optimizer.minimize (tape gradients) + Adam, batch ${tfBatch}`,
      verify: () => { if (!Number.isFinite(tfStep())) throw new Error('tfjs loss is not finite'); },
      fn: () => { tfStep(); },
    });

    // ---- Neurion ----
    if (availableBackends().includes('cpu')) {
      const addon = nativeAddon('cpu');
      const { spec } = encodeModel(model);
      const params = getParams(model);
      const adam = new Adam(params.length, { kind: 'adam', learningRate: 1e-3 });
      const step = (threads: number): number => {
        const r = nativeTrainGrad(addon, { model, xs, starts, timesteps: T, loss: 'crossentropy', target }, threads, spec, params);
        clipByGlobalNorm(r.grads, 1);
        adam.step(params, r.grads);
        return r.loss;
      };
      for (const threads of [1, 2]) {
        cases.push({
          name: `neurion cpu threads=${threads} (batch ${batch})`, group, tag: 'ours', items: batch, minSamples: opts.quick ? 3 : 5,
          notes: `nn.trainGrad (float32 FMA GEMMs, chunks of 16 windows, float64 chunk reduction) + clip + Adam, ${threads} native thread(s)`,
          verify: () => {
            // one window against the float64 reference on the same weights
            const one = { model, xs, starts: starts.subarray(0, 1), timesteps: T, loss: 'crossentropy' as const, target: target.subarray(0, 1) };
            const e = nnTrainGradOp.reference(one);
            const a = nativeTrainGrad(addon, one, threads);
            const cmp = nnTrainGradOp.conformance.compare(e, a);
            if (!cmp.ok) throw new Error(`lstm-train: native gradients differ from the reference: ${cmp.detail}`);
            if (!Number.isFinite(step(threads))) throw new Error('loss is not finite');
          },
          fn: () => { step(threads); },
        });
      }
    } else {
      skipped.push({ name: 'neurion cpu', group, reason: backendStatus().find((b) => b.name === 'cpu')!.detail });
    }
    // ---- Neurion cuda: the same step with nn.trainGrad on the GPU (kernels/nn_train.cu) ----
    const cudaStatus = backendStatus().find((b) => b.name === 'cuda')!;
    const cudaAddon = cudaStatus.available ? nativeAddon('cuda') : null;
    if (cudaAddon && typeof (cudaAddon as unknown as { nnTrainGrad?: unknown }).nnTrainGrad === 'function') {
      const { spec } = encodeModel(model);
      const params = getParams(model);
      const adam = new Adam(params.length, { kind: 'adam', learningRate: 1e-3 });
      const step = (): number => {
        const r = nativeTrainGrad(cudaAddon, { model, xs, starts, timesteps: T, loss: 'crossentropy', target }, 1, spec, params);
        clipByGlobalNorm(r.grads, 1);
        adam.step(params, r.grads);
        return r.loss;
      };
      cases.push({
        name: `neurion cuda (batch ${batch})`, group, tag: 'ours', items: batch, minSamples: opts.quick ? 5 : 20,
        notes: `nn.trainGrad on ${cudaStatus.device?.name ?? 'the GPU'} (tiled float32 GEMMs, per-step gate kernels, float32 gradient accumulation) + clip + Adam in TypeScript`,
        verify: () => {
          // the whole batch against the CPU core on the same weights (float32 tolerance)
          if (availableBackends().includes('cpu')) {
            const all = { model, xs, starts, timesteps: T, loss: 'crossentropy' as const, target };
            const e = nativeTrainGrad(nativeAddon('cpu'), all, 2, spec, params);
            const a = nativeTrainGrad(cudaAddon, all, 1, spec, params);
            const cmp = nnTrainGradOp.conformance.compare(e, a);
            if (!cmp.ok) throw new Error(`lstm-train: cuda gradients differ from the cpu core: ${cmp.detail}`);
          }
          if (!Number.isFinite(step())) throw new Error('loss is not finite');
        },
        fn: () => { step(); },
      });
    } else {
      skipped.push({
        name: `neurion cuda (batch ${batch})`, group,
        reason: cudaAddon ? 'the CUDA addon has no nnTrainGrad (rebuild: npm run build:cuda)' : `cuda backend not available: ${cudaStatus.detail}`,
      });
    }
    skipped.push({ name: 'neurion js reference', group, reason: 'float64 per-element reference: ~1 s per window at this size; it is the judge, not a contender' });
    return {
      name: 'lstm-train',
      description: `training throughput (sequences per second) of LSTM(${U})->LSTM(${U})->Dense(3) on ${T}x${F} windows, one Adam step per call`,
      unit: 'sequence',
      params: { T, F, units: U, batch, tfBatch, seed: 1, loss: 'softmax cross-entropy', optimizer: 'adam 1e-3', clipNorm: 1 },
      cases,
      skipped,
    };
  },
};
