// `neurion backtest` end to end: JSON output, HTML report, parameter and config errors.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { distPath } from '../src/util/paths.js';

const cli = distPath('src/cli/main.js');
const dir = mkdtempSync(join(tmpdir(), 'neurion-bt-'));
const run = (args: string[]) => {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
};

describe('neurion backtest', () => {
  it('prints metrics and trades as one JSON object and writes a self-contained HTML report', () => {
    const html = join(dir, 'r.html');
    const r = run(['backtest', '--strategy', 'sma-cross', '--symbol', 'SPY', '--fast', '20', '--slow', '100', '--per-share', '0.005', '--min-fee', '1', '--json', '--report', html]);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as { metrics: { trades: number; sharpe: number }; trades: Array<{ pnl: number; fees: number }>; params: { fast: number } };
    expect(j.params.fast).toBe(20);
    expect(j.metrics.trades).toBe(j.trades.length);
    expect(j.trades.length).toBeGreaterThan(10);
    for (const t of j.trades) expect(t.fees).toBeGreaterThanOrEqual(1);
    const page = readFileSync(html, 'utf8');
    expect(page).toMatch(/<svg/);
    expect(page).toMatch(/Max drawdown/);
    expect(page).not.toMatch(/<script|https?:\/\//); // self-contained
  });

  it('fill timing and the other example strategies run', () => {
    for (const args of [['--strategy', 'donchian', '--symbol', 'IWM'], ['--strategy', 'sma-reverse', '--symbol', 'SPY', '--allow-short', '--leverage', '2'], ['--strategy', 'sma-cross', '--symbol', 'AAPL,IBM', '--fill', 'close']]) {
      const r = run(['backtest', ...args, '--json']);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      expect(JSON.parse(r.stdout).metrics.trades).toBeGreaterThan(0);
    }
  });

  it("the shipped model's signal backtests on its out-of-sample span", () => {
    const r = run(['backtest', '--strategy', 'model', '--symbol', 'SPY,IWM', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as { trades: Array<{ entryTime: number; entryTag: string }> };
    expect(j.trades.length).toBeGreaterThan(0);
    for (const t of j.trades) expect(t.entryTime).toBeGreaterThanOrEqual(Date.UTC(2018, 3, 18));
  });

  it('bad configurations exit 2 with the field named; usage errors exit 1', () => {
    const cases: Array<[string[], RegExp]> = [
      [['--symbol', 'NOPE'], /NOPE-1d/],
      [['--symbol', 'SPY', '--fast', '300', '--slow', '100'], /slow must be an integer > fast/],
      [['--symbol', 'SPY', '--commission-bps', '-1'], /--commission-bps must be a number >= 0, got "-1"/],
      [['--symbol', 'SPY', '--from', '2030-01-01'], /selects no bars/],
      [['--symbol', 'SPY', '--from', '2015-01-01', '--to', '2010-01-01'], /date range is empty/],
      [['--symbol', 'SPY', '--strategy', 'moon'], /unknown strategy "moon"/],
      [['--symbol', 'SPY', '--fill', 'tomorrow'], /--fill must be next-open or close/],
      [['--symbol', 'SPY', '--fsat', '3'], /unknown parameter "fsat"/],
    ];
    for (const [args, re] of cases) {
      const r = run(['backtest', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(re);
    }
    expect(run(['backtest']).code).toBe(1);
  });
});
