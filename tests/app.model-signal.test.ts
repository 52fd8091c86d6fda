// The shipped model's backtest signal is causal: the probabilities at bar t do not change
// when every bar after t is removed, and the signal function only reads its own bar.
import { describe, expect, it } from 'vitest';
import { loadBundled } from '../src/data/index.js';
import { loadShippedSignal, scoreSeries } from '../src/app/model-signal.js';

const shipped = loadShippedSignal();

describe.runIf(shipped !== null)('shipped model signal', () => {
  it('scores every bar from past bars only (truncating the future changes nothing)', () => {
    const spy = loadBundled('SPY', '1d');
    const full = scoreSeries(shipped!.model, spy);
    const cut = 4000;
    const head = { ...spy, time: spy.time.subarray(0, cut), open: spy.open.subarray(0, cut), high: spy.high.subarray(0, cut), low: spy.low.subarray(0, cut), close: spy.close.subarray(0, cut), volume: spy.volume.subarray(0, cut) };
    const part = scoreSeries(shipped!.model, head);
    let defined = 0;
    for (let i = 0; i < cut * 3; i++) {
      if (Number.isNaN(part[i]!)) { expect(full[i]).toBeNaN(); continue; }
      defined++;
      expect(Math.abs(part[i]! - full[i]!)).toBeLessThan(1e-6);
    }
    expect(defined).toBeGreaterThan(3 * (cut - 200));
    for (let t = 100; t < cut; t += 97) {
      const s = full[t * 3]! + full[t * 3 + 1]! + full[t * 3 + 2]!;
      expect(s).toBeCloseTo(1, 5); // softmax
    }
  });

  it('starts the backtest at the card test span (out of sample)', () => {
    expect(shipped!.testStart).toBeGreaterThan(Date.parse(`${shipped!.model.card.data.spans.val[1]}T00:00:00Z`));
  });
});
