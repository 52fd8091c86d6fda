// Stress scenario library (computed from bundled data where covered, published otherwise) and
// the deterministic stress runner.
import { describe, expect, it } from 'vitest';
import { loadBundled } from '../src/data/index.js';
import { getStressScenario, runAllStress, runStress, stressScenarios } from '../src/risk/stress.js';

const closeOn = (symbol: string, date: string): number => {
  const b = loadBundled(symbol, '1d');
  return b.close[b.time.indexOf(Date.parse(`${date}T00:00:00Z`))]!;
};

describe('stress scenario library', () => {
  it('holds the six episodes, each shock with its source and detail', () => {
    const all = stressScenarios();
    expect(all.map((s) => s.id)).toEqual(['black-monday-1987', 'gfc-2008', 'flash-crash-2010', 'covid-2020', 'rate-shock-2022', 'crypto-crash']);
    for (const s of all) {
      const shocks = [...Object.values(s.assetClassShocks), ...Object.values(s.symbolShocks)];
      expect(shocks.length, s.id).toBeGreaterThan(0);
      for (const x of shocks) {
        expect(['bundled data', 'published']).toContain(x!.source);
        expect(x!.detail.length).toBeGreaterThan(10);
        expect(Number.isFinite(x!.shock)).toBe(true);
        expect(x!.shock).toBeGreaterThan(-1);
      }
      expect(s.volMultiplier.value, s.id).toBeGreaterThan(1);
    }
    expect(getStressScenario('black-monday-1987').source).toBe('published');
    expect(getStressScenario('rate-shock-2022').source).toBe('published');
    expect(getStressScenario('covid-2020').source).toBe('bundled data');
    expect(() => getStressScenario('dotcom')).toThrow(/scenario must be one of black-monday-1987, .*got "dotcom"/);
  });

  it('computes covered episodes from the bundled closes (not hard-coded)', () => {
    const covid = getStressScenario('covid-2020');
    expect(covid.symbolShocks.SPY!.shock).toBe(closeOn('SPY', '2020-03-23') / closeOn('SPY', '2020-02-19') - 1);
    expect(covid.symbolShocks.SPY!.shock).toBeLessThan(-0.3);
    expect(covid.assetClassShocks.equity!.shock).toBe(covid.symbolShocks.SPY!.shock);
    expect(covid.assetClassShocks.crypto).toBeUndefined(); // bundle has no 2020 crypto
    const gfc = getStressScenario('gfc-2008');
    expect(gfc.symbolShocks.AIG!.shock).toBe(closeOn('AIG', '2008-11-20') / closeOn('AIG', '2008-08-29') - 1);
    expect(gfc.symbolShocks.AIG!.shock).toBeLessThan(-0.9);
    expect(gfc.assetClassShocks.fx!.detail).toMatch(/EURUSD/);
    expect(gfc.volMultiplier.source).toBe('bundled data');
    const flash = getStressScenario('flash-crash-2010');
    const spy = loadBundled('SPY', '1d');
    const i = spy.time.indexOf(Date.parse('2010-05-06T00:00:00Z'));
    expect(flash.symbolShocks.SPY!.shock).toBe(spy.low[i]! / spy.close[i - 1]! - 1);
    expect(flash.volMultiplier.detail).toMatch(/SPY-1h/);
    const crypto = getStressScenario('crypto-crash');
    expect(crypto.start).toBe('2017-12-16');
    expect(crypto.assetClassShocks.crypto!.shock).toBeLessThan(-0.6);
    expect(crypto.assetClassShocks.crypto!.shock).toBe(closeOn('BTCUSD', crypto.end) / closeOn('BTCUSD', crypto.start) - 1);
  });
});

describe('runStress', () => {
  const portfolio = { positions: [{ symbol: 'SPY', value: 0.6 }, { symbol: 'BTCUSD', value: 0.4 }] };

  it('applies symbol, then class shocks; losses are positive and per position', () => {
    const r = runStress(portfolio, 'rate-shock-2022');
    expect(r.positions[0]!.loss).toBeCloseTo(0.6 * (1 - 3839.5 / 4766.18), 15);
    expect(r.positions[1]!.loss).toBeCloseTo(0.4 * 0.64, 15);
    expect(r.totalLoss).toBeCloseTo(r.positions[0]!.loss + r.positions[1]!.loss, 15);
    expect(r.lossFraction).toBeCloseTo(r.totalLoss, 15);
    expect(r.unshocked).toEqual([]);
    const covid = runStress(portfolio, 'covid-2020');
    expect(covid.unshocked).toEqual(['BTCUSD']);
    expect(covid.positions[1]).toMatchObject({ appliedFrom: 'none', shock: 0, source: null, loss: -0 });
    // a bundled symbol without its own shock takes its class shock; shorts gain
    const r2 = runStress({ positions: [{ symbol: 'IWM', value: 100 }, { symbol: 'AGG', value: -50, assetClass: 'bond' }] }, 'rate-shock-2022');
    expect(r2.positions[0]).toMatchObject({ appliedFrom: 'asset class', assetClass: 'equity' });
    expect(r2.positions[1]!.loss).toBeCloseTo(-50 * 0.1301, 12);
    expect(r2.positions[1]!.pnl).toBeGreaterThan(0); // short bonds gain when bonds fall
  });

  it('is deterministic and runs the whole library', () => {
    const all = runAllStress(portfolio);
    expect(all.map((x) => x.scenario)).toEqual(stressScenarios().map((s) => s.id));
    expect(runAllStress(portfolio)).toEqual(all);
    for (const x of all) expect(x.totalLoss).toBeGreaterThan(0);
  });

  it('names bad portfolios', () => {
    expect(() => runStress({ positions: [] }, 'covid-2020')).toThrow(/positions must not be empty/);
    expect(() => runStress({ positions: [{ symbol: 'SPY', value: NaN }] }, 'covid-2020')).toThrow(/positions\[0\].value must be finite/);
    expect(() => runStress({ positions: [{ symbol: 'SPY', value: 1 }, { symbol: 'TLT', value: 1 }] }, 'covid-2020')).toThrow(/positions\[1\].assetClass is required for "TLT"/);
    expect(() => runStress({ positions: [{ symbol: 'X', value: 1, assetClass: 'art' as 'bond' }] }, 'covid-2020')).toThrow(/positions\[0\].assetClass must be one of/);
    expect(() => runStress(null as unknown as { positions: [] }, 'covid-2020')).toThrow(TypeError);
  });
});
