/**
 * Synchronous dispatch of a registered op to a backend. This (and the pool, which calls it
 * inside workers) is the only place that chooses a backend: strategy, risk and broker code
 * never touch an addon.
 */
import { availableParallelism } from 'node:os';
import { BackendUnavailableError } from '../errors.js';
import { nativeAddon, resolveBackend, type BackendName } from './backend.js';
import type { OpDef } from './registry.js';
import { expectInteger } from './validate.js';

export interface RunOptions {
  /** 'auto' (default: NEURION_BACKEND, else cuda > cpu > js) or a backend name. */
  backend?: BackendName | 'auto';
  /** Native threads for this call; default grows with the work (one per ~1M elements), capped at the cores. */
  threads?: number;
}

const CORES = availableParallelism();

/** Threads worth starting for `elements` of work: spawning costs ~50 us, so small jobs stay on one. */
export function defaultThreads(elements: number): number {
  return Math.max(1, Math.min(CORES, Math.ceil(elements / 1_000_000)));
}

export function runOp<A extends object, R>(op: OpDef<A, R>, args: A, opts: RunOptions = {}): R {
  op.validate(args);
  const backend = resolveBackend(opts.backend);
  if (opts.threads !== undefined) expectInteger(op.name, 'threads', opts.threads, 1, 256);
  if (backend === 'js') return op.reference(args);
  if (!op.native) {
    if (opts.backend === undefined || opts.backend === 'auto') return op.reference(args);
    throw new BackendUnavailableError(backend, `op ${op.name} has no ${backend} implementation`);
  }
  const threads = opts.threads ?? defaultThreads(workSize(args));
  return op.native(nativeAddon(backend), args, threads);
}

/** Rough element count of a call, from its typed-array arguments and shape fields. */
function workSize(args: object): number {
  const a = args as Record<string, unknown>;
  if (typeof a.paths === 'number' && typeof a.steps === 'number') return a.paths * a.steps;
  let n = 0;
  for (const v of Object.values(a)) if (ArrayBuffer.isView(v)) n = Math.max(n, (v as unknown as { length: number }).length);
  return n;
}
