// Bad Monte Carlo parameters fail with clear errors naming the field; Feller violations warn.
import { describe, expect, it } from 'vitest';
import { runMonteCarlo, validateConfig, type McConfig } from '../src/mc/index.js';

const gbm = { type: 'gbm' as const, s0: 100, mu: 0.05, sigma: 0.2 };
const base: McConfig = { model: gbm, paths: 100, steps: 10 };

describe('mc config errors', () => {
  it.each<[string, McConfig, typeof RangeError | typeof TypeError, RegExp]>([
    ['negative volatility', { ...base, model: { ...gbm, sigma: -0.2 } }, RangeError, /model\.sigma must be >= 0, got -0\.2/],
    ['zero paths', { ...base, paths: 0 }, RangeError, /paths must be an integer in \[1, .*\], got 0/],
    ['fractional steps', { ...base, steps: 2.5 }, RangeError, /steps must be an integer/],
    ['string s0', { ...base, model: { ...gbm, s0: '100' as unknown as number } }, TypeError, /model\.s0 must be a number/],
    ['unknown model', { ...base, model: { type: 'vasicek' } as unknown as McConfig['model'] }, RangeError, /model\.type must be one of gbm, merton/],
    ['correlation outside [-1, 1]', { ...base, model: { type: 'multi-gbm', s0: [100, 50], mu: [0, 0], sigma: [0.2, 0.3], corr: [[1, 1.2], [1.2, 1]] } }, RangeError, /model\.corr\[0\]\[1\] must be in \[-1, 1\], got 1\.2/],
    ['non-PSD covariance', { ...base, model: { type: 'multi-gbm', s0: [100, 50, 20], mu: [0, 0, 0], sigma: [0.2, 0.2, 0.2], corr: [[1, 0.9, -0.9], [0.9, 1, 0.9], [-0.9, 0.9, 1]] } }, RangeError, /model\.corr is not positive semi-definite/],
    ['heston rho', { ...base, model: { type: 'heston', s0: 100, mu: 0, v0: 0.04, kappa: 1, theta: 0.04, xi: 0.3, rho: -1.5 } }, RangeError, /model\.rho must be in \[-1, 1\], got -1\.5/],
    ['garch non-stationary', { ...base, model: { type: 'garch', s0: 100, mu: 0, omega: 1e-6, alpha: 0.2, beta: 0.85 } }, RangeError, /alpha \+ model\.beta must be < 1/],
    ['merton too many jumps per step', { ...base, steps: 1, model: { type: 'merton', s0: 100, mu: 0, sigma: 0.2, lambda: 100, muJ: 0, sigmaJ: 0.1 } }, RangeError, /lambda \* dt .* must be <= 16/],
    ['negative seed', { ...base, seed: -1 }, RangeError, /seed must be a non-negative safe integer/],
    ['VaR level 1', { ...base, levels: [0.95, 1] }, RangeError, /levels\[1\] must be in \(0, 1\), got 1/],
    ['loss threshold <= 0', { ...base, lossThreshold: -5 }, RangeError, /lossThreshold must be > 0/],
    ['bootstrap with NaN return', { ...base, model: { type: 'bootstrap', s0: 100, returns: Float64Array.of(0.01, NaN, 0.02) } }, RangeError, /model\.returns\[1\] must be finite/],
    ['weights and qty', { ...base, model: { type: 'multi-gbm', s0: [100], mu: [0], sigma: [0.2], corr: [[1]], qty: [1], weights: [1] } }, RangeError, /qty or model\.weights/],
  ])('%s', (_label, cfg, cls, re) => {
    expect(() => validateConfig(cfg)).toThrow(cls);
    expect(() => validateConfig(cfg)).toThrow(re);
  });

  it('a Feller violation is a warning, not an error', async () => {
    const r = await runMonteCarlo({ model: { type: 'heston', s0: 100, mu: 0, v0: 0.04, kappa: 0.5, theta: 0.02, xi: 1, rho: -0.5 }, paths: 200, steps: 10, backend: 'js' });
    expect(r.warnings.join(' ')).toMatch(/Feller condition 2 kappa theta > xi\^2 is violated/);
    expect(r.paths).toBe(200);
  });

  it('runMonteCarlo rejects before simulating', async () => {
    await expect(runMonteCarlo({ ...base, paths: 0 })).rejects.toThrow(/paths must be an integer/);
  });
});
