/** Built-in example strategies, by name (used by `neurion backtest`). */
import { describeValue } from '../../errors.js';
import type { Strategy } from '../strategy.js';
import type { Bars } from '../../data/bars.js';
import { loadShippedSignal, type ShippedSignal } from '../../app/model-signal.js';
import { SignalStrategy } from './model-signal.js';
import { DonchianBreakout } from './donchian-breakout.js';
import { RsiReversion } from './rsi-reversion.js';
import { SmaCross } from './sma-cross.js';

export { SmaCross, RsiReversion, DonchianBreakout };

export interface StrategyInfo {
  name: string;
  summary: string;
  params: Record<string, number | string>;
  /** A fresh instance (one per symbol); `feeds` are the series the backtest replays. */
  create(params: Record<string, number | string>, feeds: readonly Bars[]): Strategy;
  /** First bar time this strategy should be evaluated from when the user gives none (e.g. a model's out-of-sample span). */
  defaultStart?(): number | undefined;
}

export const STRATEGIES: readonly StrategyInfo[] = [
  { name: 'sma-cross', summary: 'SMA crossover, long-only, all equity in whole units', params: { fast: 50, slow: 200 }, create: (p) => new SmaCross({ fast: Number(p.fast), slow: Number(p.slow), mode: 'longOnly' }) },
  { name: 'sma-reverse', summary: 'SMA crossover, stop-and-reverse (needs --allow-short)', params: { fast: 50, slow: 200 }, create: (p) => new SmaCross({ fast: Number(p.fast), slow: Number(p.slow), mode: 'stopAndReverse' }) },
  { name: 'rsi-reversion', summary: 'RSI mean reversion: buy below lower, sell above upper', params: { period: 14, lower: 30, upper: 70 }, create: (p) => new RsiReversion({ period: Number(p.period), lower: Number(p.lower), upper: Number(p.upper) }) },
  { name: 'donchian', summary: 'Donchian channel breakout (turtle-style entry/exit channels)', params: { entry: 20, exit: 10 }, create: (p) => new DonchianBreakout({ entry: Number(p.entry), exit: Number(p.exit) }) },
  {
    name: 'model',
    summary: "the shipped model's signal (models/, GRU by default): long on UP, flat on DOWN; from its out-of-sample test span unless --from is given",
    params: { minConfidence: 0 },
    create: (p, feeds) => new SignalStrategy(shippedSignal().signal(feeds), Number(p.minConfidence)),
    defaultStart: () => shippedSignal().testStart,
  },
];

let shipped: ShippedSignal | undefined;
function shippedSignal(): ShippedSignal {
  shipped ??= loadShippedSignal() ?? undefined;
  if (!shipped) throw new RangeError('strategy model: no trained model is shipped in models/ (train one with neurion train)');
  return shipped;
}

export function getStrategy(name: string): StrategyInfo {
  const s = STRATEGIES.find((x) => x.name === name);
  if (!s) throw new RangeError(`unknown strategy ${describeValue(name)} (known: ${STRATEGIES.map((x) => x.name).join(', ')})`);
  return s;
}
