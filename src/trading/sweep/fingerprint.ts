/**
 * A 64-bit fingerprint of a trade list, so two engines' trade lists can be compared without
 * storing them (the sweep keeps only this per parameter set and symbol).
 *
 * Two MurmurHash3 (x86_32) lanes with different seeds over the same 32-bit words, per closed
 * trade in order: entry bar index, exit bar index, then the low and high 32-bit words of
 * round(x * 1e6) for the entry price, the exit price and the quantity (micro-units: prices
 * and lots are far coarser, so the rounding only absorbs last-bit noise). Finalised with the
 * byte length and fmix32. Same definition in C++: native/sweep/fingerprint.h.
 *
 * Bar indices rather than times: `tradeFingerprint` maps each trade's entry/exit time (a
 * fill's time is its bar's close time) back to the bar index, so the same trades on the
 * same series give the same fingerprint whichever engine produced them.
 */
import type { Trade } from '../account.js';

const SEED1 = 0x243f6a88;
const SEED2 = 0x85a308d3;

function step(h: number, w: number): number {
  let k = Math.imul(w, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export class FingerprintBuilder {
  private h1 = SEED1 | 0;
  private h2 = SEED2 | 0;
  private words = 0;

  word(w: number): void {
    this.h1 = step(this.h1, w);
    this.h2 = step(this.h2, w ^ 0x9e3779b9);
    this.words++;
  }

  /** round(x * 1e6) as two words (low 32 bits, then the rest), x >= 0. */
  micros(x: number): void {
    const v = Math.round(x * 1e6);
    const hi = Math.floor(v / 4294967296);
    const lo = v - hi * 4294967296;
    this.word(lo >>> 0);
    this.word(hi >>> 0);
  }

  trade(entryBar: number, exitBar: number, entryPrice: number, exitPrice: number, qty: number): void {
    this.word(entryBar >>> 0);
    this.word(exitBar >>> 0);
    this.micros(entryPrice);
    this.micros(exitPrice);
    this.micros(qty);
  }

  get hi(): number {
    return fmix32(this.h1 ^ Math.imul(this.words, 4));
  }

  get lo(): number {
    return fmix32(this.h2 ^ Math.imul(this.words, 4));
  }

  get hex(): string {
    return fingerprintHex(this.hi, this.lo);
  }
}

/** 16 hex digits: hi word then lo word. */
export function fingerprintHex(hi: number, lo: number): string {
  return (hi >>> 0).toString(16).padStart(8, '0') + (lo >>> 0).toString(16).padStart(8, '0');
}

function indexOfTime(closeTime: Float64Array, t: number, what: string): number {
  let lo = 0, hi = closeTime.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (closeTime[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  if (closeTime[lo] !== t) throw new RangeError(`tradeFingerprint: ${what} ${t} is not the close time of any bar of the series`);
  return lo;
}

/**
 * The fingerprint of a backtest's trade list (e.g. runBacktest's `trades` for one symbol),
 * given the close times of the bars the trades were filled on (bar open time + timeframe).
 */
export function tradeFingerprint(trades: readonly Trade[], closeTime: Float64Array): { hi: number; lo: number; hex: string } {
  const fp = new FingerprintBuilder();
  for (const t of trades) {
    fp.trade(indexOfTime(closeTime, t.entryTime, 'entryTime'), indexOfTime(closeTime, t.exitTime, 'exitTime'), t.entryPrice, t.exitPrice, t.qty);
  }
  return { hi: fp.hi, lo: fp.lo, hex: fp.hex };
}
