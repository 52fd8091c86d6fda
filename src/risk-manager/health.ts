/**
 * The health gate: signal sources (models) and data feeds report their health; while one is
 * degraded, new entries that depend on it are refused (exits are never blocked).
 *
 * A name is degraded when its last report carries an error (model error, feed error), marks
 * it stale, or has a health score below `minScore`. The next report without those clears it.
 * Feed staleness by age is checked by the risk manager at decision time (limits.health.maxDataAgeBars).
 */
import { describeValue } from '../errors.js';

export interface HealthReport {
  /** Signal source name, or a feed's symbol. */
  name: string;
  /** Health score in [0, 1] (1 = fully healthy). */
  score?: number;
  /** A model or feed error; null or absent = none. */
  error?: string | null;
  /** The data behind it is stale. */
  stale?: boolean;
}

interface Entry {
  degraded: boolean;
  reason: string;
}

export class HealthGate {
  private readonly entries = new Map<string, Entry>();
  constructor(readonly minScore: number, private readonly onChange: (name: string, degraded: boolean, reason: string) => void = () => {}) {}

  report(r: HealthReport): void {
    if (typeof r?.name !== 'string' || r.name === '') throw new TypeError(`health report name must be a non-empty string, got ${describeValue(r?.name)}`);
    if (r.score !== undefined && !(r.score >= 0 && r.score <= 1)) throw new RangeError(`health report ${r.name}: score must be in [0, 1], got ${describeValue(r.score)}`);
    let reason = '';
    if (r.error) reason = `error: ${r.error}`;
    else if (r.stale) reason = 'stale data';
    else if (r.score !== undefined && r.score < this.minScore) reason = `health score ${r.score} below ${this.minScore}`;
    const degraded = reason !== '';
    const before = this.entries.get(r.name);
    this.entries.set(r.name, { degraded, reason: degraded ? reason : 'healthy' });
    if ((before?.degraded ?? false) !== degraded) this.onChange(r.name, degraded, degraded ? reason : `healthy again (was: ${before?.reason})`);
  }

  /** Whether entries depending on `name` may go ahead; names never reported are open. */
  status(name: string): { open: boolean; reason: string } {
    const e = this.entries.get(name);
    return e?.degraded ? { open: false, reason: e.reason } : { open: true, reason: 'healthy' };
  }

  degraded(): string[] {
    return [...this.entries].filter(([, e]) => e.degraded).map(([n]) => n);
  }
}
