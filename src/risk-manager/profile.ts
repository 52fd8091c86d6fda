/**
 * Risk profiles: how much to risk per trade, how to size, and the limits and circuit breakers.
 * Validated with zod; every field has a default (the issue's defaults: 2% risk per trade at the
 * stop, 5% daily loss limit, 8% maximum drawdown), so a profile file only states what differs.
 * Shipped profiles: src/risk-manager/profiles/{conservative,moderate,aggressive}.json.
 *
 * A profile cannot disable the kill switch: `killSwitch.enabled` only accepts true and
 * `limits.maxDrawdown` must lie in (0, 0.5].
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { projectRoot } from '../util/paths.js';
import { parseOrThrow } from './validate.js';

export const SIZING_METHODS = ['fixedFractional', 'atr', 'volTarget', 'kelly', 'multiKelly'] as const;
export type SizingMethod = (typeof SIZING_METHODS)[number];

const fraction = (max = 1) => z.number().gt(0).max(max);
const unit = () => z.number().min(0).max(1);
const posInt = (min = 1) => z.number().int().min(min);

const outcome = z.object({ p: unit(), r: z.number().min(-1e6).max(1e6) }).strict();

const sizingSchema = z
  .object({
    method: z.enum(SIZING_METHODS).default('atr'),
    /** Fraction of equity lost if the stop is hit (fixedFractional and atr). */
    riskPerTrade: fraction(0.2).default(0.02),
    atr: z.object({ period: posInt().default(14), multiple: z.number().gt(0).max(100).default(2) }).strict().prefault({}),
    volTarget: z
      .object({
        /** Target annualised portfolio volatility. */
        annualVol: fraction(5).default(0.1),
        /** Returns used for volatilities and covariances. */
        lookback: posInt(2).default(60),
        /** Periods per year for annualising; absent: measured from the bar timestamps. */
        periodsPerYear: z.number().gt(0).optional(),
      })
      .strict()
      .prefault({}),
    kelly: z
      .object({
        winProbability: z.number().gt(0).lt(1).default(0.55),
        /** Average win / average loss (in R). */
        payoff: z.number().gt(0).default(1.5),
        /** Fractional Kelly multiplier (0.5 = half Kelly). */
        fraction: fraction(1).default(0.5),
        /** The Kelly fraction is clamped into [0, cap]. */
        cap: z.number().min(0).max(0.5).default(0.5),
        /** Estimate p and payoff from the source's recent closed trades once it has minTrades. */
        useHistory: z.boolean().default(false),
        minTrades: posInt().default(20),
        lookback: posInt().default(50),
      })
      .strict()
      .prefault({}),
    multiKelly: z
      .object({
        /** Outcomes per unit risked: r = +1.5 wins 1.5R, -1 loses the stake at the stop, 0 is flat. */
        outcomes: z.array(outcome).min(2).default([{ p: 0.45, r: 1.5 }, { p: 0.35, r: -1 }, { p: 0.2, r: 0 }]),
        fraction: fraction(1).default(0.5),
        cap: z.number().min(0).max(0.5).default(0.5),
      })
      .strict()
      .prefault({}),
    confidence: z
      .object({
        enabled: z.boolean().default(true),
        /** Calibrated confidence below this is refused; at it the factor is `min`, at 1 it is `max`. */
        floor: z.number().min(0).lt(1).default(0.5),
        min: z.number().min(0).max(10).default(0.5),
        max: z.number().min(0).max(10).default(1.5),
      })
      .strict()
      .prefault({}),
    performance: z
      .object({
        enabled: z.boolean().default(true),
        /** Closed trades of the source considered. */
        lookback: posInt().default(20),
        /** Fewer closed trades than this: factor 1. */
        minTrades: posInt().default(10),
        /** Hit rate that earns factor 1; factor = hitRate / baseline clamped into [min, max]. */
        baseline: z.number().gt(0).max(1).default(0.5),
        min: z.number().min(0).max(10).default(0.25),
        max: z.number().min(0).max(10).default(1.25),
      })
      .strict()
      .prefault({}),
  })
  .strict();

const limitsSchema = z
  .object({
    maxRiskPerTrade: fraction(0.5).default(0.03),
    /** Largest position notional as a fraction of equity. */
    maxPositionNotional: fraction(100).default(1),
    /** Gross exposure / equity (also bounded by the account's leverage and perps' maxLeverage). */
    maxLeverage: fraction(100).default(1),
    maxGrossExposure: fraction(100).default(1),
    maxNetExposure: fraction(100).default(1),
    maxOpenPositions: posInt().default(10),
    /** Sector of each symbol, and the cap per sector (gross notional / equity). */
    sectors: z.record(z.string(), z.string().min(1)).default({}),
    sectorCaps: z.record(z.string(), fraction(100)).default({}),
    /** Cap per instrument asset class (equity, fx, crypto, perp). */
    assetClassCaps: z.partialRecord(z.enum(['equity', 'fx', 'crypto', 'perp']), fraction(100)).default({}),
    /** Largest direction-adjusted return correlation with any open position. */
    maxCorrelation: z.number().min(0).max(1).default(0.8),
    correlationLookback: posInt(5).default(60),
    /** No new entries for the rest of the (UTC) day once the day's loss reaches this fraction. */
    dailyLossLimit: fraction(1).default(0.05),
    /** Drawdown from the equity peak that engages the kill switch. */
    maxDrawdown: z.number().gt(0, { error: 'must be > 0 (the kill switch cannot be disabled)' }).max(0.5, { error: 'must be <= 0.5 (the kill switch cannot be disabled)' }).default(0.08),
    volatilityBreaker: z
      .object({
        enabled: z.boolean().default(true),
        shortWindow: posInt(2).default(5),
        longWindow: posInt(3).default(60),
        /** Entries pause while sd(short window) / sd(long window) of returns exceeds this. */
        ratio: z.number().gt(1).default(2.5),
      })
      .strict()
      .prefault({}),
    health: z
      .object({
        /** Sources or feeds reporting a health score below this are closed for entries. */
        minScore: unit().default(0.5),
        /** A feed whose latest bar is older than this many bar steps is stale. */
        maxDataAgeBars: z.number().gt(0).default(3),
        /** After a model error (the signal function threw), the source stays closed until this many calls in a row succeed. */
        errorCooldownBars: posInt().default(3),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export const riskProfileSchema = z
  .object({
    name: z.string().min(1).default('custom'),
    description: z.string().default(''),
    sizing: sizingSchema.prefault({}),
    limits: limitsSchema.prefault({}),
    killSwitch: z
      .object({ enabled: z.literal(true, { error: 'the kill switch cannot be disabled by a profile (only true is accepted)' }) })
      .strict()
      .prefault({ enabled: true }),
  })
  .strict()
  .superRefine((p, ctx) => {
    const c = p.sizing.confidence, f = p.sizing.performance, v = p.limits.volatilityBreaker;
    if (c.min > c.max) ctx.addIssue({ code: 'custom', path: ['sizing', 'confidence', 'min'], message: `must be <= sizing.confidence.max (${c.max})` });
    if (f.min > f.max) ctx.addIssue({ code: 'custom', path: ['sizing', 'performance', 'min'], message: `must be <= sizing.performance.max (${f.max})` });
    if (v.shortWindow >= v.longWindow) ctx.addIssue({ code: 'custom', path: ['limits', 'volatilityBreaker', 'shortWindow'], message: `must be < limits.volatilityBreaker.longWindow (${v.longWindow})` });
    const outs = p.sizing.multiKelly.outcomes;
    const total = outs.reduce((s, o) => s + o.p, 0);
    if (Math.abs(total - 1) > 1e-9) ctx.addIssue({ code: 'custom', path: ['sizing', 'multiKelly', 'outcomes'], message: `probabilities must sum to 1, got ${total}` });
    if (!outs.some((o) => o.r < 0)) ctx.addIssue({ code: 'custom', path: ['sizing', 'multiKelly', 'outcomes'], message: 'needs at least one losing outcome (r < 0)' });
    for (const [sector] of Object.entries(p.limits.sectorCaps)) {
      if (!Object.values(p.limits.sectors).includes(sector)) ctx.addIssue({ code: 'custom', path: ['limits', 'sectorCaps', sector], message: `no symbol is mapped to sector "${sector}" in limits.sectors` });
    }
  });

export type RiskProfile = z.output<typeof riskProfileSchema>;
export type RiskProfileInput = z.input<typeof riskProfileSchema>;

export const SHIPPED_PROFILES = ['conservative', 'moderate', 'aggressive'] as const;

/** Folder of the shipped profile files. */
export function profilesDir(): string {
  return join(projectRoot(), 'src', 'risk-manager', 'profiles');
}

/** Validates a profile object; errors name the key and the value (ConfigError). */
export function parseRiskProfile(raw: unknown, origin?: string): RiskProfile {
  return parseOrThrow(riskProfileSchema, raw, 'profile', origin);
}

/**
 * A profile by shipped name ('conservative' | 'moderate' | 'aggressive'), by JSON file path, or
 * as an object (validated). Unknown names list what exists.
 */
export function loadRiskProfile(p: string | RiskProfileInput | RiskProfile = 'moderate'): RiskProfile {
  if (typeof p !== 'string') return parseRiskProfile(p);
  const shipped = (SHIPPED_PROFILES as readonly string[]).includes(p);
  const file = shipped ? join(profilesDir(), `${p}.json`) : resolve(p);
  if (!existsSync(file)) throw new ConfigError('profile', p, `not a shipped profile (${SHIPPED_PROFILES.join(', ')}) nor an existing file`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ConfigError('profile', p, `not valid JSON (${(e as Error).message})`);
  }
  return parseRiskProfile(raw, file);
}
