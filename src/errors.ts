/**
 * Typed errors used across Neurion.
 *
 * - `TypeError` for a wrong type or shape of an argument (built-in class).
 * - `RangeError` for a parameter outside its range (built-in class).
 * - `DataError` for bad market data: names the file, row, field and value so a user can
 *   find and fix the offending line.
 * - `ConfigError` for a bad configuration key or value.
 * - `BackendUnavailableError` when a forced compute backend cannot be used.
 */

/** Renders a value for an error message: the value and its type, e.g. `-1 (number)`. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (ArrayBuffer.isView(value)) {
    const n = (value as unknown as { length?: number }).length;
    return `${value.constructor.name}(${n ?? (value as ArrayBufferView).byteLength})`;
  }
  if (Array.isArray(value)) return `Array(${value.length})`;
  if (typeof value === 'string') return `${JSON.stringify(value)} (string)`;
  if (typeof value === 'bigint') return `${value}n (bigint)`;
  if (typeof value === 'object') return `${(value as object).constructor?.name ?? 'Object'} (object)`;
  return `${String(value)} (${typeof value})`;
}

export interface DataErrorDetail {
  file: string;
  /** 1-based data row (the header is row 0), or -1 when the problem is not tied to a row. */
  row: number;
  field: string;
  value: unknown;
  message: string;
}

export class DataError extends Error {
  readonly file: string;
  readonly row: number;
  readonly field: string;
  readonly value: unknown;
  /** All problems found, when several were collected before throwing (first one is this error's own). */
  readonly problems: DataErrorDetail[];

  constructor(detail: DataErrorDetail, problems: DataErrorDetail[] = [detail]) {
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : '';
    super(`${detail.file}: row ${detail.row}, field ${detail.field} = ${describeValue(detail.value)}: ${detail.message}${more}`);
    this.name = 'DataError';
    this.file = detail.file;
    this.row = detail.row;
    this.field = detail.field;
    this.value = detail.value;
    this.problems = problems;
  }
}

export class ConfigError extends Error {
  readonly key: string;
  readonly value: unknown;
  constructor(key: string, value: unknown, message: string) {
    super(`config ${key} = ${describeValue(value)}: ${message}`);
    this.name = 'ConfigError';
    this.key = key;
    this.value = value;
  }
}

export class BackendUnavailableError extends Error {
  readonly backend: string;
  constructor(backend: string, reason: string) {
    super(`compute backend '${backend}' is not available: ${reason}`);
    this.name = 'BackendUnavailableError';
    this.backend = backend;
  }
}
