// TF.js Layers format interop: models saved by Neurion load in @tensorflow/tfjs (through
// fileIOHandler) and give the same outputs; models built and saved by TF.js load in Neurion
// with the same outputs; GRU reset_after = true (which TF.js refuses) is checked against a
// hand-written float64 PyTorch-form reference; bad files fail with clear errors.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableBackends } from '../src/compute/index.js';
import {
  ModelFormatError, buildModel, compileModel, fileIOHandler, loadModel, modelWeights, predict, randomizeWeights, saveModel,
  type GruLayer, type LayerConfig, type Model,
} from '../src/models/index.js';
import { TestRng } from '../src/util/rng.js';

const hasCpu = availableBackends().includes('cpu');
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'neurion-tfjs-'));
  await tf.setBackend('cpu');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function randomX(seed: number, n: number): Float64Array {
  const rng = new TestRng(seed);
  return Float64Array.from({ length: n }, () => rng.normal());
}

async function tfjsPredict(m: tf.LayersModel, x: Float64Array, batch: number, T: number, F: number): Promise<Float64Array> {
  const input = tf.tensor3d(Float32Array.from(x), [batch, T, F]);
  const y = m.predict(input) as tf.Tensor;
  const data = Float64Array.from(await y.data());
  input.dispose();
  y.dispose();
  return data;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

const NEURION_MODELS: Array<{ label: string; timesteps: number | null; features: number; layers: LayerConfig[] }> = [
  {
    label: 'LSTM(12, seq, hard_sigmoid) > dropout > LSTM(7, sigmoid) > Dense(3, softmax)', timesteps: 9, features: 5,
    layers: [
      { kind: 'lstm', units: 12, returnSequences: true, recurrentActivation: 'hard_sigmoid' },
      { kind: 'dropout', rate: 0.25 },
      { kind: 'lstm', units: 7 },
      { kind: 'dense', units: 3, activation: 'softmax' },
    ],
  },
  {
    label: 'GRU(10, seq, reset_after false) > GRU(6, no bias, relu) > Dense(2, tanh)', timesteps: 8, features: 4,
    layers: [
      { kind: 'gru', units: 10, returnSequences: true, recurrentActivation: 'hard_sigmoid' },
      { kind: 'gru', units: 6, useBias: false, activation: 'relu' },
      { kind: 'dense', units: 2, activation: 'tanh' },
    ],
  },
  {
    label: 'any-length LSTM(9, seq) > Dense(4, sigmoid) per time step', timesteps: null, features: 3,
    layers: [{ kind: 'lstm', units: 9, returnSequences: true }, { kind: 'dense', units: 4, activation: 'sigmoid' }],
  },
];

describe('Neurion -> TF.js', () => {
  it.each(NEURION_MODELS.map((m, i) => [m.label, m, i] as const))('%s: loads in tf.loadLayersModel with the same outputs (<= 1e-5)', async (_l, spec, i) => {
    const model = randomizeWeights(buildModel({ ...spec, name: `m${i}` }), 100 + i, 0.35);
    const path = join(dir, `neurion-${i}`);
    const { shards } = saveModel(model, path, { shardBytes: 1024 }); // several shards, weights spanning them
    expect(shards.length).toBeGreaterThan(1);
    const tfModel = await tf.loadLayersModel(fileIOHandler(path));
    const batch = 4, T = spec.timesteps ?? 11;
    const x = randomX(7 + i, batch * T * spec.features);
    const theirs = await tfjsPredict(tfModel, x, batch, T, spec.features);
    const ref = predict(model, x, { batch, timesteps: T }, { backend: 'js' });
    const dRef = maxAbsDiff(theirs, ref);
    expect(dRef).toBeLessThanOrEqual(1e-5);
    if (hasCpu) {
      const cpu = predict(model, x, { batch, timesteps: T }, { backend: 'cpu' });
      expect(maxAbsDiff(theirs, cpu)).toBeLessThanOrEqual(1e-5);
    }
    console.info(`neurion->tfjs ${spec.label}: max |tfjs - neurion reference| = ${dRef.toExponential(2)}`);
    tfModel.dispose();
  });

  it('save -> load in Neurion is lossless (bit-identical weights, same config)', () => {
    const model = randomizeWeights(buildModel({ ...NEURION_MODELS[0]!, name: 'rt' }), 5);
    const path = join(dir, 'roundtrip');
    saveModel(model, path);
    const back = loadModel(path);
    expect(back.timesteps).toBe(model.timesteps);
    expect(back.features).toBe(model.features);
    expect(back.layers.map((l) => [l.kind, l.name])).toEqual(model.layers.map((l) => [l.kind, l.name]));
    const a = modelWeights(model), b = modelWeights(back);
    expect(b.map((w) => [w.name, w.shape])).toEqual(a.map((w) => [w.name, w.shape]));
    a.forEach((w, k) => expect(Buffer.from(b[k]!.data.buffer).equals(Buffer.from(w.data.buffer))).toBe(true));
  });
});

describe('TF.js -> Neurion', () => {
  async function tfjsModel(build: (m: tf.Sequential) => void, seed: number): Promise<tf.Sequential> {
    const m = tf.sequential();
    build(m);
    // Random weights everywhere (TF.js initialises biases to zero, which would hide bias bugs).
    const rng = new TestRng(seed);
    m.setWeights(m.getWeights().map((w) => tf.tensor(Float32Array.from({ length: w.size }, () => 0.35 * rng.normal()), w.shape)));
    return m;
  }

  const CASES: Array<{ label: string; T: number; F: number; build: (m: tf.Sequential) => void }> = [
    {
      label: 'tf LSTM(16, seq) > LSTM(8) > Dense(3) (TF.js defaults: hard_sigmoid)', T: 10, F: 6,
      build: (m) => {
        m.add(tf.layers.lstm({ units: 16, inputShape: [10, 6], returnSequences: true }));
        m.add(tf.layers.lstm({ units: 8 }));
        m.add(tf.layers.dense({ units: 3 }));
      },
    },
    {
      label: 'tf GRU(11, seq, sigmoid) > dropout > GRU(5) > Dense(4, softmax)', T: 7, F: 3,
      build: (m) => {
        m.add(tf.layers.gru({ units: 11, inputShape: [7, 3], returnSequences: true, recurrentActivation: 'sigmoid' }));
        m.add(tf.layers.dropout({ rate: 0.3 }));
        m.add(tf.layers.gru({ units: 5 }));
        m.add(tf.layers.dense({ units: 4, activation: 'softmax' }));
      },
    },
    {
      label: 'tf LSTM(6, no bias, relu) on any-length input > Dense(2, relu)', T: 5, F: 2,
      build: (m) => {
        m.add(tf.layers.lstm({ units: 6, inputShape: [null, 2], useBias: false, activation: 'relu' }));
        m.add(tf.layers.dense({ units: 2, activation: 'relu' }));
      },
    },
  ];

  it.each(CASES.map((c, i) => [c.label, c, i] as const))('%s: same outputs (<= 1e-5)', async (_l, c, i) => {
    const m = await tfjsModel(c.build, 40 + i);
    const path = join(dir, `tfjs-${i}`);
    await m.save(fileIOHandler(path));
    const model = loadModel(path);
    const batch = 5;
    const x = randomX(90 + i, batch * c.T * c.F);
    const theirs = await tfjsPredict(m, x, batch, c.T, c.F);
    const ref = predict(model, x, { batch, timesteps: c.T }, { backend: 'js' });
    const d = maxAbsDiff(theirs, ref);
    expect(d).toBeLessThanOrEqual(1e-5);
    if (hasCpu) expect(maxAbsDiff(theirs, predict(model, x, { batch, timesteps: c.T }, { backend: 'cpu' }))).toBeLessThanOrEqual(1e-5);
    console.info(`tfjs->neurion ${c.label}: max |tfjs - neurion reference| = ${d.toExponential(2)}`);
    m.dispose();
  });
});

describe('GRU reset_after = true (Keras 2 / cuDNN / PyTorch form)', () => {
  /**
   * Hand-written float64 GRU in the PyTorch form, independent of src/models/reference.ts:
   *   r = s(W_ir x + b_ir + W_hr h + b_hr), z = s(W_iz x + b_iz + W_hz h + b_hz)
   *   n = tanh(W_in x + b_in + r * (W_hn h + b_hn)),  h' = (1 - z) * n + z * h
   * with W_i* = kernel columns (Keras [in, 3u], gates z, r, h), b_i* = bias row 0, b_h* = bias row 1.
   */
  function torchGru(l: GruLayer, xs: number[][]): number[] {
    const u = l.units, g = 3 * u;
    const W = (k: number, c: number): number => l.kernel[k * g + c]!;
    const U = (k: number, c: number): number => l.recurrentKernel[k * g + c]!;
    const bi = (c: number): number => l.bias![c]!, bh = (c: number): number => l.bias![g + c]!;
    const sig = (v: number): number => 1 / (1 + Math.exp(-v));
    let h = new Array<number>(u).fill(0);
    for (const x of xs) {
      const lin = (col: number, src: number[], M: (k: number, c: number) => number): number => src.reduce((s, v, k) => s + v * M(k, col), 0);
      const next = new Array<number>(u);
      for (let j = 0; j < u; j++) {
        const z = sig(lin(j, x, W) + bi(j) + lin(j, h, U) + bh(j));
        const r = sig(lin(u + j, x, W) + bi(u + j) + lin(u + j, h, U) + bh(u + j));
        const n = Math.tanh(lin(2 * u + j, x, W) + bi(2 * u + j) + r * (lin(2 * u + j, h, U) + bh(2 * u + j)));
        next[j] = (1 - z) * n + z * h[j]!;
      }
      h = next;
    }
    return h;
  }

  const model = randomizeWeights(buildModel({ timesteps: 6, features: 4, layers: [{ kind: 'gru', units: 9, resetAfter: true }] }), 77, 0.5);
  const batch = 3;
  const x = randomX(78, batch * 6 * 4);
  const expected: number[] = [];
  for (let b = 0; b < batch; b++) {
    const xs = Array.from({ length: 6 }, (_, t) => Array.from(x.subarray((b * 6 + t) * 4, (b * 6 + t + 1) * 4)));
    expected.push(...torchGru(model.layers[0] as GruLayer, xs));
  }

  it('the reference matches the hand-written PyTorch-form GRU (<= 1e-12)', () => {
    expect(maxAbsDiff(predict(model, x, { batch, timesteps: 6 }, { backend: 'js' }), expected)).toBeLessThanOrEqual(1e-12);
  });

  it.runIf(hasCpu)('the cpu backend matches it (<= 1e-5)', () => {
    expect(maxAbsDiff(predict(model, x, { batch, timesteps: 6 }, { backend: 'cpu' }), expected)).toBeLessThanOrEqual(1e-5);
    expect(maxAbsDiff(compileModel(model, { backend: 'cpu' }).predict(x, batch, 6), expected)).toBeLessThanOrEqual(1e-5);
  });

  it('saves with reset_after true and a [2, 3u] bias, round-trips in Neurion, and TF.js refuses it', async () => {
    const path = join(dir, 'gru-reset-after');
    saveModel(model, path);
    const json = JSON.parse(readFileSync(join(path, 'model.json'), 'utf8'));
    expect(json.modelTopology.config.layers[0].config.reset_after).toBe(true);
    expect(json.weightsManifest[0].weights[2]).toEqual({ name: 'gru_1/bias', shape: [2, 27], dtype: 'float32' });
    const back = loadModel(path);
    expect((back.layers[0] as GruLayer).resetAfter).toBe(true);
    expect(maxAbsDiff(predict(back, x, { batch, timesteps: 6 }, { backend: 'js' }), expected)).toBeLessThanOrEqual(1e-12);
    await expect(tf.loadLayersModel(fileIOHandler(path))).rejects.toThrow(/reset_after|resetAfter/i);
  });

  it('a GRU config without reset_after but with a [2, 3u] bias (Keras h5 conversions) loads as reset_after', () => {
    const path = join(dir, 'gru-implicit');
    saveModel(model, path);
    const file = join(path, 'model.json');
    const json = JSON.parse(readFileSync(file, 'utf8'));
    delete json.modelTopology.config.layers[0].config.reset_after;
    writeFileSync(file, JSON.stringify(json));
    expect((loadModel(path).layers[0] as GruLayer).resetAfter).toBe(true);
  });
});

describe('bad model files fail with clear errors', () => {
  const base = randomizeWeights(buildModel({ timesteps: 4, features: 3, layers: [{ kind: 'lstm', units: 4 }, { kind: 'dense', units: 2 }] }), 9);

  function variant(name: string, edit: (json: Record<string, any>, path: string) => void): string {
    const path = join(dir, `bad-${name}`);
    saveModel(base, path);
    const file = join(path, 'model.json');
    const json = JSON.parse(readFileSync(file, 'utf8'));
    edit(json, path);
    writeFileSync(file, JSON.stringify(json));
    return path;
  }
  const shard = (path: string): string => join(path, 'group1-shard1of1.bin');

  const CASES: Array<[string, () => string, RegExp]> = [
    ['unsupported layer type', () => variant('conv', (j) => { j.modelTopology.config.layers[1].class_name = 'Conv1D'; }), /layer 1 \(Conv1D 'dense_1'\): unsupported layer type "Conv1D"; supported: InputLayer, LSTM, GRU, Dense, Dropout/],
    ['unsupported activation', () => variant('elu', (j) => { j.modelTopology.config.layers[1].config.activation = 'elu'; }), /layer 1 \(Dense 'dense_1'\): unsupported activation "elu"/],
    ['return_state', () => variant('state', (j) => { j.modelTopology.config.layers[0].config.return_state = true; }), /layer 0 \(LSTM 'lstm_1'\): return_state: true is not supported/],
    ['stateful', () => variant('stateful', (j) => { j.modelTopology.config.layers[0].config.stateful = true; }), /stateful: true is not supported \(for streaming use createSession/],
    ['go_backwards', () => variant('back', (j) => { j.modelTopology.config.layers[0].config.go_backwards = true; }), /go_backwards: true is not supported/],
    ['functional model', () => variant('functional', (j) => { j.modelTopology.class_name = 'Model'; }), /only Sequential models are supported; modelTopology.class_name is "Model"/],
    ['graph model', () => variant('graph', (j) => { j.format = 'graph-model'; }), /format "graph-model" is not supported/],
    ['wrong weight shape', () => variant('shape', (j) => { j.weightsManifest[0].weights[0].shape = [4, 16]; j.weightsManifest[0].weights[1].shape = [3, 16]; }), /weight 'lstm_1\/kernel' has shape \[4, 16\], expected \[3, 16\] for LSTM\(4\) on input width 3/],
    ['missing weight', () => variant('missing', (j) => { j.weightsManifest[0].weights[1].name = 'other/x'; }), /weight 'lstm_1\/recurrent_kernel' \(shape \[4, 16\]\) is missing/],
    ['non-float32 dtype', () => variant('dtype', (j) => { j.weightsManifest[0].weights[0].dtype = 'int32'; }), /weight 'lstm_1\/kernel' has dtype "int32"; only float32/],
    ['quantized weights', () => variant('quant', (j) => { j.weightsManifest[0].weights[0].quantization = { dtype: 'uint8', scale: 1, min: 0 }; }), /weight 'lstm_1\/kernel' is quantized/],
    ['truncated shard', () => { const p = variant('trunc', () => {}); const b = readFileSync(shard(p)); writeFileSync(shard(p), b.subarray(0, b.length - 6)); return p; }, /weight data is 546 bytes but the manifest needs 552 \(truncated or corrupted shard\?\)/],
    ['oversized shard', () => { const p = variant('over', () => {}); writeFileSync(shard(p), Buffer.concat([readFileSync(shard(p)), Buffer.alloc(8)])); return p; }, /560 bytes but the manifest needs 552 \(oversized/],
    ['NaN in a shard', () => { const p = variant('nan', () => {}); const b = readFileSync(shard(p)); b.writeFloatLE(NaN, 4 * 70); writeFileSync(shard(p), b); return p; }, /weight 'lstm_1\/recurrent_kernel' index 22 is NaN \(corrupted shard\?\)/],
    ['missing shard file', () => { const p = variant('noshard', () => {}); rmSync(shard(p)); return p; }, /cannot read weight shard "group1-shard1of1.bin" \(ENOENT\)/],
    ['shard path leaving the directory', () => variant('escape', (j) => { j.weightsManifest[0].paths = ['../../etc/passwd']; }), /must be relative to the model.json directory and stay inside it/],
    ['bad JSON', () => { const p = variant('json', () => {}); writeFileSync(join(p, 'model.json'), '{"modelTopology": {'); return p; }, /model.json: not valid JSON/],
    ['no input shape', () => variant('noinput', (j) => { delete j.modelTopology.config.layers[0].config.batch_input_shape; }), /the input shape must be \[batch, timesteps, features\]/],
    ['no model file', () => join(dir, 'does-not-exist'), /cannot read the model file \(ENOENT\)/],
  ];

  it.each(CASES)('%s', (_label, make, match) => {
    const path = make();
    expect(() => loadModel(path)).toThrow(ModelFormatError);
    expect(() => loadModel(path)).toThrow(match);
  });

  it('a model passed to saveModel is validated first', () => {
    const broken: Model = { ...base, layers: [{ ...base.layers[0]!, kernel: new Float32Array(3) } as Model['layers'][number], base.layers[1]!] };
    expect(() => saveModel(broken, join(dir, 'never'))).toThrow(/saveModel: layer 0 \(lstm_1\): kernel must have 48 values/);
  });
});
