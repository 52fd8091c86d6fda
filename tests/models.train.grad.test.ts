// Gradients of the training path: the float64 BPTT reference against central finite
// differences (float64, tiny models, every parameter), the native CPU kernel against the
// reference (the nn.trainGrad op's conformance cases, poison-free: outputs are fresh arrays),
// bit-identical results for any thread count, and tfjs's own gradients (tf.variableGrads) on
// the same weights and batch within float32 tolerance. Also Adam / SGD / clipping against
// tf.train.adam / tf.train.momentum / tf.clipByGlobalNorm.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { availableBackends, nativeAddon } from '../src/compute/backend.js';
import { buildModel, randomizeWeights, type LayerConfig, type Model } from '../src/models/layers.js';
import { referenceLossAndGrads, type LossKind } from '../src/models/train/grad-reference.js';
import { nnTrainGradOp, gatherWindows } from '../src/models/train/grad.js';
import { Adam, Sgd, clipByGlobalNorm } from '../src/models/train/optim.js';
import { TestRng, freshSeed } from '../src/util/rng.js';
import { fdError } from './helpers/train.js';

const hasCpu = availableBackends().includes('cpu') && typeof (nativeAddon('cpu') as unknown as { nnTrainGrad?: unknown }).nnTrainGrad === 'function';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function tinyCase(layers: LayerConfig[], loss: LossKind, seed: number, F = 3, T = 4, B = 3) {
  const model = randomizeWeights(buildModel({ timesteps: T, features: F, layers }), seed, 0.5);
  const rng = new TestRng(seed + 1);
  const x = Float64Array.from({ length: B * T * F }, () => rng.normal());
  const units = (layers[layers.length - 1] as { units: number }).units;
  const y = loss === 'crossentropy' ? Float64Array.from({ length: B }, () => rng.int(0, units - 1)) : Float64Array.from({ length: B * units }, () => rng.normal());
  const sampleWeight = Float64Array.from({ length: B }, () => 0.5 + rng.next());
  return { model, x, y, B, T, sampleWeight };
}


const SM = (u: number): LayerConfig => ({ kind: 'dense', units: u, activation: 'softmax' });

describe('reference BPTT vs finite differences (float64)', () => {
  const cases: Array<[string, LayerConfig[], LossKind]> = [
    ['LSTM(seq) -> LSTM -> Dense softmax, cross-entropy', [{ kind: 'lstm', units: 3, returnSequences: true }, { kind: 'lstm', units: 2 }, SM(3)], 'crossentropy'],
    ['GRU reset_after=false (seq) -> GRU reset_after=true -> softmax', [{ kind: 'gru', units: 3, returnSequences: true }, { kind: 'gru', units: 2, resetAfter: true }, SM(3)], 'crossentropy'],
    ['GRU hard_sigmoid -> Dense tanh, MSE', [{ kind: 'gru', units: 3, recurrentActivation: 'hard_sigmoid' }, { kind: 'dense', units: 2, activation: 'tanh' }], 'mse'],
    ['LSTM relu / hard_sigmoid -> Dense relu -> softmax, MSE', [{ kind: 'lstm', units: 3, activation: 'relu', recurrentActivation: 'hard_sigmoid' }, { kind: 'dense', units: 4, activation: 'relu' }, SM(3)], 'mse'],
    ['LSTM no bias -> MSE on h', [{ kind: 'lstm', units: 2, useBias: false }], 'mse'],
  ];
  it.each(cases)('%s', (_label, layers, loss) => {
    const seed = freshSeed();
    const c = tinyCase(layers, loss, seed);
    const err = fdError(c.model, () => referenceLossAndGrads({ model: c.model, x: c.x, batch: c.B, timesteps: c.T, y: c.y, loss, sampleWeight: c.sampleWeight }));
    expect(err, `seed ${seed}`).toBeLessThan(1e-4);
  });
});

describe.runIf(hasCpu)('native CPU gradients', () => {
  it('match the float64 reference on every conformance case', () => {
    const seed = freshSeed();
    const rng = new TestRng(seed);
    for (const c of nnTrainGradOp.conformance.randomCases(rng)) {
      nnTrainGradOp.validate(c.args);
      const e = nnTrainGradOp.reference(c.args);
      const a = nnTrainGradOp.native!(nativeAddon('cpu'), c.args, 2);
      const cmp = nnTrainGradOp.conformance.compare(e, a);
      expect(cmp.ok, `${c.label} (seed ${seed}): ${cmp.detail}`).toBe(true);
    }
  });

  it('are bit-identical for 1, 2, 3 and 7 threads (fixed chunk reduction order)', () => {
    const rng = new TestRng(11);
    const model = randomizeWeights(buildModel({ timesteps: 9, features: 5, layers: [{ kind: 'lstm', units: 12, returnSequences: true }, { kind: 'gru', units: 7, resetAfter: true }, SM(3)] }), 3, 0.3);
    const rows = 400;
    const xs = Float32Array.from({ length: rows * 5 }, () => rng.normal());
    const starts = Int32Array.from({ length: 77 }, () => rng.int(0, rows - 9));
    const target = Float64Array.from({ length: 77 }, () => rng.int(0, 2));
    const args = { model, xs, starts, timesteps: 9, loss: 'crossentropy' as const, target };
    const r1 = nnTrainGradOp.native!(nativeAddon('cpu'), args, 1);
    for (const th of [2, 3, 7]) {
      const r = nnTrainGradOp.native!(nativeAddon('cpu'), args, th);
      expect(r.loss).toBe(r1.loss);
      expect(Buffer.from(r.grads.buffer).equals(Buffer.from(r1.grads.buffer))).toBe(true);
    }
  });

  it('rejects bad arguments with the op name, argument and value', () => {
    for (const bad of nnTrainGradOp.conformance.badCases()) {
      expect(() => nnTrainGradOp.validate(bad.args as never), bad.label).toThrow(bad.error);
      expect(() => nnTrainGradOp.validate(bad.args as never), bad.label).toThrow(bad.match);
    }
    const addon = nativeAddon('cpu') as unknown as { nnTrainGrad: (...a: unknown[]) => number };
    const spec = new Int32Array([1, 2, 2, 0, 1, 2, 2, 1, 2, 0, 1, 0, 3, 3, 2, 5, 0, 0, 1, 0]);
    const params = new Float32Array(2 * 8 + 2 * 8 + 8 + 2 * 3 + 3);
    expect(() => addon.nnTrainGrad(spec, params, new Float32Array(20), new Int32Array([9]), 3, 0, new Float64Array([0]), null, null, null, 1)).toThrow(/starts\[0\] = 9/);
    expect(() => addon.nnTrainGrad(spec, params.subarray(1), new Float32Array(20), new Int32Array([0]), 3, 0, new Float64Array([0]), null, null, null, 1)).toThrow(RangeError);
    const xs = new Float32Array(20); xs[3] = NaN;
    expect(() => addon.nnTrainGrad(spec, params, xs, new Int32Array([0]), 3, 0, new Float64Array([0]), null, null, null, 1)).toThrow(/not finite/);
    expect(() => addon.nnTrainGrad(spec, params, new Float32Array(20), new Int32Array([0]), 3, 0, new Float64Array([4]), null, null, null, 1)).toThrow(/class index/);
    expect(() => addon.nnTrainGrad(spec, params, new Float64Array(20), new Int32Array([0]), 3, 0, new Float64Array([0]), null, null, null, 1)).toThrow(TypeError);
  });
});

// ---------------------------------------------------------------------------------------------
// tfjs
// ---------------------------------------------------------------------------------------------

const tfAct = (a: string): string => (a === 'hard_sigmoid' ? 'hardSigmoid' : a);

function tfModel(model: Model): tf.Sequential {
  const seq = tf.sequential();
  model.layers.forEach((l, i) => {
    const first = i === 0 ? { inputShape: [model.timesteps!, model.features] } : {};
    if (l.kind === 'lstm') seq.add(tf.layers.lstm({ units: l.units, returnSequences: l.returnSequences, activation: tfAct(l.activation), recurrentActivation: tfAct(l.recurrentActivation), useBias: l.useBias, ...first } as never));
    else if (l.kind === 'gru') seq.add(tf.layers.gru({ units: l.units, returnSequences: l.returnSequences, activation: tfAct(l.activation), recurrentActivation: tfAct(l.recurrentActivation), useBias: l.useBias, ...first } as never));
    else if (l.kind === 'dense') seq.add(tf.layers.dense({ units: l.units, activation: tfAct(l.activation), useBias: l.useBias, ...first } as never));
  });
  let k = 0;
  const ws = (() => {
    const out: tf.Tensor[] = [];
    for (const l of model.layers) {
      if (l.kind === 'dropout') continue;
      const g = l.kind === 'dense' ? l.units : (l.kind === 'lstm' ? 4 : 3) * l.units;
      out.push(tf.tensor2d(Array.from(l.kernel), [l.inputDim, g]));
      if (l.kind !== 'dense') out.push(tf.tensor2d(Array.from(l.recurrentKernel), [l.units, g]));
      if (l.bias) out.push(tf.tensor1d(Array.from(l.bias)));
    }
    return out;
  })();
  seq.setWeights(ws);
  k = ws.length;
  expect(seq.getWeights().length).toBe(k);
  return seq;
}

describe('gradients vs tfjs tf.variableGrads on the same weights and batch', () => {
  const cases: Array<[string, LayerConfig[]]> = [
    ['LSTM(8, seq) -> LSTM(6) -> Dense(3) softmax', [{ kind: 'lstm', units: 8, returnSequences: true }, { kind: 'lstm', units: 6 }, SM(3)]],
    ['GRU(7, reset_after=false, hard_sigmoid) -> Dense(3) softmax', [{ kind: 'gru', units: 7, recurrentActivation: 'hard_sigmoid' }, SM(3)]],
  ];
  it.each(cases)('%s', (_label, layers) => {
    const F = 4, T = 6, B = 9;
    const rng = new TestRng(21);
    const model = randomizeWeights(buildModel({ timesteps: T, features: F, layers }), 5, 0.4);
    const xs = Float32Array.from({ length: B * T * F }, () => rng.normal());
    const starts = Int32Array.from({ length: B }, (_, b) => b * T);
    const target = Float64Array.from({ length: B }, () => rng.int(0, 2));
    const seq = tfModel(model);
    const x = tf.tensor3d(Array.from(gatherWindows(xs, starts, T, F)), [B, T, F], 'float32');
    const onehot = tf.oneHot(tf.tensor1d(Array.from(target), 'int32'), 3);
    const vars = seq.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
    const { value, grads } = tf.variableGrads(() => {
      const p = seq.apply(x) as tf.Tensor;
      return tf.neg(tf.mean(tf.sum(tf.mul(onehot, tf.log(p)), -1))) as tf.Scalar;
    }, vars);
    const tfLoss = value.dataSync()[0]!;
    const tfGrads = Float64Array.from(vars.flatMap((v) => Array.from(grads[v.name]!.dataSync())));
    const args = { model, xs, starts, timesteps: T, loss: 'crossentropy' as const, target };
    const ref = nnTrainGradOp.reference(args);
    const scale = Math.max(...tfGrads.map(Math.abs));
    expect(Math.abs(ref.loss - tfLoss)).toBeLessThan(1e-5);
    for (let i = 0; i < tfGrads.length; i++) expect(Math.abs(ref.grads[i]! - tfGrads[i]!), `param ${i}`).toBeLessThan(2e-5 + 1e-3 * scale);
    if (hasCpu) {
      const nat = nnTrainGradOp.native!(nativeAddon('cpu'), args, 1);
      for (let i = 0; i < tfGrads.length; i++) expect(Math.abs(nat.grads[i]! - tfGrads[i]!), `native param ${i}`).toBeLessThan(2e-5 + 1e-3 * scale);
    }
    tf.dispose([x, onehot, value, ...Object.values(grads)]);
    seq.dispose();
  });
});

describe('optimizers vs tfjs', () => {
  function compare(make: () => { ours: (p: Float32Array, g: Float64Array) => void; theirs: tf.Optimizer }) {
    const rng = new TestRng(4);
    const n = 50;
    const p0 = Float32Array.from({ length: n }, () => rng.normal());
    const ours = p0.slice();
    const { ours: step, theirs } = make();
    const v = tf.variable(tf.tensor1d(Array.from(p0)));
    for (let s = 0; s < 25; s++) {
      const g = Float64Array.from({ length: n }, () => rng.normal());
      step(ours, g);
      theirs.applyGradients({ [v.name]: tf.tensor1d(Array.from(g)) });
    }
    const t = v.dataSync();
    for (let i = 0; i < n; i++) expect(Math.abs(ours[i]! - t[i]!)).toBeLessThan(2e-6);
    v.dispose(); theirs.dispose();
  }
  it('Adam = tf.train.adam (bias correction, eps 1e-7)', () => {
    compare(() => { const a = new Adam(50, { kind: 'adam', learningRate: 0.01 }); return { ours: (p, g) => a.step(p, g), theirs: tf.train.adam(0.01, 0.9, 0.999, 1e-7) }; });
  });
  it('SGD with momentum = tf.train.momentum', () => {
    compare(() => { const a = new Sgd(50, { kind: 'sgd', learningRate: 0.05, momentum: 0.9 }); return { ours: (p, g) => a.step(p, g), theirs: tf.train.momentum(0.05, 0.9) }; });
  });
  it('clipByGlobalNorm = tf.clipByGlobalNorm semantics', () => {
    const g = Float64Array.from([3, 4, 0, 12]); // norm 13
    expect(clipByGlobalNorm(g, 6.5)).toBe(13);
    expect(Array.from(g)).toEqual([1.5, 2, 0, 6]);
    const h = Float64Array.from([0.3, 0.4]);
    clipByGlobalNorm(h, 1);
    expect(Array.from(h)).toEqual([0.3, 0.4]);
  });
});
