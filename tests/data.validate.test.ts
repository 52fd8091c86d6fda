// The validator and the invalid-data policy: one hand-made bad CSV per kind of problem, each
// error naming file, row, field and value; quarantine mode; bounded reports.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataError } from '../src/errors.js';
import {
  DataValidationError,
  loadCsv,
  validateBars,
  validateFile,
  type Bars,
  type ProblemKind,
} from '../src/data/index.js';

const dir = mkdtempSync(join(tmpdir(), 'neurion-validate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HEADER = 'time,open,high,low,close,volume';
const GOOD = ['2020-01-02,10,11,9,10.5,100', '2020-01-03,10.5,12,10,11,200', '2020-01-06,11,11.5,10.5,11.25,150'];

function csv(name: string, rows: string[]): string {
  const path = join(dir, name);
  writeFileSync(path, `${HEADER}\n${rows.join('\n')}\n`);
  return path;
}

function thrown(fn: () => unknown): DataError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DataError);
    return e as DataError;
  }
  throw new Error('expected a DataError');
}

// Each case: one bad row inserted as row 2 (between the first and second good rows).
const cases: { kind: ProblemKind; row: string; field: string; value: unknown; message: RegExp }[] = [
  { kind: 'not-a-number', row: '2020-01-02T12:00:00Z,10,abc,9,10,1', field: 'high', value: 'abc', message: /not a number/ },
  { kind: 'not-a-number', row: '2020-01-02T12:00:00Z,10,11,9,,1', field: 'close', value: '', message: /not a number/ },
  { kind: 'not-a-number', row: '2020-01-02T12:00:00Z,10,11,9,NaN,1', field: 'close', value: 'NaN', message: /not a number/ },
  { kind: 'not-a-number', row: '2020-01-02T12:00:00Z,10,11,9,10,Infinity', field: 'volume', value: 'Infinity', message: /not a number/ },
  { kind: 'bad-time', row: '2020-02-30,10,11,9,10,1', field: 'time', value: '2020-02-30', message: /not a date/ },
  { kind: 'missing-cell', row: '2020-01-02T12:00:00Z,10,11,9', field: 'close', value: '2020-01-02T12:00:00Z,10,11,9', message: /4 cells/ },
  { kind: 'extra-cell', row: '2020-01-02T12:00:00Z,10,11,9,10,1,000', field: 'column 7', value: '2020-01-02T12:00:00Z,10,11,9,10,1,000', message: /7 cells/ },
  { kind: 'non-positive-price', row: '2020-01-02T12:00:00Z,0,11,9,10,1', field: 'open', value: 0, message: /> 0/ },
  { kind: 'non-positive-price', row: '2020-01-02T12:00:00Z,10,11,-9,10,1', field: 'low', value: -9, message: /> 0/ },
  { kind: 'high-below-open-close', row: '2020-01-02T12:00:00Z,10,10.5,9,10.75,1', field: 'high', value: 10.5, message: /high < max\(open 10, close 10.75\)/ },
  { kind: 'low-above-open-close', row: '2020-01-02T12:00:00Z,10,11,9.5,9.25,1', field: 'low', value: 9.5, message: /low > min\(open 10, close 9.25\)/ },
  { kind: 'high-below-low', row: '2020-01-02T12:00:00Z,10,9,11,10,1', field: 'high', value: 9, message: /high < low 11/ },
  { kind: 'negative-volume', row: '2020-01-02T12:00:00Z,10,11,9,10,-5', field: 'volume', value: -5, message: />= 0/ },
  { kind: 'duplicate-time', row: '2020-01-02,10,11,9,10,1', field: 'time', value: '2020-01-02', message: /duplicate/ },
  { kind: 'time-not-increasing', row: '2019-12-31,10,11,9,10,1', field: 'time', value: '2019-12-31', message: /earlier than the previous row's 2020-01-02/ },
];

describe('refusing bad data (default)', () => {
  it.each(cases.map((c, i) => [`${c.kind} #${i}`, c] as const))('%s: DataError names file, row, field and value', (_label, c) => {
    const path = csv(`bad-${c.kind}-${cases.indexOf(c)}.csv`, [GOOD[0]!, c.row, ...GOOD.slice(1)]);
    const err = thrown(() => loadCsv(path, { timeframe: '1d' }));
    expect(err.file).toBe(path);
    expect(err.row).toBe(2);
    expect(err.field).toBe(c.field);
    expect(err.value).toEqual(c.value);
    expect(err.message).toMatch(c.message);
    expect(err.message).toContain(path);
    expect(err.message).toContain('row 2');
    expect(err.message).toContain(`field ${c.field}`);

    // The same file through validateFile: a report, not an exception, with the same problem.
    const report = validateFile(path, { timeframe: '1d' });
    expect(report.ok).toBe(false);
    expect(report.counts[c.kind]).toBeGreaterThanOrEqual(1);
    const p = report.problems.find((x) => x.kind === c.kind)!;
    expect([p.file, p.row, p.field, p.severity]).toEqual([path, 2, c.field, 'error']);
  });

  it('lists all problems, counts them, and says how to load the valid rows', () => {
    const path = csv('many.csv', [GOOD[0]!, '2020-01-02T06:00:00Z,10,10.5,9,10.75,1', '2020-01-02T07:00:00Z,10,11,9,10,-1', ...GOOD.slice(1)]);
    const err = thrown(() => loadCsv(path));
    expect(err).toBeInstanceOf(DataValidationError);
    const v = err as DataValidationError;
    expect(v.problems.map((p) => [p.row, p.field])).toEqual([[2, 'high'], [3, 'volume']]);
    expect(v.report.errorCount).toBe(2);
    expect(v.message).toMatch(/many\.csv: row 2, field high = 10\.5 \(number\): high < max\(open 10, close 10\.75\) \(and 1 more error; 2 bad rows in all; onInvalid: 'quarantine'/);
  });

  it('refuses a file with a header and no rows', () => {
    const path = join(dir, 'empty.csv');
    writeFileSync(path, `${HEADER}\n`);
    expect(thrown(() => loadCsv(path)).message).toMatch(/no data rows/);
    writeFileSync(path, '');
    expect(thrown(() => loadCsv(path)).message).toMatch(/no header/);
  });
});

describe('quarantine mode', () => {
  it('returns the clean rows and the removed rows, values untouched', () => {
    const rows = [
      GOOD[0]!,
      '2020-01-02T12:00:00Z,10,abc,9,10,1', // row 2: unparseable
      GOOD[1]!,
      '2020-01-03,10,11,9,10,1', // row 4: duplicate of row 3's time
      '2020-01-04,10,9,11,10,1', // row 5: high < low
      GOOD[2]!,
    ];
    const path = csv('q.csv', rows);
    const bars = loadCsv(path, { onInvalid: 'quarantine', timeframe: '1d' });
    expect(bars.time.length).toBe(3);
    expect(Array.from(bars.close)).toEqual([10.5, 11, 11.25]);
    const q = bars.quarantine!;
    expect(Array.from(q.rows)).toEqual([2, 4, 5]);
    expect(Array.from(q.bars.high)).toEqual([NaN, 11, 9]); // NaN only where the cell was not a number
    expect(Array.from(q.bars.low)).toEqual([9, 9, 11]);
    expect(bars.report.badRows).toBe(3);
    expect(bars.report.counts).toMatchObject({ 'not-a-number': 1, 'duplicate-time': 1, 'high-below-low': 1 });
    expect(bars.report.first).toBe('2020-01-02');
    expect(bars.report.last).toBe('2020-01-06');
    // The clean series validates on its own.
    expect(validateBars(bars, { file: 'clean' }).ok).toBe(true);
  });

  it('compares times with the last accepted row, so the clean series is strictly increasing', () => {
    const path = csv('order.csv', [GOOD[0]!, GOOD[1]!, '2020-01-01,1,1,1,1,1', '2020-01-02,1,1,1,1,1', GOOD[2]!]);
    const bars = loadCsv(path, { onInvalid: 'quarantine' });
    expect(Array.from(bars.quarantine!.rows)).toEqual([3, 4]);
    expect(bars.report.counts).toMatchObject({ 'time-not-increasing': 2 });
    for (let i = 1; i < bars.time.length; i++) expect(bars.time[i]!).toBeGreaterThan(bars.time[i - 1]!);
  });

  it('has an empty quarantine when nothing is wrong', () => {
    const bars = loadCsv(csv('ok.csv', GOOD), { onInvalid: 'quarantine' });
    expect(bars.time.length).toBe(3);
    expect(bars.quarantine!.rows.length).toBe(0);
  });
});

function makeBars(time: number[], fill: Partial<Record<'open' | 'high' | 'low' | 'close' | 'volume', number[]>> = {}): Bars {
  const n = time.length;
  const col = (k: 'open' | 'high' | 'low' | 'close' | 'volume', v: number): Float64Array => Float64Array.from(fill[k] ?? new Array<number>(n).fill(v));
  return { symbol: 'T', timeframe: undefined, time: Float64Array.from(time), open: col('open', 10), high: col('high', 11), low: col('low', 9), close: col('close', 10), volume: col('volume', 1) };
}

describe('validateBars', () => {
  it('flags NaN and Infinity in any column, including time', () => {
    const b = makeBars([0, 60_000, NaN, 180_000], { close: [10, Infinity, 10, 10], volume: [1, 1, 1, NaN] });
    const r = validateBars(b, { file: 'mem', timeframe: '1m' });
    expect(r.problems.filter((p) => p.kind === 'not-finite').map((p) => [p.row, p.field])).toEqual([[2, 'close'], [3, 'time'], [4, 'volume']]);
  });

  it('reports gaps as warnings with a summary; thresholds are options', () => {
    const m = 60_000;
    const b = makeBars([0, m, 2 * m, 10 * m, 11 * m, 30 * m]);
    const r = validateBars(b, { file: 'mem', timeframe: '1m' });
    expect(r.ok).toBe(true);
    expect(r.warningCount).toBe(2);
    expect(r.gaps).toMatchObject({ checked: true, count: 2, missingBars: 7 + 18 });
    expect(r.gaps.largest.map((g) => [g.row, g.missingBars])).toEqual([[6, 18], [4, 7]]);
    expect(r.problems[0]).toMatchObject({ severity: 'warning', kind: 'gap', row: 4, field: 'time', value: '1970-01-01T00:10:00Z' });
    expect(validateBars(b, { file: 'mem', timeframe: '1m', maxGapBars: 10 }).gaps.count).toBe(1);
    expect(validateBars(b, { file: 'mem', timeframe: '1m', maxGapBars: 20 }).gaps.count).toBe(0);
  });

  it('uses calendar days for daily data: weekends and holidays are not gaps, closures are', () => {
    const day = 86_400_000;
    const b = makeBars([0, 1, 4, 5, 9, 16].map((d) => d * day)); // 3- and 4-day steps are fine; 7 days is not
    const r = validateBars(b, { file: 'mem', timeframe: '1d' });
    expect(r.gaps.count).toBe(1);
    expect(r.gaps.rule).toBe('step > 5 calendar days');
    expect(validateBars(b, { file: 'mem', timeframe: '1d', maxGapDays: 3 }).gaps.count).toBe(2);
  });

  it('skips gap checks when the timeframe is unknown', () => {
    const r = validateBars(makeBars([0, 7_000, 50_000]), { file: 'mem' });
    expect(r.gaps.checked).toBe(false);
    expect(r.warningCount).toBe(0);
  });

  it('keeps the report bounded on a huge bad file (counts all, keeps the first N)', () => {
    const n = 1_000_000;
    const time = new Float64Array(n);
    for (let i = 0; i < n; i++) time[i] = i * 60_000;
    const b: Bars = { symbol: 'T', timeframe: '1m', time, open: new Float64Array(n).fill(10), high: new Float64Array(n).fill(11), low: new Float64Array(n).fill(9), close: new Float64Array(n).fill(10), volume: new Float64Array(n).fill(-1) };
    const r = validateBars(b, { file: 'huge', maxProblems: 50 });
    expect(r.errorCount).toBe(n);
    expect(r.counts['negative-volume']).toBe(n);
    expect(r.problems.length).toBe(50);
    expect(r.truncated).toBe(true);
    expect(r.problems[49]!.row).toBe(50);
  });

  it('rejects columns of different lengths as a TypeError', () => {
    const b = makeBars([0, 1]);
    b.close = new Float64Array(1);
    expect(() => validateBars(b, { file: 'mem' })).toThrow(TypeError);
  });
});
