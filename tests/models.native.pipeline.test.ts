// The native batch-1 paths and the GEMM shapes the SIMD kernels special-case: one thread runs
// layer by layer over time chunks (each layer's input part for a chunk as one GEMM); two threads
// run a two-stage pipeline when the model has two or more recurrent layers (a helper thread runs
// the layers before the second recurrent layer, the caller the rest one step behind); batches
// use 8-row tiles and their tails. Every result equals every other path and the streaming
// session bit for bit.
import { describe, expect, it } from 'vitest';
import { availableBackends } from '../src/compute/backend.js';
import { buildModel, compileModel, createSession, predict, randomizeWeights, type LayerConfig } from '../src/models/index.js';
import { TestRng } from '../src/util/rng.js';

const hasCpu = availableBackends().includes('cpu');

const stacks: [string, LayerConfig[]][] = [
  ['LSTM(40,seq) > LSTM(24) > Dense(3, softmax)', [{ kind: 'lstm', units: 40, returnSequences: true }, { kind: 'lstm', units: 24 }, { kind: 'dense', units: 3, activation: 'softmax' }]],
  ['GRU(33,seq) > Dense(7) > GRU(20,seq) > Dense(2)', [{ kind: 'gru', units: 33, returnSequences: true }, { kind: 'dense', units: 7, activation: 'tanh' }, { kind: 'gru', units: 20, returnSequences: true }, { kind: 'dense', units: 2 }]],
  ['GRU(17,seq,resetAfter) > LSTM(9,seq) > GRU(5,resetAfter)', [{ kind: 'gru', units: 17, returnSequences: true, resetAfter: true }, { kind: 'lstm', units: 9, returnSequences: true }, { kind: 'gru', units: 5, resetAfter: true }]],
  ['LSTM(64,seq,hard_sigmoid) > GRU(48) > Dense(1)', [{ kind: 'lstm', units: 64, returnSequences: true, recurrentActivation: 'hard_sigmoid' }, { kind: 'gru', units: 48 }, { kind: 'dense', units: 1 }]],
  // Wider second layers: stage 0 also precomputes the input part of some (or all) of layer 2's
  // gate panels, stage 1 continues them.
  ['LSTM(32,seq) > LSTM(48,seq) > Dense(3)', [{ kind: 'lstm', units: 32, returnSequences: true }, { kind: 'lstm', units: 48, returnSequences: true }, { kind: 'dense', units: 3 }]],
  ['GRU(16,seq,resetAfter) > LSTM(64) > Dense(2)', [{ kind: 'gru', units: 16, returnSequences: true, resetAfter: true }, { kind: 'lstm', units: 64 }, { kind: 'dense', units: 2 }]],
  ['LSTM(8,seq) > GRU(40) > Dense(2)', [{ kind: 'lstm', units: 8, returnSequences: true }, { kind: 'gru', units: 40 }, { kind: 'dense', units: 2 }]],
  ['LSTM(8,seq) > GRU(40,resetAfter) > Dense(2)', [{ kind: 'lstm', units: 8, returnSequences: true }, { kind: 'gru', units: 40, resetAfter: true }, { kind: 'dense', units: 2 }]],
];

describe.runIf(hasCpu)('cpu batch-1 pipeline and GEMM tile shapes', () => {
  for (const [name, layers] of stacks) {
    it(`${name}: threads 2 (pipeline) == threads 1 == session, all bits; batch rows == single rows`, () => {
      const T = 37, F = 5; // > 32: the batch-1 one-thread path runs more than one time chunk
      const model = randomizeWeights(buildModel({ timesteps: T, features: F, layers }), 31, 0.4);
      const net = compileModel(model, { backend: 'cpu' });
      const rng = new TestRng(77);
      const batch = 19;
      const x = Float64Array.from({ length: batch * T * F }, () => rng.normal());
      const all = net.predict(x, batch, T, { threads: 2 });
      const width = all.length / batch;
      for (const r of [0, 7, 8, 18]) {
        const xr = x.subarray(r * T * F, (r + 1) * T * F);
        const one = net.predict(xr, 1, T, { threads: 1 });
        const two = net.predict(xr, 1, T, { threads: 2 });
        expect(Array.from(two)).toEqual(Array.from(one));
        expect(Array.from(one)).toEqual(Array.from(all.subarray(r * width, (r + 1) * width)));
      }
      // The streaming session ends on the same bits as the window.
      const s = createSession(model, { backend: 'cpu' });
      let y: Float64Array | Float32Array = new Float64Array(0);
      for (let t = 0; t < T; t++) y = s.step(x.subarray(t * F, (t + 1) * F));
      const one = net.predict(x.subarray(0, T * F), 1, T, { threads: 2 });
      const lastRow = one.subarray(one.length - y.length);
      expect(Array.from(y)).toEqual(Array.from(lastRow));
      // And stays within the float32 tolerance of the float64 reference.
      const ref = predict(model, x, { batch, timesteps: T }, { backend: 'js' });
      let worst = 0;
      for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(ref[i]! - all[i]!));
      expect(worst).toBeLessThanOrEqual(2e-5);
    });
  }
});
