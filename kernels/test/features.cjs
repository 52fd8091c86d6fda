#!/usr/bin/env node
// The fused feature kernel (taFeatures, kernels/features.cu) on the CUDA addon vs the CPU addon.
//
//   node kernels/test/features.cjs                     # from the repository root
//   FEATURES_BENCH=1 node kernels/test/features.cjs    # also measure bars/s (needs a GPU)
//
// Always (no GPU needed): bad calls throw exactly the CPU addon's TypeError/RangeError
// message; without a device a valid call throws Error("ta.features: CUDA: ...").
// With a device: every menu feature (ids 0..20) at default and random parameters, several
// shapes (1 row, a few rows, more rows than one block), float64 and float32 outputs, caller
// `out` with guard cells, against the CPU addon: NaN positions identical, values within
// rel 1e-12 (device libm ln vs glibc; + - * / sqrt are correctly rounded on both, so most
// features are bit-identical: the count is printed).
// FEATURES_BENCH=1: the default 20-feature set on 2,000 x 5,000 (the CPU bench shape) and
// on 50,000 x 1,000 (enough rows to occupy the GPU), float32 and float64 out: kernel-only
// bars/s (lastTimings().kernelMs), end-to-end bars/s (pageable copies included), and the
// CPU addon on all cores for comparison. Set NEURION_CUDA_CHUNK_BYTES large (e.g. 8589934592)
// so the big shape runs as one chunk; small (e.g. 4194304) to exercise the chunked path.
'use strict'
const path = require('path')
const os = require('os')

const root = path.resolve(__dirname, '..', '..')
const cuda = require(process.argv[2] || path.join(root, 'build-cuda', 'Release', 'neurion_cuda.node'))
const cpu = require(path.join(root, 'build', 'Release', 'neurion.node'))

let failures = 0
const fail = (m) => { failures++; console.log('FAIL ' + m) }
const ok = (m) => console.log('ok   ' + m)

// Menu: [name, [param defaults], [param mins], nbDev index or -1]; ids = index (native/ta/features.h).
const MENU = [
  ['logReturn', [1], [1]], ['rsi', [14], [2]], ['atrRatio', [14], [1]], ['bbPercentB', [20, 2], [2, 0]], ['bbWidth', [20, 2], [2, 0]],
  ['macdHist', [12, 26, 9], [2, 2, 2]], ['adx', [14], [2]], ['diSpread', [14], [2]], ['stochK', [14, 3], [1, 1]], ['willr', [14], [2]],
  ['cci', [14], [2]], ['obvSlope', [20], [2]], ['volumeZ', [20], [2]], ['closeZ', [20], [2]], ['volCloseToClose', [20], [2]],
  ['volParkinson', [20], [1]], ['volGarmanKlass', [20], [1]], ['donchianPos', [20], [1]], ['smaRatio', [50], [1]],
  ['smaCross', [20, 50], [1, 1]], ['mfi', [14], [2]],
]
const DEFAULT_SET = [[0, 1], [0, 5], [0, 20], [1], [2], [3], [4], [5], [6], [7], [8], [10], [11], [12], [13], [15], [16], [17], [18], [19]]

let seed = 12345
const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648 }
const normal = () => Math.sqrt(-2 * Math.log(rnd() + 1e-12)) * Math.cos(2 * Math.PI * rnd())

function ohlcv(rows, cols) {
  const m = [0, 1, 2, 3, 4].map(() => new Float64Array(rows * cols))
  for (let r = 0; r < rows; r++) {
    let p = 50 + 100 * rnd()
    for (let i = 0; i < cols; i++) {
      const k = r * cols + i
      const o = p * Math.exp(0.01 * normal()), c = o * Math.exp(0.02 * normal())
      m[0][k] = o; m[3][k] = c
      m[1][k] = Math.max(o, c) * (1 + 0.01 * Math.abs(normal()))
      m[2][k] = Math.min(o, c) * (1 - 0.01 * Math.abs(normal()))
      if (rnd() < 0.02) m[0][k] = m[1][k] = m[2][k] = m[3][k] = c
      m[4][k] = Math.floor(1e3 + 1e6 * rnd() ** 3)
      p = c
    }
  }
  return m
}

function encode(set) {
  const s = new Float64Array(set.length * 4)
  set.forEach(([id, ...p], f) => {
    s[f * 4] = id
    const d = MENU[id][1]
    for (let k = 0; k < d.length; k++) s[f * 4 + 1 + k] = p[k] !== undefined ? p[k] : d[k]
  })
  return s
}

function randomSet(cols, n) {
  return Array.from({ length: n }, () => {
    const id = Math.floor(rnd() * MENU.length)
    const [, defs, mins] = MENU[id]
    return [id, ...defs.map((d, k) => (id === 3 || id === 4) && k === 1 ? 0.5 + 2.5 * rnd() : mins[k] + Math.floor(rnd() * (Math.min(cols, 40) - mins[k] + 1)))]
  })
}

const msg = (f) => { try { f(); return 'no error' } catch (e) { return `${e.constructor.name}: ${e.message}` } }

// ---- validation parity (no GPU needed) ----------------------------------------------------
{
  const x = new Float64Array(20)
  const ins = [x, x, x, x, x]
  const spec = new Float64Array([1, 14, 0, 0])
  const bad = [
    ['not an array', ['x', 1, 20, spec]],
    ['4 inputs', [[x, x, x, x], 1, 20, spec]],
    ['Float32 input', [[new Float32Array(20), x, x, x, x], 1, 20, spec]],
    ['shape', [ins, 2, 20, spec]],
    ['rows 0', [ins, 0, 20, spec]],
    ['spec plain array', [ins, 1, 20, [1, 14, 0, 0]]],
    ['spec length', [ins, 1, 20, new Float64Array([1, 14, 0])]],
    ['spec empty', [ins, 1, 20, new Float64Array(0)]],
    ['unknown id', [ins, 1, 20, new Float64Array([21, 0, 0, 0])]],
    ['period 1 rsi', [ins, 1, 20, new Float64Array([1, 1, 0, 0])]],
    ['period > cols', [ins, 1, 20, new Float64Array([19, 5, 21, 0])]],
    ['nbDev NaN', [ins, 1, 20, new Float64Array([3, 5, NaN, 0])]],
    ['out length', [ins, 1, 20, spec, new Float64Array(19)]],
    ['out Int32', [ins, 1, 20, spec, new Int32Array(20)]],
    ['out aliases input', [[new Float64Array(20), x, x, x, new Float64Array(20)], 1, 20, spec, x]],
    ['threads 0', [ins, 1, 20, spec, undefined, 0]],
  ]
  let same = 0
  for (const [label, args] of bad) {
    const a = msg(() => cpu.taFeatures(...args)), b = msg(() => cuda.taFeatures(...args))
    if (a === b && a !== 'no error') same++
    else fail(`validation ${label}: cpu "${a}" vs cuda "${b}"`)
  }
  ok(`validation: ${same}/${bad.length} bad calls throw the CPU addon's exact error`)
}

const devices = cuda.deviceCount()
if (devices === 0) {
  const x = new Float64Array(20)
  const m = msg(() => cuda.taFeatures([x, x, x, x, x], 1, 20, new Float64Array([1, 14, 0, 0])))
  if (/^Error: ta\.features: CUDA: .*no CUDA device/.test(m)) ok(`no device: ${m}`)
  else fail(`no device: expected Error("ta.features: CUDA: no CUDA device ..."), got ${m}`)
  console.log(failures ? `${failures} failure(s)` : 'all passed (no device: conformance and bench skipped)')
  process.exit(failures ? 1 : 0)
}
console.log(`device: ${JSON.stringify(cuda.deviceInfo())}`)

// ---- conformance vs the CPU addon -----------------------------------------------------------
function compare(label, nf, e, a) {
  let identical = 0, worst = 0
  for (let i = 0; i < e.length; i++) {
    const x = e[i], y = a[i]
    if (Object.is(x, y)) { identical++; continue }
    if (Number.isNaN(x) || Number.isNaN(y) || !Number.isFinite(x) || !Number.isFinite(y)) {
      fail(`${label}: index ${i} (feature ${i % nf}): cpu ${x}, cuda ${y}`)
      return
    }
    const r = Math.abs(x - y) / Math.max(Math.abs(x), 1e-300)
    if (r > worst) worst = r
    if (Math.abs(x - y) > 1e-12 * Math.abs(x) + 1e-15) {
      fail(`${label}: index ${i} (feature ${i % nf}): cpu ${x}, cuda ${y} (rel ${r.toExponential(2)})`)
      return
    }
  }
  ok(`${label}: ${identical}/${e.length} bit-identical, max rel ${worst.toExponential(2)}`)
}

const GUARD = 16
for (const [rows, cols] of [[1, 300], [3, 257], [200, 400], [1000, 128]]) {
  const m = ohlcv(rows, cols)
  const sets = [
    ['whole menu', MENU.map((_, id) => [id, ...MENU[id][1].map((d) => Math.min(d, cols))])],
    ['random', randomSet(cols, 16)],
  ]
  for (const [name, set] of sets) {
    const spec = encode(set)
    const nf = set.length
    for (const Ctor of [Float64Array, Float32Array]) {
      const label = `${rows}x${cols} ${name} ${Ctor.name}`
      const e = cpu.taFeatures(m, rows, cols, spec, new Ctor(rows * cols * nf), 4)
      const buf = new Ctor(rows * cols * nf + GUARD).fill(1.25e30)
      const a = cuda.taFeatures(m, rows, cols, spec, buf.subarray(0, rows * cols * nf))
      if (!buf.subarray(rows * cols * nf).every((v) => v === Math.fround(1.25e30) || v === 1.25e30)) fail(`${label}: guard cells overwritten`)
      compare(label, nf, e, a)
    }
  }
}

// ---- throughput ----------------------------------------------------------------------------
if (process.env.FEATURES_BENCH) {
  const spec = encode(DEFAULT_SET)
  const nf = DEFAULT_SET.length
  const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)]
  for (const [rows, cols] of [[2000, 5000], [50000, 1000]]) {
    const m = ohlcv(rows, cols)
    const bars = rows * cols
    for (const Ctor of [Float32Array, Float64Array]) {
      const out = new Ctor(bars * nf)
      cuda.taFeatures(m, rows, cols, spec, out) // warm-up (module load, pool)
      const wall = [], kern = [], h2d = [], d2h = []
      for (let k = 0; k < 5; k++) {
        const t0 = process.hrtime.bigint()
        cuda.taFeatures(m, rows, cols, spec, out)
        wall.push(Number(process.hrtime.bigint() - t0) / 1e6)
        const t = cuda.lastTimings()
        kern.push(t.kernelMs); h2d.push(t.h2dMs); d2h.push(t.d2hMs)
      }
      const t = cuda.lastTimings()
      console.log(`bench cuda ${rows}x${cols} ${nf} features ${Ctor.name}: kernel ${median(kern).toFixed(1)} ms = ` +
        `${(bars / median(kern) / 1e3).toExponential(3)} bars/s (${(bars * nf / median(kern) / 1e3).toExponential(3)} feature values/s); ` +
        `end to end ${median(wall).toFixed(1)} ms = ${(bars / median(wall) / 1e3).toExponential(3)} bars/s ` +
        `(h2d ${median(h2d).toFixed(1)} ms, d2h ${median(d2h).toFixed(1)} ms, ${t.chunks} chunk(s), kernel ${t.kernel})`)
      if (Ctor === Float64Array) {
        const threads = os.cpus().length
        const c = new Float64Array(bars * nf)
        const tc = []
        for (let k = 0; k < 3; k++) { const t0 = process.hrtime.bigint(); cpu.taFeatures(m, rows, cols, spec, c, threads); tc.push(Number(process.hrtime.bigint() - t0) / 1e6) }
        console.log(`bench cpu  ${rows}x${cols} ${nf} features Float64Array threads=${threads}: ${median(tc).toFixed(1)} ms = ${(bars / median(tc) / 1e3).toExponential(3)} bars/s`)
        compare(`bench shape ${rows}x${cols} cuda vs cpu`, nf, c, out)
      }
    }
  }
}

console.log(failures ? `${failures} failure(s)` : 'all passed')
process.exit(failures ? 1 : 0)
