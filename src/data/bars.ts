/**
 * The in-memory form of an OHLCV series: one Float64Array per column (struct of arrays),
 * so columns feed the compute ops and Arrow without copying.
 *
 * `time` holds milliseconds since the Unix epoch (UTC) as float64 (exact for any date we
 * meet). Daily and monthly bars are stamped at 00:00 UTC of their date.
 */
export type Timeframe = '1m' | '5m' | '15m' | '30m' | '1h' | '4h' | '1d' | '1w' | '1mo';

export const TIMEFRAME_MS: Record<Timeframe, number> = {
  '1m': 60_000,
  '5m': 300_000,
  '15m': 900_000,
  '30m': 1_800_000,
  '1h': 3_600_000,
  '4h': 14_400_000,
  '1d': 86_400_000,
  '1w': 604_800_000,
  '1mo': 2_678_400_000, // 31 days: the longest calendar month, used only for gap checks
};

export const BAR_FIELDS = ['time', 'open', 'high', 'low', 'close', 'volume'] as const;
export type BarField = (typeof BAR_FIELDS)[number];

export interface Bars {
  symbol: string;
  timeframe: Timeframe | undefined;
  time: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
  /**
   * Free-form provenance carried with the series (e.g. `source`, `license`), stored as Arrow
   * schema metadata when written. Optional so plain literals stay valid Bars.
   */
  meta?: Record<string, string>;
}

export function barCount(bars: Bars): number {
  return bars.time.length;
}

/** The five numeric columns besides time, in file order. */
export const VALUE_FIELDS = ['open', 'high', 'low', 'close', 'volume'] as const;

/** Whether a string is one of the timeframe codes above. */
export function isTimeframe(value: string): value is Timeframe {
  return Object.prototype.hasOwnProperty.call(TIMEFRAME_MS, value);
}
