/**
 * The compute worker pool (piscina). Large jobs run off the main thread so the event loop
 * never stalls; row-splittable ops are cut into chunks that run in parallel, report
 * progress as chunks finish, and stop promptly when their AbortSignal fires.
 *
 * Zero-copy: inputs backed by a SharedArrayBuffer are shared with the workers as they are;
 * other inputs are copied once into shared memory (`toShared`) rather than once per chunk.
 * Chunk outputs are written in place into a shared output array.
 */
import { setMaxListeners } from 'node:events';
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { distPath } from '../util/paths.js';
import { resolveBackend, type BackendName } from './backend.js';
import { getOp, type AnyOpDef } from './registry.js';
import type { WorkerTask } from './worker.js';

export interface PoolOptions {
  /** Worker threads; default: cores - 1 (at least 1), leaving a core for the event loop. */
  maxThreads?: number;
  /** Default backend for jobs ('auto' resolves in the main thread, once). */
  backend?: BackendName | 'auto';
}

export interface JobOptions {
  signal?: AbortSignal;
  /** Called after each finished chunk with (rows done, rows total). */
  onProgress?: (done: number, total: number) => void;
  /** Rows per chunk; default splits the job into ~4 chunks per worker. */
  chunkRows?: number;
  backend?: BackendName | 'auto';
}

type Typed = Float64Array | Float32Array | Uint32Array | Int32Array;

/** A copy of `a` in shared memory (or `a` itself when it already is). */
export function toShared<T extends Typed>(a: T): T {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const Ctor = a.constructor as { new (b: SharedArrayBuffer): T };
  const s = new Ctor(new SharedArrayBuffer(a.byteLength));
  s.set(a as never);
  return s;
}

function abortError(signal: AbortSignal): Error {
  const reason = signal.reason as unknown;
  if (reason instanceof Error) return reason;
  const e = new Error('compute job was cancelled');
  e.name = 'AbortError';
  return e;
}

export class ComputePool {
  private readonly piscina: Piscina;
  private readonly backend: BackendName;
  readonly threads: number;

  constructor(opts: PoolOptions = {}) {
    this.threads = opts.maxThreads ?? Math.max(1, availableParallelism() - 1);
    this.backend = resolveBackend(opts.backend);
    this.piscina = new Piscina({
      filename: distPath('src/compute/worker.js'),
      minThreads: 1,
      maxThreads: this.threads,
      idleTimeout: 30_000,
    });
  }

  /** Runs an op; row-splittable ops run as parallel chunks with progress and cancellation. */
  async run<R>(opName: string, args: object, job: JobOptions = {}): Promise<R> {
    const op = getOp(opName);
    op.validate(args);
    const backend = job.backend ? resolveBackend(job.backend) : this.backend;
    if (job.signal?.aborted) throw abortError(job.signal);
    if (!op.rows) {
      const task: WorkerTask = { op: op.name, args, backend, threads: 1, inPlace: false };
      const r = (await this.piscina.run(task, job.signal ? { signal: job.signal } : {})) as R;
      job.onProgress?.(1, 1);
      return r;
    }
    return this.runChunked<R>(op, args, backend, job);
  }

  private async runChunked<R>(op: AnyOpDef, args: object, backend: BackendName, job: JobOptions): Promise<R> {
    const rows = op.rows!;
    const total = rows.count(args);
    const shared = shareInputs(args);
    // The caller's output: `out` (one array) or `outputs` (several), used in place when shared.
    const userOut = (args as { out?: Typed }).out ?? (args as { outputs?: Typed[] }).outputs;
    const out = userOut && isShared(userOut) ? userOut : (rows.allocate(args, true) as Typed | Typed[]);
    const full = { ...shared, out };
    const chunk = Math.max(1, job.chunkRows ?? Math.ceil(total / (this.threads * 4)));

    const controller = new AbortController();
    // One abort listener per queued chunk task: lift Node's default cap of 10.
    setMaxListeners(0, controller.signal);
    const onAbort = (): void => controller.abort(job.signal!.reason);
    job.signal?.addEventListener('abort', onAbort, { once: true });
    let done = 0;
    try {
      const tasks: Promise<unknown>[] = [];
      for (let from = 0; from < total; from += chunk) {
        const to = Math.min(total, from + chunk);
        const task: WorkerTask = { op: op.name, args: rows.slice(full, from, to), backend, threads: 1, inPlace: true };
        tasks.push(
          this.piscina.run(task, { signal: controller.signal }).then(() => {
            done += to - from;
            job.onProgress?.(done, total);
          }),
        );
      }
      await Promise.all(tasks).catch((e: unknown) => {
        controller.abort(e);
        throw job.signal?.aborted ? abortError(job.signal) : e;
      });
    } finally {
      job.signal?.removeEventListener('abort', onAbort);
    }
    if (userOut && userOut !== out) {
      if (Array.isArray(userOut)) userOut.forEach((u, k) => u.set((out as Typed[])[k] as never));
      else userOut.set(out as never);
      return userOut as unknown as R;
    }
    return out as unknown as R;
  }

  async destroy(): Promise<void> {
    await this.piscina.destroy();
  }
}

function isTyped(v: unknown): v is Typed {
  return ArrayBuffer.isView(v) && !(v instanceof DataView);
}

function isShared(v: Typed | Typed[]): boolean {
  return Array.isArray(v) ? v.every((a) => a.buffer instanceof SharedArrayBuffer) : v.buffer instanceof SharedArrayBuffer;
}

/** Arguments with every typed array (also inside arrays; outputs excluded) moved to shared memory once. */
function shareInputs(args: object): Record<string, unknown> {
  const r: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(args)) {
    if (k === 'out' || k === 'outputs') continue;
    r[k] = isTyped(v) ? toShared(v) : Array.isArray(v) && v.every(isTyped) ? v.map((a) => toShared(a as Typed)) : v;
  }
  return r;
}
