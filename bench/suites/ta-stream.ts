/**
 * Suite `ta-stream`: streaming indicators, ns per update, Neurion's createIndicator() versus
 * trading-signals (v8: number-only classes, which replaced its older Faster* variants) in the
 * same run, for EMA(14), RSI(14), ATR(14), MACD(12,26,9) and Bollinger Bands(20, 2).
 *
 * One call = a fresh indicator fed N bars (warm-up included, amortised over N). Inputs are
 * prebuilt: a Float64Array of closes, and for ATR an array of {high, low, close} objects that
 * both libraries receive (object reads cost both the same). Each case has its own loop function
 * (monomorphic call sites, as in a user's loop), and every update's result is summed into a
 * sink so the JIT cannot drop the work. Before timing, the last values of each pair
 * are compared (the libraries seed differently; after N bars the seeds have decayed).
 *
 *   node dist/bench/suites/ta-stream.js [--quick] [--filter rsi]
 */
import { pathToFileURL } from 'node:url';
import * as ts from 'trading-signals';
import { createIndicator } from '../../src/ta/index.js';
import { parseOptions, runSuite, type BenchCase, type SuiteModule, type SuiteSpec } from '../harness.js';
import { consume, ohlcv } from './ta-peers.js';

const SEED = 20_240_602;

interface Pair {
  group: string;
  oursName: string;
  theirsName: string;
  /** Feeds all N bars to a fresh indicator; returns the sum of the outputs (the sink). */
  ours: () => number;
  theirs: () => number;
  /** The last TAIL values of each (for the agreement check). */
  oursTail: () => number[];
  theirsTail: () => number[];
  tol: number;
}

const TAIL = 1000;

export const taStreamSuite: SuiteModule = {
  name: 'ta-stream',
  build(opts): SuiteSpec {
    const N = opts.quick ? 200_000 : 1_000_000;
    const d = ohlcv(N, SEED);
    const x = d.close;
    const bars = Array.from({ length: N }, (_, i) => ({ high: d.high[i]!, low: d.low[i]!, close: d.close[i]! }));

    // Each loop is its own function, so every call site in it sees one indicator class
    // (monomorphic, as in a user's loop); a shared driver calling closures would add a
    // megamorphic call per update to both libraries and hide the difference.
    const pairs: Pair[] = [
      {
        group: 'ema(14)',
        oursName: "createIndicator('ema', {period: 14}).update(x)",
        theirsName: 'trading-signals EMA(14).update(x, false)',
        ours: () => { const s = createIndicator('ema', { period: 14 }); let acc = 0; for (let i = 0; i < N; i++) { const v = s.update(x[i]!); if (v === v) acc += v; } return acc; },
        theirs: () => { const s = new ts.EMA(14); let acc = 0; for (let i = 0; i < N; i++) acc += s.update(x[i]!, false); return acc; },
        oursTail: () => { const s = createIndicator('ema', { period: 14 }); const o: number[] = []; for (let i = 0; i < N; i++) { const v = s.update(x[i]!); if (i >= N - TAIL) o.push(v); } return o; },
        theirsTail: () => { const s = new ts.EMA(14); const o: number[] = []; for (let i = 0; i < N; i++) { const v = s.update(x[i]!, false); if (i >= N - TAIL) o.push(v); } return o; },
        tol: 1e-9,
      },
      {
        group: 'rsi(14)',
        oursName: "createIndicator('rsi', {period: 14}).update(x)",
        theirsName: 'trading-signals RSI(14).update(x, false)',
        ours: () => { const s = createIndicator('rsi', { period: 14 }); let acc = 0; for (let i = 0; i < N; i++) { const v = s.update(x[i]!); if (v === v) acc += v; } return acc; },
        theirs: () => { const s = new ts.RSI(14); let acc = 0; for (let i = 0; i < N; i++) { const v = s.update(x[i]!, false); if (v !== null) acc += v; } return acc; },
        oursTail: () => { const s = createIndicator('rsi', { period: 14 }); const o: number[] = []; for (let i = 0; i < N; i++) { const v = s.update(x[i]!); if (i >= N - TAIL) o.push(v); } return o; },
        theirsTail: () => { const s = new ts.RSI(14); const o: number[] = []; for (let i = 0; i < N; i++) { const v = s.update(x[i]!, false); if (i >= N - TAIL) o.push(v ?? NaN); } return o; },
        tol: 1e-9,
      },
      {
        group: 'atr(14)',
        oursName: "createIndicator('atr', {period: 14}).update({high, low, close})",
        theirsName: 'trading-signals ATR(14).update({high, low, close}, false)',
        ours: () => { const s = createIndicator('atr', { period: 14 }); let acc = 0; for (let i = 0; i < N; i++) { const v = s.update(bars[i]!); if (v === v) acc += v; } return acc; },
        theirs: () => { const s = new ts.ATR(14); let acc = 0; for (let i = 0; i < N; i++) { const v = s.update(bars[i]!, false); if (v !== null) acc += v; } return acc; },
        oursTail: () => { const s = createIndicator('atr', { period: 14 }); const o: number[] = []; for (let i = 0; i < N; i++) { const v = s.update(bars[i]!); if (i >= N - TAIL) o.push(v); } return o; },
        theirsTail: () => { const s = new ts.ATR(14); const o: number[] = []; for (let i = 0; i < N; i++) { const v = s.update(bars[i]!, false); if (i >= N - TAIL) o.push(v ?? NaN); } return o; },
        tol: 1e-9,
      },
      {
        group: 'macd(12,26,9)',
        oursName: "createIndicator('macd', {}).update(x); macd + values[1] (signal)",
        theirsName: 'trading-signals MACD(EMA(12), EMA(26), EMA(9)).update(x, false); macd + signal',
        ours: () => { const s = createIndicator('macd', {}); let acc = 0; for (let i = 0; i < N; i++) { const v = s.update(x[i]!) + s.values[1]!; if (v === v) acc += v; } return acc; },
        theirs: () => { const s = new ts.MACD(new ts.EMA(12), new ts.EMA(26), new ts.EMA(9)); let acc = 0; for (let i = 0; i < N; i++) { const r = s.update(x[i]!, false); if (r) acc += r.macd + r.signal; } return acc; },
        oursTail: () => { const s = createIndicator('macd', {}); const o: number[] = []; for (let i = 0; i < N; i++) { const v = s.update(x[i]!) + s.values[1]!; if (i >= N - TAIL) o.push(v); } return o; },
        theirsTail: () => { const s = new ts.MACD(new ts.EMA(12), new ts.EMA(26), new ts.EMA(9)); const o: number[] = []; for (let i = 0; i < N; i++) { const r = s.update(x[i]!, false); if (i >= N - TAIL) o.push(r ? r.macd + r.signal : NaN); } return o; },
        tol: 1e-9,
      },
      {
        group: 'bbands(20,2)',
        oursName: "createIndicator('bbands', {period: 20}).update(x); upper + values[2] (lower); computes 5 outputs (also %B, bandwidth)",
        theirsName: 'trading-signals BollingerBands(20, 2).update(x, false); upper + lower',
        ours: () => { const s = createIndicator('bbands', { period: 20 }); let acc = 0; for (let i = 0; i < N; i++) { const v = s.update(x[i]!) + s.values[2]!; if (v === v) acc += v; } return acc; },
        theirs: () => { const s = new ts.BollingerBands(20, 2); let acc = 0; for (let i = 0; i < N; i++) { const r = s.update(x[i]!, false); if (r) acc += r.upper + r.lower; } return acc; },
        oursTail: () => { const s = createIndicator('bbands', { period: 20 }); const o: number[] = []; for (let i = 0; i < N; i++) { const v = s.update(x[i]!) + s.values[2]!; if (i >= N - TAIL) o.push(v); } return o; },
        theirsTail: () => { const s = new ts.BollingerBands(20, 2); const o: number[] = []; for (let i = 0; i < N; i++) { const r = s.update(x[i]!, false); if (i >= N - TAIL) o.push(r ? r.upper + r.lower : NaN); } return o; },
        tol: 1e-9,
      },
    ];

    const cases: BenchCase[] = [];
    for (const p of pairs) {
      let worst = 0;
      const verify = (): void => {
        const a = p.oursTail(), b = p.theirsTail();
        worst = 0;
        for (let k = 0; k < a.length; k++) {
          const rel = Math.abs(a[k]! - b[k]!) / Math.max(Math.abs(a[k]!), Math.abs(b[k]!), 1e-12);
          if (!(rel <= p.tol)) throw new Error(`ta-stream ${p.group}: neurion ${a[k]} vs trading-signals ${b[k]} at bar ${N - TAIL + k} (rel ${rel})`);
          worst = Math.max(worst, rel);
        }
        process.stdout.write(`(last 1000 values agree, max rel ${worst.toExponential(1)}) `);
      };
      cases.push({
        name: 'neurion createIndicator', group: p.group, tag: 'ours', baseline: true, items: N,
        notes: `${p.oursName}; fresh indicator per call, ${N} updates`,
        verify,
        fn: () => consume(p.ours()),
      });
      cases.push({
        name: 'trading-signals', group: p.group, tag: 'peer', items: N,
        notes: `${p.theirsName}; fresh indicator per call, ${N} updates`,
        fn: () => consume(p.theirs()),
      });
    }
    // The same EMA written inline in the loop: the floor for any JS streaming EMA.
    cases.push({
      name: 'plain JS inline loop (EMA, SMA seed)',
      group: 'ema(14)',
      tag: 'peer',
      items: N,
      notes: 'e = (x[i] - e) * k + e inline in the loop, no object: the floor for a JS streaming EMA',
      fn: () => {
        const k = 2 / 15;
        let n = 0, e = 0, acc = 0;
        for (let i = 0; i < N; i++) {
          const v = x[i]!;
          if (n < 14) { e += v; if (++n < 14) continue; e /= 14; } else e = (v - e) * k + e;
          acc += e;
        }
        consume(acc);
      },
    });

    return {
      name: 'ta-stream',
      description: `streaming indicators, ns per update over ${N.toLocaleString('en-US')} bars, neurion createIndicator vs trading-signals`,
      unit: 'update',
      params: {
        bars: N,
        seed: SEED,
        input: 'bench/suites/ta-peers.ts ohlcv(): mean-reverting OHLCV; ATR gets prebuilt {high, low, close} objects (both libraries)',
        tradingSignalsVersion: '8.3.0 (number-only classes; no Faster* variants in v8)',
        check: 'last 1000 values of each pair agree within rel 1e-9 (checked before timing)',
      },
      cases,
      skipped: [],
    };
  },
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await runSuite(taStreamSuite, parseOptions(process.argv.slice(2)));
}
