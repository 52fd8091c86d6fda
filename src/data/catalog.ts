/**
 * The bundled real market data (data/ at the package root) and helpers over several series.
 * data/catalog.json is written by make-bundle.ts; see data/README.md for provenance.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataError } from '../errors.js';
import { projectRoot } from '../util/paths.js';
import type { Bars, Timeframe } from './bars.js';
import { loadBars, type LoadOptions } from './load.js';
import { adjustSplits } from './splits.js';
import type { LoadedBars } from './quarantine.js';

export type AssetClass = 'equity' | 'fx' | 'crypto' | 'commodity';

export interface CatalogEntry {
  /** File name inside data/, e.g. 'AAPL-1d.arrow'. */
  file: string;
  symbol: string;
  timeframe: Timeframe;
  /** Second source for a symbol+timeframe already bundled (e.g. 'pandas_ta'); absent for the primary. */
  variant?: string;
  first: string;
  last: string;
  rows: number;
  assetClass: AssetClass;
  source: {
    repo: string;
    commit: string;
    paths: string[];
    /** The normalized CSV it was converted from, in the shared data set. */
    csv: string;
    /** sha256 of that CSV. */
    sha256: string;
  };
  /** SPDX id of the source repository's license. */
  license: string;
  /** Where that license is stated, as the source data set words it (e.g. per-package LICENSE files). */
  licenseNote?: string;
  /** Provenance and caveats (e.g. raw unadjusted prices with split discontinuities). */
  notes: string;
  /** Anomalies listed by the data set's curator (gaps, splits, real crashes). */
  anomalies: string;
  /** Validator result with the default thresholds at bundle time. */
  validation: { errors: number; warnings: number; gaps: number; missingBars: number; gapRule: string; zeroVolumeRows: number };
  /** Counts from the curator's independent checks, for cross-checking the validator. */
  sourceStats: Record<string, number>;
  bytes: number;
}

export interface Catalog {
  generated: string;
  description: string;
  entries: CatalogEntry[];
}

/** The data/ folder of the Neurion package (works from src/ under vitest and from dist/). */
export function bundledDataDir(): string {
  return join(projectRoot(), 'data');
}

let cached: Catalog | undefined;

export function readCatalog(): Catalog {
  if (cached) return cached;
  const path = join(bundledDataDir(), 'catalog.json');
  cached = JSON.parse(readFileSync(path, 'utf8')) as Catalog;
  return cached;
}

/** Every bundled series, primary sources first in catalog order. */
export function listBundled(): CatalogEntry[] {
  return readCatalog().entries;
}

/** Path of a bundled series' file. */
export function bundledPath(entry: CatalogEntry): string {
  return join(bundledDataDir(), entry.file);
}

/** Finds a bundled series; a DataError lists what exists when it is not there. */
export function findBundled(symbol: string, timeframe: Timeframe, variant?: string): CatalogEntry {
  const entries = listBundled();
  const hit = entries.find((e) => e.symbol === symbol && e.timeframe === timeframe && e.variant === variant);
  if (hit) return hit;
  const have = entries.map((e) => `${e.symbol}-${e.timeframe}${e.variant ? `.${e.variant}` : ''}`).join(', ');
  throw new DataError({
    file: join(bundledDataDir(), 'catalog.json'),
    row: -1,
    field: 'symbol',
    value: `${symbol}-${timeframe}${variant ? `.${variant}` : ''}`,
    message: `no bundled series with this symbol and timeframe (bundled: ${have})`,
  });
}

/** Loads a bundled series (zero-copy Arrow read, validated). */
export function loadBundled(symbol: string, timeframe: Timeframe, opts: LoadOptions & { variant?: string; adjust?: 'none' | 'splits' } = {}): LoadedBars {
  const { variant, adjust, ...load } = opts;
  const bars = loadBars(bundledPath(findBundled(symbol, timeframe, variant)), load);
  // Raw LEAN equity prices jump at splits: back-adjust on request (src/data/splits.ts).
  return adjust === 'splits' ? adjustSplits(bars) : bars;
}

export interface AlignedCloses {
  symbols: string[];
  /** Common timestamps (epoch ms), ascending; length `cols`. */
  time: Float64Array;
  /** Row-major [rows = symbols] x [cols = common timestamps]: values[r * cols + c]. */
  values: Float64Array;
  rows: number;
  cols: number;
}

/**
 * Stacks the closes of several series into one row-major matrix over the timestamps they all
 * share (an inner join: a bar missing from any series drops that timestamp for all), so batch
 * indicators can run over [symbols x bars] in one pass. Each series must be strictly
 * increasing in time, which validated Bars are.
 */
export function alignCloses(series: readonly Bars[]): AlignedCloses {
  const rows = series.length;
  if (rows === 0) return { symbols: [], time: new Float64Array(0), values: new Float64Array(0), rows: 0, cols: 0 };
  // k-way intersection: advance every cursor to the largest current time until all agree.
  const cursors = new Array<number>(rows).fill(0);
  const shortest = Math.min(...series.map((s) => s.time.length));
  const common = new Float64Array(shortest);
  const picks: Uint32Array[] = series.map(() => new Uint32Array(shortest));
  let cols = 0;
  outer: for (;;) {
    let target = -Infinity;
    for (let r = 0; r < rows; r++) {
      const s = series[r]!;
      if (cursors[r]! >= s.time.length) break outer;
      target = Math.max(target, s.time[cursors[r]!]!);
    }
    let agreed = true;
    for (let r = 0; r < rows; r++) {
      const t = series[r]!.time;
      let i = cursors[r]!;
      while (i < t.length && t[i]! < target) i++;
      cursors[r] = i;
      if (i >= t.length) break outer;
      if (t[i] !== target) agreed = false;
    }
    if (!agreed) continue;
    common[cols] = target;
    for (let r = 0; r < rows; r++) {
      picks[r]![cols] = cursors[r]!;
      cursors[r]!++;
    }
    cols++;
  }
  const values = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const close = series[r]!.close;
    const pick = picks[r]!;
    const base = r * cols;
    for (let c = 0; c < cols; c++) values[base + c] = close[pick[c]!]!;
  }
  return { symbols: series.map((s) => s.symbol), time: common.slice(0, cols), values, rows, cols };
}
