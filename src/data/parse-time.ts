/**
 * Timestamp parsing and formatting for data files. All times are milliseconds since the Unix
 * epoch, UTC, as float64 (see bars.ts).
 *
 * Accepted text forms (strict: anything else is NaN and the caller reports the cell):
 *   YYYY-MM-DD                         (also YYYY/MM/DD) -> 00:00 UTC of that date
 *   YYYY-MM-DD[T| ]HH:MM[:SS[.frac]]   followed by Z, +HH:MM, +HHMM, +HH (or -), or nothing
 * A timestamp without an offset is taken as UTC (documented: there is no safe way to guess a
 * local zone, and the bundled data is all UTC).
 */

const C0 = 48;
const C9 = 57;
const MS_PER_DAY = 86_400_000;

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12; // March = 0
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

/** Reads `count` decimal digits at `pos`; -1 if any is not a digit. */
function digitsAt(text: string, pos: number, count: number, end: number): number {
  if (pos + count > end) return -1;
  let v = 0;
  for (let k = 0; k < count; k++) {
    const c = text.charCodeAt(pos + k);
    if (c < C0 || c > C9) return -1;
    v = v * 10 + (c - C0);
  }
  return v;
}

/**
 * Parses an ISO-8601-like date or date-time in `text.slice(start, end)` to epoch ms (UTC).
 * Returns NaN when the text is not one of the accepted forms or names an impossible date.
 */
export function parseIsoTime(text: string, start = 0, end = text.length): number {
  const year = digitsAt(text, start, 4, end);
  if (year < 0) return NaN;
  const sep = text.charCodeAt(start + 4);
  if (sep !== 45 /* - */ && sep !== 47 /* / */) return NaN;
  const month = digitsAt(text, start + 5, 2, end);
  if (month < 1 || month > 12 || text.charCodeAt(start + 7) !== sep) return NaN;
  const day = digitsAt(text, start + 8, 2, end);
  const maxDay = month === 2 && isLeap(year) ? 29 : DAYS_IN_MONTH[month - 1]!;
  if (day < 1 || day > maxDay) return NaN;
  let ms = daysFromCivil(year, month, day) * MS_PER_DAY;
  let i = start + 10;
  if (i === end) return ms;

  const t = text.charCodeAt(i);
  if (t !== 84 /* T */ && t !== 32 /* space */ && t !== 116 /* t */) return NaN;
  const hour = digitsAt(text, i + 1, 2, end);
  if (hour < 0 || hour > 23 || text.charCodeAt(i + 3) !== 58 /* : */) return NaN;
  const minute = digitsAt(text, i + 4, 2, end);
  if (minute < 0 || minute > 59) return NaN;
  i += 6;
  let second = 0;
  let fractionMs = 0;
  if (i < end && text.charCodeAt(i) === 58) {
    second = digitsAt(text, i + 1, 2, end);
    if (second < 0 || second > 59) return NaN; // leap second 60 has no epoch-ms representation
    i += 3;
    if (i < end && (text.charCodeAt(i) === 46 /* . */ || text.charCodeAt(i) === 44 /* , */)) {
      i++;
      let scale = 100; // first fractional digit is hundreds of ms
      const fracStart = i;
      for (; i < end; i++) {
        const c = text.charCodeAt(i);
        if (c < C0 || c > C9) break;
        fractionMs += (c - C0) * scale;
        scale /= 10;
      }
      if (i === fracStart) return NaN;
    }
  }
  ms += hour * 3_600_000 + minute * 60_000 + second * 1000 + fractionMs;
  if (i === end) return ms;

  const z = text.charCodeAt(i);
  if (z === 90 /* Z */ || z === 122 /* z */) return i + 1 === end ? ms : NaN;
  if (z !== 43 /* + */ && z !== 45 /* - */) return NaN;
  const offHour = digitsAt(text, i + 1, 2, end);
  if (offHour < 0 || offHour > 23) return NaN;
  let offMin = 0;
  let j = i + 3;
  if (j < end) {
    if (text.charCodeAt(j) === 58) j++;
    offMin = digitsAt(text, j, 2, end);
    if (offMin < 0 || offMin > 59) return NaN;
    j += 2;
  }
  if (j !== end) return NaN;
  const offset = (offHour * 60 + offMin) * 60_000;
  // Local time = UTC + offset, so UTC = local - offset.
  return z === 43 ? ms - offset : ms + offset;
}

/** Units an epoch number may be written in. */
export type EpochUnit = 's' | 'ms' | 'us' | 'ns';

const EPOCH_TO_MS: Record<EpochUnit, number> = { s: 1000, ms: 1, us: 1e-3, ns: 1e-6 };

/**
 * Guesses the unit of an epoch number from its magnitude. The cut-offs put every date from
 * 1973 to 5138 in the right unit: seconds stay below 1e11 until the year 5138, milliseconds
 * pass 1e11 in March 1973, microseconds pass 1e14 and nanoseconds 1e17 at the same moment.
 * Millisecond stamps before 1973 are misread as seconds: pass `epochUnit` for those.
 */
export function guessEpochUnit(value: number): EpochUnit {
  const a = Math.abs(value);
  if (a < 1e11) return 's';
  if (a < 1e14) return 'ms';
  if (a < 1e17) return 'us';
  return 'ns';
}

export function epochToMs(value: number, unit: EpochUnit): number {
  return unit === 'ms' ? value : value * EPOCH_TO_MS[unit];
}

/**
 * Formats epoch ms as `YYYY-MM-DD` for bars of a day or longer stamped at midnight UTC, else as
 * `YYYY-MM-DDTHH:MM:SSZ` (with milliseconds when there are any). Without a timeframe, any
 * midnight is shown as a date.
 */
export function formatTime(ms: number, timeframe?: string): string {
  if (!Number.isFinite(ms)) return String(ms);
  const iso = new Date(ms).toISOString();
  const intraday = timeframe !== undefined && timeframe !== '1d' && timeframe !== '1w' && timeframe !== '1mo';
  if (!intraday && ms % MS_PER_DAY === 0) return iso.slice(0, 10);
  return ms % 1000 === 0 ? `${iso.slice(0, 19)}Z` : iso;
}
