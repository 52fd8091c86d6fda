// Arrow storage: exact CSV -> Arrow round trip, zero-copy reads, metadata, other Arrow
// layouts (several batches, pandas-style types, nulls), convertCsvToArrow and loadBars.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Field,
  Float64,
  Int64,
  RecordBatch,
  Schema,
  Struct,
  Table,
  TimestampNanosecond,
  makeData,
  tableToIPC,
  vectorFromArray,
} from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { DataError } from '../src/errors.js';
import {
  BAR_FIELDS,
  convertCsvToArrow,
  isZeroCopy,
  loadBars,
  loadCsv,
  readArrow,
  writeArrow,
  type Bars,
} from '../src/data/index.js';

const dir = mkdtempSync(join(tmpdir(), 'neurion-arrow-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function bits(a: Float64Array): BigInt64Array {
  return new BigInt64Array(a.buffer, a.byteOffset, a.length);
}

// Awkward but real-looking decimals: trailing zeros, float noise from binary sources, long
// mantissas past 2^53, tiny and huge magnitudes, exponents.
const CELLS = [
  ['2021-02-19T00:00:00Z', '51552.61000000', '51657.05000000', '51545.00000000', '51613.38000000', '134.98921800'],
  ['2021-02-19T00:01:00Z', '0.09946999000000001', '0.1', '0.09946999000000001', '0.0995', '12345678901234567890'],
  ['2021-02-19T00:02:00Z', '1.31927', '1.32125', '1.3187', '1.32095', '0'],
  ['2021-02-19T00:03:00Z', '9007199254740993', '9007199254740995', '9007199254740993', '9007199254740993', '1e-7'],
  ['2021-02-19T00:04:00Z', '3.0000000000000004', '3.0000000000000004', '2.9999999999999996', '3', '2.5E+3'],
  ['2021-02-19T00:05:00Z', '0.000123456789012345678', '0.000123456789012345679', '0.000123456789012345677', '0.000123456789012345678', '7'],
];

describe('CSV -> Arrow -> Bars round trip', () => {
  it('is bit-identical to Number() of every CSV cell', () => {
    const csvPath = join(dir, 'RT-1m.csv');
    writeFileSync(csvPath, `time,open,high,low,close,volume\n${CELLS.map((r) => r.join(',')).join('\n')}\n`);
    const fromCsv = loadCsv(csvPath);
    const arrowPath = join(dir, 'RT-1m.arrow');
    writeArrow(arrowPath, fromCsv, { source: 'test', license: 'CC0' });
    const back = readArrow(arrowPath);
    for (const f of BAR_FIELDS) {
      expect(bits(back[f])).toEqual(bits(fromCsv[f]));
    }
    for (let r = 0; r < CELLS.length; r++) {
      for (let c = 1; c < 6; c++) {
        expect(Object.is(back[BAR_FIELDS[c]!][r], Number(CELLS[r]![c]!)), `${r},${c}`).toBe(true);
      }
      expect(back.time[r]).toBe(Date.parse(CELLS[r]![0]!));
    }
    expect(back.symbol).toBe('RT');
    expect(back.timeframe).toBe('1m');
    expect(back.meta).toMatchObject({ symbol: 'RT', timeframe: '1m', source: 'test', license: 'CC0' });
  });

  it('keeps NaN payloads and signed zeros exactly (Arrow stores raw float64)', () => {
    const n = 4;
    const bars: Bars = {
      symbol: 'Z',
      timeframe: '1d',
      time: Float64Array.from([0, 86_400_000, 2 * 86_400_000, 3 * 86_400_000]),
      open: Float64Array.from([-0, 0, Number.MIN_VALUE, Number.MAX_VALUE]),
      high: new Float64Array(n).fill(1),
      low: new Float64Array(n).fill(1),
      close: new Float64Array(n).fill(1),
      volume: new Float64Array(n),
    };
    const path = join(dir, 'Z-1d.arrow');
    writeArrow(path, bars);
    const back = readArrow(path);
    expect(bits(back.open)).toEqual(bits(bars.open));
  });
});

describe('zero-copy reads', () => {
  it('returns views on one file buffer for a single-batch Float64 file', () => {
    const path = join(dir, 'ZC-1m.arrow');
    const n = 1000;
    const bars: Bars = {
      symbol: 'ZC',
      timeframe: '1m',
      time: Float64Array.from({ length: n }, (_, i) => i * 60_000),
      open: Float64Array.from({ length: n }, (_, i) => 100 + i),
      high: Float64Array.from({ length: n }, (_, i) => 101 + i),
      low: Float64Array.from({ length: n }, (_, i) => 99 + i),
      close: Float64Array.from({ length: n }, (_, i) => 100.5 + i),
      volume: Float64Array.from({ length: n }, (_, i) => i),
    };
    const size = writeArrow(path, bars);
    const back = readArrow(path);
    expect(isZeroCopy(back)).toBe(true);
    const buffer = back.time.buffer;
    expect(buffer.byteLength).toBe(size); // the whole file, not a per-column copy
    for (const f of BAR_FIELDS) {
      expect(back[f].buffer).toBe(buffer);
      expect(back[f].byteOffset % 8).toBe(0);
      expect(back[f].length).toBe(n);
    }
    // loadBars validates without copying either.
    expect(isZeroCopy(loadBars(path))).toBe(true);
  });

  it('copies (correctly) when the file has several record batches', () => {
    const fields = BAR_FIELDS.map((name) => new Field(name, new Float64(), false));
    const schema = new Schema(fields, new Map([['symbol', 'MB'], ['timeframe', '1h']]));
    const batch = (start: number, n: number): RecordBatch => {
      const cols = BAR_FIELDS.map((f) =>
        Float64Array.from({ length: n }, (_, i) => (f === 'time' ? (start + i) * 3_600_000 : f === 'volume' ? 1 : f === 'high' ? 12 : f === 'low' ? 8 : 10)),
      );
      const children = cols.map((c) => makeData({ type: new Float64(), length: n, nullCount: 0, data: c }));
      return new RecordBatch(schema, makeData({ type: new Struct(fields), length: n, nullCount: 0, children }));
    };
    const path = join(dir, 'multi.arrow');
    writeFileSync(path, tableToIPC(new Table(schema, [batch(0, 3), batch(3, 4)]), 'file'));
    const bars = loadBars(path);
    expect(isZeroCopy(bars)).toBe(false);
    expect(Array.from(bars.time)).toEqual([0, 1, 2, 3, 4, 5, 6].map((h) => h * 3_600_000));
    expect(bars.symbol).toBe('MB');
    expect(bars.timeframe).toBe('1h');
  });
});

describe('other Arrow/Feather layouts', () => {
  it('reads a pandas-style .feather: date alias, ns timestamps, int64 volume', () => {
    const t0 = Date.parse('2018-01-10T04:55:00Z');
    const table = new Table({
      date: vectorFromArray([t0, t0 + 300_000, t0 + 600_000], new TimestampNanosecond()),
      open: vectorFromArray([1, 2, 3], new Float64()),
      high: vectorFromArray([2, 3, 4], new Float64()),
      low: vectorFromArray([0.5, 1.5, 2.5], new Float64()),
      close: vectorFromArray([1.5, 2.5, 3.5], new Float64()),
      volume: vectorFromArray([10n, 20n, 30n], new Int64()),
    });
    const path = join(dir, 'ETHBTC-5m.feather');
    writeFileSync(path, tableToIPC(table, 'file'));
    const bars = loadBars(path);
    expect(Array.from(bars.time)).toEqual([t0, t0 + 300_000, t0 + 600_000]);
    expect(Array.from(bars.volume)).toEqual([10, 20, 30]);
    expect(bars.symbol).toBe('ETHBTC');
    expect(bars.timeframe).toBe('5m');
  });

  it('refuses nulls naming the row and field, or quarantines the row', () => {
    const table = new Table({
      time: vectorFromArray([0, 60_000, 120_000], new Float64()),
      open: vectorFromArray([1, null, 1], new Float64()),
      high: vectorFromArray([1, 1, 1], new Float64()),
      low: vectorFromArray([1, 1, 1], new Float64()),
      close: vectorFromArray([1, 1, 1], new Float64()),
      volume: vectorFromArray([1, 1, 1], new Float64()),
    });
    const path = join(dir, 'NUL-1m.arrow');
    writeFileSync(path, tableToIPC(table, 'file'));
    try {
      loadBars(path);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DataError);
      expect((e as DataError).row).toBe(2);
      expect((e as DataError).field).toBe('open');
      expect((e as DataError).value).toBeNull();
    }
    const q = loadBars(path, { onInvalid: 'quarantine' });
    expect(q.time.length).toBe(2);
    expect(Array.from(q.quarantine!.rows)).toEqual([2]);
  });

  it('refuses a file that is not Arrow IPC', () => {
    const path = join(dir, 'junk.arrow');
    writeFileSync(path, 'time,open\n1,2\n');
    expect(() => readArrow(path)).toThrow(/not a readable Arrow IPC file/);
    expect(() => loadBars(join(dir, 'x.parquet'))).toThrow(/unknown data file type/);
  });
});

describe('convertCsvToArrow', () => {
  it('converts and summarizes', () => {
    const csvPath = join(dir, 'CV-1m.csv');
    writeFileSync(csvPath, `time,open,high,low,close,volume\n${CELLS.map((r) => r.join(',')).join('\n')}\n`);
    const out = join(dir, 'CV-1m.arrow');
    const s = convertCsvToArrow(csvPath, out, { meta: { source: 'unit test' } });
    expect(s).toMatchObject({ symbol: 'CV', timeframe: '1m', rows: 6, removedRows: 0, first: '2021-02-19T00:00:00Z', last: '2021-02-19T00:05:00Z' });
    expect(s.outputBytes).toBe(readFileSync(out).byteLength);
    expect(readArrow(out).meta?.source).toBe('unit test');
  });

  it('refuses invalid input and writes nothing, unless quarantine is asked', () => {
    const csvPath = join(dir, 'BAD-1d.csv');
    writeFileSync(csvPath, 'time,open,high,low,close,volume\n2020-01-02,1,2,1,2,1\n2020-01-03,1,2,1,oops,1\n2020-01-06,1,2,1,2,1\n');
    const out = join(dir, 'BAD-1d.arrow');
    expect(() => convertCsvToArrow(csvPath, out)).toThrow(/row 2, field close = "oops"/);
    expect(existsSync(out)).toBe(false);
    const s = convertCsvToArrow(csvPath, out, { onInvalid: 'quarantine' });
    expect(s.rows).toBe(2);
    expect(s.removedRows).toBe(1);
    expect(s.removedRowNumbers).toEqual([2]);
    expect(readArrow(out).time.length).toBe(2);
  });
});
