// Trend / overlap indicators against published test vectors (tests/fixtures/reference, copied
// byte-identical from /work/shared/data/reference), the MA-type dispatcher against TA-Lib's MA,
// session VWAP on hand-made sessions, and NaN handling (TS reference == native kernel).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { availableBackends } from '../src/compute/index.js';
import { computeIndicator, createIndicator, getIndicator, INDICATORS } from '../src/ta/index.js';
import { maLookback, maRow, maStream } from '../src/ta/indicators/ma.js';
import { randomOhlcv } from '../src/ta/ops.js';
import { TestRng } from '../src/util/rng.js';
import { talib } from './helpers/talib.js';

const backends = availableBackends();
const FIX = new URL('./fixtures/reference/', import.meta.url);

/** A CSV fixture as columns by header name (empty cells and "NaN" -> NaN). */
function csv(path: string): Record<string, Float64Array> & { rows: number } {
  const lines = readFileSync(new URL(path, FIX), 'utf8').split(/\r?\n/).filter((l) => l.trim() !== '');
  const head = lines[0]!.split(',').map((h) => h.trim());
  const rows = lines.length - 1;
  const cols: Record<string, Float64Array> = {};
  head.forEach((h, k) => {
    const a = new Float64Array(rows);
    for (let r = 0; r < rows; r++) {
      const cell = (lines[r + 1]!.split(',')[k] ?? '').trim();
      a[r] = cell === '' ? NaN : Number(cell);
    }
    cols[h] = a;
  });
  return Object.assign(cols, { rows });
}

/** Max |ours - expected| over rows >= from where the expected cell is present; also asserts none is missing. */
function maxAbsDiff(ours: Float64Array, expected: Float64Array, from: number): number {
  let worst = 0, checked = 0;
  for (let i = from; i < expected.length; i++) {
    const e = expected[i]!;
    if (Number.isNaN(e)) continue;
    const d = Math.abs(ours[i]! - e);
    expect(Number.isFinite(ours[i]!), `row ${i}: ours ${ours[i]}, expected ${e}`).toBe(true);
    if (d > worst) worst = d;
    checked++;
  }
  expect(checked).toBeGreaterThan(0);
  return worst;
}

describe.each(backends)('reference vectors (%s)', (backend) => {
  const lean = (f: string) => csv(`QuantConnect_Lean/Tests/TestData/${f}`);
  const opts = { backend };

  it('DEMA(5), TEMA(5): LEAN spy_dema / spy_tema (SMA-seeded EMA chains, as TA-Lib)', () => {
    const d = lean('spy_dema.txt');
    expect(maxAbsDiff(computeIndicator('dema', { close: d.close! }, { period: 5 }, opts).dema!, d.DEMA_5!, 0)).toBeLessThan(1e-9);
    const t = lean('spy_tema.txt');
    expect(maxAbsDiff(computeIndicator('tema', { close: t.close! }, { period: 5 }, opts).tema!, t.TEMA_5!, 0)).toBeLessThan(1e-9);
  });

  it('TRIMA(5), TRIMA(6): LEAN spy_trima (SMA of SMA)', () => {
    const d = lean('spy_trima.txt');
    expect(maxAbsDiff(computeIndicator('trima', { close: d.Close! }, { period: 5 }, opts).trima!, d.TRIMA_5!, 0)).toBeLessThan(1e-9);
    expect(maxAbsDiff(computeIndicator('trima', { close: d.Close! }, { period: 6 }, opts).trima!, d.TRIMA_6!, 0)).toBeLessThan(1e-9);
  });

  it('KAMA(5): LEAN spy_kama (seed Close[4], as TA-Lib)', () => {
    const d = lean('spy_kama.txt');
    expect(maxAbsDiff(computeIndicator('kama', { close: d.Close! }, { period: 5 }, opts).kama!, d.KAMA_5!, 0)).toBeLessThan(1e-9);
  });

  it('KAMA(10): bukosabino ta cs-kama (its seed KAMA[9] = Close[9] is TA-Lib\'s too; file rounded to 6 decimals)', () => {
    // ta writes KAMA[9] = Close[9] (the seed) where TA-Lib and we start at index 10 (lookback
    // p): that seed row is skipped; from row 10 the recursions are identical.
    const d = csv('bukosabino_ta/test/data/cs-kama.csv');
    const ours = computeIndicator('kama', { close: d.Close! }, { period: 10 }, opts).kama!;
    expect(Number.isNaN(ours[9]!)).toBe(true);
    expect(maxAbsDiff(ours, d.KAMA!, 10)).toBeLessThan(1e-5);
  });

  it('T3(5, 0.7): LEAN spy_t3', () => {
    const d = lean('spy_t3.txt');
    expect(maxAbsDiff(computeIndicator('t3', { close: d.Close! }, { period: 5, vFactor: 0.7 }, opts).t3!, d.T3_5!, 0)).toBeLessThan(1e-9);
  });

  it('HMA(16): LEAN spy_hma (WMA4 of 2 WMA8 - WMA16; file rounded)', () => {
    const d = lean('spy_hma.txt');
    expect(maxAbsDiff(computeIndicator('hma', { close: d.Close! }, { period: 16 }, opts).hma!, d.HMA_16!, 0)).toBeLessThan(1e-6);
  });

  it('VWMA(20): LEAN spy_with_vwma (talipp)', () => {
    const d = lean('spy_with_vwma.csv');
    expect(maxAbsDiff(computeIndicator('vwma', { close: d.Close!, volume: d.Volume! }, { period: 20 }, opts).vwma!, d.VWMA20!, 0)).toBeLessThan(1e-9);
  });

  it('rolling VWAP(14): bukosabino ta cs-vwap (its partial windows before row 13 are not compared: ours are NaN)', () => {
    const d = csv('bukosabino_ta/test/data/cs-vwap.csv');
    const ours = computeIndicator('vwap', { high: d.High!, low: d.Low!, close: d.Close!, volume: d.Volume! }, { period: 14 }, opts).vwap!;
    for (let i = 0; i < 13; i++) expect(Number.isNaN(ours[i]!)).toBe(true);
    expect(maxAbsDiff(ours, d.vwap!, 13)).toBeLessThan(1e-9);
  });
  // LEAN spy_with_vwap.txt is not compared: its price is (O+H+L+C)/4, not the typical price.

  it('SAR(0.02, 0.2): LEAN spy_sarext SAR column (5849 SPY daily bars)', () => {
    const d = lean('spy_sarext.txt');
    const ours = computeIndicator('sar', { high: d.high!, low: d.low! }, { acceleration: 0.02, maximum: 0.2 }, opts).sar!;
    expect(maxAbsDiff(ours, d.SAR!, 0)).toBeLessThan(1e-4);
  });

  it('SAR(0.02, 0.2): bukosabino ta cs-psar from its first reversal (row 8; ta\'s start-up differs)', () => {
    // ta's psar_up / psar_down are the SAR while long / short. Both sides start short here, but
    // ta's start-up is a bar later than TA-Lib's (its first SAR, high[0], appears at row 2 where
    // TA-Lib's appears at row 1, and its acceleration steps from there), so rows 1-7 differ by up
    // to 0.08; at the first reversal both set sar = the extreme point and from row 8 on agree
    // (max diff 5e-9: the file's 8-decimal rounding).
    const d = csv('bukosabino_ta/test/data/cs-psar.csv');
    const ours = computeIndicator('sar', { high: d.High!, low: d.Low! }, {}, opts).sar!;
    const expected = d.psar_up!.map((u, i) => (Number.isNaN(u) ? d.psar_down![i]! : u));
    expect(maxAbsDiff(ours, expected, 8)).toBeLessThan(1e-6);
  });

  it('Ichimoku(9, 26, 52, 26): LEAN spy_with_ichimoku (tenkan, kijun, delayed senkou A/B)', () => {
    const d = lean('spy_with_ichimoku.csv');
    const o = computeIndicator('ichimoku', { high: d.High!, low: d.Low!, close: d.Close! }, {}, opts);
    const lb = 52 - 1 + 26; // every output is NaN before the lookback; compare from there
    expect(maxAbsDiff(o.tenkan!, d.Tenkan!, lb)).toBeLessThan(1e-9);
    expect(maxAbsDiff(o.kijun!, d.Kijun!, lb)).toBeLessThan(1e-9);
    expect(maxAbsDiff(o.senkouA!, d['Senkou A']!, lb)).toBeLessThan(1e-9);
    expect(maxAbsDiff(o.senkouB!, d['Senkou B']!, lb)).toBeLessThan(1e-9);
    expect(o.chikou!.subarray(0, lb).every(Number.isNaN)).toBe(true);
    expect(Array.from(o.chikou!.subarray(lb))).toEqual(Array.from(d.Close!.subarray(lb)));
  });
});

describe('MA-type dispatcher (maRow / maLookback / maStream) vs TA-Lib MA', () => {
  const rng = new TestRng(20240607);
  const x = randomOhlcv(rng, 400).close;
  for (const t of [0, 1, 2, 3, 4, 5, 6, 8]) {
    for (const p of [1, 2, 5, 14]) {
      it(`maType ${t} period ${p}`, () => {
        const res = talib.execute({ name: 'MA', startIdx: 0, endIdx: x.length - 1, inReal: Array.from(x), optInTimePeriod: p, optInMAType: t });
        expect(maLookback(t, p)).toBe(res.begIndex);
        const out = new Float64Array(x.length);
        maRow(t, x, 0, p, out);
        for (let i = 0; i < res.begIndex; i++) expect(Number.isNaN(out[i]!)).toBe(true);
        for (let i = 0; i < res.nbElement; i++) {
          const e = res.result.outReal![i]!, o = out[res.begIndex + i]!;
          expect(Math.abs(o - e) <= 1e-9 * Math.abs(e) + 1e-12, `index ${res.begIndex + i}: ${o} vs ${e}`).toBe(true);
        }
        // begin > 0 equals the MA of the shifted series
        const begin = 7, shifted = new Float64Array(x.length);
        maRow(t, x, begin, p, shifted);
        const sub = new Float64Array(x.length - begin);
        maRow(t, x.subarray(begin), 0, p, sub);
        for (let i = 0; i < begin + maLookback(t, p); i++) expect(Number.isNaN(shifted[i]!)).toBe(true);
        for (let i = begin + maLookback(t, p); i < x.length; i++) expect(shifted[i]).toBe(sub[i - begin]);
        // streaming form
        const s = maStream(t, p);
        for (let i = 0; i < x.length; i++) {
          const v = s.push(x[i]!), b = out[i]!;
          if (Number.isNaN(b)) expect(Number.isNaN(v)).toBe(true);
          else expect(Math.abs(v - b) <= 1e-12 * Math.abs(b)).toBe(true);
        }
      });
    }
  }
  it('MAMA (7) is not supported', () => {
    expect(() => maRow(7, x, 0, 5, new Float64Array(x.length))).toThrow(RangeError);
    expect(() => maLookback(7, 5)).toThrow(RangeError);
    expect(() => maStream(7, 5)).toThrow(RangeError);
  });
});

describe.each(backends)('session VWAP (%s)', (backend) => {
  const H = 3600_000, D = 24 * H;
  const day0 = Date.UTC(2024, 0, 2);
  // two UTC days, three bars each, 22:00..00:00 boundary crossings
  const time = Float64Array.from([day0 + 20 * H, day0 + 22 * H, day0 + 23 * H, day0 + D + 0 * H, day0 + D + 1 * H, day0 + D + 2 * H]);
  const high = Float64Array.from([11, 12, 13, 14, 15, 16]);
  const low = Float64Array.from([9, 10, 11, 12, 13, 14]);
  const close = Float64Array.from([10, 11, 12, 13, 14, 15]);
  const volume = Float64Array.from([1, 2, 3, 4, 5, 6]);
  const tp = Array.from(close); // (H+L+C)/3 == close here

  function expected(sessions: number[][]): number[] {
    const out: number[] = [];
    for (const s of sessions) {
      let spv = 0, sv = 0;
      for (const i of s) { spv += tp[i]! * volume[i]!; sv += volume[i]!; out[i] = spv / sv; }
    }
    return out;
  }

  it('resets at each UTC day (offset 0)', () => {
    const o = computeIndicator('sessionVwap', { time, high, low, close, volume }, {}, { backend }).sessionVwap!;
    const e = expected([[0, 1, 2], [3, 4, 5]]);
    e.forEach((v, i) => expect(o[i]).toBeCloseTo(v, 12));
  });

  it('shifts the boundary by sessionOffsetMinutes (+180: the day starts at 21:00 UTC)', () => {
    const o = computeIndicator('sessionVwap', { time, high, low, close, volume }, { sessionOffsetMinutes: 180 }, { backend }).sessionVwap!;
    const e = expected([[0], [1, 2, 3, 4, 5]]);
    e.forEach((v, i) => expect(o[i]).toBeCloseTo(v, 12));
  });

  it('streams the same values', () => {
    const s = createIndicator('sessionVwap', { sessionOffsetMinutes: -60 });
    const b = computeIndicator('sessionVwap', { time, high, low, close, volume }, { sessionOffsetMinutes: -60 }, { backend }).sessionVwap!;
    for (let i = 0; i < time.length; i++) {
      expect(s.update({ time: time[i]!, high: high[i]!, low: low[i]!, close: close[i]!, volume: volume[i]! })).toBe(b[i]);
    }
  });
});

describe('non-finite inputs: native kernel == TypeScript reference, stream == batch', () => {
  const names = ['dema', 'tema', 'trima', 'kama', 't3', 'wma', 'hma', 'vwma', 'vwap', 'sessionVwap', 'midpoint', 'midprice', 'sar', 'supertrend', 'ichimoku', 'linreg', 'linregSlope', 'linregIntercept', 'linregAngle', 'tsf'];
  const native = backends.filter((b) => b !== 'js');
  it.each(names)('%s', (name) => {
    const spec = getIndicator(name);
    expect(INDICATORS.includes(spec)).toBe(true);
    const rng = new TestRng(77);
    const n = 300;
    const d = randomOhlcv(rng, n) as Record<string, Float64Array>;
    const time = Float64Array.from({ length: n }, (_, i) => Date.UTC(2024, 0, 1) + i * 3600_000);
    const poison = (a: Float64Array) => {
      const c = Float64Array.from(a);
      c[40] = NaN; c[41] = NaN; c[150] = Infinity; c[151] = -Infinity; c[220] = NaN;
      return c;
    };
    const data: Record<string, Float64Array> = { time, open: d.open!, high: poison(d.high!), low: poison(d.low!), close: poison(d.close!), volume: d.volume!, x: poison(d.close!) };
    const params = Object.fromEntries(spec.params.map((p) => [p.name, p.maxIsLength ? Math.min(p.default, 20) : p.default]));
    const ref = computeIndicator(name, data, params, { backend: 'js' });
    for (const b of native) {
      const got = computeIndicator(name, data, params, { backend: b });
      for (const o of spec.outputs) {
        for (let i = 0; i < n; i++) {
          const e = ref[o]![i]!, a = got[o]![i]!;
          if (Number.isNaN(e) || !Number.isFinite(e)) expect(Object.is(e, a) || (Number.isNaN(e) && Number.isNaN(a)), `${name}.${o} [${b}] index ${i}: ${a} vs ${e}`).toBe(true);
          else expect(Math.abs(a - e) <= 1e-9 * Math.abs(e) + 1e-12, `${name}.${o} [${b}] index ${i}: ${a} vs ${e}`).toBe(true);
        }
      }
    }
    const s = createIndicator(name, params);
    for (let i = 0; i < n; i++) {
      s.update({ time: time[i]!, open: data.open![i]!, high: data.high![i]!, low: data.low![i]!, close: data.close![i]!, volume: data.volume![i]!, x: data.x![i]! });
      spec.outputs.forEach((o, k) => {
        const e = ref[o]![i]!, v = s.values[k]!;
        if (!Number.isFinite(e)) expect(Object.is(e, v) || (Number.isNaN(e) && Number.isNaN(v)), `${name}.${o} stream index ${i}: ${v} vs ${e}`).toBe(true);
        else expect(Math.abs(v - e) <= 1e-9 * Math.abs(e) + 1e-12, `${name}.${o} stream index ${i}: ${v} vs ${e}`).toBe(true);
      });
    }
  });
});

// linregAngle takes atan of the slopes in one vectorized pass (Cephes' atan, branch-free, 4
// lanes under AVX): slopes across every branch of its range reduction (|m| <= 0.66, up to
// tan(3pi/8) = 2.414, beyond) and of both signs must give the reference's Math.atan angle (to
// 1e-12: the sliding sums' own rounding; a wrong branch or coefficient is off by far more).
describe('linregAngle atan pass', () => {
  it('matches Math.atan across the reduction ranges', () => {
    const slopes = [0, 1e-12, 3e-5, 0.01, 0.3, 0.6599, 0.66, 0.6601, 0.9, 1, 1.7, 2.414, 2.4143, 2.5, 10, 1e3, 1e6];
    const x: number[] = [];
    for (const m of [...slopes, ...slopes.map((v) => -v)]) for (let k = 0; k < 9; k++) x.push(m * k);
    const data = { x: Float64Array.from(x) };
    const ref = computeIndicator('linregAngle', data, { period: 2 }, { backend: 'js' }).linregAngle!;
    for (const b of backends.filter((v) => v !== 'js')) {
      const got = computeIndicator('linregAngle', data, { period: 2 }, { backend: b }).linregAngle!;
      for (let i = 1; i < x.length; i++) {
        const e = ref[i]!, a = got[i]!;
        expect(Math.abs(a - e) <= 1e-12 * Math.abs(e) + 1e-300, `[${b}] index ${i}: ${a} vs ${e}`).toBe(true);
      }
    }
  });
});
