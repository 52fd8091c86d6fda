// Same seed -> same scenario on js and cpu (and cuda where present), for any thread count,
// chunking and pool vs inline execution; merging is exact for counts and associative up to
// rounding for moments; runs stay within bounded memory and can be cancelled.
import { afterAll, describe, expect, it } from 'vitest';
import { availableBackends, ComputePool, runOp } from '../src/compute/index.js';
import { ACC, compareAccumulators, mcSimulateOp, mergeAccumulators, runMonteCarlo, validateConfig, type McSimulateArgs } from '../src/mc/index.js';
import { specAround } from '../src/mc/op.js';

const backends = availableBackends();
const hasCpu = backends.includes('cpu');

function args(model: number, params: number[], paths: number, steps: number, extra: Partial<McSimulateArgs> = {}): McSimulateArgs {
  return {
    model, params: Float64Array.from(params), data: new Float64Array(0), key: new Uint32Array([123, 456]), pathOffset: 0, paths, steps, dt: 1 / 252,
    spec: specAround(100, 0.4, { bins: 128, barrier: 110, ruin: 92, strike: 101 }), ...extra,
  };
}

const MODELS: Array<[string, McSimulateArgs]> = [
  ['gbm', args(0, [100, 0.05, 0.3], 1001, 33)],
  ['merton', args(1, [100, 0.05, 0.2, 8, -0.05, 0.1], 501, 30)],
  ['heston', args(2, [100, 0.03, 0.04, 1.5, 0.05, 0.6, -0.6], 501, 30)],
  ['garch-t', args(3, [100, 0.0003, 3e-6, 0.09, 0.88, 2e-4, 6], 301, 25)],
];

describe('determinism', () => {
  it.each(MODELS)('%s: every backend gives the js reference scenario', (_name, a) => {
    const ref = runOp(mcSimulateOp, a, { backend: 'js' });
    for (const b of backends.filter((x) => x !== 'js')) {
      const got = runOp(mcSimulateOp, a, { backend: b, threads: 1 });
      const c = compareAccumulators(ref, got);
      expect(c.ok, `${b}: ${c.detail}`).toBe(true);
    }
  });

  it.runIf(hasCpu).each(MODELS)('%s: cpu thread counts 1, 2, 3, 7 agree (counts exactly)', (_name, a) => {
    const one = runOp(mcSimulateOp, a, { backend: 'cpu', threads: 1 });
    for (const t of [2, 3, 7]) {
      const c = compareAccumulators(one, runOp(mcSimulateOp, a, { backend: 'cpu', threads: t }));
      expect(c.ok, `threads ${t}: ${c.detail}`).toBe(true);
    }
  });

  it.each(backends)('%s: chunked runs merged equal one run; merging is associative', (b) => {
    const a = args(0, [100, 0.05, 0.3], 900, 17);
    const whole = runOp(mcSimulateOp, a, { backend: b, threads: 1 });
    const part = (from: number, to: number): Float64Array => runOp(mcSimulateOp, { ...a, pathOffset: from, paths: to - from }, { backend: b, threads: 1 });
    const [p1, p2, p3] = [part(0, 100), part(100, 555), part(555, 900)];
    const left = mergeAccumulators([mergeAccumulators([p1, p2]), p3]);
    const right = mergeAccumulators([p1, mergeAccumulators([p2, p3])]);
    for (const [label, m] of [['left', left], ['right', right]] as const) {
      const c = compareAccumulators(whole, m);
      expect(c.ok, `${label}: ${c.detail}`).toBe(true);
    }
    // Counts and histogram bins are exactly equal; moments only to rounding.
    expect(left[ACC.count]).toBe(900);
    expect(left.subarray(40, 40 + 128)).toEqual(whole.subarray(40, 40 + 128));
  });

  it('merging refuses accumulators of different configurations', () => {
    const a = runOp(mcSimulateOp, args(0, [100, 0.05, 0.3], 10, 5), { backend: 'js' });
    const b = runOp(mcSimulateOp, { ...args(0, [100, 0.05, 0.3], 10, 5), spec: specAround(100, 0.5, { bins: 128, barrier: 110, ruin: 92, strike: 101 }) }, { backend: 'js' });
    expect(() => mergeAccumulators([a, b])).toThrow(/configurations differ in histLo/);
  });
});

describe('engine', () => {
  let pool: ComputePool | undefined;
  afterAll(async () => pool?.destroy());
  const cfg = { model: { type: 'gbm' as const, s0: 100, mu: 0.05, sigma: 0.2 }, paths: 40_000, steps: 20, seed: 99, chunkPaths: 4096, strike: 100, barrier: 85, lossThreshold: 10 };

  it.runIf(hasCpu)('pool and inline runs give the same bits (chunk size independent of workers)', async () => {
    pool = new ComputePool({ maxThreads: 2, backend: 'cpu' });
    const inline = await runMonteCarlo({ ...cfg, backend: 'cpu' }, { inline: true });
    let calls = 0;
    const pooled = await runMonteCarlo({ ...cfg, backend: 'cpu' }, { pool, onProgress: () => calls++ });
    expect(Array.from(pooled.accumulator)).toEqual(Array.from(inline.accumulator));
    expect(calls).toBe(pooled.chunks);
    expect(pooled.maxBufferedChunks).toBeLessThanOrEqual(2 * pool.threads);
  });

  it('js and cpu engines agree; separate runs merge into the whole run', async () => {
    const js = await runMonteCarlo({ ...cfg, paths: 3000, backend: 'js', histLo: 40, histHi: 200 });
    if (hasCpu) {
      const cpu = await runMonteCarlo({ ...cfg, paths: 3000, backend: 'cpu', histLo: 40, histHi: 200 });
      expect(compareAccumulators(js.accumulator, cpu.accumulator).ok).toBe(true);
    }
    const a = await runMonteCarlo({ ...cfg, paths: 1000, backend: 'js', histLo: 40, histHi: 200 });
    const b = await runMonteCarlo({ ...cfg, paths: 2000, pathOffset: 1000, backend: 'js', histLo: 40, histHi: 200 });
    const c = compareAccumulators(js.accumulator, mergeAccumulators([a.accumulator, b.accumulator]));
    expect(c.ok, c.detail).toBe(true);
  });

  it('memory is bounded: many chunks, at most one buffered inline; 1e9 paths plan ~954 chunks of 2^20', async () => {
    const r = await runMonteCarlo({ model: { type: 'gbm', s0: 100, mu: 0, sigma: 0.2 }, paths: 300_000, steps: 1, chunkPaths: 1000, seed: 1 }, { inline: true });
    expect(r.chunks).toBe(300);
    expect(r.maxBufferedChunks).toBe(1);
    expect(r.paths).toBe(300_000);
    const v = validateConfig({ model: { type: 'gbm', s0: 100, mu: 0, sigma: 0.2 }, paths: 1e9, steps: 252 });
    expect(v.chunkPaths).toBe(2 ** 20);
    expect(Math.ceil(1e9 / v.chunkPaths)).toBe(954);
  });

  it('a 1e9-path run starts, reports progress and cancels cleanly', async () => {
    const ac = new AbortController();
    let progress = 0;
    const run = runMonteCarlo({ model: { type: 'gbm', s0: 100, mu: 0, sigma: 0.2 }, paths: 1e9, steps: 1, seed: 3, pilotPaths: 1000 }, {
      inline: true, signal: ac.signal, onProgress: (d) => { progress = d; ac.abort(); },
    });
    await expect(run).rejects.toThrow(/cancel|abort/i);
    expect(progress).toBe(2 ** 20);
  });

  it('returns a sample of full paths consistent with the run (same scenarios)', async () => {
    const r = await runMonteCarlo({ ...cfg, paths: 50, samplePaths: 5, backend: 'js', chunkPaths: 50 });
    const s = r.samples!;
    expect(s.values.length).toBe(5 * 21);
    expect(s.values[0]).toBe(100);
    // Path 0's terminal value is within the run's [min, max].
    expect(s.values[20]!).toBeGreaterThanOrEqual(r.min);
    expect(s.values[20]!).toBeLessThanOrEqual(r.max);
  });
});
