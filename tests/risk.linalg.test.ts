// Cholesky (PSD-tolerant), covariance and correlation checks for src/risk/linalg.ts.
import { describe, expect, it } from 'vitest';
import { philoxNormal } from '../src/compute/index.js';
import {
  cholesky, correlationFromCovariance, covariance, covarianceFromCorrelation, lowerTriangularMultiply, quadraticForm, validateCorrelation,
} from '../src/risk/linalg.js';
import { freshSeed, TestRng } from '../src/util/rng.js';

function llt(L: Float64Array, n: number): Float64Array {
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) { let s = 0; for (let k = 0; k < n; k++) s += L[i * n + k]! * L[j * n + k]!; a[i * n + j] = s; }
  return a;
}
const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => { let m = 0; for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!)); return m; };

describe('cholesky', () => {
  it('factors the textbook 3x3 example exactly', () => {
    const L = cholesky(new Float64Array([4, 12, -16, 12, 37, -43, -16, -43, 98]), 3);
    expect(Array.from(L)).toEqual([2, 0, 0, 6, 1, 0, -8, 5, 3]);
  });

  it('L L^T reproduces random SPD matrices (seed printed)', () => {
    const seed = freshSeed();
    const rng = new TestRng(seed);
    for (const n of [1, 2, 5, 12]) {
      const B = Float64Array.from({ length: n * n }, () => rng.normal());
      const A = llt(B, n); // B B^T is SPD (almost surely)
      for (let i = 0; i < n; i++) A[i * n + i]! += 0.1;
      const L = cholesky(A, n);
      for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) expect(L[i * n + j]).toBe(0);
      expect(maxAbsDiff(llt(L, n), A), `seed ${seed}, n ${n}`).toBeLessThan(1e-12 * n * 10);
    }
  });

  it('handles positive semi-definite matrices with zero eigenvalues', () => {
    expect(Array.from(cholesky(new Float64Array([1, 1, 1, 1]), 2))).toEqual([1, 0, 1, 0]);
    // rank 2 in 4 dimensions: A = B B^T with B 4x2
    const B = [1, 0.5, -0.3, 2, 0.7, -1, 1.5, 0.2];
    const A = new Float64Array(16);
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) A[i * 4 + j] = B[i * 2]! * B[j * 2]! + B[i * 2 + 1]! * B[j * 2 + 1]!;
    const L = cholesky(A, 4);
    expect(maxAbsDiff(llt(L, 4), A)).toBeLessThan(1e-9);
    // a zero-variance asset
    expect(Array.from(cholesky(new Float64Array([0, 0, 0, 4]), 2))).toEqual([0, 0, 0, 2]);
  });

  it('refuses non-symmetric, indefinite and malformed input naming the entry or pivot', () => {
    expect(() => cholesky(new Float64Array([1, 0.5, 0.4, 1]), 2)).toThrow(/cov must be symmetric, but cov\[1\]\[0\] = 0.4 and cov\[0\]\[1\] = 0.5/);
    expect(() => cholesky(new Float64Array([1, 2, 2, 1]), 2)).toThrow(RangeError);
    expect(() => cholesky(new Float64Array([1, 2, 2, 1]), 2)).toThrow(/not positive semi-definite: pivot 1 \(row 1\) is -3/);
    expect(() => cholesky(new Float64Array([0, 1, 1, 0]), 2)).toThrow(/pivot 0 \(row 0\) is 0 .*entry \[1\]\[0\] is 1/);
    expect(() => cholesky(new Float64Array([1, NaN, NaN, 1]), 2)).toThrow(/cov\[0\]\[1\] must be finite/);
    expect(() => cholesky(new Float64Array(3), 2)).toThrow(/length n \* n = 4, got 3/);
    expect(() => cholesky([1] as unknown as Float64Array, 1)).toThrow(TypeError);
    expect(() => cholesky(new Float64Array(4), 2, { tol: -1 })).toThrow(/opts.tol must be >= 0/);
  });

  it('turns Philox normals into correlated normals with the target covariance', () => {
    const cov = new Float64Array([1, 0.6, -0.2, 0.6, 2, 0.3, -0.2, 0.3, 0.5]);
    const L = cholesky(cov, 3);
    const T = 100_000;
    const z = philoxNormal({ seed: 11, paths: T, steps: 3 });
    const series = [new Float64Array(T), new Float64Array(T), new Float64Array(T)];
    const y = new Float64Array(3);
    for (let t = 0; t < T; t++) {
      lowerTriangularMultiply(L, 3, z.subarray(t * 3, t * 3 + 3), y);
      for (let i = 0; i < 3; i++) series[i]![t] = y[i]!;
    }
    expect(maxAbsDiff(covariance(series), cov)).toBeLessThan(0.03); // sampling error ~ sqrt(2/T) * scale
  });
});

describe('covariance and correlation', () => {
  it('matches hand-computed values with ddof 1 and 0', () => {
    const a = new Float64Array([1, 2, 3, 4]), b = new Float64Array([2, 4, 6, 9]);
    // means 2.5, 5.25; deviations a: -1.5 -0.5 0.5 1.5 ; b: -3.25 -1.25 0.75 3.75
    const sab = 1.5 * 3.25 + 0.5 * 1.25 + 0.5 * 0.75 + 1.5 * 3.75; // 11.5
    const c1 = covariance([a, b]);
    expect(c1[0]).toBeCloseTo(5 / 3, 14);
    expect(c1[1]).toBeCloseTo(sab / 3, 14);
    expect(c1[2]).toBe(c1[1]);
    expect(c1[3]).toBeCloseTo((3.25 ** 2 + 1.25 ** 2 + 0.75 ** 2 + 3.75 ** 2) / 3, 14);
    expect(covariance([a, b], { ddof: 0 })[1]).toBeCloseTo(sab / 4, 14);
    const corr = correlationFromCovariance(c1, 2);
    expect(corr[0]).toBe(1);
    expect(corr[1]).toBeCloseTo(c1[1]! / Math.sqrt(c1[0]! * c1[3]!), 14);
    expect(maxAbsDiff(covarianceFromCorrelation(corr, [Math.sqrt(c1[0]!), Math.sqrt(c1[3]!)]), c1)).toBeLessThan(1e-14);
    expect(quadraticForm(c1, 2, [1, -1])).toBeCloseTo(c1[0]! + c1[3]! - 2 * c1[1]!, 12);
  });

  it('names bad series, lengths and zero variances', () => {
    expect(() => covariance([new Float64Array([1, 2, 3]), new Float64Array([1, 2])])).toThrow(/series\[1\] has length 2, expected 3/);
    expect(() => covariance([new Float64Array([1, NaN, 3])])).toThrow(/series\[0\]\[1\] must be finite/);
    expect(() => covariance([new Float64Array([1])])).toThrow(/more than ddof = 1/);
    expect(() => covariance([])).toThrow(TypeError);
    expect(() => correlationFromCovariance(new Float64Array([1, 0, 0, 0]), 2)).toThrow(/cov\[1\]\[1\] \(a variance\) must be > 0, got 0/);
  });

  it('validates correlation matrices naming the offending entry', () => {
    expect(() => validateCorrelation(new Float64Array([1, 0.3, 0.3, 1]), 2)).not.toThrow();
    expect(() => validateCorrelation(new Float64Array([0.9, 0.3, 0.3, 1]), 2)).toThrow(/corr\[0\]\[0\] must be 1 \(unit diagonal\), got 0.9/);
    expect(() => validateCorrelation(new Float64Array([1, 1.2, 1.2, 1]), 2)).toThrow(/corr\[0\]\[1\] must be in \[-1, 1\], got 1.2/);
    expect(() => validateCorrelation(new Float64Array([1, 0.3, 0.2, 1]), 2)).toThrow(/corr\[1\]\[0\] = 0.2 and corr\[0\]\[1\] = 0.3/);
    // each pair plausible, jointly impossible
    const bad = new Float64Array([1, 0.9, -0.9, 0.9, 1, 0.9, -0.9, 0.9, 1]);
    expect(() => validateCorrelation(bad, 3)).toThrow(/not positive semi-definite: pivot 2/);
    expect(() => validateCorrelation(bad, 3, { psd: false })).not.toThrow();
  });
});
