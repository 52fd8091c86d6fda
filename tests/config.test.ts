// Typed configuration: defaults with no file, file + environment overrides, and errors that
// name the key and the value.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/config.js';
import { ConfigError } from '../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'neurion-config-'));

describe('config', () => {
  it('runs on defaults with no file and no environment', () => {
    expect(loadConfig({ env: {} })).toEqual({ backend: 'auto', pool: {}, log: { level: 'info' }, data: {} });
  });

  it('reads a file, then environment overrides win', () => {
    const f = join(dir, 'a.json');
    writeFileSync(f, JSON.stringify({ backend: 'js', threads: 4, log: { level: 'debug' } }));
    expect(loadConfig({ file: f, env: {} })).toMatchObject({ backend: 'js', threads: 4, log: { level: 'debug' } });
    expect(loadConfig({ file: f, env: { NEURION_BACKEND: 'cpu', NEURION_THREADS: '2' } })).toMatchObject({ backend: 'cpu', threads: 2 });
  });

  it.each([
    [{ NEURION_BACKEND: 'gpu' }, /config backend = "gpu" \(string\).*NEURION_BACKEND/],
    [{ NEURION_THREADS: '0' }, /config threads = 0 \(number\)/],
    [{ NEURION_THREADS: 'many' }, /config threads = "many"/],
    [{ NEURION_LOG_LEVEL: 'loud' }, /config log.level = "loud"/],
  ])('names the key and value of a bad environment override %#', (env, re) => {
    expect(() => loadConfig({ env: env as NodeJS.ProcessEnv })).toThrow(ConfigError);
    expect(() => loadConfig({ env: env as NodeJS.ProcessEnv })).toThrow(re);
  });

  it('rejects unknown keys, bad JSON and missing files', () => {
    const f = join(dir, 'b.json');
    writeFileSync(f, JSON.stringify({ pool: { thread: 3 } }));
    expect(() => loadConfig({ file: f, env: {} })).toThrow(/config pool.thread = 3 \(number\): unknown key \(allowed: threads\)/);
    const g = join(dir, 'c.json');
    writeFileSync(g, '{ nope');
    expect(() => loadConfig({ file: g, env: {} })).toThrow(/not valid JSON/);
    expect(() => loadConfig({ file: join(dir, 'none.json'), env: {} })).toThrow(/does not exist/);
  });
});
