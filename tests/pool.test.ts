// The compute worker pool: same results as a direct call, progress, cancellation, and an
// event loop that keeps ticking while a long native job runs.
import { afterAll, describe, expect, it } from 'vitest';
import { ComputePool, availableBackends, philoxKey, sma, toShared, philoxNormal } from '../src/compute/index.js';
import { TestRng, freshSeed } from '../src/util/rng.js';

const backend = availableBackends().includes('cpu') ? 'cpu' : 'js';
const pool = new ComputePool({ maxThreads: 1, backend });
afterAll(() => pool.destroy());

describe(`ComputePool (${backend})`, () => {
  it('gives the same result as a direct call, in chunks, with progress', async () => {
    const seed = freshSeed();
    const rng = new TestRng(seed);
    const rows = 37, cols = 1500;
    const x = new Float64Array(rows * cols).map(() => 100 + rng.normal());
    const progress: number[] = [];
    const viaPool = await pool.run<Float64Array>('sma', { x, rows, cols, period: 20 }, { chunkRows: 5, onProgress: (d) => progress.push(d) });
    expect(Array.from(viaPool), `seed ${seed}`).toEqual(Array.from(sma(x, { rows, cols, period: 20 }, { backend })));
    expect(progress.at(-1)).toBe(rows);
    expect(progress.length).toBe(Math.ceil(rows / 5));
    for (let i = 1; i < progress.length; i++) expect(progress[i]!).toBeGreaterThan(progress[i - 1]!);
  });

  it('writes into a caller-provided shared output without copying it', async () => {
    const x = toShared(new Float64Array(4 * 100).map((_, i) => i));
    const out = new Float64Array(new SharedArrayBuffer(400 * 8));
    const r = await pool.run<Float64Array>('sma', { x, rows: 4, cols: 100, period: 3, out });
    expect(r).toBe(out);
    expect(out[2]).toBe(1);
    expect(out[399]).toBe(398);
  });

  it('random normals through the pool equal a single direct call (chunking never changes draws)', async () => {
    const args = { key: philoxKey(99), stream: 0, pathOffset: 0, paths: 103, steps: 50 };
    const r = await pool.run<Float64Array>('philoxNormal', args, { chunkRows: 10 });
    expect(Array.from(r)).toEqual(Array.from(philoxNormal({ seed: 99, paths: 103, steps: 50 }, { backend })));
  });

  it('validates arguments before queuing', async () => {
    await expect(pool.run('sma', { x: new Float64Array(4), rows: 1, cols: 4, period: 9 })).rejects.toThrow(/period must be an integer in \[1, 4\], got 9/);
    await expect(pool.run('nope', {})).rejects.toThrow(/unknown op "nope"/);
  });

  it('cancels a job through its AbortSignal and stays usable', async () => {
    const controller = new AbortController();
    let done = 0;
    const job = pool.run('philoxNormal', { key: philoxKey(1), stream: 0, pathOffset: 0, paths: 20_000, steps: 1000 }, {
      chunkRows: 500,
      signal: controller.signal,
      onProgress: (d) => { done = d; controller.abort(); },
    });
    await expect(job).rejects.toThrow(/abort|cancel/i);
    expect(done).toBeLessThan(20_000);
    const after = await pool.run<Float64Array>('sma', { x: new Float64Array([1, 2, 3]), rows: 1, cols: 3, period: 3 });
    expect(after[2]).toBe(2);
  });

  it('keeps the event loop responsive during a 2-second native job', async () => {
    // Back-to-back pool jobs of 8M normals each (~0.2-0.5 s apiece) for two seconds, while a
    // 1 ms timer records how late each tick fires on the main thread.
    const out = new Float64Array(new SharedArrayBuffer(8_000_000 * 8));
    const lags: number[] = [];
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      lags.push(now - last - 1);
      last = now;
    }, 1);
    const start = performance.now();
    let jobs = 0;
    while (performance.now() - start < 2000) {
      await pool.run('philoxNormal', { key: philoxKey(jobs), stream: 0, pathOffset: 0, paths: 8000, steps: 1000, out }, { chunkRows: 8000 });
      jobs++;
    }
    clearInterval(timer);
    lags.sort((a, b) => a - b);
    const p50 = lags[Math.floor(lags.length * 0.5)]!, p99 = lags[Math.floor(lags.length * 0.99)]!, max = lags.at(-1)!;
    console.info(`event loop during ${jobs} native jobs over ${(performance.now() - start).toFixed(0)} ms: ${lags.length} ticks, lag p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms, max ${max.toFixed(2)} ms`);
    expect(lags.length).toBeGreaterThan(500); // a blocked loop would tick a handful of times
    expect(p50).toBeLessThan(2);
    expect(p99).toBeLessThan(10);
  }, 20_000);
});
