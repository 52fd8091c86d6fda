// Momentum indicators against published test vectors (copies under tests/fixtures/reference,
// see /work/shared/data/reference/README.md for their provenance), plus the TA-Lib edge cases
// (zero denominators, flat bars) and NaN behaviour shared by kernel, reference and stream.
//
// How we compare: every expected cell that is non-empty and at/after our lookback, with the
// source's own tolerance (LEAN: absolute 1e-3 unless its test says otherwise; ta: the last 5
// rows at pandas rtol 1e-5 - we assert every row where the convention matches; Tulip: absolute
// 1e-3, outputs right-aligned to the last input bar). Where a source uses another convention
// (seeding with the first value instead of TA-Lib's SMA, Wilder seeded with 0, Chande's plain
// sums for CMO) the case says so and either compares only after convergence or checks the part
// that is convention-free; nothing is skipped silently.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { availableBackends } from '../src/compute/index.js';
import { computeIndicator, createIndicator, lookback } from '../src/ta/index.js';

const FIX = fileURLToPath(new URL('./fixtures/reference/', import.meta.url));
const LEAN = 'QuantConnect_Lean/Tests/TestData/';
const TA = 'bukosabino_ta/test/data/';
const backends = availableBackends();

/** A CSV as named numeric columns (empty or non-numeric cells -> NaN). */
function csv(path: string): Record<string, Float64Array> {
  const lines = readFileSync(FIX + path, 'utf8').split(/\r?\n/).filter((l) => l.trim() !== '');
  const head = lines[0]!.split(',').map((h) => h.trim());
  const rows = lines.slice(1).map((l) => l.split(','));
  const cols: Record<string, Float64Array> = {};
  head.forEach((h, k) => {
    if (h === '' || cols[h]) return;
    cols[h] = Float64Array.from(rows, (r) => {
      const c = (r[k] ?? '').trim();
      return c === '' ? NaN : Number(c);
    });
  });
  return cols;
}

/** Tulip's atoz.txt: block `name opts` -> inputs then outputs ({...} lines). */
function tulip(name: string): { inputs: Float64Array[]; outputs: Float64Array[] } {
  const lines = readFileSync(FIX + 'TulipCharts_tulipindicators/tests/atoz.txt', 'utf8').split(/\r?\n/);
  const at = lines.findIndex((l) => l.trim() === name);
  if (at < 0) throw new Error(`atoz.txt has no block ${name}`);
  const arrays: Float64Array[] = [];
  for (let i = at + 1; i < lines.length && lines[i]!.trim() !== ''; i++) {
    const l = lines[i]!.trim();
    if (l.startsWith('{')) arrays.push(Float64Array.from(l.replace(/[{}]/g, '').split(',').filter((s) => s.trim() !== ''), Number));
  }
  return { inputs: arrays, outputs: [] };
}

interface Check {
  ours: Float64Array;
  expected: Float64Array;
  /** First row compared (default: our lookback). */
  from?: number;
  abs?: number;
  rel?: number;
}

/** Max |ours - expected| over comparable rows; fails naming the worst row. */
function expectClose(label: string, c: Check): number {
  let worst = 0, at = -1, count = 0;
  for (let i = c.from ?? 0; i < c.expected.length; i++) {
    const e = c.expected[i]!;
    if (Number.isNaN(e)) continue;
    const o = c.ours[i]!;
    const err = Math.abs(o - e);
    const lim = (c.abs ?? 0) + (c.rel ?? 0) * Math.abs(e);
    count++;
    if (!(err <= lim) && (at < 0 || err > worst)) { worst = err; at = i; }
  }
  expect(count, `${label}: nothing compared`).toBeGreaterThan(0);
  expect(at, `${label}: row ${at}: ours ${c.ours[at]}, expected ${c.expected[at]} (|diff| ${worst})`).toBe(-1);
  return count;
}

function firstDefined(v: Float64Array): number {
  return v.findIndex((x) => !Number.isNaN(x));
}

/** Right-aligns a Tulip output (it drops warm-up bars) to n bars. */
function rightAlign(v: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n).fill(NaN);
  out.set(v, n - v.length);
  return out;
}

describe.each(backends)('momentum reference vectors (%s)', (backend) => {
  const run = (name: string, data: Record<string, Float64Array>, params: Record<string, number> = {}): Record<string, Float64Array> =>
    computeIndicator(name, data, params, { backend });

  // ---------------- QuantConnect LEAN (absolute tolerance 1e-3 unless noted) ----------------

  it('LEAN RSI(14) Wilder (spy_with_indicators: DJIA closes)', () => {
    const f = csv(LEAN + 'spy_with_indicators.txt');
    // LEAN's Wilder RSI is seeded with the SMA of the first 14 changes, as TA-Lib.
    expectClose('rsi', { ours: run('rsi', { close: f.Close! }, { period: 14 }).rsi!, expected: f['RSI 14 Wilder']!, from: 14, abs: 1e-3 });
  });

  it('LEAN MACD(12,26) line (spy_with_indicators) and MACD(12,26,9) (spy_with_macd)', () => {
    // LEAN starts both EMAs at bar 0 (fast EMA seeded with the SMA of the first 12 closes);
    // TA-Lib seeds the fast EMA on closes 14..25 so both start at bar 25. The seeds differ
    // by a factor (1 - 2/13)^t, below 1e-3 after ~60 bars: compare from bar 100.
    const a = csv(LEAN + 'spy_with_indicators.txt');
    expectClose('macd line', { ours: run('macd', { close: a.Close! }).macd!, expected: a['MACD 12 26']!, from: 100, abs: 1e-3 });
    const b = csv(LEAN + 'spy_with_macd.txt');
    const m = run('macd', { close: b.Close! });
    for (const [o, col] of [['macd', 'MACD'], ['signal', 'Signal'], ['hist', 'Histogram']] as const) {
      expectClose(`macd.${o}`, { ours: m[o]!, expected: b[col]!, from: 100, abs: 1e-3 });
    }
  });

  it('LEAN ADX(14), +DI, -DI (tolerance 1e-4) and ADXR(14), after the seeding has converged', () => {
    // The worksheet seeds its Wilder sums with the plain sum of the first 14 TR/DM values (bars
    // 1..14); TA-Lib sums 13 (bars 1..13) and applies s - s/14 + x at bar 14. That start-up
    // difference decays as (13/14)^t: 0.7 points of ADX at bar 27, 2e-3 at bar 150, within
    // 1.1e-4 (the file's rounding) from bar 200 on - so we compare from bar 200 (of 504).
    const f = csv(LEAN + 'spy_with_adx.txt');
    const d = { high: f.High!, low: f.Low!, close: f.Close! };
    expectClose('adx', { ours: run('adx', d).adx!, expected: f['ADX 14']!, from: 200, abs: 1e-3 });
    expectClose('plusDi', { ours: run('plusDi', d).plusDi!, expected: f['+DI14']!, from: 200, abs: 1e-4 });
    expectClose('minusDi', { ours: run('minusDi', d).minusDi!, expected: f['-DI14']!, from: 200, abs: 1e-4 });
    expectClose('adxr', { ours: run('adxr', d).adxr!, expected: f['ADXR 14']!, from: 200, abs: 1e-3 });
  });

  it('LEAN Stochastic(12, 3, 5): slow %K = SMA3 of fast %K, %D = SMA5', () => {
    const f = csv(LEAN + 'spy_with_stoch12k3.txt');
    const s = run('stoch', { high: f.High!, low: f.Low!, close: f.Close! }, { fastKPeriod: 12, slowKPeriod: 3, slowDPeriod: 5 });
    const from = lookback('stoch', { fastKPeriod: 12, slowKPeriod: 3, slowDPeriod: 5 });
    expectClose('slowK', { ours: s.slowK!, expected: f['Stochastics 12 %K 3']!, from, abs: 1e-3 });
    expectClose('slowD', { ours: s.slowD!, expected: f['%D 5']!, from, abs: 1e-3 });
  });

  it('LEAN CCI(14) (tolerance 1e-2), Williams %R(14), MFI(20), ULTOSC(7,14,28)', () => {
    const c = csv(LEAN + 'spy_with_cci.txt');
    expectClose('cci', { ours: run('cci', { high: c.High!, low: c.Low!, close: c.Close! }).cci!, expected: c['Commodity Channel Index (CCI) 14']!, from: 13, abs: 1e-2 });
    const w = csv(LEAN + 'spy_with_williamsR14.txt');
    expectClose('willr', { ours: run('willr', { high: w.High!, low: w.Low!, close: w.Close! }).willr!, expected: w['Williams %R 14']!, from: 13, abs: 1e-3 });
    const m = csv(LEAN + 'spy_mfi.txt');
    expectClose('mfi', { ours: run('mfi', { high: m.High!, low: m.Low!, close: m.Close!, volume: m.Volume! }, { period: 20 }).mfi!, expected: m['Money Flow Index 20']!, from: 20, abs: 1e-3 });
    const u = csv(LEAN + 'spy_ultosc.txt');
    expectClose('ultosc', { ours: run('ultosc', { high: u.High!, low: u.Low!, close: u.Close! }).ultosc!, expected: u.ULTOSC_7_14_28!, from: 28, abs: 1e-3 });
  });

  it('LEAN CMO(5) (TA-Lib style Wilder smoothing), TRIX(5), PPO/APO(5,10, SMA), ROC(50), AROONOSC(14)', () => {
    const c = csv(LEAN + 'spy_cmo.txt');
    expectClose('cmo', { ours: run('cmo', { close: c.Close! }, { period: 5 }).cmo!, expected: c.CMO_5!, from: 5, abs: 1e-3 });
    const t = csv(LEAN + 'spy_trix.txt');
    expectClose('trix', { ours: run('trix', { close: t.close! }, { period: 5 }).trix!, expected: t.TRIX_5!, from: lookback('trix', { period: 5 }), abs: 1e-3 });
    const p = csv(LEAN + 'spy_ppo.txt');
    expectClose('ppo', { ours: run('ppo', { close: p.Close! }, { fastPeriod: 5, slowPeriod: 10, maType: 0 }).ppo!, expected: p.PPO_5_10!, from: 9, abs: 1e-3 });
    const a = csv(LEAN + 'spy_apo.txt');
    expectClose('apo', { ours: run('apo', { close: a.Close! }, { fastPeriod: 5, slowPeriod: 10, maType: 0 }).apo!, expected: a.APO_5_10!, from: 9, abs: 1e-3 });
    const r = csv(LEAN + 'spy_with_rocp50.txt');
    // LEAN's RateOfChangePercent is TA-Lib's ROC (percent).
    expectClose('roc', { ours: run('roc', { close: r.Close! }, { period: 50 }).roc!, expected: r['Rate of Change % 50']!, from: 50, abs: 1e-3 });
    const o = csv(LEAN + 'spy_aroon_oscillator.txt');
    expectClose('aroonOsc', { ours: run('aroonOsc', { high: o.High!, low: o.Low! }).aroonOsc!, expected: o['Aroon Oscillator 14']!, from: 14, abs: 1e-3 });
  });

  it('LEAN StochRSI(14, 14, 3, 3) (talipp): k = SMA3 of the raw stochastic RSI = our fastD', () => {
    // talipp's k is already smoothed (SMA3 of 100 stoch(RSI14, 14)), which is TA-Lib STOCHRSI's
    // fastD with fastK 14, fastD 3 (SMA); its d (a second SMA3) has no STOCHRSI counterpart.
    const f = csv(LEAN + 'spy_with_StochRSI.csv');
    const params = { period: 14, fastKPeriod: 14, fastDPeriod: 3, fastDMaType: 0 };
    expectClose('stochrsi k', { ours: run('stochRsi', { close: f.Close! }, params).fastD!, expected: f.k!, from: lookback('stochRsi', params), abs: 1e-3 });
  });

  // ---------------- bukosabino/ta (ChartSchool worksheets) ----------------

  it('ta CCI(20), Williams %R(14), MFI(14), ROC(12), ULTOSC(7,14,28), stochastic(14, 3)', () => {
    // ta asserts the last 5 rows at rtol 1e-5; the worksheets carry 4-6 decimals, so we assert
    // every defined row at an absolute tolerance matching that rounding.
    const c = csv(TA + 'cs-cci.csv');
    expectClose('cci', { ours: run('cci', { high: c.High!, low: c.Low!, close: c.Close! }, { period: 20 }).cci!, expected: c.CCI!, from: 19, abs: 1e-3 });
    const w = csv(TA + 'cs-percentr.csv');
    expectClose('willr', { ours: run('willr', { high: w.High!, low: w.Low!, close: w.Close! }).willr!, expected: w['Williams_%R']!, from: 13, abs: 1e-5 });
    const m = csv(TA + 'cs-mfi.csv');
    expectClose('mfi', { ours: run('mfi', { high: m.High!, low: m.Low!, close: m.Close!, volume: m.Volume! }).mfi!, expected: m.MFI!, from: 14, abs: 1e-3 });
    const r = csv(TA + 'cs-roc.csv');
    expectClose('roc', { ours: run('roc', { close: r.Close! }, { period: 12 }).roc!, expected: r.ROC!, from: 12, abs: 1e-6 });
    const u = csv(TA + 'cs-ultosc.csv');
    expectClose('ultosc', { ours: run('ultosc', { high: u.High!, low: u.Low!, close: u.Close! }).ultosc!, expected: u.Ult_Osc!, from: 28, abs: 1e-4 });
    const s = csv(TA + 'cs-soo.csv');
    const st = run('stochF', { high: s.High!, low: s.Low!, close: s.Close! }, { fastKPeriod: 14, fastDPeriod: 3, fastDMaType: 0 });
    // SO is fast %K from row 13; our stochf fastK starts at the fastD lookback (15), as TA-Lib.
    expectClose('stochf.fastK', { ours: st.fastK!, expected: s.SO!, from: 15, abs: 1e-5 });
    expectClose('stochf.fastD', { ours: st.fastD!, expected: s.SO_SIG!, from: 15, abs: 1e-5 });
  });

  it('ta ADX(14), +DI, -DI: same SPY 2009 data and sum-of-14 seeding as LEAN, compared from bar 200', () => {
    const f = csv(TA + 'cs-adx.csv');
    const d = { high: f.High!, low: f.Low!, close: f.Close! };
    expectClose('adx', { ours: run('adx', d).adx!, expected: f.ADX!, from: 200, abs: 1e-3 });
    expectClose('plusDi', { ours: run('plusDi', d).plusDi!, expected: f['+DI14']!, from: 200, abs: 1e-4 });
    expectClose('minusDi', { ours: run('minusDi', d).minusDi!, expected: f['-DI14']!, from: 200, abs: 1e-4 });
  });

  it('ta MACD(12,26,9): EMAs seeded with the first close - compare the converged last 5 rows', () => {
    // ta uses pandas ewm(adjust=False): every EMA seeded with the first value, not TA-Lib's SMA.
    // The seed's weight decays as (1-2/27)^t; on the 124-row worksheet the last 5 rows (what ta
    // asserts) agree with the SMA-seeded values within 1e-3. cs-ppo.csv is not compared: it
    // has 40 rows, so with a 26-bar slow EMA the seeding difference is still ~0.5 there (PPO is
    // checked against LEAN's spy_ppo and against TA-Lib itself).
    const a = csv(TA + 'cs-macd.csv');
    const m = run('macd', { close: a.Close! });
    const n = a.Close!.length;
    expectClose('macd', { ours: m.macd!, expected: a.MACD_line!, from: n - 5, abs: 1e-3 });
    expectClose('signal', { ours: m.signal!, expected: a.MACD_signal!, from: n - 5, abs: 1e-3 });
    expectClose('hist', { ours: m.hist!, expected: a.MACD_diff!, from: n - 5, abs: 1e-3 });
  });

  it('ta StochRSI(14): its RSI uses another seeding, so we check the stochastic of its own RSI column', () => {
    // cs-stochrsi's RSI column is Wilder seeded with 0 (like cs-rsi.csv, which differs from the
    // SMA-seeded RSI by up to 3.3 points): STOCHRSI's stochastic step is convention-free, so
    // we feed the file's RSI as the input series of stochf (high = low = close = RSI) and
    // compare fastK / 100 with StochRSI(14).
    const f = csv(TA + 'cs-stochrsi.csv');
    const rsi = f.RSI!;
    const first = rsi.findIndex((v) => !Number.isNaN(v));
    const x = rsi.subarray(first);
    const k = run('stochF', { high: x, low: x, close: x }, { fastKPeriod: 14, fastDPeriod: 1 }).fastK!;
    const ours = new Float64Array(rsi.length).fill(NaN);
    for (let i = 0; i < k.length; i++) ours[first + i] = k[i]! / 100;
    expectClose('stochRsi', { ours, expected: f['StochRSI(14)']!, from: first + 13, abs: 1e-6 });
  });

  // ---------------- Tulip Indicators atoz.txt (Achelis; absolute 1e-3, right-aligned) ----------------

  it('Tulip (A to Z): rsi 5, willr 5, rocr 12, trix 3, aroon 5, cci 5, stoch 5 3 3, ultosc, mfi 14', () => {
    const t = (name: string): Float64Array[] => tulip(name).inputs;
    const chk = (label: string, ours: Float64Array, exp: Float64Array, abs = 1e-3): void => {
      expectClose(`tulip ${label}`, { ours, expected: rightAlign(exp, ours.length), abs, from: firstDefined(ours) });
    };
    {
      const [x, e] = t('rsi 5');
      chk('rsi 5', run('rsi', { close: x! }, { period: 5 }).rsi!, e!);
    }
    {
      const [h, l, c, e] = t('willr 5');
      chk('willr 5', run('willr', { high: h!, low: l!, close: c! }, { period: 5 }).willr!, e!);
    }
    {
      const [x, e] = t('rocr 12');
      chk('rocr 12', run('rocr', { close: x! }, { period: 12 }).rocr!, e!);
    }
    // trix 3 is not compared: Tulip seeds its EMAs with the first value (TA-Lib: the SMA) and
    // the block has 10 bars, far from convergence; LEAN's spy_trix (SMA-seeded) is checked above.
    {
      const [h, l, down, up] = t('aroon 5');
      const a = run('aroon', { high: h!, low: l! }, { period: 5 });
      chk('aroon down', a.aroonDown!, down!);
      chk('aroon up', a.aroonUp!, up!);
    }
    {
      const [h, l, c, e] = t('cci 5');
      chk('cci 5', run('cci', { high: h!, low: l!, close: c! }, { period: 5 }).cci!, e!);
    }
    {
      const [h, l, c, k, d] = t('stoch 5 3 3');
      const s = run('stoch', { high: h!, low: l!, close: c! }, { fastKPeriod: 5, slowKPeriod: 3, slowDPeriod: 3 });
      chk('stoch k', s.slowK!, k!);
      chk('stoch d', s.slowD!, d!);
    }
    {
      const [h, l, c, e] = t('ultosc 7 14 28');
      chk('ultosc', run('ultosc', { high: h!, low: l!, close: c! }).ultosc!, e!);
    }
    {
      const [h, l, c, v, e] = t('mfi 14');
      chk('mfi 14', run('mfi', { high: h!, low: l!, close: c!, volume: v! }).mfi!, e!);
    }
  });

  it('Tulip (A to Z companion spreadsheet): di 14, dx 14', () => {
    const [h, l, c, pdi, mdi] = tulip('di 14').inputs;
    const d = { high: h!, low: l!, close: c! };
    // Tulip's DI/DX start one bar earlier than TA-Lib (at p-1, from the plain sums of p-1
    // bars); from TA-Lib's first bar on, both apply the same Wilder update, so we compare from
    // our lookback.
    const al = (v: Float64Array): Float64Array => rightAlign(v, h!.length);
    expectClose('tulip plus_di', { ours: run('plusDi', d).plusDi!, expected: al(pdi!), abs: 1e-3, from: 14 });
    expectClose('tulip minus_di', { ours: run('minusDi', d).minusDi!, expected: al(mdi!), abs: 1e-3, from: 14 });
    // Tulip's dx takes only high and low: DX = 100 |+DM - -DM| / (+DM + -DM) (the true range
    // cancels). TA-Lib's takes a close for the true range; any close with a non-zero range
    // gives the same DX, so we pass the bar midpoint. Tulip's adx/adxr are NOT compared: Tulip
    // starts DX one bar earlier (bar 13) and seeds ADX with the mean of DX over bars 13..26
    // (TA-Lib: 14..27); on these 24-bar blocks the seed difference (3.9 points at the first
    // bar, decaying as (13/14)^t) never falls under the 1e-3 tolerance. ADX/ADXR are checked
    // against LEAN and ta after convergence, and against TA-Lib itself exactly.
    for (const [name, out] of [['dx', 'dx']] as const) {
      const [hh, ll, e] = tulip(`${name} 14`).inputs;
      const mid = hh!.map((v, i) => (v + ll![i]!) / 2);
      const ours = run(name, { high: hh!, low: ll!, close: mid })[out]!;
      expectClose(`tulip ${name}`, { ours, expected: rightAlign(e!, hh!.length), abs: 1e-3, from: firstDefined(ours) });
    }
  });
});

// ---------------- edge cases TA-Lib handles specially ----------------

describe.each(backends)('momentum edge cases (%s)', (backend) => {
  const run = (name: string, data: Record<string, Float64Array>, params: Record<string, number> = {}): Record<string, Float64Array> =>
    computeIndicator(name, data, params, { backend });
  const flat = new Float64Array(40).fill(100);

  /** The stream gives the batch values bar by bar. */
  function streamEquals(name: string, data: Record<string, Float64Array>, params: Record<string, number>, batch: Record<string, Float64Array>): void {
    const s = createIndicator(name, params);
    const n = Object.values(data)[0]!.length;
    for (let i = 0; i < n; i++) {
      s.update({ open: data.open?.[i], high: data.high?.[i], low: data.low?.[i], close: data.close?.[i], volume: data.volume?.[i] });
      s.outputs.forEach((o, k) => {
        const b = batch[o]![i]!, v = s.values[k]!;
        if (!(Object.is(b, v) || Math.abs(b - v) <= 1e-12 * Math.max(1, Math.abs(b)))) expect.fail(`${name}.${o} bar ${i}: stream ${v}, batch ${b}`);
      });
    }
  }

  it('no movement: RSI, CMO, STOCH, STOCHF, WILLR, CCI, MFI, BOP, ULTOSC, DX family, ROC give 0 (TA-Lib)', () => {
    const d = { open: flat, high: flat, low: flat, close: flat, volume: flat };
    const zeros: Array<[string, string, Record<string, number>]> = [
      ['rsi', 'rsi', {}], ['cmo', 'cmo', {}], ['willr', 'willr', {}], ['cci', 'cci', {}], ['mfi', 'mfi', {}], ['bop', 'bop', {}],
      ['stoch', 'slowK', {}], ['stoch', 'slowD', {}], ['stochF', 'fastK', {}], ['stochRsi', 'fastK', {}], ['ultosc', 'ultosc', {}],
      ['dx', 'dx', {}], ['adx', 'adx', {}], ['plusDi', 'plusDi', {}], ['minusDi', 'minusDi', {}], ['aroonOsc', 'aroonOsc', {}],
      ['roc', 'roc', {}], ['rocp', 'rocp', {}], ['mom', 'mom', {}], ['apo', 'apo', {}], ['ppo', 'ppo', {}], ['macd', 'hist', { fastPeriod: 3, slowPeriod: 5, signalPeriod: 2 }],
    ];
    for (const [name, out, params] of zeros) {
      const r = run(name, d, params);
      const lb = lookback(name, params);
      for (let i = lb; i < flat.length; i++) expect(r[out]![i], `${name}.${out}[${i}]`).toBe(0);
      for (let i = 0; i < lb; i++) expect(r[out]![i], `${name}.${out}[${i}] warm-up`).toBeNaN();
      streamEquals(name, d, params, r);
    }
    // ROCR of a flat series is 1; with a zero base TA-Lib writes 0.
    expect(run('rocr', { close: flat }).rocr![20]).toBe(1);
    const z = new Float64Array(20);
    expect(run('rocr', { close: z }).rocr![15]).toBe(0);
    expect(run('roc', { close: z }).roc![15]).toBe(0);
  });

  it('flat bars (high == low) give BOP 0 and WILLR/STOCH 0 over a flat window; DX repeats its last value', () => {
    const n = 60;
    const h = new Float64Array(n), l = new Float64Array(n), c = new Float64Array(n), o = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const base = i < 30 ? 100 + 3 * Math.sin(i) : 120;
      h[i] = i < 30 ? base + 1 : base; l[i] = i < 30 ? base - 1 : base; c[i] = base; o[i] = base - 0.5 * Math.cos(i);
    }
    const d = { open: o, high: h, low: l, close: c };
    const bop = run('bop', d).bop!;
    for (let i = 30; i < n; i++) expect(bop[i]).toBe(0);
    const w = run('willr', d, { period: 5 }).willr!;
    for (let i = 40; i < n; i++) expect(w[i]).toBe(0);
    const k = run('stochF', d, { fastKPeriod: 5, fastDPeriod: 1 }).fastK!;
    for (let i = 40; i < n; i++) expect(k[i]).toBe(0);
    const dx = run('dx', d, { period: 5 }).dx!;
    // After the move to 120 the Wilder sums decay but never reach 0: DX is defined throughout.
    for (let i = 5; i < n; i++) expect(Number.isFinite(dx[i]!)).toBe(true);
    streamEquals('dx', d, { period: 5 }, run('dx', d, { period: 5 }));
    streamEquals('bop', d, {}, { bop });
  });

  it('NaN: recursive indicators stay NaN, windowed extrema recover when the NaN leaves the window', () => {
    const n = 80;
    const h = new Float64Array(n), l = new Float64Array(n), c = new Float64Array(n), v = new Float64Array(n);
    for (let i = 0; i < n; i++) { c[i] = 100 + 5 * Math.sin(i / 4); h[i] = c[i]! + 1; l[i] = c[i]! - 1; v[i] = 1000 + i; }
    h[40] = NaN;
    const d = { high: h, low: l, close: c, volume: v };
    const w = run('willr', d, { period: 5 }).willr!;
    for (let i = 40; i < 45; i++) expect(w[i]).toBeNaN();
    for (let i = 45; i < n; i++) expect(Number.isFinite(w[i]!)).toBe(true);
    const a = run('aroon', d, { period: 5 });
    for (let i = 40; i <= 45; i++) expect(a.aroonUp![i]).toBeNaN();
    expect(Number.isFinite(a.aroonUp![46]!)).toBe(true);
    const adx = run('adx', d, { period: 5 }).adx!;
    for (let i = 40; i < n; i++) expect(adx[i]).toBeNaN();
    const x = Float64Array.from(c);
    x[30] = NaN;
    const rsi = run('rsi', { close: x }).rsi!;
    expect(Number.isFinite(rsi[29]!)).toBe(true);
    for (let i = 30; i < n; i++) expect(rsi[i]).toBeNaN();
    for (const [name, data, params] of [['willr', d, { period: 5 }], ['aroon', d, { period: 5 }], ['adx', d, { period: 5 }], ['rsi', { close: x }, {}], ['stoch', d, {}], ['cci', d, {}], ['mfi', d, {}], ['ultosc', d, {}]] as const) {
      streamEquals(name, data as Record<string, Float64Array>, params, run(name, data as Record<string, Float64Array>, params));
    }
  });

  it('MACD / APO / PPO swap fast and slow when slow < fast (TA-Lib)', () => {
    const x = Float64Array.from({ length: 80 }, (_, i) => 100 + 10 * Math.sin(i / 7));
    const a = run('macd', { close: x }, { fastPeriod: 26, slowPeriod: 12 });
    const b = run('macd', { close: x }, { fastPeriod: 12, slowPeriod: 26 });
    expect(Array.from(a.macd!)).toEqual(Array.from(b.macd!));
    const p = run('ppo', { close: x }, { fastPeriod: 20, slowPeriod: 5 }).ppo!;
    const q = run('ppo', { close: x }, { fastPeriod: 5, slowPeriod: 20 }).ppo!;
    expect(Array.from(p)).toEqual(Array.from(q));
  });
});
