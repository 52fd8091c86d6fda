/**
 * Monte Carlo GBM terminal statistics: PATHS paths x 252 steps (mu 0.05, sigma 0.2, one year),
 * reduced to mean / variance / histogram without storing paths. Unit: one path-step.
 *
 * Cases (ratios against the plain-JS Box-Muller loop of the same group, same run):
 *   - plain JS Box-Muller GBM (baseline): Math.random uniforms, both Box-Muller normals used,
 *     log-price accumulated per step, terminal mean and M2 of S_T: the loop anyone would write
 *   - Neurion cpu threads=1 / threads=2: mc.simulate (Philox keyed by (seed, path, step),
 *     8-path lockstep SIMD kernel, full accumulator: moments, 4096-bin histogram, drawdown,
 *     barrier/ruin/payoff monitors), through runOp
 *   - Neurion cpu gbm-f32 threads=1 / threads=2: the same through model gbm-f32 (float32 normals
 *     and log-price, 16-lane lockstep; native/mc/mc_f32.h says why float32 is enough here)
 *   - Neurion cuda (when available; float64 kernel and the gbm-f32 kernel, include the transfers of the accumulator)
 *   - Neurion js reference on a slice (per path-step)
 * Each case is verified once first: its mean must be within 5 SE of S0 e^{mu T}.
 */
import { availableBackends, backendStatus, runOp } from '../../src/compute/index.js';
import { ACC, mcSimulateOp, type McSimulateArgs } from '../../src/mc/index.js';
import type { BenchCase, SkippedCase, SuiteModule, SuiteSpec } from '../harness.js';

const STEPS = 252;
const S0 = 100, MU = 0.05, SIGMA = 0.2, DT = 1 / STEPS;

/** The baseline: GBM terminal mean/variance with Math.random Box-Muller. */
export function gbmPlainJs(paths: number, steps: number): { mean: number; variance: number } {
  const drift = (MU - 0.5 * SIGMA * SIGMA) * DT, vol = SIGMA * Math.sqrt(DT);
  let mean = 0, m2 = 0;
  for (let p = 0; p < paths; p++) {
    let x = 0;
    for (let s = 0; s < steps; s += 2) {
      const u1 = 1 - Math.random(), u2 = Math.random();
      const r = Math.sqrt(-2 * Math.log(u1)), t = 2 * Math.PI * u2;
      x += drift + vol * r * Math.cos(t);
      if (s + 1 < steps) x += drift + vol * r * Math.sin(t);
    }
    const st = S0 * Math.exp(x);
    const d = st - mean;
    mean += d / (p + 1);
    m2 += d * (st - mean);
  }
  return { mean, variance: m2 / (paths - 1) };
}

function checkMean(what: string, mean: number, variance: number, paths: number): void {
  const exact = S0 * Math.exp(MU);
  const z = (mean - exact) / Math.sqrt(variance / paths);
  if (!(Math.abs(z) < 5)) throw new Error(`mc bench: ${what} terminal mean ${mean} is ${z.toFixed(2)} SE from ${exact}`);
}

export const mcSuite: SuiteModule = {
  name: 'mc',
  build(opts): SuiteSpec {
    const paths = opts.quick ? 20_000 : 100_000;
    const jsSlice = 2_000;
    const backends = availableBackends();
    const args = (n: number, model = 0): McSimulateArgs => ({
      model, params: Float64Array.of(S0, MU, SIGMA), data: new Float64Array(0), key: new Uint32Array([7, 0]), pathOffset: 0, paths: n, steps: STEPS, dt: DT,
      spec: Float64Array.of(4096, 20, 400, 1024, 1, 80, 70, 100),
    });
    const group = `gbm ${STEPS} steps`;
    const items = paths * STEPS;
    const cases: BenchCase[] = [];
    const skipped: SkippedCase[] = [];
    cases.push({
      name: 'plain JS Box-Muller (Math.random)', group, tag: 'peer', baseline: true, items,
      notes: `${paths} paths x ${STEPS} steps; both normals of each pair used; terminal mean/M2 only`,
      verify: () => { const r = gbmPlainJs(paths, STEPS); checkMean('plain JS', r.mean, r.variance, paths); },
      fn: () => { gbmPlainJs(paths, STEPS); },
    });
    const ours = (name: string, backend: 'cpu' | 'cuda' | 'js', threads: number, n: number, notes: string, model = 0): void => {
      cases.push({
        name, group, tag: 'ours', items: n * STEPS, notes,
        verify: () => { const a = runOp(mcSimulateOp, args(n, model), { backend, threads }); checkMean(name, a[ACC.mean]!, a[ACC.m2]! / (n - 1), n); },
        fn: () => { runOp(mcSimulateOp, args(n, model), { backend, threads }); },
      });
    };
    if (backends.includes('cpu')) {
      for (const t of [1, 2]) ours(`neurion cpu threads=${t}`, 'cpu', t, paths, `mc.simulate through runOp, model gbm (float64), ${t} native thread(s), full accumulator (moments, 4096-bin histogram, drawdown, barrier, ruin, call payoff)`);
      for (const t of [1, 2]) ours(`neurion cpu gbm-f32 threads=${t}`, 'cpu', t, paths, `model gbm-f32: float32 normals and log-price (native/mc/mc_f32.h, 16-lane AVX-512 lockstep), same accumulator in float64, ${t} native thread(s)`, 7);
    } else skipped.push({ name: 'neurion cpu', group, reason: backendStatus().find((b) => b.name === 'cpu')!.detail });
    if (backends.includes('cuda')) {
      ours('neurion cuda', 'cuda', 1, paths * 10, 'float64 kernel, 10x the paths; includes the accumulator copies');
      ours('neurion cuda gbm-f32', 'cuda', 1, paths * 100, 'gbm-f32 (float32) kernel, 100x the paths; includes the accumulator copies', 7);
    } else skipped.push({ name: 'neurion cuda', group, reason: backendStatus().find((b) => b.name === 'cuda')!.detail });
    ours(`neurion js reference (${jsSlice} paths)`, 'js', 1, jsSlice, 'TypeScript reference on a slice, reported per path-step');
    return {
      name: 'mc',
      description: `GBM terminal statistics over ${paths} paths x ${STEPS} steps (path-steps per second), reduced without storing paths`,
      unit: 'path-step',
      params: { paths, steps: STEPS, s0: S0, mu: MU, sigma: SIGMA, seed: 7, bins: 4096 },
      cases,
      skipped,
    };
  },
};
