/**
 * Argument checks shared by the risk modules. Every message names the function, the argument
 * and the value (src/errors.ts conventions): TypeError for a wrong type or shape, RangeError
 * for a value out of range.
 */
import { describeValue } from '../errors.js';

export function expectFloat64(fn: string, name: string, value: unknown): asserts value is Float64Array {
  if (!(value instanceof Float64Array)) throw new TypeError(`${fn}: ${name} must be a Float64Array, got ${describeValue(value)}`);
}

/** A finite number (NaN and +-Infinity are refused). */
export function expectFinite(fn: string, name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number') throw new TypeError(`${fn}: ${name} must be a number, got ${describeValue(value)}`);
  if (!Number.isFinite(value)) throw new RangeError(`${fn}: ${name} must be finite, got ${describeValue(value)}`);
}

/** A number in an interval; `open` makes the matching end exclusive. */
export function expectInRange(
  fn: string,
  name: string,
  value: unknown,
  lo: number,
  hi: number,
  open: { lo?: boolean; hi?: boolean } = {},
): asserts value is number {
  if (typeof value !== 'number') throw new TypeError(`${fn}: ${name} must be a number, got ${describeValue(value)}`);
  const okLo = open.lo ? value > lo : value >= lo;
  const okHi = open.hi ? value < hi : value <= hi;
  if (!(okLo && okHi) || Number.isNaN(value)) {
    throw new RangeError(`${fn}: ${name} must be in ${open.lo ? '(' : '['}${lo}, ${hi}${open.hi ? ')' : ']'}, got ${describeValue(value)}`);
  }
}

export function expectPositive(fn: string, name: string, value: unknown): asserts value is number {
  expectFinite(fn, name, value);
  if (!(value > 0)) throw new RangeError(`${fn}: ${name} must be > 0, got ${describeValue(value)}`);
}

export function expectNonNegative(fn: string, name: string, value: unknown): asserts value is number {
  expectFinite(fn, name, value);
  if (!(value >= 0)) throw new RangeError(`${fn}: ${name} must be >= 0, got ${describeValue(value)}`);
}

export function expectInt(fn: string, name: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): asserts value is number {
  if (typeof value !== 'number') throw new TypeError(`${fn}: ${name} must be a number, got ${describeValue(value)}`);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${fn}: ${name} must be an integer in [${min}, ${max}], got ${describeValue(value)}`);
  }
}

/** Every element finite; the error names the index. */
export function expectAllFinite(fn: string, name: string, a: ArrayLike<number>): void {
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i])) throw new RangeError(`${fn}: ${name}[${i}] must be finite, got ${describeValue(a[i])}`);
  }
}

/** A confidence level strictly inside (0, 1), e.g. 0.99. */
export function expectLevel(fn: string, name: string, value: unknown): asserts value is number {
  expectInRange(fn, name, value, 0, 1, { lo: true, hi: true });
}

/** Levels as one number or an array of numbers, each in (0, 1); returns an array. */
export function levelList(fn: string, name: string, value: unknown): number[] {
  const list = typeof value === 'number' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0) throw new TypeError(`${fn}: ${name} must be a number or a non-empty array of numbers, got ${describeValue(value)}`);
  list.forEach((v, i) => expectLevel(fn, `${name}[${i}]`, v));
  return list as number[];
}
