// nnTrainGrad on the GPU, the benchmark model: LSTM(128, seq) -> LSTM(128) -> Dense(3, softmax),
// 60 steps x 16 features, batch 256 (bench/suites/lstm-train.ts runs the same step with clip +
// Adam end to end). Checks the result against the CPU addon first, then times the call alone
// and prints lastTimings() (copies vs kernels). No device: prints SKIP and exits 0.
//
//   node kernels/test/train-bench.cjs [iterations=50] [batch=256]
//   NEURION_CUDA_GRAPHS=0 node kernels/test/train-bench.cjs      (direct launches, no graph)
'use strict';
const path = require('node:path');
const root = path.join(__dirname, '..', '..');
const cuda = require(path.join(root, 'build-cuda/Release/neurion_cuda.node'));
const cpu = require(path.join(root, 'build/Release/neurion.node'));

const iters = Number(process.argv[2] ?? 50), B = Number(process.argv[3] ?? 256);
const T = 60, F = 16, U = 128, C = 3;
if (cuda.deviceCount() === 0) {
  let why = 'no CUDA device';
  try { cuda.deviceInfo(); } catch (e) { why = e.message; }
  console.log(`SKIP: ${why}`);
  process.exit(0);
}
if (typeof cuda.nnTrainGrad !== 'function') throw new Error('the CUDA addon has no nnTrainGrad: npm run build:cuda');

// spec (native/nn/nn_spec.h): [version, layers, F, T] + 8 ints per layer
const spec = Int32Array.from([1, 3, F, 0,
  1, U, F, 1, 2, 1, 1, 0,
  1, U, U, 1, 2, 0, 1, 0,
  3, C, U, 5, 0, 0, 1, 0]);
const nparams = (F * 4 * U + U * 4 * U + 4 * U) + (U * 4 * U * 2 + 4 * U) + (U * C + C);
let seed = 12345;
const rnd = () => { seed = (seed * 1103515245 + 12345) >>> 0; return seed / 4294967296; };
const params = Float32Array.from({ length: nparams }, () => (rnd() * 2 - 1) * 0.1);
const xs = Float32Array.from({ length: B * T * F }, () => rnd() * 2 - 1);
const starts = Int32Array.from({ length: B }, (_, b) => b * T);
const target = Float64Array.from({ length: B }, () => Math.floor(rnd() * C));
const run = (addon, threads) => {
  const grads = new Float64Array(nparams), outputs = new Float64Array(B * C);
  const loss = addon.nnTrainGrad(spec, params, xs, starts, T, 0, target, null, grads, outputs, threads);
  return { loss, grads, outputs };
};

// correctness first: |diff| <= 2e-4 + 2e-3 |cpu| on the loss, every gradient and output
const e = run(cpu, 2), a = run(cuda, 1);
let bad = 0, worst = 0;
const check = (x, y) => { const r = Math.abs(x - y) / (2e-4 + 2e-3 * Math.abs(x)); worst = Math.max(worst, r); if (!(r <= 1)) bad++; };
check(e.loss, a.loss);
e.grads.forEach((x, i) => check(x, a.grads[i]));
e.outputs.forEach((x, i) => check(x, a.outputs[i]));
console.log(`device: ${cuda.deviceInfo().name}; check vs cpu: ${bad} of ${1 + nparams + B * C} values outside tolerance (worst ${worst.toFixed(3)} of it)`);
if (bad) process.exitCode = 1;

for (let i = 0; i < 3; i++) run(cuda, 1);  // warm-up (workspace, graph capture)
const t0 = process.hrtime.bigint();
const sum = { h2dMs: 0, kernelMs: 0, d2hMs: 0 };
for (let i = 0; i < iters; i++) {
  run(cuda, 1);
  const t = cuda.lastTimings();
  sum.h2dMs += t.h2dMs; sum.kernelMs += t.kernelMs; sum.d2hMs += t.d2hMs;
}
const ms = Number(process.hrtime.bigint() - t0) / 1e6 / iters;
const flop = 18.62e9 * (B / 256);
console.log(`nnTrainGrad batch ${B}: ${ms.toFixed(3)} ms/call = ${(B / ms * 1e3).toFixed(0)} sequences/s ` +
  `(device: h2d ${(sum.h2dMs / iters).toFixed(3)} ms, kernels ${(sum.kernelMs / iters).toFixed(3)} ms = ` +
  `${(flop / (sum.kernelMs / iters) / 1e9).toFixed(2)} TFLOP/s, d2h ${(sum.d2hMs / iters).toFixed(3)} ms); ${cuda.lastTimings().kernel}`);
