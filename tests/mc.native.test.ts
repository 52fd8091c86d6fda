// Native specifics of mc.simulate: the CPU's SIMD lockstep GBM kernel gives the scalar path's
// bits; the CUDA addon validates exactly like the CPU addon (no GPU needed) and, with a
// device, matches the CPU.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { availableBackends, runOp } from '../src/compute/index.js';
import { ACC, compareAccumulators, mcSimulateOp, type McSimulateArgs } from '../src/mc/index.js';
import { specAround, type McAddon } from '../src/mc/op.js';
import { projectRoot } from '../src/util/paths.js';

const hasCpu = availableBackends().includes('cpu');
const gbm = (pathOffset: number, paths: number): McSimulateArgs => ({
  model: 0, params: Float64Array.of(100, 0.05, 0.3), data: new Float64Array(0), key: new Uint32Array([5, 6]), pathOffset, paths, steps: 23, dt: 1 / 252,
  spec: specAround(100, 0.5, { bins: 1000 }),
});

describe.runIf(hasCpu)('cpu lockstep kernel', () => {
  it('8-path lockstep groups give exactly the scalar per-path values', () => {
    // A 1-path call runs the scalar path; a 16-path call two lockstep groups.
    const single = Array.from({ length: 16 }, (_, p) => runOp(mcSimulateOp, gbm(p, 1), { backend: 'cpu', threads: 1 })[ACC.min]!);
    const group = runOp(mcSimulateOp, gbm(0, 16), { backend: 'cpu', threads: 1 });
    expect(group[ACC.min]).toBe(Math.min(...single));
    expect(group[ACC.max]).toBe(Math.max(...single));
    const sum = group.subarray(40 + 1000, 40 + 2000).reduce((s, x) => s + x, 0);
    expect(sum).toBeCloseTo(single.reduce((s, x) => s + x, 0), 9);
  });
  it('gbm-f32: 16-path float32 lockstep groups give exactly the scalar per-path values, and the js reference\'s bits', () => {
    const f32 = (pathOffset: number, paths: number): McSimulateArgs => ({ ...gbm(pathOffset, paths), model: 7, steps: 37 });
    // 35 paths: two 16-lane groups + a 3-path scalar tail.
    const single = Array.from({ length: 35 }, (_, p) => runOp(mcSimulateOp, f32(p, 1), { backend: 'cpu', threads: 1 }));
    const js = Array.from({ length: 35 }, (_, p) => runOp(mcSimulateOp, f32(p, 1), { backend: 'js' }));
    // One path: min = the terminal value S0 e^x, and ddMax its drawdown -expm1(mindd). x is a
    // float32: one float32 ulp of x moves the value by ~1e-9 relative; the only difference
    // allowed is libm's exp vs V8's (1 double ulp).
    for (let p = 0; p < 35; p++) {
      for (const slot of [ACC.min, ACC.ddMax]) {
        const a = single[p]![slot]!, b = js[p]![slot]!;
        expect(Math.abs(a - b)).toBeLessThanOrEqual(4e-16 * Math.abs(b));
      }
    }
    const group = runOp(mcSimulateOp, f32(0, 35), { backend: 'cpu', threads: 1 });
    expect(group[ACC.min]).toBe(Math.min(...single.map((a) => a[ACC.min]!)));
    expect(group[ACC.max]).toBe(Math.max(...single.map((a) => a[ACC.max]!)));
    expect(group[ACC.ddMax]).toBe(Math.max(...single.map((a) => a[ACC.ddMax]!)));
  });
  it('gbm-f32 simulates the same scenario as gbm up to float32 rounding (same Philox draws)', () => {
    for (let p = 0; p < 20; p++) {
      const a = runOp(mcSimulateOp, gbm(p, 1), { backend: 'cpu', threads: 1 })[ACC.min]!;
      const b = runOp(mcSimulateOp, { ...gbm(p, 1), model: 7 }, { backend: 'cpu', threads: 1 })[ACC.min]!;
      expect(Math.abs(b - a) / a).toBeLessThan(2e-6);
    }
  });
});

const cudaPath = join(projectRoot(), 'build-cuda/Release/neurion_cuda.node');
const cpuPath = join(projectRoot(), 'build/Release/neurion.node');
const haveCuda = existsSync(cudaPath) && existsSync(cpuPath);
if (!haveCuda) console.warn('mc.native: CUDA addon not built (npm run build:cuda); skipping its checks');
describe.runIf(haveCuda)('cuda addon mcSimulate', () => {
  // vitest still runs this factory when skipped: load the addons only when they exist.
  const require = createRequire(import.meta.url);
  const cuda = (haveCuda ? require(cudaPath) : undefined) as McAddon & { deviceCount(): number };
  const cpu = (haveCuda ? require(cpuPath) : undefined) as McAddon;
  const spec = specAround(100, 0.5);
  const e = new Float64Array(0);
  const bad: Array<[string, unknown[]]> = [
    ['negative sigma', [0, Float64Array.of(100, 0.05, -0.2), e, new Uint32Array(2), 0, 10, 5, 1 / 252, spec]],
    ['bad spec', [0, Float64Array.of(100, 0.05, 0.2), e, new Uint32Array(2), 0, 10, 5, 1 / 252, Float64Array.of(0, 0, 1, 1, 1, NaN, NaN, NaN)]],
    ['params as array', [0, [100, 0.05, 0.2], e, new Uint32Array(2), 0, 10, 5, 1 / 252, spec]],
    ['zero paths', [0, Float64Array.of(100, 0.05, 0.2), e, new Uint32Array(2), 0, 0, 5, 1 / 252, spec]],
    ['multi upper triangle', [6, Float64Array.of(2, 100, 100, 0, 0, 1, 1), Float64Array.of(0.2, 0.1, 0, 0.2), new Uint32Array(2), 0, 10, 5, 1 / 252, spec]],
    ['out too short', [0, Float64Array.of(100, 0.05, 0.2), e, new Uint32Array(2), 0, 10, 5, 1 / 252, spec, new Float64Array(3)]],
  ];
  it.each(bad)('rejects %s with the CPU addon\'s error', (_l, args) => {
    let ce: Error | undefined, ge: Error | undefined;
    try { (cpu.mcSimulate as (...a: unknown[]) => unknown)(...args); } catch (x) { ce = x as Error; }
    try { (cuda.mcSimulate as (...a: unknown[]) => unknown)(...args); } catch (x) { ge = x as Error; }
    expect(ce).toBeDefined();
    expect(ge?.constructor).toBe(ce!.constructor);
    expect(ge?.message).toBe(ce!.message);
  });
  it('valid call: matches the CPU with a device, else a clear Error', () => {
    const a = gbm(0, 5000);
    const call = (m: McAddon): Float64Array => m.mcSimulate(a.model, a.params, a.data, a.key, a.pathOffset, a.paths, a.steps, a.dt, a.spec);
    if (cuda.deviceCount() === 0) {
      console.info('mc cuda: no CUDA device here; only validation parity checked');
      expect(() => call(cuda)).toThrow(/mc\.simulate: CUDA: no CUDA device available/);
      return;
    }
    const c = compareAccumulators(call(cpu), call(cuda));
    expect(c.ok, c.detail).toBe(true);
  });
});
