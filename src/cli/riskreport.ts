/**
 * `neurion riskreport`: the same entry signals (Donchian breakout) on bundled real data, with
 * and without the exit manager, under each sizing method, through the risk manager and the
 * paper broker; prints a table (or JSON) and optionally writes a self-contained HTML page.
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { findBundled, isTimeframe, type Timeframe } from '../data/index.js';
import { parseIsoTime } from '../data/parse-time.js';
import type { Instrument } from '../trading/instrument.js';
import { donchianSignal } from '../risk-manager/signals.js';
import { formatComparison, renderComparisonHtml, runComparison } from '../risk-manager/report.js';
import { loadRiskProfile, SIZING_METHODS, type SizingMethod } from '../risk-manager/profile.js';

export const RISKREPORT_DEFAULT_SYMBOLS = ['SPY', 'EURUSD', 'GBPUSD', 'NZDUSD', 'XAUUSD'];

interface Flags {
  symbols: string;
  timeframe: string;
  profile: string;
  cash: number;
  from?: number;
  to?: number;
  entry: number;
  exit: number;
  methods?: string;
  commissionBps: number;
  operatorResetBars?: number;
  json?: boolean;
  report?: string;
}

function num(flag: string, min: number, integer = false) {
  return (v: string): number => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) throw new RangeError(`${flag} must be ${integer ? 'an integer' : 'a number'} >= ${min}, got ${JSON.stringify(v)}`);
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

export function registerRiskReportCommand(program: Command, out: (s: string) => void): void {
  program
    .command('riskreport')
    .description('compare sizing methods with and without the exit manager on bundled real data (same entry signals)')
    .option('--symbols <list>', 'bundled symbols, comma-separated', RISKREPORT_DEFAULT_SYMBOLS.join(','))
    .option('--timeframe <tf>', 'bundled timeframe', '1d')
    .option('--profile <name|file>', 'risk profile: conservative, moderate, aggressive or a JSON file', 'moderate')
    .option('--cash <n>', 'initial cash', num('--cash', 1), 100_000)
    .option('--from <date>', 'first bar date (inclusive)', date('--from'), Date.UTC(2007, 0, 1))
    .option('--to <date>', 'last bar date (inclusive)', date('--to'), Date.UTC(2018, 11, 31))
    .option('--entry <n>', 'Donchian entry channel (bars)', num('--entry', 2, true), 20)
    .option('--exit <n>', 'Donchian exit channel (bars)', num('--exit', 2, true), 10)
    .option('--methods <list>', `sizing methods, comma-separated (default all: ${SIZING_METHODS.join(', ')})`)
    .option('--commission-bps <n>', 'commission in basis points of notional, every symbol', num('--commission-bps', 0), 1)
    .option('--operator-reset-bars <n>', 'research only: reset the kill switch this many bars after it engaged (simulated operator)', num('--operator-reset-bars', 1, true))
    .option('--json', 'print the report as one JSON object')
    .option('--report <file.html>', 'write a self-contained HTML report')
    .action((o: Flags) => {
      if (!isTimeframe(o.timeframe)) throw new RangeError(`--timeframe must be one of 1m, 5m, 15m, 30m, 1h, 4h, 1d, 1w, 1mo; got ${JSON.stringify(o.timeframe)}`);
      const profile = loadRiskProfile(o.profile); // ConfigError naming the key and value
      const symbols = o.symbols.split(',').map((s) => s.trim()).filter((s) => s !== '');
      if (symbols.length === 0) throw new RangeError(`--symbols must list at least one bundled symbol, got ${JSON.stringify(o.symbols)}`);
      const entries = symbols.map((s) => findBundled(s, o.timeframe as Timeframe));
      const methods = o.methods === undefined ? SIZING_METHODS : o.methods.split(',').map((m) => m.trim());
      for (const m of methods) if (!(SIZING_METHODS as readonly string[]).includes(m)) throw new RangeError(`--methods: unknown sizing method ${JSON.stringify(m)} (known: ${SIZING_METHODS.join(', ')})`);
      const fees = { kind: 'bps' as const, maker: o.commissionBps, taker: o.commissionBps };
      const instruments: Array<Partial<Instrument> & { symbol: string }> = entries.map((e) => ({
        symbol: e.symbol,
        // Spot metal trades like a currency pair (no Instrument class for commodities).
        assetClass: e.assetClass === 'commodity' ? 'fx' : e.assetClass === 'crypto' ? 'crypto' : e.assetClass,
        lotSize: e.assetClass === 'equity' ? 1 : e.assetClass === 'crypto' ? 0.0001 : 1,
        fees,
      }));
      const rep = runComparison({
        symbols, timeframe: o.timeframe as Timeframe, signal: () => donchianSignal({ entry: o.entry, exit: o.exit }), profile, methods: methods as SizingMethod[],
        initialCash: o.cash, instruments, start: o.from, end: o.to === undefined ? undefined : o.to + 86_400_000, operatorResetAfterBars: o.operatorResetBars,
      });
      if (o.report) writeFileSync(o.report, renderComparisonHtml(rep));
      if (o.json) {
        out(JSON.stringify(rep) + '\n');
        return;
      }
      out(formatComparison(rep));
      if (o.report) out(`report: ${o.report}\n`);
    });
}
