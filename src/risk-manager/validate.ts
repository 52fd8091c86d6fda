/**
 * zod parsing with errors in the project's convention (src/config/config.ts): the first bad
 * key and its value are named, e.g. `config profile.sizing.riskPerTrade = -1 (number): ...`.
 */
import type { z } from 'zod';
import { ConfigError } from '../errors.js';

function getPath(obj: unknown, path: readonly PropertyKey[]): unknown {
  let o = obj;
  for (const k of path) {
    if (typeof o !== 'object' || o === null) return undefined;
    o = (o as Record<PropertyKey, unknown>)[k];
  }
  return o;
}

/** Parses `raw` with `schema`; throws a ConfigError naming `prefix.key` and the value. */
export function parseOrThrow<S extends z.ZodType>(schema: S, raw: unknown, prefix: string, origin?: string): z.output<S> {
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  let path = issue.path.map(String);
  let message = issue.message;
  if (issue.code === 'unrecognized_keys') {
    path = [...path, issue.keys[0]!];
    message = 'unknown key';
  }
  const value = getPath(raw, path);
  const key = [prefix, ...path].filter((s) => s !== '').join('.');
  throw new ConfigError(key, value, message + (origin ? ` (in ${origin})` : ''));
}
