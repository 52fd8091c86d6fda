// Streaming indicators give the batch kernel's values (<= 1e-12 relative): every indicator,
// fed every bundled real series bar by bar, against the batch result on the cpu backend
// (js where the addon is absent).
import { describe, expect, it } from 'vitest';
import { availableBackends } from '../src/compute/index.js';
import { computeIndicator, createIndicator, INDICATORS } from '../src/ta/index.js';
import { realSeries } from './helpers/real-series.js';

const backend = availableBackends().includes('cpu') ? 'cpu' : 'js';

describe.each(INDICATORS.map((s) => [s.name, s] as const))('%s streaming', (_n, spec) => {
  it('equals the batch kernel on every bundled series', () => {
    const def = Object.fromEntries(spec.params.map((p) => [p.name, p.default]));
    for (const s of realSeries()) {
      const n = s.close.length;
      if (n <= spec.lookback(spec.params.map((p) => p.default)) + 1) continue;
      const data = { time: s.time, open: s.open, high: s.high, low: s.low, close: s.close, volume: s.volume, x: s.close, y: s.open };
      const batch = computeIndicator(spec.name, data, def, { backend });
      const stream = createIndicator(spec.name, def);
      const bar = { time: 0, open: 0, high: 0, low: 0, close: 0, volume: 0, x: 0, y: 0 };
      for (let i = 0; i < n; i++) {
        bar.time = s.time[i]!; bar.open = s.open[i]!; bar.high = s.high[i]!; bar.low = s.low[i]!; bar.close = s.close[i]!; bar.volume = s.volume[i]!;
        bar.x = s.close[i]!; bar.y = s.open[i]!;
        stream.update(bar);
        for (let k = 0; k < spec.outputs.length; k++) {
          const b = batch[spec.outputs[k]!]![i]!, v = stream.values[k]!;
          if (Number.isNaN(b) && Number.isNaN(v)) continue;
          const ok = b === v || Math.abs(v - b) <= 1e-12 * Math.max(Math.abs(b), 1) ;
          if (!ok) expect.fail(`${spec.name}.${spec.outputs[k]} on ${s.label} bar ${i}: stream ${v}, batch ${b}`);
        }
      }
    }
  });
});
