/**
 * Risk commands: `neurion var`, `neurion stress`, `neurion tradesim`. Wired into the CLI by
 * `registerRiskCommands(program, out)`. Bad values (a level outside (0, 1), a weight that is
 * not a number, a bad cell in a trades file) are RangeError/TypeError/DataError naming the
 * field (exit 2); missing or conflicting arguments are UsageError (exit 1).
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import type { Command } from 'commander';
import { isTimeframe, loadBars, loadBundled, type Bars, type Timeframe } from '../data/index.js';
import { DataError } from '../errors.js';
import { returnsOf, type ReturnKind } from '../risk/returns.js';
import { moments } from '../risk/stats.js';
import { getStressScenario, runStress, stressScenarios, type StressAssetClass, type StressPosition, type StressScenario } from '../risk/stress.js';
import { runTradeSequence, type ResampleMethod } from '../risk/trade-sequence.js';
import { computeVar, type VarResult } from '../risk/var.js';
import { UsageError } from './errors.js';

type Out = (s: string) => void;

function numberOption(flag: string, check: (v: number) => boolean, what: string) {
  return (raw: string): number => {
    const v = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(v) || !check(v)) throw new RangeError(`${flag} must be ${what}, got ${JSON.stringify(raw)}`);
    return v;
  };
}
const intAtLeast = (flag: string, min: number) => numberOption(flag, (v) => Number.isInteger(v) && v >= min, `an integer >= ${min}`);

function listOption(flag: string) {
  return (raw: string): number[] =>
    raw.split(',').map((s) => {
      const v = Number(s);
      if (s.trim() === '' || !Number.isFinite(v)) throw new RangeError(`${flag} entries must be numbers, got ${JSON.stringify(s)}`);
      if (!(v > 0 && v < 1)) throw new RangeError(`${flag} entries must be confidence levels in (0, 1), got ${JSON.stringify(s)}`);
      return v;
    });
}

function choice<T extends string>(flag: string, allowed: readonly T[]) {
  return (raw: string): T => {
    if (!(allowed as readonly string[]).includes(raw)) throw new RangeError(`${flag} must be one of ${allowed.join(', ')}; got ${JSON.stringify(raw)}`);
    return raw as T;
  };
}

const pct = (x: number, digits = 2): string => (Number.isFinite(x) ? `${(100 * x).toFixed(digits)}%` : String(x));
const fmt = (x: number): string => (Math.abs(x) >= 1e5 ? x.toFixed(0) : Math.abs(x) >= 100 ? x.toFixed(2) : x.toPrecision(6));

// ------------------------------------------------------------------ var

const VAR_METHODS = ['historical', 'parametric', 'cornish-fisher'] as const;
type CliVarMethod = (typeof VAR_METHODS)[number];

interface VarCliOptions {
  input?: string;
  timeframe: string;
  levels: number[];
  method?: string;
  returns: ReturnKind;
  horizon: number;
  value?: number;
  from?: string;
  to?: string;
  json?: boolean;
}

function parseDate(flag: string, s: string): number {
  const t = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(s) ? `${s}T00:00:00Z` : s);
  if (!Number.isFinite(t)) throw new RangeError(`${flag} must be a date (YYYY-MM-DD or ISO), got ${JSON.stringify(s)}`);
  return t;
}

function windowOf(bars: Bars, from?: string, to?: string): { close: Float64Array; first: number; last: number } {
  const lo = from === undefined ? -Infinity : parseDate('--from', from);
  const hi = to === undefined ? Infinity : parseDate('--to', to);
  let i0 = 0, i1 = bars.time.length;
  while (i0 < i1 && bars.time[i0]! < lo) i0++;
  while (i1 > i0 && bars.time[i1 - 1]! > hi) i1--;
  if (i1 - i0 < 3) throw new RangeError(`the window ${from ?? 'start'}..${to ?? 'end'} holds ${i1 - i0} bars of ${bars.symbol}; need at least 3`);
  return { close: bars.close.subarray(i0, i1), first: bars.time[i0]!, last: bars.time[i1 - 1]! };
}

function runVarCommand(symbol: string | undefined, o: VarCliOptions, out: Out): void {
  if (symbol !== undefined && o.input !== undefined) throw new UsageError('give a bundled symbol or --input <file>, not both');
  if (symbol === undefined && o.input === undefined) throw new UsageError('missing series: give a bundled symbol (e.g. `neurion var SPY`) or --input <file>');
  if (!isTimeframe(o.timeframe)) throw new RangeError(`--timeframe must be one of 1m, 5m, 15m, 30m, 1h, 4h, 1d, 1w, 1mo; got ${JSON.stringify(o.timeframe)}`);
  const bars = symbol !== undefined ? loadBundled(symbol, o.timeframe as Timeframe) : loadBars(o.input!);
  const { close, first, last } = windowOf(bars, o.from, o.to);
  const methods: CliVarMethod[] = o.method
    ? o.method.split(',').map((m) => choice('--method', VAR_METHODS)(m.trim()))
    : o.horizon === 1 ? [...VAR_METHODS] : ['parametric', 'cornish-fisher'];
  const r = returnsOf(close, o.returns);
  const results = computeVar(r, o.levels, methods, { horizon: o.horizon, value: o.value ?? 1 });
  const m = moments(r);
  const summary = {
    series: symbol !== undefined ? `${symbol}-${o.timeframe} (bundled)` : o.input!,
    first: new Date(first).toISOString(),
    last: new Date(last).toISOString(),
    returns: o.returns,
    observations: r.length,
    horizon: o.horizon,
    value: o.value ?? 1,
    moments: m,
    results,
  };
  if (o.json) {
    out(JSON.stringify(summary, null, 2) + '\n');
    return;
  }
  const money = o.value !== undefined;
  out(`${summary.series}: ${r.length} ${o.returns} returns ${summary.first.slice(0, 10)} .. ${summary.last.slice(0, 10)}, horizon ${o.horizon} period(s)\n`);
  out(`mean ${m.mean.toExponential(3)}  sd ${m.sd.toExponential(3)}  skew ${m.skewness.toFixed(3)}  excess kurtosis ${m.excessKurtosis.toFixed(3)}\n`);
  out(`${'method'.padEnd(16)} ${'level'.padStart(7)} ${'VaR'.padStart(14)} ${'CVaR'.padStart(14)}\n`);
  for (const x of results as VarResult[]) {
    const show = (v: number): string => (money ? fmt(v) : pct(v, 3));
    out(`${x.method.padEnd(16)} ${pct(x.level, 1).padStart(7)} ${show(x.var).padStart(14)} ${show(x.cvar).padStart(14)}${x.monotone === false ? '  (Cornish-Fisher not monotone here: unreliable)' : ''}\n`);
  }
  if (methods.includes('cornish-fisher') && (Math.abs(m.skewness) > 1 || m.excessKurtosis > 6)) {
    out(`note: skew ${m.skewness.toFixed(2)} / excess kurtosis ${m.excessKurtosis.toFixed(2)} lie outside the range where the Cornish-Fisher expansion is reliable (|skew| <= 1, kurtosis <= 6): it overstates far tails here\n`);
  }
  out('losses are positive; historical: k-th worst return with k = ceil(n(1-level)), CVaR = mean of the n(1-level) worst\n');
}

// ------------------------------------------------------------------ stress

const CLASSES: readonly StressAssetClass[] = ['equity', 'fx', 'crypto', 'commodity', 'bond'];

/** Parses `SPY=0.6,BTCUSD=0.4` (optionally `SYMBOL:class=value`). */
export function parseWeights(raw: string): StressPosition[] {
  const positions: StressPosition[] = [];
  for (const part of raw.split(',')) {
    const s = part.trim();
    if (s === '') continue;
    const eq = s.indexOf('=');
    if (eq <= 0) throw new RangeError(`--weights entries must be SYMBOL=weight, got ${JSON.stringify(s)}`);
    const [symbol, cls] = s.slice(0, eq).split(':') as [string, string | undefined];
    const v = Number(s.slice(eq + 1));
    if (s.slice(eq + 1).trim() === '' || !Number.isFinite(v)) throw new RangeError(`--weights ${symbol} must be a finite number, got ${JSON.stringify(s.slice(eq + 1))}`);
    const p: StressPosition = { symbol, value: v };
    if (cls !== undefined) p.assetClass = choice(`--weights ${symbol} asset class`, CLASSES)(cls);
    positions.push(p);
  }
  if (positions.length === 0) throw new RangeError(`--weights must list at least one SYMBOL=weight, got ${JSON.stringify(raw)}`);
  return positions;
}

function readPortfolioFile(path: string): StressPosition[] {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code) throw e;
    throw new DataError({ file: path, row: -1, field: 'json', value: '', message: `not valid JSON: ${(e as Error).message}` });
  }
  const bad = (field: string, value: unknown, message: string): never => {
    throw new DataError({ file: path, row: -1, field, value, message });
  };
  if (doc !== null && typeof doc === 'object' && !Array.isArray(doc) && !('positions' in doc)) {
    // { "SPY": 0.6, "BTCUSD": 0.4 }
    return Object.entries(doc as Record<string, unknown>).map(([symbol, v]) => (typeof v === 'number' && Number.isFinite(v) ? { symbol, value: v } : bad(symbol, v, 'weight must be a finite number')));
  }
  const list = Array.isArray(doc) ? doc : (doc as { positions?: unknown }).positions;
  if (!Array.isArray(list)) return bad('positions', doc, 'expected { "positions": [{ "symbol", "value", "assetClass"? }] }, an array of those, or { "SYMBOL": weight }');
  return list.map((p: unknown, i: number) => {
    const q = p as { symbol?: unknown; value?: unknown; weight?: unknown; assetClass?: unknown };
    if (q === null || typeof q !== 'object') return bad(`positions[${i}]`, p, 'must be an object');
    if (typeof q.symbol !== 'string' || q.symbol === '') return bad(`positions[${i}].symbol`, q.symbol, 'must be a non-empty string');
    const v = q.value ?? q.weight;
    if (typeof v !== 'number' || !Number.isFinite(v)) return bad(`positions[${i}].value`, v, 'must be a finite number');
    const pos: StressPosition = { symbol: q.symbol, value: v };
    if (q.assetClass !== undefined) {
      if (typeof q.assetClass !== 'string' || !(CLASSES as readonly string[]).includes(q.assetClass)) return bad(`positions[${i}].assetClass`, q.assetClass, `must be one of ${CLASSES.join(', ')}`);
      pos.assetClass = q.assetClass as StressAssetClass;
    }
    return pos;
  });
}

interface StressCliOptions {
  weights?: string;
  portfolio?: string;
  value?: number;
  scenario?: string;
  list?: boolean;
  json?: boolean;
}

function listScenarios(o: StressCliOptions, out: Out): void {
  const all = stressScenarios();
  if (o.json) {
    out(JSON.stringify(all, null, 2) + '\n');
    return;
  }
  for (const s of all) {
    out(`${s.id.padEnd(18)} ${s.source.padEnd(13)} ${s.start}..${s.end}  vol x${s.volMultiplier.value.toFixed(2)}  ${s.name}\n`);
    for (const [cls, sh] of Object.entries(s.assetClassShocks)) out(`    ${cls.padEnd(10)} ${pct(sh!.shock).padStart(8)}  ${sh!.source}: ${sh!.detail}\n`);
  }
}

function runStressCommand(o: StressCliOptions, out: Out): void {
  if (o.list) return listScenarios(o, out);
  if (o.weights !== undefined && o.portfolio !== undefined) throw new UsageError('give --weights or --portfolio, not both');
  if (o.weights === undefined && o.portfolio === undefined) throw new UsageError('missing portfolio: give --weights SPY=0.6,BTCUSD=0.4 or --portfolio <file.json> (or --list)');
  const scale = o.value ?? 1;
  const positions = (o.weights !== undefined ? parseWeights(o.weights) : readPortfolioFile(o.portfolio!)).map((p) => ({ ...p, value: p.value * scale }));
  const scenarios: StressScenario[] = o.scenario ? o.scenario.split(',').map((id) => getStressScenario(id.trim())) : stressScenarios();
  const results = scenarios.map((s) => runStress({ positions }, s));
  if (o.json) {
    out(JSON.stringify({ positions, results }, null, 2) + '\n');
    return;
  }
  const money = o.value !== undefined;
  const show = (v: number): string => (money ? fmt(v) : pct(v));
  out(`portfolio: ${positions.map((p) => `${p.symbol}=${fmt(p.value)}`).join(', ')}\n`);
  out(`${'scenario'.padEnd(18)} ${'loss'.padStart(12)}  ${'vol x'.padStart(6)}  per position (loss)\n`);
  for (const r of results) {
    const per = r.positions.map((p) => `${p.symbol} ${show(p.loss)}${p.appliedFrom === 'none' ? ' (not shocked)' : p.appliedFrom === 'asset class' ? ` (${p.assetClass})` : ''}`).join(', ');
    out(`${r.scenario.padEnd(18)} ${show(r.totalLoss).padStart(12)}  ${r.volMultiplier.toFixed(2).padStart(6)}  ${per}\n`);
  }
  out('losses are positive; `neurion stress --list` shows each shock and its source (bundled data or published)\n');
}

// ------------------------------------------------------------------ tradesim

/** Reads trade returns from a CSV (one column chosen by --column, or the only one) or JSON file. */
export function readTradeReturns(path: string, column?: string): Float64Array {
  const ext = extname(path).toLowerCase();
  const text = readFileSync(path, 'utf8');
  const bad = (row: number, field: string, value: unknown, message: string): never => {
    throw new DataError({ file: path, row, field, value, message });
  };
  if (ext === '.json') {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (e) {
      return bad(-1, 'json', '', `not valid JSON: ${(e as Error).message}`);
    }
    if (doc !== null && typeof doc === 'object' && !Array.isArray(doc)) {
      const key = column ?? ['returns', 'trades', 'pnl'].find((k) => k in (doc as object));
      if (key === undefined || !Array.isArray((doc as Record<string, unknown>)[key])) return bad(-1, column ?? 'returns', undefined, 'expected an array of numbers under "returns" (or "trades", "pnl", or --column)');
      doc = (doc as Record<string, unknown>)[key];
    }
    if (!Array.isArray(doc)) return bad(-1, 'returns', doc, 'expected an array');
    return Float64Array.from(doc, (v: unknown, i: number) => {
      const x = v !== null && typeof v === 'object' ? (column === undefined ? bad(i + 1, 'column', v, 'objects need --column to pick the return field') : (v as Record<string, unknown>)[column]) : v;
      return typeof x === 'number' && Number.isFinite(x) ? x : bad(i + 1, column ?? 'return', x, 'must be a finite number');
    });
  }
  if (ext !== '.csv' && ext !== '.txt') return bad(-1, 'extension', ext, 'trades file must be .csv, .txt or .json');
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const header = lines[0]!.split(',').map((h) => h.trim().replace(/^"|"$/g, ''));
  let col: number;
  if (column !== undefined) {
    col = header.indexOf(column);
    if (col < 0) throw new UsageError(`--column ${JSON.stringify(column)} is not in ${path} (columns: ${header.join(', ')})`);
  } else if (header.length === 1) col = 0;
  else {
    col = header.findIndex((h) => ['return', 'returns', 'pnl', 'ret'].includes(h.toLowerCase()));
    if (col < 0) throw new UsageError(`${path} has several columns (${header.join(', ')}); choose one with --column`);
  }
  const values: number[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    const cell = (line.split(',')[col] ?? '').trim().replace(/^"|"$/g, '');
    const v = Number(cell);
    if (cell === '' || !Number.isFinite(v)) bad(i, header[col]!, cell, 'must be a finite number');
    values.push(v);
  }
  return Float64Array.from(values);
}

interface TradesimCliOptions {
  column?: string;
  paths: number;
  trades?: number;
  seed: number;
  method: ResampleMethod;
  blockSize?: number;
  ruin: number;
  compounding: 'compound' | 'additive';
  confidence: number;
  json?: boolean;
}

function runTradesimCommand(file: string, o: TradesimCliOptions, out: Out): void {
  const returns = readTradeReturns(file, o.column);
  const r = runTradeSequence(returns, {
    paths: o.paths, trades: o.trades, seed: o.seed, method: o.method, blockSize: o.blockSize,
    ruinThreshold: o.ruin, compounding: o.compounding, confidence: o.confidence,
  });
  if (o.json) {
    out(JSON.stringify(r, null, 2) + '\n');
    return;
  }
  const q = (d: { quantiles: Array<[number, number]> }, f: (x: number) => string): string => d.quantiles.map(([p, v]) => `p${Math.round(p * 100)} ${f(v)}`).join('  ');
  out(`${file}: ${returns.length} trades (mean ${r.sample.meanReturn.toExponential(3)}, win rate ${pct(r.sample.winRate, 1)}, Sharpe/trade ${r.sample.sharpe.toFixed(3)})\n`);
  out(`${r.paths} paths x ${r.trades} trades, ${r.method}${r.method === 'iid' ? '' : ` (block ${r.blockSize})`}, ${r.compounding}, seed ${r.seed}: ${r.elapsedMs.toFixed(0)} ms (${(r.tradesPerSecond / 1e6).toFixed(1)} M trades/s)\n`);
  out(`final equity        ${q(r.finalEquity, (v) => v.toFixed(3))}\n`);
  out(`max drawdown        ${q(r.maxDrawdown, (v) => pct(v, 1))}\n`);
  out(`longest losing run  ${q(r.longestLosingStreak, (v) => v.toFixed(0))}\n`);
  out(`risk of ruin (equity <= ${r.riskOfRuin.threshold} x start): ${pct(r.riskOfRuin.probability, 2)} [${pct(r.riskOfRuin.wilson[0], 2)}, ${pct(r.riskOfRuin.wilson[1], 2)}]\n`);
  out(`Sharpe/trade ${pct(r.sharpe.confidence, 0)} interval: [${r.sharpe.interval[0].toFixed(3)}, ${r.sharpe.interval[1].toFixed(3)}] (bootstrap), [${r.sharpe.analyticInterval[0].toFixed(3)}, ${r.sharpe.analyticInterval[1].toFixed(3)}] (Lo 2002)\n`);
  out(`win rate ${pct(r.winRate.confidence, 0)} interval: [${pct(r.winRate.interval[0], 1)}, ${pct(r.winRate.interval[1], 1)}] (bootstrap), [${pct(r.winRate.wilsonInterval[0], 1)}, ${pct(r.winRate.wilsonInterval[1], 1)}] (Wilson)\n`);
}

// ------------------------------------------------------------------ registration

export function registerRiskCommands(program: Command, out: Out): void {
  program
    .command('var [symbol]')
    .description('Value at Risk and CVaR (historical, parametric normal, Cornish-Fisher) of a bundled symbol or an OHLCV file')
    .option('--input <file>', 'OHLCV file (.csv or .arrow) instead of a bundled symbol')
    .option('--timeframe <tf>', 'timeframe of the bundled series', '1d')
    .option('--levels <list>', 'confidence levels in (0, 1), comma-separated', listOption('--levels'), [0.95, 0.99])
    .option('--method <list>', `comma-separated: ${VAR_METHODS.join(', ')} (default all; parametric and cornish-fisher when --horizon > 1)`)
    .option('--returns <kind>', 'simple or log returns', choice('--returns', ['simple', 'log'] as const), 'simple')
    .option('--horizon <periods>', 'horizon in bars, square-root-of-time scaling (parametric, cornish-fisher)', numberOption('--horizon', (v) => v > 0, 'a number > 0'), 1)
    .option('--value <amount>', 'position value: report currency amounts instead of fractions', numberOption('--value', (v) => v > 0, 'a number > 0'))
    .option('--from <date>', 'first bar used (YYYY-MM-DD)')
    .option('--to <date>', 'last bar used (YYYY-MM-DD)')
    .option('--json', 'print one JSON object')
    .addHelpText('after', '\nExamples:\n  neurion var SPY\n  neurion var BTCUSD --levels 0.99 --method historical --json\n  neurion var --input prices.csv --horizon 10 --value 1000000\n')
    .action((symbol: string | undefined, o: VarCliOptions) => runVarCommand(symbol, o, out));

  program
    .command('stress')
    .description('run the historical stress scenarios (1987, 2008, 2010 flash crash, 2020, 2022 rates, crypto crash) on a portfolio')
    .option('--weights <list>', 'positions as SYMBOL=weight[,SYMBOL=weight...]; SYMBOL:class=weight for symbols not bundled (class: equity, fx, crypto, commodity, bond)')
    .option('--portfolio <file>', 'JSON: { "positions": [{ "symbol", "value", "assetClass"? }] } or { "SYMBOL": weight }')
    .option('--value <amount>', 'multiply weights by this amount and report currency losses', numberOption('--value', (v) => v > 0, 'a number > 0'))
    .option('--scenario <ids>', 'comma-separated scenario ids (default all; see --list)')
    .option('--list', 'list the scenarios with every shock and its source')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExamples:\n  neurion stress --weights SPY=0.6,BTCUSD=0.4\n  neurion stress --weights SPY=600000,AGG:bond=400000 --scenario rate-shock-2022\n  neurion stress --list\n')
    .action((o: StressCliOptions) => runStressCommand(o, out));

  program
    .command('tradesim <file>')
    .description('trade-sequence Monte Carlo: resample trade returns (CSV column or JSON array) into many equity curves')
    .option('--column <name>', 'CSV column or JSON field holding the trade returns')
    .option('--paths <n>', 'simulated equity curves', intAtLeast('--paths', 1), 10_000)
    .option('--trades <n>', 'trades per curve (default: the number of input trades)', intAtLeast('--trades', 2))
    .option('--seed <n>', 'Philox seed', intAtLeast('--seed', 0), 0)
    .option('--method <m>', 'iid, fixed-block or stationary', choice('--method', ['iid', 'fixed-block', 'stationary'] as const), 'iid')
    .option('--block-size <n>', 'block length (fixed) or mean block length (stationary)', numberOption('--block-size', (v) => v >= 1, 'a number >= 1'))
    .option('--ruin <fraction>', 'ruin when equity falls to this fraction of the start', numberOption('--ruin', (v) => v >= 0 && v < 1, 'a number in [0, 1)'), 0.5)
    .option('--compounding <mode>', 'compound (returns of current equity) or additive (of the initial equity)', choice('--compounding', ['compound', 'additive'] as const), 'compound')
    .option('--confidence <c>', 'confidence of the Sharpe and win-rate intervals', numberOption('--confidence', (v) => v > 0 && v < 1, 'a number in (0, 1)'), 0.95)
    .option('--json', 'print one JSON object')
    .addHelpText('after', '\nExamples:\n  neurion tradesim trades.csv --column pnl_pct --paths 20000 --trades 1000\n  neurion tradesim trades.json --method stationary --block-size 5 --json\n')
    .action((file: string, o: TradesimCliOptions) => runTradesimCommand(file, o, out));
}
