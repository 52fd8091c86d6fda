// Training-time Dropout (Keras semantics, contract in native/nn/nn_dropout.h): the keep/drop
// decision (statistics, the TS mirror against the native core bit for bit), the folding of
// Dropout layers into per-computing-layer input rates, the float64 reference against central
// finite differences with a fixed key, js vs cpu, thread-count determinism, the trainer's
// per-step keys and dropout-free evaluation, and trained models with Dropout loading in TF.js.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableBackends, nativeAddon } from '../src/compute/backend.js';
import { buildModel, cloneModel, randomizeWeights, type LayerConfig, type Model } from '../src/models/layers.js';
import { fileIOHandler, predict, saveModel } from '../src/models/index.js';
import { encodeModel } from '../src/models/native.js';
import { getParams, referenceLossAndGrads, type LossKind } from '../src/models/train/grad-reference.js';
import { dropoutRates, dropoutScale, gatherWindows, nnTrainGradOp, validateTrainGrad, type TrainGradArgs } from '../src/models/train/grad.js';
import { dropoutStepKey, evaluate, fit, type WindowSet } from '../src/models/train/trainer.js';
import { TestRng, freshSeed } from '../src/util/rng.js';
import { fdError, toyTask } from './helpers/train.js';

const hasCpu = availableBackends().includes('cpu') && typeof (nativeAddon('cpu') as unknown as { nnTrainGrad?: unknown }).nnTrainGrad === 'function';
const SM = (u: number): LayerConfig => ({ kind: 'dense', units: u, activation: 'softmax' });
const cpu = () => nativeAddon('cpu');

let dir = '';
beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = mkdtempSync(join(tmpdir(), 'neurion-dropout-'));
});
afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

describe('the keep/drop decision', () => {
  it.each([0.1, 0.3, 0.5, 0.8])('rate %s: fraction dropped = rate and mean scale = 1 within 4 standard errors (200k elements)', (rate) => {
    const k0 = 0x1234abcd, k1 = 0x9e3779b9;
    let dropped = 0, sum = 0, n = 0;
    for (let w = 0; w < 50; w++) for (let t = 0; t < 40; t++) for (let u = 0; u < 100; u++) {
      const s = dropoutScale(k0, k1, w, t, u, 2, rate);
      if (s === 0) dropped++;
      else expect(s).toBe(Math.fround(1 / Math.fround(1 - Math.fround(rate))));
      sum += s; n++;
    }
    const r = Math.fround(rate);
    const seFrac = Math.sqrt((r * (1 - r)) / n);
    expect(Math.abs(dropped / n - r)).toBeLessThan(4 * seFrac);
    const seMean = Math.sqrt(r / (1 - r) / n); // var of the scale = r / (1 - r)
    expect(Math.abs(sum / n - 1)).toBeLessThan(4 * seMean);
  });

  it('rate 0 keeps everything without drawing; masks of different layers, windows, steps and keys are independent', () => {
    expect(dropoutScale(1, 2, 3, 4, 5, 6, 0)).toBe(1);
    const n = 20000, rate = 0.5;
    const draw = (f: (i: number) => number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (f(i) === 0 ? 1 : 0));
    const base = draw((i) => dropoutScale(7, 8, i % 100, Math.floor(i / 100), 3, 0, rate));
    const others = [
      draw((i) => dropoutScale(7, 8, i % 100, Math.floor(i / 100), 3, 1, rate)),   // layer
      draw((i) => dropoutScale(7, 9, i % 100, Math.floor(i / 100), 3, 0, rate)),   // key
      draw((i) => dropoutScale(7, 8, i % 100, Math.floor(i / 100), 4, 0, rate)),   // unit
      draw((i) => dropoutScale(7, 8, (i % 100) + 100, Math.floor(i / 100), 3, 0, rate)), // window
    ];
    for (const o of others) {
      let agree = 0;
      for (let i = 0; i < n; i++) if (o[i] === base[i]) agree++;
      // independent masks agree on half the elements: 4 SE = 4 * sqrt(0.25 / n)
      expect(Math.abs(agree / n - 0.5)).toBeLessThan(4 * Math.sqrt(0.25 / n));
    }
  });

  it('Dropout layers fold into the input rate of the next computing layer; consecutive ones combine', () => {
    const m = buildModel({ timesteps: 4, features: 3, layers: [
      { kind: 'dropout', rate: 0.2 }, { kind: 'lstm', units: 4, returnSequences: true }, { kind: 'gru', units: 3 },
      { kind: 'dropout', rate: 0.1 }, { kind: 'dropout', rate: 0.25 }, { kind: 'dense', units: 5, activation: 'relu' }, SM(3),
    ] });
    expect(Array.from(dropoutRates(m))).toEqual([Math.fround(0.2), 0, Math.fround(1 - 0.9 * 0.75), 0]);
    expect(Array.from(dropoutRates(buildModel({ timesteps: 4, features: 3, layers: [{ kind: 'lstm', units: 2 }, SM(3)] })))).toEqual([0, 0]);
  });

  it('a Dropout after the last computing layer is refused with a RangeError naming it', () => {
    const m = buildModel({ timesteps: 3, features: 2, layers: [{ kind: 'lstm', units: 2 }, SM(3), { kind: 'dropout', rate: 0.3, name: 'drop_out' }] });
    expect(() => dropoutRates(m)).toThrow(RangeError);
    expect(() => dropoutRates(m)).toThrow(/Dropout layer drop_out comes after the last LSTM \/ GRU \/ Dense layer/);
    const xs = new Float32Array(20);
    expect(() => validateTrainGrad({ model: m, xs, starts: new Int32Array([0]), timesteps: 3, loss: 'crossentropy', target: new Float64Array([0]) })).toThrow(/drop_out comes after the last/);
    const train: WindowSet = { xs, starts: new Int32Array([0, 1]), target: new Float64Array([0, 1]) };
    expect(() => fit(m, train, { loss: 'crossentropy', timesteps: 3, epochs: 1, batchSize: 2, optimizer: { kind: 'adam', learningRate: 1e-3 }, seed: 1 })).toThrow(/drop_out comes after the last/);
  });
});

// ---------------------------------------------------------------------------------------------
// Gradients
// ---------------------------------------------------------------------------------------------


describe('reference BPTT with dropout vs finite differences (fixed key: a deterministic function)', () => {
  const cases: Array<[string, LayerConfig[], LossKind]> = [
    ['Dropout 0.3 -> LSTM(seq) -> Dropout 0.5 -> LSTM -> Dropout 0.4 -> softmax CE', [
      { kind: 'dropout', rate: 0.3 }, { kind: 'lstm', units: 3, returnSequences: true }, { kind: 'dropout', rate: 0.5 }, { kind: 'lstm', units: 2 }, { kind: 'dropout', rate: 0.4 }, SM(3),
    ], 'crossentropy'],
    ['GRU reset_after (seq) -> Dropout 0.5 -> GRU -> Dropout 0.2 + 0.3 -> Dense tanh -> Dropout 0.25 -> Dense linear MSE', [
      { kind: 'gru', units: 3, resetAfter: true, returnSequences: true }, { kind: 'dropout', rate: 0.5 }, { kind: 'gru', units: 3 },
      { kind: 'dropout', rate: 0.2 }, { kind: 'dropout', rate: 0.3 }, { kind: 'dense', units: 4, activation: 'tanh' }, { kind: 'dropout', rate: 0.25 }, { kind: 'dense', units: 2 },
    ], 'mse'],
  ];
  it.each(cases)('%s', (_label, layers, loss) => {
    const seed = freshSeed();
    const F = 3, T = 4, B = 3;
    const model = randomizeWeights(buildModel({ timesteps: T, features: F, layers }), seed, 0.5);
    const rng = new TestRng(seed + 1);
    const x = Float64Array.from({ length: B * T * F }, () => rng.normal());
    const units = (layers[layers.length - 1] as { units: number }).units;
    const y = loss === 'crossentropy' ? Float64Array.from({ length: B }, () => rng.int(0, units - 1)) : Float64Array.from({ length: B * units }, () => rng.normal());
    const dropout = { rates: dropoutRates(model), key: new Uint32Array([rng.nextUint32(), rng.nextUint32()]) };
    const run = () => referenceLossAndGrads({ model, x, batch: B, timesteps: T, y, loss, dropout });
    // the mask really acts: the loss differs from the dropout-free one
    expect(run().loss).not.toBe(referenceLossAndGrads({ model, x, batch: B, timesteps: T, y, loss }).loss);
    expect(fdError(model, run), `seed ${seed}`).toBeLessThan(1e-4);
  });
});

function dropCase(seed: number, layers: LayerConfig[], F = 4, T = 6, batch = 45): TrainGradArgs {
  const rng = new TestRng(seed);
  const model = randomizeWeights(buildModel({ timesteps: T, features: F, layers }), seed, 0.4);
  const rows = batch + T + 5;
  const xs = Float32Array.from({ length: rows * F }, () => rng.normal());
  const starts = Int32Array.from({ length: batch }, () => rng.int(0, rows - T));
  const target = Float64Array.from({ length: batch }, () => rng.int(0, 2));
  return { model, xs, starts, timesteps: T, loss: 'crossentropy', target, dropout: { rates: dropoutRates(model), key: new Uint32Array([rng.nextUint32(), rng.nextUint32()]) } };
}

const DROP_STACK: LayerConfig[] = [
  { kind: 'dropout', rate: 0.2 }, { kind: 'lstm', units: 9, returnSequences: true }, { kind: 'dropout', rate: 0.35 }, { kind: 'gru', units: 7, resetAfter: true },
  { kind: 'dropout', rate: 0.5 }, { kind: 'dense', units: 6, activation: 'relu' }, { kind: 'dropout', rate: 0.1 }, SM(3),
];

describe.runIf(hasCpu)('native CPU training with dropout', () => {
  it('js and cpu agree on every dropout conformance case and on a deep dropout stack', () => {
    const seed = freshSeed();
    const cases = nnTrainGradOp.conformance.randomCases(new TestRng(seed)).filter((c) => c.args.dropout);
    expect(cases.length).toBeGreaterThanOrEqual(2);
    cases.push({ label: 'deep dropout stack', args: dropCase(seed, DROP_STACK) });
    for (const c of cases) {
      nnTrainGradOp.validate(c.args);
      const e = nnTrainGradOp.reference(c.args);
      const a = nnTrainGradOp.native!(cpu(), c.args, 2);
      const cmp = nnTrainGradOp.conformance.compare(e, a);
      expect(cmp.ok, `${c.label} (seed ${seed}): ${cmp.detail}`).toBe(true);
      // and the dropout really changed the result
      const plain = nnTrainGradOp.native!(cpu(), { ...c.args, dropout: null }, 2);
      expect(plain.loss).not.toBe(a.loss);
    }
  });

  it('applies exactly the mask of nn_dropout.h (native output / dropout-free output = dropoutScale, bit for bit)', () => {
    // LSTM(8) -> Dropout(0.4) -> Dense(8, linear, no bias) with an identity kernel: output = h * scale
    const u = 8, T = 5, F = 3, batch = 40;
    const model = randomizeWeights(buildModel({ timesteps: T, features: F, layers: [{ kind: 'lstm', units: u }, { kind: 'dropout', rate: 0.4 }, { kind: 'dense', units: u, useBias: false }] }), 9, 0.5);
    const dense = model.layers[2]! as { kernel: Float32Array };
    dense.kernel.fill(0);
    for (let j = 0; j < u; j++) dense.kernel[j * u + j] = 1;
    const rng = new TestRng(5);
    const xs = Float32Array.from({ length: (batch + T) * F }, () => rng.normal());
    const starts = Int32Array.from({ length: batch }, (_, b) => b);
    const key = new Uint32Array([0xdeadbeef, 0x01234567]);
    const base = { model, xs, starts, timesteps: T, loss: 'mse' as const, target: new Float64Array(batch * u), withGrads: false };
    const plain = nnTrainGradOp.native!(cpu(), base, 3).outputs;
    const drop = nnTrainGradOp.native!(cpu(), { ...base, dropout: { rates: dropoutRates(model), key } }, 3).outputs;
    let dropped = 0;
    for (let b = 0; b < batch; b++) for (let j = 0; j < u; j++) {
      const s = dropoutScale(key[0]!, key[1]!, b, 0, j, 1, 0.4);
      if (s === 0) dropped++;
      expect(drop[b * u + j]! + 0).toBe(Math.fround(plain[b * u + j]! * s) + 0); // +0: -0 and 0 are the same value here
    }
    expect(dropped).toBeGreaterThan(0.25 * batch * u);
    expect(dropped).toBeLessThan(0.55 * batch * u);
  });

  it('is bit-identical for 1, 2, 3 and 7 threads (the mask is keyed by the global window index)', () => {
    const args = dropCase(31, DROP_STACK, 5, 9, 77);
    const r1 = nnTrainGradOp.native!(cpu(), args, 1);
    for (const th of [2, 3, 7]) {
      const r = nnTrainGradOp.native!(cpu(), args, th);
      expect(r.loss).toBe(r1.loss);
      expect(Buffer.from(r.grads.buffer).equals(Buffer.from(r1.grads.buffer))).toBe(true);
      expect(Buffer.from(r.outputs.buffer).equals(Buffer.from(r1.outputs.buffer))).toBe(true);
    }
  });

  it('rejects bad dropout arguments natively with the argument and value', () => {
    const model = buildModel({ timesteps: 3, features: 2, layers: [{ kind: 'lstm', units: 2 }, SM(3)] });
    const { spec, weights } = encodeModel(model);
    const addon = cpu() as unknown as { nnTrainGrad: (...a: unknown[]) => number };
    const call = (dropout: unknown, key: unknown) => addon.nnTrainGrad(spec, weights, new Float32Array(20), new Int32Array([0]), 3, 0, new Float64Array([0]), null, null, null, 1, dropout, key);
    const key = new Uint32Array([1, 2]);
    expect(call(new Float32Array([0.5, 0]), key)).toBeGreaterThan(0);
    expect(() => call(new Float64Array([0.5, 0]), key)).toThrow(TypeError);
    expect(() => call(new Float64Array([0.5, 0]), key)).toThrow(/dropout must be a Float32Array/);
    expect(() => call(new Float32Array([0.5]), key)).toThrow(/dropout must have length 2/);
    expect(() => call(new Float32Array([0, 1]), key)).toThrow(/dropout\[1\] must be a rate in \[0, 1\), got 1/);
    expect(() => call(new Float32Array([NaN, 0]), key)).toThrow(/dropout\[0\] must be a rate in \[0, 1\), got NaN/);
    expect(() => call(new Float32Array([-0.1, 0]), key)).toThrow(RangeError);
    expect(() => call(new Float32Array([0.5, 0]), undefined)).toThrow(/dropoutKey must be a Uint32Array of length 2 when dropout is given/);
    expect(() => call(new Float32Array([0.5, 0]), new Uint32Array(3))).toThrow(/dropoutKey must have length 2/);
    expect(() => call(new Float32Array([0.5, 0]), new Int32Array(2))).toThrow(/dropoutKey must be a Uint32Array/);
  });
});

// ---------------------------------------------------------------------------------------------
// Trainer
// ---------------------------------------------------------------------------------------------


const dropModel = (seed = 1): Model => buildModel({ timesteps: 8, features: 3, seed, layers: [{ kind: 'lstm', units: 8 }, { kind: 'dropout', rate: 0.3 }, SM(3)] });

describe('trainer with dropout', () => {
  it('per-step keys: deterministic in (seed, step), different across steps and seeds', () => {
    expect(Array.from(dropoutStepKey(5, 17))).toEqual(Array.from(dropoutStepKey(5, 17)));
    expect(Array.from(dropoutStepKey(5, 17))).not.toEqual(Array.from(dropoutStepKey(5, 18)));
    expect(Array.from(dropoutStepKey(5, 17))).not.toEqual(Array.from(dropoutStepKey(6, 17)));
    expect(dropoutStepKey(5, 2 ** 40).length).toBe(2);
  });

  it('evaluation runs without dropout (same loss as the model with its Dropout layers removed)', () => {
    const model = randomizeWeights(dropModel(), 3, 0.4);
    const plain: Model = { ...cloneModel(model), layers: cloneModel(model).layers.filter((l) => l.kind !== 'dropout') };
    const val = toyTask(2, 100, 8, 3);
    for (const backend of hasCpu ? (['js', 'cpu'] as const) : (['js'] as const)) {
      const a = evaluate(model, val, { loss: 'crossentropy', timesteps: 8, backend });
      const b = evaluate(plain, val, { loss: 'crossentropy', timesteps: 8, backend });
      expect(a.loss).toBe(b.loss);
    }
  });

  it.runIf(hasCpu)('training with dropout is deterministic given the seed (and differs from training without it), learns the task, any thread count', () => {
    const train = toyTask(1, 600, 8, 3), val = toyTask(2, 300, 8, 3);
    const opts = { loss: 'crossentropy' as const, timesteps: 8, epochs: 4, batchSize: 32, optimizer: { kind: 'adam' as const, learningRate: 0.01 }, clipNorm: 1, seed: 3, val, backend: 'cpu' as const };
    const m1 = dropModel(), m2 = dropModel(), m3 = dropModel();
    const before = evaluate(m1, val, { loss: 'crossentropy', timesteps: 8 }).loss;
    const r1 = fit(m1, train, { ...opts, threads: 1 });
    fit(m2, train, { ...opts, threads: 2 });
    expect(Buffer.from(getParams(m1).buffer).equals(Buffer.from(getParams(m2).buffer))).toBe(true);
    expect(r1.dropout).toEqual([0, Math.fround(0.3)]);
    fit(m3, train, { ...opts, seed: 4, threads: 2 });
    expect(Buffer.from(getParams(m1).buffer).equals(Buffer.from(getParams(m3).buffer))).toBe(false);
    const plain: Model = { ...dropModel(), layers: dropModel().layers.filter((l) => l.kind !== 'dropout') };
    fit(plain, train, { ...opts, threads: 2 });
    expect(Buffer.from(getParams(m1).buffer).equals(Buffer.from(getParams(plain).buffer))).toBe(false);
    expect(evaluate(m1, val, { loss: 'crossentropy', timesteps: 8 }).loss).toBeLessThan(before - 0.1);
  });

  it('js and cpu training with dropout follow the same path (one epoch, same masks)', () => {
    if (!hasCpu) return;
    const train = toyTask(7, 64, 8, 3);
    const opts = { loss: 'crossentropy' as const, timesteps: 8, epochs: 1, batchSize: 16, optimizer: { kind: 'adam' as const, learningRate: 0.01 }, seed: 9 };
    const a = dropModel(), b = dropModel();
    const ra = fit(a, train, { ...opts, backend: 'js' });
    const rb = fit(b, train, { ...opts, backend: 'cpu' });
    expect(Math.abs(ra.history[0]!.trainLoss - rb.history[0]!.trainLoss)).toBeLessThan(1e-4);
    const pa = getParams(a), pb = getParams(b);
    for (let i = 0; i < pa.length; i++) expect(Math.abs(pa[i]! - pb[i]!)).toBeLessThan(1e-4);
  });

  it('a trained model with Dropout layers saves and loads in tf.loadLayersModel with the same outputs', async () => {
    const model = buildModel({ name: 'drop', timesteps: 8, features: 3, seed: 2, layers: [{ kind: 'dropout', rate: 0.1 }, { kind: 'gru', units: 6, returnSequences: true }, { kind: 'dropout', rate: 0.2 }, { kind: 'lstm', units: 5 }, { kind: 'dropout', rate: 0.3 }, SM(3)] });
    fit(model, toyTask(3, 96, 8, 3), { loss: 'crossentropy', timesteps: 8, epochs: 1, batchSize: 32, optimizer: { kind: 'adam', learningRate: 0.01 }, seed: 1 });
    const path = join(dir, 'drop');
    saveModel(model, path);
    const tfModel = await tf.loadLayersModel(fileIOHandler(path));
    expect(tfModel.layers.filter((l) => l.getClassName() === 'Dropout').length).toBe(3);
    const rng = new TestRng(4);
    const batch = 5;
    const x = Float64Array.from({ length: batch * 8 * 3 }, () => rng.normal());
    const theirs = tfModel.predict(tf.tensor3d(Array.from(x), [batch, 8, 3])) as tf.Tensor;
    const t = await theirs.data();
    const ours = predict(model, x, { batch, timesteps: 8 }, { backend: 'js' });
    for (let i = 0; i < ours.length; i++) expect(Math.abs(ours[i]! - t[i]!)).toBeLessThan(1e-5);
    theirs.dispose(); tfModel.dispose();
    void gatherWindows;
  });
});
