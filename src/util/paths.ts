import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cachedRoot: string | undefined;

/**
 * The Neurion package root (the folder holding its package.json), found by walking up from
 * this module. Works from src/ (vitest), from dist/src/ (node) and from node_modules.
 */
export function projectRoot(): string {
  if (cachedRoot) return cachedRoot;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'neurion') return (cachedRoot = dir);
      } catch {
        /* unreadable package.json: keep walking */
      }
    }
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find the neurion package root above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

/** Path of a compiled file under dist/ for a module path relative to the root, e.g. 'src/compute/worker.js'. */
export function distPath(relative: string): string {
  return join(projectRoot(), 'dist', relative);
}
