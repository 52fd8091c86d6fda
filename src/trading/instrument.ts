/**
 * Instruments: what is traded and how it is priced, sized and charged.
 *
 * Spot instruments (equity, FX, crypto spot) settle the full notional in cash. Perpetual
 * futures are margined: only fees, realised P&L and funding move cash; the position holds
 * margin = notional / leverage.
 */
import { describeValue } from '../errors.js';

export type AssetClass = 'equity' | 'fx' | 'crypto' | 'perp';

export type FeeSchedule =
  /** Basis points of notional; maker for resting limit fills, taker otherwise; per-fill minimum in quote currency. */
  | { kind: 'bps'; maker: number; taker: number; minimum?: number }
  /** Per share/unit with a per-order minimum and an optional cap as a fraction of notional (US-broker style). */
  | { kind: 'perShare'; perShare: number; minimum?: number; maxFraction?: number }
  /** Volume tiers: the tier whose `fromNotional` the cumulative traded notional has reached applies. */
  | { kind: 'tiers'; tiers: Array<{ fromNotional: number; maker: number; taker: number }>; minimum?: number };

export interface Instrument {
  symbol: string;
  assetClass: AssetClass;
  /** Smallest price increment; fill prices are rounded to it (against the trader). */
  tickSize: number;
  /** Smallest quantity increment; order quantities must be multiples of it. */
  lotSize: number;
  /** Contract multiplier: P&L = qty * price change * multiplier. */
  multiplier: number;
  /** Smallest order notional accepted (0: none). */
  minNotional: number;
  fees: FeeSchedule;
  /** Maximum leverage (perps and margin accounts); 1 for cash-only spot. */
  maxLeverage: number;
  /** Funding per interval as a fraction of notional (perps; longs pay when positive). */
  fundingRate?: number;
  /** Funding interval in ms (perps; default 8 h). */
  fundingIntervalMs?: number;
}

export const NO_FEES: FeeSchedule = { kind: 'bps', maker: 0, taker: 0 };

function positive(field: string, v: unknown): void {
  if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) throw new RangeError(`instrument ${field} must be a positive number, got ${describeValue(v)}`);
}
function nonNegative(field: string, v: unknown): void {
  if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v)) throw new RangeError(`instrument ${field} must be a non-negative number, got ${describeValue(v)}`);
}

export function validateFees(f: FeeSchedule, where = 'fees'): void {
  if (typeof f !== 'object' || f === null) throw new TypeError(`${where} must be an object, got ${describeValue(f)}`);
  if (f.kind === 'bps') {
    nonNegative(`${where}.maker`, f.maker);
    nonNegative(`${where}.taker`, f.taker);
  } else if (f.kind === 'perShare') {
    nonNegative(`${where}.perShare`, f.perShare);
    if (f.maxFraction !== undefined) nonNegative(`${where}.maxFraction`, f.maxFraction);
  } else if (f.kind === 'tiers') {
    if (!Array.isArray(f.tiers) || f.tiers.length === 0) throw new RangeError(`${where}.tiers must be a non-empty array`);
    f.tiers.forEach((t, i) => {
      nonNegative(`${where}.tiers[${i}].fromNotional`, t.fromNotional);
      nonNegative(`${where}.tiers[${i}].maker`, t.maker);
      nonNegative(`${where}.tiers[${i}].taker`, t.taker);
    });
  } else {
    throw new RangeError(`${where}.kind must be bps, perShare or tiers, got ${describeValue((f as { kind: unknown }).kind)}`);
  }
  if (f.minimum !== undefined) nonNegative(`${where}.minimum`, f.minimum);
}

export function makeInstrument(p: Partial<Instrument> & { symbol: string }): Instrument {
  if (typeof p.symbol !== 'string' || p.symbol === '') throw new TypeError(`instrument symbol must be a non-empty string, got ${describeValue(p.symbol)}`);
  const assetClass = p.assetClass ?? 'equity';
  const i: Instrument = {
    symbol: p.symbol,
    assetClass,
    tickSize: p.tickSize ?? (assetClass === 'fx' ? 0.00001 : 0.01),
    lotSize: p.lotSize ?? (assetClass === 'crypto' || assetClass === 'perp' ? 0.0001 : 1),
    multiplier: p.multiplier ?? 1,
    minNotional: p.minNotional ?? 0,
    fees: p.fees ?? NO_FEES,
    maxLeverage: p.maxLeverage ?? (assetClass === 'perp' ? 10 : 1),
    fundingRate: p.fundingRate ?? (assetClass === 'perp' ? 0.0001 : undefined),
    fundingIntervalMs: p.fundingIntervalMs ?? (assetClass === 'perp' ? 8 * 3_600_000 : undefined),
  };
  if (!['equity', 'fx', 'crypto', 'perp'].includes(assetClass)) throw new RangeError(`instrument assetClass must be equity, fx, crypto or perp, got ${describeValue(assetClass)}`);
  positive('tickSize', i.tickSize);
  positive('lotSize', i.lotSize);
  positive('multiplier', i.multiplier);
  nonNegative('minNotional', i.minNotional);
  positive('maxLeverage', i.maxLeverage);
  validateFees(i.fees);
  return i;
}

/** Fee for one fill, in quote currency. `cumulativeNotional` selects the tier for tiered schedules. */
export function feeFor(f: FeeSchedule, qty: number, price: number, multiplier: number, maker: boolean, cumulativeNotional = 0): number {
  const notional = Math.abs(qty) * price * multiplier;
  let fee: number;
  if (f.kind === 'bps') fee = (notional * (maker ? f.maker : f.taker)) / 1e4;
  else if (f.kind === 'perShare') {
    fee = Math.abs(qty) * f.perShare;
    if (f.maxFraction !== undefined) fee = Math.min(fee, f.maxFraction * notional);
  } else {
    let tier = f.tiers[0]!;
    for (const t of f.tiers) if (cumulativeNotional >= t.fromNotional) tier = t;
    fee = (notional * (maker ? tier.maker : tier.taker)) / 1e4;
  }
  return Math.max(fee, f.minimum ?? 0);
}

/** Rounds a price to the instrument's tick, against the trader (buys up, sells down). */
export function roundPrice(price: number, tick: number, side: 'buy' | 'sell'): number {
  const q = price / tick;
  const r = side === 'buy' ? Math.ceil(q - 1e-9) : Math.floor(q + 1e-9);
  return Number((r * tick).toPrecision(15));
}

/** Rounds a quantity down to whole lots. */
export function roundQty(qty: number, lot: number): number {
  return Number((Math.floor(qty / lot + 1e-9) * lot).toPrecision(15));
}
