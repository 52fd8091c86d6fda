/**
 * The training loop: mini-batch BPTT with Adam or SGD, gradient clipping by global norm,
 * early stopping on validation loss (best weights restored), deterministic given a seed.
 *
 * Determinism: the epoch's sample order is a permutation drawn from Philox4x32-10 keyed by
 * (seed, epoch) (counter = [sample index, epoch, 0x5452 'TR', 0]; samples sorted by their
 * 32-bit draw, ties by index), the gradients are bit-identical for any thread count (see
 * native/nn/train_cpu.h) and the optimizer is plain sequential float64 code. Same seed, same
 * data, same backend -> the same weights, bit for bit.
 *
 * Dropout: the model's Dropout layers act in the training steps only (Keras semantics,
 * native/nn/nn_dropout.h). Step s (0-based optimizer step over the whole run) uses the dropout
 * key `dropoutStepKey(seed, s)` = words 0, 1 of the Philox4x32-10 block keyed by the seed with
 * counter [s low, s high, 0x4452 'DR', 1]: fresh masks every step, the same masks for the same
 * seed. Validation / test evaluation (`evaluate`) and inference run without dropout.
 */
import { philoxBlock, philoxKey } from '../../compute/ops/philox.js';
import { defaultThreads } from '../../compute/run.js';
import { nativeAddon, type BackendName } from '../../compute/backend.js';
import { encodeModel } from '../native.js';
import { outputShape, type Model } from '../layers.js';
import { getParams, setParams, type LossKind } from './grad-reference.js';
import { dropoutRates, nativeTrainGrad, nnTrainGradOp, trainingBackend, validateTrainGrad, type TrainGradArgs, type TrainGradResult } from './grad.js';
import { clipByGlobalNorm, createOptimizer, type OptimizerConfig } from './optim.js';

/** Windows over feature rows plus their targets. */
export interface WindowSet {
  xs: Float32Array;
  starts: Int32Array;
  /** crossentropy: class per window; mse: [windows, units]. */
  target: Float64Array;
  sampleWeight?: Float64Array | null;
}

export interface FitOptions {
  loss: LossKind;
  timesteps: number;
  epochs: number;
  batchSize: number;
  optimizer: OptimizerConfig;
  /** Clip gradients by global norm (none when absent). */
  clipNorm?: number;
  seed: number;
  /** Early stopping: epochs without a val-loss improvement before stopping (needs val). Default: no early stopping. */
  patience?: number;
  val?: WindowSet;
  backend?: BackendName | 'auto';
  threads?: number;
  onEpoch?(log: EpochLog): void;
}

export interface EpochLog {
  epoch: number;
  trainLoss: number;
  valLoss: number | null;
  valAccuracy: number | null;
  seconds: number;
  sequencesPerSecond: number;
}

/** The backend a training run uses (whatever `trainingBackend` resolves to). */
export type TrainBackend = ReturnType<typeof trainingBackend>;

export interface FitResult {
  history: EpochLog[];
  bestEpoch: number;
  bestValLoss: number | null;
  stoppedEarly: boolean;
  backend: TrainBackend;
  steps: number;
  /** Input dropout rate of each computing layer in the training steps (all 0: none). */
  dropout: number[];
}

/** The dropout key (k0, k1) of training step `step` for `seed` (see the top comment). */
export function dropoutStepKey(seed: number, step: number): Uint32Array {
  if (!Number.isSafeInteger(step) || step < 0) throw new RangeError(`dropoutStepKey: step must be a non-negative safe integer, got ${step}`);
  const key = philoxKey(seed);
  const block = new Uint32Array(4);
  philoxBlock(step % 4294967296, Math.floor(step / 4294967296), 0x4452, 1, key[0]!, key[1]!, block, 0);
  return block.subarray(0, 2).slice();
}

/** Philox permutation of [0, n) for (seed, epoch). */
export function shuffleOrder(n: number, seed: number, epoch: number): Int32Array {
  const key = philoxKey(seed);
  const draws = new Uint32Array(n);
  const block = new Uint32Array(4);
  for (let i = 0; i < n; i++) {
    philoxBlock(i >>> 0, epoch >>> 0, 0x5452, 0, key[0]!, key[1]!, block, 0);
    draws[i] = block[0]!;
  }
  const idx = Int32Array.from({ length: n }, (_, i) => i);
  idx.sort((a, b) => (draws[a]! - draws[b]!) || (a - b));
  return idx;
}

function subset(set: WindowSet, idx: Int32Array, from: number, to: number, units: number, loss: LossKind): { starts: Int32Array; target: Float64Array; sampleWeight: Float64Array | null } {
  const n = to - from;
  const starts = new Int32Array(n);
  const per = loss === 'crossentropy' ? 1 : units;
  const target = new Float64Array(n * per);
  const sw = set.sampleWeight ? new Float64Array(n) : null;
  for (let k = 0; k < n; k++) {
    const i = idx[from + k]!;
    starts[k] = set.starts[i]!;
    for (let j = 0; j < per; j++) target[k * per + j] = set.target[i * per + j]!;
    if (sw) sw[k] = set.sampleWeight![i]!;
  }
  return { starts, target, sampleWeight: sw };
}

/** A gradient function bound to a model and backend (native: the spec is encoded once). */
export function gradFunction(model: Model, backend: TrainBackend, threads?: number): (a: Omit<TrainGradArgs, 'model'>, params: Float32Array) => TrainGradResult {
  if (backend === 'js') {
    return (a, params) => { setParams(model, params); return nnTrainGradOp.reference({ ...a, model }); };
  }
  const { spec } = encodeModel(model);
  const addon = nativeAddon(backend);
  return (a, params) => {
    const th = threads ?? defaultThreads(a.starts.length * a.timesteps * model.features * 64);
    return nativeTrainGrad(addon, { ...a, model }, th, spec, params);
  };
}

/** Mean loss, outputs and accuracy (crossentropy) on a window set with the current weights. */
export function evaluate(model: Model, set: WindowSet, opts: { loss: LossKind; timesteps: number; backend?: BackendName | 'auto'; threads?: number; batch?: number }): { loss: number; outputs: Float64Array; accuracy: number | null } {
  const backend = trainingBackend(opts.backend);
  const f = gradFunction(model, backend, opts.threads);
  const params = getParams(model);
  const n = set.starts.length;
  const chunk = opts.batch ?? 2048;
  let lossSum = 0, correct = 0;
  const outs: Float64Array[] = [];
  const idx = Int32Array.from({ length: n }, (_, i) => i);
  const { units } = outputShape(model);
  for (let from = 0; from < n; from += chunk) {
    const to = Math.min(n, from + chunk);
    const s = subset(set, idx, from, to, units, opts.loss);
    const r = f({ xs: set.xs, starts: s.starts, timesteps: opts.timesteps, loss: opts.loss, target: s.target, sampleWeight: s.sampleWeight, withGrads: false }, params);
    lossSum += r.loss * (to - from);
    outs.push(r.outputs);
    if (opts.loss === 'crossentropy') {
      for (let k = 0; k < to - from; k++) {
        let best = 0;
        for (let j = 1; j < units; j++) if (r.outputs[k * units + j]! > r.outputs[k * units + best]!) best = j;
        if (best === s.target[k]) correct++;
      }
    }
  }
  const outputs = new Float64Array(outs.reduce((a, o) => a + o.length, 0));
  let o = 0;
  for (const x of outs) { outputs.set(x, o); o += x.length; }
  return { loss: lossSum / n, outputs, accuracy: opts.loss === 'crossentropy' ? correct / n : null };
}

/** Trains `model` in place on `train`. */
export function fit(model: Model, train: WindowSet, opts: FitOptions): FitResult {
  const backend = trainingBackend(opts.backend);
  if (!Number.isInteger(opts.epochs) || opts.epochs < 1) throw new RangeError(`fit: epochs must be an integer >= 1, got ${opts.epochs}`);
  if (!Number.isInteger(opts.batchSize) || opts.batchSize < 1) throw new RangeError(`fit: batchSize must be an integer >= 1, got ${opts.batchSize}`);
  if (!Number.isSafeInteger(opts.seed) || opts.seed < 0) throw new RangeError(`fit: seed must be a non-negative integer, got ${opts.seed}`);
  if (opts.patience !== undefined && (!Number.isInteger(opts.patience) || opts.patience < 1)) throw new RangeError(`fit: patience must be an integer >= 1, got ${opts.patience}`);
  if (opts.clipNorm !== undefined && !(opts.clipNorm > 0)) throw new RangeError(`fit: clipNorm must be > 0, got ${opts.clipNorm}`);
  const n = train.starts.length;
  const { units } = outputShape(model);
  // validate the whole training set once (every window, every target)
  validateTrainGrad({ model, xs: train.xs, starts: train.starts, timesteps: opts.timesteps, loss: opts.loss, target: train.target, sampleWeight: train.sampleWeight ?? null });
  if (opts.val) validateTrainGrad({ model, xs: opts.val.xs, starts: opts.val.starts, timesteps: opts.timesteps, loss: opts.loss, target: opts.val.target, sampleWeight: opts.val.sampleWeight ?? null });
  const f = gradFunction(model, backend, opts.threads);
  const params = getParams(model);
  const opt = createOptimizer(params.length, opts.optimizer);
  const modelRates = dropoutRates(model);
  const rates = modelRates.some((r) => r > 0) ? modelRates : null; // null: no Dropout layer, no dropout argument
  let step = 0;
  const history: EpochLog[] = [];
  let best = Infinity, bestEpoch = -1, bestParams: Float32Array | null = null, since = 0, stoppedEarly = false;
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    const t0 = performance.now();
    const order = shuffleOrder(n, opts.seed, epoch);
    let lossSum = 0;
    for (let from = 0; from < n; from += opts.batchSize) {
      const to = Math.min(n, from + opts.batchSize);
      const s = subset(train, order, from, to, units, opts.loss);
      const dropout = rates ? { rates, key: dropoutStepKey(opts.seed, step) } : null;
      step++;
      const r = f({ xs: train.xs, starts: s.starts, timesteps: opts.timesteps, loss: opts.loss, target: s.target, sampleWeight: s.sampleWeight, dropout }, params);
      if (!Number.isFinite(r.loss)) throw new RangeError(`fit: the loss became ${r.loss} at epoch ${epoch}; lower the learning rate or set clipNorm`);
      lossSum += r.loss * (to - from);
      if (opts.clipNorm !== undefined) clipByGlobalNorm(r.grads, opts.clipNorm);
      opt.step(params, r.grads);
    }
    const seconds = (performance.now() - t0) / 1000;
    setParams(model, params);
    let valLoss: number | null = null, valAccuracy: number | null = null;
    if (opts.val) {
      const ev = evaluate(model, opts.val, { loss: opts.loss, timesteps: opts.timesteps, backend: opts.backend, threads: opts.threads });
      valLoss = ev.loss; valAccuracy = ev.accuracy;
    }
    const log: EpochLog = { epoch, trainLoss: lossSum / n, valLoss, valAccuracy, seconds, sequencesPerSecond: n / seconds };
    history.push(log);
    opts.onEpoch?.(log);
    if (valLoss !== null) {
      if (valLoss < best) { best = valLoss; bestEpoch = epoch; bestParams = params.slice(); since = 0; }
      else if (opts.patience !== undefined && ++since >= opts.patience) { stoppedEarly = true; break; }
    }
  }
  if (bestParams) setParams(model, bestParams);
  return { history, bestEpoch: bestParams ? bestEpoch : history.length - 1, bestValLoss: bestParams ? best : null, stoppedEarly, backend, steps: opt.iterations, dropout: Array.from(modelRates) };
}
