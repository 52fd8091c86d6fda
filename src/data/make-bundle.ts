/**
 * Regenerates the bundled data set (data/ at the package root) from the curated shared CSVs:
 *
 *   node dist/src/data/make-bundle.js /path/to/shared/data [outDir]
 *
 * Reads `<shared>/manifest.json` (source repo, commit, paths, sha256, curator's stats) and
 * `<shared>/README.md` (license and anomaly lines per file), converts the selected CSVs to
 * Arrow with the strict loader (any invalid row aborts the run: bundled data is never
 * silently cleaned), and writes catalog.json and README.md. Deterministic: the same inputs
 * give byte-identical outputs. Not used at run time or by the tests.
 *
 * Selection: only Apache-2.0 (QuantConnect/Lean) and MIT (bennycode/trading-signals,
 * twopirllc/pandas-ta) sources, which the shared README recommends for redistribution,
 * sized to stay near 12 MiB (hard limit 15 MiB). Uncompressed Arrow costs 48 bytes per bar.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isTimeframe, type Timeframe } from './bars.js';
import { writeArrow } from './arrow.js';
import { bundledDataDir, type AssetClass, type Catalog, type CatalogEntry } from './catalog.js';
import { loadCsv } from './csv.js';
import { parseDataFileName } from './timeframe.js';
import { validateBars } from './validate.js';

/** CSVs bundled, relative to the shared data folder, in catalog order. */
export const BUNDLE_SELECTION: readonly string[] = [
  // US equities, daily over decades (LEAN, raw unadjusted)
  'ohlcv/AAPL-1d.csv',
  'ohlcv/AIG-1d.csv',
  'ohlcv/BAC-1d.csv',
  'ohlcv/IBM-1d.csv',
  'ohlcv/SPY-1d.csv',
  'ohlcv/IWM-1d.csv',
  'ohlcv/GOOGL-1d.csv',
  // US equities, hourly regular session 1998-2021
  'ohlcv/SPY-1h.csv',
  'ohlcv/AAPL-1h.csv',
  // US equities, minute bars for a few days (pre/post market included, sparse)
  'ohlcv/SPY-1m.csv',
  'ohlcv/AAPL-1m.csv',
  'ohlcv/AIG-1m.csv',
  'ohlcv/BAC-1m.csv',
  'ohlcv/IBM-1m.csv',
  // FX and gold (OANDA bid bars, no volume)
  'ohlcv/EURUSD-1d.csv',
  'ohlcv/GBPUSD-1d.csv',
  'ohlcv/NZDUSD-1d.csv',
  'ohlcv/EURGBP-1d.csv',
  'ohlcv/XAUUSD-1d.csv',
  'ohlcv/EURUSD-1h.csv',
  // Crypto (Coinbase, Bitfinex, Binance via LEAN; Binance-style fixtures via trading-signals)
  'ohlcv/BTCUSD-1d.csv',
  'ohlcv/BTCUSD-1h.csv',
  'ohlcv/BTCUSD-1m.csv',
  'ohlcv/ETHUSD-1m.csv',
  'ohlcv/LTCUSD-1m.csv',
  'ohlcv/BTCEUR-1m.csv',
  'ohlcv/BTCUSDT-1h.csv',
  'ohlcv/BTCUSDT-1m.csv',
  'ohlcv/BTCUSDT-1d.csv',
  'ohlcv/LTCUSDT-1m.csv',
  'ohlcv/LTCUSDT-1h.csv',
  // Second source for SPY daily (MIT), for cross-checks against the LEAN file
  'ohlcv/alt/SPY-1d.pandas_ta.csv',
];

const ALLOWED_LICENSES = new Set(['Apache-2.0', 'MIT']);
const MAX_BUNDLE_BYTES = 15 * 1024 * 1024;

interface ManifestEntry {
  file: string;
  symbol: string;
  timeframe: string;
  source_repo: string;
  source_paths: string[];
  source_commit: string;
  sha256: string;
  notes: string;
  stats: Record<string, unknown>;
}

interface Manifest {
  generated: string;
  commits: Record<string, string>;
  datasets: ManifestEntry[];
}

interface ReadmeSection {
  license: string;
  licenseNote: string;
  anomalies: string;
}

/** Per-file "license of source repo" and "anomalies" lines of the shared README. */
function readReadmeSections(readme: string): Map<string, ReadmeSection> {
  const out = new Map<string, ReadmeSection>();
  for (const part of readme.split('\n### `').slice(1)) {
    const file = part.slice(0, part.indexOf('`'));
    const line = (prefix: string): string => {
      const l = part.split('\n').find((x) => x.startsWith(prefix));
      return l === undefined ? '' : l.slice(prefix.length).trim();
    };
    const licenseNote = line('- license of source repo:');
    out.set(file, { license: licenseNote.split(' ')[0] ?? '', licenseNote, anomalies: line('- anomalies:') });
  }
  return out;
}

/** The shared README's caveat paragraph, carried verbatim. */
function readCaveat(readme: string): string {
  const start = readme.indexOf('Licensing caveat:');
  if (start < 0) throw new Error('shared README has no "Licensing caveat:" paragraph');
  const end = readme.indexOf('\n\n', start);
  return readme.slice(start, end < 0 ? undefined : end).trim();
}

function assetClassOf(m: ManifestEntry): AssetClass {
  const path = m.source_paths.join(' ');
  if (m.source_repo === 'QuantConnect/Lean') {
    if (path.includes('/equity/')) return 'equity';
    if (path.includes('/forex/')) return 'fx';
    if (path.includes('/cfd/')) return 'commodity';
    if (path.includes('/crypto/')) return 'crypto';
  }
  if (m.source_repo === 'bennycode/trading-signals') return 'crypto';
  if (m.source_repo === 'twopirllc/pandas-ta') return 'equity';
  throw new Error(`no asset class rule for ${m.file} (${m.source_repo}: ${path})`);
}

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** Numbers from the curator's stats, for cross-checking our validator. */
function numericStats(stats: Record<string, unknown>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(stats)) if (typeof v === 'number') out[k] = v;
  return out;
}

export function makeBundle(sharedDir: string, outDir: string): Catalog {
  const manifest = JSON.parse(readFileSync(join(sharedDir, 'manifest.json'), 'utf8')) as Manifest;
  const readme = readFileSync(join(sharedDir, 'README.md'), 'utf8');
  const sections = readReadmeSections(readme);
  const caveat = readCaveat(readme);
  mkdirSync(outDir, { recursive: true });

  const entries: CatalogEntry[] = [];
  const wanted = new Set<string>();
  for (const rel of BUNDLE_SELECTION) {
    const m = manifest.datasets.find((d) => d.file === rel);
    if (!m) throw new Error(`${rel} is not in ${join(sharedDir, 'manifest.json')}`);
    const section = sections.get(rel);
    if (!section) throw new Error(`${rel} has no section in the shared README`);
    if (!ALLOWED_LICENSES.has(section.license)) throw new Error(`${rel}: license ${section.license} is not one the bundle accepts`);
    const csvPath = join(sharedDir, rel);
    const digest = sha256(csvPath);
    if (digest !== m.sha256) throw new Error(`${rel}: sha256 ${digest} does not match the manifest's ${m.sha256}`);
    if (!isTimeframe(m.timeframe)) throw new Error(`${rel}: unknown timeframe ${m.timeframe}`);
    const tf: Timeframe = m.timeframe;
    const variant = parseDataFileName(rel).variant;

    // Strict load: a single invalid row aborts the bundle (decide per file, never auto-clean).
    const bars = loadCsv(csvPath, { symbol: m.symbol, timeframe: tf, file: rel });
    const report = bars.report;
    const rows = bars.time.length;
    if (rows !== m.stats.rows) throw new Error(`${rel}: ${rows} rows loaded, manifest says ${String(m.stats.rows)}`);

    const fileName = `${m.symbol}-${tf}${variant ? `.${variant}` : ''}.arrow`;
    wanted.add(fileName);
    const source = `${m.source_repo}@${m.source_commit}:${m.source_paths.join(',')}`;
    const bytes = writeArrow(join(outDir, fileName), bars, { source, license: section.license });
    entries.push({
      file: fileName,
      symbol: m.symbol,
      timeframe: tf,
      ...(variant ? { variant } : {}),
      first: report.first ?? '',
      last: report.last ?? '',
      rows,
      assetClass: assetClassOf(m),
      source: { repo: m.source_repo, commit: m.source_commit, paths: m.source_paths, csv: rel, sha256: m.sha256 },
      license: section.license,
      licenseNote: section.licenseNote,
      notes: m.notes,
      anomalies: section.anomalies,
      validation: {
        errors: report.errorCount,
        warnings: report.warningCount,
        gaps: report.gaps.count,
        missingBars: report.gaps.missingBars,
        gapRule: report.gaps.rule,
        zeroVolumeRows: report.zeroVolumeRows,
      },
      sourceStats: numericStats(m.stats),
      bytes,
    });
    // Cross-check with the curator's independent gap counts (same rule: intraday step > 1 bar,
    // daily step > 4 calendar days); a disagreement means one of the two checkers is wrong.
    const curatorGaps = m.stats.gaps_gt_1_bar ?? m.stats.gaps_gt_4_calendar_days;
    if (typeof curatorGaps === 'number') {
      const ours = tf === '1d' ? validateBars(bars, { file: rel, maxGapDays: 4 }).gaps.count : report.gaps.count;
      if (ours !== curatorGaps && tf !== '1mo') throw new Error(`${rel}: validator finds ${ours} gaps, curator found ${curatorGaps}`);
    }
  }

  // Remove series no longer selected (only .arrow files this script would have written).
  for (const f of readdirSync(outDir)) if (f.endsWith('.arrow') && !wanted.has(f)) unlinkSync(join(outDir, f));

  const catalog: Catalog = {
    generated: `from shared data manifest generated ${manifest.generated}`,
    description:
      'Real OHLCV market data bundled with Neurion as Arrow IPC files (Float64 columns time/open/high/low/close/volume, time = ms since epoch UTC). See README.md for provenance and licensing.',
    entries,
  };
  writeFileSync(join(outDir, 'catalog.json'), `${JSON.stringify(catalog, null, 2)}\n`);
  writeFileSync(join(outDir, 'README.md'), renderReadme(catalog, manifest, caveat));

  const total = readdirSync(outDir).reduce((sum, f) => sum + statSync(join(outDir, f)).size, 0);
  if (total > MAX_BUNDLE_BYTES) throw new Error(`bundle is ${total} bytes, over the ${MAX_BUNDLE_BYTES} byte limit`);
  return catalog;
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
}

function renderReadme(catalog: Catalog, manifest: Manifest, caveat: string): string {
  const entries = catalog.entries;
  const totalRows = entries.reduce((s, e) => s + e.rows, 0);
  const totalBytes = entries.reduce((s, e) => s + e.bytes, 0);
  const repos = [...new Set(entries.map((e) => e.source.repo))];
  const lines: string[] = [];
  lines.push('# Bundled market data');
  lines.push('');
  lines.push(
    'Real historical OHLCV series shipped with Neurion for examples, tests and benchmarks. Nothing here is synthetic. ' +
      'Each file is a lossless conversion of a curated CSV (values bit-identical to the CSV decimals), selected from ' +
      'Apache-2.0 and MIT licensed sources only. Load them with `loadBundled(symbol, timeframe)` from `src/data`.',
  );
  lines.push('');
  lines.push('## Format');
  lines.push('');
  lines.push('- `<SYMBOL>-<tf>.arrow`: Arrow IPC file format (Feather v2), one record batch, uncompressed, so columns are read zero-copy.');
  lines.push('- Columns, all Float64 and non-null: `time` (ms since 1970-01-01 UTC; bar open time; daily bars at 00:00 UTC), `open`, `high`, `low`, `close`, `volume` (0 where the source has none: FX and gold quote data).');
  lines.push('- Schema metadata: `symbol`, `timeframe`, `time_unit`, `source` (`repo@commit:path`), `license`.');
  lines.push('- `SPY-1d.pandas_ta.arrow` is a second source for SPY daily (variant `pandas_ta`), for cross-checks against the LEAN file.');
  lines.push('- `catalog.json`: one entry per file with symbol, timeframe, first/last bar, rows, asset class, source repository + commit + paths, sha256 of the source CSV, license, notes, the curator\'s anomaly notes, our validator\'s findings and the curator\'s own counts.');
  lines.push('');
  lines.push('Prices are as the source gives them. **LEAN equity files are RAW, UNADJUSTED prices: split discontinuities are present** (e.g. AAPL 7:1 on 2014-06-09); adjust before computing returns across a split.');
  lines.push('');
  lines.push('## Files');
  lines.push('');
  lines.push(`${entries.length} files, ${totalRows} bars, ${totalBytes} bytes (${mib(totalBytes)}) of Arrow data.`);
  lines.push('');
  lines.push('| file | symbol | tf | class | first | last | rows | bytes | source repo | license | errors | gap warnings |');
  lines.push('|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const e of entries) {
    lines.push(
      `| \`${e.file}\` | ${e.symbol} | ${e.timeframe} | ${e.assetClass} | ${e.first} | ${e.last} | ${e.rows} | ${e.bytes} | ${e.source.repo} | ${e.license} | ${e.validation.errors} | ${e.validation.gaps} |`,
    );
  }
  lines.push('');
  lines.push('## Validation');
  lines.push('');
  lines.push(
    'Every file passes the validator (`validateBars`) with zero errors: no NaN/Inf, no non-positive price, no high < max(open, close), ' +
      'no low > min(open, close), no high < low, no negative volume, strictly increasing timestamps. No row was removed or altered. ' +
      'Gap warnings use the default thresholds (intraday: any step longer than one bar; daily: more than 5 calendar days). ' +
      'They are expected: regular-session stock bars have a gap every night and weekend, FX closes on weekends, the LEAN minute ' +
      'files hold a few separate days of sparse trades (minutes without trades are absent), the daily stock files show the ' +
      '7-day closure after 2001-09-11 (the 5-day closures of 2007-01-02 and Hurricane Sandy 2012 sit at the threshold), the daily ' +
      'FX/gold files a data hole 2016-12-09 -> 2016-12-16, and BTCUSD-1d the sparse weeks before Coinbase\'s public launch. ' +
      'The gap counts agree with the curator\'s independent checks ' +
      '(intraday: steps > 1 bar; daily: steps > 4 days), which `make-bundle` verifies.',
  );
  lines.push('');
  lines.push('## Sources and licenses');
  lines.push('');
  lines.push('| repository | commit | license | used for |');
  lines.push('|---|---|---|---|');
  for (const repo of repos) {
    const used = entries.filter((e) => e.source.repo === repo).map((e) => `${e.symbol}-${e.timeframe}${e.variant ? ` (${e.variant})` : ''}`);
    const first = entries.find((e) => e.source.repo === repo)!;
    const license = first.licenseNote ?? first.license;
    lines.push(`| [${repo}](https://github.com/${repo}) | \`${manifest.commits[repo] ?? '?'}\` | ${license} | ${used.join(', ')} |`);
  }
  lines.push('');
  lines.push(`${caveat} (Carried verbatim from the shared data set's README; this bundle takes only the Apache-2.0 and MIT sources.)`);
  lines.push('');
  lines.push('## Per-file notes');
  lines.push('');
  for (const e of entries) {
    lines.push(`### \`${e.file}\``);
    lines.push('');
    lines.push(`- ${e.symbol} ${e.timeframe}, ${e.first} .. ${e.last}, ${e.rows} rows, ${e.assetClass}`);
    lines.push(`- source: \`${e.source.repo}\` @ \`${e.source.commit}\` : ${e.source.paths.map((p) => `\`${p}\``).join(', ')}`);
    lines.push(`- converted from: \`${e.source.csv}\` (sha256 \`${e.source.sha256}\`)`);
    lines.push(`- license of source repo: ${e.licenseNote ?? e.license}`);
    lines.push(`- notes: ${e.notes}`);
    if (e.anomalies) lines.push(`- anomalies (curator): ${e.anomalies}`);
    lines.push(`- validator: ${e.validation.errors} errors, ${e.validation.gaps} gap warnings (${e.validation.gapRule}), ${e.validation.zeroVolumeRows} zero-volume rows`);
    lines.push('');
  }
  lines.push('## Regenerating');
  lines.push('');
  lines.push('```');
  lines.push('npx tsc -p tsconfig.json');
  lines.push('node dist/src/data/make-bundle.js /path/to/shared/data');
  lines.push('```');
  lines.push('');
  lines.push(
    'The script checks each CSV\'s sha256 against the shared manifest, loads it with the strict loader (an invalid row aborts), ' +
      'writes the Arrow files, this README and catalog.json, and refuses a bundle over 15 MiB. The output is deterministic.',
  );
  lines.push('');
  return lines.join('\n');
}

function main(argv: string[]): void {
  const shared = argv[2];
  if (!shared) {
    process.stderr.write('usage: node dist/src/data/make-bundle.js <shared-data-dir> [out-dir]\n');
    process.exit(2);
  }
  const outDir = resolve(argv[3] ?? bundledDataDir());
  const catalog = makeBundle(resolve(shared), outDir);
  let total = 0;
  for (const e of catalog.entries) {
    total += e.bytes;
    process.stdout.write(`${e.file.padEnd(26)} ${String(e.rows).padStart(7)} rows ${String(e.bytes).padStart(9)} bytes  ${e.validation.errors} errors, ${e.validation.gaps} gaps\n`);
  }
  process.stdout.write(`${catalog.entries.length} files, ${total} bytes of Arrow data in ${outDir}\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv);
}
