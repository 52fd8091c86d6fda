// VaR / CVaR (historical, normal, Cornish-Fisher, Monte Carlo, portfolio) and VaR backtests.
import { describe, expect, it } from 'vitest';
import { philoxNormal } from '../src/compute/index.js';
import { loadBundled } from '../src/data/index.js';
import { normCdf, normInv, normPdf } from '../src/risk/distributions.js';
import { cholesky, lowerTriangularMultiply } from '../src/risk/linalg.js';
import { integrateAdaptive } from '../src/risk/quadrature.js';
import { simpleReturns } from '../src/risk/returns.js';
import { moments } from '../src/risk/stats.js';
import {
  christoffersenTest, computeVar, cornishFisherQuantile, cornishFisherVar, cornishFisherVarFromMoments, historicalVar, kupiecTest,
  normalVar, parametricVar, portfolioHistoricalVar, portfolioNormalVar, portfolioReturns, varBacktest, varFromQuantile, varFromSample,
} from '../src/risk/var.js';

// Published constants: standard normal VaR and ES (e.g. McNeil, Frey & Embrechts, Example 2.14).
const Z95 = 1.6448536269514722, Z99 = 2.3263478740408408, ES95 = 2.0627128075074275, ES99 = 2.665214220345808;

describe('historical VaR/CVaR', () => {
  // returns -0.01, -0.02, ..., -1.00 (losses 1%..100%), shuffled order must not matter
  const r = Float64Array.from({ length: 100 }, (_, i) => -((i * 37) % 100 + 1) / 100);

  it('follows the stated quantile convention (k = ceil(n p)) and the Acerbi-Tasche ES', () => {
    const [v95, v975] = historicalVar(r, [0.95, 0.975]);
    expect(v95!.var).toBeCloseTo(0.96, 15); // 5th worst of 100
    expect(v95!.cvar).toBeCloseTo((1 + 0.99 + 0.98 + 0.97 + 0.96) / 5, 15);
    expect(v975!.var).toBeCloseTo(0.98, 15); // n p = 2.5 -> the 3rd worst
    expect(v975!.cvar).toBeCloseTo((1 + 0.99 + 0.5 * 0.98) / 2.5, 15); // fractional weight on the 3rd
  });

  it('Hull-style: 500 scenarios at 99% -> 5th worst loss, ES = mean of the 5 worst', () => {
    const x = Float64Array.from({ length: 500 }, (_, i) => (i - 250) / 1000);
    const [v] = historicalVar(x, 0.99, { value: 1e6 });
    expect(v!.var).toBeCloseTo(246_000, 6);
    expect(v!.cvar).toBeCloseTo(248_000, 6);
    expect(v!.n).toBe(500);
  });

  it('validates levels and data naming them', () => {
    expect(() => historicalVar(r, 1)).toThrow(/levels\[0\] must be in \(0, 1\), got 1 \(number\)/);
    expect(() => historicalVar(r, [0.9, 0])).toThrow(/levels\[1\]/);
    expect(() => historicalVar(new Float64Array([0.1, NaN]), 0.9)).toThrow(/returns\[1\] must be finite/);
    expect(() => historicalVar([0.1] as unknown as Float64Array, 0.9)).toThrow(TypeError);
    expect(() => computeVar(r, 0.99, ['historical'], { horizon: 10 })).toThrow(/horizon must be 1/);
  });
});

describe('parametric and Cornish-Fisher', () => {
  it('normal VaR/CVaR equal the closed forms', () => {
    const [a, b] = normalVar({ mean: 0, sd: 1 }, [0.95, 0.99]);
    expect(a!.var).toBeCloseTo(Z95, 14);
    expect(a!.cvar).toBeCloseTo(ES95, 13);
    expect(b!.var).toBeCloseTo(Z99, 14);
    expect(b!.cvar).toBeCloseTo(ES99, 13);
    const [h] = normalVar({ mean: 0.001, sd: 0.02 }, 0.99, { horizon: 10, value: 1e6 });
    expect(h!.var).toBeCloseTo((Z99 * 0.02 * Math.sqrt(10) - 0.01) * 1e6, 6);
    const [z] = normalVar({ mean: 0.001, sd: 0.02 }, 0.99, { mean: 'zero' });
    expect(z!.var).toBeCloseTo(Z99 * 0.02, 15);
  });

  it('parametric VaR uses the sample mean and sd of the series', () => {
    const spy = simpleReturns(loadBundled('SPY', '1d').close);
    const m = moments(spy);
    const [p] = parametricVar(spy, 0.99);
    expect(p!.var).toBeCloseTo(Z99 * m.sd - m.mean, 14);
    expect(p!.n).toBe(spy.length);
  });

  it('Cornish-Fisher reduces to the normal with zero skew and kurtosis', () => {
    const [n] = normalVar({ mean: 0.0005, sd: 0.01 }, 0.99);
    const [cf] = cornishFisherVarFromMoments({ mean: 0.0005, sd: 0.01, skewness: 0, excessKurtosis: 0 }, 0.99);
    expect(cf!.var).toBeCloseTo(n!.var, 15);
    expect(cf!.cvar).toBeCloseTo(n!.cvar, 14);
    expect(cf!.monotone).toBe(true);
  });

  it('Cornish-Fisher quantile and its closed-form tail mean match direct evaluation and integration', () => {
    const S = -0.6, K = 4, p = 0.01, z = normInv(p);
    expect(cornishFisherQuantile(p, S, K)).toBeCloseTo(z + ((z * z - 1) * S) / 6 + ((z ** 3 - 3 * z) * K) / 24 - ((2 * z ** 3 - 5 * z) * S * S) / 36, 14);
    const [cf] = cornishFisherVarFromMoments({ mean: 0, sd: 1, skewness: S, excessKurtosis: K }, 0.99);
    // ES = -(1/p) int_0^p Q_cf(u) du = -(1/p) int_{-inf}^{z} cf(t) phi(t) dt, integrated numerically
    const cfOf = (t: number): number => t + ((t * t - 1) * S) / 6 + ((t ** 3 - 3 * t) * K) / 24 - ((2 * t ** 3 - 5 * t) * S * S) / 36;
    const tail = integrateAdaptive((t) => cfOf(t) * normPdf(t), -40, z, { absTol: 1e-14 }).value;
    expect(cf!.cvar).toBeCloseTo(-tail / p, 10);
    expect(cf!.var).toBeCloseTo(-cfOf(z), 14);
    expect(normCdf(z)).toBeCloseTo(p, 15);
    // negative skew and fat tails: a larger loss than the normal
    expect(cf!.var).toBeGreaterThan(Z99);
    // a large skew breaks monotonicity and says so
    expect(cornishFisherVarFromMoments({ mean: 0, sd: 1, skewness: 3, excessKurtosis: 0 }, 0.99)[0]!.monotone).toBe(false);
  });

  it('on real SPY returns: fat tails put Cornish-Fisher and historical 99% VaR above the normal', () => {
    const spy = simpleReturns(loadBundled('SPY', '1d').close);
    const [h, p, cf] = computeVar(spy, 0.99);
    expect(h!.method).toBe('historical');
    expect(p!.var).toBeGreaterThan(0.02);
    expect(p!.var).toBeLessThan(0.04);
    expect(cf!.var).toBeGreaterThan(p!.var);
    expect(h!.var).toBeGreaterThan(p!.var);
    expect(h!.cvar).toBeGreaterThan(h!.var);
    expect(cornishFisherVar(spy, 0.99)[0]).toEqual(cf);
  });
});

describe('Monte Carlo VaR', () => {
  const N = 400_000;
  const z = philoxNormal({ seed: 2024, paths: 1, steps: N });

  it('from a simulated normal sample matches the closed form within sampling error', () => {
    const [v] = varFromSample(z, 0.99);
    // se of the 1% quantile of N(0,1): sqrt(p(1-p)/N)/phi(z) ~ 0.006
    expect(Math.abs(v!.var - Z99)).toBeLessThan(0.025);
    expect(Math.abs(v!.cvar - ES99)).toBeLessThan(0.03);
    const losses = z.map((x) => -x);
    const [w] = varFromSample(losses, 0.99, { kind: 'losses' });
    expect(w!.var).toBeCloseTo(v!.var, 15);
    expect(w!.cvar).toBeCloseTo(v!.cvar, 12);
    const sorted = Float64Array.from(z).sort();
    expect(varFromSample(sorted, 0.99, { sorted: true })[0]).toEqual(v);
    expect(() => varFromSample(z, 0.99, { sorted: true })).toThrow(/marked sorted but sample\[\d+\]/);
  });

  it('from a quantile function reproduces the normal VaR and ES', () => {
    const [v] = varFromQuantile(normInv, 0.99);
    expect(v!.var).toBeCloseTo(Z99, 14);
    expect(v!.cvar).toBeCloseTo(ES99, 6);
    expect(() => varFromQuantile(() => NaN, 0.99)).toThrow(/quantile\(0.01\d*\) must be finite/);
  });
});

describe('portfolio VaR', () => {
  const sd = [0.01, 0.03], rho = 0.3;
  const cov = new Float64Array([sd[0]! ** 2, rho * sd[0]! * sd[1]!, rho * sd[0]! * sd[1]!, sd[1]! ** 2]);
  const w = [0.6, 0.4];

  it('normal portfolio VaR equals z sqrt(w Sigma w) and the Euler components add up', () => {
    const s = Math.sqrt(0.36 * 1e-4 + 0.16 * 9e-4 + 2 * 0.6 * 0.4 * 0.3 * 0.01 * 0.03);
    const [v] = portfolioNormalVar({ weights: w, cov }, 0.99, { value: 1e6 });
    expect(v!.var).toBeCloseTo(Z99 * s * 1e6, 6);
    expect(v!.cvar).toBeCloseTo(ES99 * s * 1e6, 6);
    expect(v!.components.reduce((a, b) => a + b, 0)).toBeCloseTo(v!.var, 6);
    const [m] = portfolioNormalVar({ weights: w, cov, mean: [0.001, 0.002] }, 0.99, { horizon: 4 });
    expect(m!.var).toBeCloseTo(Z99 * s * 2 - 4 * (0.6 * 0.001 + 0.4 * 0.002), 14);
    expect(m!.components.reduce((a, b) => a + b, 0)).toBeCloseTo(m!.var, 14);
    expect(() => portfolioNormalVar({ weights: [1], cov }, 0.99)).toThrow(/weights must have length 2, got 1/);
    expect(() => portfolioNormalVar({ weights: [1, NaN], cov }, 0.99)).toThrow(/weights\[1\] must be finite/);
  });

  it('historical VaR of simulated normal portfolio returns converges to the closed form', () => {
    const T = 200_000;
    const L = cholesky(cov, 2);
    const zz = philoxNormal({ seed: 99, paths: T, steps: 2 });
    const m = new Float64Array(2 * T); // row-major [assets x periods]
    const y = new Float64Array(2);
    for (let t = 0; t < T; t++) {
      lowerTriangularMultiply(L, 2, zz.subarray(2 * t, 2 * t + 2), y);
      m[t] = y[0]!; m[T + t] = y[1]!;
    }
    const [hist] = portfolioHistoricalVar(m, 2, w, 0.99);
    const [closed] = portfolioNormalVar({ weights: w, cov }, 0.99);
    expect(Math.abs(hist!.var / closed!.var - 1)).toBeLessThan(0.02);
    expect(Math.abs(hist!.cvar / closed!.cvar - 1)).toBeLessThan(0.03);
    expect(portfolioReturns(m, 2, w)[5]).toBeCloseTo(0.6 * m[5]! + 0.4 * m[T + 5]!, 15);
    expect(() => portfolioReturns(new Float64Array(5), 2, w)).toThrow(/not a multiple of assets = 2/);
  });
});

describe('VaR backtests', () => {
  it('Kupiec reproduces the 95% non-rejection regions of Jorion (Value at Risk, table of backtest regions)', () => {
    // [p, T, lowest and highest N not rejected]; Jorion lists p = 1%, T = 252 as "N < 7" (no lower bound shown).
    const regions: Array<[number, number, number, number]> = [
      [0.01, 252, 1, 6], [0.01, 510, 2, 10], [0.01, 1000, 5, 16],
      [0.025, 252, 3, 11], [0.025, 510, 7, 20], [0.025, 1000, 16, 35],
      [0.05, 252, 7, 19], [0.05, 510, 17, 35], [0.05, 1000, 38, 64],
      [0.075, 252, 12, 27], [0.075, 510, 28, 50], [0.075, 1000, 60, 91],
      [0.1, 252, 17, 35], [0.1, 510, 39, 64], [0.1, 1000, 82, 119],
    ];
    for (const [p, T, lo, hi] of regions) {
      const ok = (x: number): boolean => kupiecTest(x, T, 1 - p).pValue > 0.05;
      expect([ok(lo - 1), ok(lo), ok(hi), ok(hi + 1)], `p ${p}, T ${T}`).toEqual([false, true, true, false]);
    }
  });

  it('Kupiec LR and p-value by hand (8 exceptions in 250 days at 99%)', () => {
    const k = kupiecTest(8, 250, 0.99);
    const lr = -2 * (242 * Math.log(0.99) + 8 * Math.log(0.01)) + 2 * (242 * Math.log(242 / 250) + 8 * Math.log(8 / 250));
    expect(k.statistic).toBeCloseTo(lr, 12);
    expect(k.statistic).toBeCloseTo(7.7335507244945205, 10);
    expect(k.pValue).toBeCloseTo(0.0054204051941277994, 12);
    expect(kupiecTest(0, 250, 0.99).statistic).toBeCloseTo(-2 * 250 * Math.log(0.99), 12);
    expect(() => kupiecTest(300, 250, 0.99)).toThrow(/exceptions must be an integer in \[0, 250\]/);
  });

  it('Christoffersen: independent-looking hits give LR_ind = 0; clustered hits are rejected', () => {
    const c = christoffersenTest([0, 0, 1, 1, 0, 0, 0, 1, 0, 0], 0.9);
    expect([c.independence.n00, c.independence.n01, c.independence.n10, c.independence.n11]).toEqual([4, 2, 2, 1]);
    expect(c.independence.statistic).toBeCloseTo(0, 14); // pi0 = pi1 = pi = 1/3
    expect(c.conditionalCoverage.statistic).toBeCloseTo(c.pof.statistic, 14);
    // 10 consecutive hits in 1000 days at 99%: right count, all clustered
    const hits = new Uint8Array(1000);
    hits.fill(1, 500, 510);
    const k = christoffersenTest(hits, 0.99);
    expect(k.pof.statistic).toBeCloseTo(0, 14);
    const { n00, n01, n10, n11 } = k.independence;
    expect([n00, n01, n10, n11]).toEqual([988, 1, 1, 9]);
    const pi0 = 1 / 989, pi1 = 9 / 10, pi = 10 / 999;
    const lr = -2 * (989 * Math.log(1 - pi) + 10 * Math.log(pi) - (988 * Math.log(1 - pi0) + Math.log(pi0) + Math.log(1 - pi1) + 9 * Math.log(pi1)));
    expect(k.independence.statistic).toBeCloseTo(lr, 9);
    expect(k.independence.pValue).toBeLessThan(1e-10);
    expect(k.conditionalCoverage.degreesOfFreedom).toBe(2);
    expect(() => christoffersenTest([0, 2], 0.99)).toThrow(/hits\[1\] must be 0, 1, true or false/);
  });

  it('backtests a correct normal VaR (not rejected) and an understated one (rejected)', () => {
    const T = 2000;
    const r = philoxNormal({ seed: 5, paths: 1, steps: T }).map((x) => 0.01 * x);
    const good = new Float64Array(T).fill(Z99 * 0.01);
    const bt = varBacktest(r, good, 0.99);
    expect(bt.hits.reduce((a, b) => a + b, 0)).toBe(bt.pof.exceptions);
    expect(bt.conditionalCoverage.pValue).toBeGreaterThan(0.01);
    const bad = varBacktest(r, good.map((v) => v * 0.6), 0.99);
    expect(bad.pof.pValue).toBeLessThan(1e-6);
    expect(() => varBacktest(r, good.subarray(1), 0.99)).toThrow(/varForecasts must have the same length as returns \(2000\), got 1999/);
  });
});
