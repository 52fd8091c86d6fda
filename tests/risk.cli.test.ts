// `neurion var | stress | tradesim` in-process through commander (registerRiskCommands), with
// exit codes from the CLI's own classifyError: 1 usage, 2 bad values.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseWeights, registerRiskCommands } from '../src/cli/risk.js';
import { runCommand } from './helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'neurion-risk-cli-'));

async function run(args: string[]): Promise<{ code: number; stdout: string; message: string }> {
  const r = await runCommand(registerRiskCommands, args);
  return { code: r.code, stdout: r.out, message: r.message };
}

describe('neurion var', () => {
  it('prints historical, parametric and Cornish-Fisher VaR/CVaR for a bundled symbol', async () => {
    const r = await run(['var', 'SPY', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { observations: number; results: Array<{ method: string; level: number; var: number; cvar: number }> };
    expect(j.observations).toBe(5848);
    expect(j.results.map((x) => `${x.method}@${x.level}`)).toEqual([
      'historical@0.95', 'historical@0.99', 'parametric@0.95', 'parametric@0.99', 'cornish-fisher@0.95', 'cornish-fisher@0.99',
    ]);
    for (const x of j.results) { expect(x.var).toBeGreaterThan(0.01); expect(x.var).toBeLessThan(0.06); expect(x.cvar).toBeGreaterThan(x.var); }
    const text = await run(['var', 'BTCUSD', '--levels', '0.99', '--method', 'historical', '--value', '1000000', '--from', '2016-01-01']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/BTCUSD-1d \(bundled\): \d+ simple returns 2016-01-01/);
    expect(text.stdout).toMatch(/historical +99\.0% +\d+/);
  });

  it('reads a CSV file and scales with --horizon', async () => {
    const csv = join(dir, 'P-1d.csv');
    const rows = ['time,open,high,low,close,volume'];
    let p = 100;
    for (let i = 0; i < 60; i++) { p *= 1 + 0.01 * Math.sin(i * 1.7); rows.push(`2020-01-${String((i % 28) + 1).padStart(2, '0')}`.replace(/^2020-01/, `2020-${String(Math.floor(i / 28) + 1).padStart(2, '0')}`) + `,${p},${p},${p},${p},1`); }
    writeFileSync(csv, rows.join('\n') + '\n');
    const r = await run(['var', '--input', csv, '--horizon', '10', '--json']);
    expect(r.code, r.message).toBe(0);
    const j = JSON.parse(r.stdout) as { results: Array<{ method: string }> };
    expect(j.results.map((x) => x.method)).toEqual(['parametric', 'parametric', 'cornish-fisher', 'cornish-fisher']);
  });

  it('usage errors exit 1, bad values exit 2 naming the flag', async () => {
    expect((await run(['var'])).code).toBe(1);
    expect((await run(['var', 'SPY', '--input', 'x.csv'])).code).toBe(1);
    const lv = await run(['var', 'SPY', '--levels', '0.95,1.5']);
    expect(lv.code).toBe(2);
    expect(lv.message).toMatch(/--levels entries must be confidence levels in \(0, 1\), got "1.5"/);
    expect((await run(['var', 'SPY', '--method', 'montecarlo'])).message).toMatch(/--method must be one of historical, parametric, cornish-fisher/);
    expect((await run(['var', 'SPY', '--method', 'historical', '--horizon', '5'])).message).toMatch(/horizon must be 1/);
    expect((await run(['var', 'NOPE'])).code).toBe(2);
    expect((await run(['var', 'SPY', '--from', 'yesterday'])).message).toMatch(/--from must be a date/);
  });
});

describe('neurion stress', () => {
  it('runs the library on --weights and on a JSON portfolio', async () => {
    const r = await run(['stress', '--weights', 'SPY=0.6,BTCUSD=0.4', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { results: Array<{ scenario: string; totalLoss: number }> };
    expect(j.results).toHaveLength(6);
    const text = await run(['stress', '--weights', 'SPY=0.6,BTCUSD=0.4']);
    expect(text.stdout).toMatch(/covid-2020 +20\.46%/);
    expect(text.stdout).toMatch(/BTCUSD 0\.00% \(not shocked\)/);
    const file = join(dir, 'portfolio.json');
    writeFileSync(file, JSON.stringify({ positions: [{ symbol: 'SPY', value: 600000 }, { symbol: 'AGG', value: 400000, assetClass: 'bond' }] }));
    const f = await run(['stress', '--portfolio', file, '--scenario', 'rate-shock-2022', '--json']);
    expect(f.code, f.message).toBe(0);
    const fr = JSON.parse(f.stdout) as { results: Array<{ totalLoss: number }> };
    expect(fr.results[0]!.totalLoss).toBeCloseTo(600000 * (1 - 3839.5 / 4766.18) + 400000 * 0.1301, 6);
    expect((await run(['stress', '--list'])).stdout).toMatch(/gfc-2008 +bundled data/);
    expect(parseWeights('AGG:bond=0.5')).toEqual([{ symbol: 'AGG', value: 0.5, assetClass: 'bond' }]);
  });

  it('usage errors exit 1, bad values exit 2 naming the field', async () => {
    expect((await run(['stress'])).code).toBe(1);
    const bad = await run(['stress', '--weights', 'SPY=abc']);
    expect(bad.code).toBe(2);
    expect(bad.message).toMatch(/--weights SPY must be a finite number, got "abc"/);
    expect((await run(['stress', '--weights', 'SPY'])).message).toMatch(/SYMBOL=weight/);
    expect((await run(['stress', '--weights', 'TLT=1'])).message).toMatch(/assetClass is required for "TLT"/);
    expect((await run(['stress', '--weights', 'SPY=1', '--scenario', 'nope'])).code).toBe(2);
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ positions: [{ symbol: 'SPY', value: '1' }] }));
    const f = await run(['stress', '--portfolio', file]);
    expect(f.code).toBe(2);
    expect(f.message).toMatch(/field positions\[0\]\.value = "1" \(string\): must be a finite number/);
  });
});

describe('neurion tradesim', () => {
  it('simulates from a CSV column and from JSON', async () => {
    const csv = join(dir, 'trades.csv');
    const lines = ['id,pnl_pct'];
    for (let i = 0; i < 100; i++) lines.push(`${i},${i % 3 === 0 ? -0.01 : 0.008}`);
    writeFileSync(csv, lines.join('\n') + '\n');
    const r = await run(['tradesim', csv, '--column', 'pnl_pct', '--paths', '2000', '--trades', '500', '--seed', '3', '--json']);
    expect(r.code, r.message).toBe(0);
    const j = JSON.parse(r.stdout) as { paths: number; trades: number; sample: { trades: number; winRate: number }; finalEquity: { quantiles: Array<[number, number]> } };
    expect([j.paths, j.trades, j.sample.trades]).toEqual([2000, 500, 100]);
    expect(j.sample.winRate).toBeCloseTo(66 / 100, 12);
    const again = await run(['tradesim', csv, '--column', 'pnl_pct', '--paths', '2000', '--trades', '500', '--seed', '3', '--json']);
    expect((JSON.parse(again.stdout) as typeof j).finalEquity).toEqual(j.finalEquity);
    const json = join(dir, 'trades.json');
    writeFileSync(json, JSON.stringify({ returns: [0.01, -0.02, 0.015, 0.005, -0.01] }));
    const t = await run(['tradesim', json, '--paths', '500', '--method', 'stationary', '--block-size', '2']);
    expect(t.code, t.message).toBe(0);
    expect(t.stdout).toMatch(/risk of ruin/);
    expect(t.stdout).toMatch(/Sharpe\/trade 95% interval/);
  });

  it('usage errors exit 1, bad values exit 2 naming the field', async () => {
    const csv = join(dir, 'two.csv');
    writeFileSync(csv, 'a,b\n0.1,0.2\n0.3,x\n');
    expect((await run(['tradesim', csv])).code).toBe(1); // several columns, none chosen
    expect((await run(['tradesim', csv, '--column', 'c'])).code).toBe(1);
    const cell = await run(['tradesim', csv, '--column', 'b']);
    expect(cell.code).toBe(2);
    expect(cell.message).toMatch(/two\.csv: row 2, field b = "x" \(string\): must be a finite number/);
    expect((await run(['tradesim', csv, '--column', 'a', '--paths', '0'])).message).toMatch(/--paths must be an integer >= 1, got "0"/);
    expect((await run(['tradesim', join(dir, 'missing.csv')])).code).toBe(2);
    expect((await run(['tradesim'])).code).toBe(1);
  });
});
