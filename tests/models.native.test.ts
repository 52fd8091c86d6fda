// The native nn entry points directly: handle type checks, spec/weight validation, activation
// accuracy, determinism across thread counts and batch blocking, float32 in/out, overflow.
import { describe, expect, it } from 'vitest';
import { availableBackends, nativeAddon } from '../src/compute/backend.js';
import {
  buildModel, compileModel, encodeModel, nnAddon, outputShape, predict, randomSmallModel, randomizeWeights, validateModel,
  type DenseLayer, type Model,
} from '../src/models/index.js';
import { TestRng } from '../src/util/rng.js';

const hasCpu = availableBackends().includes('cpu');

describe.runIf(hasCpu)('cpu addon nn entry points', () => {
  const nn = nnAddon(nativeAddon('cpu'));
  const model = randomizeWeights(buildModel({ timesteps: 5, features: 3, layers: [{ kind: 'gru', units: 6 }, { kind: 'dense', units: 2 }] }), 1);
  const { spec, weights } = encodeModel(model);

  it('rejects handles of the wrong kind (no crash)', () => {
    const h = nn.nnCompile(spec, weights);
    const s = nn.nnSession(h);
    expect(() => nn.nnForward({} as never, new Float64Array(15), 1, 5)).toThrow(/nn\.forward: model must be a model handle from nnCompile, got object/);
    expect(() => nn.nnForward(s as never, new Float64Array(15), 1, 5)).toThrow(TypeError);
    expect(() => nn.nnStep(h as never, new Float64Array(3))).toThrow(/nn\.step: session must be a session handle from nnSession/);
    expect(() => nn.nnReset(42 as never)).toThrow(TypeError);
    expect(() => nn.nnSession(undefined as never)).toThrow(TypeError);
  });

  it('validates the spec and the weights', () => {
    const bad = (mut: (s: Int32Array) => void): Int32Array => { const c = spec.slice(); mut(c); return c; };
    expect(() => nn.nnCompile(new Float64Array(4) as never, weights)).toThrow(/nn\.compile: spec must be a Int32Array/);
    expect(() => nn.nnCompile(spec, new Float64Array(weights.length) as never)).toThrow(/weights must be a Float32Array/);
    expect(() => nn.nnCompile(spec, weights.subarray(1))).toThrow(/nn\.compile: weights must have length 194 .* got 193/);
    expect(() => nn.nnCompile(bad((s) => { s[0] = 2; }), weights)).toThrow(/spec format version must be 1, got 2/);
    expect(() => nn.nnCompile(bad((s) => { s[4] = 9; }), weights)).toThrow(/layer 0: kind must be 1 \(lstm\), 2 \(gru\) or 3 \(dense\), got 9/);
    expect(() => nn.nnCompile(bad((s) => { s[6] = 4; }), weights)).toThrow(/layer 0: inputDim must equal the previous layer's output width 3, got 4/);
    expect(() => nn.nnCompile(bad((s) => { s[7] = 5; }), weights)).toThrow(/activation code must be in \[0, 4\], got 5/);
    expect(() => nn.nnCompile(bad((s) => { s[5] = 0; }), weights)).toThrow(/units must be in \[1, 4096\], got 0/);
    expect(() => nn.nnCompile(spec.subarray(0, 10), weights)).toThrow(/spec must have length 20/);
    const w = weights.slice();
    w[100] = Infinity;
    expect(() => nn.nnCompile(spec, w)).toThrow(/nn\.compile: weight layer 0 \(gru\) recurrent_kernel index 46 is not finite \(Infinity\)/);
  });

  it('validates forward and step arguments with the TS messages', () => {
    const h = nn.nnCompile(spec, weights);
    const x = new Float64Array(2 * 5 * 3);
    expect(() => nn.nnForward(h, x, 2, 4)).toThrow(/sequence length mismatch: the model expects 5 timesteps, got 4/);
    x[17] = NaN;
    expect(() => nn.nnForward(h, x, 2, 5)).toThrow(/nn\.forward: x at batch 1, time 0, feature 2 is not finite \(NaN\)/);
    const x32 = new Float32Array(2 * 5 * 3);
    x32[4] = -Infinity;
    expect(() => nn.nnForward(h, x32, 2, 5)).toThrow(/x at batch 0, time 1, feature 1 is not finite \(-Infinity\)/);
    expect(() => nn.nnForward(h, new Float64Array(30), 2, 5, new Float64Array(3))).toThrow(/out must have length 4/);
    const shared = new Float64Array(34);
    expect(() => nn.nnForward(h, shared.subarray(0, 30), 2, 5, shared.subarray(28, 32))).toThrow(/out must not share memory with x/);
    expect(() => nn.nnForward(h, new Float64Array(30), 2, 5, undefined, 0)).toThrow(/threads must be an integer in \[1, 256\]/);
    const s = nn.nnSession(h);
    expect(() => nn.nnStep(s, new Float64Array(4))).toThrow(/features must have length 3/);
    expect(() => nn.nnStep(s, Float64Array.of(0, NaN, 0))).toThrow(/nn\.step: features\[1\] is not finite \(NaN\)/);
  });

  it('a randomised argument fuzz only ever throws TypeError / RangeError', () => {
    const rng = new TestRng(99);
    const h = nn.nnCompile(spec, weights);
    const sess = nn.nnSession(h);
    const values = (): unknown => {
      const k = rng.int(0, 11);
      return [undefined, null, -1, 0, 1, 2.5, NaN, 2 ** 40, 'x', {}, new Float64Array(rng.int(0, 40)), new Float32Array(rng.int(0, 40))][k];
    };
    const fns: Array<(...a: unknown[]) => unknown> = [
      (...a) => (nn.nnCompile as Function)(...a), (...a) => (nn.nnForward as Function)(h, ...a),
      (...a) => (nn.nnStep as Function)(sess, ...a), (...a) => (nn.nnForward as Function)(...a),
      (...a) => (nn.nnCompile as Function)(spec, ...a),
    ];
    for (let i = 0; i < 400; i++) {
      const args = Array.from({ length: rng.int(0, 6) }, values);
      try {
        fns[i % fns.length]!(...args);
      } catch (e) {
        expect(e instanceof TypeError || e instanceof RangeError, String(e)).toBe(true);
      }
    }
  });

  it('float32 overflow surfaces as a RangeError, never a silent Inf/NaN', () => {
    const m = buildModel({ timesteps: 2, features: 1, layers: [{ kind: 'dense', units: 1 }] });
    (m.layers[0] as DenseLayer).kernel[0] = 3e38;
    expect(() => predict(m, Float64Array.of(10, 10), { batch: 1, timesteps: 2 }, { backend: 'cpu' })).toThrow(/output at batch 0, index 0 is not finite \(float32 overflow/);
  });
});

describe.runIf(hasCpu)('cpu numerics', () => {
  it('activations: float32 Cephes exp/tanh/sigmoid within 3e-7 of float64 over [-20, 20]', () => {
    const n = 4001;
    const acts = ['tanh', 'sigmoid', 'hard_sigmoid', 'relu'] as const;
    for (const activation of acts) {
      const m = buildModel({ timesteps: 1, features: 1, layers: [{ kind: 'dense', units: 1, activation, useBias: false }] });
      (m.layers[0] as DenseLayer).kernel[0] = 1;
      const x = Float32Array.from({ length: n }, (_, i) => -20 + (40 * i) / (n - 1));
      const y = compileModel(m, { backend: 'cpu' }).predict(x, n, 1);
      const ref = predict(m, x, { batch: n, timesteps: 1 }, { backend: 'js' });
      let worst = 0;
      for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(y[i]! - ref[i]!));
      expect(worst, activation).toBeLessThanOrEqual(3e-7);
    }
  });

  it('results do not depend on threads, batch blocking (32) or 4-row GEMM tiles; float32 and float64 I/O agree', () => {
    const rng = new TestRng(5);
    const m = randomSmallModel(rng, { features: 4, timesteps: 9 });
    const batch = 71;
    const x = Float64Array.from({ length: batch * 9 * 4 }, () => rng.normal());
    const net = compileModel(m, { backend: 'cpu' });
    const a = net.predict(x, batch, 9, { threads: 1 });
    const b = net.predict(x, batch, 9, { threads: 2 });
    const c = net.predict(Float32Array.from(x), batch, 9, { threads: 3, out: new Float32Array(a.length) });
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(Array.from(c)).toEqual(Array.from(a).map(Math.fround));
    // Each row alone gives the same bits as inside the batch.
    const { units } = outputShape(m);
    for (const r of [0, 31, 32, 70]) {
      const one = net.predict(x.subarray(r * 36, (r + 1) * 36), 1, 9);
      expect(Array.from(one)).toEqual(Array.from(a.subarray(r * units, (r + 1) * units)));
    }
  });

  it('unbounded (relu / linear) recurrences: float32 error stays relative to the output scale', () => {
    const m = randomizeWeights(buildModel({ timesteps: 13, features: 3, layers: [{ kind: 'gru', units: 9, activation: 'linear', returnSequences: true }, { kind: 'gru', units: 4, activation: 'relu' }, { kind: 'dense', units: 7, activation: 'relu' }] }), 8, 0.6);
    const rng = new TestRng(12);
    const x = Float64Array.from({ length: 5 * 13 * 3 }, () => rng.normal());
    const ref = predict(m, x, { batch: 5, timesteps: 13 }, { backend: 'js' });
    const cpu = predict(m, x, { batch: 5, timesteps: 13 }, { backend: 'cpu' });
    const scale = Math.max(...Array.from(ref, Math.abs));
    for (let k = 0; k < ref.length; k++) expect(Math.abs(ref[k]! - cpu[k]!)).toBeLessThanOrEqual(1e-5 * (1 + scale));
  });

  it('error against the float64 reference stays far inside the conformance tolerance (2e-5)', () => {
    const rng = new TestRng(11);
    let worst = 0;
    for (let i = 0; i < 12; i++) {
      const F = rng.int(1, 8), T = rng.int(1, 30), B = rng.int(1, 6);
      const m = randomSmallModel(rng, { features: F, timesteps: T, sequenceOut: i % 3 === 0 });
      const x = Float64Array.from({ length: B * T * F }, () => rng.normal());
      const ref = predict(m, x, { batch: B, timesteps: T }, { backend: 'js' });
      const cpu = predict(m, x, { batch: B, timesteps: T }, { backend: 'cpu' });
      for (let k = 0; k < ref.length; k++) worst = Math.max(worst, Math.abs(ref[k]! - cpu[k]!));
    }
    console.info(`max |cpu - reference| over 12 random models: ${worst.toExponential(2)}`);
    expect(worst).toBeLessThanOrEqual(2e-6);
  });
});

describe('model validation and building', () => {
  it('buildModel names layers, sets Keras initial weights, and validates', () => {
    const m = buildModel({ timesteps: 3, features: 2, layers: [{ kind: 'lstm', units: 4, returnSequences: true }, { kind: 'dropout', rate: 0.1 }, { kind: 'lstm', units: 4 }, { kind: 'dense', units: 1 }] });
    expect(m.layers.map((l) => l.name)).toEqual(['lstm_1', 'dropout_1', 'lstm_2', 'dense_1']);
    const l0 = m.layers[0] as { bias: Float32Array; recurrentKernel: Float32Array };
    expect(Array.from(l0.bias)).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0]); // unit forget bias
    // Orthogonal recurrent kernel: rows orthonormal.
    for (let i = 0; i < 4; i++) {
      let d = 0;
      for (let k = 0; k < 16; k++) d += l0.recurrentKernel[i * 16 + k]! * l0.recurrentKernel[i * 16 + k]!;
      expect(d).toBeCloseTo(1, 5);
    }
  });

  it('rejects broken models naming the layer and field', () => {
    const m = buildModel({ timesteps: 3, features: 2, layers: [{ kind: 'lstm', units: 4 }, { kind: 'dense', units: 1 }] });
    const rnnAfterFlat: Model = { ...m, layers: [m.layers[0]!, { ...m.layers[0]!, name: 'x', inputDim: 4, kernel: new Float32Array(64) } as Model['layers'][number]] };
    expect(() => validateModel('t', rnnAfterFlat)).toThrow(/t: layer 1 \(x\): LSTM needs a sequence input, but the previous recurrent layer has returnSequences false/);
    expect(() => validateModel('t', { ...m, features: 0 })).toThrow(/t: model.features must be an integer in \[1, 65536\], got 0/);
    expect(() => validateModel('t', { ...m, layers: [{ ...m.layers[0]!, activation: 'elu' } as unknown as Model['layers'][number], m.layers[1]!] })).toThrow(/layer 0 \(lstm_1\): activation must be one of linear, tanh, sigmoid, hard_sigmoid, relu; got "elu"/);
    expect(() => validateModel('t', { ...m, layers: [m.layers[0]!, { ...m.layers[1]!, inputDim: 3 } as Model['layers'][number]] })).toThrow(/layer 1 \(dense_1\): inputDim must be 4/);
    expect(() => validateModel('t', { ...m, layers: [m.layers[0]!, { ...m.layers[1]!, name: 'lstm_1' } as Model['layers'][number]] })).toThrow(/duplicate layer name "lstm_1"/);
    expect(() => validateModel('t', { ...m, layers: [] })).toThrow(/at least one LSTM, GRU or Dense layer/);
  });
});
