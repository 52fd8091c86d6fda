/**
 * The main job (`npm start` = `neurion start`), end to end on embedded defaults — bundled
 * real data, no keys, no network:
 *
 *   1. report the compute backends and check every bundled series (any invalid row stops it);
 *   2. a real op through the worker pool on the selected backend, checked against the reference;
 *   3. the signal: the shipped model in models/ when present (its streaming session per symbol),
 *      otherwise an indicator signal, said plainly;
 *   4. a managed backtest of that signal across several symbols on the paper broker, every order
 *      through the risk manager and every position under the exit manager;
 *   5. trade-sequence Monte Carlo on the trades and a portfolio VaR (historical, parametric,
 *      Cornish-Fisher, and Monte Carlo by bootstrapping the portfolio's daily returns);
 *   6. a self-contained HTML report, whose path is printed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ComputePool, getOp, resolveBackend, runOp, type BackendName } from '../compute/index.js';
import { alignCloses, listBundled, loadBundled, type Bars } from '../data/index.js';
import { formatTime } from '../data/parse-time.js';
import type { NeurionConfig } from '../config/config.js';
import { runMonteCarlo, type McResult } from '../mc/index.js';
import { cornishFisherVar, historicalVar, parametricVar, type VarResult } from '../risk/var.js';
import { runTradeSequence, type TradeSequenceResult } from '../risk/trade-sequence.js';
import { donchianSignal, runManagedBacktest, type ManagedBacktestResult, type SignalFn } from '../risk-manager/index.js';
import { renderReport } from '../trading/report.js';
import { projectRoot } from '../util/paths.js';
import { collectInfo, formatInfo } from '../cli/info.js';
import { loadShippedSignal } from './model-signal.js';
import { renderMainJobSections } from './report-sections.js';

export interface MainJobSummary {
  backend: BackendName;
  data: { series: number; bars: number; errors: 0; warnings: number };
  smaCheck: { symbols: string[]; bars: number; maxRelErrorVsReference: number; elapsedMs: number };
  signal: { kind: 'model' | 'indicator'; name: string; note: string };
  backtest: { symbols: string[]; metrics: ManagedBacktestResult['result']['metrics']; trades: number; killSwitch: ManagedBacktestResult['killSwitch']; audit: ManagedBacktestResult['auditCounts'] };
  tradeSequence: Pick<TradeSequenceResult, 'paths' | 'trades' | 'finalEquity' | 'maxDrawdown' | 'riskOfRuin' | 'sharpe' | 'winRate'> | null;
  var: VarResult[];
  mcVar: Pick<McResult, 'paths' | 'steps' | 'backend' | 'var' | 'cvar' | 'elapsedMs'> | null;
  report: string;
  elapsedMs: number;
}

/**
 * Symbols of the managed backtest: daily US equities (Apache-2.0 LEAN data) — the shipped
 * model's universe (SPY, IWM, AAPL) plus three it never saw (IBM, BAC, AIG).
 */
export const MAIN_SYMBOLS = ['SPY', 'IWM', 'AAPL', 'IBM', 'BAC', 'AIG'] as const;

export async function runMainJob(config: NeurionConfig, out: (s: string) => void, opts: { json?: boolean; reportPath?: string } = {}): Promise<MainJobSummary> {
  const t0 = performance.now();
  const say = opts.json ? (): void => {} : out;
  const step = (n: number, s: string): void => say(`\n[${n}/6] ${s}\n`);
  say(formatInfo(collectInfo(config)) + '\n');
  const backend = resolveBackend(config.backend);

  step(1, 'Loading and validating the bundled real market data');
  const entries = listBundled();
  const loaded = new Map<string, Bars>();
  let bars = 0, warnings = 0;
  for (const e of entries) {
    const b = loadBundled(e.symbol, e.timeframe, { variant: e.variant }); // throws DataError on any invalid row
    loaded.set(e.file, b);
    bars += b.time.length;
    warnings += b.report.warningCount;
  }
  say(`  ${entries.length} series, ${bars} bars: 0 errors, ${warnings} gap warnings (weekends, holidays, sparse minutes)\n`);

  step(2, `SMA(50) over the aligned daily US equities through the worker pool (${backend})`);
  const equities = entries.filter((e) => e.assetClass === 'equity' && e.timeframe === '1d' && !e.variant && e.rows > 4000);
  const aligned = alignCloses(equities.map((e) => loaded.get(e.file)!));
  const pool = new ComputePool({ backend, maxThreads: config.pool.threads });
  let smaCheck: MainJobSummary['smaCheck'];
  try {
    const ts = performance.now();
    const sma = await pool.run<Float64Array>('sma', { x: aligned.values, rows: aligned.rows, cols: aligned.cols, period: 50 });
    const elapsedMs = performance.now() - ts;
    const ref = runOp(getOp('sma'), { x: aligned.values, rows: aligned.rows, cols: aligned.cols, period: 50 }, { backend: 'js' }) as Float64Array;
    let maxRel = 0;
    for (let i = 0; i < ref.length; i++) {
      if (Number.isNaN(ref[i]!) !== Number.isNaN(sma[i]!)) throw new Error(`SMA mismatch at ${i}: ${sma[i]} vs reference ${ref[i]}`);
      if (!Number.isNaN(ref[i]!)) maxRel = Math.max(maxRel, Math.abs(sma[i]! - ref[i]!) / Math.abs(ref[i]!));
    }
    smaCheck = { symbols: aligned.symbols, bars: aligned.cols, maxRelErrorVsReference: maxRel, elapsedMs };
    say(`  ${aligned.rows} symbols x ${aligned.cols} bars in ${elapsedMs.toFixed(1)} ms; max relative difference vs the TypeScript reference ${maxRel.toExponential(2)}\n`);

    step(3, 'Signal');
    const shipped = loadShippedSignal();
    const series = MAIN_SYMBOLS.map((sym) => loaded.get(`${sym}-1d.arrow`) ?? loadBundled(sym, '1d'));
    const signal: { fn: SignalFn; info: MainJobSummary['signal']; start?: number } = shipped
      ? { fn: shipped.signal(series), info: { kind: 'model', name: shipped.name, note: shipped.note }, start: shipped.testStart }
      : {
          fn: donchianSignal(),
          info: { kind: 'indicator', name: 'donchian-20-10', note: 'no trained model is shipped in models/: using the Donchian breakout signal instead' },
        };
    say(`  ${signal.info.kind} signal ${signal.info.name}: ${signal.info.note}\n`);

    step(4, `Managed backtest on ${MAIN_SYMBOLS.join(', ')} (daily, moderate risk profile, exit manager, paper broker)`);
    const managed = runManagedBacktest({
      symbols: [...MAIN_SYMBOLS],
      timeframe: '1d',
      signal: signal.fn,
      profile: 'moderate',
      exitPlan: { takeProfits: [{ r: 1, fraction: 0.5 }, { r: 2, fraction: 0.25 }, { r: 3, fraction: 0.25 }] },
      initialCash: 100_000,
      instruments: MAIN_SYMBOLS.map((symbol) => ({ symbol, assetClass: 'equity' as const, fees: { kind: 'perShare' as const, perShare: 0.005, minimum: 1 } })),
      start: signal.start,
    });
    const m = managed.result.metrics;
    say(`  ${managed.result.barsProcessed} bars from ${formatTime(managed.result.time[0]!, '1d')}, ${m.trades} trades: total return ${(100 * m.totalReturn).toFixed(2)}%, Sharpe ${m.sharpe.toFixed(2)}, max drawdown ${(100 * m.maxDrawdown).toFixed(2)}%, kill switch ${managed.killSwitch.times}x\n`);
    for (const w of m.warnings) say(`  warning: ${w}\n`);

    step(5, 'Trade-sequence Monte Carlo and portfolio VaR');
    // Trade returns on the account: each trade's P&L over the equity when it was entered (its
    // return on notional would overstate compounding: positions are a fraction of equity).
    const { time: et, equity: eq } = managed.result;
    const equityAt = (t: number): number => {
      let lo = 0, hi = et.length - 1;
      while (lo < hi) { const mid = (lo + hi + 1) >>> 1; if (et[mid]! <= t) lo = mid; else hi = mid - 1; }
      return eq[lo]!;
    };
    const tradeReturns = Float64Array.from(managed.result.trades, (t) => t.pnl / equityAt(t.entryTime));
    let tradeSequence: TradeSequenceResult | null = null;
    if (tradeReturns.length >= 10) {
      tradeSequence = runTradeSequence(tradeReturns, { paths: 10_000, trades: 1000, seed: 7, method: 'stationary', ruinThreshold: 0.7 });
      const fe = tradeSequence.finalEquity.quantiles;
      say(`  ${tradeReturns.length} trades resampled into 1,000-trade sequences x 10,000 paths: final equity p5 ${fe.find((q) => q[0] === 0.05)![1].toFixed(3)}, median ${fe.find((q) => q[0] === 0.5)![1].toFixed(3)}, p95 ${fe.find((q) => q[0] === 0.95)![1].toFixed(3)} (x start); risk of ruin (-30%) ${(100 * tradeSequence.riskOfRuin.probability).toFixed(2)}%\n`);
    } else say(`  only ${tradeReturns.length} trades: too few for a trade-sequence simulation\n`);
    // Daily portfolio returns over the span the strategy traded (first entry to last exit):
    // after a kill switch the account sits flat, and those zero days would understate the risk.
    const trades = managed.result.trades;
    const from = trades.length ? trades.reduce((a, t) => Math.min(a, t.entryTime), Infinity) : et[0]!;
    const to = trades.length ? trades.reduce((a, t) => Math.max(a, t.exitTime), -Infinity) : et[et.length - 1]!;
    const span: number[] = [];
    for (let i = 1; i < eq.length; i++) if (et[i]! > from && et[i]! <= to) span.push(eq[i]! / eq[i - 1]! - 1);
    const daily = Float64Array.from(span);
    const levels = [0.95, 0.99];
    const value = eq[eq.length - 1]!;
    say(`  VaR of a ${value.toFixed(0)} portfolio from ${daily.length} daily returns while the strategy traded (${formatTime(from, '1d')} .. ${formatTime(to, '1d')})\n`);
    const varRows = [...historicalVar(daily, levels, { value }), ...parametricVar(daily, levels, { value }), ...cornishFisherVar(daily, levels, { value })];
    const logReturns = Float64Array.from(daily, (r) => Math.log1p(r));
    const mc = await runMonteCarlo({ model: { type: 'bootstrap', s0: value, returns: logReturns }, paths: 200_000, steps: 1, seed: 11, levels, backend }, { pool });
    for (const r of varRows) say(`  1-day VaR ${r.method.padEnd(14)} ${(100 * r.level).toFixed(0)}%: ${r.var.toFixed(0).padStart(7)}  CVaR ${r.cvar.toFixed(0).padStart(7)}\n`);
    for (const l of levels) say(`  1-day VaR monte-carlo      ${(100 * l).toFixed(0)}%: ${mc.var[String(l)]!.toFixed(0).padStart(7)}  CVaR ${mc.cvar[String(l)]!.toFixed(0).padStart(7)}  (${mc.paths} bootstrap paths, ${mc.backend})\n`);

    step(6, 'HTML report');
    const reportPath = opts.reportPath ?? join(projectRoot(), 'reports', 'main-job.html');
    mkdirSync(join(reportPath, '..'), { recursive: true });
    const html = renderReport(managed.result, {
      title: `Neurion main job: ${signal.info.name} on ${MAIN_SYMBOLS.join(', ')}`,
      strategy: `${signal.info.kind} signal ${signal.info.name} + risk manager (moderate) + exit manager`,
      params: {},
      symbols: [...MAIN_SYMBOLS],
      settings: { profile: 'moderate', fees: '$0.005/share, min $1', fill: 'next open', path: 'conservative', start: signal.start ? formatTime(signal.start, '1d') : 'first bar' },
    }, 2000, renderMainJobSections({ signal: signal.info, managed, tradeSequence, varRows, mc, smaCheck, backend }));
    writeFileSync(reportPath, html);
    say(`  report: ${reportPath}\n`);
    const summary: MainJobSummary = {
      backend,
      data: { series: entries.length, bars, errors: 0, warnings },
      smaCheck,
      signal: signal.info,
      backtest: { symbols: [...MAIN_SYMBOLS], metrics: m, trades: m.trades, killSwitch: managed.killSwitch, audit: managed.auditCounts },
      tradeSequence: tradeSequence && { paths: tradeSequence.paths, trades: tradeSequence.trades, finalEquity: tradeSequence.finalEquity, maxDrawdown: tradeSequence.maxDrawdown, riskOfRuin: tradeSequence.riskOfRuin, sharpe: tradeSequence.sharpe, winRate: tradeSequence.winRate },
      var: varRows,
      mcVar: { paths: mc.paths, steps: mc.steps, backend: mc.backend, var: mc.var, cvar: mc.cvar, elapsedMs: mc.elapsedMs },
      report: reportPath,
      elapsedMs: performance.now() - t0,
    };
    say(`\ndone in ${(summary.elapsedMs / 1000).toFixed(1)} s (data up to ${formatTime(aligned.time[aligned.cols - 1]!, '1d')})\n`);
    if (opts.json) out(JSON.stringify(summary, null, 2) + '\n');
    return summary;
  } finally {
    await pool.destroy();
  }
}
