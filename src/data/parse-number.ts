/**
 * Strict decimal parsing for data cells.
 *
 * `Number(text)` is too lenient for market data: it turns '' and '  ' into 0, accepts hex
 * ('0x10'), 'Infinity' and surrounding whitespace, and `parseFloat` silently stops at the
 * first bad character ('12,5' -> 12). A cell that is not a plain decimal must be reported,
 * so this parser accepts only `[+-]digits[.digits][(e|E)[+-]digits]` (digits may be absent
 * on one side of the point, never both) and returns NaN for anything else.
 *
 * The result is the correctly rounded float64 (what `Number()` gives), so a CSV -> Arrow ->
 * CSV round trip is bit-exact: short decimals take Clinger's exact fast path (an integer
 * mantissa below 2^53 scaled by an exactly representable power of ten is one correctly
 * rounded IEEE operation); longer ones fall back to `Number()` on the validated slice.
 */

// 10^0 .. 10^22 are exactly representable in float64; that is what makes the fast path exact.
const POW10: readonly number[] = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));
const MAX_EXACT_MANTISSA = 2 ** 53;

const C0 = 48; // '0'
const C9 = 57; // '9'
const PLUS = 43;
const MINUS = 45;
const DOT = 46;
const LOWER_E = 101;
const UPPER_E = 69;

/**
 * Parses `text.slice(start, end)` as a strict decimal number without allocating on the
 * common path. Returns NaN when the slice is not a plain decimal (the caller reports it).
 */
export function parseDecimal(text: string, start = 0, end = text.length): number {
  let i = start;
  if (i >= end) return NaN;
  let negative = false;
  let c = text.charCodeAt(i);
  if (c === PLUS || c === MINUS) {
    negative = c === MINUS;
    i++;
  }
  let mantissa = 0;
  let digits = 0; // all digits seen (integer + fraction)
  let exact = true; // mantissa still exact (< 2^53)
  let fractionDigits = 0;
  let sawPoint = false;
  for (; i < end; i++) {
    c = text.charCodeAt(i);
    if (c >= C0 && c <= C9) {
      digits++;
      if (sawPoint) fractionDigits++;
      if (exact) {
        mantissa = mantissa * 10 + (c - C0);
        if (mantissa >= MAX_EXACT_MANTISSA) exact = false;
      }
    } else if (c === DOT && !sawPoint) {
      sawPoint = true;
    } else {
      break;
    }
  }
  if (digits === 0) return NaN;
  let exponent = 0;
  if (i < end) {
    c = text.charCodeAt(i);
    if (c !== LOWER_E && c !== UPPER_E) return NaN;
    i++;
    let expNegative = false;
    if (i < end) {
      c = text.charCodeAt(i);
      if (c === PLUS || c === MINUS) {
        expNegative = c === MINUS;
        i++;
      }
    }
    const expStart = i;
    for (; i < end; i++) {
      c = text.charCodeAt(i);
      if (c < C0 || c > C9) return NaN;
      // Clamp: beyond this the value is 0 or Infinity anyway and Number() decides below.
      if (exponent < 100000) exponent = exponent * 10 + (c - C0);
    }
    if (i === expStart) return NaN;
    if (expNegative) exponent = -exponent;
  }
  const scale = exponent - fractionDigits;
  if (exact) {
    let value: number | undefined;
    if (scale === 0) value = mantissa;
    else if (scale < 0 && scale >= -22) value = mantissa / POW10[-scale]!;
    else if (scale > 0 && scale <= 22) value = mantissa * POW10[scale]!;
    if (value !== undefined) return negative ? -value : value;
  }
  // Long mantissa or large exponent: the slice is validated, so Number() cannot be lenient
  // here. Overflow to Infinity is refused like any other non-finite cell.
  const value = Number(text.slice(start, end));
  return Number.isFinite(value) ? value : NaN;
}
