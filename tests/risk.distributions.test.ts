// Special functions, distributions, quadrature and returns helpers behind the risk analytics.
import { describe, expect, it } from 'vitest';
import { loadBundled } from '../src/data/index.js';
import { chiSquareCdf, chiSquareInv, chiSquareSf, gammaP, gammaQ, lnGamma, normCdf, normInv, standardizedTLogPdf } from '../src/risk/distributions.js';
import { gaussLegendre, integrateAdaptive, integrateGaussLegendre, integrateToInfinity } from '../src/risk/quadrature.js';
import { annualizeReturn, annualizeSharpe, annualizeVolatility, logReturns, periodsPerYear, returnsOf, simpleReturns, splitAdjust } from '../src/risk/returns.js';
import { moments, quantileInterpolated, quantileSorted } from '../src/risk/stats.js';

describe('distributions', () => {
  it('normal CDF and quantile match reference values to ~1e-15', () => {
    // Reference values (R: qnorm/pnorm, 17 significant digits).
    expect(normInv(0.975)).toBeCloseTo(1.959963984540054, 14);
    expect(normInv(0.99)).toBeCloseTo(2.3263478740408408, 14);
    expect(normInv(0.95)).toBeCloseTo(1.6448536269514722, 14);
    expect(normInv(1e-10)).toBeCloseTo(-6.361340902404056, 12);
    expect(normCdf(1)).toBeCloseTo(0.8413447460685429, 15);
    expect(normCdf(-1.96)).toBeCloseTo(0.024997895148220435, 15);
    expect(normCdf(-10) / 7.61985302416047e-24).toBeCloseTo(1, 12);
    for (const p of [1e-300, 1e-12, 0.001, 0.3, 0.5, 0.7, 0.999999]) expect(normCdf(normInv(p)) / p).toBeCloseTo(1, 12);
    expect(() => normInv(1)).toThrow(/p must be in \(0, 1\), got 1/);
  });

  it('incomplete gamma and chi-square give textbook critical values', () => {
    expect(lnGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 14);
    expect(lnGamma(10)).toBeCloseTo(Math.log(362880), 13);
    let ln170 = 0;
    for (let k = 2; k <= 170; k++) ln170 += Math.log(k);
    expect(lnGamma(171) / ln170).toBeCloseTo(1, 14);
    expect(gammaP(3, 2)).toBeCloseTo(1 - Math.exp(-2) * (1 + 2 + 2), 15); // integer a: Poisson tail
    expect(gammaP(2.5, 7) + gammaQ(2.5, 7)).toBeCloseTo(1, 15);
    // chi-square critical values (any statistics table)
    expect(chiSquareSf(3.841458820694124, 1)).toBeCloseTo(0.05, 13);
    expect(chiSquareSf(6.6348966010212145, 1)).toBeCloseTo(0.01, 13);
    expect(chiSquareSf(5.991464547107979, 2)).toBeCloseTo(0.05, 13);
    expect(chiSquareSf(18.307038053275146, 10)).toBeCloseTo(0.05, 13);
    expect(chiSquareCdf(2, 2)).toBeCloseTo(1 - Math.exp(-1), 15); // chi2(2) is exponential(1/2)
    expect(chiSquareSf(200, 1)).toBeGreaterThan(0); // relative accuracy in the far tail
    expect(chiSquareSf(200, 1) / 2.088487583762545e-45).toBeCloseTo(1, 10); // = erfc(10)
    expect(chiSquareInv(0.95, 1)).toBeCloseTo(3.841458820694124, 9);
    expect(chiSquareInv(0.99, 5)).toBeCloseTo(15.08627246938899, 9);
  });

  it('the standardized t density integrates to 1 with unit variance', () => {
    const f = (z: number): number => Math.exp(standardizedTLogPdf(z, 5));
    expect(integrateAdaptive(f, -200, 200, { absTol: 1e-12 }).value).toBeCloseTo(1, 6);
    expect(integrateAdaptive((z) => z * z * f(z), -2000, 2000, { absTol: 1e-12, maxIntervals: 5000 }).value).toBeCloseTo(1, 3);
  });
});

describe('quadrature', () => {
  it('Gauss-Legendre nodes/weights and rules are exact where they should be', () => {
    const { x, w } = gaussLegendre(5);
    expect(x[4]).toBeCloseTo(0.906179845938664, 14);
    expect(w[2]).toBeCloseTo(128 / 225, 15);
    expect(integrateGaussLegendre((t) => t ** 9 + t ** 8, -1, 1, { nodes: 5 })).toBeCloseTo(2 / 9, 14);
    expect(integrateGaussLegendre(Math.exp, 0, 1, { nodes: 20 })).toBeCloseTo(Math.E - 1, 14);
  });

  it('adaptive Gauss-Kronrod reaches its tolerance, also to infinity', () => {
    expect(integrateAdaptive(Math.sin, 0, Math.PI).value).toBeCloseTo(2, 12);
    expect(integrateAdaptive((t) => Math.sqrt(t), 0, 1, { absTol: 1e-12 }).value).toBeCloseTo(2 / 3, 10); // endpoint singularity in the derivative
    expect(integrateToInfinity((t) => Math.exp(-t), 0).value).toBeCloseTo(1, 12);
    expect(integrateToInfinity((t) => 1 / (1 + t * t) ** 2, 0, { absTol: 1e-13, maxUpper: 1e8 }).value).toBeCloseTo(Math.PI / 4, 8);
  });
});

describe('returns and statistics', () => {
  it('computes simple and log returns and names bad prices', () => {
    const p = new Float64Array([100, 110, 99]);
    expect(Array.from(simpleReturns(p))).toEqual([0.10000000000000009, -0.09999999999999998]);
    expect(logReturns(p)[0]).toBeCloseTo(Math.log(1.1), 15);
    expect(returnsOf(p, 'log')[1]).toBeCloseTo(Math.log(0.9), 15);
    expect(() => simpleReturns(new Float64Array([1, 0, 2]))).toThrow(/closes\[1\] must be a finite price > 0, got 0/);
    expect(() => logReturns(new Float64Array([1]))).toThrow(/at least 2 prices/);
    expect(() => returnsOf(p, 'x' as 'log')).toThrow(/kind must be/);
  });

  it('annualises with documented calendars', () => {
    expect(periodsPerYear('1d')).toBe(252);
    expect(periodsPerYear('1d', 'continuous')).toBe(365);
    expect(periodsPerYear('1h')).toBe(1638);
    expect(annualizeVolatility(0.01, 252)).toBeCloseTo(0.15874507866387544, 15);
    expect(annualizeReturn(0.001, 252, 'log')).toBeCloseTo(0.252, 15);
    expect(annualizeReturn(0.001, 252, 'simple')).toBeCloseTo(Math.pow(1.001, 252) - 1, 15);
    expect(annualizeSharpe(0.1, 252)).toBeCloseTo(1.5874507866387544, 14);
    expect(() => periodsPerYear('1d', 'lunar' as 'trading')).toThrow(/calendar must be/);
  });

  it('removes a raw split discontinuity (AAPL 4:1 on 2020-08-31)', () => {
    const aapl = loadBundled('AAPL', '1d');
    const split = Date.parse('2020-08-31T00:00:00Z');
    const i = aapl.time.indexOf(split);
    expect(aapl.close[i]! / aapl.close[i - 1]! - 1).toBeLessThan(-0.7);
    const adj = splitAdjust(aapl.time, aapl.close, [{ time: split, ratio: 4 }]);
    expect(Math.abs(adj[i]! / adj[i - 1]! - 1)).toBeLessThan(0.05);
    expect(adj[adj.length - 1]).toBe(aapl.close[aapl.close.length - 1]);
  });

  it('moments and the two quantile conventions', () => {
    const m = moments(new Float64Array([1, 2, 3, 4, 10]));
    expect(m.mean).toBe(4);
    expect(m.sd).toBeCloseTo(Math.sqrt(50 / 4), 14);
    // m2 = 10, m3 = (-27 -8 -1 0 216)/5 = 36, m4 = (81+16+1+0+1296)/5 = 278.8
    expect(m.skewness).toBeCloseTo(36 / Math.pow(10, 1.5), 14);
    expect(m.excessKurtosis).toBeCloseTo(278.8 / 100 - 3, 14);
    const s = Float64Array.from({ length: 500 }, (_, i) => i + 1);
    expect(quantileSorted(s, 0.01)).toBe(5); // Hull: the 5th of 500 at 1%
    expect(quantileSorted(s, 1 - 0.99)).toBe(5); // round-off in 1 - 0.99 does not move it
    expect(quantileInterpolated(s, 0.5)).toBe(250.5);
  });
});
