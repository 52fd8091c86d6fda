// `neurion mc` (src/cli/mc.ts) through a commander program, as src/cli/main.ts will wire it.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { registerMcCommand } from '../src/cli/mc.js';
import { runCommand } from './helpers/cli.js';

const run = (args: string[]): ReturnType<typeof runCommand> => runCommand(registerMcCommand, ['mc', ...args]);

describe('neurion mc', () => {
  it('prints one JSON object with the required fields', async () => {
    const r = await run(['--model', 'gbm', '--s0', '100', '--mu', '0.05', '--sigma', '0.2', '--horizon', '1', '--steps', '12', '--paths', '20000', '--seed', '7', '--var', '0.95,0.99', '--json', '--no-progress']);
    expect(r.code, r.message).toBe(0);
    const j = JSON.parse(r.out) as Record<string, unknown>;
    for (const k of ['mean', 'stdev', 'stderr', 'quantiles', 'var', 'cvar', 'paths', 'steps', 'seed', 'backend', 'elapsedMs']) expect(j).toHaveProperty(k);
    expect(j.paths).toBe(20000);
    expect(Object.keys(j.var as object)).toEqual(['0.95', '0.99']);
    expect((j.var as Record<string, number>)['0.99']).toBeGreaterThan((j.var as Record<string, number>)['0.95']!);
    expect(j).not.toHaveProperty('accumulator');
  });

  it('fits a block bootstrap from a bundled series, writes --out and an Arrow path sample', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'neurion-mc-'));
    const outFile = join(dir, 'r.json'), arrow = join(dir, 'paths.arrow');
    const r = await run(['--model', 'block-bootstrap', '--fit', 'SPY-1d', '--mean-block', '5', '--steps', '21', '--paths', '5000', '--loss-threshold', '20', '--json', '--no-progress', '--out', outFile, '--sample-out', arrow, '--sample-paths', '3']);
    expect(r.code, r.message).toBe(0);
    const j = JSON.parse(readFileSync(outFile, 'utf8')) as { model: string; ruin: { probability: number }; fitted: { series: string } };
    expect(j.model).toBe('block-bootstrap');
    expect(j.fitted.series).toBe('SPY-1d');
    expect(j.ruin.probability).toBeGreaterThanOrEqual(0);
    const t = tableFromIPC(readFileSync(arrow));
    expect(t.numRows).toBe(3 * 22);
    expect(t.schema.fields.map((f) => f.name)).toEqual(['path', 'step', 't', 'value']);
  });

  it('bad values exit 2 naming the field; usage errors exit 1', async () => {
    const neg = await run(['--model', 'gbm', '--s0', '100', '--mu', '0.05', '--sigma', '-0.2', '--paths', '10', '--json']);
    expect(neg.code).toBe(2);
    expect(neg.message).toMatch(/model\.sigma must be >= 0/);
    const nan = await run(['--model', 'gbm', '--s0', 'abc', '--mu', '0.05', '--sigma', '0.2']);
    expect(nan.code).toBe(2);
    expect(nan.message).toMatch(/--s0 must be a finite number, got "abc"/);
    const zero = await run(['--model', 'gbm', '--s0', '100', '--mu', '0', '--sigma', '0.2', '--paths', '0']);
    expect(zero.code).toBe(2);
    expect(zero.message).toMatch(/paths must be an integer/);
    const missing = await run(['--model', 'heston', '--s0', '100', '--mu', '0']);
    expect(missing.code).toBe(1);
    expect(missing.message).toMatch(/--v0 is required/);
    const model = await run(['--model', 'vasicek']);
    expect(model.code).toBe(2);
    expect(model.message).toMatch(/--model must be one of gbm/);
  });
});
