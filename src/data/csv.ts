/**
 * OHLCV CSV reader.
 *
 * Format: a header row naming the columns (`time,open,high,low,close,volume`, any order, case
 * and common aliases accepted, see columns.ts; extra columns ignored; a missing volume column
 * reads as volume 0, the convention for quote data), then one bar per line. Delimiter ',' (or
 * ';' / tab, detected from the header), LF or CRLF, optional UTF-8 BOM, cells may be wrapped
 * in double quotes (without embedded delimiters) and padded with spaces. Blank lines are
 * skipped. Times: see parse-time.ts (ISO dates/date-times, or epoch s/ms/us/ns numbers, the
 * unit guessed from the first time cell unless `epochUnit` is given).
 *
 * Rows are numbered as in DataError: the header is row 0, the first line after it row 1.
 *
 * Speed: the file is read in 16 MiB blocks decoded as latin1 (one byte per char, no UTF-8
 * state across block edges; the numeric cells are ASCII), cells are found with indexOf and
 * numbers are parsed in place (parse-number.ts) without slicing, into growable Float64Arrays.
 * Memory stays at the output size plus one block, whatever the file size.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { DataError } from '../errors.js';
import { BAR_FIELDS, type BarField, type Bars, type Timeframe } from './bars.js';
import { mapColumns } from './columns.js';
import { parseDecimal } from './parse-number.js';
import { epochToMs, guessEpochUnit, parseIsoTime, type EpochUnit } from './parse-time.js';
import { ProblemCollector, DEFAULT_MAX_PROBLEMS } from './problems.js';
import { enforcePolicy, type LoadedBars, type OnInvalid } from './quarantine.js';
import { inferTimeframe, parseDataFileName } from './timeframe.js';
import { checkBars, type ValidateOptions } from './validate.js';

export interface CsvParseOptions {
  /** Name used in problems and errors (default: the path). */
  file?: string;
  /** Unit of numeric (epoch) times; guessed from the first time cell when absent. */
  epochUnit?: EpochUnit;
  /** Field delimiter; detected from the header (',', ';' or tab) when absent. */
  delimiter?: string;
  /**
   * Record unparseable cells as problems and keep going (rows marked rejected) instead of
   * throwing a DataError at the first one. Used by quarantine mode and validateFile.
   */
  collect?: boolean;
  /** Problems kept in full when collecting (default 100 errors + 100 warnings). */
  maxProblems?: number;
  /** Read block size in bytes (default 16 MiB); small values let tests cross block edges. */
  blockBytes?: number;
}

export interface LoadCsvOptions extends CsvParseOptions, Pick<ValidateOptions, 'maxGapBars' | 'maxGapDays'> {
  /** Default: from the file name `<SYMBOL>-<tf>.csv`, else the file name without extension. */
  symbol?: string;
  /** Default: from the file name, else inferred from the median time step. */
  timeframe?: Timeframe;
  /** 'throw' (default): refuse a file with any invalid row. 'quarantine': split bad rows off. */
  onInvalid?: OnInvalid;
}

export interface ParsedCsv {
  bars: Bars;
  file: string;
  /** The header cells as written. */
  header: string[];
  /** Header column used for each field (-1: absent, only possible for volume). */
  columns: Record<BarField, number>;
  /** File row of each bar; only present when blank lines made it differ from index + 1. */
  rowNumbers: Uint32Array | undefined;
  /** 1 for rows with an unparseable cell (collect mode only; undefined when none). */
  rejected: Uint8Array | undefined;
  /** Problems found while parsing (collect mode only). */
  problems: ProblemCollector | undefined;
}

const BLOCK = 1 << 24;
const FIELD_INDEX: Readonly<Record<BarField, number>> = { time: 0, open: 1, high: 2, low: 3, close: 4, volume: 5 };
const SPACE = 32;
const TAB = 9;
const QUOTE = 34;
const CR = 13;

/** Cell text for messages: the bytes were decoded as latin1, so re-decode them as UTF-8. */
function cellText(text: string, start: number, end: number): string {
  return Buffer.from(text.slice(start, end), 'latin1').toString('utf8');
}

function detectDelimiter(headerLine: string): string {
  let best = ',';
  let bestCount = headerLine.split(',').length - 1;
  for (const d of [';', '\t']) {
    const count = headerLine.split(d).length - 1;
    if (count > bestCount) {
      best = d;
      bestCount = count;
    }
  }
  return best;
}

/** Parses the CSV into Bars without validating the rows (see loadCsv for the checked load). */
export function parseCsv(path: string, opts: CsvParseOptions = {}): ParsedCsv {
  const file = opts.file ?? path;
  if (opts.delimiter !== undefined && opts.delimiter.length !== 1) {
    throw new RangeError(`delimiter must be one character, got ${JSON.stringify(opts.delimiter)}`);
  }
  const collect = opts.collect === true;
  const problems = collect ? new ProblemCollector(file, opts.maxProblems ?? DEFAULT_MAX_PROBLEMS) : undefined;

  let header: string[] | undefined;
  let delimiter = opts.delimiter;
  let colField: Int8Array = new Int8Array(0); // per header column: field index or -1
  let columns: Record<BarField, number> | undefined;
  let ncols = 0;
  let epochUnit: EpochUnit | undefined = opts.epochUnit;

  // Output columns, grown on demand; `cols[FIELD_INDEX[f]]` is the column of field f.
  let cap = 0;
  let n = 0;
  let cols: Float64Array[] = [];
  let rejected: Uint8Array | undefined;
  let rowNumbers: Uint32Array | undefined;
  let headerLine = -1; // physical line index of the header
  let size = 0;
  let bytesDone = 0; // bytes of the file consumed so far (for the capacity estimate)

  const grow = (): void => {
    // Estimate the total row count from the bytes per row seen so far; at least 1.5x growth.
    const perRow = n > 0 && bytesDone > 0 ? bytesDone / n : 48;
    const estimate = Math.ceil((size / perRow) * 1.05) + 16;
    const next = Math.max(Math.ceil(cap * 1.5) + 16, Math.min(estimate, cap * 4 + 1024));
    cols = cols.map((c) => {
      const g = new Float64Array(next);
      g.set(c.subarray(0, n));
      return g;
    });
    if (rejected) {
      const g = new Uint8Array(next);
      g.set(rejected.subarray(0, n));
      rejected = g;
    }
    if (rowNumbers) {
      const g = new Uint32Array(next);
      g.set(rowNumbers.subarray(0, n));
      rowNumbers = g;
    }
    cap = next;
  };

  const fail = (row: number, field: string, value: unknown, message: string, kind: 'missing-cell' | 'extra-cell' | 'not-a-number' | 'bad-time'): void => {
    if (!problems) throw new DataError({ file, row, field, value, message });
    problems.add(kind, 'error', row, field, value, message);
    if (!rejected) rejected = new Uint8Array(cap);
    rejected[n] = 1;
  };

  const parseHeader = (text: string, start: number, end: number): void => {
    const line = text.slice(start, end);
    delimiter ??= detectDelimiter(line);
    header = line.split(delimiter).map((h) => cellText(h, 0, h.length).replace(/^\uFEFF/, '').trim());
    ncols = header.length;
    columns = mapColumns(header);
    for (const field of BAR_FIELDS) {
      if (columns[field] < 0 && field !== 'volume') {
        throw new DataError({
          file,
          row: 0,
          field,
          value: header.join(delimiter),
          message: `no ${field} column in the header (expected time,open,high,low,close,volume or an alias)`,
        });
      }
    }
    colField = new Int8Array(ncols).fill(-1);
    for (const field of BAR_FIELDS) if (columns[field] >= 0) colField[columns[field]] = FIELD_INDEX[field];
    const initial = Math.min(Math.ceil(size / 24) + 16, 1 << 16);
    cols = BAR_FIELDS.map(() => new Float64Array(initial));
    cap = initial;
  };

  const parseRow = (text: string, start: number, end: number, row: number): void => {
    if (n === cap) grow();
    let cellStart = start;
    let col = 0;
    for (;;) {
      let cellEnd = text.indexOf(delimiter!, cellStart);
      if (cellEnd < 0 || cellEnd > end) cellEnd = end;
      const f = col < ncols ? colField[col]! : -1;
      if (f >= 0) {
        // Trim spaces/tabs and one pair of surrounding quotes: formatting, not the value.
        let s = cellStart;
        let e = cellEnd;
        while (s < e && (text.charCodeAt(s) === SPACE || text.charCodeAt(s) === TAB)) s++;
        while (e > s && (text.charCodeAt(e - 1) === SPACE || text.charCodeAt(e - 1) === TAB)) e--;
        if (e - s >= 2 && text.charCodeAt(s) === QUOTE && text.charCodeAt(e - 1) === QUOTE) {
          s++;
          e--;
        }
        let v: number;
        if (f === 0) {
          const c4 = text.charCodeAt(s + 4);
          if (e - s >= 10 && (c4 === 45 || c4 === 47)) {
            v = parseIsoTime(text, s, e);
          } else {
            v = parseDecimal(text, s, e);
            if (!Number.isNaN(v)) {
              epochUnit ??= guessEpochUnit(v);
              v = epochToMs(v, epochUnit);
            }
          }
          if (Number.isNaN(v)) {
            fail(row, 'time', cellText(text, cellStart, cellEnd), 'not a date/time (YYYY-MM-DD[THH:MM[:SS[.fff]]][Z|+HH:MM]) or an epoch number', 'bad-time');
          }
        } else {
          v = parseDecimal(text, s, e);
          if (Number.isNaN(v)) {
            fail(row, BAR_FIELDS[f]!, cellText(text, cellStart, cellEnd), 'not a number', 'not-a-number');
          }
        }
        cols[f]![n] = v;
      }
      col++;
      if (cellEnd >= end) break;
      cellStart = cellEnd + 1;
    }
    if (col < ncols) {
      const missing = header![col]!;
      fail(row, missing, cellText(text, start, end), `row has ${col} cells but the header has ${ncols} (no ${missing} cell)`, 'missing-cell');
      for (let k = col; k < ncols; k++) if (colField[k]! >= 0) cols[colField[k]!]![n] = NaN;
    } else if (col > ncols) {
      fail(row, `column ${ncols + 1}`, cellText(text, start, end), `row has ${col} cells but the header has ${ncols} (unquoted delimiter in a value?)`, 'extra-cell');
    }
    if (columns!.volume < 0) cols[5]![n] = 0;
    if (rowNumbers) rowNumbers[n] = row;
    n++;
  };

  let lineIndex = 0;
  const handleLine = (text: string, start: number, end: number): void => {
    if (end > start && text.charCodeAt(end - 1) === CR) end--;
    let s = start;
    while (s < end && (text.charCodeAt(s) === SPACE || text.charCodeAt(s) === TAB)) s++;
    const line = lineIndex++;
    if (s === end) {
      // Blank line: skipped, so file rows stop matching bar index + 1; start recording them.
      if (header !== undefined && !rowNumbers) {
        rowNumbers = new Uint32Array(cap);
        for (let k = 0; k < n; k++) rowNumbers[k] = k + 1;
      }
      return;
    }
    if (header === undefined) {
      headerLine = line;
      parseHeader(text, start, end);
      return;
    }
    parseRow(text, start, end, line - headerLine);
  };

  const fd = openSync(path, 'r');
  try {
    size = fstatSync(fd).size;
    const block = Buffer.allocUnsafe(Math.max(1, Math.min(opts.blockBytes ?? BLOCK, size)));
    let carry = '';
    let bytesRead = 0;
    for (;;) {
      const got = readSync(fd, block, 0, block.length, null);
      if (got === 0) break;
      bytesRead += got;
      const text = carry + block.toString('latin1', 0, got);
      const lastNl = text.lastIndexOf('\n');
      if (lastNl < 0) {
        carry = text;
        continue;
      }
      let pos = 0;
      while (pos <= lastNl) {
        const nl = text.indexOf('\n', pos);
        bytesDone = bytesRead - (text.length - pos);
        handleLine(text, pos, nl);
        pos = nl + 1;
      }
      carry = text.slice(lastNl + 1);
    }
    bytesDone = size;
    if (carry.length > 0) handleLine(carry, 0, carry.length); // last line without a newline
  } finally {
    closeSync(fd);
  }

  if (header === undefined || columns === undefined) {
    throw new DataError({ file, row: 0, field: 'header', value: '', message: 'empty file: no header row' });
  }
  const fit = (c: Float64Array): Float64Array => (c.length === n ? c : c.slice(0, n));
  const name = parseDataFileName(path);
  const bars: Bars = {
    symbol: name.symbol ?? 'UNKNOWN',
    timeframe: name.timeframe,
    time: fit(cols[0]!),
    open: fit(cols[1]!),
    high: fit(cols[2]!),
    low: fit(cols[3]!),
    close: fit(cols[4]!),
    volume: fit(cols[5]!),
  };
  return {
    bars,
    file,
    header,
    columns,
    rowNumbers: rowNumbers?.slice(0, n),
    rejected: (rejected as Uint8Array | undefined)?.slice(0, n),
    problems,
  };
}

/**
 * Loads and validates an OHLCV CSV. Refuses a file with any invalid row (DataError naming
 * file, row, field and value) unless `onInvalid: 'quarantine'`, which returns the valid rows
 * and, in `quarantine`, the removed ones. Values are never altered.
 */
export function loadCsv(path: string, opts: LoadCsvOptions = {}): LoadedBars {
  const onInvalid = opts.onInvalid ?? 'throw';
  const parsed = parseCsv(path, { ...opts, collect: opts.collect ?? onInvalid === 'quarantine' });
  const { bars } = parsed;
  if (opts.symbol !== undefined) bars.symbol = opts.symbol;
  bars.timeframe = opts.timeframe ?? bars.timeframe ?? inferTimeframe(bars.time);
  const check = checkBars(
    bars,
    {
      file: parsed.file,
      maxGapBars: opts.maxGapBars,
      maxGapDays: opts.maxGapDays,
      maxProblems: opts.maxProblems,
      rowNumbers: parsed.rowNumbers,
    },
    { collector: parsed.problems, rejected: parsed.rejected },
  );
  return enforcePolicy(bars, check, onInvalid, parsed.rowNumbers);
}
