/**
 * `neurion sweep`: every SMA-crossover pair (fast < slow) over bundled or user data, on the
 * compute pool; the top pairs, and the overfitting statistics of the search (deflated Sharpe
 * ratio of the winner, probability of backtest overfitting). With --walk-forward: rolling or
 * anchored walk-forward optimisation instead.
 *
 *   neurion sweep --symbols SPY,IWM --fast 2..200 --slow 2..200 --json
 *   neurion sweep --symbols SPY --fast 5..50:5 --slow 50..200:10 --walk-forward rolling --in-sample 1260 --out-of-sample 252 --purge 5 --embargo 5
 */
import type { Command } from 'commander';
import { findBundled, loadBars, loadBundled, type Bars } from '../data/index.js';
import { isTimeframe } from '../data/bars.js';
import { ComputePool } from '../compute/pool.js';
import { RANK_METRICS, sweepSmaCross, type RankMetric, type SweepCostsInput, type SweepResult } from '../trading/sweep/index.js';
import { walkForward, type WalkForwardResult } from '../trading/walk-forward.js';
import { UsageError } from './errors.js';

function num(flag: string, min = -Infinity, integer = false) {
  return (v: string): number => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
      throw new RangeError(`${flag} must be ${integer ? 'an integer' : 'a number'}${min > -Infinity ? ` >= ${min}` : ''}, got ${JSON.stringify(v)}`);
    }
    return n;
  };
}

interface SweepFlags {
  symbols?: string;
  timeframe: string;
  input?: string[];
  fast: string;
  slow: string;
  cash: number;
  commissionBps?: number;
  perShare?: number;
  minFee?: number;
  maxFraction?: number;
  slippageBps?: number;
  tickSize?: number;
  lotSize?: number;
  metric: string;
  top: number;
  blocks?: number;
  threads?: number;
  walkForward?: string;
  inSample?: number;
  outOfSample?: number;
  purge: number;
  embargo: number;
  json?: boolean;
}

const pct = (v: number): string => (Number.isFinite(v) ? `${(100 * v).toFixed(2)}%` : String(v));
const fix = (v: number, d = 2): string => (Number.isFinite(v) ? v.toFixed(d) : String(v));

function sweepJson(r: SweepResult): unknown {
  const o = r.overfitting;
  return {
    symbols: r.symbols, bars: r.bars, pairs: r.fast.length, metric: r.metric, costs: r.costs, backend: r.backend,
    barEvaluations: r.barEvaluations, elapsedMs: r.elapsedMs, top: r.top,
    overfitting: o && {
      pbo: { pbo: o.pbo.pbo, combinations: o.pbo.combinations, blocks: o.pbo.blocks, trials: o.pbo.trials, probabilityOfOosLoss: o.pbo.probabilityOfOosLoss, degradationSlope: o.pbo.degradationSlope },
      deflatedSharpe: o.deflatedSharpe,
    },
  };
}

function printSweep(r: SweepResult, out: (s: string) => void): void {
  const secs = r.elapsedMs / 1e3;
  out(`sma-cross sweep: ${r.fast.length} pairs x ${r.symbols.length} symbol(s) (${r.symbols.join(', ')}), ${r.barEvaluations.toExponential(2)} bar evaluations in ${secs.toFixed(2)} s (${(r.barEvaluations / secs / 1e6).toFixed(0)} M/s, backend ${r.backend})\n`);
  out(`top ${r.top.length} by mean ${r.metric}:\n`);
  out(`  ${'rank'.padStart(4)} ${'fast'.padStart(5)} ${'slow'.padStart(5)} ${'score'.padStart(9)}  per symbol: return / Sharpe / max drawdown / trades\n`);
  for (const t of r.top) {
    const per = t.perSymbol.map((p) => `${p.symbol} ${pct(p.totalReturn)} / ${fix(p.sharpe)} / ${pct(p.maxDrawdown)} / ${p.trades}`).join('; ');
    out(`  ${String(t.rank).padStart(4)} ${String(t.fast).padStart(5)} ${String(t.slow).padStart(5)} ${fix(t.score, 4).padStart(9)}  ${per}\n`);
  }
  const o = r.overfitting;
  if (o) {
    out(`overfitting: PBO ${fix(o.pbo.pbo, 3)} (CSCV, ${o.pbo.blocks} blocks, ${o.pbo.combinations} splits, ${o.pbo.trials} trials); P(OOS loss of the IS-best) ${fix(o.pbo.probabilityOfOosLoss, 3)}\n`);
    for (const d of o.deflatedSharpe) {
      out(`  ${d.symbol}: deflated Sharpe probability ${fix(d.probability, 3)} (per-period Sharpe ${fix(d.sharpe, 4)} vs expected max of ${d.nTrials} null trials ${fix(d.expectedMaxSharpe, 4)}; undeflated PSR ${fix(d.probabilisticSharpe, 3)})\n`);
    }
  }
}

function printWalkForward(r: WalkForwardResult, out: (s: string) => void): void {
  const day = (t: number): string => new Date(t).toISOString().slice(0, 10);
  out(`walk-forward (${r.folds.length} folds, ${r.summary.pairs} pairs, objective mean ${r.metric}):\n`);
  for (const f of r.folds) {
    out(`  fold ${f.index}: IS ${day(f.inSample.startTime)}..${day(f.inSample.endTime)} -> (${f.chosen.fast}, ${f.chosen.slow}) IS ${fix(f.inSampleScore, 3)}; OOS ${day(f.outOfSample.startTime)}..${day(f.outOfSample.endTime)} ${fix(f.outOfSampleScore, 3)}\n`);
  }
  out(`  mean IS ${fix(r.summary.meanInSampleScore, 3)}, mean OOS ${fix(r.summary.meanOutOfSampleScore, 3)}, efficiency ${fix(r.summary.efficiency, 3)}\n`);
  for (const c of r.stitched) out(`  stitched OOS ${c.symbol}: return ${pct(c.metrics.totalReturn)}, Sharpe ${fix(c.metrics.sharpe)}, max drawdown ${pct(c.metrics.maxDrawdown)}, trades ${c.metrics.trades}\n`);
}

export function registerSweepCommand(program: Command, out: (s: string) => void): void {
  program
    .command('sweep')
    .description('SMA-crossover parameter sweep (every fast < slow pair) on bundled or user data, with overfitting statistics; or walk-forward optimisation')
    .option('--symbols <symbols>', 'bundled symbols, comma-separated (e.g. SPY,IWM)')
    .option('--timeframe <tf>', 'bundled timeframe', '1d')
    .option('--input <files...>', 'your own OHLCV files (.csv/.arrow) instead of bundled data')
    .option('--fast <range>', 'fast SMA periods: 2..200, 5..50:5 or 5,10,20', '2..200')
    .option('--slow <range>', 'slow SMA periods', '2..200')
    .option('--cash <n>', 'initial cash per symbol', num('--cash', 0), 100_000)
    .option('--commission-bps <n>', 'commission in basis points of notional', num('--commission-bps', 0))
    .option('--per-share <n>', 'commission per share', num('--per-share', 0))
    .option('--min-fee <n>', 'minimum commission per fill', num('--min-fee', 0))
    .option('--max-fraction <n>', 'per-share commission cap as a fraction of notional', num('--max-fraction', 0))
    .option('--slippage-bps <n>', 'slippage on market fills, in bps', num('--slippage-bps', 0))
    .option('--tick-size <n>', 'price increment (default 0.01)', num('--tick-size', 0))
    .option('--lot-size <n>', 'quantity increment (default 1)', num('--lot-size', 0))
    .option('--metric <name>', `ranking metric: ${RANK_METRICS.join(', ')}`, 'sharpe')
    .option('--top <n>', 'best pairs to show', num('--top', 0, true), 10)
    .option('--blocks <n>', 'CSCV blocks for the probability of backtest overfitting (even; 0 = off)', num('--blocks', 0, true))
    .option('--threads <n>', 'worker threads', num('--threads', 1, true))
    .option('--walk-forward <mode>', 'walk-forward optimisation: rolling or anchored')
    .option('--in-sample <bars>', 'walk-forward in-sample bars', num('--in-sample', 2, true))
    .option('--out-of-sample <bars>', 'walk-forward out-of-sample bars', num('--out-of-sample', 2, true))
    .option('--purge <bars>', 'walk-forward: in-sample bars dropped before each out-of-sample span', num('--purge', 0, true), 0)
    .option('--embargo <bars>', 'walk-forward: bars skipped between in-sample and out-of-sample', num('--embargo', 0, true), 0)
    .option('--json', 'print one JSON object')
    .addHelpText('after', '\nExamples:\n  neurion sweep --symbols SPY,IWM --fast 2..200 --slow 2..200 --json\n  neurion sweep --symbols SPY --per-share 0.005 --min-fee 1 --slippage-bps 2 --metric totalReturn --top 5\n  neurion sweep --symbols SPY --fast 5..50:5 --slow 50..200:10 --walk-forward rolling --in-sample 1260 --out-of-sample 252 --purge 5 --embargo 5\n')
    .action(async (o: SweepFlags) => {
      if (!isTimeframe(o.timeframe)) throw new RangeError(`--timeframe must be one of 1m, 5m, 15m, 30m, 1h, 4h, 1d, 1w, 1mo; got ${JSON.stringify(o.timeframe)}`);
      if (!(RANK_METRICS as readonly string[]).includes(o.metric)) throw new RangeError(`--metric must be one of ${RANK_METRICS.join(', ')}, got ${JSON.stringify(o.metric)}`);
      let bars: Bars[];
      if (o.input && o.input.length > 0) bars = o.input.map((f) => loadBars(f));
      else {
        if (!o.symbols) throw new UsageError('--symbols <SYMBOLS> or --input <files> is required (neurion data list shows the bundled symbols)');
        bars = o.symbols.split(',').map((s) => {
          const sym = s.trim();
          findBundled(sym, o.timeframe as never);
          return loadBundled(sym, o.timeframe as never);
        });
      }
      const costs: SweepCostsInput = {
        commissionBps: o.commissionBps, perShare: o.perShare, minFee: o.minFee, maxFraction: o.maxFraction, slippageBps: o.slippageBps, tickSize: o.tickSize, lotSize: o.lotSize,
      };
      const pool = new ComputePool(o.threads ? { maxThreads: o.threads } : {});
      try {
        if (o.walkForward !== undefined) {
          if (o.walkForward !== 'rolling' && o.walkForward !== 'anchored') throw new RangeError(`--walk-forward must be rolling or anchored, got ${JSON.stringify(o.walkForward)}`);
          if (o.inSample === undefined || o.outOfSample === undefined) throw new UsageError('--walk-forward needs --in-sample <bars> and --out-of-sample <bars>');
          const r = await walkForward({
            bars, fastRange: o.fast, slowRange: o.slow, costs, cash: o.cash, metric: o.metric as RankMetric,
            mode: o.walkForward, inSampleBars: o.inSample, outOfSampleBars: o.outOfSample, purgeBars: o.purge, embargoBars: o.embargo,
          }, { pool });
          if (o.json) {
            out(JSON.stringify({ metric: r.metric, summary: r.summary, folds: r.folds, stitched: r.stitched.map((c) => ({ symbol: c.symbol, metrics: c.metrics, points: c.equity.length, finalEquity: c.equity[c.equity.length - 1] })) }) + '\n');
          } else printWalkForward(r, out);
          return;
        }
        const r = await sweepSmaCross({ bars, fastRange: o.fast, slowRange: o.slow, costs, cash: o.cash, metric: o.metric as RankMetric, top: o.top, blocks: o.blocks }, { pool });
        if (o.json) out(JSON.stringify(sweepJson(r)) + '\n');
        else printSweep(r, out);
      } finally {
        await pool.destroy();
      }
    });
}
