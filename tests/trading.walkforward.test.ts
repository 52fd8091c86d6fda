// Walk-forward optimisation: fold geometry (rolling and anchored, purge and embargo gaps, no
// overlap), no leakage (perturbing the future of a fold's in-sample span cannot change its
// choice; perturbing what follows its out-of-sample span cannot change its OOS result), OOS
// results equal to the event-driven engine, and the stitched OOS equity.
import { describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { registerSweepCommand } from '../src/cli/sweep.js';
import type { Bars } from '../src/data/bars.js';
import { loadBundled } from '../src/data/index.js';
import { runBacktest } from '../src/trading/backtester.js';
import { SmaCross } from '../src/trading/strategies/sma-cross.js';
import type { BarView, StrategyContext } from '../src/trading/strategy.js';
import { barCloseTimes } from '../src/trading/sweep/index.js';
import { walkForward, walkForwardFolds, type FoldGeometry, type WalkForwardConfig } from '../src/trading/walk-forward.js';
import { TestRng, freshSeed } from '../src/util/rng.js';

const SPY = loadBundled('SPY', '1d');
const IWM = loadBundled('IWM', '1d');

function perturbFrom(b: Bars, from: number, rng: TestRng): Bars {
  const c = { ...b, open: b.open.slice(), high: b.high.slice(), low: b.low.slice(), close: b.close.slice() };
  for (let i = from; i < c.close.length; i++) {
    const k = Math.exp(0.2 * rng.normal());
    c.open[i]! *= k; c.high[i]! *= k * 1.01; c.low[i]! *= k * 0.99; c.close[i]! *= k;
  }
  return c;
}

const base: Omit<WalkForwardConfig, 'bars'> = {
  fastRange: '5..40:5', slowRange: '50..200:30', costs: { perShare: 0.005, minFee: 1 }, cash: 50_000,
  mode: 'rolling', inSampleBars: 1000, outOfSampleBars: 600, purgeBars: 10, embargoBars: 5,
};

describe('walk-forward fold geometry', () => {
  it.each([['rolling'], ['anchored']] as const)('%s: IS before OOS with purge + embargo gap, OOS spans contiguous and disjoint', (mode) => {
    const g: FoldGeometry = { mode, inSampleBars: 500, outOfSampleBars: 120, purgeBars: 7, embargoBars: 3 };
    const folds = walkForwardFolds(2000, g);
    expect(folds.length).toBe(Math.ceil((2000 - 500 - 3 - 1) / 120));
    folds.forEach((f, k) => {
      expect(f.inSample.end).toBe(500 + k * 120);
      expect(f.inSample.start).toBe(mode === 'rolling' ? f.inSample.end - 500 : 0);
      expect(f.evaluation).toEqual({ start: f.inSample.start, end: f.inSample.end - 7 });
      expect(f.purged).toEqual({ start: f.inSample.end - 7, end: f.inSample.end });
      expect(f.embargo).toEqual({ start: f.inSample.end, end: f.inSample.end + 3 });
      // The last bar the optimisation sees is at least purge + embargo bars before the first OOS bar.
      expect(f.outOfSample.start - f.evaluation.end).toBe(7 + 3);
      expect(f.outOfSample.end).toBeLessThanOrEqual(2000);
      expect(f.outOfSample.end - f.outOfSample.start).toBeGreaterThanOrEqual(2);
      if (k > 0) expect(f.outOfSample.start).toBe(folds[k - 1]!.outOfSample.end);
      // No fold's IS evaluation overlaps any OOS span at or after its own.
      for (const g2 of folds.slice(k)) expect(f.evaluation.end).toBeLessThanOrEqual(g2.outOfSample.start);
    });
  });

  it('rejects impossible geometry', () => {
    expect(() => walkForwardFolds(100, { mode: 'rolling', inSampleBars: 99, outOfSampleBars: 10 })).toThrow(/leave no out-of-sample fold/);
    expect(() => walkForwardFolds(1000, { mode: 'rolling', inSampleBars: 50, outOfSampleBars: 10, purgeBars: 49 })).toThrow(/purgeBars \(49\) must leave at least 2/);
    expect(() => walkForwardFolds(1000, { mode: 'sideways' as never, inSampleBars: 50, outOfSampleBars: 10 })).toThrow(/mode must be rolling or anchored/);
  });
});

describe('walk-forward optimisation', () => {
  it('runs rolling folds on SPY: IS optimum, OOS equal to the event engine, stitched OOS equity', async () => {
    const r = await walkForward({ ...base, bars: [SPY] }, { inline: true, threads: 2 });
    expect(r.folds.length).toBe(Math.ceil((SPY.close.length - 1000 - 5 - 1) / 600));
    const ct = barCloseTimes(SPY);
    let points = 0;
    for (const f of r.folds) {
      expect(f.chosen.fast).toBeLessThan(f.chosen.slow);
      expect(f.inSampleScore).toBe(f.inSampleMetrics[0]!.sharpe);
      // The OOS run is the event-driven backtest of the chosen pair, warmed on everything before it.
      const strategy = new SmaCross(f.chosen);
      const ctx = { position: () => ({ qty: 0 }), submit: () => undefined } as unknown as StrategyContext;
      for (let i = 0; i < f.outOfSample.start; i++) strategy.onBar(ctx, { symbol: 'SPY', close: SPY.close[i]! } as BarView);
      const ev = runBacktest({
        feeds: [SPY], strategy, initialCash: 50_000, instruments: [{ symbol: 'SPY', fees: { kind: 'perShare', perShare: 0.005, minimum: 1 } }],
        start: ct[f.outOfSample.start], end: ct[f.outOfSample.end - 1],
      });
      expect(f.outOfSampleMetrics[0]!.sharpe).toBe(ev.metrics.sharpe);
      expect(f.outOfSampleMetrics[0]!.totalReturn).toBe(ev.metrics.totalReturn);
      expect(f.outOfSampleMetrics[0]!.trades).toBe(ev.metrics.trades);
      points += f.outOfSample.end - f.outOfSample.start;
    }
    const st = r.stitched[0]!;
    expect(st.equity.length).toBe(points);
    expect(st.equity[0]).toBe(50_000);
    for (let i = 1; i < st.time.length; i++) expect(st.time[i]!).toBeGreaterThan(st.time[i - 1]!);
    // Chained: the stitched total return is the product of the folds' OOS returns.
    const chained = r.folds.reduce((a, f) => a * (1 + f.outOfSampleMetrics[0]!.totalReturn), 1) - 1;
    expect(st.metrics.totalReturn).toBeCloseTo(chained, 10);
    expect(r.summary.meanInSampleScore).toBeGreaterThan(r.summary.meanOutOfSampleScore); // the usual IS optimism
  });

  it('no leakage: changing bars after a fold\'s IS evaluation span cannot change its choice, nor bars after its OOS span its OOS result', async () => {
    const seed = freshSeed();
    const cfg = { ...base, mode: 'anchored' as const, bars: [SPY] };
    const ref = await walkForward(cfg, { inline: true, threads: 2 });
    const k = 2;
    const f = ref.folds[k]!;
    // Everything from the purged tail on (purge, embargo, OOS and later) is rewritten: the IS
    // choice and IS metrics of fold k, and of every earlier fold, stay.
    expect(f.purged.start).toBe(f.inSample.end);
    expect(f.outOfSample.start - f.inSample.end).toBe((cfg.purgeBars ?? 0) + (cfg.embargoBars ?? 0));
    const a = await walkForward({ ...cfg, bars: [perturbFrom(SPY, f.purged.start, new TestRng(seed))] }, { inline: true, threads: 2 });
    expect(a.folds[k]!.chosen, `seed ${seed}`).toEqual(f.chosen);
    expect(a.folds[k]!.inSampleMetrics, `seed ${seed}`).toEqual(f.inSampleMetrics);
    for (let j = 0; j <= k; j++) expect(a.folds[j]!.inSampleMetrics).toEqual(ref.folds[j]!.inSampleMetrics);
    // The same rewrite starting inside the evaluated span does reach the IS results (the check above is not vacuous).
    const b = await walkForward({ ...cfg, bars: [perturbFrom(SPY, f.inSample.end - 300, new TestRng(seed + 1))] }, { inline: true, threads: 2 });
    expect(JSON.stringify(b.folds[k]!.inSampleMetrics), `seed ${seed}`).not.toBe(JSON.stringify(f.inSampleMetrics));
    // Bars after fold k's OOS span: its OOS results stay.
    const c = await walkForward({ ...cfg, bars: [perturbFrom(SPY, f.outOfSample.end, new TestRng(seed + 2))] }, { inline: true, threads: 2 });
    expect(c.folds[k]!.outOfSampleMetrics, `seed ${seed}`).toEqual(f.outOfSampleMetrics);
    // And the perturbations do reach later folds (the test would be vacuous otherwise).
    expect(Array.from(c.stitched[0]!.equity)).not.toEqual(Array.from(ref.stitched[0]!.equity));
  });

  it('several symbols are cut at the same timestamps; the pool path gives the same folds', async () => {
    const cfg = { ...base, bars: [IWM, SPY], inSampleBars: 1500, outOfSampleBars: 1000, fastRange: [5, 10], slowRange: '50,100,150' } as WalkForwardConfig;
    const inline = await walkForward(cfg, { inline: true, threads: 2 });
    const pooled = await walkForward(cfg);
    expect(pooled.folds.map((f) => f.chosen)).toEqual(inline.folds.map((f) => f.chosen));
    expect(pooled.folds.map((f) => f.outOfSampleScore)).toEqual(inline.folds.map((f) => f.outOfSampleScore));
    const iwmT = barCloseTimes(IWM), spyT = barCloseTimes(SPY);
    const sOos = inline.folds[0]!.outOfSample;
    // SPY's first OOS bar is the first one at or after IWM's (the reference series).
    const spyStart = spyT.findIndex((t) => t >= iwmT[sOos.start]!);
    expect(spyT[spyStart]).toBe(iwmT[sOos.start]);
    expect(inline.stitched.map((c) => c.symbol)).toEqual(['IWM', 'SPY']);
    expect(inline.stitched[1]!.time[0]).toBe(spyT[spyStart]);
  });
});

describe('neurion sweep --walk-forward', () => {
  it('prints folds with IS and OOS scores and the stitched OOS result as JSON', async () => {
    let text = '';
    const program = new Command('neurion').exitOverride();
    registerSweepCommand(program, (s) => { text += s; });
    await program.parseAsync(['node', 'neurion', 'sweep', '--symbols', 'SPY', '--fast', '5..20:5', '--slow', '50,100,200', '--walk-forward', 'anchored',
      '--in-sample', '2000', '--out-of-sample', '1000', '--purge', '5', '--embargo', '3', '--threads', '1', '--json']);
    const j = JSON.parse(text) as { folds: Array<{ inSample: { end: number }; outOfSample: { start: number }; chosen: { fast: number; slow: number } }>; stitched: Array<{ symbol: string; points: number }>; summary: { pairs: number } };
    expect(j.summary.pairs).toBe(12);
    expect(j.folds.length).toBe(Math.ceil((SPY.close.length - 2000 - 3 - 1) / 1000));
    for (const f of j.folds) expect(f.outOfSample.start - f.inSample.end).toBe(8);
    expect(j.stitched[0]!.symbol).toBe('SPY');
  });
});
