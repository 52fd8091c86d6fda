// Hyperparameter search: the TPE sampler (Bergstra et al. 2011) against random search on
// synthetic objectives with a narrow optimum and a fixed trial budget (averaged over seeds),
// determinism in the seed, the random search's draws unchanged, the Parzen estimator, option
// checks, and `neurion train --search N --search-method tpe|random --dropout r` end to end
// (the model card and --help say which method ran).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { philoxBlock, philoxKey } from '../src/compute/ops/philox.js';
import { trainingBackend } from '../src/models/train/grad.js';
import {
  HYPER_SPACE, loadTrainedModel, parzen, parzenLogPdf, parzenSample, randomPoint, sampleHyper, tpeDefaults, tpeSuggest,
  type ScoredPoint, type SearchParam,
} from '../src/models/train/pipeline.js';
import { registerTrainCommand } from '../src/cli/train.js';

const UNIT: SearchParam[] = [{ name: 'x', kind: 'float', low: 0, high: 1, log: false }, { name: 'y', kind: 'float', low: 0, high: 1, log: false }];
/** 2-D quadratic with a narrow optimum (f = 1 at distance 0.05 from (0.71, 0.23)). */
const quad = (x: readonly number[]): number => ((x[0]! - 0.71) / 0.05) ** 2 + ((x[1]! - 0.23) / 0.05) ** 2;

function bestRandom(space: readonly SearchParam[], f: (x: readonly number[]) => number, seed: number, budget: number): number {
  let best = Infinity;
  for (let t = 0; t < budget; t++) best = Math.min(best, f(randomPoint(space, seed, t)));
  return best;
}

function runTpe(space: readonly SearchParam[], f: (x: readonly number[]) => number, seed: number, budget: number, opts = {}): ScoredPoint[] {
  const h: ScoredPoint[] = [];
  for (let t = 0; t < budget; t++) { const x = tpeSuggest(space, h, seed, t, opts); h.push({ x, score: f(x) }); }
  return h;
}

describe('TPE sampler', () => {
  it('beats random search on a 2-D quadratic with a narrow optimum (budget 40, 12 seeds)', () => {
    const seeds = Array.from({ length: 12 }, (_, i) => 101 + i);
    let rSum = 0, tSum = 0, wins = 0;
    for (const seed of seeds) {
      const r = bestRandom(UNIT, quad, seed, 40);
      const t = Math.min(...runTpe(UNIT, quad, seed, 40).map((h) => h.score));
      rSum += r; tSum += t; if (t < r) wins++;
    }
    console.info(`quadratic, 40 trials, 12 seeds: mean best random ${(rSum / 12).toFixed(3)}, TPE ${(tSum / 12).toFixed(3)}; TPE better on ${wins}/12 seeds`);
    expect(tSum).toBeLessThan(rSum / 3);
    expect(wins).toBeGreaterThanOrEqual(9);
  });

  it('beats random search on a mixed space (log-scale float + categorical + categorical, narrow optimum)', () => {
    const space: SearchParam[] = [
      { name: 'lr', kind: 'float', low: 1e-5, high: 1e-1, log: true },
      { name: 'units', kind: 'choice', choices: [8, 16, 32, 64, 128, 256] },
      { name: 'batch', kind: 'choice', choices: [16, 32, 64, 128, 256, 512] },
    ];
    const f = (x: readonly number[]): number => ((Math.log10(x[0]!) - Math.log10(2e-3)) / 0.1) ** 2 + (x[1] === 64 ? 0 : 3) + (x[2] === 32 ? 0 : 3);
    // harder for TPE: the lr term dominates the early scores, and TPE models each parameter on
    // its own, so the categorical optimum is found later; TPE still wins on average
    let rSum = 0, tSum = 0;
    const S = 24;
    for (let seed = 1; seed <= S; seed++) {
      rSum += bestRandom(space, f, seed, 40);
      tSum += Math.min(...runTpe(space, f, seed, 40).map((h) => h.score));
    }
    console.info(`mixed space, 40 trials, ${S} seeds: mean best random ${(rSum / S).toFixed(3)}, TPE ${(tSum / S).toFixed(3)}`);
    expect(tSum).toBeLessThan(0.85 * rSum);
  });

  it('is deterministic in the seed: same seed -> the same trials, another seed -> others', () => {
    const a = runTpe(UNIT, quad, 7, 25), b = runTpe(UNIT, quad, 7, 25), c = runTpe(UNIT, quad, 8, 25);
    expect(a.map((h) => h.x)).toEqual(b.map((h) => h.x));
    expect(a.map((h) => h.x)).not.toEqual(c.map((h) => h.x));
    // the suggestion is a pure function of (space, history, seed, trial)
    expect(tpeSuggest(UNIT, a.slice(0, 20), 7, 20)).toEqual(a[20]!.x);
  });

  it('starts with the random search\'s points, then proposes points inside the space', () => {
    const h = runTpe(HYPER_SPACE, () => 0, 3, 14, { startup: 5 });
    for (let t = 0; t < 5; t++) expect(h[t]!.x).toEqual(randomPoint(HYPER_SPACE, 3, t));
    for (const { x } of h) {
      expect([16, 32, 64]).toContain(x[0]);
      expect(x[1]!).toBeGreaterThanOrEqual(3e-4);
      expect(x[1]!).toBeLessThanOrEqual(3e-3 * (1 + 1e-12));
      expect([64, 128, 256]).toContain(x[2]);
      expect([0.5, 1, 5]).toContain(x[3]);
    }
    // trials with a non-finite score do not count towards the start-up
    const nan = [0, 1, 2, 3, 4].map((t) => ({ x: randomPoint(UNIT, 1, t), score: NaN }));
    expect(tpeSuggest(UNIT, nan, 1, 5, { startup: 3 })).toEqual(randomPoint(UNIT, 1, 5));
  });

  it('random search draws are unchanged (Philox keyed by (seed, trial, draw), tag 0x5345)', () => {
    for (const [seed, trial] of [[1, 0], [1, 5], [42, 3]] as const) {
      const key = philoxKey(seed);
      const b = new Uint32Array(4);
      const u = (d: number): number => { philoxBlock(trial, d, 0x5345, 0, key[0]!, key[1]!, b, 0); return (b[0]! + 0.5) / 4294967296; };
      const pick = <T>(xs: readonly T[], d: number): T => xs[Math.min(xs.length - 1, Math.floor(u(d) * xs.length))]!;
      expect(sampleHyper('lstm', seed, trial)).toEqual({
        model: 'lstm', units: pick([16, 32, 64], 0), learningRate: Number((3e-4 * 10 ** u(1)).toPrecision(3)), batchSize: pick([64, 128, 256], 2), clipNorm: pick([0.5, 1, 5], 3), dropout: 0,
      });
    }
  });

  it('Parzen estimator: a density on [0, 1] (integrates to 1), samples inside, concentrated near the observations', () => {
    const pz = parzen([0.2, 0.25, 0.3, 0.8], 1);
    let integral = 0;
    const n = 20000;
    for (let i = 0; i < n; i++) integral += Math.exp(parzenLogPdf(pz, (i + 0.5) / n)) / n;
    expect(Math.abs(integral - 1)).toBeLessThan(1e-3);
    expect(Math.exp(parzenLogPdf(pz, 0.25))).toBeGreaterThan(Math.exp(parzenLogPdf(pz, 0.55)));
    let near = 0;
    for (let i = 0; i < 1000; i++) {
      const z = parzenSample(pz, (i * 0.6180339887 + 0.1) % 1, (i * 0.7548776662 + 0.3) % 1);
      expect(z).toBeGreaterThanOrEqual(0); expect(z).toBeLessThanOrEqual(1);
      if (z > 0.1 && z < 0.4) near++;
    }
    expect(near).toBeGreaterThan(400);
    expect(Math.abs(Math.exp(parzenLogPdf(parzen([], 1), 0.3)) - Math.exp(parzenLogPdf(parzen([], 1), 0.9)))).toBeLessThan(0.5);
  });

  it('rejects bad options and spaces with the field and value', () => {
    expect(() => tpeSuggest(UNIT, [], 1, 0, { gamma: 1 })).toThrow(/gamma must be in \(0, 1\), got 1/);
    expect(() => tpeSuggest(UNIT, [], 1, 0, { startup: 1 })).toThrow(/startup must be an integer >= 2, got 1/);
    expect(() => tpeSuggest(UNIT, [], 1, 0, { candidates: 0 })).toThrow(/candidates must be an integer >= 1, got 0/);
    expect(() => tpeSuggest(UNIT, [], 1, 0, { priorWeight: 0 })).toThrow(/priorWeight must be a finite number > 0, got 0/);
    expect(() => randomPoint([{ name: 'lr', kind: 'float', low: 0, high: 1, log: true }], 1, 0)).toThrow(/lr: needs finite low < high and low > 0/);
    expect(() => randomPoint([{ name: 'u', kind: 'choice', choices: [] }], 1, 0)).toThrow(/u: choices must be a non-empty array/);
    expect(tpeDefaults(6).startup).toBe(3);
    expect(tpeDefaults(60).startup).toBe(10);
  });
});

describe('neurion train --search', () => {
  it.each(['tpe', 'random'] as const)('--search 4 --search-method %s --dropout 0.2: the card states the method, the trials, the backend and the dropout', async (method) => {
    const dir = mkdtempSync(join(tmpdir(), 'neurion-search-'));
    try {
      let text = '';
      const p = new Command('neurion').exitOverride();
      registerTrainCommand(p, (s) => { text += s; });
      await p.parseAsync(['node', 'neurion', 'train', '--symbols', 'SPY', '--model', 'lstm', '--units', '8', '--steps', '10', '--epochs', '1', '--seed', '2',
        '--search', '4', '--search-method', method, '--folds', '2', '--dropout', '0.2', '--out', dir]);
      const tm = loadTrainedModel(dir);
      const s = tm.card.search!;
      expect(s.method).toBe(method);
      expect(s.backend).toBe(trainingBackend());
      expect(s.trials.length).toBe(4);
      expect(s.trials.every((t) => t.foldLogLoss.length === 2 && Number.isFinite(t.meanLogLoss) && t.hyper.dropout === 0.2)).toBe(true);
      if (method === 'tpe') {
        expect(s.tpe!.startup).toBe(3);
        expect(s.trials.map((t) => t.sampler)).toEqual(['random', 'random', 'random', 'tpe']);
      } else {
        expect(s.trials.every((t) => t.sampler === 'random')).toBe(true);
      }
      expect(text).toMatch(new RegExp(`search: 4 trials, method ${method}`));
      expect(tm.card.hyperparameters.dropout).toBe(0.2);
      expect(tm.card.model.layers).toMatch(/^LSTM\(\d+\) -> Dropout\(0\.2, training only\) -> Dense\(3, softmax\)$/);
      expect(tm.model.layers.map((l) => l.kind)).toEqual(['lstm', 'dropout', 'dense']);
      const md = readFileSync(join(dir, 'card.md'), 'utf8');
      expect(md).toMatch(method === 'tpe' ? /4 trials of TPE \(Tree-structured Parzen Estimator\): 3 random start-up trials, then 1 chosen by l\(x\)\/g\(x\)/ : /4 random-search trials/);
      expect(md).toMatch(/dropout 0\.2 before the Dense head/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('--help names the search methods and the default; bad values name the flag', async () => {
    let help = '';
    const p = new Command('neurion').exitOverride().configureOutput({ writeOut: (s) => { help += s; }, writeErr: () => {} });
    registerTrainCommand(p, () => {});
    await expect(p.parseAsync(['node', 'neurion', 'train', '--help'])).rejects.toThrow();
    expect(help).toMatch(/--search-method <m>/);
    expect(help).toMatch(/tpe \(Tree-structured Parzen Estimator/);
    expect(help).toMatch(/default: "tpe"/);
    expect(help).toMatch(/--dropout <rate>/);
    await expect(p.parseAsync(['node', 'neurion', 'train', '--search-method', 'grid', '--out', '/tmp/x'])).rejects.toThrow(/--search-method must be one of tpe, random, got "grid"/);
    await expect(p.parseAsync(['node', 'neurion', 'train', '--dropout', '1', '--out', '/tmp/x'])).rejects.toThrow(/--dropout must be a number in \[0, 0.95\], got "1"/);
  });
});
