// Writes recurrent-model parity cases for bench/gpu/torch_peers.py (run on the GPU machine,
// where PyTorch is): a Keras/TF2-style GRU (reset_after = true, sigmoid recurrent activation:
// the form cuDNN and PyTorch implement, which tfjs refuses) and an LSTM, with random weights,
// random inputs and Neurion's outputs (TypeScript float64 reference and the cpu addon).
//   node bench/gpu/export-rnn-cases.mjs <out.json>
import { writeFileSync } from 'node:fs';
import { buildModel, randomizeWeights, referenceForward, predict } from '../../dist/src/models/index.js';
import { availableBackends } from '../../dist/src/compute/index.js';
import { TestRng } from '../../dist/src/util/rng.js';

const out = process.argv[2] ?? 'rnn-cases.json';
const rng = new TestRng(20261123);
const F = 8, U = 32, T = 40, B = 16;
const cases = [];
for (const kind of ['gru', 'lstm']) {
  const layer = kind === 'gru' ? { kind, units: U, resetAfter: true, recurrentActivation: 'sigmoid' } : { kind, units: U, recurrentActivation: 'sigmoid' };
  const model = randomizeWeights(buildModel({ timesteps: null, features: F, layers: [layer], seed: 7 }), 11, 0.3);
  const x = Float32Array.from({ length: B * T * F }, () => rng.normal());
  const ref = referenceForward(model, Float64Array.from(x), B, T);
  const cpu = availableBackends().includes('cpu') ? predict(model, x, { batch: B, timesteps: T }, { backend: 'cpu' }) : null;
  const L = model.layers[0];
  cases.push({
    kind, features: F, units: U, timesteps: T, batch: B, resetAfter: kind === 'gru',
    kernel: Array.from(L.kernel), recurrentKernel: Array.from(L.recurrentKernel), bias: L.bias ? Array.from(L.bias) : null,
    x: Array.from(x), expectedReference: Array.from(ref), expectedCpu: cpu ? Array.from(cpu) : null,
  });
}
writeFileSync(out, JSON.stringify({ note: 'Keras layouts: kernel [F, G*U], recurrent [U, G*U], gates GRU (z, r, h) / LSTM (i, f, c, o); GRU reset_after bias [2, 3U] (input row, recurrent row)', cases }));
console.log(`wrote ${out}: ${cases.map((c) => c.kind).join(', ')}`);
