/**
 * `neurion start` (what `npm start` runs): the main job on embedded defaults, with no keys
 * and no network. Today: report the backends, load and validate every bundled series, and
 * run a real op end to end through the worker pool on the selected backend (SMA over the
 * aligned daily US-equity closes), checked against the TypeScript reference. It grows into
 * the backtest / model / risk run as those capabilities land.
 */
import { performance } from 'node:perf_hooks';
import { ComputePool, resolveBackend, runOp, getOp } from '../compute/index.js';
import { alignCloses, listBundled, loadBundled, type Bars } from '../data/index.js';
import { formatTime } from '../data/parse-time.js';
import type { NeurionConfig } from '../config/config.js';
import { collectInfo, formatInfo } from './info.js';

export interface StartSummary {
  backend: string;
  series: Array<{ file: string; rows: number; first: string; last: string; warnings: number }>;
  totalBars: number;
  sma: { symbols: string[]; bars: number; period: number; backend: string; elapsedMs: number; maxRelErrorVsReference: number; last: Record<string, { close: number; sma: number }> };
}

export async function runStart(config: NeurionConfig, out: (s: string) => void, json: boolean): Promise<StartSummary> {
  const say = json ? (): void => {} : out;
  say(formatInfo(collectInfo(config)) + '\n\n');
  const backend = resolveBackend(config.backend);

  say('Loading and validating the bundled real market data...\n');
  const entries = listBundled();
  const series: StartSummary['series'] = [];
  const loaded = new Map<string, Bars>();
  for (const e of entries) {
    const bars = loadBundled(e.symbol, e.timeframe, { variant: e.variant }); // throws DataError on any invalid row
    loaded.set(e.file, bars);
    series.push({ file: e.file, rows: bars.time.length, first: e.first, last: e.last, warnings: bars.report.warningCount });
    say(`  ok  ${e.file.padEnd(28)} ${String(bars.time.length).padStart(7)} bars  ${e.first} .. ${e.last}  ${bars.report.warningCount ? `${bars.report.warningCount} gap warnings` : ''}\n`);
  }
  const totalBars = series.reduce((s, x) => s + x.rows, 0);
  say(`  ${series.length} series, ${totalBars} bars, 0 errors\n\n`);

  const equities = entries.filter((e) => e.assetClass === 'equity' && e.timeframe === '1d' && !e.variant && e.rows > 4000);
  const aligned = alignCloses(equities.map((e) => loaded.get(e.file)!));
  const period = 50;
  say(`SMA(${period}) over ${aligned.rows} daily US equities x ${aligned.cols} common bars on the ${backend} backend (worker pool)...\n`);
  const pool = new ComputePool({ backend, maxThreads: config.pool.threads });
  const t0 = performance.now();
  let smaOut: Float64Array;
  try {
    smaOut = await pool.run<Float64Array>('sma', { x: aligned.values, rows: aligned.rows, cols: aligned.cols, period }, {
      onProgress: (d, t) => say(`  progress ${d}/${t} rows\r`),
    });
  } finally {
    await pool.destroy();
  }
  const elapsedMs = performance.now() - t0;
  const ref = runOp(getOp('sma'), { x: aligned.values, rows: aligned.rows, cols: aligned.cols, period }, { backend: 'js' }) as Float64Array;
  let maxRel = 0;
  for (let i = 0; i < ref.length; i++) {
    if (Number.isNaN(ref[i]!) !== Number.isNaN(smaOut[i]!)) throw new Error(`SMA mismatch at ${i}: ${smaOut[i]} vs reference ${ref[i]}`);
    if (!Number.isNaN(ref[i]!)) maxRel = Math.max(maxRel, Math.abs(smaOut[i]! - ref[i]!) / Math.abs(ref[i]!));
  }
  const last: StartSummary['sma']['last'] = {};
  const c = aligned.cols - 1;
  say(`\n  as of ${formatTime(aligned.time[c]!, '1d')}:\n`);
  aligned.symbols.forEach((sym, r) => {
    const close = aligned.values[r * aligned.cols + c]!, s = smaOut[r * aligned.cols + c]!;
    last[sym] = { close, sma: s };
    say(`    ${sym.padEnd(6)} close ${close.toFixed(2).padStart(9)}  SMA${period} ${s.toFixed(2).padStart(9)}  ${close > s ? 'above' : 'below'}\n`);
  });
  say(`  ${elapsedMs.toFixed(1)} ms; max relative difference vs the TypeScript reference ${maxRel.toExponential(2)}\n`);

  const summary: StartSummary = {
    backend,
    series,
    totalBars,
    sma: { symbols: aligned.symbols, bars: aligned.cols, period, backend, elapsedMs, maxRelErrorVsReference: maxRel, last },
  };
  if (json) out(JSON.stringify(summary, null, 2) + '\n');
  return summary;
}
