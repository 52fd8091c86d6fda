// Shared helpers of the training tests.
import type { Model } from '../../src/models/layers.js';
import { getParams, setParams } from '../../src/models/train/grad-reference.js';
import type { WindowSet } from '../../src/models/train/trainer.js';
import { TestRng } from '../../src/util/rng.js';

/** Max over parameters of |fd - analytic| / (1e-4 + |fd|), central differences with h = 2^-12 on the float32 weights. */
export function fdError(model: Model, run: () => { loss: number; grads: Float64Array }): number {
  const p0 = getParams(model);
  const { grads } = run();
  let worst = 0;
  const h = 2 ** -12; // exact in float32 for weights of magnitude < 2^11 (24-bit mantissa)
  for (let i = 0; i < p0.length; i++) {
    const p = p0.slice();
    p[i] = p0[i]! + h; setParams(model, p);
    const lp = run().loss;
    p[i] = p0[i]! - h; setParams(model, p);
    const lm = run().loss;
    setParams(model, p0);
    const fd = (lp - lm) / (2 * h);
    worst = Math.max(worst, Math.abs(fd - grads[i]!) / (1e-4 + Math.abs(fd)));
  }
  return worst;
}

/** A learnable toy task: class = sign pattern of the mean of feature 0 over the window. */
export function toyTask(seed: number, n: number, T: number, F: number): WindowSet {
  const rng = new TestRng(seed);
  const xs = Float32Array.from({ length: (n + T) * F }, () => rng.normal());
  const starts = Int32Array.from({ length: n }, (_, i) => i);
  const target = Float64Array.from({ length: n }, (_, i) => {
    let m = 0;
    for (let t = 0; t < T; t++) m += xs[(i + t) * F]!;
    m /= Math.sqrt(T);
    return m > 0.4 ? 2 : m < -0.4 ? 0 : 1;
  });
  return { xs, starts, target };
}
