/**
 * Maps column names found in user files (CSV headers, Arrow/Feather field names) to the bar
 * fields. Names are compared case-insensitively, ignoring spaces, '_', '-', '.', a BOM and a
 * trailing unit in parentheses, so 'Open Time', 'open_time' and 'Volume (BTC)' all match.
 */
import { BAR_FIELDS, type BarField } from './bars.js';

/** Accepted names per field, best first: when several columns match, the best name wins. */
export const COLUMN_ALIASES: Readonly<Record<BarField, readonly string[]>> = {
  time: ['time', 'timestamp', 'datetime', 'date', 'ts', 'opentime', 'starttime', 'unixtime', 'unix', 'epoch', 't'],
  open: ['open', 'o', 'openprice'],
  high: ['high', 'h', 'highprice'],
  low: ['low', 'l', 'lowprice'],
  close: ['close', 'c', 'closeprice'],
  volume: ['volume', 'vol', 'v', 'basevolume'],
};

/** Lower-cased name without separators, BOM, quotes or a trailing '(unit)'. */
export function normalizeColumnName(name: string): string {
  return name
    .replace(/^\uFEFF|^\u00EF\u00BB\u00BF/, '') // BOM, as UTF-8 text or read as latin1 bytes
    .trim()
    .replace(/^"(.*)"$/, '$1')
    .replace(/\s*\([^)]*\)\s*$/, '')
    .toLowerCase()
    .replace(/[\s_.-]+/g, '');
}

/** Column index per field (-1 when absent), choosing the best alias when several match. */
export function mapColumns(names: readonly string[]): Record<BarField, number> {
  const normalized = names.map(normalizeColumnName);
  const out = {} as Record<BarField, number>;
  for (const field of BAR_FIELDS) {
    out[field] = -1;
    for (const alias of COLUMN_ALIASES[field]) {
      const idx = normalized.indexOf(alias);
      if (idx >= 0) {
        out[field] = idx;
        break;
      }
    }
  }
  return out;
}
