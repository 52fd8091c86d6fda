/**
 * Problems found in a data file, collected with bounded memory: every problem is counted by
 * kind, but only the first N errors and first N warnings are kept in full. A file with a
 * hundred million bad rows therefore yields a report of a few hundred entries.
 */
import type { DataErrorDetail } from '../errors.js';

export type Severity = 'error' | 'warning';

export type ProblemKind =
  | 'empty' // no data rows
  | 'missing-cell' // a row shorter than the header
  | 'extra-cell' // a row longer than the header (usually an unquoted thousands separator)
  | 'not-a-number' // a cell that is not a strict decimal
  | 'bad-time' // a time cell that is neither an ISO date/time nor an epoch number
  | 'null' // an Arrow null where a value is required
  | 'not-finite' // NaN or +-Infinity in a column
  | 'non-positive-price' // open/high/low/close <= 0
  | 'high-below-open-close' // high < max(open, close)
  | 'low-above-open-close' // low > min(open, close)
  | 'high-below-low'
  | 'negative-volume'
  | 'duplicate-time' // same timestamp as the previous accepted row
  | 'time-not-increasing' // earlier than the previous accepted row
  | 'gap'; // a step between rows beyond the gap threshold (warning)

export interface Problem extends DataErrorDetail {
  kind: ProblemKind;
  severity: Severity;
}

/** Default number of errors (and, separately, warnings) kept in full per file. */
export const DEFAULT_MAX_PROBLEMS = 100;

export class ProblemCollector {
  readonly file: string;
  readonly maxKept: number;
  readonly errors: Problem[] = [];
  readonly warnings: Problem[] = [];
  readonly counts: Partial<Record<ProblemKind, number>> = {};
  errorCount = 0;
  warningCount = 0;

  constructor(file: string, maxKept = DEFAULT_MAX_PROBLEMS) {
    this.file = file;
    this.maxKept = maxKept;
  }

  add(kind: ProblemKind, severity: Severity, row: number, field: string, value: unknown, message: string): void {
    this.counts[kind] = (this.counts[kind] ?? 0) + 1;
    const list = severity === 'error' ? this.errors : this.warnings;
    if (severity === 'error') this.errorCount++;
    else this.warningCount++;
    if (list.length < this.maxKept) list.push({ file: this.file, row, field, value, message, kind, severity });
  }

  /** Kept problems, errors and warnings merged in row order. */
  kept(): Problem[] {
    return [...this.errors, ...this.warnings].sort((a, b) => a.row - b.row);
  }

  get truncated(): boolean {
    return this.errors.length < this.errorCount || this.warnings.length < this.warningCount;
  }
}
