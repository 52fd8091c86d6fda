// Parameter fitting for the Monte Carlo models (src/mc/fit.ts): recovery on series simulated
// from known parameters, the model specs they produce, and `neurion mc --fit` for every model.
import { describe, expect, it } from 'vitest';
import { registerMcCommand } from '../src/cli/mc.js';
import { fitGarchModel, fitGbm, fitHeston, fitMerton, mertonLogLikelihood, packModel } from '../src/mc/index.js';
import { simulateGarch } from '../src/risk/garch.js';
import { TestRng } from '../src/util/rng.js';
import { runCommand } from './helpers/cli.js';

const PPY = 252, DT = 1 / PPY;

function mertonReturns(seed: number, n: number, p: { mu: number; sigma: number; lambda: number; muJ: number; sigmaJ: number }): Float64Array {
  const rng = new TestRng(seed);
  const k = Math.exp(p.muJ + 0.5 * p.sigmaJ ** 2) - 1;
  const a = (p.mu - p.lambda * k - 0.5 * p.sigma ** 2) * DT;
  const r = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let jumps = 0, f = Math.exp(-p.lambda * DT), c = f;
    const u = rng.next();
    while (u > c && jumps < 50) { jumps++; f = (f * p.lambda * DT) / jumps; c += f; }
    r[i] = a + p.sigma * Math.sqrt(DT) * rng.normal() + jumps * p.muJ + Math.sqrt(jumps) * p.sigmaJ * rng.normal();
  }
  return r;
}

function hestonReturns(seed: number, n: number, p: { mu: number; v0: number; kappa: number; theta: number; xi: number; rho: number }, sub = 10): Float64Array {
  const rng = new TestRng(seed);
  const h = DT / sub;
  const r = new Float64Array(n);
  let v = p.v0;
  for (let i = 0; i < n; i++) {
    let x = 0;
    for (let j = 0; j < sub; j++) {
      const z1 = rng.normal(), z2 = p.rho * z1 + Math.sqrt(1 - p.rho ** 2) * rng.normal();
      const vp = Math.max(v, 0);
      x += (p.mu - 0.5 * vp) * h + Math.sqrt(vp * h) * z1;
      v += p.kappa * (p.theta - vp) * h + p.xi * Math.sqrt(vp * h) * z2;
    }
    r[i] = x;
  }
  return r;
}

describe('mc parameter fitting', () => {
  it('gbm: annualized moments, E[S_T] = S0 e^{mu T} convention', () => {
    const rng = new TestRng(3);
    const r = Float64Array.from({ length: 5000 }, () => 0.0002 + 0.01 * rng.normal());
    const f = fitGbm(r, PPY, 100, 'gbm-f32');
    expect(f.model.type).toBe('gbm-f32');
    expect(f.model.sigma).toBeCloseTo(0.01 * Math.sqrt(PPY), 2);
    expect(f.model.mu).toBeCloseTo(0.0002 * PPY + 0.5 * f.model.sigma ** 2, 1);
    expect(() => packModel(f.model)).not.toThrow();
  });

  it('garch: maximum likelihood recovers alpha and beta; h0 is the next-step variance', () => {
    const truth = { mu: 0.0003, omega: 2e-6, alpha: 0.08, beta: 0.9 };
    const r = simulateGarch(truth, 6000, { seed: 11 });
    const f = fitGarchModel(r, PPY, 100);
    expect(f.model.alpha).toBeGreaterThan(0.05);
    expect(f.model.alpha).toBeLessThan(0.12);
    expect(f.model.beta).toBeGreaterThan(0.85);
    expect(f.model.beta).toBeLessThan(0.94);
    expect(f.model.h0).toBeGreaterThan(0);
    expect(f.info.method).toMatch(/maximum likelihood/);
    const t = fitGarchModel(r, PPY, 100, 't');
    expect(Number.isInteger(t.model.nu)).toBe(true);
    expect(t.model.nu!).toBeGreaterThanOrEqual(3);
    expect(() => packModel(t.model)).not.toThrow();
  });

  it('merton: maximum likelihood recovers the jump parameters of a simulated series', () => {
    const truth = { mu: 0.08, sigma: 0.15, lambda: 20, muJ: -0.03, sigmaJ: 0.02 };
    const r = mertonReturns(5, 8000, truth);
    const f = fitMerton(r, PPY, 100);
    expect(f.model.sigma).toBeGreaterThan(0.12);
    expect(f.model.sigma).toBeLessThan(0.18);
    expect(f.model.lambda).toBeGreaterThan(10);
    expect(f.model.lambda).toBeLessThan(35);
    expect(f.model.muJ).toBeGreaterThan(-0.045);
    expect(f.model.muJ).toBeLessThan(-0.018);
    // The optimum beats the truth's likelihood (it is the maximum on this sample).
    const dt = DT, k = Math.exp(truth.muJ + 0.5 * truth.sigmaJ ** 2) - 1;
    const llTruth = mertonLogLikelihood(r, dt, { a: (truth.mu - truth.lambda * k - 0.5 * truth.sigma ** 2) * dt, sigma: truth.sigma, lambda: truth.lambda, muJ: truth.muJ, sigmaJ: truth.sigmaJ });
    expect(f.info.logLik!).toBeGreaterThanOrEqual(llTruth - 1e-6);
    expect(() => packModel(f.model)).not.toThrow();
  });

  it('heston: the moment / indirect-inference estimator finds theta, xi and the sign of rho', () => {
    const truth = { mu: 0.05, v0: 0.04, kappa: 3, theta: 0.04, xi: 0.4, rho: -0.7 };
    const r = hestonReturns(9, 8000, truth);
    const f = fitHeston(r, PPY, 100);
    expect(f.model.theta).toBeGreaterThan(0.025);
    expect(f.model.theta).toBeLessThan(0.06);
    expect(f.model.kappa).toBeGreaterThan(0);
    expect(f.model.xi).toBeGreaterThan(0.25);
    expect(f.model.xi).toBeLessThan(0.6);
    expect(f.model.rho).toBeLessThan(-0.2);
    expect(f.info.method).toMatch(/not maximum likelihood/);
    expect(() => packModel(f.model)).not.toThrow();
  });

  it('rejects bad input naming the argument', () => {
    expect(() => fitMerton(new Float64Array(10), PPY, 100)).toThrow(/fitMerton: returns must have at least 100/);
    expect(() => fitHeston(Float64Array.of(...new Array(200).fill(0.01).map((x, i) => (i === 7 ? NaN : x))), PPY, 100)).toThrow(/returns\[7\] must be finite/);
    expect(() => fitGbm(new Float64Array(10), -1, 100)).toThrow(/barsPerYear must be a finite number > 0/);
    expect(() => fitHeston(new Float64Array(200), PPY, 100, 2)).toThrow(/window must be an integer >= 5/);
  });
});

const run = (args: string[]): ReturnType<typeof runCommand> => runCommand(registerMcCommand, ['mc', ...args]);

describe('neurion mc --fit for every single-asset model', () => {
  it.each([
    ['garch', /maximum likelihood, GARCH\(1,1\) with normal/],
    ['merton', /maximum likelihood of the per-bar Poisson mixture/],
    ['heston', /indirect-inference estimator/],
    ['gbm-f32', /moments of log returns/],
  ])('%s', async (model, method) => {
    const r = await run(['--model', model, '--fit', 'SPY-1d', '--horizon', '0.1', '--steps', '25', '--paths', '2000', '--json', '--no-progress']);
    expect(r.code, r.message).toBe(0);
    const j = JSON.parse(r.out) as { fitted: { method: string; series: string }; mean: number; model: string };
    expect(j.fitted.series).toBe('SPY-1d');
    expect(j.fitted.method).toMatch(method);
    expect(Number.isFinite(j.mean)).toBe(true);
  });
  it('garch --dist t fits Student-t innovations; a bad --dist is a named error', async () => {
    const r = await run(['--model', 'garch', '--fit', 'SPY-1d', '--dist', 't', '--steps', '5', '--paths', '1000', '--json', '--no-progress']);
    expect(r.code, r.message).toBe(0);
    expect((JSON.parse(r.out) as { fitted: { method: string } }).fitted.method).toMatch(/Student-t/);
    const bad = await run(['--model', 'garch', '--fit', 'SPY-1d', '--dist', 'cauchy', '--json', '--no-progress']);
    expect(bad.code).toBe(2);
    expect(bad.message).toMatch(/--dist must be normal or t, got "cauchy"/);
  });
});
