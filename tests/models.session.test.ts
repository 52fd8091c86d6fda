// Streaming sessions: the output after steps x_0..x_t equals the full-window forward on
// [x_0..x_t] (native: bit for bit against the native forward; js: against the reference),
// reset() restarts, bad features are rejected before the state changes, weights are snapshotted.
import { describe, expect, it } from 'vitest';
import { availableBackends } from '../src/compute/index.js';
import {
  buildModel, compileModel, createSession, predict, randomizeWeights, type LayerConfig, type Model,
} from '../src/models/index.js';
import { TestRng } from '../src/util/rng.js';

const hasCpu = availableBackends().includes('cpu');
const backends = (hasCpu ? ['cpu', 'js'] : ['js']) as Array<'cpu' | 'js'>;

const MODELS: Array<[string, LayerConfig[]]> = [
  ['LSTM(16, seq) > LSTM(12) > Dense(3)', [{ kind: 'lstm', units: 16, returnSequences: true }, { kind: 'lstm', units: 12 }, { kind: 'dense', units: 3 }]],
  ['GRU(13, seq, hard_sigmoid) > dropout > GRU(9, reset_after) > Dense(3, softmax)', [
    { kind: 'gru', units: 13, returnSequences: true, recurrentActivation: 'hard_sigmoid' }, { kind: 'dropout', rate: 0.5 },
    { kind: 'gru', units: 9, resetAfter: true }, { kind: 'dense', units: 3, activation: 'softmax' },
  ]],
  ['LSTM(7, seq) > Dense(2) per step (sequence output)', [{ kind: 'lstm', units: 7, returnSequences: true }, { kind: 'dense', units: 2, activation: 'tanh' }]],
  ['GRU(5) alone (no head)', [{ kind: 'gru', units: 5 }]],
];

function model(layers: LayerConfig[], seed: number): Model {
  return randomizeWeights(buildModel({ timesteps: null, features: 6, layers }), seed, 0.4);
}

function series(seed: number, T: number, F: number): Float64Array {
  const rng = new TestRng(seed);
  return Float64Array.from({ length: T * F }, () => rng.normal());
}

describe.each(backends)('session on %s', (backend) => {
  it.each(MODELS.map(([l, c], i) => [l, c, i] as const))('%s: step t equals the full window [0, t]', (_l, layers, i) => {
    const m = model(layers, 10 + i);
    const T = 25, F = 6;
    const x = series(20 + i, T, F);
    const net = compileModel(m, { backend });
    const s = net.createSession();
    expect(s.backend).toBe(backend);
    const units = s.outputUnits;
    let worstRef = 0;
    for (let t = 0; t < T; t++) {
      const y = s.step(x.subarray(t * F, (t + 1) * F));
      const window = x.subarray(0, (t + 1) * F);
      const full = net.predict(window, 1, t + 1);
      const last = full.subarray(full.length - units);
      if (backend === 'cpu') expect(Array.from(y)).toEqual(Array.from(last)); // bit for bit
      else for (let j = 0; j < units; j++) expect(Math.abs(y[j]! - last[j]!)).toBeLessThanOrEqual(1e-12);
      const ref = predict(m, window, { batch: 1, timesteps: t + 1 }, { backend: 'js' });
      for (let j = 0; j < units; j++) worstRef = Math.max(worstRef, Math.abs(y[j]! - ref[ref.length - units + j]!));
    }
    expect(worstRef).toBeLessThanOrEqual(backend === 'cpu' ? 2e-5 : 1e-12);
    expect(s.steps).toBe(T);
  });

  it('reset() restarts from the zero state; out, Float32Array and number[] inputs work', () => {
    const m = model(MODELS[0]![1], 3);
    const s = createSession(m, { backend });
    const x = series(4, 6, 6);
    const first = Array.from({ length: 6 }, (_, t) => Array.from(s.step(x.subarray(t * 6, t * 6 + 6))));
    s.reset();
    expect(s.steps).toBe(0);
    const out = new Float64Array(3);
    for (let t = 0; t < 6; t++) {
      const r = s.step(Array.from(x.subarray(t * 6, t * 6 + 6)), out);
      expect(r).toBe(out);
      expect(Array.from(out)).toEqual(first[t]);
    }
    s.reset();
    const o32 = new Float32Array(3);
    s.step(Float32Array.from(x.subarray(0, 6)), o32);
    for (let j = 0; j < 3; j++) expect(Math.abs(o32[j]! - first[0]![j]!)).toBeLessThanOrEqual(1e-6);
  });

  it('rejects bad features with a RangeError naming the index, before the state changes', () => {
    const m = model(MODELS[1]![1], 5);
    const s = createSession(m, { backend });
    const good = createSession(m, { backend });
    const x = series(6, 4, 6);
    for (let t = 0; t < 2; t++) { s.step(x.subarray(t * 6, t * 6 + 6)); good.step(x.subarray(t * 6, t * 6 + 6)); }
    const bad = x.slice(12, 18);
    bad[4] = NaN;
    expect(() => s.step(bad)).toThrow(RangeError);
    expect(() => s.step(bad)).toThrow(/nn\.step: features\[4\] is not finite \(NaN\)/);
    expect(() => s.step(Float64Array.of(1, 2, 3))).toThrow(/nn\.step: features must have length 6 \(the model's feature count\), got 3/);
    expect(() => s.step(Float64Array.of(1, 2, 3, 4, 5, 1e39))).toThrow(/features\[5\] = 1e\+39 is outside the float32 range/);
    expect(() => s.step(x.subarray(0, 6), new Float64Array(2))).toThrow(/out must have length 3/);
    expect(() => s.step('abc' as unknown as number[])).toThrow(TypeError);
    expect(s.steps).toBe(2);
    expect(Array.from(s.step(x.subarray(12, 18)))).toEqual(Array.from(good.step(x.subarray(12, 18))));
  });

  it('snapshots the weights: later in-place updates do not leak into a live session', () => {
    const m = model(MODELS[0]![1], 8);
    const s = createSession(m, { backend });
    const x = series(9, 1, 6);
    const before = Array.from(createSession(m, { backend }).step(x));
    (m.layers[0] as { kernel: Float32Array }).kernel.fill(0.9);
    expect(Array.from(s.step(x))).toEqual(before);
  });
});

it.runIf(hasCpu)('streaming step latency (printed, not asserted): LSTM(128) > LSTM(128) > Dense(3), 16 features', () => {
  const m = randomizeWeights(buildModel({
    timesteps: 60, features: 16,
    layers: [{ kind: 'lstm', units: 128, returnSequences: true }, { kind: 'lstm', units: 128 }, { kind: 'dense', units: 3 }],
  }), 1, 0.1);
  const x = series(2, 1, 16);
  const out = new Float64Array(3);
  for (const backend of ['cpu', 'js'] as const) {
    const s = createSession(m, { backend });
    const n = backend === 'cpu' ? 2000 : 50;
    for (let i = 0; i < n / 10; i++) s.step(x, out);
    const t0 = performance.now();
    for (let i = 0; i < n; i++) s.step(x, out);
    console.info(`session step ${backend}: ${((1000 * (performance.now() - t0)) / n).toFixed(2)} us/step`);
  }
});
