/**
 * What a loader does with invalid rows: refuse the file (default) or split the bad rows off
 * into a quarantine. Values are never modified either way; quarantined rows keep their
 * original values so they can be inspected or fixed at the source.
 */
import { DataError, describeValue } from '../errors.js';
import type { Bars } from './bars.js';
import type { CheckResult, ValidationReport } from './validate.js';

export type OnInvalid = 'throw' | 'quarantine';

export interface Quarantine {
  /** File row numbers (header = row 0) of the removed rows, ascending. */
  rows: Uint32Array;
  /** The removed rows, values untouched (NaN where a cell could not be parsed). */
  bars: Bars;
}

/** Bars as returned by the loaders: the (clean) series plus its validation report. */
export interface LoadedBars extends Bars {
  report: ValidationReport;
  /** Present in quarantine mode (empty when nothing was removed). */
  quarantine?: Quarantine;
}

/** The DataError thrown when a file is refused; carries the full (bounded) report. */
export class DataValidationError extends DataError {
  readonly report: ValidationReport;

  constructor(report: ValidationReport) {
    const errors = report.problems.filter((p) => p.severity === 'error');
    const first = errors[0] ?? { file: report.file, row: -1, field: 'rows', value: report.rows, message: 'invalid data' };
    super(first, errors.length > 0 ? errors : [first]);
    this.name = 'DataValidationError';
    this.report = report;
    // DataError counts only the problems it was handed; the report knows the real totals.
    const more = report.errorCount - 1;
    const parts: string[] = [];
    if (more > 0) parts.push(`and ${more} more error${more === 1 ? '' : 's'}; ${report.badRows} bad rows in all`);
    if (report.warningCount > 0) parts.push(`${report.warningCount} warning${report.warningCount === 1 ? '' : 's'}`);
    parts.push("onInvalid: 'quarantine' loads the valid rows");
    const tail = ` (${parts.join('; ')})`;
    this.message = `${first.file}: row ${first.row}, field ${first.field} = ${describeValue(first.value)}: ${first.message}${tail}`;
  }
}

/** Copies the rows where `mask[i] === keep` into new Bars. */
export function selectRows(bars: Bars, mask: Uint8Array, keep: 0 | 1, count: number): Bars {
  const out: Bars = {
    symbol: bars.symbol,
    timeframe: bars.timeframe,
    time: new Float64Array(count),
    open: new Float64Array(count),
    high: new Float64Array(count),
    low: new Float64Array(count),
    close: new Float64Array(count),
    volume: new Float64Array(count),
  };
  if (bars.meta) out.meta = { ...bars.meta };
  let k = 0;
  const n = bars.time.length;
  for (let i = 0; i < n; i++) {
    if (mask[i] !== keep) continue;
    out.time[k] = bars.time[i]!;
    out.open[k] = bars.open[i]!;
    out.high[k] = bars.high[i]!;
    out.low[k] = bars.low[i]!;
    out.close[k] = bars.close[i]!;
    out.volume[k] = bars.volume[i]!;
    k++;
  }
  return out;
}

/**
 * Applies the invalid-data policy: throws DataValidationError when there is an error and
 * `onInvalid` is 'throw'; otherwise returns the clean rows (the input itself when nothing
 * was removed, so zero-copy views survive) with the report, and the quarantine if asked.
 */
export function enforcePolicy(
  bars: Bars,
  check: CheckResult,
  onInvalid: OnInvalid,
  rowNumbers?: ArrayLike<number>,
): LoadedBars {
  const { report, bad } = check;
  if (onInvalid === 'throw') {
    if (!report.ok) throw new DataValidationError(report);
    return Object.assign(bars, { report });
  }
  if (bad === undefined || report.badRows === 0) {
    const empty = selectRows(bars, new Uint8Array(0), 1, 0);
    return Object.assign(bars, { report, quarantine: { rows: new Uint32Array(0), bars: empty } });
  }
  const n = bars.time.length;
  const clean = selectRows(bars, bad, 0, n - report.badRows);
  const removed = selectRows(bars, bad, 1, report.badRows);
  const rows = new Uint32Array(report.badRows);
  for (let i = 0, k = 0; i < n; i++) if (bad[i] === 1) rows[k++] = rowNumbers === undefined ? i + 1 : rowNumbers[i]!;
  return Object.assign(clean, { report, quarantine: { rows, bars: removed } });
}
