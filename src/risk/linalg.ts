/**
 * Small dense linear algebra for risk: Cholesky factorisation of covariance / correlation
 * matrices (PSD-tolerant), sample covariance, correlation. Matrices are row-major
 * Float64Array of n x n: a[i * n + j].
 *
 * Cholesky tolerance (documented contract):
 *   tol = opts.tol ?? 1e-10 * max_i a_ii   (relative to the largest diagonal entry)
 *   For column j, the pivot d_j = a_jj - sum_{k<j} L_jk^2:
 *     d_j >  tol        -> L_jj = sqrt(d_j)
 *     |d_j| <= tol      -> a zero eigen-direction: L_jj = 0 and the column below is set to 0,
 *                          after checking that each remainder r_ij = a_ij - sum_{k<j} L_ik L_jk
 *                          satisfies |r_ij| <= 4 sqrt(tol * a_ii) (what positive semi-definiteness
 *                          implies); otherwise the matrix is not PSD
 *     d_j < -tol        -> RangeError naming the pivot (row) and its value
 *   So a PSD matrix with zero eigenvalues (rank-deficient: e.g. perfectly correlated assets)
 *   factors with L L^T = A to ~tol, and a matrix whose negative eigenvalue is smaller in size
 *   than ~tol (estimation round-off) is accepted as PSD.
 * Symmetry: |a_ij - a_ji| must be <= 1e-10 * max(|a_ij|, |a_ji|) + 1e-14 * max_i a_ii.
 */
import { describeValue } from '../errors.js';
import { expectFloat64, expectInt, expectNonNegative } from './check.js';

function checkSquare(fn: string, name: string, a: unknown, n: unknown): asserts a is Float64Array {
  expectFloat64(fn, name, a);
  expectInt(fn, 'n', n, 1, 46340);
  if (a.length !== n * n) throw new RangeError(`${fn}: ${name} must have length n * n = ${n * n}, got ${a.length}`);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const v = a[i * n + j]!;
      if (!Number.isFinite(v)) throw new RangeError(`${fn}: ${name}[${i}][${j}] must be finite, got ${describeValue(v)}`);
    }
  }
}

function maxDiagonal(a: Float64Array, n: number): number {
  let m = 0;
  for (let i = 0; i < n; i++) m = Math.max(m, Math.abs(a[i * n + i]!));
  return m;
}

/** Throws a RangeError naming the first entry (i, j) where a is not symmetric. */
export function checkSymmetric(fn: string, name: string, a: Float64Array, n: number, relTol = 1e-10): void {
  const scale = 1e-14 * maxDiagonal(a, n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const x = a[i * n + j]!, y = a[j * n + i]!;
      if (Math.abs(x - y) > relTol * Math.max(Math.abs(x), Math.abs(y)) + scale) {
        throw new RangeError(`${fn}: ${name} must be symmetric, but ${name}[${i}][${j}] = ${x} and ${name}[${j}][${i}] = ${y}`);
      }
    }
  }
}

export interface CholeskyOptions {
  /** Absolute pivot tolerance; default 1e-10 * the largest diagonal entry. */
  tol?: number;
}

/**
 * Lower-triangular L (row-major n x n, zeros above the diagonal) with L L^T = cov, for a
 * symmetric positive semi-definite matrix (see the tolerance contract above).
 */
export function cholesky(cov: Float64Array, n: number, opts: CholeskyOptions = {}): Float64Array {
  const fn = 'cholesky';
  checkSquare(fn, 'cov', cov, n);
  checkSymmetric(fn, 'cov', cov, n);
  const maxDiag = maxDiagonal(cov, n);
  if (opts.tol !== undefined) expectNonNegative(fn, 'opts.tol', opts.tol);
  const tol = opts.tol ?? 1e-10 * maxDiag;
  const L = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let d = cov[j * n + j]!;
    for (let k = 0; k < j; k++) d -= L[j * n + k]! * L[j * n + k]!;
    if (d < -tol) {
      throw new RangeError(`${fn}: cov is not positive semi-definite: pivot ${j} (row ${j}) is ${d} < -${tol} (tolerance)`);
    }
    if (d > tol) {
      const ljj = Math.sqrt(d);
      L[j * n + j] = ljj;
      for (let i = j + 1; i < n; i++) {
        let s = cov[i * n + j]!;
        for (let k = 0; k < j; k++) s -= L[i * n + k]! * L[j * n + k]!;
        L[i * n + j] = s / ljj;
      }
    } else {
      // Zero pivot: the remainders below must vanish for a PSD matrix.
      for (let i = j + 1; i < n; i++) {
        let s = cov[i * n + j]!;
        for (let k = 0; k < j; k++) s -= L[i * n + k]! * L[j * n + k]!;
        const bound = 4 * Math.sqrt(tol * Math.max(Math.abs(cov[i * n + i]!), tol)) + 1e-14 * maxDiag;
        if (Math.abs(s) > bound) {
          throw new RangeError(
            `${fn}: cov is not positive semi-definite: pivot ${j} (row ${j}) is ${d} (zero within tolerance ${tol}) but the remainder of entry [${i}][${j}] is ${s}`,
          );
        }
      }
    }
  }
  return L;
}

/** y = L z for a lower-triangular row-major L (n x n); `out` may be given. */
export function lowerTriangularMultiply(L: Float64Array, n: number, z: ArrayLike<number>, out = new Float64Array(n)): Float64Array {
  for (let i = n - 1; i >= 0; i--) {
    let s = 0;
    for (let k = 0; k <= i; k++) s += L[i * n + k]! * z[k]!;
    out[i] = s;
  }
  return out;
}

/** x^T A x for a row-major n x n A. */
export function quadraticForm(a: Float64Array, n: number, x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < n; i++) {
    let r = 0;
    for (let j = 0; j < n; j++) r += a[i * n + j]! * x[j]!;
    s += x[i]! * r;
  }
  return s;
}

/** A x for a row-major n x n A. */
export function matVec(a: Float64Array, n: number, x: ArrayLike<number>): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let r = 0;
    for (let j = 0; j < n; j++) r += a[i * n + j]! * x[j]!;
    out[i] = r;
  }
  return out;
}

export interface CovarianceOptions {
  /** Delta degrees of freedom: divide by (T - ddof). Default 1 (unbiased). */
  ddof?: number;
}

/**
 * Sample covariance matrix (n x n, row-major) of n series of equal length T:
 * cov_ij = sum_t (x_it - mean_i)(x_jt - mean_j) / (T - ddof).
 */
export function covariance(series: readonly Float64Array[], opts: CovarianceOptions = {}): Float64Array {
  const fn = 'covariance';
  if (!Array.isArray(series) || series.length === 0) throw new TypeError(`${fn}: series must be a non-empty array of Float64Array, got ${describeValue(series)}`);
  const ddof = opts.ddof ?? 1;
  expectInt(fn, 'opts.ddof', ddof, 0);
  const n = series.length;
  series.forEach((s, i) => expectFloat64(fn, `series[${i}]`, s));
  const T = series[0]!.length;
  for (let i = 0; i < n; i++) {
    const s = series[i]!;
    if (s.length !== T) throw new RangeError(`${fn}: series[${i}] has length ${s.length}, expected ${T} (all series must have the same length)`);
    for (let t = 0; t < T; t++) if (!Number.isFinite(s[t])) throw new RangeError(`${fn}: series[${i}][${t}] must be finite, got ${describeValue(s[t])}`);
  }
  if (T - ddof <= 0) throw new RangeError(`${fn}: need more than ddof = ${ddof} observations, got ${T}`);
  const means = series.map((s) => { let m = 0; for (let t = 0; t < T; t++) m += s[t]!; return m / T; });
  const cov = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const a = series[i]!, ma = means[i]!;
    for (let j = 0; j <= i; j++) {
      const b = series[j]!, mb = means[j]!;
      let s = 0;
      for (let t = 0; t < T; t++) s += (a[t]! - ma) * (b[t]! - mb);
      cov[i * n + j] = cov[j * n + i] = s / (T - ddof);
    }
  }
  return cov;
}

/** The rows of a row-major [rows x cols] matrix as subarray views (no copy). */
export function rowsOf(matrix: Float64Array, rows: number, cols: number): Float64Array[] {
  expectFloat64('rowsOf', 'matrix', matrix);
  if (matrix.length !== rows * cols) throw new RangeError(`rowsOf: matrix must have length rows * cols = ${rows * cols}, got ${matrix.length}`);
  return Array.from({ length: rows }, (_, r) => matrix.subarray(r * cols, (r + 1) * cols));
}

/** corr_ij = cov_ij / (sd_i sd_j), unit diagonal; a zero or negative variance is a RangeError naming it. */
export function correlationFromCovariance(cov: Float64Array, n: number): Float64Array {
  const fn = 'correlationFromCovariance';
  checkSquare(fn, 'cov', cov, n);
  checkSymmetric(fn, 'cov', cov, n);
  const sd = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = cov[i * n + i]!;
    if (!(v > 0)) throw new RangeError(`${fn}: cov[${i}][${i}] (a variance) must be > 0, got ${v}`);
    sd[i] = Math.sqrt(v);
  }
  const corr = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      corr[i * n + j] = i === j ? 1 : Math.max(-1, Math.min(1, cov[i * n + j]! / (sd[i]! * sd[j]!)));
    }
  }
  return corr;
}

/** cov_ij = corr_ij sd_i sd_j. */
export function covarianceFromCorrelation(corr: Float64Array, sd: ArrayLike<number>): Float64Array {
  const n = sd.length;
  validateCorrelation(corr, n);
  const cov = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    if (!(sd[i]! >= 0) || !Number.isFinite(sd[i]!)) throw new RangeError(`covarianceFromCorrelation: sd[${i}] must be finite and >= 0, got ${describeValue(sd[i])}`);
    for (let j = 0; j < n; j++) cov[i * n + j] = corr[i * n + j]! * sd[i]! * sd[j]!;
  }
  return cov;
}

export interface CorrelationCheckOptions {
  /** Tolerance on the unit diagonal, the [-1, 1] bounds and symmetry; default 1e-12. */
  tol?: number;
  /** Also require positive semi-definiteness (Cholesky with the default tolerance); default true. */
  psd?: boolean;
}

/**
 * Validates a correlation matrix: finite, symmetric, unit diagonal, every entry in [-1, 1]
 * and (by default) positive semi-definite. The RangeError names the entry and its value.
 */
export function validateCorrelation(corr: Float64Array, n: number, opts: CorrelationCheckOptions = {}): void {
  const fn = 'validateCorrelation';
  checkSquare(fn, 'corr', corr, n);
  const tol = opts.tol ?? 1e-12;
  for (let i = 0; i < n; i++) {
    const d = corr[i * n + i]!;
    if (Math.abs(d - 1) > tol) throw new RangeError(`${fn}: corr[${i}][${i}] must be 1 (unit diagonal), got ${d}`);
    for (let j = 0; j < n; j++) {
      const v = corr[i * n + j]!;
      if (v < -1 - tol || v > 1 + tol) throw new RangeError(`${fn}: corr[${i}][${j}] must be in [-1, 1], got ${v}`);
      if (j < i && Math.abs(v - corr[j * n + i]!) > tol) {
        throw new RangeError(`${fn}: corr must be symmetric, but corr[${i}][${j}] = ${v} and corr[${j}][${i}] = ${corr[j * n + i]}`);
      }
    }
  }
  if (opts.psd ?? true) {
    try {
      cholesky(corr, n);
    } catch (e) {
      throw new RangeError(`${fn}: corr ${(e as Error).message.replace(/^cholesky: cov /, '')}`);
    }
  }
}
