/**
 * The op registry: the single source of truth for every numeric op. Each entry carries its
 * argument validation, the TypeScript reference (the judge), the adapter to the native
 * addons (cpu and cuda export the same positional signature), and its conformance cases.
 * The public API, the conformance suite, the worker pool and the benchmarks all iterate
 * over this list.
 *
 * Adding an op = one reference (src/compute/ops/<op>.ts), one C++ file (native/ops/<op>.cpp),
 * one CUDA file (kernels/<op>.cu) and one line in OPS below.
 */
import type { NativeAddon } from './backend.js';
import type { Comparison } from './compare.js';
import type { TestRng } from '../util/rng.js';
import { smaOp } from './ops/sma.js';
import { philoxOp, philoxNormalOp } from './ops/philox.js';
import { TA_OPS } from '../ta/ops.js';
import { FEATURE_OPS } from '../ta/features.js';
import { MC_OPS } from '../mc/op.js';
import { NN_OPS } from '../models/op.js';
import { NN_TRAIN_OPS } from '../models/train/grad.js';
import { SWEEP_OPS } from '../trading/sweep/op.js';

/** A real series handed to conformance case builders. */
export interface RealSeries {
  label: string;
  /** Bar open times, ms since the epoch (UTC). */
  time: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
}

export interface OpCase<A> {
  label: string;
  args: A;
}

export interface OpDef<A extends object, R> {
  name: string;
  summary: string;
  /** Throws TypeError/RangeError naming the argument; run before every backend. */
  validate(args: A): void;
  /** TypeScript reference. Called only with validated arguments. */
  reference(args: A): R;
  /** Calls the native addon (cpu or cuda); absent when the op has no native form yet. */
  native?(addon: NativeAddon, args: A, threads: number): R;
  /**
   * Splits a job into independent row ranges for the worker pool, when the op allows it.
   * `slice` returns the arguments for rows [from, to), with `out` (always present here)
   * narrowed to those rows' part of the full output.
   */
  rows?: { count(args: A): number; slice(args: A & { out: R }, from: number, to: number): A & { out: R }; allocate(args: A, shared: boolean): R };
  conformance: {
    /** What the tolerance is and why. */
    tolerance: string;
    randomCases(rng: TestRng): OpCase<A>[];
    realCases(series: RealSeries[]): OpCase<A>[];
    compare(expected: R, actual: R): Comparison;
    /** Bad calls that must throw, from every backend: [label, args, error class, message fragment]. */
    badCases(): Array<{ label: string; args: unknown; error: typeof TypeError | typeof RangeError; match: RegExp }>;
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyOpDef = OpDef<any, any>;

export const OPS: readonly AnyOpDef[] = [smaOp, philoxOp, philoxNormalOp, ...TA_OPS, ...FEATURE_OPS, ...MC_OPS, ...SWEEP_OPS, ...NN_OPS, ...NN_TRAIN_OPS];

export function getOp(name: string): AnyOpDef {
  const op = OPS.find((o) => o.name === name);
  if (!op) throw new RangeError(`unknown op ${JSON.stringify(name)}; known ops: ${OPS.map((o) => o.name).join(', ')}`);
  return op;
}
