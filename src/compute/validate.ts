/**
 * Argument checks shared by every backend of an op. The TypeScript layer validates before
 * dispatch so that js, cpu and cuda throw the same TypeError/RangeError for the same bad
 * call; the native entry points check again before touching memory (defence in depth).
 */
import { describeValue } from '../errors.js';

export type TypedArrayName = 'Float64Array' | 'Float32Array' | 'Uint32Array' | 'Int32Array';
const CTORS = { Float64Array, Float32Array, Uint32Array, Int32Array } as const;

export function expectTyped<N extends TypedArrayName>(
  op: string,
  name: string,
  value: unknown,
  type: N,
): asserts value is InstanceType<(typeof CTORS)[N]> {
  if (!(value instanceof CTORS[type])) {
    throw new TypeError(`${op}: ${name} must be a ${type}, got ${describeValue(value)}`);
  }
}

export function expectInteger(op: string, name: string, value: unknown, min: number, max: number): asserts value is number {
  if (typeof value !== 'number') {
    throw new TypeError(`${op}: ${name} must be a number, got ${describeValue(value)}`);
  }
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${op}: ${name} must be an integer in [${min}, ${max}], got ${describeValue(value)}`);
  }
}

export function expectLength(op: string, name: string, arr: { length: number }, expected: number, why: string): void {
  if (arr.length !== expected) {
    throw new RangeError(`${op}: ${name} must have length ${expected} (${why}), got ${arr.length}`);
  }
}

/** Throws when two typed arrays share bytes (outputs must never alias inputs). */
export function expectNoOverlap(op: string, outName: string, out: ArrayBufferView, inName: string, input: ArrayBufferView): void {
  if (out.buffer !== input.buffer) return;
  const a0 = out.byteOffset, a1 = a0 + out.byteLength;
  const b0 = input.byteOffset, b1 = b0 + input.byteLength;
  if (a0 < b1 && b0 < a1) throw new RangeError(`${op}: ${outName} must not share memory with ${inName}`);
}

/**
 * Largest result an op allocates by itself (2^28 elements, 2 GiB of float64), the same
 * limit as the native addons: bigger jobs pass their own `out` or run through the pool.
 */
export const MAX_ALLOC_ELEMENTS = 2 ** 28;

export function expectAllocatable(op: string, elements: number): void {
  if (elements > MAX_ALLOC_ELEMENTS) {
    throw new RangeError(`${op}: result of ${elements} elements exceeds the 2^28-element limit for one call; pass \`out\` or split the job`);
  }
}

/** Checks the optional `out` argument (type, length, no aliasing) or that a result of `length` may be allocated. */
export function checkOutput(op: string, out: unknown, length: number, inputs: Record<string, ArrayBufferView>): void {
  if (out === undefined) return expectAllocatable(op, length);
  expectTyped(op, 'out', out, 'Float64Array');
  expectLength(op, 'out', out, length, 'same as the result');
  for (const [name, arr] of Object.entries(inputs)) expectNoOverlap(op, 'out', out, name, arr);
}

/** Reads the optional `out` argument, or allocates. */
export function outputFloat64(op: string, out: unknown, length: number, inputs: Record<string, ArrayBufferView>): Float64Array {
  checkOutput(op, out, length, inputs);
  if (out === undefined) return new Float64Array(length);
  return out as Float64Array;
}
