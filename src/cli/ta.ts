/**
 * `neurion ta --list` and `neurion ta <name> --input <file> [--<param> <value> ...]`:
 * computes an indicator over a CSV or Arrow file and prints `time` plus one column per
 * output (warm-up rows empty in CSV, null in JSON). Same validation and errors as the API.
 */
import type { Command } from 'commander';
import { loadBars, type Bars } from '../data/index.js';
import { formatTime } from '../data/parse-time.js';
import { computeIndicator, getIndicator, listIndicators, type SeriesInput } from '../ta/index.js';
import { UsageError } from './errors.js';

const FIELDS = ['open', 'high', 'low', 'close', 'volume'] as const;
type Field = (typeof FIELDS)[number];

function fieldOf(flag: string, v: string): Field {
  if (!(FIELDS as readonly string[]).includes(v)) throw new RangeError(`${flag} must be one of ${FIELDS.join(', ')}; got ${JSON.stringify(v)}`);
  return v as Field;
}

const camel = (s: string): string => s.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());

/** Parses the leftover `--name value` pairs into indicator parameters (numbers). */
export function parseParamFlags(rest: readonly string[]): Record<string, number> {
  const params: Record<string, number> = {};
  for (let i = 0; i < rest.length; i++) {
    const flag = rest[i]!;
    const m = /^--([a-zA-Z][\w-]*)(?:=(.*))?$/.exec(flag);
    if (!m) throw new UsageError(`unexpected argument ${JSON.stringify(flag)} (parameters are given as --name value)`);
    const raw = m[2] ?? rest[++i];
    if (raw === undefined) throw new UsageError(`parameter --${m[1]} needs a value`);
    const v = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(v)) throw new RangeError(`parameter ${m[1]} must be a finite number, got ${JSON.stringify(raw)}`);
    params[camel(m[1]!)] = v;
  }
  return params;
}

/** Inner join of two series on time: the rows of `b` at `a`'s timestamps (NaN-free). */
function joinOnTime(a: Bars, b: Bars, field: Field): { keepA: Uint32Array; y: Float64Array } {
  const keep: number[] = [];
  const y: number[] = [];
  let j = 0;
  for (let i = 0; i < a.time.length; i++) {
    while (j < b.time.length && b.time[j]! < a.time[i]!) j++;
    if (j < b.time.length && b.time[j] === a.time[i]) {
      keep.push(i);
      y.push(b[field][j]!);
    }
  }
  return { keepA: Uint32Array.from(keep), y: Float64Array.from(y) };
}

function pick(bars: Bars, rows: Uint32Array | undefined, field: Field | 'time'): Float64Array {
  const col = bars[field];
  return rows ? Float64Array.from(rows, (r) => col[r]!) : col;
}

function cell(v: number): string {
  return Number.isNaN(v) ? '' : String(v);
}

export function registerTaCommand(program: Command, out: (s: string) => void): void {
  program
    .command('ta [name]')
    .description('technical indicators: --list shows them all; `ta <name> --input <file> [--<param> <value> ...]` computes one over a CSV/Arrow file')
    .option('--list', 'list every indicator with its inputs, outputs, parameters and defaults')
    .option('--input <file>', 'OHLCV file (.csv or .arrow)')
    .option('--source <field>', 'series used as x by single-series indicators (default close)', (v) => fieldOf('--source', v))
    .option('--y-input <file>', 'second file for two-series indicators (correl, beta), joined on time')
    .option('--y-source <field>', 'field of the second file used as y (default close)', (v) => fieldOf('--y-source', v))
    .option('--format <format>', 'csv or json', 'csv')
    .allowUnknownOption(true)
    .allowExcessArguments(true)
    .addHelpText('after', '\nExamples:\n  neurion ta --list\n  neurion ta rsi --input data.csv --period 14\n  neurion ta bbands --input SPY-1d.arrow --period 20 --nb-dev-up 2 --format json\n')
    .action((name: string | undefined, o: { list?: boolean; input?: string; source?: Field; yInput?: string; ySource?: Field; format: string }, cmd: Command) => {
      if (o.list) {
        const list = listIndicators();
        if (o.format === 'json') {
          out(JSON.stringify(list, null, 2) + '\n');
          return;
        }
        for (const s of list) {
          const ps = s.params.map((p) => `--${p.name} ${p.default}`).join(' ');
          out(`${s.name.padEnd(18)} ${s.group.padEnd(10)} in: ${s.inputs.join(',').padEnd(28)} out: ${s.outputs.join(',').padEnd(34)} ${ps}${s.talib ? `  [TA-Lib ${s.talib}]` : ''}\n`);
        }
        return;
      }
      if (!name) throw new UsageError('an indicator name or --list is required (neurion ta --list shows them)');
      if (!o.input) throw new UsageError('--input <file> is required');
      if (o.format !== 'csv' && o.format !== 'json') throw new RangeError(`--format must be csv or json, got ${JSON.stringify(o.format)}`);
      const spec = getIndicator(name);
      const params = parseParamFlags(cmd.args.slice(1));
      const bars = loadBars(o.input);
      let rows: Uint32Array | undefined;
      const data: SeriesInput = {};
      if (spec.inputs.includes('y')) {
        if (!o.yInput) throw new UsageError(`${spec.name} needs a second series: --y-input <file> [--y-source close]`);
        const j = joinOnTime(bars, loadBars(o.yInput), o.ySource ?? 'close');
        rows = j.keepA;
        data.y = j.y;
      }
      for (const f of FIELDS) data[f] = pick(bars, rows, f);
      data.x = pick(bars, rows, o.source ?? 'close');
      data.time = pick(bars, rows, 'time');
      const result = computeIndicator(spec.name, data, params);
      const time = data.time;
      const outs = spec.outputs.map((k) => result[k]!);
      if (o.format === 'json') {
        const recs = Array.from(time, (t, i) => {
          const r: Record<string, string | number | null> = { time: formatTime(t, bars.timeframe) };
          spec.outputs.forEach((k, c) => { const v = outs[c]![i]!; r[k] = Number.isNaN(v) ? null : v; });
          return r;
        });
        out(JSON.stringify(recs) + '\n');
        return;
      }
      const lines = [['time', ...spec.outputs].join(',')];
      for (let i = 0; i < time.length; i++) lines.push([formatTime(time[i]!, bars.timeframe), ...outs.map((a) => cell(a[i]!))].join(','));
      out(lines.join('\n') + '\n');
    });
}
