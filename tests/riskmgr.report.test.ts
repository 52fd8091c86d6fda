// The comparison report and `neurion riskreport` on bundled real data, and the managed
// backtest entry point the main job calls (real symbols, indicator signal, invariants on).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerRiskReportCommand } from '../src/cli/riskreport.js';
import { runManagedBacktest } from '../src/risk-manager/managed-backtest.js';
import { donchianSignal } from '../src/risk-manager/signals.js';
import { ConfigError } from '../src/errors.js';

function cli(args: string[]): Promise<string> {
  let text = '';
  const p = new Command('neurion').exitOverride().configureOutput({ writeOut: (s) => { text += s; }, writeErr: () => {} });
  registerRiskReportCommand(p, (s) => { text += s; });
  return p.parseAsync(['node', 'neurion', 'riskreport', ...args]).then(() => text);
}

describe('riskreport', () => {
  it('compares sizing methods with and without the exit manager on the same signals', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'neurion-riskreport-'));
    const html = join(dir, 'r.html');
    const args = ['--symbols', 'SPY,EURUSD', '--from', '2007-01-01', '--to', '2010-12-31', '--methods', 'fixedFractional,volTarget'];
    const json = JSON.parse(await cli([...args, '--json', '--report', html]));
    expect(json.rows).toHaveLength(4);
    expect(json.rows.map((r: { exitManager: boolean; sizing: string }) => `${r.exitManager}/${r.sizing}`)).toEqual(['false/fixedFractional', 'false/volTarget', 'true/fixedFractional', 'true/volTarget']);
    for (const r of json.rows) {
      expect(Number.isFinite(r.totalReturn)).toBe(true);
      expect(r.maxDrawdown).toBeLessThanOrEqual(0);
      expect(r.maxDrawdown).toBeGreaterThan(-0.2); // the 8% kill switch bounds it (plus the flatten gap)
      expect(r.trades).toBeGreaterThan(0);
    }
    // Without the exit manager every close is the opposite signal or the kill switch.
    for (const r of json.rows.filter((x: { exitManager: boolean }) => !x.exitManager)) for (const k of Object.keys(r.exitRules)) expect(['signal', 'kill']).toContain(k);
    expect(Object.keys(json.rows[2].exitRules)).toContain('stop');
    expect(readFileSync(html, 'utf8')).toMatch(/<h1>Risk manager and exit manager comparison<\/h1>/);
    const text = await cli(args);
    expect(text).toMatch(/^riskreport: profile moderate, SPY, EURUSD 1d, 2007-01-0\d \.\. 2011-01-0\d/);
    expect(text.split('\n')[1]).toMatch(/^exit mgr\s+sizing\s+return\s+ann\.\s+Sharpe\s+max DD\s+trades/);
  }, 20_000);

  it('bad flags name the flag and value', async () => {
    await expect(cli(['--methods', 'martingale'])).rejects.toThrow(/--methods: unknown sizing method "martingale"/);
    await expect(cli(['--profile', 'reckless'])).rejects.toThrow(ConfigError);
    await expect(cli(['--symbols', 'NOPE'])).rejects.toThrow(/no bundled series/);
    await expect(cli(['--entry', '1'])).rejects.toThrow(/--entry must be an integer >= 2, got "1"/);
  });
});

describe('runManagedBacktest on bundled data (the main job entry point)', () => {
  it('runs several symbols through the risk and exit managers with every invariant checked', () => {
    const r = runManagedBacktest({ symbols: ['SPY', 'EURUSD', 'XAUUSD'], timeframe: '1d', signal: donchianSignal(), profile: 'moderate', exitPlan: {}, start: Date.UTC(2010, 0, 1), end: Date.UTC(2014, 0, 1), instruments: [{ symbol: 'EURUSD', assetClass: 'fx' }, { symbol: 'XAUUSD', assetClass: 'fx' }] });
    expect(r.result.trades.length).toBeGreaterThan(20);
    expect(r.exits.length).toBe(r.result.trades.length); // every position carried an exit plan and was attributed
    expect(new Set(r.exits.map((e) => e.source))).toEqual(new Set(['donchian-20-10']));
    // every order the strategy sent has a decision: entries evaluated, exits accepted as reductions
    const decisions = r.audit.filter((e) => e.kind === 'accept' || e.kind === 'resize').length;
    expect(decisions).toBeGreaterThanOrEqual(r.result.orders.filter((o) => o.tag !== 'exit:kill').length);
    for (const t of r.result.trades) expect(t.entryTag).toBe('entry:donchian-20-10');
    expect(r.result.metrics.maxDrawdown).toBeGreaterThan(-0.15);
  });
});
