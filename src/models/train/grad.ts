/**
 * The `nn.trainGrad` op: loss and gradients of a Sequential LSTM / GRU / Dense model on a batch
 * of windows, following the op-registry conventions (validate, TypeScript reference, native
 * adapter, conformance cases):
 *
 *   js    float64 BPTT reference (./grad-reference.ts)
 *   cpu   float32 weights / activations / per-chunk gradients, float64 across chunks
 *         (native/nn/train_cpu.*): deterministic for any thread count
 *   cuda  float32 on the GPU (kernels/nn_train.cu: input projections and weight gradients as
 *         single GEMMs over the window, h U / dA U^T one GEMM per step, element kernels for the
 *         gates; our own tiled GEMM). Gradients accumulate in float32 on the device across the
 *         whole batch (no float64 across chunks), so results match the cpu backend to float32
 *         rounding (the conformance tolerance), not bit for bit; deterministic on one device.
 *         Used when the cuda backend is available (`auto` prefers it) and its addon has
 *         nnTrainGrad; otherwise training runs on cpu. Same arguments, validation and messages as
 *         cpu (native/nn/train_args.h), dropout included.
 *
 * Windows: `xs` holds feature rows [rows, features] (float32); window b is rows
 * starts[b] .. starts[b] + timesteps - 1. A plain [batch, T, F] tensor is starts[b] = b * T.
 * (Overlapping sliding windows over a series then cost no copy.)
 */
import type { NativeAddon } from '../../compute/backend.js';
import { availableBackends, nativeAddon, resolveBackend, type BackendName } from '../../compute/backend.js';
import { compareArrays, type Comparison } from '../../compute/compare.js';
import type { OpCase, OpDef } from '../../compute/registry.js';
import { describeValue } from '../../errors.js';
import type { TestRng } from '../../util/rng.js';
import { buildModel, outputShape, randomizeWeights, validateModel, type LayerConfig, type Model } from '../layers.js';
import { encodeModel } from '../native.js';
import { checkTrainable, dropoutRates, referenceLossAndGrads, type LossKind } from './grad-reference.js';

export { dropoutRates, dropoutScale, DROPOUT_TAG } from './grad-reference.js';

export interface TrainGradArgs {
  model: Model;
  /** Feature rows [rows, features], float32. */
  xs: Float32Array;
  /** First row of each window (length batch). */
  starts: Int32Array;
  timesteps: number;
  loss: LossKind;
  /** crossentropy: class per window (length batch); mse: [batch, units]. */
  target: Float64Array;
  sampleWeight?: Float64Array | null;
  /** false: forward only (loss and outputs); default true. */
  withGrads?: boolean;
  /**
   * Training-time dropout (native/nn/nn_dropout.h): `rates` = one INPUT rate per computing layer
   * (LSTM / GRU / Dense), usually `dropoutRates(model)`; `key` = the step's dropout key (k0, k1).
   * Absent or null: no dropout (Dropout layers are the identity: evaluation, inference).
   */
  dropout?: { rates: Float32Array; key: Uint32Array } | null;
}

export interface TrainGradResult {
  loss: number;
  /** Flat, modelWeights order; empty when withGrads is false. */
  grads: Float64Array;
  /** [batch, units] (probabilities for crossentropy). */
  outputs: Float64Array;
}

interface TrainAddon {
  nnTrainGrad(
    spec: Int32Array, params: Float32Array, xs: Float32Array, starts: Int32Array, timesteps: number, loss: number,
    target: Float64Array, sampleWeight: Float64Array | null, grads: Float64Array | null, outputs: Float64Array | null, threads: number,
    dropout?: Float32Array | null, dropoutKey?: Uint32Array | null,
  ): number;
  nnTrainInfo(): { chunk: number; simd: string; accumulation: string };
}

export function trainAddon(addon: NativeAddon): TrainAddon {
  const a = addon as unknown as Partial<TrainAddon>;
  if (typeof a.nnTrainGrad !== 'function') throw new Error('this native addon has no training functions (nnTrainGrad); rebuild it (npm run build:native for the CPU addon, npm run build:cuda for the CUDA one)');
  return a as TrainAddon;
}

const OP = 'nn.trainGrad';

export function validateTrainGrad(a: TrainGradArgs): void {
  if (typeof a !== 'object' || a === null) throw new TypeError(`${OP}: arguments must be an object, got ${describeValue(a)}`);
  validateModel(OP, a.model, { finite: true });
  checkTrainable(OP, a.model);
  const F = a.model.features;
  if (!(a.xs instanceof Float32Array)) throw new TypeError(`${OP}: xs must be a Float32Array, got ${describeValue(a.xs)}`);
  if (!(a.starts instanceof Int32Array)) throw new TypeError(`${OP}: starts must be an Int32Array, got ${describeValue(a.starts)}`);
  if (!Number.isInteger(a.timesteps) || a.timesteps < 1) throw new RangeError(`${OP}: timesteps must be an integer >= 1, got ${describeValue(a.timesteps)}`);
  if (a.model.timesteps !== null && a.model.timesteps !== a.timesteps) {
    throw new RangeError(`${OP}: sequence length mismatch: the model expects ${a.model.timesteps} timesteps, got ${a.timesteps}`);
  }
  if (a.xs.length % F !== 0) throw new RangeError(`${OP}: xs length must be a multiple of the feature count ${F}, got ${a.xs.length}`);
  const rows = a.xs.length / F;
  if (a.starts.length < 1) throw new RangeError(`${OP}: starts must hold at least one window, got 0`);
  for (let b = 0; b < a.starts.length; b++) {
    const s = a.starts[b]!;
    if (s < 0 || s + a.timesteps > rows) throw new RangeError(`${OP}: starts[${b}] = ${s} must be in [0, ${rows - a.timesteps}] (rows ${rows}, timesteps ${a.timesteps})`);
    for (let i = s * F; i < (s + a.timesteps) * F; i++) {
      if (!Number.isFinite(a.xs[i]!)) throw new RangeError(`${OP}: xs at window ${b}, time ${Math.floor(i / F) - s}, feature ${i % F} is not finite (${a.xs[i]})`);
    }
  }
  if (a.loss !== 'crossentropy' && a.loss !== 'mse') throw new RangeError(`${OP}: loss must be 'crossentropy' or 'mse', got ${describeValue(a.loss)}`);
  if (!(a.target instanceof Float64Array)) throw new TypeError(`${OP}: target must be a Float64Array, got ${describeValue(a.target)}`);
  const { units } = outputShape(a.model);
  const batch = a.starts.length;
  if (a.loss === 'crossentropy') {
    const last = a.model.layers[a.model.layers.length - 1]!;
    if (last.kind !== 'dense' || last.activation !== 'softmax') throw new RangeError(`${OP}: crossentropy needs a Dense softmax head`);
    if (a.target.length !== batch) throw new RangeError(`${OP}: target must have length ${batch} (one class index per window), got ${a.target.length}`);
    for (let b = 0; b < batch; b++) {
      const c = a.target[b]!;
      if (!Number.isInteger(c) || c < 0 || c >= units) throw new RangeError(`${OP}: target[${b}] must be a class index in [0, ${units - 1}], got ${c}`);
    }
  } else {
    if (a.target.length !== batch * units) throw new RangeError(`${OP}: target must have length ${batch * units} (batch * output units), got ${a.target.length}`);
    for (let i = 0; i < a.target.length; i++) if (!Number.isFinite(a.target[i]!)) throw new RangeError(`${OP}: target[${i}] is not finite (${a.target[i]})`);
  }
  if (a.sampleWeight !== undefined && a.sampleWeight !== null) {
    if (!(a.sampleWeight instanceof Float64Array)) throw new TypeError(`${OP}: sampleWeight must be a Float64Array, got ${describeValue(a.sampleWeight)}`);
    if (a.sampleWeight.length !== batch) throw new RangeError(`${OP}: sampleWeight must have length ${batch}, got ${a.sampleWeight.length}`);
    for (let b = 0; b < batch; b++) {
      const w = a.sampleWeight[b]!;
      if (!Number.isFinite(w) || w < 0) throw new RangeError(`${OP}: sampleWeight[${b}] must be finite and >= 0, got ${w}`);
    }
  }
  if (a.dropout !== undefined && a.dropout !== null) {
    const d = a.dropout;
    if (typeof d !== 'object') throw new TypeError(`${OP}: dropout must be an object { rates, key } or null, got ${describeValue(d)}`);
    if (!(d.rates instanceof Float32Array)) throw new TypeError(`${OP}: dropout.rates must be a Float32Array, got ${describeValue(d.rates)}`);
    const layers = a.model.layers.filter((l) => l.kind !== 'dropout').length;
    if (d.rates.length !== layers) throw new RangeError(`${OP}: dropout.rates must have length ${layers} (one input rate per LSTM / GRU / Dense layer), got ${d.rates.length}`);
    for (let l = 0; l < layers; l++) {
      const r = d.rates[l]!;
      if (!(r >= 0 && r < 1)) throw new RangeError(`${OP}: dropout.rates[${l}] must be a rate in [0, 1), got ${r}`);
    }
    if (!(d.key instanceof Uint32Array)) throw new TypeError(`${OP}: dropout.key must be a Uint32Array, got ${describeValue(d.key)}`);
    if (d.key.length !== 2) throw new RangeError(`${OP}: dropout.key must have length 2 (k0, k1), got ${d.key.length}`);
  }
}


/** Gathers the windows into a [batch, T, F] float64 tensor. */
export function gatherWindows(xs: Float32Array, starts: Int32Array, T: number, F: number): Float64Array {
  const x = new Float64Array(starts.length * T * F);
  for (let b = 0; b < starts.length; b++) for (let i = 0; i < T * F; i++) x[b * T * F + i] = xs[starts[b]! * F + i]!;
  return x;
}

function reference(a: TrainGradArgs): TrainGradResult {
  const x = gatherWindows(a.xs, a.starts, a.timesteps, a.model.features);
  const r = referenceLossAndGrads({ model: a.model, x, batch: a.starts.length, timesteps: a.timesteps, y: a.target, loss: a.loss, sampleWeight: a.sampleWeight ?? null, dropout: a.dropout ?? null });
  return { loss: r.loss, grads: a.withGrads === false ? new Float64Array(0) : r.grads, outputs: r.outputs };
}

/** A model encoded once for repeated native calls (the spec is reused; params change every step). */
export function nativeTrainGrad(addon: NativeAddon, a: TrainGradArgs, threads: number, spec?: Int32Array, params?: Float32Array, grads?: Float64Array): TrainGradResult {
  const enc = spec && params ? { spec, weights: params } : encodeModel(a.model);
  const { units } = outputShape(a.model);
  const outputs = new Float64Array(a.starts.length * units);
  const g = a.withGrads === false ? null : grads ?? new Float64Array(enc.weights.length);
  const loss = trainAddon(addon).nnTrainGrad(
    enc.spec, enc.weights, a.xs, a.starts, a.timesteps, a.loss === 'crossentropy' ? 0 : 1, a.target, a.sampleWeight ?? null, g, outputs, threads,
    a.dropout ? a.dropout.rates : null, a.dropout ? a.dropout.key : null,
  );
  return { loss, grads: g ?? new Float64Array(0), outputs };
}

// ---------------------------------------------------------------------------------------------
// Conformance cases
// ---------------------------------------------------------------------------------------------

function randomCase(rng: TestRng, label: string, layers: LayerConfig[], loss: LossKind, F: number, T: number, batch: number, withDropout = false): OpCase<TrainGradArgs> {
  const model = randomizeWeights(buildModel({ timesteps: null, features: F, layers, seed: rng.int(1, 1e6) }), rng.int(1, 1e6), 0.4);
  const rows = T + batch + 3;
  const xs = Float32Array.from({ length: rows * F }, () => rng.normal());
  const starts = Int32Array.from({ length: batch }, () => rng.int(0, rows - T));
  const { units } = outputShape(model);
  const target = loss === 'crossentropy'
    ? Float64Array.from({ length: batch }, () => rng.int(0, units - 1))
    : Float64Array.from({ length: batch * units }, () => rng.normal());
  const dropout = withDropout ? { rates: dropoutRates(model), key: new Uint32Array([rng.nextUint32(), rng.nextUint32()]) } : null;
  return { label, args: { model, xs, starts, timesteps: T, loss, target, ...(dropout ? { dropout } : {}) } };
}

export function trainGradCases(rng: TestRng): OpCase<TrainGradArgs>[] {
  const sm = (u: number): LayerConfig => ({ kind: 'dense', units: u, activation: 'softmax' });
  return [
    randomCase(rng, 'lstm->dense softmax CE', [{ kind: 'lstm', units: 5 }, sm(3)], 'crossentropy', 4, 7, 19),
    randomCase(rng, 'lstm(seq)->lstm->dense CE (2 chunks + tail)', [{ kind: 'lstm', units: 6, returnSequences: true }, { kind: 'lstm', units: 4 }, sm(3)], 'crossentropy', 3, 5, 37),
    randomCase(rng, 'gru reset_after false, hard_sigmoid -> dense tanh MSE', [{ kind: 'gru', units: 5, recurrentActivation: 'hard_sigmoid' }, { kind: 'dense', units: 2, activation: 'tanh' }], 'mse', 3, 6, 11),
    randomCase(rng, 'gru reset_after true (seq) -> gru -> dense relu -> dense softmax CE', [
      { kind: 'gru', units: 9, resetAfter: true, returnSequences: true }, { kind: 'gru', units: 4, resetAfter: true }, { kind: 'dense', units: 6, activation: 'relu' }, sm(3),
    ], 'crossentropy', 2, 4, 17),
    randomCase(rng, 'lstm relu/hard_sigmoid, no bias -> MSE on h', [{ kind: 'lstm', units: 3, activation: 'relu', recurrentActivation: 'hard_sigmoid', useBias: false }], 'mse', 2, 3, 5),
    randomCase(rng, 'dropout: input 0.2 -> lstm(seq) -> dropout 0.3 -> gru -> dropout 0.5 -> dense softmax CE (2 chunks + tail)', [
      { kind: 'dropout', rate: 0.2 }, { kind: 'lstm', units: 6, returnSequences: true }, { kind: 'dropout', rate: 0.3 }, { kind: 'gru', units: 5, resetAfter: true },
      { kind: 'dropout', rate: 0.5 }, sm(3),
    ], 'crossentropy', 4, 5, 37, true),
    randomCase(rng, 'dropout: gru -> dropout 0.1 + 0.25 (combined) -> dense relu -> dropout 0.4 -> dense tanh MSE', [
      { kind: 'gru', units: 7 }, { kind: 'dropout', rate: 0.1 }, { kind: 'dropout', rate: 0.25 }, { kind: 'dense', units: 5, activation: 'relu' },
      { kind: 'dropout', rate: 0.4 }, { kind: 'dense', units: 2, activation: 'tanh' },
    ], 'mse', 3, 6, 19, true),
  ];
}

export function compareTrainGrad(expected: TrainGradResult, actual: TrainGradResult): Comparison {
  const e = Float64Array.from([expected.loss, ...expected.grads, ...expected.outputs]);
  const a = Float64Array.from([actual.loss, ...actual.grads, ...actual.outputs]);
  return compareArrays(e, a, { abs: 2e-4, rel: 2e-3 });
}

export const nnTrainGradOp: OpDef<TrainGradArgs, TrainGradResult> = {
  name: OP,
  summary: 'loss and gradients (BPTT) of a Sequential LSTM / GRU / Dense model on a batch of windows',
  validate: validateTrainGrad,
  reference,
  native(addon, a, threads) {
    return nativeTrainGrad(addon, a, threads);
  },
  conformance: {
    tolerance: 'float32 forward/backward vs the float64 reference: |diff| <= 2e-4 + 2e-3 |expected| on the loss, every gradient and every output (weights ~N(0, 0.4^2), sequences <= 7 steps)',
    randomCases: trainGradCases,
    realCases: () => [],
    compare: compareTrainGrad,
    badCases: () => {
      const model = buildModel({ timesteps: null, features: 2, layers: [{ kind: 'lstm', units: 2 }, { kind: 'dense', units: 3, activation: 'softmax' }] });
      const xs = new Float32Array(20);
      return [
        { label: 'xs not Float32Array', args: { model, xs: new Float64Array(20), starts: new Int32Array([0]), timesteps: 3, loss: 'crossentropy', target: new Float64Array([0]) }, error: TypeError, match: /xs must be a Float32Array/ },
        { label: 'start past the end', args: { model, xs, starts: new Int32Array([8]), timesteps: 3, loss: 'crossentropy', target: new Float64Array([0]) }, error: RangeError, match: /starts\[0\] = 8/ },
        { label: 'class out of range', args: { model, xs, starts: new Int32Array([0]), timesteps: 3, loss: 'crossentropy', target: new Float64Array([3]) }, error: RangeError, match: /target\[0\]/ },
        { label: 'Dropout after the last computing layer', args: { model: buildModel({ timesteps: null, features: 2, layers: [{ kind: 'lstm', units: 2 }, { kind: 'dense', units: 3, activation: 'softmax' }, { kind: 'dropout', rate: 0.2 }] }), xs, starts: new Int32Array([0]), timesteps: 3, loss: 'crossentropy', target: new Float64Array([0]) }, error: RangeError, match: /Dropout layer dropout_1 comes after the last/ },
        { label: 'dropout rate 1', args: { model, xs, starts: new Int32Array([0]), timesteps: 3, loss: 'crossentropy', target: new Float64Array([0]), dropout: { rates: new Float32Array([0, 1]), key: new Uint32Array(2) } }, error: RangeError, match: /dropout\.rates\[1\] must be a rate in \[0, 1\), got 1/ },
        { label: 'dropout rates wrong length', args: { model, xs, starts: new Int32Array([0]), timesteps: 3, loss: 'crossentropy', target: new Float64Array([0]), dropout: { rates: new Float32Array([0.5]), key: new Uint32Array(2) } }, error: RangeError, match: /dropout\.rates must have length 2/ },
        { label: 'dropout rates as Float64Array', args: { model, xs, starts: new Int32Array([0]), timesteps: 3, loss: 'crossentropy', target: new Float64Array([0]), dropout: { rates: new Float64Array([0.5, 0]), key: new Uint32Array(2) } }, error: TypeError, match: /dropout\.rates must be a Float32Array/ },
        { label: 'dropout key of length 3', args: { model, xs, starts: new Int32Array([0]), timesteps: 3, loss: 'crossentropy', target: new Float64Array([0]), dropout: { rates: new Float32Array([0.5, 0]), key: new Uint32Array(3) } }, error: RangeError, match: /dropout\.key must have length 2/ },
        { label: 'sequence output', args: { model: buildModel({ timesteps: null, features: 2, layers: [{ kind: 'lstm', units: 2, returnSequences: true }] }), xs, starts: new Int32Array([0]), timesteps: 3, loss: 'mse', target: new Float64Array(2) }, error: RangeError, match: /one vector per sequence/ },
      ];
    },
  },
};

export const NN_TRAIN_OPS = [nnTrainGradOp] as const;

/**
 * Backend for training: cuda when the cuda backend is available (requested or `auto`) and its addon
 * has nnTrainGrad; else cpu when the CPU addon has it; else js. A forced 'cpu' or 'cuda' with no
 * native training at all throws.
 */
export function trainingBackend(requested?: BackendName | 'auto'): 'cuda' | 'cpu' | 'js' {
  const b = resolveBackend(requested);
  if (b === 'js') return 'js';
  if (b === 'cuda') {
    try { trainAddon(nativeAddon('cuda')); return 'cuda'; } catch { /* an older CUDA addon: train on cpu */ }
  }
  if (availableBackends().includes('cpu')) {
    try { trainAddon(nativeAddon('cpu')); return 'cpu'; } catch { /* fall through */ }
  }
  if (requested === 'cpu' || requested === 'cuda') throw new Error(`training on ${requested} needs the CPU addon with nnTrainGrad (npm run build:native)${requested === 'cuda' ? ' or a CUDA addon with nnTrainGrad (npm run build:cuda)' : ''}`);
  return 'js';
}
