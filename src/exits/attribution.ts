/**
 * Exit attribution: each closed managed position becomes an ExitRecord carrying its signal
 * source and the exit rule that closed it; per-source statistics follow from the records.
 *
 * R = price P&L of all the position's exit fills / (initial stop distance x initial quantity
 * x multiplier) - gross of fees, so it measures the plan, not the fee schedule.
 * A TP level counts as hit when the best price during the trade reached it (its order filled,
 * or it was reached with a quantity too small to place).
 * Exit rules: stop (initial stop), breakeven, trail, tightened (pre-emptive), tp1.., time,
 * hard (the broker-side hard stop), signal (opposite signal), kill (kill switch), external.
 */
export interface ExitRecord {
  symbol: string;
  source: string;
  direction: 'long' | 'short';
  entryTime: number;
  exitTime: number;
  entryPrice: number;
  /** Quantity-weighted average exit price. */
  exitPrice: number;
  qty: number;
  stopDistance: number;
  r: number;
  /** Gross price P&L (quote currency). */
  pnl: number;
  exitRule: string;
  tpHits: boolean[];
  bars: number;
  /** Multipliers used for the levels (adaptive; 1 when off). */
  slMultiplier: number;
  tpMultipliers: number[];
}

export interface SourceStats {
  trades: number;
  winRate: number;
  avgR: number;
  /** Hit rate of each TP level. */
  tpHitRate: number[];
  /** Share of trades closed by the initial stop. */
  stopRate: number;
  exitRules: Record<string, number>;
}

export function sourceStats(records: readonly ExitRecord[], levels: number): SourceStats {
  const n = records.length;
  const exitRules: Record<string, number> = {};
  for (const r of records) exitRules[r.exitRule] = (exitRules[r.exitRule] ?? 0) + 1;
  return {
    trades: n,
    winRate: n ? records.filter((r) => r.r > 0).length / n : NaN,
    avgR: n ? records.reduce((s, r) => s + r.r, 0) / n : NaN,
    tpHitRate: Array.from({ length: levels }, (_, k) => (n ? records.filter((r) => r.tpHits[k]).length / n : NaN)),
    stopRate: n ? (exitRules.stop ?? 0) / n : NaN,
    exitRules,
  };
}

export class Attribution {
  readonly records: ExitRecord[] = [];
  private readonly bySource = new Map<string, ExitRecord[]>();

  add(r: ExitRecord): void {
    this.records.push(r);
    let l = this.bySource.get(r.source);
    if (!l) this.bySource.set(r.source, (l = []));
    l.push(r);
  }

  /** The source's last `lookback` records (all when omitted). */
  recent(source: string, lookback?: number): ExitRecord[] {
    const l = this.bySource.get(source) ?? [];
    return lookback === undefined ? l.slice() : l.slice(-lookback);
  }

  sources(): string[] {
    return [...this.bySource.keys()];
  }

  stats(source: string, levels: number, lookback?: number): SourceStats {
    return sourceStats(this.recent(source, lookback), levels);
  }

  /** Statistics of every source. */
  all(levels: number): Record<string, SourceStats> {
    return Object.fromEntries(this.sources().map((s) => [s, this.stats(s, levels)]));
  }
}
