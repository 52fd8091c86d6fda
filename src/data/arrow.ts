/**
 * Arrow IPC file format ("Feather v2") storage for Bars.
 *
 * Layout written: one record batch, columns time/open/high/low/close/volume, all Float64, not
 * nullable; time in milliseconds since the epoch, UTC. Schema metadata carries `symbol`,
 * `timeframe` and whatever is in `bars.meta` (the bundle stores `source` and `license`).
 *
 * Reading is zero-copy where the format allows: the file is read into one fresh ArrayBuffer
 * (offset 0, so the IPC body buffers, which the format pads to 8-byte boundaries, land on
 * 8-byte-aligned addresses) and a Float64, null-free, single-chunk column is returned as a
 * Float64Array view into that buffer. apache-arrow itself copies a buffer that is not aligned,
 * and anything else (several record batches, other numeric types, timestamps, nulls) is
 * converted into a new Float64Array. `isZeroCopy` tells which happened.
 *
 * Other Arrow/Feather files (e.g. written by pandas) are read too: column names go through
 * the same aliases as CSV headers, integer/float columns are converted to float64, timestamp
 * and date columns to epoch ms, and string time columns are parsed like CSV time cells.
 * Compressed IPC buffers (LZ4/ZSTD) are not supported by apache-arrow without a codec and are
 * reported as a DataError.
 */
import { closeSync, fstatSync, openSync, readSync, renameSync, writeFileSync } from 'node:fs';
import {
  Field,
  Float64,
  RecordBatch,
  Schema,
  Struct,
  Table,
  Type,
  makeData,
  tableFromIPC,
  tableToIPC,
  type Vector,
} from 'apache-arrow';
import { DataError } from '../errors.js';
import { BAR_FIELDS, isTimeframe, type BarField, type Bars } from './bars.js';
import { mapColumns } from './columns.js';
import { parseDecimal } from './parse-number.js';
import { parseIsoTime } from './parse-time.js';
import { DEFAULT_MAX_PROBLEMS, ProblemCollector } from './problems.js';
import { parseDataFileName } from './timeframe.js';

/** Writes bars as an Arrow IPC file (atomically: a temp file renamed into place). */
export function writeArrow(path: string, bars: Bars, meta: Record<string, string> = {}): number {
  const n = bars.time.length;
  for (const f of BAR_FIELDS) {
    if (bars[f].length !== n) throw new TypeError(`bars.${f} has ${bars[f].length} rows but bars.time has ${n}`);
  }
  const metadata = new Map<string, string>();
  metadata.set('symbol', bars.symbol);
  if (bars.timeframe !== undefined) metadata.set('timeframe', bars.timeframe);
  metadata.set('time_unit', 'ms since 1970-01-01T00:00:00Z');
  for (const [k, v] of Object.entries({ ...bars.meta, ...meta })) metadata.set(k, v);

  const fields = BAR_FIELDS.map((name) => new Field(name, new Float64(), false));
  const schema = new Schema(fields, metadata);
  const children = BAR_FIELDS.map((name) => makeData({ type: new Float64(), length: n, nullCount: 0, data: bars[name] }));
  const batch = new RecordBatch(schema, makeData({ type: new Struct(fields), length: n, nullCount: 0, children }));
  const bytes = tableToIPC(new Table(schema, [batch]), 'file');
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, path);
  return bytes.byteLength;
}

/** Reads a whole file into a fresh ArrayBuffer (byte offset 0: the alignment zero-copy needs). */
function readAligned(path: string): Uint8Array {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const bytes = new Uint8Array(new ArrayBuffer(size));
    let off = 0;
    while (off < size) {
      const got = readSync(fd, bytes, off, size - off, off);
      if (got === 0) break;
      off += got;
    }
    return off === size ? bytes : bytes.subarray(0, off);
  } finally {
    closeSync(fd);
  }
}

export interface ArrowReadOptions {
  /** Name used in errors (default: the path). */
  file?: string;
  /** Record nulls/unreadable values as problems (rows marked rejected) instead of throwing. */
  collect?: boolean;
  maxProblems?: number;
}

export interface ParsedArrow {
  bars: Bars;
  file: string;
  rejected: Uint8Array | undefined;
  problems: ProblemCollector | undefined;
}

/** Rows of the typed array behind one chunk, as a view (no copy). */
function chunkValues(vector: Vector, chunk: number): ArrayLike<number | bigint> {
  const d = vector.data[chunk]!;
  const values = d.values as ArrayLike<number | bigint> & { subarray(a: number, b: number): ArrayLike<number | bigint> };
  return values.subarray(d.offset, d.offset + d.length);
}

/** Parses an Arrow/Feather file into Bars without validating rows (see loadBars). */
export function parseArrow(path: string, opts: ArrowReadOptions = {}): ParsedArrow {
  const file = opts.file ?? path;
  const bytes = readAligned(path);
  let table: Table;
  try {
    table = tableFromIPC(bytes);
  } catch (err) {
    throw new DataError({ file, row: -1, field: 'file', value: path, message: `not a readable Arrow IPC file: ${(err as Error).message}` });
  }
  const problems = opts.collect ? new ProblemCollector(file, opts.maxProblems ?? DEFAULT_MAX_PROBLEMS) : undefined;
  let rejected: Uint8Array | undefined;
  const n = table.numRows;
  const names = table.schema.fields.map((f) => f.name);
  const columns = mapColumns(names);

  const reject = (row: number, field: BarField, value: unknown, message: string, kind: 'null' | 'not-a-number' | 'bad-time'): void => {
    if (!problems) throw new DataError({ file, row: row + 1, field, value, message });
    problems.add(kind, 'error', row + 1, field, value, message);
    (rejected ??= new Uint8Array(n))[row] = 1;
  };

  const readColumn = (field: BarField): Float64Array => {
    const idx = columns[field];
    if (idx < 0) {
      if (field === 'volume') return new Float64Array(n); // quote data: no volume column, as in CSV
      throw new DataError({ file, row: 0, field, value: names.join(','), message: `no ${field} column (columns: ${names.join(', ')})` });
    }
    const vector = table.getChildAt(idx)!;
    const type = vector.type;
    const isDouble = type.typeId === Type.Float && (type as Float64).precision === 2;
    if (isDouble && vector.data.length === 1 && vector.nullCount === 0) {
      return chunkValues(vector, 0) as Float64Array; // zero-copy when apache-arrow did not realign
    }
    const out = new Float64Array(n);
    if (type.typeId === Type.Float || type.typeId === Type.Int) {
      let base = 0;
      for (let c = 0; c < vector.data.length; c++) {
        const values = chunkValues(vector, c);
        if (isDouble) out.set(values as Float64Array, base);
        else for (let i = 0; i < values.length; i++) out[base + i] = Number(values[i]);
        base += values.length;
      }
    } else if (field === 'time' && (type.typeId === Type.Timestamp || type.typeId === Type.Date)) {
      for (let i = 0; i < n; i++) out[i] = vector.get(i) as number; // apache-arrow returns epoch ms
    } else if (type.typeId === Type.Utf8 || type.typeId === Type.LargeUtf8) {
      for (let i = 0; i < n; i++) {
        const s = vector.get(i) as string | null;
        if (s === null) continue; // reported as null below
        const v = field === 'time' ? parseIsoTime(s) : parseDecimal(s);
        out[i] = v;
        if (Number.isNaN(v)) reject(i, field, s, field === 'time' ? 'not an ISO date/time' : 'not a number', field === 'time' ? 'bad-time' : 'not-a-number');
      }
    } else {
      throw new DataError({ file, row: 0, field, value: names[idx], message: `column type ${String(type)} cannot be read as ${field}` });
    }
    if (vector.nullCount > 0) {
      for (let i = 0; i < n; i++) {
        if (!vector.isValid(i)) {
          out[i] = NaN;
          reject(i, field, null, 'null value', 'null');
        }
      }
    }
    return out;
  };

  const cols = {} as Record<BarField, Float64Array>;
  for (const f of BAR_FIELDS) cols[f] = readColumn(f);
  const meta = Object.fromEntries(table.schema.metadata);
  const name = parseDataFileName(path);
  const tf = meta.timeframe;
  const bars: Bars = {
    symbol: meta.symbol ?? name.symbol ?? 'UNKNOWN',
    timeframe: tf !== undefined && isTimeframe(tf) ? tf : name.timeframe,
    ...cols,
  };
  if (table.schema.metadata.size > 0) bars.meta = meta;
  return { bars, file, rejected, problems };
}

/** Reads an Arrow/Feather file into Bars (zero-copy where possible; no row validation). */
export function readArrow(path: string): Bars {
  return parseArrow(path).bars;
}

/** True when every column is a view on one shared buffer, i.e. the read did not copy. */
export function isZeroCopy(bars: Bars): boolean {
  const buffer = bars.time.buffer;
  return BAR_FIELDS.every((f) => bars[f].buffer === buffer) && buffer.byteLength > bars.time.byteLength;
}
