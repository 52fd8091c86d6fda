/**
 * Stock splits in the bundled equities, and split adjustment. The LEAN equity files are RAW
 * prices (data/README.md): a 4:1 split shows as a -75% bar. Backtests, features and VaR on
 * raw prices across a split are wrong, so the loaders can back-adjust (`adjust: 'splits'`).
 *
 * Table: from data/catalog.json's anomaly notes (each entry is checked against the catalog
 * text and the raw price jump in tests/models.train.dataset.test.ts): the UTC day of the
 * first post-split bar and the ratio of new shares per old share.
 */
import type { Bars } from './bars.js';

export const SPLITS: Readonly<Record<string, ReadonlyArray<{ date: string; ratio: number }>>> = {
  AAPL: [{ date: '2000-06-21', ratio: 2 }, { date: '2005-02-28', ratio: 2 }, { date: '2014-06-09', ratio: 7 }, { date: '2020-08-31', ratio: 4 }],
  IWM: [{ date: '2005-06-09', ratio: 2 }],
  IBM: [{ date: '1999-05-27', ratio: 2 }],
  BAC: [{ date: '2004-08-30', ratio: 2 }],
  AIG: [{ date: '1998-08-03', ratio: 1.5 }, { date: '1999-08-02', ratio: 1.25 }, { date: '2000-07-31', ratio: 1.5 }, { date: '2009-07-01', ratio: 1 / 20 }],
};

/** Splits of a symbol as (epoch ms of the first post-split day, ratio). */
export function splitsOf(symbol: string): Array<{ time: number; ratio: number }> {
  return (SPLITS[symbol] ?? []).map((s) => ({ time: Date.parse(`${s.date}T00:00:00Z`), ratio: s.ratio }));
}

/**
 * Back-adjusts prices for the symbol's splits (prices before each split divided by its ratio,
 * volumes multiplied), so the series is continuous and ends at the latest raw prices. Returns
 * new arrays; a symbol without splits is returned as is.
 */
export function adjustSplits<B extends Bars>(bars: B): B {
  const splits = splitsOf(bars.symbol);
  if (splits.length === 0) return bars;
  const open = bars.open.slice(), high = bars.high.slice(), low = bars.low.slice(), close = bars.close.slice(), volume = bars.volume.slice();
  for (const s of splits) {
    for (let i = 0; i < bars.time.length && bars.time[i]! < s.time; i++) {
      open[i]! /= s.ratio; high[i]! /= s.ratio; low[i]! /= s.ratio; close[i]! /= s.ratio; volume[i]! *= s.ratio;
    }
  }
  return { ...bars, open, high, low, close, volume };
}
