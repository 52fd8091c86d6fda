/**
 * Format-independent entry points: load (parse + validate + policy), validate a file without
 * refusing it, and convert CSV to Arrow. The file extension picks the format.
 */
import { statSync } from 'node:fs';
import { extname } from 'node:path';
import { DataError } from '../errors.js';
import type { Bars, Timeframe } from './bars.js';
import { parseArrow, writeArrow } from './arrow.js';
import { loadCsv, parseCsv, type CsvParseOptions, type LoadCsvOptions } from './csv.js';
import { enforcePolicy, type LoadedBars, type OnInvalid } from './quarantine.js';
import { formatTime } from './parse-time.js';
import { inferTimeframe } from './timeframe.js';
import { checkBars, type ValidateOptions, type ValidationReport } from './validate.js';

export type DataFormat = 'csv' | 'arrow';

/** 'csv' for .csv/.txt, 'arrow' for .arrow/.feather/.ipc; a DataError for anything else. */
export function formatOf(path: string): DataFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.csv' || ext === '.txt') return 'csv';
  if (ext === '.arrow' || ext === '.feather' || ext === '.ipc') return 'arrow';
  throw new DataError({ file: path, row: -1, field: 'extension', value: ext, message: 'unknown data file type (expected .csv, .arrow or .feather)' });
}

export type LoadOptions = LoadCsvOptions;

/**
 * Loads a .csv, .arrow or .feather file and validates every row. Refuses invalid data
 * (DataError) unless `onInvalid: 'quarantine'`. Arrow columns stay zero-copy views when the
 * file is clean (validation reads them without copying).
 */
export function loadBars(path: string, opts: LoadOptions = {}): LoadedBars {
  if (formatOf(path) === 'csv') return loadCsv(path, opts);
  const onInvalid = opts.onInvalid ?? 'throw';
  const parsed = parseArrow(path, { file: opts.file, collect: onInvalid === 'quarantine', maxProblems: opts.maxProblems });
  const { bars } = parsed;
  if (opts.symbol !== undefined) bars.symbol = opts.symbol;
  bars.timeframe = opts.timeframe ?? bars.timeframe ?? inferTimeframe(bars.time);
  const check = checkBars(
    bars,
    { file: parsed.file, maxGapBars: opts.maxGapBars, maxGapDays: opts.maxGapDays, maxProblems: opts.maxProblems },
    { collector: parsed.problems, rejected: parsed.rejected },
  );
  return enforcePolicy(bars, check, onInvalid);
}

export interface ValidateFileOptions extends Omit<ValidateOptions, 'file' | 'rowNumbers'>, Pick<CsvParseOptions, 'epochUnit' | 'delimiter'> {
  /** Name used in the report (default: the path). */
  file?: string;
}

/**
 * Validates a data file and returns the report without refusing anything: unparseable cells
 * are problems in the report like any other. Throws DataError only when the file cannot be
 * read as a table at all (no header, missing price column, not Arrow).
 */
export function validateFile(path: string, opts: ValidateFileOptions = {}): ValidationReport {
  const common = { maxGapBars: opts.maxGapBars, maxGapDays: opts.maxGapDays, maxProblems: opts.maxProblems };
  if (formatOf(path) === 'csv') {
    const parsed = parseCsv(path, { file: opts.file, collect: true, maxProblems: opts.maxProblems, epochUnit: opts.epochUnit, delimiter: opts.delimiter });
    const tf = opts.timeframe ?? parsed.bars.timeframe;
    return checkBars(
      parsed.bars,
      { file: parsed.file, timeframe: tf, rowNumbers: parsed.rowNumbers, ...common },
      { collector: parsed.problems, rejected: parsed.rejected },
    ).report;
  }
  const parsed = parseArrow(path, { file: opts.file, collect: true, maxProblems: opts.maxProblems });
  return checkBars(
    parsed.bars,
    { file: parsed.file, timeframe: opts.timeframe ?? parsed.bars.timeframe, ...common },
    { collector: parsed.problems, rejected: parsed.rejected },
  ).report;
}

export interface ConvertOptions extends Omit<LoadCsvOptions, 'onInvalid'> {
  /** 'throw' (default): refuse invalid input. 'quarantine': convert the valid rows only. */
  onInvalid?: OnInvalid;
  /** Extra schema metadata, e.g. { source, license }. */
  meta?: Record<string, string>;
}

export interface ConvertSummary {
  input: string;
  output: string;
  symbol: string;
  timeframe: Timeframe | undefined;
  rows: number;
  /** Rows left out (quarantine mode only; 0 otherwise). */
  removedRows: number;
  /** File rows of the first removed rows (at most 100). */
  removedRowNumbers: number[];
  first: string | undefined;
  last: string | undefined;
  inputBytes: number;
  outputBytes: number;
  report: ValidationReport;
}

/**
 * Converts an OHLCV CSV to an Arrow IPC file. Invalid input is refused (DataError, nothing
 * written) unless `onInvalid: 'quarantine'`, which writes only the valid rows and lists the
 * removed ones in the summary.
 */
export function convertCsvToArrow(csvPath: string, arrowPath: string, opts: ConvertOptions = {}): ConvertSummary {
  const bars: LoadedBars = loadCsv(csvPath, opts);
  const outputBytes = writeArrow(arrowPath, bars as Bars, opts.meta);
  const n = bars.time.length;
  const removed = bars.quarantine?.rows ?? new Uint32Array(0);
  return {
    input: csvPath,
    output: arrowPath,
    symbol: bars.symbol,
    timeframe: bars.timeframe,
    rows: n,
    removedRows: removed.length,
    removedRowNumbers: Array.from(removed.subarray(0, 100)),
    first: n > 0 ? formatTime(bars.time[0]!, bars.timeframe) : undefined,
    last: n > 0 ? formatTime(bars.time[n - 1]!, bars.timeframe) : undefined,
    inputBytes: statSync(csvPath).size,
    outputBytes,
    report: bars.report,
  };
}
