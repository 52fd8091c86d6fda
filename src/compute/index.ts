/**
 * Public compute API: typed arrays in, typed arrays out, explicit shapes. Every function
 * validates its arguments identically whatever the backend, then dispatches (run.ts).
 * For large jobs off the main thread use ComputePool (pool.ts).
 */
import { runOp, type RunOptions } from './run.js';
import { smaOp } from './ops/sma.js';
import { philoxKey, philoxNormalOp, philoxOp } from './ops/philox.js';

export { backendStatus, availableBackends, resolveBackend, type BackendName, type BackendStatus } from './backend.js';
export { OPS, getOp, type OpDef, type AnyOpDef } from './registry.js';
export { runOp, defaultThreads, type RunOptions } from './run.js';
export { ComputePool, toShared, type PoolOptions, type JobOptions } from './pool.js';
export { compareArrays, compareExact, type Tolerance, type Comparison } from './compare.js';
export { philoxKey, philoxBlock } from './ops/philox.js';
export { smaLookback } from './ops/sma.js';

export interface Shape {
  rows: number;
  cols: number;
}

/** Simple moving average of each row of a [rows x cols] float64 matrix (TA-Lib SMA). */
export function sma(x: Float64Array, shape: Shape & { period: number; out?: Float64Array }, opts: RunOptions = {}): Float64Array {
  return runOp(smaOp, { x, rows: shape.rows, cols: shape.cols, period: shape.period, out: shape.out }, opts);
}

/** Raw Philox4x32-10 blocks for counters counter, counter+1, ... (4 uint32 per block). */
export function philox4x32(key: Uint32Array, counter: Uint32Array, blocks: number, opts: RunOptions = {}): Uint32Array {
  return runOp(philoxOp, { key, counter, blocks }, opts);
}

export interface NormalGrid {
  seed: number | bigint;
  paths: number;
  steps: number;
  /** First global path index (for chunked runs); default 0. */
  pathOffset?: number;
  /** Independent stream number for the same (seed, path, step); default 0. */
  stream?: number;
  out?: Float64Array;
}

/** Standard normals for a [paths x steps] grid keyed by (seed, path, step, stream). */
export function philoxNormal(g: NormalGrid, opts: RunOptions = {}): Float64Array {
  return runOp(
    philoxNormalOp,
    { key: philoxKey(g.seed), stream: g.stream ?? 0, pathOffset: g.pathOffset ?? 0, paths: g.paths, steps: g.steps, out: g.out },
    opts,
  );
}
