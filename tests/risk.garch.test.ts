// GARCH(1,1) maximum likelihood: parameter recovery on Philox-simulated data, plausibility on
// real SPY returns, local optimality, forecasts and argument checks.
import { describe, expect, it } from 'vitest';
import { loadBundled } from '../src/data/index.js';
import { fitGarch, garchForecast, garchLogLikelihood, garchVariance, simulateGarch } from '../src/risk/garch.js';
import { logReturns } from '../src/risk/returns.js';

const TRUTH = { mu: 0.0003, omega: 2e-6, alpha: 0.08, beta: 0.9 };

describe('fitGarch on simulated data', () => {
  it('recovers normal GARCH parameters (n = 5000, Philox seed 1)', () => {
    const r = simulateGarch(TRUTH, 5000, { seed: 1 });
    const f = fitGarch(r);
    expect(f.converged).toBe(true);
    expect(Math.abs(f.alpha - TRUTH.alpha)).toBeLessThan(0.03);
    expect(Math.abs(f.beta - TRUTH.beta)).toBeLessThan(0.04);
    expect(Math.abs(f.persistence - 0.98)).toBeLessThan(0.015);
    expect(f.omega / TRUTH.omega).toBeGreaterThan(0.4);
    expect(f.omega / TRUTH.omega).toBeLessThan(2.5);
    expect(Math.abs(f.unconditionalVariance / 1e-4 - 1)).toBeLessThan(0.3);
    // the maximum is at least as high as the truth, and a local maximum in every direction
    expect(f.logLik).toBeGreaterThanOrEqual(garchLogLikelihood(r, TRUTH));
    expect(f.logLik).toBeCloseTo(garchLogLikelihood(r, f), 6);
    for (const [k, h] of [['alpha', 0.005], ['beta', 0.005], ['omega', 1e-7], ['mu', 5e-5]] as const) {
      for (const s of [-1, 1]) expect(garchLogLikelihood(r, { ...f, [k]: f[k] + s * h })).toBeLessThan(f.logLik);
    }
    // deterministic
    expect(fitGarch(r)).toEqual(f);
  });

  it('recovers Student-t GARCH with nu = 6', () => {
    const r = simulateGarch({ ...TRUTH, nu: 6 }, 5000, { seed: 5, dist: 't' });
    const f = fitGarch(r, { dist: 't' });
    expect(f.converged).toBe(true);
    expect(Math.abs(f.alpha - TRUTH.alpha)).toBeLessThan(0.03);
    expect(Math.abs(f.beta - TRUTH.beta)).toBeLessThan(0.04);
    expect(f.nu!).toBeGreaterThan(4.5);
    expect(f.nu!).toBeLessThan(9);
    expect(f.logLik).toBeGreaterThan(fitGarch(r, { dist: 'normal' }).logLik); // fat tails fit better
  });
});

describe('fitGarch on SPY-1d', () => {
  const lr = logReturns(loadBundled('SPY', '1d').close);

  it('gives plausible daily equity-index values (normal and t, with and without variance targeting)', () => {
    for (const dist of ['normal', 't'] as const) {
      const f = fitGarch(lr, { dist });
      expect(f.converged, dist).toBe(true);
      expect(f.alpha).toBeGreaterThan(0.05);
      expect(f.alpha).toBeLessThan(0.15);
      expect(f.beta).toBeGreaterThan(0.8);
      expect(f.beta).toBeLessThan(0.95);
      expect(f.persistence).toBeLessThan(1);
      expect(f.omega).toBeGreaterThan(0);
      if (dist === 't') { expect(f.nu!).toBeGreaterThan(4); expect(f.nu!).toBeLessThan(12); }
      const vt = fitGarch(lr, { dist, varianceTargeting: true });
      expect(vt.varianceTargeting).toBe(true);
      expect(vt.logLik).toBeLessThanOrEqual(f.logLik + 1e-6); // a constrained fit cannot do better
      expect(Math.abs(vt.alpha - f.alpha)).toBeLessThan(0.03);
    }
  });
});

describe('garchForecast and garchVariance', () => {
  it('forecasts mean-revert to the unconditional variance at rate alpha + beta', () => {
    const fc = garchForecast({ ...TRUTH, nextVariance: 4e-4 }, 2000);
    const V = TRUTH.omega / (1 - 0.98);
    expect(fc.variance[0]).toBeCloseTo(4e-4, 18);
    expect(fc.variance[1]).toBeCloseTo(V + 0.98 * (4e-4 - V), 18);
    expect(fc.variance[1999]).toBeCloseTo(V, 15);
    expect(fc.cumulativeVariance[2]).toBeCloseTo(fc.variance[0]! + fc.variance[1]! + fc.variance[2]!, 18);
    expect(fc.volatility[0]).toBeCloseTo(0.02, 15);
  });

  it('the filter follows the recursion and the fit reports the next variance', () => {
    const r = simulateGarch(TRUTH, 300, { seed: 3 });
    const { variance, next } = garchVariance(r, TRUTH, 1e-4);
    expect(variance[0]).toBe(1e-4);
    const e = r[0]! - TRUTH.mu;
    expect(variance[1]).toBeCloseTo(TRUTH.omega + TRUTH.alpha * e * e + TRUTH.beta * 1e-4, 18);
    const eN = r[299]! - TRUTH.mu;
    expect(next).toBeCloseTo(TRUTH.omega + TRUTH.alpha * eN * eN + TRUTH.beta * variance[299]!, 18);
  });

  it('refuses non-stationary or out-of-range parameters and short series', () => {
    expect(() => garchForecast({ ...TRUTH, beta: 0.95, nextVariance: 1e-4 }, 5)).toThrow(/alpha \+ beta must be < 1/);
    expect(() => garchForecast({ ...TRUTH, omega: 0, nextVariance: 1e-4 }, 5)).toThrow(/omega must be > 0/);
    expect(() => garchForecast({ ...TRUTH, nextVariance: 1e-4 }, 0)).toThrow(/horizon must be an integer/);
    expect(() => fitGarch(new Float64Array(10))).toThrow(/at least 50 observations, got 10/);
    expect(() => fitGarch(new Float64Array(100))).toThrow(/zero variance/);
    expect(() => fitGarch(simulateGarch(TRUTH, 100), { dist: 'cauchy' as 'normal' })).toThrow(/opts.dist must be 'normal' or 't'/);
    expect(() => simulateGarch({ ...TRUTH, nu: 5.5 }, 10, { dist: 't' })).toThrow(/integer nu in \[3, 64\]/);
  });

  it('simulation is keyed by (seed, path): reproducible and distinct per path', () => {
    const a = simulateGarch(TRUTH, 100, { seed: 9, path: 2 });
    expect(simulateGarch(TRUTH, 100, { seed: 9, path: 2 })).toEqual(a);
    expect(simulateGarch(TRUTH, 100, { seed: 9, path: 3 })).not.toEqual(a);
  });
});
