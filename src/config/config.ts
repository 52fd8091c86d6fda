/**
 * One typed configuration: defaults that run with no file at all, an optional JSON file
 * (`neurion.config.json` in the working directory, or the path in NEURION_CONFIG), then
 * environment overrides. Validated with zod; errors name the key and the value.
 *
 * Environment overrides:
 *   NEURION_BACKEND   auto | js | cpu | cuda
 *   NEURION_THREADS   native threads per call (integer >= 1)
 *   NEURION_POOL_THREADS  worker threads in the compute pool
 *   NEURION_LOG_LEVEL trace | debug | info | warn | error | fatal | silent
 *   NEURION_DATA_DIR  folder of market data files (default: the bundled data/)
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../errors.js';

export const configSchema = z
  .object({
    backend: z.enum(['auto', 'js', 'cpu', 'cuda']).default('auto'),
    threads: z.number().int().min(1).max(256).optional(),
    pool: z
      .object({ threads: z.number().int().min(1).max(256).optional() })
      .strict()
      .default({}),
    log: z
      .object({ level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info') })
      .strict()
      .default({ level: 'info' }),
    data: z
      .object({ dir: z.string().min(1).optional() })
      .strict()
      .default({}),
  })
  .strict();

export type NeurionConfig = z.infer<typeof configSchema>;

export interface LoadConfigOptions {
  /** Config file path; default NEURION_CONFIG or ./neurion.config.json when present. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** Values that win over file and environment (e.g. CLI flags). */
  overrides?: Record<string, unknown>;
}

const ENV_KEYS: Array<[string, string[], (v: string) => unknown]> = [
  ['NEURION_BACKEND', ['backend'], (v) => v],
  ['NEURION_THREADS', ['threads'], numberOrString],
  ['NEURION_POOL_THREADS', ['pool', 'threads'], numberOrString],
  ['NEURION_LOG_LEVEL', ['log', 'level'], (v) => v],
  ['NEURION_DATA_DIR', ['data', 'dir'], (v) => v],
];

function numberOrString(v: string): unknown {
  return v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : v;
}

function setPath(obj: Record<string, unknown>, path: string[], value: unknown): void {
  let o = obj;
  for (const k of path.slice(0, -1)) {
    if (typeof o[k] !== 'object' || o[k] === null) o[k] = {};
    o = o[k] as Record<string, unknown>;
  }
  o[path[path.length - 1]!] = value;
}

function getPath(obj: unknown, path: PropertyKey[]): unknown {
  let o = obj;
  for (const k of path) {
    if (typeof o !== 'object' || o === null) return undefined;
    o = (o as Record<PropertyKey, unknown>)[k];
  }
  return o;
}

export function loadConfig(opts: LoadConfigOptions = {}): NeurionConfig {
  const env = opts.env ?? process.env;
  const raw: Record<string, unknown> = {};
  const file = opts.file ?? env.NEURION_CONFIG ?? (existsSync('neurion.config.json') ? 'neurion.config.json' : undefined);
  if (file !== undefined) {
    const path = resolve(file);
    if (!existsSync(path)) throw new ConfigError('file', file, 'config file does not exist');
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(path, 'utf8'));
    } catch (e) {
      throw new ConfigError('file', file, `not valid JSON (${(e as Error).message})`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new ConfigError('file', file, 'must hold a JSON object');
    }
    Object.assign(raw, parsed);
  }
  const sources: Record<string, string> = {};
  for (const [name, path, conv] of ENV_KEYS) {
    const v = env[name];
    if (v !== undefined && v !== '') {
      setPath(raw, path, conv(v));
      sources[path.join('.')] = name;
    }
  }
  for (const [k, v] of Object.entries(opts.overrides ?? {})) if (v !== undefined) setPath(raw, k.split('.'), v);
  return parseConfig(raw, sources);
}

/** Validates a raw config object; the error names the first bad key (and its env variable). */
export function parseConfig(raw: unknown, sources: Record<string, string> = {}): NeurionConfig {
  const r = configSchema.safeParse(raw);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  let path = issue.path.map(String);
  let value = getPath(raw, issue.path);
  if (issue.code === 'unrecognized_keys') {
    path = [...path, issue.keys[0]!];
    value = getPath(raw, path);
    throw new ConfigError(path.join('.'), value, `unknown key (allowed: ${allowedKeys(issue.path).join(', ')})`);
  }
  const key = path.join('.') || '(root)';
  const from = sources[key] ? ` (from ${sources[key]})` : '';
  throw new ConfigError(key, value, issue.message + from);
}

function allowedKeys(path: PropertyKey[]): string[] {
  let s: z.ZodTypeAny = configSchema;
  for (const k of path) {
    const inner: z.ZodTypeAny = s instanceof z.ZodDefault ? (s.def.innerType as z.ZodTypeAny) : s;
    s = (inner as z.ZodObject).shape[k as string] as z.ZodTypeAny;
  }
  const obj = (s instanceof z.ZodDefault ? s.def.innerType : s) as z.ZodObject;
  return Object.keys(obj.shape);
}
