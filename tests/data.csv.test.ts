// CSV reading: header aliases, time formats, strict numbers, inference of symbol/timeframe.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataError } from '../src/errors.js';
import {
  formatTime,
  inferTimeframe,
  loadCsv,
  parseCsv,
  parseDataFileName,
  parseDecimal,
  parseIsoTime,
} from '../src/data/index.js';

const dir = mkdtempSync(join(tmpdir(), 'neurion-csv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function csv(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const utc = (s: string): number => Date.parse(s);

describe('parseDecimal', () => {
  it('accepts plain decimals and gives exactly what Number() gives', () => {
    const cases = ['0', '-0', '1', '+1', '1.', '.5', '51552.61000000', '0.09946999000000001', '1e5', '1.5E-7', '-2.25e+3',
      '123456789012345678901234567890', '0.000000000000000000000000001', '9007199254740993', '1.7976931348623157e308', '5e-324'];
    for (const s of cases) expect(Object.is(parseDecimal(s), Number(s)), s).toBe(true);
  });

  it('is bit-exact against Number() on many random decimals', () => {
    let seed = 12345;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let k = 0; k < 20000; k++) {
      const intDigits = Math.floor(rnd() * 8);
      const fracDigits = Math.floor(rnd() * 12);
      let s = rnd() < 0.1 ? '-' : '';
      for (let i = 0; i < intDigits; i++) s += Math.floor(rnd() * 10);
      if (fracDigits > 0 || intDigits === 0) {
        s += '.';
        for (let i = 0; i < Math.max(1, fracDigits); i++) s += Math.floor(rnd() * 10);
      }
      expect(Object.is(parseDecimal(s), Number(s)), s).toBe(true);
    }
  });

  it('refuses what Number()/parseFloat would quietly accept', () => {
    for (const s of ['', ' ', '1 ', ' 1', '0x10', 'Infinity', '-Infinity', 'NaN', 'nan', '1,5', '12abc', '1e', '1e+', '.', '-', '--1', '1..2', '1e400', 'null']) {
      expect(parseDecimal(s), JSON.stringify(s)).toBeNaN();
    }
  });
});

describe('parseIsoTime', () => {
  it('parses dates and date-times with fractions and offsets', () => {
    expect(parseIsoTime('2021-02-19')).toBe(utc('2021-02-19T00:00:00Z'));
    expect(parseIsoTime('2021/02/19')).toBe(utc('2021-02-19T00:00:00Z'));
    expect(parseIsoTime('2021-02-19T00:01:00Z')).toBe(utc('2021-02-19T00:01:00Z'));
    expect(parseIsoTime('2021-02-19 00:01:00')).toBe(utc('2021-02-19T00:01:00Z'));
    expect(parseIsoTime('2021-02-19T00:01')).toBe(utc('2021-02-19T00:01:00Z'));
    expect(parseIsoTime('2021-02-19T00:01:02.5Z')).toBe(utc('2021-02-19T00:01:02.500Z'));
    expect(parseIsoTime('2021-02-19T00:01:02.123456Z')).toBeCloseTo(utc('2021-02-19T00:01:02.123Z') + 0.456, 6);
    expect(parseIsoTime('2012-02-01T00:00:00+00:00')).toBe(utc('2012-02-01T00:00:00Z'));
    expect(parseIsoTime('2021-02-19T09:30:00-05:00')).toBe(utc('2021-02-19T14:30:00Z'));
    expect(parseIsoTime('2021-02-19T09:30:00+0530')).toBe(utc('2021-02-19T04:00:00Z'));
    expect(parseIsoTime('2020-02-29')).toBe(utc('2020-02-29T00:00:00Z'));
    expect(parseIsoTime('1900-01-01')).toBe(Date.UTC(1900, 0, 1));
  });

  it('refuses impossible or malformed times', () => {
    for (const s of ['2021-02-30', '2019-02-29', '2021-13-01', '2021-1-5', '2021-02-19T24:00:00Z', '2021-02-19T10:61Z',
      '2021-02-19T10:00:60Z', '2021-02-19X', '2021-02-19T10:00:00Q', '20210219', '2021-02-19T10:00:00Z ']) {
      expect(parseIsoTime(s), s).toBeNaN();
    }
  });
});

describe('file name and timeframe inference', () => {
  it('reads <SYMBOL>-<tf>[.variant].<ext>', () => {
    expect(parseDataFileName('/x/AAPL-1d.csv')).toEqual({ symbol: 'AAPL', timeframe: '1d', variant: undefined });
    expect(parseDataFileName('BTC-PERP-1m.csv')).toEqual({ symbol: 'BTC-PERP', timeframe: '1m', variant: undefined });
    expect(parseDataFileName('SPY-1d.pandas_ta.arrow')).toEqual({ symbol: 'SPY', timeframe: '1d', variant: 'pandas_ta' });
    expect(parseDataFileName('BTCUSD-1mo.csv').timeframe).toBe('1mo');
    expect(parseDataFileName('prices.csv')).toEqual({ symbol: 'prices', timeframe: undefined, variant: undefined });
  });

  it('infers the timeframe from the median step', () => {
    const day = 86_400_000;
    // Mon..Fri daily bars over several weeks: weekends are a minority of steps.
    const days: number[] = [];
    for (let d = 0; d < 60; d++) if ((d + 4) % 7 < 5) days.push(d * day); // 1970-01-01 was a Thursday
    expect(inferTimeframe(days)).toBe('1d');
    expect(inferTimeframe([0, 60_000, 120_000, 300_000, 360_000])).toBe('1m');
    expect(inferTimeframe([0, 31 * day, 59 * day, 90 * day])).toBe('1mo');
    expect(inferTimeframe([0, 7_000])).toBeUndefined();
    expect(inferTimeframe([0])).toBeUndefined();
  });
});

describe('loadCsv', () => {
  it('reads the canonical format and infers symbol and timeframe from the name', () => {
    const path = csv('ABC-1h.csv', 'time,open,high,low,close,volume\n2021-01-01T00:00:00Z,1,2,0.5,1.5,10\n2021-01-01T01:00:00Z,1.5,2.5,1.25,2,0\n');
    const bars = loadCsv(path);
    expect(bars.symbol).toBe('ABC');
    expect(bars.timeframe).toBe('1h');
    expect(Array.from(bars.time)).toEqual([utc('2021-01-01T00:00:00Z'), utc('2021-01-01T01:00:00Z')]);
    expect(Array.from(bars.close)).toEqual([1.5, 2]);
    expect(bars.report.ok).toBe(true);
    expect(bars.report.zeroVolumeRows).toBe(1);
  });

  it('reads a user CSV with aliases, other column order, extra columns, CRLF, BOM, quotes and spaces', () => {
    const text =
      '\uFEFFDate,Symbol,Close,Adj Close,High,Low,Open,Vol\r\n' +
      '"2020-01-02",X, 10.5 ,10.1,11,10,10.25,1000\r\n' +
      '2020-01-03,X,10.75,10.3,11.5,10.5,10.5,2000\r\n' +
      '2020-01-06,X,11,10.6,11.25,10.75,10.75,1500\r\n';
    const bars = loadCsv(csv('user prices.csv', text), { symbol: 'XYZ' });
    expect(bars.symbol).toBe('XYZ');
    expect(bars.timeframe).toBe('1d'); // from the median step
    expect(Array.from(bars.open)).toEqual([10.25, 10.5, 10.75]);
    expect(Array.from(bars.close)).toEqual([10.5, 10.75, 11]); // 'Close', not 'Adj Close'
    expect(Array.from(bars.volume)).toEqual([1000, 2000, 1500]);
    expect(formatTime(bars.time[2]!)).toBe('2020-01-06');
  });

  it('accepts Timestamp/O/H/L/C/V aliases, semicolons and epoch seconds or milliseconds', () => {
    const secs = loadCsv(csv('s.csv', 'Timestamp;O;H;L;C;V\n1609459200;1;2;1;2;5\n1609459260;2;3;2;3;6\n'));
    expect(Array.from(secs.time)).toEqual([utc('2021-01-01T00:00:00Z'), utc('2021-01-01T00:01:00Z')]);
    expect(secs.timeframe).toBe('1m');
    const ms = loadCsv(csv('ms.csv', 'open_time,open,high,low,close,volume\n1609459200000,1,2,1,2,5\n1609462800000,2,3,2,3,6\n'));
    expect(Array.from(ms.time)).toEqual([utc('2021-01-01T00:00:00Z'), utc('2021-01-01T01:00:00Z')]);
    expect(ms.timeframe).toBe('1h');
    const forced = loadCsv(csv('forced.csv', 'time,open,high,low,close\n86400,1,1,1,1\n172800,1,1,1,1\n'), { epochUnit: 'ms' });
    expect(Array.from(forced.time)).toEqual([86400, 172800]);
  });

  it('reads a file without a volume column as zero volume (quote data)', () => {
    const bars = loadCsv(csv('EURX-1d.csv', 'date,open,high,low,close\n2020-01-02,1.1,1.2,1.0,1.15\n'));
    expect(Array.from(bars.volume)).toEqual([0]);
  });

  it('refuses a header without a required column, naming it', () => {
    const path = csv('nohigh.csv', 'time,open,low,close\n2020-01-02,1,1,1\n');
    expect(() => loadCsv(path)).toThrow(DataError);
    try {
      loadCsv(path);
    } catch (e) {
      const err = e as DataError;
      expect(err.row).toBe(0);
      expect(err.field).toBe('high');
      expect(err.file).toBe(path);
    }
  });

  it('skips blank lines but keeps file row numbers in errors', () => {
    const path = csv('blank-1d.csv', 'time,open,high,low,close,volume\n2020-01-02,1,2,1,2,1\n\n2020-01-03,1,2,1,x,1\n');
    try {
      loadCsv(path);
      expect.unreachable();
    } catch (e) {
      const err = e as DataError;
      expect(err.row).toBe(3); // header = row 0; the blank line is row 2
      expect(err.field).toBe('close');
      expect(err.value).toBe('x');
    }
  });

  it('gives identical results whatever the read block size (lines, CRLF, BOM split across blocks)', () => {
    const t0 = utc('2020-01-01T00:00:00Z');
    const lines = ['\uFEFFtime,open,high,low,close,volume'];
    for (let i = 0; i < 60; i++) {
      const t = new Date(t0 + i * 60_000).toISOString().replace('.000Z', 'Z');
      lines.push(`${t},${100 + i}.25,${101 + i}.5,${99 + i},${100 + i}.125,${i}`);
    }
    const path = csv('BLK-1m.csv', lines.join('\r\n')); // no newline after the last line
    const ref = loadCsv(path);
    expect(ref.time.length).toBe(60);
    expect(ref.close[59]).toBe(159.125);
    for (const blockBytes of [1, 2, 3, 7, 16, 61, 64, 333, 4096]) {
      const b = loadCsv(path, { blockBytes });
      for (const f of ['time', 'open', 'high', 'low', 'close', 'volume'] as const) {
        expect(Array.from(b[f]), `${f} @ ${blockBytes}`).toEqual(Array.from(ref[f]));
      }
    }
  });

  it('reads a larger file (timing logged, no assertion on speed)', () => {
    const rows = 100_000;
    const lines = ['time,open,high,low,close,volume'];
    const t0 = utc('2020-01-01T00:00:00Z');
    for (let i = 0; i < rows; i++) {
      const t = new Date(t0 + i * 60_000).toISOString().replace('.000Z', 'Z');
      const p = (1000 + (i % 977) / 100).toFixed(2);
      lines.push(`${t},${p},${(Number(p) + 1).toFixed(2)},${(Number(p) - 1).toFixed(2)},${p},${i % 13}.5`);
    }
    const text = lines.join('\n');
    const path = csv('BIG-1m.csv', text);
    loadCsv(path); // warm up the JIT
    const t = performance.now();
    const bars = loadCsv(path);
    const ms = performance.now() - t;
    expect(bars.time.length).toBe(rows);
    expect(bars.time[rows - 1]).toBe(t0 + (rows - 1) * 60_000);
    expect(bars.close[rows - 1]).toBe(Number((1000 + ((rows - 1) % 977) / 100).toFixed(2)));
    expect(bars.volume[rows - 1]).toBe(((rows - 1) % 13) + 0.5);
    expect(bars.report.gaps.count).toBe(0);
    console.log(`loadCsv: ${rows} rows (${(text.length / 1e6).toFixed(1)} MB) in ${ms.toFixed(0)} ms`);
  });

  it('parseCsv in collect mode reports every bad cell instead of throwing', () => {
    const path = csv('multi.csv', 'time,open,high,low,close,volume\n2020-01-02,a,2,1,2,1\nnot-a-date,1,2,1,2,1\n2020-01-04,1,2,1,2\n2020-01-05,1,2,1,2,1,9\n');
    const parsed = parseCsv(path, { collect: true });
    const p = parsed.problems!;
    expect(p.errorCount).toBe(4);
    expect(p.errors.map((e) => [e.row, e.field, e.kind])).toEqual([
      [1, 'open', 'not-a-number'],
      [2, 'time', 'bad-time'],
      [3, 'volume', 'missing-cell'],
      [4, 'column 7', 'extra-cell'],
    ]);
    expect(Array.from(parsed.rejected!)).toEqual([1, 1, 1, 1]);
  });
});
