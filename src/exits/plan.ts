/**
 * The exit plan every managed position carries, validated with zod (errors name the key and
 * the value, e.g. `config exitPlan.takeProfits.1.r = -2 (number): ...`).
 *
 * Levels are in R: R = the initial stop distance (price units). For a long entered at P with
 * stop distance d, TP_k sits at P + r_k m_k d (m_k the adaptive TP multiplier, 1 when
 * adaptation is off) and the initial stop at P - d.
 */
import { z } from 'zod';
import { parseOrThrow } from '../risk-manager/validate.js';

const posInt = (min = 1) => z.number().int().min(min);

export const stopRuleSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('fixed'),
    /** Stop distance in price units ... */
    distance: z.number().gt(0).optional(),
    /** ... or as a fraction of the entry price. */
    percent: z.number().gt(0).lt(1).optional(),
  }).strict().refine((s) => (s.distance === undefined) !== (s.percent === undefined), { message: 'a fixed stop needs exactly one of distance or percent' }),
  z.object({ kind: z.literal('atr'), multiple: z.number().gt(0).default(2), period: posInt().default(14) }).strict(),
  z.object({
    kind: z.literal('structure'),
    /** Long: the lowest low of the last `lookback` bars (the signal bar included); short: the highest high. */
    lookback: posInt().default(10),
    /** Extra distance beyond the swing level, in ATRs. */
    bufferAtr: z.number().min(0).default(0),
    period: posInt().default(14),
  }).strict(),
]);

const trailActivation = {
  /** Activate after this many TP levels have been reached (0 = from the entry). Default 1. */
  activateAfterTp: z.number().int().min(0).optional(),
  /** ... or once the best price has moved this many R in favour (wins over activateAfterTp). */
  activateAtR: z.number().gt(0).optional(),
};

export const trailingSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('atr'), multiple: z.number().gt(0).default(3), period: posInt().default(14), ...trailActivation }).strict(),
  z.object({ kind: z.literal('percent'), percent: z.number().gt(0).lt(1), ...trailActivation }).strict(),
]);

export const adaptiveSchema = z
  .object({
    enabled: z.boolean().default(false),
    /** Recent closed trades of the source used for the hit rates. */
    lookback: posInt().default(30),
    /** Fewer than this: hit-rate multipliers stay 1. */
    minTrades: posInt().default(10),
    /** Target hit rate of each TP level (the last one repeats for further levels). */
    tpTargets: z.array(z.number().min(0).max(1)).min(1).default([0.6, 0.4, 0.25]),
    /** Target share of trades closed by the initial stop. */
    stopTarget: z.number().min(0).max(1).default(0.4),
    /** m = clamp(1 + gain (measured - target), min, max). */
    gain: z.number().min(0).max(10).default(1),
    min: z.number().gt(0).max(1).default(0.5),
    max: z.number().min(1).max(10).default(2),
    regime: z
      .object({
        enabled: z.boolean().default(true),
        /** Volatility regime = ATR(atrPeriod) / mean of its last `longWindow` values. */
        atrPeriod: posInt().default(14),
        longWindow: posInt(2).default(100),
        high: z.number().gt(1).default(1.5),
        low: z.number().gt(0).lt(1).default(0.67),
        /** Multipliers are scaled by these in the high / low regimes (then clamped into [min, max]). */
        highScale: z.number().gt(0).default(1.25),
        lowScale: z.number().gt(0).default(0.8),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export const exitPlanSchema = z
  .object({
    stop: stopRuleSchema.default({ kind: 'atr', multiple: 2, period: 14 }),
    takeProfits: z.array(z.object({ r: z.number().gt(0), fraction: z.number().gt(0).max(1) }).strict()).max(10).default([{ r: 1, fraction: 0.5 }, { r: 2, fraction: 0.25 }]),
    /** Move the stop to the entry (plus breakevenOffsetR R) once TP1 is reached. */
    breakevenAfterTp1: z.boolean().default(true),
    breakevenOffsetR: z.number().min(0).max(10).default(0),
    trailing: trailingSchema.nullable().default({ kind: 'atr', multiple: 3, period: 14, activateAfterTp: 1 }),
    /** Close at the market after this many bars in the trade (null: no time stop). */
    timeStopBars: posInt().nullable().default(null),
    /**
     * 'resting': the managed stop is a stop order at the broker, moved as the plan moves it.
     * 'close': the managed stop is internal (hidden from the market): checked on each bar's
     * close and executed with a market order (next open).
     */
    internalStop: z.enum(['resting', 'close']).default('resting'),
    /** Hybrid stop's safety net: a stop order resting at the broker at `multiple` x the initial stop distance, never moved. */
    hardStop: z.object({ multiple: z.number().gt(1) }).strict().nullable().default(null),
    /** An opposite signal closes the position. */
    exitOnOppositeSignal: z.boolean().default(true),
    adaptive: adaptiveSchema.prefault({}),
  })
  .strict()
  .superRefine((p, ctx) => {
    const total = p.takeProfits.reduce((s, t) => s + t.fraction, 0);
    if (total > 1 + 1e-9) ctx.addIssue({ code: 'custom', path: ['takeProfits'], message: `fractions must sum to at most 1, got ${total}` });
    for (let k = 1; k < p.takeProfits.length; k++) {
      if (!(p.takeProfits[k]!.r > p.takeProfits[k - 1]!.r)) ctx.addIssue({ code: 'custom', path: ['takeProfits', k, 'r'], message: `must be greater than takeProfits[${k - 1}].r (${p.takeProfits[k - 1]!.r})` });
    }
  });

export type ExitPlan = z.output<typeof exitPlanSchema>;
export type ExitPlanInput = z.input<typeof exitPlanSchema>;
export type StopRule = ExitPlan['stop'];
export type TrailingRule = NonNullable<ExitPlan['trailing']>;

export function parseExitPlan(raw: unknown = {}): ExitPlan {
  return parseOrThrow(exitPlanSchema, raw ?? {}, 'exitPlan');
}

/** ATR periods a plan needs (stop, trailing, structure buffer, regime). */
export function planAtrPeriods(p: ExitPlan): number[] {
  const out = [p.stop.kind === 'fixed' ? 14 : p.stop.period];
  if (p.trailing?.kind === 'atr') out.push(p.trailing.period);
  if (p.adaptive.enabled && p.adaptive.regime.enabled) out.push(p.adaptive.regime.atrPeriod);
  return [...new Set(out)];
}
