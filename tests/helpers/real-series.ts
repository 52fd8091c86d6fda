// Bundled real series for conformance tests, loaded once per test file.
import { listBundled, loadBundled } from '../../src/data/index.js';
import type { RealSeries } from '../../src/compute/registry.js';

let cache: RealSeries[] | undefined;

/** Every bundled series (or `limit` of them, spread across asset classes and timeframes). */
export function realSeries(): RealSeries[] {
  cache ??= listBundled().map((e) => {
    const b = loadBundled(e.symbol, e.timeframe);
    return { label: `${e.symbol}-${e.timeframe}`, time: b.time, open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume };
  });
  return cache;
}
