/**
 * Symbol and timeframe inference: from a file name `<SYMBOL>-<tf>[.<variant>].<ext>` first
 * (the convention of the bundled data), from the spacing of the timestamps otherwise.
 */
import { basename } from 'node:path';
import { TIMEFRAME_MS, isTimeframe, type Timeframe } from './bars.js';

export interface NameParts {
  symbol: string | undefined;
  timeframe: Timeframe | undefined;
  /** Text after the timeframe, e.g. 'pandas_ta' in `SPY-1d.pandas_ta.csv`. */
  variant: string | undefined;
}

const NAME_RE = /^(.+)-(1m|5m|15m|30m|1h|4h|1d|1w|1mo)(?:\.([A-Za-z0-9_-]+))?$/;

/** Splits `AAPL-1d.csv` into symbol 'AAPL' and timeframe '1d'; unknown parts are undefined. */
export function parseDataFileName(path: string): NameParts {
  const base = basename(path);
  const dot = base.lastIndexOf('.');
  const stem = dot > 0 ? base.slice(0, dot) : base;
  const m = NAME_RE.exec(stem);
  if (!m) return { symbol: stem.length > 0 ? stem : undefined, timeframe: undefined, variant: undefined };
  const tf = m[2]!;
  return { symbol: m[1], timeframe: isTimeframe(tf) ? tf : undefined, variant: m[3] };
}

/** At most this many deltas are sorted to find the median (evenly spaced over the series). */
const MEDIAN_SAMPLE = 100_001;

/** Median of the positive steps between consecutive times; NaN when there are none. */
export function medianStep(time: ArrayLike<number>): number {
  const n = time.length;
  if (n < 2) return NaN;
  const steps = n - 1;
  const take = Math.min(steps, MEDIAN_SAMPLE);
  const sample = new Float64Array(take);
  let k = 0;
  for (let s = 0; s < take; s++) {
    const i = take === steps ? s : Math.floor((s * steps) / take);
    const d = time[i + 1]! - time[i]!;
    if (d > 0) sample[k++] = d;
  }
  if (k === 0) return NaN;
  const sorted = sample.subarray(0, k).sort();
  return sorted[(k - 1) >> 1]!; // lower median: with weekends/sessions, err toward the bar length
}

const DAY = TIMEFRAME_MS['1d'];

/**
 * The timeframe whose bar length equals the median step (sessions, weekends and holidays are
 * a minority of steps in any real series, so the median is the bar length). Calendar months
 * (28-31 days) map to '1mo'. Returns undefined when the median matches no timeframe.
 */
export function inferTimeframe(time: ArrayLike<number>): Timeframe | undefined {
  const step = medianStep(time);
  if (!Number.isFinite(step)) return undefined;
  for (const tf of Object.keys(TIMEFRAME_MS) as Timeframe[]) {
    if (tf !== '1mo' && TIMEFRAME_MS[tf] === step) return tf;
  }
  if (step >= 28 * DAY && step <= 31 * DAY) return '1mo';
  return undefined;
}
