/**
 * Path samples as an Arrow IPC file (long format, for plotting): columns path (Int32),
 * step (Int32), t (Float64, years) and value (Float64).
 */
import { writeFileSync } from 'node:fs';
import { tableFromArrays, tableToIPC } from 'apache-arrow';

export interface PathSamples {
  paths: number;
  steps: number;
  dt: number;
  values: Float64Array;
}

export function pathSamplesTable(s: PathSamples): ReturnType<typeof tableFromArrays> {
  const n = s.paths * (s.steps + 1);
  const path = new Int32Array(n), step = new Int32Array(n), t = new Float64Array(n);
  for (let p = 0, i = 0; p < s.paths; p++) {
    for (let k = 0; k <= s.steps; k++, i++) {
      path[i] = p;
      step[i] = k;
      t[i] = k * s.dt;
    }
  }
  return tableFromArrays({ path, step, t, value: s.values.slice(0, n) });
}

export function writePathSamplesArrow(file: string, s: PathSamples): void {
  writeFileSync(file, tableToIPC(pathSamplesTable(s), 'file'));
}
