/**
 * The Monte Carlo accumulator: a flat Float64Array summarizing any number of simulated paths
 * without storing them. Same layout as native/mc/mc_acc.h (the CPU and CUDA kernels write it);
 * the layout is documented there and mirrored by the ACC_* constants below.
 *
 *   header (40 slots): count, mean, M2, M3, M4, min, max of the terminal value X; payoff
 *   mean/M2 of max(X - strike, 0); barrier and ruin hit counts; max-drawdown moments, min,
 *   max; histogram under/overflow counts and sums; the configuration (version, bins, range,
 *   barrier, ruin level, strike, v0); then histogram counts [B], per-bin sums [B], drawdown
 *   histogram counts [D], per-bin sums [D].
 *
 * Merging (`mergeInto`) is exact for counts and histogram bins (integers in float64, exact
 * below 2^53) and associative up to float rounding for sums and moments (Pebay's pairwise
 * formulas). Both accumulators must have the same configuration (checked).
 */
import { describeValue } from '../errors.js';

export const ACC_HEADER = 40;
export const ACC_VERSION = 1;
export const ACC = {
  count: 0, mean: 1, m2: 2, m3: 3, m4: 4, min: 5, max: 6,
  payMean: 7, payM2: 8, barrierHits: 9, ruinHits: 10,
  ddMean: 11, ddM2: 12, ddM3: 13, ddM4: 14, ddMin: 15, ddMax: 16,
  underN: 17, underSum: 18, overN: 19, overSum: 20, ddOverN: 21, ddOverSum: 22,
  version: 23, bins: 24, lo: 25, hi: 26, ddBins: 27, ddHi: 28, barrier: 29, ruinLevel: 30, strike: 31, v0: 32,
} as const;
/** spec (8 doubles): histBins, histLo, histHi, ddBins, ddHi, barrier, ruinLevel, strike (NaN = none). */
export const SPEC_LENGTH = 8;
export const MAX_BINS = 2 ** 20;

export interface HistogramSpec {
  bins: number;
  lo: number;
  hi: number;
  ddBins: number;
  ddHi: number;
  /** Monitored level (NaN: none). Below v0: down barrier (hit when value <= level); else up. */
  barrier: number;
  /** Ruin when the value is <= this level at any monitored step (NaN: none). */
  ruinLevel: number;
  /** Strike of the call payoff accumulated (NaN: none). */
  strike: number;
}

export function specArray(s: HistogramSpec): Float64Array {
  return Float64Array.of(s.bins, s.lo, s.hi, s.ddBins, s.ddHi, s.barrier, s.ruinLevel, s.strike);
}

export function accLength(bins: number, ddBins: number): number {
  return ACC_HEADER + 2 * bins + 2 * ddBins;
}

/** Validates an 8-double spec (same rules and messages as native/mc/mc_prepare.h check_spec). */
export function checkSpec(op: string, s: Float64Array): void {
  const isInt = (v: number, lo: number, hi: number): boolean => Number.isInteger(v) && v >= lo && v <= hi;
  const bad = (i: number, name: string, rule: string): never => {
    throw new RangeError(`${op}: spec[${i}] (${name}) ${rule}, got ${describeValue(s[i])}`);
  };
  if (!isInt(s[0]!, 1, MAX_BINS)) bad(0, 'histBins', `must be an integer in [1, ${MAX_BINS}]`);
  if (!Number.isFinite(s[1]!)) bad(1, 'histLo', 'must be finite');
  if (!(Number.isFinite(s[2]!) && s[2]! > s[1]!)) bad(2, 'histHi', 'must be finite and > histLo');
  if (!isInt(s[3]!, 1, MAX_BINS)) bad(3, 'ddBins', `must be an integer in [1, ${MAX_BINS}]`);
  if (!(Number.isFinite(s[4]!) && s[4]! > 0)) bad(4, 'ddHi', 'must be finite and > 0');
  if (s[5] === Infinity || s[5] === -Infinity) bad(5, 'barrier', 'must be finite or NaN (none)');
  if (s[6] === Infinity || s[6] === -Infinity) bad(6, 'ruinLevel', 'must be finite or NaN (none)');
  if (s[7] === Infinity || s[7] === -Infinity) bad(7, 'strike', 'must be finite or NaN (none)');
}

/** Running central moments (Terriberry update, Pebay merge), as mc_acc.h's Moments. */
export class Moments {
  n = 0; mean = 0; m2 = 0; m3 = 0; m4 = 0; min = Infinity; max = -Infinity;

  add(x: number): void {
    const n1 = this.n;
    const n = (this.n = n1 + 1);
    const delta = x - this.mean;
    const dn = delta / n;
    const dn2 = dn * dn;
    const term1 = delta * dn * n1;
    this.mean += dn;
    this.m4 += term1 * dn2 * (n * n - 3 * n + 3) + 6 * dn2 * this.m2 - 4 * dn * this.m3;
    this.m3 += term1 * dn * (n - 2) - 3 * dn * this.m2;
    this.m2 += term1;
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;
  }

  static merge(a: { n: number; mean: number; m2: number; m3: number; m4: number }, b: { n: number; mean: number; m2: number; m3: number; m4: number }): { n: number; mean: number; m2: number; m3: number; m4: number } {
    if (b.n === 0) return { ...a };
    if (a.n === 0) return { ...b };
    const na = a.n, nb = b.n, nn = na + nb;
    const d = b.mean - a.mean;
    const d2 = d * d, d3 = d2 * d, d4 = d2 * d2;
    const m4 = a.m4 + b.m4 + (d4 * na * nb * (na * na - na * nb + nb * nb)) / (nn * nn * nn) +
      (6 * d2 * (na * na * b.m2 + nb * nb * a.m2)) / (nn * nn) + (4 * d * (na * b.m3 - nb * a.m3)) / nn;
    const m3 = a.m3 + b.m3 + (d3 * na * nb * (na - nb)) / (nn * nn) + (3 * d * (na * b.m2 - nb * a.m2)) / nn;
    const m2 = a.m2 + b.m2 + (d2 * na * nb) / nn;
    return { n: nn, mean: a.mean + (d * nb) / nn, m2, m3, m4 };
  }
}

/** Mean and M2 (Welford), as mc_acc.h's Mean2. */
export class Mean2 {
  n = 0; mean = 0; m2 = 0;
  add(x: number): void {
    this.n += 1;
    const d = x - this.mean;
    this.mean += d / this.n;
    this.m2 += d * (x - this.mean);
  }
}

/** One path's contribution (as mc_acc.h's PathOut). */
export interface PathOut {
  value: number;
  vmin: number;
  vmax: number;
  maxdd: number;
}

/** A fresh accumulator with the configuration set. */
export function createAccumulator(spec: Float64Array, v0: number, out?: Float64Array): Float64Array {
  const len = accLength(spec[0]!, spec[3]!);
  const a = out ?? new Float64Array(len);
  a.fill(0);
  a[ACC.min] = Infinity; a[ACC.max] = -Infinity;
  a[ACC.ddMin] = Infinity; a[ACC.ddMax] = -Infinity;
  a[ACC.version] = ACC_VERSION;
  a[ACC.bins] = spec[0]!; a[ACC.lo] = spec[1]!; a[ACC.hi] = spec[2]!;
  a[ACC.ddBins] = spec[3]!; a[ACC.ddHi] = spec[4]!;
  a[ACC.barrier] = spec[5]!; a[ACC.ruinLevel] = spec[6]!; a[ACC.strike] = spec[7]!;
  a[ACC.v0] = v0;
  return a;
}

/** Histogram bin of x exactly as acc_bin (mc_acc.h): -1 underflow, bins overflow (NaN: overflow). */
export function accBin(x: number, lo: number, scale: number, bins: number): number {
  const f = Math.floor((x - lo) * scale);
  if (f < 0) return -1;
  if (!(f < bins)) return bins;
  return f;
}

/**
 * Reduces paths into an accumulator, in order: the TypeScript twin of the kernels' per-chunk
 * reduction (the scalar state lives in the Moments objects until `flush`).
 */
export class AccumulatorBuilder {
  readonly acc: Float64Array;
  private readonly x = new Moments();
  private readonly dd = new Moments();
  private readonly pay = new Mean2();
  private barrierHits = 0; private ruinHits = 0;
  private underN = 0; private underSum = 0; private overN = 0; private overSum = 0;
  private ddOverN = 0; private ddOverSum = 0;
  private readonly bins: number; private readonly lo: number; private readonly scale: number;
  private readonly ddBins: number; private readonly ddScale: number;
  private readonly barrier: number; private readonly ruin: number; private readonly strike: number; private readonly v0: number;

  constructor(spec: Float64Array, v0: number, out?: Float64Array) {
    this.acc = createAccumulator(spec, v0, out);
    this.bins = spec[0]!; this.lo = spec[1]!; this.scale = spec[0]! / (spec[2]! - spec[1]!);
    this.ddBins = spec[3]!; this.ddScale = spec[3]! / spec[4]!;
    this.barrier = spec[5]!; this.ruin = spec[6]!; this.strike = spec[7]!; this.v0 = v0;
  }

  add(p: PathOut): void {
    const a = this.acc;
    this.x.add(p.value);
    this.dd.add(p.maxdd);
    if (!Number.isNaN(this.strike)) this.pay.add(p.value > this.strike ? p.value - this.strike : 0);
    if (!Number.isNaN(this.barrier) && (this.barrier <= this.v0 ? p.vmin <= this.barrier : p.vmax >= this.barrier)) this.barrierHits++;
    if (!Number.isNaN(this.ruin) && p.vmin <= this.ruin) this.ruinHits++;
    const b = accBin(p.value, this.lo, this.scale, this.bins);
    if (b < 0) { this.underN++; this.underSum += p.value; }
    else if (b >= this.bins) { this.overN++; this.overSum += p.value; }
    else { a[ACC_HEADER + b]! += 1; a[ACC_HEADER + this.bins + b]! += p.value; }
    const d = accBin(p.maxdd, 0, this.ddScale, this.ddBins);
    const o = ACC_HEADER + 2 * this.bins;
    if (d < 0 || d >= this.ddBins) { this.ddOverN++; this.ddOverSum += p.maxdd; }
    else { a[o + d]! += 1; a[o + this.ddBins + d]! += p.maxdd; }
  }

  /** Writes the scalar state into the header and returns the accumulator. */
  finish(): Float64Array {
    const a = this.acc;
    a[ACC.count] = this.x.n; a[ACC.mean] = this.x.mean; a[ACC.m2] = this.x.m2; a[ACC.m3] = this.x.m3; a[ACC.m4] = this.x.m4;
    a[ACC.min] = this.x.min; a[ACC.max] = this.x.max;
    a[ACC.payMean] = this.pay.mean; a[ACC.payM2] = this.pay.m2;
    a[ACC.barrierHits] = this.barrierHits; a[ACC.ruinHits] = this.ruinHits;
    a[ACC.ddMean] = this.dd.mean; a[ACC.ddM2] = this.dd.m2; a[ACC.ddM3] = this.dd.m3; a[ACC.ddM4] = this.dd.m4;
    a[ACC.ddMin] = this.dd.min; a[ACC.ddMax] = this.dd.max;
    a[ACC.underN] = this.underN; a[ACC.underSum] = this.underSum; a[ACC.overN] = this.overN; a[ACC.overSum] = this.overSum;
    a[ACC.ddOverN] = this.ddOverN; a[ACC.ddOverSum] = this.ddOverSum;
    return a;
  }
}

const CONFIG_SLOTS = [ACC.version, ACC.bins, ACC.lo, ACC.hi, ACC.ddBins, ACC.ddHi, ACC.barrier, ACC.ruinLevel, ACC.strike, ACC.v0];
const CONFIG_NAMES = ['version', 'histBins', 'histLo', 'histHi', 'ddBins', 'ddHi', 'barrier', 'ruinLevel', 'strike', 'v0'];

/** Throws unless a and b are accumulators of the same configuration. */
export function checkMergeable(a: Float64Array, b: Float64Array): void {
  if (!(a instanceof Float64Array) || !(b instanceof Float64Array)) throw new TypeError(`mergeAccumulators: accumulators must be Float64Arrays, got ${describeValue(a)} and ${describeValue(b)}`);
  if (a.length < ACC_HEADER || a[ACC.version] !== ACC_VERSION) throw new RangeError(`mergeAccumulators: not a version ${ACC_VERSION} accumulator (length ${a.length})`);
  CONFIG_SLOTS.forEach((slot, i) => {
    if (!Object.is(a[slot], b[slot]) && !(Number.isNaN(a[slot]!) && Number.isNaN(b[slot]!))) {
      throw new RangeError(`mergeAccumulators: configurations differ in ${CONFIG_NAMES[i]} (${a[slot]} vs ${b[slot]})`);
    }
  });
  if (a.length !== b.length || a.length !== accLength(a[ACC.bins]!, a[ACC.ddBins]!)) throw new RangeError(`mergeAccumulators: lengths differ (${a.length} vs ${b.length})`);
}

/** a <- a (+) b (same configuration). Returns a. */
export function mergeInto(a: Float64Array, b: Float64Array): Float64Array {
  checkMergeable(a, b);
  const n = a[ACC.count]!;
  const x = Moments.merge(
    { n, mean: a[ACC.mean]!, m2: a[ACC.m2]!, m3: a[ACC.m3]!, m4: a[ACC.m4]! },
    { n: b[ACC.count]!, mean: b[ACC.mean]!, m2: b[ACC.m2]!, m3: b[ACC.m3]!, m4: b[ACC.m4]! },
  );
  const dd = Moments.merge(
    { n, mean: a[ACC.ddMean]!, m2: a[ACC.ddM2]!, m3: a[ACC.ddM3]!, m4: a[ACC.ddM4]! },
    { n: b[ACC.count]!, mean: b[ACC.ddMean]!, m2: b[ACC.ddM2]!, m3: b[ACC.ddM3]!, m4: b[ACC.ddM4]! },
  );
  if (!Number.isNaN(a[ACC.strike]!)) {
    const p = Moments.merge(
      { n, mean: a[ACC.payMean]!, m2: a[ACC.payM2]!, m3: 0, m4: 0 },
      { n: b[ACC.count]!, mean: b[ACC.payMean]!, m2: b[ACC.payM2]!, m3: 0, m4: 0 },
    );
    a[ACC.payMean] = p.mean; a[ACC.payM2] = p.m2;
  }
  a[ACC.count] = x.n; a[ACC.mean] = x.mean; a[ACC.m2] = x.m2; a[ACC.m3] = x.m3; a[ACC.m4] = x.m4;
  a[ACC.min] = Math.min(a[ACC.min]!, b[ACC.min]!); a[ACC.max] = Math.max(a[ACC.max]!, b[ACC.max]!);
  a[ACC.ddMean] = dd.mean; a[ACC.ddM2] = dd.m2; a[ACC.ddM3] = dd.m3; a[ACC.ddM4] = dd.m4;
  a[ACC.ddMin] = Math.min(a[ACC.ddMin]!, b[ACC.ddMin]!); a[ACC.ddMax] = Math.max(a[ACC.ddMax]!, b[ACC.ddMax]!);
  for (const s of [ACC.barrierHits, ACC.ruinHits, ACC.underN, ACC.underSum, ACC.overN, ACC.overSum, ACC.ddOverN, ACC.ddOverSum]) a[s]! += b[s]!;
  for (let i = ACC_HEADER; i < a.length; i++) a[i]! += b[i]!;
  return a;
}

/** A new accumulator: the merge of `parts` in order. */
export function mergeAccumulators(parts: readonly Float64Array[]): Float64Array {
  if (parts.length === 0) throw new RangeError('mergeAccumulators: need at least one accumulator');
  const out = Float64Array.from(parts[0]!);
  for (let i = 1; i < parts.length; i++) mergeInto(out, parts[i]!);
  return out;
}
