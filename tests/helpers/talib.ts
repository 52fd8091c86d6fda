// Calls TA-Lib (npm `talib`, the C library) for an indicator spec with a TA-Lib mapping.
// The binding silently returns garbage for typed arrays, so inputs go in as plain arrays.
import { createRequire } from 'node:module';
import type { IndicatorSpec } from '../../src/ta/spec.js';

const require = createRequire(import.meta.url);
interface TalibFn { inputs: Array<{ name: string; type: string; flags?: Record<string, string> }> }
interface Talib {
  explain(name: string): TalibFn;
  execute(args: Record<string, unknown>): { begIndex: number; nbElement: number; result: Record<string, number[]>; error?: string };
}
export const talib = require('talib') as Talib;

export interface TalibResult {
  begIndex: number;
  /** Full-length outputs in our output order (NaN before begIndex; null where TA-Lib has no such output). */
  outputs: Array<Float64Array | null>;
}

/** Runs TA-Lib on one series. `inputs` are ours, in spec.inputs order. */
export function runTalib(spec: IndicatorSpec, inputs: readonly Float64Array[], params: readonly number[]): TalibResult {
  const m = spec.talib!;
  const n = inputs[0]!.length;
  const ours = new Map(spec.inputs.map((name, k) => [name, inputs[k]!]));
  const reals = spec.inputs.filter((s) => s === 'x' || s === 'y');
  const args: Record<string, unknown> = { name: m.name, startIdx: 0, endIdx: n - 1 };
  let r = 0;
  for (const inp of talib.explain(m.name).inputs) {
    if (inp.type === 'real') {
      const src = ours.get(reals[r++]!) ?? ours.get('close');
      args[inp.name] = Array.from(src!);
    } else {
      for (const flag of Object.values(inp.flags ?? {})) {
        const src = ours.get(flag as never) ?? (flag === 'close' ? ours.get('x') : undefined);
        if (!src) throw new Error(`${spec.name}: TA-Lib ${m.name} needs ${flag}, which the spec does not take`);
        args[flag] = Array.from(src);
      }
    }
  }
  m.params.forEach((name, k) => { if (name) args[name] = params[k]; });
  Object.assign(args, m.fixed ?? {});
  const res = talib.execute(args);
  if (res.error) throw new Error(`TA-Lib ${m.name}: ${res.error}`);
  const outputs = m.outputs.map((name) => {
    if (!name) return null;
    const out = new Float64Array(n).fill(NaN);
    const vals = res.result[name]!;
    for (let i = 0; i < res.nbElement; i++) out[res.begIndex + i] = vals[i]!;
    return out;
  });
  return { begIndex: res.nbElement > 0 ? res.begIndex : n, outputs };
}
