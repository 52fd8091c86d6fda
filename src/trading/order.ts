/**
 * Orders, their lifecycle events and the order state machine: one table of
 * (status, event) -> status that rejects anything undefined (NautilusTrader's approach).
 */
import { describeValue } from '../errors.js';

export type Side = 'buy' | 'sell';
export type OrderType = 'market' | 'limit' | 'stop' | 'stopLimit' | 'trailingStop';
export type TimeInForce = 'GTC' | 'IOC' | 'FOK' | 'DAY';
export type OrderStatus = 'initialized' | 'submitted' | 'accepted' | 'partiallyFilled' | 'filled' | 'cancelled' | 'rejected' | 'expired';
export type OrderEventKind = 'submitted' | 'accepted' | 'rejected' | 'partiallyFilled' | 'filled' | 'cancelled' | 'expired' | 'triggered' | 'updated';

export interface OrderRequest {
  symbol: string;
  side: Side;
  type: OrderType;
  /** Positive quantity in units (shares, coins, contracts). Ignored with allIn. */
  qty?: number;
  /**
   * Size at the fill instead of at submission: a buy takes the whole lots the cash affords
   * at the fill price, fees included; a sell closes the whole long position. This is how
   * "all available equity" orders avoid rejection when the next open gaps up.
   */
  allIn?: boolean;
  limitPrice?: number;
  stopPrice?: number;
  /** Trailing stops: distance in price units, or as a fraction of the best price. */
  trailAmount?: number;
  trailPercent?: number;
  tif?: TimeInForce;
  /** May only reduce an existing position (never open or flip one). */
  reduceOnly?: boolean;
  clientOrderId?: string;
  /** Free-form tag carried to fills and trades (signal source, exit rule, ...). */
  tag?: string;
}

export interface Order extends Required<Pick<OrderRequest, 'symbol' | 'side' | 'type' | 'tif' | 'reduceOnly' | 'clientOrderId'>> {
  id: number;
  /** Quantity; for allIn orders 0 until sized at the first fill. */
  qty: number;
  allIn: boolean;
  limitPrice?: number;
  stopPrice?: number;
  trailAmount?: number;
  trailPercent?: number;
  tag?: string;
  status: OrderStatus;
  filledQty: number;
  avgFillPrice: number;
  /** Time (ms) the order was submitted, and the first time it may fill (latency). */
  submittedAt: number;
  activeFrom: number;
  /** Bar index from which it may fill (latency in bars). */
  activeFromBar: number;
  /** Stop orders: set once the stop price has been crossed. */
  triggered: boolean;
  /** Trailing stops: best price seen since activation. */
  trailAnchor?: number;
  rejectReason?: string;
}

export interface OrderEvent {
  kind: OrderEventKind;
  orderId: number;
  clientOrderId: string;
  symbol: string;
  time: number;
  status: OrderStatus;
  reason?: string;
  fillQty?: number;
  fillPrice?: number;
}

/** The state machine. Terminal states have no way out. */
const TRANSITIONS: Readonly<Record<OrderStatus, Partial<Record<OrderEventKind, OrderStatus>>>> = {
  initialized: { submitted: 'submitted', rejected: 'rejected' },
  submitted: { accepted: 'accepted', rejected: 'rejected', cancelled: 'cancelled' },
  accepted: { partiallyFilled: 'partiallyFilled', filled: 'filled', cancelled: 'cancelled', expired: 'expired', triggered: 'accepted', updated: 'accepted', rejected: 'rejected' },
  partiallyFilled: { partiallyFilled: 'partiallyFilled', filled: 'filled', cancelled: 'cancelled', expired: 'expired', triggered: 'partiallyFilled', updated: 'partiallyFilled' },
  filled: {},
  cancelled: {},
  rejected: {},
  expired: {},
};

export function nextStatus(status: OrderStatus, event: OrderEventKind): OrderStatus {
  const next = TRANSITIONS[status][event];
  if (next === undefined) throw new Error(`invalid order transition: ${event} in status ${status}`);
  return next;
}

export function isOpen(o: Order): boolean {
  return o.status === 'submitted' || o.status === 'accepted' || o.status === 'partiallyFilled';
}

export function isTerminal(s: OrderStatus): boolean {
  return s === 'filled' || s === 'cancelled' || s === 'rejected' || s === 'expired';
}

const TYPES: readonly OrderType[] = ['market', 'limit', 'stop', 'stopLimit', 'trailingStop'];
const TIFS: readonly TimeInForce[] = ['GTC', 'IOC', 'FOK', 'DAY'];

/** Checks an order request's shape and values; throws naming the field. */
export function validateOrderRequest(r: OrderRequest): void {
  if (typeof r !== 'object' || r === null) throw new TypeError(`order must be an object, got ${describeValue(r)}`);
  if (typeof r.symbol !== 'string' || r.symbol === '') throw new TypeError(`order.symbol must be a non-empty string, got ${describeValue(r.symbol)}`);
  if (r.side !== 'buy' && r.side !== 'sell') throw new RangeError(`order.side must be buy or sell, got ${describeValue(r.side)}`);
  if (!TYPES.includes(r.type)) throw new RangeError(`order.type must be one of ${TYPES.join(', ')}, got ${describeValue(r.type)}`);
  if (r.allIn !== undefined && typeof r.allIn !== 'boolean') throw new TypeError(`order.allIn must be a boolean, got ${describeValue(r.allIn)}`);
  if (!r.allIn && (typeof r.qty !== 'number' || !(r.qty > 0) || !Number.isFinite(r.qty))) throw new RangeError(`order.qty must be a positive number, got ${describeValue(r.qty)}`);
  if (r.tif !== undefined && !TIFS.includes(r.tif)) throw new RangeError(`order.tif must be one of ${TIFS.join(', ')}, got ${describeValue(r.tif)}`);
  const price = (field: 'limitPrice' | 'stopPrice'): void => {
    const v = r[field];
    if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) throw new RangeError(`order.${field} must be a positive number for ${r.type} orders, got ${describeValue(v)}`);
  };
  if (r.type === 'limit' || r.type === 'stopLimit') price('limitPrice');
  if (r.type === 'stop' || r.type === 'stopLimit') price('stopPrice');
  if (r.type === 'trailingStop') {
    const a = r.trailAmount, p = r.trailPercent;
    if ((a === undefined) === (p === undefined)) throw new RangeError('order: a trailingStop needs exactly one of trailAmount or trailPercent');
    if (a !== undefined && !(a > 0)) throw new RangeError(`order.trailAmount must be positive, got ${describeValue(a)}`);
    if (p !== undefined && !(p > 0 && p < 1)) throw new RangeError(`order.trailPercent must be in (0, 1), got ${describeValue(p)}`);
  }
}
