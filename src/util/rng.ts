/**
 * SplitMix64-seeded xoshiro128** for test inputs, benchmarks and tie-breaking: fast,
 * seedable, reproducible. It is NOT the simulation generator: Monte Carlo draws come from
 * Philox (compute/ops/philox.ts), keyed by (seed, path, step).
 */
export class TestRng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  readonly seed: number;

  constructor(seed: number) {
    this.seed = seed >>> 0;
    let x = BigInt(this.seed);
    const next = (): number => {
      x = (x + 0x9e3779b97f4a7c15n) & 0xffffffffffffffffn;
      let z = x;
      z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & 0xffffffffffffffffn;
      z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & 0xffffffffffffffffn;
      return Number((z ^ (z >> 31n)) & 0xffffffffn);
    };
    this.s0 = next(); this.s1 = next(); this.s2 = next(); this.s3 = next();
  }

  /** Uniform uint32. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0; this.s3 ^= this.s1; this.s1 ^= this.s2; this.s0 ^= this.s3;
    this.s2 ^= t; this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  normal(): number {
    const u = 1 - this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /** A random-walk price series (log-normal steps), positive, length n. */
  priceSeries(n: number, start = 100, vol = 0.02): Float64Array {
    const out = new Float64Array(n);
    let p = start;
    for (let i = 0; i < n; i++) { p *= Math.exp(vol * this.normal()); out[i] = p; }
    return out;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** A fresh seed for a random test; print it on failure. */
export function freshSeed(): number {
  const env = process.env.NEURION_TEST_SEED;
  if (env !== undefined && env !== '') return Number(env) >>> 0;
  return (Math.random() * 4294967296) >>> 0;
}
