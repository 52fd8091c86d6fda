#!/usr/bin/env node
// Smoke / conformance test of the CUDA addon against the CPU addon.
//
//   node kernels/test/smoke.cjs            # from the repository root
//   SMOKE_BENCH=1 node kernels/test/smoke.cjs   # also time large calls (needs a GPU)
//
// Always (no GPU needed):
//   - the addon loads, deviceCount() returns a number without throwing, buildInfo() works;
//   - bad-argument calls throw the same TypeError/RangeError message as the CPU addon
//     (when build/Release/neurion.node exists);
//   - without a device, valid calls and deviceInfo() throw a plain Error that says so.
// With a device:
//   - sma equals the CPU up to rounding (NaN/Inf positions identical), tiled and direct
//     kernels, whole / row-group / row-piece chunking (NEURION_CUDA_CHUNK_BYTES), caller out;
//   - philox4x32 bit-identical to the CPU, counter carries included;
//   - philoxNormal within a few ulp of the CPU (device libm vs glibc);
//   - ta: every indicator of taList() against the CPU addon (defaults and random valid
//     parameters, NaN sprinkled in, one-row and few-row chunks, caller outputs);
//   - SMOKE_BENCH=1: kernel-only and end-to-end throughput from lastTimings().
// Always, for ta: taList() deep-equals the CPU addon's, taLookback() agrees at default and
// edge parameters, bad ta/taLookback calls throw the CPU addon's TypeError/RangeError.
'use strict'
const path = require('path')
const fs = require('fs')

const root = path.resolve(__dirname, '..', '..')
const cudaPath = process.argv[2] || path.join(root, 'build-cuda', 'Release', 'neurion_cuda.node')
const cpuPath = path.join(root, 'build', 'Release', 'neurion.node')

let failures = 0
const fail = (msg) => {
  failures++
  console.log('FAIL ' + msg)
}
const ok = (msg) => console.log('ok   ' + msg)

const cuda = require(cudaPath)
const cpu = fs.existsSync(cpuPath) ? require(cpuPath) : null

let count
try {
  count = cuda.deviceCount()
} catch (e) {
  fail('deviceCount() threw: ' + e.message)
  process.exit(1)
}
if (typeof count !== 'number') fail('deviceCount() returned ' + typeof count)
else ok('deviceCount() = ' + count)
ok('buildInfo() = ' + JSON.stringify(cuda.buildInfo()))

// ---- argument validation parity ---------------------------------------------------------
const f64 = (n) => new Float64Array(n)
const u32 = (n) => new Uint32Array(n)
const shared = new Float64Array(12)
const badCalls = [
  ['sma', []],
  ['sma', [[1, 2, 3], 1, 3, 2]],
  ['sma', [new Float32Array(6), 2, 3, 2]],
  ['sma', [f64(6), 0, 3, 2]],
  ['sma', [f64(6), 2.5, 3, 2]],
  ['sma', [f64(6), '2', 3, 2]],
  ['sma', [f64(6), 2, 3, 4]],
  ['sma', [f64(6), 2, 3, 0]],
  ['sma', [f64(7), 2, 3, 2]],
  ['sma', [f64(6), 2, 3, 2, f64(5)]],
  ['sma', [f64(6), 2, 3, 2, u32(6)]],
  ['sma', [shared.subarray(0, 6), 2, 3, 2, shared.subarray(3, 9)]],
  ['sma', [f64(6), 2, 3, 2, undefined, 0]],
  ['sma', [f64(6), 2, 3, 2, null, 257]],
  ['sma', [f64(6), 2 ** 41, 3, 2]],
  ['philox4x32', [u32(3), u32(4), 1]],
  ['philox4x32', [f64(2), u32(4), 1]],
  ['philox4x32', [u32(2), u32(5), 1]],
  ['philox4x32', [u32(2), u32(4), 0]],
  ['philox4x32', [u32(2), u32(4), 2 ** 37]],
  ['philox4x32', [u32(2), u32(4), 2, u32(7)]],
  ['philox4x32', [u32(2), u32(4), 2, f64(8)]],
  ['philoxNormal', [u32(2), -1, 0, 1, 1]],
  ['philoxNormal', [u32(2), 2 ** 32, 0, 1, 1]],
  ['philoxNormal', [u32(2), 0, -1, 1, 1]],
  ['philoxNormal', [u32(2), 0, 2 ** 53, 1, 1]],
  ['philoxNormal', [u32(2), 0, 0, 0, 1]],
  ['philoxNormal', [u32(2), 0, 0, 1, 0]],
  ['philoxNormal', [u32(2), 0, 0, 2 ** 30, 2 ** 20]],
  ['philoxNormal', [u32(2), 0, 0, 2, 3, f64(5)]],
  ['philoxNormal', [u32(2), 0, 0, 2, 3, undefined, 300]],
  ['philoxNormal', [u32(1), 0, 0, 2, 3]],
  // results the addon would allocate itself beyond the CPU addon's per-call limit
  ['philox4x32', [u32(2), u32(4), 2 ** 27]],
  ['philoxNormal', [u32(2), 0, 0, 2 ** 14, 2 ** 15]],
]
const outcome = (fn, args) => {
  try {
    fn(...args)
    return 'returned'
  } catch (e) {
    return e.constructor.name + ': ' + e.message
  }
}
if (cpu) {
  let same = 0
  for (const [name, args] of badCalls) {
    const a = outcome(cuda[name], args)
    const b = outcome(cpu[name], args)
    if (a !== b) fail(`${name} validation differs:\n       cuda: ${a}\n       cpu:  ${b}`)
    else same++
  }
  ok(`argument validation identical to the CPU addon on ${same}/${badCalls.length} bad calls`)
} else {
  console.log('skip validation parity: ' + cpuPath + ' not built')
}

// ---- ta: table and validation parity (no GPU needed) --------------------------------------
const taListOf = (addon) => (typeof addon.taList === 'function' ? addon.taList() : null)
const cudaList = taListOf(cuda)
if (!cudaList) fail('CUDA addon exports no taList')
if (cpu && cudaList) {
  const cpuList = taListOf(cpu)
  if (JSON.stringify(cudaList) !== JSON.stringify(cpuList)) {
    const n = Math.max(cudaList.length, cpuList.length)
    let i = 0
    while (i < n && JSON.stringify(cudaList[i]) === JSON.stringify(cpuList[i])) i++
    fail(`taList() differs from the CPU addon's at entry ${i}:\n       cuda: ${JSON.stringify(cudaList[i])}\n       cpu:  ${JSON.stringify(cpuList[i])}` +
      '\n       (rebuild both addons from the same native/ta/kernels headers)')
  } else {
    ok(`taList() identical to the CPU addon (${cudaList.length} indicators)`)
  }
  // taLookback at defaults, each parameter at min / max (ranges up to 2^40 bars).
  let same = 0
  let total = 0
  for (const ind of cudaList) {
    const def = ind.params.map((p) => p.default)
    const sets = [def]
    ind.params.forEach((p, k) => {
      for (const v of [p.min, p.max]) {
        const q = def.slice()
        q[k] = v
        sets.push(q)
      }
    })
    for (const q of sets) {
      total++
      const a = outcome(cuda.taLookback, [ind.name, Float64Array.from(q)])
      const b = outcome(cpu.taLookback, [ind.name, Float64Array.from(q)])
      const ra = a === 'returned' ? cuda.taLookback(ind.name, Float64Array.from(q)) : a
      const rb = b === 'returned' ? cpu.taLookback(ind.name, Float64Array.from(q)) : b
      if (ra !== rb) fail(`taLookback(${ind.name}, [${q}]): cuda ${ra}, cpu ${rb}`)
      else same++
    }
  }
  ok(`taLookback identical to the CPU addon on ${same}/${total} parameter sets`)

  // Bad ta / taLookback calls: same error class and message as the CPU addon.
  const multi = cudaList.find((d) => d.inputs.length >= 2 && d.outputs.length >= 2) || cudaList[0]
  const P = (...v) => Float64Array.from(v)
  const mdef = Float64Array.from(multi.params.map((p) => p.default))
  const mcols = Math.max(64, ...multi.params.filter((p) => p.maxIsLength).map((p) => p.default))
  const mins = () => multi.inputs.map(() => f64(2 * mcols))
  const mouts = () => multi.outputs.map(() => f64(2 * mcols))
  const sh = new Float64Array(40)
  const taBad = [
    [[]],
    [[42, [f64(3)], 1, 3, P(2)]],
    [['nope', [f64(3)], 1, 3, P(2)]],
    [['sma', f64(3), 1, 3, P(2)]],
    [['sma', [], 1, 3, P(2)]],
    [['sma', [f64(3), f64(3)], 1, 3, P(2)]],
    [['sma', [f64(3)], 0, 3, P(2)]],
    [['sma', [f64(3)], 1.5, 3, P(2)]],
    [['sma', [f64(3)], '1', 3, P(2)]],
    [['sma', [f64(3)], 1, 0, P(2)]],
    [['sma', [f64(3)], 1, 2 ** 41, P(2)]],
    [['sma', [new Float32Array(3)], 1, 3, P(2)]],
    [['sma', [[1, 2, 3]], 1, 3, P(2)]],
    [['sma', [f64(4)], 1, 3, P(2)]],
    [['sma', [f64(3)], 1, 3, [2]]],
    [['sma', [f64(3)], 1, 3, P()]],
    [['sma', [f64(3)], 1, 3, P(2, 3)]],
    [['sma', [f64(3)], 1, 3, P(0)]],
    [['sma', [f64(3)], 1, 3, P(4)]],
    [['sma', [f64(3)], 1, 3, P(2.5)]],
    [['sma', [f64(3)], 1, 3, P(NaN)]],
    [['sma', [f64(3)], 1, 3, P(2), f64(3)]],
    [['sma', [f64(3)], 1, 3, P(2), []]],
    [['sma', [f64(3)], 1, 3, P(2), [f64(2)]]],
    [['sma', [f64(3)], 1, 3, P(2), [new Float32Array(3)]]],
    [['sma', [sh.subarray(0, 3)], 1, 3, P(2), [sh.subarray(2, 5)]]],
    [['sma', [f64(3)], 1, 3, P(2), null, 0]],
    [['sma', [f64(3)], 1, 3, P(2), undefined, 257]],
    [['sma', [f64(3)], 1, 3, P(2), undefined, 1.5]],
    [[multi.name, mins(), 2, mcols, mdef, [sh.subarray(0, 2 * mcols)]]],
    [[multi.name, mins().slice(1), 2, mcols, mdef]],
    [[multi.name, mins(), 2, mcols, mdef.subarray(1)]],
    [[multi.name, mins(), 2, mcols, mdef, mouts().slice(1)]],
    [[multi.name, mins(), 2, mcols, mdef, (() => { const o = mouts(); o[1] = o[0]; return o })()]],
    [[multi.name, (() => { const a = mins(); a[a.length - 1] = f64(7); return a })(), 2, mcols, mdef]],
  ].map(([a]) => ['ta', a])
  // A parameter of the multi-input indicator past its range.
  if (multi.params.length) {
    const q = mdef.slice()
    const p0 = multi.params[0]
    q[0] = p0.maxIsLength ? mcols + 1 : p0.max * 2 + 1
    taBad.push(['ta', [multi.name, mins(), 2, mcols, q]])
    const r = mdef.slice()
    r[0] = p0.min - 1
    taBad.push(['ta', [multi.name, mins(), 2, mcols, r]])
  }
  taBad.push(
    ['taLookback', []],
    ['taLookback', [7, P(2)]],
    ['taLookback', ['nope', P(2)]],
    ['taLookback', ['sma', [2]]],
    ['taLookback', ['sma', P()]],
    ['taLookback', ['sma', P(0)]],
    ['taLookback', ['sma', P(2 ** 41)]],
    ['taLookback', ['sma', P(2.5)]],
  )
  let sameBad = 0
  for (const [name, args] of taBad) {
    const a = outcome(cuda[name], args)
    const b = outcome(cpu[name], args)
    if (a !== b) fail(`${name} validation differs:\n       cuda: ${a}\n       cpu:  ${b}`)
    else if (a === 'returned') fail(`${name}(${args[0]}) bad call was accepted by both addons`)
    else sameBad++
  }
  ok(`ta/taLookback argument validation identical to the CPU addon on ${sameBad}/${taBad.length} bad calls`)
}

// ---- no device ----------------------------------------------------------------------------
if (count === 0) {
  const valid = [
    ['sma', [f64(6), 2, 3, 2]],
    ['philox4x32', [u32(2), u32(4), 3]],
    ['philoxNormal', [u32(2), 0, 0, 3, 5]],
    ['ta', ['sma', [f64(6)], 2, 3, Float64Array.of(2)]],
    ['ta', ['ema', [f64(6)], 2, 3, Float64Array.of(2), [f64(6)], 4]],
    ['deviceInfo', []],
  ]
  for (const [name, args] of valid) {
    const r = outcome(cuda[name], args)
    if (!/^Error: .*no CUDA device available/.test(r)) fail(`${name} without a device: ${r}`)
    else ok(`${name} without a device -> ${r}`)
  }
  console.log(failures ? `${failures} failure(s)` : 'all checks passed (no CUDA device: conformance skipped)')
  process.exit(failures ? 1 : 0)
}

// ---- conformance (device present) ---------------------------------------------------------
ok('deviceInfo() = ' + JSON.stringify(cuda.deviceInfo()))
if (!cpu) {
  fail('conformance needs the CPU addon: npm run install')
  process.exit(1)
}

let seed = 12345
const rand = () => {
  seed = (seed * 1103515245 + 12345) % 2147483648
  return seed / 2147483648
}

function smaCase(rows, cols, p, badRate, chunkBytes) {
  if (chunkBytes) process.env.NEURION_CUDA_CHUNK_BYTES = String(chunkBytes)
  else delete process.env.NEURION_CUDA_CHUNK_BYTES
  const x = new Float64Array(rows * cols)
  let scale = 1
  for (let i = 0; i < x.length; i++) {
    x[i] = (rand() - 0.5) * 200
    if (rand() < badRate) {
      const r = rand()
      x[i] = r < 0.4 ? NaN : r < 0.7 ? Infinity : -Infinity
    }
    if (Number.isFinite(x[i])) scale = Math.max(scale, Math.abs(x[i]))
  }
  const ref = cpu.sma(x, rows, cols, p)
  const out = new Float64Array(rows * cols).fill(-1)
  const got = cuda.sma(x, rows, cols, p, out)
  const t = cuda.lastTimings()
  if (got !== out) fail('sma did not return the caller-provided out')
  let bad = 0
  let maxErr = 0
  for (let i = 0; i < ref.length; i++) {
    const a = got[i]
    const b = ref[i]
    let same
    if (Number.isNaN(a) || Number.isNaN(b)) same = Number.isNaN(a) && Number.isNaN(b)
    else if (!Number.isFinite(a) || !Number.isFinite(b)) same = a === b
    else {
      maxErr = Math.max(maxErr, Math.abs(a - b))
      same = Math.abs(a - b) <= 1e-12 * scale
    }
    if (!same && ++bad <= 3) fail(`sma ${rows}x${cols} p=${p} chunk=${chunkBytes}: [${i}] gpu=${a} cpu=${b}`)
  }
  if (!bad) ok(`sma ${rows}x${cols} p=${p} bad=${badRate} chunk=${chunkBytes || 'default'} ${t.kernel} chunks=${t.chunks} maxAbsErr=${maxErr.toExponential(2)}`)
}

const smaCases = [
  [1, 1, 1], [3, 5, 2], [1, 1000, 10], [64, 1000, 20], [1000, 64, 9], [7, 10007, 128], [7, 10007, 185],
  [7, 10007, 186], [2, 100003, 1000], [1, 1000003, 50000], [5000, 3, 3], [1, 300001, 300001],
]
for (const [r, c, p] of smaCases) {
  smaCase(r, c, p, 0, 0)
  smaCase(r, c, p, 0.01, 0)
}
for (const [r, c, p] of [[64, 1000, 20], [3, 20000, 100], [3, 20000, 3000], [1, 100000, 7]]) {
  for (const cb of [4096, 800, 128]) smaCase(r, c, p, 0.01, cb)
}
delete process.env.NEURION_CUDA_CHUNK_BYTES

function philoxCase(ctr, blocks, chunkBytes) {
  if (chunkBytes) process.env.NEURION_CUDA_CHUNK_BYTES = String(chunkBytes)
  else delete process.env.NEURION_CUDA_CHUNK_BYTES
  const key = Uint32Array.of(0xdeadbeef, 0x01234567)
  const c = Uint32Array.from(ctr)
  const ref = cpu.philox4x32(key, c, blocks)
  const got = cuda.philox4x32(key, c, blocks)
  let bad = -1
  for (let i = 0; i < ref.length; i++) if (ref[i] !== got[i]) { bad = i; break }
  if (bad >= 0) fail(`philox4x32 ctr=${ctr} blocks=${blocks}: first difference at word ${bad}`)
  else ok(`philox4x32 ctr=[${ctr.map((v) => v.toString(16))}] blocks=${blocks} chunk=${chunkBytes || 'default'} bit-identical`)
}
philoxCase([0, 0, 0, 0], 1, 0)
philoxCase([1, 2, 3, 4], 100000, 0)
philoxCase([0xfffffff0, 0xffffffff, 0xffffffff, 0xffffffff], 1000, 0)
philoxCase([0xfffffff0, 0xffffffff, 0xffffffff, 7], 1000, 160)
delete process.env.NEURION_CUDA_CHUNK_BYTES

function normalCase(stream, offset, paths, steps, chunkBytes) {
  if (chunkBytes) process.env.NEURION_CUDA_CHUNK_BYTES = String(chunkBytes)
  else delete process.env.NEURION_CUDA_CHUNK_BYTES
  const key = Uint32Array.of(42, 7)
  const ref = cpu.philoxNormal(key, stream, offset, paths, steps)
  const out = new Float64Array(paths * steps)
  const got = cuda.philoxNormal(key, stream, offset, paths, steps, out)
  if (got !== out) fail('philoxNormal did not return the caller-provided out')
  let maxErr = 0
  let exact = 0
  for (let i = 0; i < ref.length; i++) {
    const e = Math.abs(got[i] - ref[i])
    if (!(e <= maxErr)) maxErr = Number.isNaN(e) ? Infinity : Math.max(maxErr, e)
    if (got[i] === ref[i]) exact++
  }
  // |z| <= 6.77; a few ulp of 6.77 is ~4e-15.
  if (!(maxErr <= 1e-14)) fail(`philoxNormal ${paths}x${steps} offset=${offset}: max abs diff ${maxErr}`)
  else ok(`philoxNormal ${paths}x${steps} offset=${offset} chunk=${chunkBytes || 'default'} maxAbsDiff=${maxErr.toExponential(2)} bit-equal ${(100 * exact / ref.length).toFixed(2)}%`)
}
normalCase(0, 0, 1, 1, 0)
normalCase(3, 0, 1000, 252, 0)
normalCase(1, 2 ** 32 - 3, 17, 13, 0)
normalCase(9, 123, 333, 1001, 4096)
normalCase(9, 123, 5, 7, 32)
delete process.env.NEURION_CUDA_CHUNK_BYTES

// ---- ta conformance (device present) -------------------------------------------------------
// Inputs by name: consistent positive OHLCV bars (high >= open, close >= low > 0; volume > 0),
// anything else a random walk; NaN sprinkled in at `badRate`.
function taInputs(ind, rows, cols, badRate) {
  const arrays = ind.inputs.map(() => new Float64Array(rows * cols))
  for (let r = 0; r < rows; r++) {
    let b = 50 + rand() * 100
    for (let i = 0; i < cols; i++) {
      b = Math.max(1, b + (rand() - 0.5) * 2)
      const o = b + (rand() - 0.5)
      const c = b + (rand() - 0.5)
      const h = Math.max(o, c) + rand() * 0.5
      const l = Math.max(0.01, Math.min(o, c) - rand() * 0.5)
      ind.inputs.forEach((nm, k) => {
        let v = nm === 'open' ? o : nm === 'high' ? h : nm === 'low' ? l : nm === 'close' ? c
          : nm === 'volume' ? 1000 + rand() * 1e6 : k === 0 ? b : 50 + b * (0.5 + 0.1 * k) + rand()
        if (badRate && rand() < badRate) v = NaN
        arrays[k][r * cols + i] = v
      })
    }
  }
  return arrays
}

function taParams(ind, cols, random) {
  return Float64Array.from(ind.params.map((p) => {
    const hi = p.maxIsLength ? Math.min(p.max, cols) : p.max
    if (!random) return Math.min(hi, Math.max(p.min, p.default))
    if (p.integer) {
      const span = Math.min(hi, p.min + 200) - p.min
      return p.min + Math.floor(rand() * (span + 1))
    }
    const lo = Math.max(p.min, -100)
    const top = Math.min(hi, 100)
    return lo + rand() * (top - lo)
  }))
}

let taWorst = { err: 0, what: '' }
function taCase(ind, rows, cols, random, badRate, chunkBytes, callerOut) {
  if (chunkBytes) process.env.NEURION_CUDA_CHUNK_BYTES = String(chunkBytes)
  else delete process.env.NEURION_CUDA_CHUNK_BYTES
  const ins = taInputs(ind, rows, cols, badRate)
  const params = taParams(ind, cols, random)
  const label = `ta(${ind.name}) ${rows}x${cols} params=[${Array.from(params).map((v) => +v.toPrecision(6))}] bad=${badRate} chunk=${chunkBytes || 'default'}`
  let ref
  try {
    ref = cpu.ta(ind.name, ins, rows, cols, params)
  } catch (e) {
    return // e.g. a parameter range empty for this length; the CPU defines what is valid
  }
  const outs = callerOut ? ind.outputs.map(() => new Float64Array(rows * cols).fill(-1)) : undefined
  let got
  try {
    got = cuda.ta(ind.name, ins, rows, cols, params, outs)
  } catch (e) {
    fail(`${label}: ${e.message}`)
    return
  }
  if (callerOut && got.some((a, k) => a !== outs[k])) fail(`${label}: did not return the caller-provided outputs`)
  let bad = 0
  let exact = 0
  let n = 0
  ind.outputs.forEach((nm, k) => {
    const a = got[k]
    const b = ref[k]
    let scale = 0
    for (let i = 0; i < b.length; i++) if (Number.isFinite(b[i])) scale = Math.max(scale, Math.abs(b[i]))
    scale = Math.max(scale, 1e-300)
    for (let i = 0; i < b.length; i++) {
      n++
      let same
      if (Number.isNaN(a[i]) || Number.isNaN(b[i])) same = Number.isNaN(a[i]) && Number.isNaN(b[i])
      else if (!Number.isFinite(a[i]) || !Number.isFinite(b[i])) same = a[i] === b[i]
      else {
        const err = Math.abs(a[i] - b[i]) / scale
        if (err > taWorst.err) taWorst = { err, what: `${label} ${nm}[${i}]` }
        same = err <= 1e-9
      }
      if (a[i] === b[i] || (Number.isNaN(a[i]) && Number.isNaN(b[i]))) exact++
      if (!same && ++bad <= 2) fail(`${label} ${nm}[${i}]: gpu=${a[i]} cpu=${b[i]}`)
    }
  })
  return { bad, exact, n }
}

if (cudaList) {
  let cases = 0
  let exact = 0
  let n = 0
  const t0 = Date.now()
  for (const ind of cudaList) {
    const runs = [
      [1, 1, false, 0, 0, false],
      [3, 50, false, 0, 0, true],
      [37, 300, false, 0.01, 0, false],
      [37, 300, true, 0.01, 0, false],
      [300, 97, true, 0, 0, false],
      [5, 1000, false, 0.002, 16, true], // one row per chunk
      [64, 200, true, 0, 40000, false], // a few rows per chunk
    ]
    for (const [rows, cols, random, badRate, chunk, callerOut] of runs) {
      const r = taCase(ind, rows, cols, random, badRate, chunk, callerOut)
      if (r) {
        cases++
        exact += r.exact
        n += r.n
      }
    }
  }
  delete process.env.NEURION_CUDA_CHUNK_BYTES
  ok(`ta: ${cases} cases over ${cudaList.length} indicators in ${Date.now() - t0} ms; bit-identical ${(100 * exact / Math.max(n, 1)).toFixed(3)}%; ` +
    `worst relative difference ${taWorst.err.toExponential(2)} (${taWorst.what || '-'})`)
}

// ---- throughput (optional) ----------------------------------------------------------------
if (process.env.SMOKE_BENCH) {
  const report = (label, elems, bytesDev) => {
    const t = cuda.lastTimings()
    const e2e = t.h2dMs + t.kernelMs + t.d2hMs
    console.log(
      `bench ${label}: kernel ${t.kernelMs.toFixed(3)} ms (${(bytesDev / t.kernelMs / 1e6).toFixed(0)} GB/s device, ` +
        `${(elems / t.kernelMs / 1e6).toFixed(1)} G/s), h2d ${t.h2dMs.toFixed(1)} ms (${(t.h2dBytes / t.h2dMs / 1e6).toFixed(1)} GB/s), ` +
        `d2h ${t.d2hMs.toFixed(1)} ms (${(t.d2hBytes / t.d2hMs / 1e6).toFixed(1)} GB/s), end-to-end ${e2e.toFixed(1)} ms [${t.kernel}]`,
    )
  }
  const N = 1 << 27 // 128 Mi elements, 1 GiB per array
  const x = new Float64Array(N)
  for (let i = 0; i < N; i++) x[i] = Math.sin(i) * 100
  const out = new Float64Array(N)
  for (const [rows, p] of [[1, 20], [1024, 20], [1, 128], [4096, 200], [1, 2000]]) {
    cuda.sma(x, rows, N / rows, p, out) // warm-up
    cuda.sma(x, rows, N / rows, p, out)
    report(`sma ${rows}x${N / rows} p=${p}`, N, 16 * N)
  }
  const key = Uint32Array.of(1, 2)
  const raw = new Uint32Array(4 * (N / 2))
  cuda.philox4x32(key, u32(4), N / 2, raw)
  cuda.philox4x32(key, u32(4), N / 2, raw)
  report(`philox4x32 ${N / 2} blocks`, N / 2, 8 * N)
  cuda.philoxNormal(key, 0, 0, 1 << 14, N >> 14, out)
  cuda.philoxNormal(key, 0, 0, 1 << 14, N >> 14, out)
  report(`philoxNormal ${1 << 14}x${N >> 14}`, N, 8 * N)
  // ta: one thread per row; [rows x cols] = 2^24 elements per array, few to many rows.
  const byName = Object.fromEntries(cudaList.map((d) => [d.name, d]))
  for (const name of ['sma', 'ema', 'rsi', 'atr', 'bbands', 'macd', 'adx']) {
    const ind = byName[name]
    if (!ind) continue
    for (const [rows, cols] of [[1024, 1 << 14], [16384, 1 << 10], [131072, 128]]) {
      const ins = taInputs(ind, rows, cols, 0)
      const params = taParams(ind, cols, false)
      cuda.ta(name, ins, rows, cols, params) // warm-up
      cuda.ta(name, ins, rows, cols, params)
      const e = rows * cols
      const cpuThreads = Math.min(256, require('os').cpus().length)
      const t0 = process.hrtime.bigint()
      cpu.ta(name, ins, rows, cols, params, undefined, cpuThreads)
      const cpuMs = Number(process.hrtime.bigint() - t0) / 1e6
      report(`ta(${name}) ${rows}x${cols} [CPU addon, ${cpuThreads} threads: ${cpuMs.toFixed(1)} ms]`, e,
        8 * e * (ind.inputs.length + ind.outputs.length))
    }
  }
}

console.log(failures ? `${failures} failure(s)` : 'all checks passed')
process.exit(failures ? 1 : 0)
