/**
 * Element-wise comparison used by the conformance suite (and available to users checking
 * their own kernels). NaN and infinities must appear at exactly the same positions as in
 * the expected array: an unexpected NaN is a failure, never "close enough".
 */
export interface Tolerance {
  /** Relative tolerance: |a - e| <= abs + rel * |e|. */
  rel: number;
  abs: number;
}

export interface Comparison {
  ok: boolean;
  maxAbsError: number;
  maxRelError: number;
  /** First failing index, or -1. */
  firstBad: number;
  detail: string;
}

type Numeric = ArrayLike<number>;

/**
 * `scale`, when given, is each element's error scale for the relative term: the bound becomes
 * abs + rel * max(|e|, scale[i]). An output computed from larger intermediate values (a ratio
 * of a small difference of prices) carries the rounding error of those values, not of its own
 * magnitude; the op states that scale from the expected outputs rather than loosening `abs`
 * for every element.
 */
export function compareArrays(expected: Numeric, actual: Numeric, tol: Tolerance, scale?: Numeric): Comparison {
  if (expected.length !== actual.length) {
    return { ok: false, maxAbsError: Infinity, maxRelError: Infinity, firstBad: 0, detail: `length ${actual.length} != expected ${expected.length}` };
  }
  let maxAbs = 0, maxRel = 0, firstBad = -1;
  let detail = '';
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i]!, a = actual[i]!;
    if (Number.isNaN(e) || Number.isNaN(a) || !Number.isFinite(e) || !Number.isFinite(a)) {
      if (Object.is(e, a) || (Number.isNaN(e) && Number.isNaN(a))) continue;
      if (firstBad < 0) { firstBad = i; detail = `index ${i}: expected ${e}, got ${a}`; }
      continue;
    }
    const err = Math.abs(a - e);
    const rel = err / Math.max(Math.abs(e), Number.MIN_VALUE);
    if (err > maxAbs) maxAbs = err;
    if (e !== 0 && rel > maxRel) maxRel = rel;
    const mag = scale ? Math.max(Math.abs(e), scale[i]!) : Math.abs(e);
    if (err > tol.abs + tol.rel * mag && firstBad < 0) {
      firstBad = i;
      detail = `index ${i}: expected ${e}, got ${a} (abs error ${err.toExponential(3)}, rel ${rel.toExponential(3)})`;
    }
  }
  return { ok: firstBad < 0, maxAbsError: maxAbs, maxRelError: maxRel, firstBad, detail: firstBad < 0 ? 'ok' : detail };
}

/** Bit-exact comparison for integer outputs (random generators). */
export function compareExact(expected: Numeric, actual: Numeric): Comparison {
  if (expected.length !== actual.length) {
    return { ok: false, maxAbsError: Infinity, maxRelError: Infinity, firstBad: 0, detail: `length ${actual.length} != expected ${expected.length}` };
  }
  for (let i = 0; i < expected.length; i++) {
    if (expected[i] !== actual[i]) {
      return { ok: false, maxAbsError: Math.abs(expected[i]! - actual[i]!), maxRelError: Infinity, firstBad: i, detail: `index ${i}: expected ${expected[i]}, got ${actual[i]}` };
    }
  }
  return { ok: true, maxAbsError: 0, maxRelError: 0, firstBad: -1, detail: 'ok' };
}
