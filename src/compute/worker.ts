/**
 * Piscina worker: runs one op call (or one row-range chunk of it) synchronously on the
 * requested backend. Chunk outputs are written straight into SharedArrayBuffer-backed
 * arrays, so nothing is copied back; whole results are returned as transferables.
 */
import { move } from 'piscina';
import { getOp } from './registry.js';
import { runOp } from './run.js';
import type { BackendName } from './backend.js';

export interface WorkerTask {
  op: string;
  args: object;
  backend: BackendName;
  threads: number;
  /** When true the result is written into args.out (shared memory) and not returned. */
  inPlace: boolean;
}

export default function runTask(task: WorkerTask): unknown {
  const result = runOp(getOp(task.op), task.args, { backend: task.backend, threads: task.threads });
  if (task.inPlace) return null;
  if (ArrayBuffer.isView(result) && !(result.buffer instanceof SharedArrayBuffer)) return move(result as unknown as ArrayBuffer);
  return result;
}
