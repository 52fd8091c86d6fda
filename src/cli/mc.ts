/**
 * `neurion mc`: Monte Carlo scenarios of one model (or a correlated portfolio) with VaR/CVaR,
 * quantiles, drawdown, barrier and ruin probabilities and an optional call price.
 *
 *   neurion mc --model gbm --s0 100 --mu 0.05 --sigma 0.2 --horizon 1 --steps 252 \
 *              --paths 1000000 --seed 7 --var 0.95,0.99 --json
 *   neurion mc --model block-bootstrap --fit SPY-1d --mean-block 10 --steps 21 --json
 *   neurion mc --model multi-gbm --fit SPY-1d,IWM-1d --weights 0.6,0.4 --notional 1e6 --json
 *
 * --fit <SYMBOL>-<tf>[,...] estimates parameters from a bundled series (s0 = last close unless
 * --s0 is given; src/mc/fit.ts documents each estimator): gbm / gbm-f32 (annualized mu and
 * sigma of log returns), garch (maximum likelihood, --dist normal|t; per-bar units), merton
 * (maximum likelihood of the Poisson mixture), heston (moment/regression estimator on a
 * realized-variance proxy, --rv-window bars; not MLE), bootstrap / block-bootstrap (the log
 * returns), multi-gbm (aligned closes: covariance of log returns). Bars per year come from the
 * data's own time span. Exit codes: 2 for bad values (the error names the flag), 1 for usage errors
 * and for a run cancelled with Ctrl-C.
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { alignCloses, isTimeframe, loadBundled, type Bars, type Timeframe } from '../data/index.js';
import { fitGarchModel, fitGbm, fitHeston, fitMerton } from '../mc/fit.js';
import { MODEL_NAMES, runMonteCarlo, writePathSamplesArrow, type McConfig, type McResult, type ModelSpec } from '../mc/index.js';
import { covariance } from '../risk/linalg.js';
import { mean as sampleMean } from '../risk/stats.js';
import { UsageError } from './errors.js';

interface McFlags {
  model: string;
  fit?: string;
  s0?: string; mu?: string; sigma?: string;
  lambda?: string; muJ?: string; sigmaJ?: string;
  v0?: string; kappa?: string; theta?: string; xi?: string; rho?: string;
  omega?: string; alpha?: string; beta?: string; h0?: string; nu?: string;
  meanBlock?: string; dist?: string; rvWindow?: string;
  weights?: string; qty?: string; notional?: string;
  horizon?: string; steps?: string; paths?: string; seed?: string;
  var?: string; quantiles?: string; barrier?: string; lossThreshold?: string; strike?: string; rate?: string;
  bins?: string; chunkPaths?: string; workers?: string;
  sampleOut?: string; samplePaths?: string;
  json?: boolean; out?: string; progress?: boolean;
}

function num(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(v)) throw new RangeError(`--${flag} must be a finite number, got ${JSON.stringify(raw)}`);
  return v;
}

function int(flag: string, raw: string | undefined): number | undefined {
  const v = num(flag, raw);
  if (v !== undefined && !Number.isInteger(v)) throw new RangeError(`--${flag} must be an integer, got ${JSON.stringify(raw)}`);
  return v;
}

function list(flag: string, raw: string | undefined): number[] | undefined {
  if (raw === undefined) return undefined;
  return raw.split(',').map((s, i) => {
    const v = Number(s);
    if (s.trim() === '' || !Number.isFinite(v)) throw new RangeError(`--${flag} entry ${i} must be a finite number, got ${JSON.stringify(s)} (comma-separated list)`);
    return v;
  });
}

function need(flag: string, v: number | undefined): number {
  if (v === undefined) throw new UsageError(`--${flag} is required for this model (or use --fit <SYMBOL>-<tf>)`);
  return v;
}

/** Parses "SPY-1d" into a bundled series. */
function loadFit(spec: string): Bars {
  const m = /^([A-Za-z0-9.]+)-([0-9]+[a-z]+)$/.exec(spec.trim());
  if (!m || !isTimeframe(m[2]!)) throw new RangeError(`--fit must look like SYMBOL-timeframe (e.g. SPY-1d), got ${JSON.stringify(spec)}`);
  return loadBundled(m[1]!, m[2]! as Timeframe);
}

function logReturns(close: ArrayLike<number>): Float64Array {
  const r = new Float64Array(close.length - 1);
  for (let i = 0; i < r.length; i++) r[i] = Math.log(close[i + 1]! / close[i]!);
  return r;
}

/** Bars per year from the series' own time span (ms timestamps). */
function barsPerYear(time: ArrayLike<number>): number {
  const years = (time[time.length - 1]! - time[0]!) / (365.25 * 86_400_000);
  if (!(years > 0)) throw new RangeError('--fit: the series spans no time; cannot annualize');
  return (time.length - 1) / years;
}


export function modelFromFlags(o: McFlags): { model: ModelSpec; fitted?: Record<string, unknown> } {
  const model = o.model;
  if (!(MODEL_NAMES as string[]).includes(model)) throw new RangeError(`--model must be one of ${MODEL_NAMES.join(', ')}; got ${JSON.stringify(model)}`);
  const s0f = num('s0', o.s0), muf = num('mu', o.mu), sigmaf = num('sigma', o.sigma);
  if (model === 'multi-gbm') {
    if (o.fit === undefined) throw new UsageError('--model multi-gbm needs --fit SYMBOL-tf,SYMBOL-tf,... (covariance estimated from aligned closes)');
    const names = o.fit.split(',');
    const series = names.map(loadFit);
    const al = alignCloses(series);
    if (al.cols < 30) throw new RangeError(`--fit: only ${al.cols} common timestamps across ${names.join(', ')}`);
    const n = al.rows, ppy = barsPerYear(al.time);
    const rets = Array.from({ length: n }, (_, a) => logReturns(al.values.subarray(a * al.cols, (a + 1) * al.cols)));
    const means = rets.map((r) => sampleMean(r));
    const c = covariance(rets);  // per bar; annualized below
    const cov = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => c[i * n + j]! * ppy));
    const s0 = Array.from({ length: n }, (_, a) => al.values[a * al.cols + al.cols - 1]!);
    const mu = means.map((m, a) => m * ppy + 0.5 * cov[a]![a]!);
    const weights = list('weights', o.weights), qty = list('qty', o.qty);
    const notional = num('notional', o.notional);
    const spec: ModelSpec = { type: 'multi-gbm', s0, mu, cov, ...(qty ? { qty } : {}), ...(weights ? { weights } : {}), ...(notional !== undefined ? { notional } : {}) };
    return { model: spec, fitted: { symbols: names, commonBars: al.cols, barsPerYear: ppy, s0, mu, cov } };
  }
  if (o.fit !== undefined) {
    const bars = loadFit(o.fit);
    const r = logReturns(bars.close);
    if (r.length < 2) throw new RangeError(`--fit ${o.fit}: too few bars`);
    const last = bars.close[bars.close.length - 1]!;
    const s0 = s0f ?? last;
    if (model === 'gbm' || model === 'gbm-f32') {
      const ppy = barsPerYear(bars.time);
      const f = fitGbm(r, ppy, s0, model);
      const sigma = sigmaf ?? f.model.sigma;
      const mu = muf ?? (sigmaf === undefined ? f.model.mu : sampleMean(r) * ppy + 0.5 * sigma * sigma);
      return { model: { type: model, s0, mu, sigma }, fitted: { series: o.fit, bars: bars.close.length, barsPerYear: ppy, s0, mu, sigma, method: f.info.method } };
    }
    if (model === 'garch' || model === 'merton' || model === 'heston') {
      const ppy = barsPerYear(bars.time);
      let f;
      if (model === 'garch') {
        const dist = o.dist ?? 'normal';
        if (dist !== 'normal' && dist !== 't') throw new RangeError(`--dist must be normal or t, got ${JSON.stringify(dist)}`);
        f = fitGarchModel(r, ppy, s0, dist);
      } else if (model === 'merton') {
        f = fitMerton(r, ppy, s0);
      } else {
        f = fitHeston(r, ppy, s0, int('rv-window', o.rvWindow) ?? 21);
      }
      const { type: _t, ...params } = f.model as unknown as Record<string, unknown>;
      return { model: f.model, fitted: { series: o.fit, bars: bars.close.length, ...params, ...f.info } };
    }
    if (model === 'bootstrap') return { model: { type: 'bootstrap', s0, returns: r }, fitted: { series: o.fit, returns: r.length, s0 } };
    const meanBlock = num('mean-block', o.meanBlock) ?? 10;
    return { model: { type: 'block-bootstrap', s0, returns: r, meanBlock }, fitted: { series: o.fit, returns: r.length, s0, meanBlock } };
  }
  const s0 = need('s0', s0f);
  switch (model) {
    case 'gbm':
    case 'gbm-f32': return { model: { type: model, s0, mu: need('mu', muf), sigma: need('sigma', sigmaf) } };
    case 'merton':
      return { model: { type: 'merton', s0, mu: need('mu', muf), sigma: need('sigma', sigmaf), lambda: need('lambda', num('lambda', o.lambda)), muJ: need('mu-j', num('mu-j', o.muJ)), sigmaJ: need('sigma-j', num('sigma-j', o.sigmaJ)) } };
    case 'heston':
      return { model: { type: 'heston', s0, mu: need('mu', muf), v0: need('v0', num('v0', o.v0)), kappa: need('kappa', num('kappa', o.kappa)), theta: need('theta', num('theta', o.theta)), xi: need('xi', num('xi', o.xi)), rho: need('rho', num('rho', o.rho)) } };
    case 'garch': {
      const h0 = num('h0', o.h0), nu = num('nu', o.nu);
      return { model: { type: 'garch', s0, mu: muf ?? 0, omega: need('omega', num('omega', o.omega)), alpha: need('alpha', num('alpha', o.alpha)), beta: need('beta', num('beta', o.beta)), ...(h0 !== undefined ? { h0 } : {}), ...(nu !== undefined ? { nu } : {}) } };
    }
    default:
      throw new UsageError(`--model ${model} needs --fit <SYMBOL>-<tf> (its returns)`);
  }
}

function progressBar(): { update: (done: number, total: number) => void; end: () => void } {
  let last = 0;
  const t0 = performance.now();
  return {
    update(done, total) {
      const now = performance.now();
      if (now - last < 100 && done < total) return;
      last = now;
      const f = done / total, w = 30, fill = Math.round(f * w);
      const rate = done / Math.max(1e-3, (now - t0) / 1e3);
      process.stderr.write(`\r[${'#'.repeat(fill)}${'-'.repeat(w - fill)}] ${(100 * f).toFixed(1)}% ${done}/${total} paths, ${rate.toExponential(2)} paths/s`);
    },
    end() {
      process.stderr.write('\n');
    },
  };
}

function formatHuman(r: Omit<McResult, 'accumulator'>): string {
  const f = (x: number): string => (Math.abs(x) >= 1e4 || (Math.abs(x) < 1e-3 && x !== 0) ? x.toExponential(4) : x.toFixed(4));
  const lines = [
    `model ${r.model} on ${r.backend}: ${r.paths} paths x ${r.steps} steps (dt ${f(r.dt)}), seed ${r.seed}, ${r.elapsedMs.toFixed(0)} ms`,
    `start value ${f(r.v0)}; terminal mean ${f(r.mean)} (stderr ${f(r.stderr)}), stdev ${f(r.stdev)}, skew ${f(r.skew)}, excess kurtosis ${f(r.kurtosis)}`,
    `quantiles: ${Object.entries(r.quantiles).map(([q, v]) => `${q}: ${f(v)}`).join(', ')}`,
    ...Object.keys(r.var).map((l) => `VaR ${l}: ${f(r.var[l]!)}   CVaR ${l}: ${f(r.cvar[l]!)}`),
    `max drawdown: mean ${f(r.drawdown.mean)}, median ${f(r.drawdown.quantiles['0.5']!)}, 99% ${f(r.drawdown.quantiles['0.99']!)}`,
  ];
  if (r.barrier) lines.push(`barrier ${f(r.barrier.level)} (${r.barrier.direction}): hit probability ${f(r.barrier.probability)} +- ${f(r.barrier.stderr)}`);
  if (r.ruin) lines.push(`ruin (loss >= ${f(r.ruin.lossThreshold)}): probability ${f(r.ruin.probability)} +- ${f(r.ruin.stderr)}`);
  if (r.call) lines.push(`call strike ${f(r.call.strike)}: price ${f(r.call.price)} +- ${f(r.call.stderr)}`);
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  return lines.join('\n') + '\n';
}

export function registerMcCommand(program: Command, out: (s: string) => void): void {
  program
    .command('mc')
    .description('Monte Carlo scenarios: VaR/CVaR, quantiles, drawdown, barrier and ruin probabilities (gbm, gbm-f32, merton, heston, garch, bootstrap, block-bootstrap, multi-gbm)')
    .option('--model <name>', `model: ${MODEL_NAMES.join(', ')}`, 'gbm')
    .option('--fit <series>', 'fit parameters from bundled series SYMBOL-tf (every model; multi-gbm: a comma-separated list)')
    .option('--s0 <x>', 'start price').option('--mu <x>', 'drift per year (garch: per step)').option('--sigma <x>', 'volatility per sqrt(year)')
    .option('--lambda <x>', 'merton: jumps per year').option('--mu-j <x>', 'merton: mean log jump').option('--sigma-j <x>', 'merton: log jump stdev')
    .option('--v0 <x>', 'heston: initial variance').option('--kappa <x>', 'heston: mean reversion').option('--theta <x>', 'heston: long-run variance')
    .option('--xi <x>', 'heston: vol of variance').option('--rho <x>', 'heston: correlation')
    .option('--omega <x>', 'garch: omega').option('--alpha <x>', 'garch: alpha').option('--beta <x>', 'garch: beta').option('--h0 <x>', 'garch: initial variance')
    .option('--nu <x>', 'garch: Student-t degrees of freedom (integer >= 3; omit for normal)')
    .option('--mean-block <x>', 'block-bootstrap: mean block length (default 10)')
    .option('--dist <normal|t>', 'garch --fit: innovation distribution (default normal)')
    .option('--rv-window <n>', 'heston --fit: bars in the realized-variance proxy (default 21)')
    .option('--weights <list>', 'multi-gbm: portfolio weights').option('--qty <list>', 'multi-gbm: positions').option('--notional <x>', 'multi-gbm: notional for --weights (default 1)')
    .option('--horizon <years>', 'years simulated (default 1)').option('--steps <n>', 'time steps (default 252)').option('--paths <n>', 'paths (default 100000)')
    .option('--seed <n>', 'Philox seed (default 0)')
    .option('--var <levels>', 'VaR/CVaR levels (default 0.95,0.99)').option('--quantiles <list>', 'quantiles of the terminal value to report')
    .option('--barrier <level>', 'barrier level on the value').option('--loss-threshold <amount>', 'ruin: a loss of at least this amount at any step')
    .option('--strike <k>', 'price a European call with this strike').option('--rate <r>', 'discount rate for the call (default 0)')
    .option('--bins <n>', 'histogram bins (default 4096)').option('--chunk-paths <n>', 'paths per chunk').option('--workers <n>', 'worker threads (default: cores)')
    .option('--sample-paths <n>', 'write this many full paths (default 20 with --sample-out)').option('--sample-out <file.arrow>', 'Arrow file for the path sample')
    .option('--json', 'print one JSON object').option('--out <file>', 'also write the JSON result to this file')
    .option('--progress', 'force the progress bar on stderr').option('--no-progress', 'never show the progress bar')
    .addHelpText('after', '\nExamples:\n  neurion mc --model gbm --s0 100 --mu 0.05 --sigma 0.2 --paths 1000000 --seed 7 --var 0.95,0.99 --json\n  neurion mc --model block-bootstrap --fit SPY-1d --steps 21 --loss-threshold 20\n  neurion mc --model garch --fit SPY-1d --dist t --steps 21 --json\n  neurion mc --model gbm-f32 --s0 100 --mu 0.05 --sigma 0.2 --paths 100000000 --json\n  neurion mc --model multi-gbm --fit SPY-1d,IWM-1d --weights 0.6,0.4 --notional 1000000 --steps 10 --json\n')
    .action(async (o: McFlags) => {
      const { model, fitted } = modelFromFlags(o);
      const samplePaths = int('sample-paths', o.samplePaths) ?? (o.sampleOut ? 20 : undefined);
      const cfg: McConfig = {
        model,
        paths: int('paths', o.paths) ?? 100_000,
        steps: int('steps', o.steps) ?? 252,
        horizon: num('horizon', o.horizon) ?? 1,
        seed: int('seed', o.seed) ?? 0,
        ...(o.var !== undefined ? { levels: list('var', o.var)! } : {}),
        ...(o.quantiles !== undefined ? { quantiles: list('quantiles', o.quantiles)! } : {}),
        ...(o.barrier !== undefined ? { barrier: num('barrier', o.barrier)! } : {}),
        ...(o.lossThreshold !== undefined ? { lossThreshold: num('loss-threshold', o.lossThreshold)! } : {}),
        ...(o.strike !== undefined ? { strike: num('strike', o.strike)! } : {}),
        ...(o.rate !== undefined ? { rate: num('rate', o.rate)! } : {}),
        ...(o.bins !== undefined ? { bins: int('bins', o.bins)! } : {}),
        ...(o.chunkPaths !== undefined ? { chunkPaths: int('chunk-paths', o.chunkPaths)! } : {}),
        ...(samplePaths !== undefined ? { samplePaths } : {}),
      };
      const workers = int('workers', o.workers);
      const showProgress = o.progress === true || (o.progress !== false && process.stderr.isTTY === true && !(o.json && !process.stdout.isTTY));
      const bar = showProgress ? progressBar() : undefined;
      const ac = new AbortController();
      const onSigint = (): void => ac.abort();
      process.once('SIGINT', onSigint);
      let r: McResult;
      try {
        r = await runMonteCarlo(cfg, { signal: ac.signal, ...(bar ? { onProgress: bar.update } : {}), ...(workers !== undefined ? { workers } : {}) });
      } catch (e) {
        if (ac.signal.aborted) throw new UsageError('cancelled (Ctrl-C); no result written');
        throw e;
      } finally {
        process.removeListener('SIGINT', onSigint);
        bar?.end();
      }
      const { accumulator: _acc, samples, ...rest } = r;
      void _acc;
      if (samples && o.sampleOut) writePathSamplesArrow(o.sampleOut, samples);
      const result = { ...rest, ...(fitted ? { fitted } : {}), ...(samples && o.sampleOut ? { sample: { file: o.sampleOut, paths: samples.paths } } : {}) };
      const json = JSON.stringify(result, null, 2) + '\n';
      if (o.out) writeFileSync(o.out, json);
      out(o.json ? json : formatHuman(rest));
    });
}
