/** `neurion info`: backends found, device, versions and build flags. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { backendStatus, resolveBackend } from '../compute/backend.js';
import { projectRoot } from '../util/paths.js';
import type { NeurionConfig } from '../config/config.js';

export interface InfoReport {
  neurion: string;
  node: string;
  v8: string;
  napi: string;
  platform: string;
  cpu: { model: string; cores: number; memoryGiB: number };
  selectedBackend: string;
  backends: Array<{ name: string; available: boolean; detail: string; build?: Record<string, unknown>; device?: unknown }>;
  config: NeurionConfig;
}

export function collectInfo(config: NeurionConfig): InfoReport {
  const pkg = JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')) as { version: string };
  let selected: string;
  try {
    selected = resolveBackend(config.backend);
  } catch (e) {
    selected = `unavailable: ${(e as Error).message}`;
  }
  return {
    neurion: pkg.version,
    node: process.version,
    v8: process.versions.v8,
    napi: process.versions.napi ?? 'unknown',
    platform: `${process.platform}-${process.arch}`,
    cpu: { model: cpus()[0]?.model ?? 'unknown', cores: availableParallelism(), memoryGiB: Math.round(totalmem() / 2 ** 30) },
    selectedBackend: selected,
    backends: backendStatus().map((s) => {
      let build: Record<string, unknown> | undefined;
      try {
        build = s.addon?.buildInfo();
      } catch {
        build = undefined;
      }
      return { name: s.name, available: s.available, detail: s.detail, build, device: s.device };
    }),
    config,
  };
}

export function formatInfo(r: InfoReport): string {
  const lines = [
    `Neurion ${r.neurion}  (node ${r.node}, v8 ${r.v8}, N-API ${r.napi}, ${r.platform})`,
    `machine: ${r.cpu.model}, ${r.cpu.cores} cores, ${r.cpu.memoryGiB} GiB`,
    `selected backend: ${r.selectedBackend}   (config backend=${r.config.backend}; NEURION_BACKEND=${process.env.NEURION_BACKEND ?? ''})`,
    'backends:',
  ];
  for (const b of r.backends) {
    lines.push(`  ${b.available ? '+' : '-'} ${b.name.padEnd(5)} ${b.detail}`);
    if (b.build) lines.push(`          build: ${Object.entries(b.build).map(([k, v]) => `${k}=${String(v)}`).join(', ')}`);
    if (b.device) {
      const d = b.device as { name: string; totalMemoryBytes: number; computeCapability: string };
      lines.push(`          device: ${d.name}, ${(d.totalMemoryBytes / 2 ** 30).toFixed(1)} GiB, compute capability ${d.computeCapability}`);
    }
  }
  return lines.join('\n');
}
