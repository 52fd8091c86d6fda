/** Built-in example strategies, by name (used by `neurion backtest`). */
import { describeValue } from '../../errors.js';
import type { Strategy } from '../strategy.js';
import { DonchianBreakout } from './donchian-breakout.js';
import { RsiReversion } from './rsi-reversion.js';
import { SmaCross } from './sma-cross.js';

export { SmaCross, RsiReversion, DonchianBreakout };

export interface StrategyInfo {
  name: string;
  summary: string;
  params: Record<string, number | string>;
  create(params: Record<string, number | string>): Strategy;
}

export const STRATEGIES: readonly StrategyInfo[] = [
  { name: 'sma-cross', summary: 'SMA crossover, long-only, all equity in whole units', params: { fast: 50, slow: 200 }, create: (p) => new SmaCross({ fast: Number(p.fast), slow: Number(p.slow), mode: 'longOnly' }) },
  { name: 'sma-reverse', summary: 'SMA crossover, stop-and-reverse (needs --allow-short)', params: { fast: 50, slow: 200 }, create: (p) => new SmaCross({ fast: Number(p.fast), slow: Number(p.slow), mode: 'stopAndReverse' }) },
  { name: 'rsi-reversion', summary: 'RSI mean reversion: buy below lower, sell above upper', params: { period: 14, lower: 30, upper: 70 }, create: (p) => new RsiReversion({ period: Number(p.period), lower: Number(p.lower), upper: Number(p.upper) }) },
  { name: 'donchian', summary: 'Donchian channel breakout (turtle-style entry/exit channels)', params: { entry: 20, exit: 10 }, create: (p) => new DonchianBreakout({ entry: Number(p.entry), exit: Number(p.exit) }) },
];

export function getStrategy(name: string): StrategyInfo {
  const s = STRATEGIES.find((x) => x.name === name);
  if (!s) throw new RangeError(`unknown strategy ${describeValue(name)} (known: ${STRATEGIES.map((x) => x.name).join(', ')})`);
  return s;
}
