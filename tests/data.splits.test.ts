// Split adjustment of the raw bundled equities: the split days stop looking like crashes,
// the latest prices stay raw, and nothing else moves.
import { describe, expect, it } from 'vitest';
import { adjustSplits, loadBundled, SPLITS, splitsOf } from '../src/data/index.js';

describe('split adjustment', () => {
  it('removes the jump at every listed split of the daily equities and keeps the last price', () => {
    for (const sym of Object.keys(SPLITS)) {
      const raw = loadBundled(sym, '1d');
      const adj = loadBundled(sym, '1d', { adjust: 'splits' });
      expect(adj.close[adj.close.length - 1]).toBe(raw.close[raw.close.length - 1]);
      for (const s of splitsOf(sym)) {
        const i = raw.time.findIndex((t) => t >= s.time);
        if (i <= 0) continue;
        const rawMove = raw.close[i]! / raw.close[i - 1]!;
        const adjMove = adj.close[i]! / adj.close[i - 1]!;
        // The raw series moves by about 1/ratio on the split day; the adjusted one by an ordinary daily move.
        expect(Math.abs(Math.log(rawMove * s.ratio)), `${sym} raw move at split`).toBeLessThan(0.25);
        expect(Math.abs(Math.log(adjMove)), `${sym} adjusted move at split`).toBeLessThan(0.25);
      }
    }
  });

  it('leaves symbols without splits untouched', () => {
    const spy = loadBundled('SPY', '1d');
    expect(adjustSplits(spy)).toBe(spy);
  });
});
