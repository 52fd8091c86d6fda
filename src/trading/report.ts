/**
 * A self-contained HTML report of a backtest: metrics, equity and drawdown charts (inline
 * SVG, no scripts or external assets), warnings, and the trade table.
 */
import type { BacktestResult } from './backtester.js';

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Down-samples a series to at most `max` points keeping each bucket's min and max (shape-preserving). */
function downsample(t: Float64Array, y: Float64Array, max = 1500): Array<[number, number]> {
  const n = y.length;
  if (n <= max) return Array.from(y, (v, i) => [t[i]!, v]);
  const out: Array<[number, number]> = [];
  const bucket = Math.ceil(n / (max / 2));
  for (let a = 0; a < n; a += bucket) {
    let lo = a, hi = a;
    for (let i = a; i < Math.min(n, a + bucket); i++) {
      if (y[i]! < y[lo]!) lo = i;
      if (y[i]! > y[hi]!) hi = i;
    }
    for (const i of lo < hi ? [lo, hi] : [hi, lo]) out.push([t[i]!, y[i]!]);
  }
  return out;
}

function chart(title: string, t: Float64Array, y: Float64Array, color: string, fill: boolean, fmt: (v: number) => string): string {
  const W = 960, H = 260, L = 70, R = 10, T = 24, B = 28;
  const pts = downsample(t, y);
  if (pts.length === 0) return '';
  const t0 = pts[0]![0], t1 = pts[pts.length - 1]![0];
  let y0 = Infinity, y1 = -Infinity;
  for (const [, v] of pts) { y0 = Math.min(y0, v); y1 = Math.max(y1, v); }
  if (y0 === y1) { y0 -= 1; y1 += 1; }
  const X = (x: number): number => L + ((x - t0) / Math.max(t1 - t0, 1)) * (W - L - R);
  const Y = (v: number): number => T + (1 - (v - y0) / (y1 - y0)) * (H - T - B);
  const path = pts.map(([x, v], i) => `${i ? 'L' : 'M'}${X(x).toFixed(1)},${Y(v).toFixed(1)}`).join('');
  const area = fill ? `<path d="${path}L${X(t1).toFixed(1)},${Y(Math.min(0, y1)).toFixed(1)}L${X(t0).toFixed(1)},${Y(Math.min(0, y1)).toFixed(1)}Z" fill="${color}" fill-opacity="0.15"/>` : '';
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => {
    const v = y0 + f * (y1 - y0);
    return `<line x1="${L}" x2="${W - R}" y1="${Y(v).toFixed(1)}" y2="${Y(v).toFixed(1)}" stroke="#ddd"/><text x="${L - 6}" y="${(Y(v) + 4).toFixed(1)}" text-anchor="end">${esc(fmt(v))}</text>`;
  }).join('');
  const dates = [0, 0.5, 1].map((f) => {
    const x = t0 + f * (t1 - t0);
    return `<text x="${X(x).toFixed(1)}" y="${H - 8}" text-anchor="${f === 0 ? 'start' : f === 1 ? 'end' : 'middle'}">${new Date(x).toISOString().slice(0, 10)}</text>`;
  }).join('');
  return `<figure><figcaption>${esc(title)}</figcaption><svg viewBox="0 0 ${W} ${H}" width="100%" font-size="11" font-family="sans-serif">${ticks}${dates}${area}<path d="${path}" fill="none" stroke="${color}" stroke-width="1.3"/></svg></figure>`;
}

const pct = (v: number): string => (Number.isFinite(v) ? `${(100 * v).toFixed(2)}%` : String(v));
const num = (v: number, d = 2): string => (Number.isFinite(v) ? v.toFixed(d) : String(v));

export interface ReportMeta {
  title: string;
  strategy: string;
  params: Record<string, unknown>;
  symbols: string[];
  settings: Record<string, unknown>;
}

/** `extraHtml` (trusted, already escaped) is inserted before the trade table. */
export function renderReport(r: BacktestResult, meta: ReportMeta, maxTrades = 2000, extraHtml = ''): string {
  const m = r.metrics;
  const rows: Array<[string, string]> = [
    ['Total return', pct(m.totalReturn)], ['Annualised return', pct(m.annualizedReturn)], ['Volatility (ann.)', pct(m.volatility)],
    ['Sharpe', num(m.sharpe)], ['Sortino', num(m.sortino)], ['Calmar', num(m.calmar)], ['Max drawdown', pct(m.maxDrawdown)],
    ['Max drawdown duration', `${(m.maxDrawdownDurationMs / 86_400_000).toFixed(0)} days (${m.maxDrawdownDurationBars} bars)`],
    ['Trades', String(m.trades)], ['Win rate', pct(m.winRate)], ['Profit factor', num(m.profitFactor)], ['Expectancy', num(m.expectancy)],
    ['Average win / loss', `${num(m.avgWin)} / ${num(m.avgLoss)}`], ['Time in market', pct(m.timeInMarket)], ['Average exposure', pct(m.avgExposure)],
    ['Turnover (per year)', `${num(m.turnover)}x`], ['Fees', num(m.fees)], ['Final equity', num(r.finalEquity)], ['Years', num(m.years)],
  ];
  const trades = r.trades.slice(0, maxTrades).map((t) => `<tr><td>${esc(t.symbol)}</td><td>${t.direction}</td><td>${new Date(t.entryTime).toISOString().slice(0, 16).replace('T', ' ')}</td><td>${num(t.entryPrice, 4)}</td><td>${new Date(t.exitTime).toISOString().slice(0, 16).replace('T', ' ')}</td><td>${num(t.exitPrice, 4)}</td><td>${num(t.qty, 4)}</td><td class="${t.pnl >= 0 ? 'pos' : 'neg'}">${num(t.pnl)}</td><td>${pct(t.returnPct)}</td><td>${t.bars}</td><td>${esc(t.entryTag ?? '')} / ${esc(t.exitTag ?? '')}</td></tr>`).join('');
  const warnings = m.warnings.length ? `<section class="warn"><h2>Warnings</h2><ul>${m.warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul></section>` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(meta.title)}</title>
<style>body{font-family:system-ui,sans-serif;margin:24px auto;max-width:1000px;color:#222}table{border-collapse:collapse;font-size:13px}td,th{padding:3px 8px;border-bottom:1px solid #eee;text-align:right}th{background:#f6f6f6}td:first-child,th:first-child{text-align:left}.pos{color:#17752b}.neg{color:#b3261e}.warn{background:#fff4e5;border:1px solid #f0c36d;padding:4px 16px}figure{margin:16px 0}figcaption{font-weight:600}.grid{display:grid;grid-template-columns:1fr 1fr;gap:24px}code{font-size:12px}</style></head>
<body><h1>${esc(meta.title)}</h1>
<p>Strategy <b>${esc(meta.strategy)}</b> <code>${esc(JSON.stringify(meta.params))}</code> on ${esc(meta.symbols.join(', '))}. Settings <code>${esc(JSON.stringify(meta.settings))}</code>. ${r.barsProcessed} bars in ${r.elapsedMs.toFixed(0)} ms. Generated by Neurion.</p>
${warnings}
<div class="grid"><table><tbody>${rows.slice(0, 10).map(([k, v]) => `<tr><td>${k}</td><td>${v}</td></tr>`).join('')}</tbody></table>
<table><tbody>${rows.slice(10).map(([k, v]) => `<tr><td>${k}</td><td>${v}</td></tr>`).join('')}</tbody></table></div>
${chart('Equity', r.time, r.equity, '#1f5fbf', false, (v) => v.toFixed(0))}
${chart('Drawdown', r.time, r.drawdown, '#b3261e', true, (v) => `${(100 * v).toFixed(1)}%`)}
${extraHtml}
<h2>Trades (${r.trades.length}${r.trades.length > maxTrades ? `, first ${maxTrades} shown` : ''})</h2>
<table><thead><tr><th>symbol</th><th>side</th><th>entry</th><th>price</th><th>exit</th><th>price</th><th>qty</th><th>P&amp;L</th><th>return</th><th>bars</th><th>tags</th></tr></thead><tbody>${trades}</tbody></table>
</body></html>
`;
}
