// Monte Carlo engine accuracy against closed forms (within 3 standard errors): GBM terminal
// mean and variance, Black-Scholes, Merton's series, Heston's semi-analytic price, and the
// bootstraps preserving a real series' mean and volatility. Fixed seeds (printed on failure);
// runs on the fastest backend available here (cpu; js when the addon is missing).
import { describe, expect, it } from 'vitest';
import { availableBackends } from '../src/compute/index.js';
import { loadBundled } from '../src/data/index.js';
import { ACC, runMonteCarlo } from '../src/mc/index.js';
import { blackScholes, hestonPrice, mertonPrice } from '../src/risk/closed-form.js';

const backend = availableBackends().includes('cpu') ? 'cpu' : 'js';
const big = backend === 'cpu' ? 1 : 0.1;

function within(label: string, got: number, want: number, se: number, k = 3): void {
  const z = (got - want) / se;
  expect(Math.abs(z), `${label}: got ${got}, closed form ${want}, SE ${se}, z = ${z.toFixed(2)} (backend ${backend})`).toBeLessThan(k);
}

describe(`mc accuracy (backend ${backend})`, () => {
  it('GBM terminal mean and variance within 3 SE of the closed form', async () => {
    const s0 = 100, mu = 0.07, sigma = 0.25, T = 1;
    const r = await runMonteCarlo({ model: { type: 'gbm', s0, mu, sigma }, paths: Math.round(200_000 * big), steps: 52, horizon: T, seed: 11, backend });
    within('mean', r.mean, s0 * Math.exp(mu * T), r.stderr);
    const n = r.paths;
    const a = r.accumulator;
    const m4 = a[ACC.m4]! / n, s4 = (a[ACC.m2]! / n) ** 2;
    const exactVar = s0 * s0 * Math.exp(2 * mu * T) * (Math.exp(sigma * sigma * T) - 1);
    within('variance', r.variance, exactVar, Math.sqrt((m4 - s4) / n));
    // Skew of a lognormal: (e^{s^2} + 2) sqrt(e^{s^2} - 1)
    const w = Math.exp(sigma * sigma * T);
    expect(r.skew).toBeCloseTo((w + 2) * Math.sqrt(w - 1), 1);
  });

  it('Black-Scholes call within 3 SE', async () => {
    const s0 = 100, k = 105, rate = 0.04, sigma = 0.3, T = 0.5;
    const r = await runMonteCarlo({ model: { type: 'gbm', s0, mu: rate, sigma }, paths: Math.round(200_000 * big), steps: 10, horizon: T, seed: 5, strike: k, rate, backend });
    within('call', r.call!.price, blackScholes({ spot: s0, strike: k, maturity: T, rate, volatility: sigma }), r.call!.stderr);
  });

  it('Merton jump-diffusion call within 3 SE of the series formula', async () => {
    const s0 = 100, k = 100, rate = 0.05, sigma = 0.2, lambda = 1.5, muJ = -0.1, sigmaJ = 0.15, T = 1;
    const r = await runMonteCarlo({ model: { type: 'merton', s0, mu: rate, sigma, lambda, muJ, sigmaJ }, paths: Math.round(200_000 * big), steps: 12, horizon: T, seed: 3, strike: k, rate, backend });
    within('merton call', r.call!.price, mertonPrice({ spot: s0, strike: k, maturity: T, rate, volatility: sigma, jumpIntensity: lambda, jumpMean: muJ, jumpVolatility: sigmaJ }), r.call!.stderr);
    within('merton mean', r.mean, s0 * Math.exp(rate * T), r.stderr);
  });

  it('Heston call within 3 SE of the semi-analytic price (full-truncation Euler, 250 steps)', async () => {
    const s0 = 100, k = 100, rate = 0.03, T = 1;
    const h = { v0: 0.04, kappa: 2, theta: 0.04, xi: 0.3, rho: -0.7 };
    const r = await runMonteCarlo({ model: { type: 'heston', s0, mu: rate, ...h }, paths: Math.round(60_000 * big), steps: 250, horizon: T, seed: 9, strike: k, rate, backend });
    expect(r.warnings).toEqual([]); // Feller holds: 2 * 2 * 0.04 > 0.09
    within('heston call', r.call!.price, hestonPrice({ spot: s0, strike: k, maturity: T, rate, v0: h.v0, kappa: h.kappa, theta: h.theta, sigma: h.xi, rho: h.rho }), r.call!.stderr);
  });

  describe('bootstrap on real SPY daily log returns', () => {
    const close = loadBundled('SPY', '1d').close;
    const ret = new Float64Array(close.length - 1);
    for (let i = 0; i < ret.length; i++) ret[i] = Math.log(close[i + 1]! / close[i]!);
    const n = ret.length;
    const meanExp = (p: number): number => ret.reduce((s, x) => s + Math.exp(p * x), 0) / n;

    it('i.i.d. bootstrap: E[S_T] and Var[S_T] match the source exactly in expectation (within 3 SE)', async () => {
      const steps = 20, s0 = 100;
      const r = await runMonteCarlo({ model: { type: 'bootstrap', s0, returns: ret }, paths: Math.round(100_000 * big), steps, seed: 21, backend });
      const m1 = meanExp(1) ** steps, m2 = meanExp(2) ** steps;
      within('bootstrap mean', r.mean, s0 * m1, r.stderr);
      const a = r.accumulator, np = r.paths;
      const m4 = a[ACC.m4]! / np, s4 = (a[ACC.m2]! / np) ** 2;
      within('bootstrap variance', r.variance, s0 * s0 * (m2 - m1 * m1), Math.sqrt((m4 - s4) / np));
    });

    it('stationary block bootstrap: one-step marginal is the source; 20-step vol close to the source vol', async () => {
      const s0 = 100;
      const one = await runMonteCarlo({ model: { type: 'block-bootstrap', s0, returns: ret, meanBlock: 10 }, paths: Math.round(100_000 * big), steps: 1, seed: 4, backend });
      within('block one-step mean', one.mean, s0 * meanExp(1), one.stderr);
      const r = await runMonteCarlo({ model: { type: 'block-bootstrap', s0, returns: ret, meanBlock: 10 }, paths: Math.round(50_000 * big), steps: 20, seed: 4, backend });
      const mu = ret.reduce((s, x) => s + x, 0) / n;
      const sd = Math.sqrt(ret.reduce((s, x) => s + (x - mu) ** 2, 0) / (n - 1));
      // Daily returns are nearly uncorrelated: the 20-day log-return sd is close to sqrt(20) sd.
      const implied = r.stdev / r.mean; // ~ sd of the 20-day return
      expect(implied / (sd * Math.sqrt(20))).toBeGreaterThan(0.85);
      expect(implied / (sd * Math.sqrt(20))).toBeLessThan(1.15);
    });
  });
});
