/**
 * The comparison report behind `neurion riskreport`: the same entry signals run with and
 * without the exit manager, under each sizing method, on the same data, broker and profile.
 * Without the exit manager positions close only on the opposite signal; sizing still uses the
 * exit plan's initial stop distance.
 */
import type { Bars, Timeframe } from '../data/bars.js';
import { loadBundled } from '../data/index.js';
import type { Instrument } from '../trading/instrument.js';
import type { ExitPlanInput } from '../exits/plan.js';
import { runManagedBacktest, type ManagedBacktestResult, type SignalFn } from './managed-backtest.js';
import { loadRiskProfile, SIZING_METHODS, type RiskProfile, type RiskProfileInput, type SizingMethod } from './profile.js';

export interface ComparisonOptions {
  symbols: string[];
  timeframe?: Timeframe;
  feeds?: Bars[];
  signal: () => SignalFn;
  profile?: string | RiskProfileInput | RiskProfile;
  exitPlan?: ExitPlanInput;
  methods?: readonly SizingMethod[];
  initialCash?: number;
  instruments?: Array<Partial<Instrument> & { symbol: string }>;
  start?: number;
  end?: number;
  operatorResetAfterBars?: number;
}

export interface ComparisonRow {
  exitManager: boolean;
  sizing: SizingMethod;
  totalReturn: number;
  annualizedReturn: number;
  sharpe: number;
  maxDrawdown: number;
  trades: number;
  winRate: number;
  finalEquity: number;
  killSwitchTimes: number;
  /** First kill-switch time (ms), if any. */
  killSwitchAt?: number;
  accepted: number;
  resized: number;
  /** Entries refused, not counting the signals refused while the kill switch was engaged (killRejected). */
  rejected: number;
  killRejected: number;
  dailyHalts: number;
  brokerRejects: number;
  /** Closed positions by exit rule. */
  exitRules: Record<string, number>;
  avgR: number;
}

export interface ComparisonReport {
  profile: string;
  symbols: string[];
  timeframe: string;
  from: number;
  to: number;
  rows: ComparisonRow[];
  elapsedMs: number;
}

function row(r: ManagedBacktestResult, exitManager: boolean): ComparisonRow {
  const m = r.result.metrics;
  const entries = r.audit.filter((e) => (e.kind === 'accept' || e.kind === 'resize' || e.kind === 'reject') && !(e.reason.includes('reduces exposure')));
  const rules: Record<string, number> = {};
  for (const x of r.exits) rules[x.exitRule] = (rules[x.exitRule] ?? 0) + 1;
  const kills = r.audit.filter((e) => e.kind === 'killSwitch');
  return {
    exitManager, sizing: r.sizingMethod, totalReturn: m.totalReturn, annualizedReturn: m.annualizedReturn, sharpe: m.sharpe, maxDrawdown: m.maxDrawdown,
    trades: m.trades, winRate: m.winRate, finalEquity: r.result.finalEquity, killSwitchTimes: kills.length, killSwitchAt: kills[0]?.time,
    accepted: entries.filter((e) => e.kind === 'accept').length, resized: entries.filter((e) => e.kind === 'resize').length,
    rejected: entries.filter((e) => e.kind === 'reject' && e.state !== 'HALTED').length, killRejected: entries.filter((e) => e.kind === 'reject' && e.state === 'HALTED').length,
    dailyHalts: r.auditCounts.dailyHalt ?? 0, brokerRejects: r.auditCounts.brokerReject ?? 0, exitRules: rules,
    avgR: r.exits.length ? r.exits.reduce((s, x) => s + x.r, 0) / r.exits.length : NaN,
  };
}

export function runComparison(o: ComparisonOptions): ComparisonReport {
  const t0 = performance.now();
  const timeframe = o.timeframe ?? '1d';
  const feeds = o.feeds ?? o.symbols.map((s) => loadBundled(s, timeframe));
  const profile = loadRiskProfile(o.profile ?? 'moderate');
  const rows: ComparisonRow[] = [];
  let from = Infinity, to = -Infinity;
  for (const exits of [false, true]) {
    for (const method of o.methods ?? SIZING_METHODS) {
      const r = runManagedBacktest({
        feeds, timeframe, signal: o.signal(), profile, sizingMethod: method, exitPlan: exits ? o.exitPlan ?? {} : false,
        initialCash: o.initialCash, instruments: o.instruments, start: o.start, end: o.end, operatorResetAfterBars: o.operatorResetAfterBars,
      });
      if (r.result.time.length) { from = Math.min(from, r.result.time[0]!); to = Math.max(to, r.result.time[r.result.time.length - 1]!); }
      rows.push(row(r, exits));
    }
  }
  return { profile: profile.name, symbols: feeds.map((f) => f.symbol), timeframe, from, to, rows, elapsedMs: performance.now() - t0 };
}

const pct = (v: number): string => (Number.isFinite(v) ? `${(100 * v).toFixed(2)}%` : String(v));
const day = (t: number | undefined): string => (t === undefined || !Number.isFinite(t) ? '-' : new Date(t).toISOString().slice(0, 10));

/** Plain-text table (what the CLI prints). */
export function formatComparison(rep: ComparisonReport): string {
  const head = ['exit mgr', 'sizing', 'return', 'ann.', 'Sharpe', 'max DD', 'trades', 'win', 'avg R', 'kill', 'acc/resz/rej', 'exits by rule'];
  const lines = rep.rows.map((r) => [
    r.exitManager ? 'yes' : 'no', r.sizing, pct(r.totalReturn), pct(r.annualizedReturn), r.sharpe.toFixed(2), pct(r.maxDrawdown), String(r.trades), pct(r.winRate),
    Number.isFinite(r.avgR) ? r.avgR.toFixed(2) : '-', r.killSwitchTimes ? `${r.killSwitchTimes}x ${day(r.killSwitchAt)}` : '-', `${r.accepted}/${r.resized}/${r.rejected}`,
    Object.entries(r.exitRules).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', '),
  ]);
  const widths = head.map((h, k) => Math.max(h.length, ...lines.map((l) => l[k]!.length)));
  const fmt = (cells: string[]): string => cells.map((c, k) => (k >= 2 && k <= 10 ? c.padStart(widths[k]!) : c.padEnd(widths[k]!))).join('  ').trimEnd();
  return [
    `riskreport: profile ${rep.profile}, ${rep.symbols.join(', ')} ${rep.timeframe}, ${day(rep.from)} .. ${day(rep.to)} (${rep.rows.length} runs in ${(rep.elapsedMs / 1000).toFixed(1)} s)`,
    fmt(head), ...lines.map(fmt),
    'acc/resz/rej: entries accepted / resized / refused by the risk manager (signals refused while the kill switch was engaged not counted).',
    'exit mgr "no": positions close only on the opposite signal (or the kill switch); sizing still uses the exit plan\'s initial stop distance.',
  ].join('\n') + '\n';
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Self-contained HTML page with the same table. */
export function renderComparisonHtml(rep: ComparisonReport): string {
  const rows = rep.rows.map((r) => `<tr><td>${r.exitManager ? 'yes' : 'no'}</td><td>${r.sizing}</td><td>${pct(r.totalReturn)}</td><td>${pct(r.annualizedReturn)}</td><td>${r.sharpe.toFixed(2)}</td><td>${pct(r.maxDrawdown)}</td><td>${r.trades}</td><td>${pct(r.winRate)}</td><td>${Number.isFinite(r.avgR) ? r.avgR.toFixed(2) : '-'}</td><td>${r.killSwitchTimes ? `${r.killSwitchTimes}x, first ${day(r.killSwitchAt)}` : '-'}</td><td>${r.accepted}/${r.resized}/${r.rejected}</td><td>${esc(Object.entries(r.exitRules).map(([k, v]) => `${k} ${v}`).join(', '))}</td></tr>`).join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Neurion risk report</title>
<style>body{font-family:system-ui,sans-serif;margin:24px auto;max-width:1100px;color:#222}table{border-collapse:collapse;font-size:13px}td,th{padding:3px 8px;border-bottom:1px solid #eee;text-align:right}th{background:#f6f6f6}td:nth-child(-n+2),td:last-child{text-align:left}</style></head>
<body><h1>Risk manager and exit manager comparison</h1>
<p>Profile <b>${esc(rep.profile)}</b> on ${esc(rep.symbols.join(', '))} (${esc(rep.timeframe)}), ${day(rep.from)} to ${day(rep.to)}. The same entry signals in every run; "exit mgr: no" closes positions only on the opposite signal. Entries: accepted / resized / refused by the risk manager (signals refused while the kill switch was engaged not counted).</p>
<table><thead><tr><th>exit mgr</th><th>sizing</th><th>return</th><th>annualised</th><th>Sharpe</th><th>max DD</th><th>trades</th><th>win rate</th><th>avg R</th><th>kill switch</th><th>entries acc/resz/rej</th><th>exits by rule</th></tr></thead><tbody>
${rows}
</tbody></table><p>Generated by Neurion.</p></body></html>
`;
}
