// The bundled real data: every file loads, validates with zero errors, matches its catalog
// entry and the curator's independent gap counts, and is read zero-copy.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  alignCloses,
  bundledDataDir,
  bundledPath,
  formatTime,
  isZeroCopy,
  listBundled,
  loadBundled,
  loadBars,
  summarizeReport,
  validateBars,
  type CatalogEntry,
} from '../src/data/index.js';

const entries = listBundled();

describe('bundled data set', () => {
  it('has the expected spread of series', () => {
    const names = new Set(entries.map((e) => `${e.symbol}-${e.timeframe}${e.variant ? `.${e.variant}` : ''}`));
    for (const want of [
      'AAPL-1d', 'AIG-1d', 'BAC-1d', 'IBM-1d', 'SPY-1d', 'IWM-1d', 'GOOGL-1d',
      'SPY-1h', 'AAPL-1h',
      'SPY-1m', 'AAPL-1m', 'AIG-1m', 'BAC-1m', 'IBM-1m',
      'EURUSD-1d', 'GBPUSD-1d', 'NZDUSD-1d', 'EURGBP-1d', 'XAUUSD-1d', 'EURUSD-1h',
      'BTCUSD-1d', 'BTCUSD-1h', 'BTCUSD-1m', 'ETHUSD-1m', 'LTCUSD-1m', 'BTCEUR-1m',
      'BTCUSDT-1m', 'BTCUSDT-1d', 'LTCUSDT-1m',
    ]) {
      expect(names.has(want), want).toBe(true);
    }
    expect(new Set(entries.map((e) => e.assetClass))).toEqual(new Set(['equity', 'fx', 'crypto', 'commodity']));
    for (const e of entries) expect(['Apache-2.0', 'MIT']).toContain(e.license);
  });

  it('stays within the 15 MiB size limit and lists every file in the catalog', () => {
    const dir = bundledDataDir();
    const files = readdirSync(dir);
    const total = files.reduce((s, f) => s + statSync(join(dir, f)).size, 0);
    expect(total).toBeLessThanOrEqual(15 * 1024 * 1024);
    const arrows = files.filter((f) => f.endsWith('.arrow')).sort();
    expect(arrows).toEqual(entries.map((e) => e.file).sort());
    for (const e of entries) expect(statSync(bundledPath(e)).size).toBe(e.bytes);
  });

  const lines: string[] = [];
  it.each(entries.map((e) => [e.file, e] as [string, CatalogEntry]))('%s loads, validates with 0 errors and matches its catalog entry', (_name, e) => {
    const bars = loadBars(bundledPath(e)); // throws DataValidationError on any invalid row
    const r = bars.report;
    expect(r.errorCount).toBe(0);
    expect(r.badRows).toBe(0);
    expect(bars.symbol).toBe(e.symbol);
    expect(bars.timeframe).toBe(e.timeframe);
    expect(bars.time.length).toBe(e.rows);
    expect(formatTime(bars.time[0]!, e.timeframe)).toBe(e.first);
    expect(formatTime(bars.time[e.rows - 1]!, e.timeframe)).toBe(e.last);
    expect(r.warningCount).toBe(e.validation.warnings);
    expect(r.gaps.count).toBe(e.validation.gaps);
    expect(r.counts.gap ?? 0).toBe(r.warningCount); // gaps are the only warning class
    expect(r.zeroVolumeRows).toBe(e.sourceStats.zero_volume_count);
    expect(bars.meta?.license).toBe(e.license);
    expect(bars.meta?.source).toContain(e.source.commit);
    // Clean Arrow files come back as views on the file buffer, even after validation.
    expect(isZeroCopy(bars)).toBe(true);

    // Cross-check against the curator's independent anomaly scan (same thresholds).
    if (e.timeframe === '1d') {
      expect(validateBars(bars, { file: e.file, maxGapDays: 4 }).gaps.count).toBe(e.sourceStats.gaps_gt_4_calendar_days);
    } else if (e.sourceStats.gaps_gt_1_bar !== undefined) {
      expect(r.gaps.count).toBe(e.sourceStats.gaps_gt_1_bar);
      expect(r.gaps.missingBars).toBe(e.sourceStats.missing_bars_in_gaps);
    }
    lines.push(summarizeReport(r));
  });

  it('reports the warning counts', () => {
    // Printed for the record: gap warnings are expected (sessions, weekends, sparse minutes).
    console.log(`validator over ${lines.length} bundled files:\n${lines.join('\n')}`);
    expect(lines.length).toBe(entries.length);
  });
});

describe('loadBundled / alignCloses', () => {
  it('loads by symbol and timeframe, and by variant', () => {
    const spy = loadBundled('SPY', '1d');
    const alt = loadBundled('SPY', '1d', { variant: 'pandas_ta' });
    expect(spy.time.length).toBe(5849);
    expect(alt.time.length).toBe(5241);
    expect(() => loadBundled('NOPE', '1d')).toThrow(/NOPE-1d.*no bundled series/);
  });

  it('stacks closes on the common timestamps, row-major [symbols x bars]', () => {
    const series = [loadBundled('SPY', '1d'), loadBundled('IWM', '1d'), loadBundled('GOOGL', '1d')];
    const a = alignCloses(series);
    expect(a.symbols).toEqual(['SPY', 'IWM', 'GOOGL']);
    expect(a.rows).toBe(3);
    // GOOGL is the shortest (2014-04-03 on), and all three trade on the same US calendar.
    expect(a.cols).toBe(1761);
    expect(a.values.length).toBe(3 * a.cols);
    expect(formatTime(a.time[0]!)).toBe('2014-04-03');
    for (let r = 0; r < a.rows; r++) {
      const s = series[r]!;
      for (const c of [0, 1000, a.cols - 1]) {
        const idx = s.time.indexOf(a.time[c]!);
        expect(a.values[r * a.cols + c]).toBe(s.close[idx]);
      }
    }
  });

  it('drops timestamps missing from any series (FX weekend rows vs equities)', () => {
    const eq = loadBundled('SPY', '1d');
    const fx = loadBundled('EURUSD', '1d');
    const a = alignCloses([eq, fx]);
    const fxSet = new Set(fx.time);
    const expected = Array.from(eq.time).filter((t) => fxSet.has(t));
    expect(Array.from(a.time)).toEqual(expected);
  });
});
