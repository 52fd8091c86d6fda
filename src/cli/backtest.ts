/**
 * `neurion backtest`: run a built-in strategy on bundled or user data with the paper broker;
 * metrics and the trade list as one JSON object (--json) and a self-contained HTML report.
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { findBundled, loadBars, loadBundled, type Bars } from '../data/index.js';
import { isTimeframe } from '../data/bars.js';
import { parseIsoTime } from '../data/parse-time.js';
import { runBacktest, type BacktestResult } from '../trading/backtester.js';
import type { FeeSchedule } from '../trading/instrument.js';
import { PerSymbol } from '../trading/per-symbol.js';
import { renderReport } from '../trading/report.js';
import { getStrategy, STRATEGIES } from '../trading/strategies/index.js';
import { UsageError } from './errors.js';
import { parseParamFlags } from './ta.js';

function num(flag: string, min = -Infinity) {
  return (v: string): number => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n < min) throw new RangeError(`${flag} must be a number${min > -Infinity ? ` >= ${min}` : ''}, got ${JSON.stringify(v)}`);
    return n;
  };
}

function date(flag: string) {
  return (v: string): number => {
    const t = parseIsoTime(v);
    if (!Number.isFinite(t)) throw new RangeError(`${flag} must be a date like 2015-01-31, got ${JSON.stringify(v)}`);
    return t;
  };
}

interface BacktestFlags {
  strategy: string;
  symbol?: string;
  timeframe: string;
  input?: string[];
  cash: number;
  commissionBps?: number;
  perShare?: number;
  minFee?: number;
  slippageBps?: number;
  fill: string;
  path: string;
  from?: number;
  to?: number;
  allowShort?: boolean;
  raw?: boolean;
  leverage?: number;
  json?: boolean;
  report?: string;
  list?: boolean;
}

export function registerBacktestCommand(program: Command, out: (s: string) => void): void {
  program
    .command('backtest')
    .description('backtest a built-in strategy on bundled or user data with the paper broker')
    .option('--list', 'list the built-in strategies and their parameters')
    .option('--strategy <name>', 'sma-cross, sma-reverse, rsi-reversion, donchian or model', 'sma-cross')
    .option('--symbol <symbols>', 'bundled symbol(s), comma-separated (e.g. SPY or SPY,IWM)')
    .option('--timeframe <tf>', 'bundled timeframe', '1d')
    .option('--input <files...>', 'your own OHLCV files (.csv/.arrow) instead of bundled data')
    .option('--cash <n>', 'initial cash', num('--cash', 0), 100_000)
    .option('--commission-bps <n>', 'commission in basis points of notional', num('--commission-bps', 0))
    .option('--per-share <n>', 'commission per share/unit', num('--per-share', 0))
    .option('--min-fee <n>', 'minimum commission per fill', num('--min-fee', 0))
    .option('--slippage-bps <n>', 'slippage on market and stop fills, in bps', num('--slippage-bps', 0))
    .option('--fill <timing>', 'next-open or close', 'next-open')
    .option('--path <model>', 'intrabar path for stops/limits: conservative or ohlc', 'conservative')
    .option('--from <date>', 'first bar date (inclusive)', date('--from'))
    .option('--to <date>', 'last bar date (inclusive)', date('--to'))
    .option('--raw', 'bundled equities: use raw prices (default: split-adjusted; raw prices show each split as a crash)')
    .option('--allow-short', 'allow short positions (margin account)')
    .option('--leverage <n>', 'gross exposure limit as a multiple of equity', num('--leverage', 1))
    .option('--json', 'print metrics and the trade list as one JSON object')
    .option('--report <file.html>', 'write a self-contained HTML report')
    .allowUnknownOption(true)
    .allowExcessArguments(true)
    .addHelpText('after', '\nStrategy parameters are flags too, e.g.\n  neurion backtest --strategy sma-cross --symbol SPY --fast 20 --slow 100 --per-share 0.005 --report spy.html\n  neurion backtest --strategy rsi-reversion --input mydata.csv --period 14 --lower 25 --upper 75 --json\n')
    .action((o: BacktestFlags, cmd: Command) => {
      if (o.list) {
        for (const s of STRATEGIES) out(`${s.name.padEnd(14)} ${s.summary}  params: ${Object.entries(s.params).map(([k, v]) => `--${k} ${v}`).join(' ')}\n`);
        return;
      }
      const info = getStrategy(o.strategy);
      const given = parseParamFlags(cmd.args);
      for (const k of Object.keys(given)) if (!(k in info.params)) throw new RangeError(`${info.name}: unknown parameter ${JSON.stringify(k)} (known: ${Object.keys(info.params).join(', ')})`);
      const params = { ...info.params, ...given };
      if (info.name !== 'model') info.create(params, []); // validate parameters before loading data
      if (o.fill !== 'next-open' && o.fill !== 'close') throw new RangeError(`--fill must be next-open or close, got ${JSON.stringify(o.fill)}`);
      if (o.path !== 'conservative' && o.path !== 'ohlc') throw new RangeError(`--path must be conservative or ohlc, got ${JSON.stringify(o.path)}`);
      if (!isTimeframe(o.timeframe)) throw new RangeError(`--timeframe must be one of 1m, 5m, 15m, 30m, 1h, 4h, 1d, 1w, 1mo; got ${JSON.stringify(o.timeframe)}`);
      let feeds: Bars[];
      if (o.input && o.input.length > 0) feeds = o.input.map((f) => loadBars(f));
      else {
        if (!o.symbol) throw new UsageError('--symbol <SYMBOL> or --input <file> is required (neurion data list shows the bundled symbols)');
        feeds = o.symbol.split(',').map((s) => {
          const sym = s.trim();
          findBundled(sym, o.timeframe as never); // RangeError naming the symbol when it is not bundled
          return loadBundled(sym, o.timeframe as never, { adjust: o.raw ? 'none' : 'splits' });
        });
      }
      const fees: FeeSchedule | undefined = o.perShare !== undefined
        ? { kind: 'perShare', perShare: o.perShare, minimum: o.minFee }
        : o.commissionBps !== undefined ? { kind: 'bps', maker: o.commissionBps, taker: o.commissionBps, minimum: o.minFee } : undefined;
      const symbols = feeds.map((f) => f.symbol);
      const result: BacktestResult = runBacktest({
        feeds,
        strategy: new PerSymbol(() => info.create(params, feeds)),
        initialCash: o.cash,
        instruments: symbols.map((symbol) => ({ symbol, ...(fees ? { fees } : {}) })),
        fillModel: { fillAt: o.fill === 'close' ? 'close' : 'nextOpen', path: o.path, slippage: o.slippageBps ? { kind: 'bps', bps: o.slippageBps } : { kind: 'none' } },
        account: { allowShort: o.allowShort ?? false, leverage: o.leverage ?? 1 },
        start: o.from ?? info.defaultStart?.(),
        end: o.to === undefined ? undefined : o.to + 86_400_000,
        checkInvariants: true,
      });
      const settings = { cash: o.cash, fees: fees ?? 'none', slippageBps: o.slippageBps ?? 0, fill: o.fill, path: o.path, allowShort: Boolean(o.allowShort), leverage: o.leverage ?? 1 };
      if (o.report) writeFileSync(o.report, renderReport(result, { title: `${info.name} on ${symbols.join(', ')}`, strategy: info.name, params, symbols, settings }));
      if (o.json) {
        out(JSON.stringify({ strategy: info.name, params, symbols, settings, metrics: result.metrics, finalEquity: result.finalEquity, bars: result.barsProcessed, elapsedMs: result.elapsedMs, trades: result.trades }) + '\n');
        return;
      }
      const m = result.metrics;
      out(`${info.name} ${JSON.stringify(params)} on ${symbols.join(', ')}: ${result.barsProcessed} bars in ${result.elapsedMs.toFixed(0)} ms\n`);
      out(`  total return ${(100 * m.totalReturn).toFixed(2)}%  annualised ${(100 * m.annualizedReturn).toFixed(2)}%  Sharpe ${m.sharpe.toFixed(2)}  Sortino ${m.sortino.toFixed(2)}  max drawdown ${(100 * m.maxDrawdown).toFixed(2)}%\n`);
      out(`  trades ${m.trades}  win rate ${(100 * m.winRate).toFixed(1)}%  profit factor ${m.profitFactor.toFixed(2)}  fees ${m.fees.toFixed(2)}  final equity ${result.finalEquity.toFixed(2)}\n`);
      for (const w of m.warnings) out(`  warning: ${w}\n`);
      if (o.report) out(`  report: ${o.report}\n`);
    });
}
