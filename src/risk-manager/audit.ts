/**
 * The risk audit trail: every decision the risk manager takes is one event with its reason.
 *
 * Order decisions:    accept | resize | reject
 * Circuit breakers:   dailyHalt | dailyResume | killSwitch | killSwitchReset | volPause | volResume
 * Health gate:        healthDegraded | healthRestored
 * Execution:          flatten (kill-switch flatten orders) | brokerReject (a managed order the broker refused)
 * Exit manager:       exitAdjust (adaptive TP/SL multipliers changed) | exitFrozen (left unchanged: health gate closed)
 *                     | exitTighten (pre-emptive tightening on a warning)
 */
export type TradingState = 'ACTIVE' | 'REDUCING' | 'HALTED';

export type RiskEventKind =
  | 'accept' | 'resize' | 'reject'
  | 'dailyHalt' | 'dailyResume' | 'killSwitch' | 'killSwitchReset' | 'volPause' | 'volResume'
  | 'healthDegraded' | 'healthRestored'
  | 'flatten' | 'brokerReject'
  | 'exitAdjust' | 'exitFrozen' | 'exitTighten';

export interface RiskEvent {
  seq: number;
  /** Engine time (ms) of the decision. */
  time: number;
  kind: RiskEventKind;
  /** Trading state when the event was recorded (after a state change, the new state). */
  state: TradingState;
  reason: string;
  symbol?: string;
  source?: string;
  /** Order decisions: what was asked, what was allowed, and the limits that cut or refused it. */
  side?: 'buy' | 'sell';
  requestedQty?: number;
  qty?: number;
  checks?: string[];
  details?: Record<string, number | string | boolean>;
}

export class AuditTrail {
  readonly events: RiskEvent[] = [];
  private seq = 0;
  constructor(private readonly listener?: (e: RiskEvent) => void) {}

  record(e: Omit<RiskEvent, 'seq'>): RiskEvent {
    const ev: RiskEvent = { seq: ++this.seq, ...e };
    this.events.push(ev);
    this.listener?.(ev);
    return ev;
  }

  byKind(kind: RiskEventKind): RiskEvent[] {
    return this.events.filter((e) => e.kind === kind);
  }

  counts(): Partial<Record<RiskEventKind, number>> {
    const c: Partial<Record<RiskEventKind, number>> = {};
    for (const e of this.events) c[e.kind] = (c[e.kind] ?? 0) + 1;
    return c;
  }
}
