/** `neurion start` (what `npm start` runs): the main job on embedded defaults (src/app/main-job.ts). */
import type { NeurionConfig } from '../config/config.js';
import { runMainJob, type MainJobSummary } from '../app/main-job.js';

export async function runStart(config: NeurionConfig, out: (s: string) => void, json: boolean, reportPath?: string): Promise<MainJobSummary> {
  return runMainJob(config, out, { json, reportPath });
}
