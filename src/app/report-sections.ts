/** The main job's sections of the HTML report: signal, risk decisions, exits, Monte Carlo, VaR. */
import type { BackendName } from '../compute/index.js';
import type { McResult } from '../mc/index.js';
import type { ManagedBacktestResult } from '../risk-manager/index.js';
import type { TradeSequenceResult } from '../risk/trade-sequence.js';
import type { VarResult } from '../risk/var.js';

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const f = (v: number, d = 2): string => (Number.isFinite(v) ? v.toFixed(d) : String(v));
const pct = (v: number): string => `${f(100 * v)}%`;

export interface MainJobSections {
  signal: { kind: string; name: string; note: string };
  managed: ManagedBacktestResult;
  tradeSequence: TradeSequenceResult | null;
  varRows: VarResult[];
  mc: McResult;
  smaCheck: { symbols: string[]; bars: number; maxRelErrorVsReference: number; elapsedMs: number };
  backend: BackendName;
}

export function renderMainJobSections(s: MainJobSections): string {
  const audit = Object.entries(s.managed.auditCounts).map(([k, v]) => `<tr><td>${esc(k)}</td><td>${v}</td></tr>`).join('');
  const attribution = Object.entries(s.managed.attribution).map(([src, st]) => {
    const o = st as unknown as Record<string, unknown>;
    return `<tr><td>${esc(src)}</td><td><code>${esc(JSON.stringify(o))}</code></td></tr>`;
  }).join('');
  const ts = s.tradeSequence;
  const tsTable = ts
    ? `<table><thead><tr><th>quantile</th><th>final equity (x start)</th><th>max drawdown</th><th>longest losing streak</th></tr></thead><tbody>${ts.finalEquity.quantiles.map(([q, v], i) => `<tr><td>${q}</td><td>${f(v, 3)}</td><td>${pct(ts.maxDrawdown.quantiles[i]![1])}</td><td>${f(ts.longestLosingStreak.quantiles[i]![1], 0)}</td></tr>`).join('')}</tbody></table>
<p>${ts.paths} paths of ${ts.trades} trades resampled (${ts.method}, block ${ts.blockSize}) from ${ts.sample.trades} trades. Risk of ruin (equity below ${ts.riskOfRuin.threshold} x start): ${pct(ts.riskOfRuin.probability)} (Wilson ${pct(ts.riskOfRuin.wilson[0])} - ${pct(ts.riskOfRuin.wilson[1])}). Per-trade Sharpe ${f(ts.sample.sharpe, 3)}, ${pct(ts.sharpe.confidence)} interval ${f(ts.sharpe.interval[0], 3)} .. ${f(ts.sharpe.interval[1], 3)}; win rate ${pct(ts.sample.winRate)}, interval ${pct(ts.winRate.interval[0])} .. ${pct(ts.winRate.interval[1])}.</p>`
    : '<p>Too few trades for a trade-sequence simulation.</p>';
  const varTable = `<table><thead><tr><th>method</th><th>level</th><th>1-day VaR</th><th>CVaR</th></tr></thead><tbody>${s.varRows.map((r) => `<tr><td>${r.method}</td><td>${pct(r.level)}</td><td>${f(r.var, 0)}</td><td>${f(r.cvar, 0)}</td></tr>`).join('')}${Object.keys(s.mc.var).map((l) => `<tr><td>monte-carlo (bootstrap, ${s.mc.paths} paths, ${s.mc.backend})</td><td>${pct(Number(l))}</td><td>${f(s.mc.var[l]!, 0)}</td><td>${f(s.mc.cvar[l]!, 0)}</td></tr>`).join('')}</tbody></table>`;
  return `<h2>Signal</h2><p>${esc(s.signal.kind)} signal <b>${esc(s.signal.name)}</b>: ${esc(s.signal.note)}</p>
<h2>Risk manager decisions</h2><p>Kill switch engaged ${s.managed.killSwitch.times} time(s).</p><table><tbody>${audit}</tbody></table>
<h2>Exit attribution</h2><table><tbody>${attribution}</tbody></table>
<h2>Trade-sequence Monte Carlo</h2>${tsTable}
<h2>Portfolio VaR (final equity)</h2>${varTable}
<h2>Compute check</h2><p>SMA(50) over ${s.smaCheck.symbols.length} symbols x ${s.smaCheck.bars} bars on ${s.backend} through the worker pool in ${f(s.smaCheck.elapsedMs, 1)} ms; max relative difference vs the TypeScript reference ${s.smaCheck.maxRelErrorVsReference.toExponential(2)}.</p>`;
}
