// The `neurion` CLI end to end (compiled dist, as `npx neurion` runs it): exit codes
// 0 ok / 1 usage / 2 bad input, and the commands' output.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { distPath } from '../src/util/paths.js';

const cli = distPath('src/cli/main.js');
const dir = mkdtempSync(join(tmpdir(), 'neurion-cli-'));

function run(args: string[], env: Record<string, string> = {}): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, NEURION_BACKEND: '', ...env }, timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('neurion CLI', () => {
  it('info lists the backends', () => {
    const r = run(['info']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/backends:/);
    expect(r.stdout).toMatch(/\+ js/);
    const j = JSON.parse(run(['info', '--json']).stdout) as { backends: Array<{ name: string }> };
    expect(j.backends.map((b) => b.name)).toEqual(['js', 'cpu', 'cuda']);
  });

  it('--help works for newcomers and exits 0', () => {
    const r = run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/data/);
    expect(run(['data', 'validate', '--help']).stdout).toMatch(/Exit 2 if any error/);
  });

  it('exits 1 on usage errors', () => {
    expect(run(['bogus']).code).toBe(1);
    expect(run(['data', 'validate']).code).toBe(1); // missing <file>
    expect(run(['info', '--nope']).code).toBe(1);
    expect(run([]).code).toBe(1);
  });

  it('validates a bundled file (exit 0) and refuses bad data naming row, field and value (exit 2)', () => {
    expect(run(['data', 'validate', join(distPath('..'), 'data', 'SPY-1d.arrow')]).code).toBe(0);
    const bad = join(dir, 'BAD-1d.csv');
    writeFileSync(bad, 'time,open,high,low,close,volume\n2020-01-01,1,2,0.5,1.5,100\n2020-01-02,1,0.9,0.5,1.5,100\n2020-01-03,1,2,0.5,abc,100\n');
    const r = run(['data', 'validate', bad]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/row +2 +high/);
    expect(r.stdout).toMatch(/row +3 +close += abc/);
    expect(r.stderr).toMatch(/BAD-1d\.csv: row 2, field high/);
    expect(run(['data', 'validate', join(dir, 'missing.csv')]).code).toBe(2);
  });

  it('converts CSV to Arrow, refusing invalid input unless --quarantine', () => {
    const good = join(dir, 'GOOD-1d.csv');
    writeFileSync(good, 'time,open,high,low,close,volume\n2020-01-01,1,2,0.5,1.5,100\n2020-01-02,1.5,2.5,1,2,200\n');
    const out = join(dir, 'GOOD-1d.arrow');
    expect(run(['data', 'convert', good, out]).code).toBe(0);
    expect(run(['data', 'validate', out]).code).toBe(0);
    const bad = join(dir, 'Q-1d.csv');
    writeFileSync(bad, 'time,open,high,low,close,volume\n2020-01-01,1,2,0.5,1.5,100\n2020-01-02,1,2,0.5,-1,100\n2020-01-03,1,2,0.5,1.5,100\n');
    expect(run(['data', 'convert', bad, join(dir, 'Q.arrow')]).code).toBe(2);
    const q = run(['data', 'convert', bad, join(dir, 'Q.arrow'), '--quarantine']);
    expect(q.code).toBe(0);
    expect(q.stdout).toMatch(/quarantined 1 invalid rows/);
  });

  it('fails loudly (exit 2) when a forced backend is unavailable or unknown', () => {
    const r = run(['start', '--json'], { NEURION_BACKEND: 'cuda' });
    const hasCuda = JSON.parse(run(['info', '--json']).stdout).backends.find((b: { name: string }) => b.name === 'cuda').available as boolean;
    if (!hasCuda) {
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/compute backend 'cuda' is not available/);
    }
    const bogus = run(['start'], { NEURION_BACKEND: 'gpu' });
    expect(bogus.code).toBe(2);
    expect(bogus.stderr).toMatch(/NEURION_BACKEND|backend/);
  });

  it('start runs the main job on embedded defaults (data, signal, managed backtest, Monte Carlo, VaR, report)', () => {
    const report = join(dir, 'main.html');
    const r = run(['start', '--json', '--report', report]);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as {
      data: { series: number; bars: number; errors: number };
      smaCheck: { maxRelErrorVsReference: number; symbols: string[] };
      signal: { kind: string; name: string };
      backtest: { trades: number; symbols: string[] };
      var: Array<{ method: string; var: number }>;
      mcVar: { var: Record<string, number> };
      report: string;
    };
    expect(s.data.series).toBeGreaterThan(20);
    expect(s.data.bars).toBeGreaterThan(200_000);
    expect(s.data.errors).toBe(0);
    expect(s.smaCheck.maxRelErrorVsReference).toBeLessThan(1e-9);
    expect(s.smaCheck.symbols).toContain('SPY');
    expect(['model', 'indicator']).toContain(s.signal.kind);
    expect(s.backtest.symbols.length).toBeGreaterThan(3);
    expect(s.backtest.trades).toBeGreaterThan(0);
    expect(s.var.map((v) => v.method)).toEqual(expect.arrayContaining(['historical', 'parametric', 'cornish-fisher']));
    // Monte Carlo (bootstrap of the same returns) and historical VaR agree closely.
    const hist99 = s.var.find((v) => v.method === 'historical' && Math.abs((v as unknown as { level: number }).level - 0.99) < 1e-12)!.var;
    expect(Math.abs(s.mcVar.var['0.99']! - hist99) / hist99).toBeLessThan(0.1);
    expect(s.report).toBe(report);
    const html = readFileSync(report, 'utf8');
    expect(html).toMatch(/Trade-sequence Monte Carlo/);
    expect(html).toMatch(/Portfolio VaR/);
  });

  it('ta --list lists every indicator; ta <name> computes over a file (CSV and JSON)', () => {
    const list = run(['ta', '--list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^sma +trend/m);
    const arrow = join(distPath('..'), 'data', 'SPY-1d.arrow');
    const csv = run(['ta', 'sma', '--input', arrow, '--period', '3']);
    expect(csv.code, csv.stderr).toBe(0);
    const lines = csv.stdout.trim().split('\n');
    expect(lines[0]).toBe('time,sma');
    expect(lines[1]).toBe('1998-01-02,'); // warm-up row empty
    expect(Number(lines[3]!.split(',')[1])).toBeGreaterThan(0);
    const json = JSON.parse(run(['ta', 'sma', '--input', arrow, '--period', '3', '--format', 'json']).stdout) as Array<{ time: string; sma: number | null }>;
    expect(json[0]!.sma).toBeNull();
    expect(json[2]!.sma).toBeCloseTo(Number(lines[3]!.split(',')[1]), 12);
  });

  it('ta errors: unknown indicator or parameter and bad values exit 2; missing input exits 1', () => {
    const arrow = join(distPath('..'), 'data', 'SPY-1d.arrow');
    const unknown = run(['ta', 'nope', '--input', arrow]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown indicator "nope"/);
    const badParam = run(['ta', 'sma', '--input', arrow, '--perod', '3']);
    expect(badParam.code).toBe(2);
    expect(badParam.stderr).toMatch(/unknown parameter "perod"/);
    expect(run(['ta', 'sma', '--input', arrow, '--period', '0']).stderr).toMatch(/period must be an integer in \[1, 5849\]/);
    expect(run(['ta', 'sma', '--input', arrow, '--period', 'abc']).code).toBe(2);
    expect(run(['ta', 'sma']).code).toBe(1);
  });
});
