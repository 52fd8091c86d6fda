/**
 * Adaptive exit levels: TP and SL multipliers from the measured hit rates of the source's
 * recent trades and from the symbol's volatility regime, within bounds.
 *
 *   hit-rate part     m_tp,k = clamp(1 + gain (hit_k - target_k), min, max)
 *                     (TP_k reached more often than its target: move it out; less often: in)
 *                     m_sl   = clamp(1 + gain (stopRate - stopTarget), min, max)
 *                     (stopped out more often than the target: widen the stop)
 *                     with fewer than minTrades closed trades both parts are 1.
 *   regime part       v = ATR_now / mean(last longWindow ATRs); s = highScale if v > high,
 *                     lowScale if v < low, else 1
 *   result            clamp(m s, min, max) for every multiplier.
 * While the health gate is closed for the source, the multipliers are frozen at their last values.
 */
import type { ExitPlan } from './plan.js';
import { sourceStats, type ExitRecord } from './attribution.js';

export interface Multipliers {
  sl: number;
  tp: number[];
  /** The regime reading behind them (NaN when unknown). */
  volRatio: number;
  regime: 'low' | 'normal' | 'high';
}

const clamp = (x: number, lo: number, hi: number): number => Math.min(Math.max(x, lo), hi);

export function neutralMultipliers(levels: number): Multipliers {
  return { sl: 1, tp: new Array<number>(levels).fill(1), volRatio: NaN, regime: 'normal' };
}

export function adaptiveMultipliers(plan: ExitPlan, recent: readonly ExitRecord[], volRatio: number): Multipliers {
  const a = plan.adaptive;
  const levels = plan.takeProfits.length;
  if (!a.enabled) return neutralMultipliers(levels);
  const enough = recent.length >= a.minTrades;
  const st = sourceStats(recent, levels);
  const tp = plan.takeProfits.map((_, k) => {
    const target = a.tpTargets[Math.min(k, a.tpTargets.length - 1)]!;
    return enough ? clamp(1 + a.gain * (st.tpHitRate[k]! - target), a.min, a.max) : 1;
  });
  let sl = enough ? clamp(1 + a.gain * (st.stopRate - a.stopTarget), a.min, a.max) : 1;
  let regime: Multipliers['regime'] = 'normal';
  let scale = 1;
  if (a.regime.enabled && Number.isFinite(volRatio)) {
    if (volRatio > a.regime.high) { regime = 'high'; scale = a.regime.highScale; }
    else if (volRatio < a.regime.low) { regime = 'low'; scale = a.regime.lowScale; }
  }
  sl = clamp(sl * scale, a.min, a.max);
  return { sl, tp: tp.map((m) => clamp(m * scale, a.min, a.max)), volRatio, regime };
}
