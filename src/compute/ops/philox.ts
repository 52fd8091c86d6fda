/**
 * Philox4x32-10 counter-based generator (Salmon et al., SC'11) and the standard normals
 * Neurion derives from it. Same (key, counter) -> same bits on every backend; the
 * conformance suite checks the uint32 output bit for bit and the Random123 known-answer
 * vectors in tests/philox-kat.test.ts.
 *
 * Keying convention for simulations (see native/common/philox.h):
 *   key = (seed low 32, seed high 32), counter = (step >> 2, path low 32, path high 32, stream)
 * Each block gives 4 uniforms u = (x + 0.5) / 2^32 and 4 normals by Box-Muller:
 *   z0 = r0 cos(2 pi u1), z1 = r0 sin(2 pi u1), r0 = sqrt(-2 ln u0); likewise z2, z3 from (u2, u3).
 * So a draw depends only on (seed, path, step, stream): any chunking or thread count gives
 * the same scenario.
 */
import type { OpDef } from '../registry.js';
import { compareArrays, compareExact } from '../compare.js';
import { checkOutput, expectAllocatable, expectInteger, expectLength, expectTyped } from '../validate.js';
import { describeValue } from '../../errors.js';

export interface PhiloxArgs {
  key: Uint32Array;
  counter: Uint32Array;
  blocks: number;
  out?: Uint32Array;
}

export interface PhiloxNormalArgs {
  key: Uint32Array;
  stream: number;
  pathOffset: number;
  paths: number;
  steps: number;
  out?: Float64Array;
}

const M0 = 0xd2511f53, M1 = 0xcd9e8d57, W0 = 0x9e3779b9, W1 = 0xbb67ae85;

/** High 32 bits of the 64-bit product of two uint32 (exact, via 16-bit halves). */
function mulhi(a: number, b: number): number {
  const al = a & 0xffff, ah = a >>> 16, bl = b & 0xffff, bh = b >>> 16;
  const ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
  const mid = (ll >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  return (hh + (lh >>> 16) + (hl >>> 16) + Math.floor(mid / 65536)) >>> 0;
}

/** One Philox4x32-10 block into out[o..o+3]. */
export function philoxBlock(c0: number, c1: number, c2: number, c3: number, k0: number, k1: number, out: Uint32Array, o: number): void {
  for (let r = 0; r < 10; r++) {
    if (r > 0) { k0 = (k0 + W0) >>> 0; k1 = (k1 + W1) >>> 0; }
    const hi0 = mulhi(M0, c0), lo0 = Math.imul(M0, c0) >>> 0;
    const hi1 = mulhi(M1, c2), lo1 = Math.imul(M1, c2) >>> 0;
    const n0 = (hi1 ^ c1 ^ k0) >>> 0;
    const n2 = (hi0 ^ c3 ^ k1) >>> 0;
    c0 = n0; c1 = lo1; c2 = n2; c3 = lo0;
  }
  out[o] = c0; out[o + 1] = c1; out[o + 2] = c2; out[o + 3] = c3;
}

/** The Philox key for a seed: a non-negative safe integer or a bigint below 2^64. */
export function philoxKey(seed: number | bigint): Uint32Array {
  let s: bigint;
  if (typeof seed === 'number') {
    if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed must be a non-negative safe integer, got ${describeValue(seed)}`);
    s = BigInt(seed);
  } else if (typeof seed === 'bigint') {
    if (seed < 0n || seed >= 1n << 64n) throw new RangeError(`seed must be in [0, 2^64), got ${describeValue(seed)}`);
    s = seed;
  } else {
    throw new TypeError(`seed must be a number or bigint, got ${describeValue(seed)}`);
  }
  return new Uint32Array([Number(s & 0xffffffffn), Number(s >> 32n)]);
}

const u01 = (x: number): number => (x + 0.5) * 2.3283064365386963e-10;

function validatePhilox(a: PhiloxArgs): void {
  if (typeof a !== 'object' || a === null) throw new TypeError(`philox4x32: arguments must be an object, got ${String(a)}`);
  expectTyped('philox4x32', 'key', a.key, 'Uint32Array');
  expectLength('philox4x32', 'key', a.key, 2, 'two 32-bit words');
  expectTyped('philox4x32', 'counter', a.counter, 'Uint32Array');
  expectLength('philox4x32', 'counter', a.counter, 4, 'four 32-bit words');
  expectInteger('philox4x32', 'blocks', a.blocks, 1, 2 ** 36);
  if (a.out !== undefined) {
    expectTyped('philox4x32', 'out', a.out, 'Uint32Array');
    expectLength('philox4x32', 'out', a.out, 4 * a.blocks, '4 * blocks');
  } else {
    expectAllocatable('philox4x32', 4 * a.blocks);
  }
}

function referencePhilox(a: PhiloxArgs): Uint32Array {
  const out = a.out ?? new Uint32Array(4 * a.blocks);
  const c = Array.from(a.counter);
  for (let b = 0; b < a.blocks; b++) {
    philoxBlock(c[0]!, c[1]!, c[2]!, c[3]!, a.key[0]!, a.key[1]!, out, 4 * b);
    for (let w = 0; w < 4; w++) { c[w] = (c[w]! + 1) >>> 0; if (c[w] !== 0) break; } // 128-bit increment
  }
  return out;
}

function validateNormal(a: PhiloxNormalArgs): void {
  const op = 'philoxNormal';
  if (typeof a !== 'object' || a === null) throw new TypeError(`${op}: arguments must be an object, got ${String(a)}`);
  expectTyped(op, 'key', a.key, 'Uint32Array');
  expectLength(op, 'key', a.key, 2, 'two 32-bit words');
  expectInteger(op, 'stream', a.stream, 0, 0xffffffff);
  expectInteger(op, 'pathOffset', a.pathOffset, 0, Number.MAX_SAFE_INTEGER);
  expectInteger(op, 'paths', a.paths, 1, 2 ** 36);
  expectInteger(op, 'steps', a.steps, 1, 2 ** 34);
  if (a.paths * a.steps > 2 ** 40) throw new RangeError(`${op}: paths * steps must be <= 2^40, got ${a.paths * a.steps}`);
  checkOutput(op, a.out, a.paths * a.steps, {});
}

function referenceNormal(a: PhiloxNormalArgs): Float64Array {
  const { paths, steps } = a;
  const out = a.out ?? new Float64Array(paths * steps);
  const block = new Uint32Array(4);
  for (let p = 0; p < paths; p++) {
    const gp = a.pathOffset + p;
    const lo = gp % 4294967296, hi = Math.floor(gp / 4294967296);
    for (let s = 0; s < steps; s += 4) {
      philoxBlock(Math.floor(s / 4), lo, hi, a.stream, a.key[0]!, a.key[1]!, block, 0);
      const r0 = Math.sqrt(-2 * Math.log(u01(block[0]!))), t0 = 2 * Math.PI * u01(block[1]!);
      const r1 = Math.sqrt(-2 * Math.log(u01(block[2]!))), t1 = 2 * Math.PI * u01(block[3]!);
      const z = [r0 * Math.cos(t0), r0 * Math.sin(t0), r1 * Math.cos(t1), r1 * Math.sin(t1)];
      for (let j = 0; j < 4 && s + j < steps; j++) out[p * steps + s + j] = z[j]!;
    }
  }
  return out;
}

export const philoxOp: OpDef<PhiloxArgs, Uint32Array> = {
  name: 'philox4x32',
  summary: 'Philox4x32-10 raw blocks for consecutive 128-bit counters',
  validate: validatePhilox,
  reference: referencePhilox,
  native: (addon, a) => addon.philox4x32(a.key, a.counter, a.blocks, a.out),
  conformance: {
    tolerance: 'bit-exact (integer output)',
    randomCases(rng) {
      const u = (): number => rng.nextUint32();
      return [
        { label: 'random key/counter, 1 block', args: { key: new Uint32Array([u(), u()]), counter: new Uint32Array([u(), u(), u(), u()]), blocks: 1 } },
        { label: 'random key/counter, 1000 blocks', args: { key: new Uint32Array([u(), u()]), counter: new Uint32Array([u(), u(), u(), u()]), blocks: 1000 } },
        { label: 'counter carry across all words', args: { key: new Uint32Array([u(), u()]), counter: new Uint32Array([0xfffffffe, 0xffffffff, 0xffffffff, 0xffffffff]), blocks: 5 } },
      ];
    },
    realCases: () => [],
    compare: compareExact,
    badCases: () => [
      { label: 'key of length 3', args: { key: new Uint32Array(3), counter: new Uint32Array(4), blocks: 1 }, error: RangeError, match: /key must have length 2/ },
      { label: 'counter as Int32Array', args: { key: new Uint32Array(2), counter: new Int32Array(4), blocks: 1 }, error: TypeError, match: /counter must be a Uint32Array/ },
      { label: 'zero blocks', args: { key: new Uint32Array(2), counter: new Uint32Array(4), blocks: 0 }, error: RangeError, match: /blocks must be an integer/ },
      { label: 'out too short', args: { key: new Uint32Array(2), counter: new Uint32Array(4), blocks: 2, out: new Uint32Array(4) }, error: RangeError, match: /out must have length 8/ },
    ],
  },
};

export const philoxNormalOp: OpDef<PhiloxNormalArgs, Float64Array> = {
  name: 'philoxNormal',
  summary: 'standard normals for a [paths x steps] grid keyed by (seed, path, step, stream)',
  validate: validateNormal,
  reference: referenceNormal,
  native: (addon, a, threads) => addon.philoxNormal(a.key, a.stream, a.pathOffset, a.paths, a.steps, a.out, threads),
  rows: {
    count: (a) => a.paths,
    slice: (a, from, to) => ({ ...a, pathOffset: a.pathOffset + from, paths: to - from, out: a.out.subarray(from * a.steps, to * a.steps) }),
    allocate: (a, shared) =>
      shared ? new Float64Array(new SharedArrayBuffer(a.paths * a.steps * 8)) : new Float64Array(a.paths * a.steps),
  },
  conformance: {
    // Same uint32 bits everywhere; log/sqrt/sin/cos may differ by an ulp between V8, glibc
    // and CUDA's libdevice.
    tolerance: 'rel 1e-12 + abs 1e-14 (transcendental functions differ by ulps across math libraries)',
    randomCases(rng) {
      return [
        { label: 'small grid', args: { key: new Uint32Array([rng.nextUint32(), rng.nextUint32()]), stream: 0, pathOffset: 0, paths: 3, steps: 7 } },
        { label: 'offset paths, stream 5', args: { key: new Uint32Array([rng.nextUint32(), rng.nextUint32()]), stream: 5, pathOffset: rng.int(0, 1e6), paths: 100, steps: 253 } },
        { label: 'path offset beyond 2^32', args: { key: new Uint32Array([rng.nextUint32(), 0]), stream: 1, pathOffset: 2 ** 33 + rng.int(0, 1000), paths: 8, steps: 9 } },
      ];
    },
    realCases: () => [],
    compare: (e, a) => compareArrays(e, a, { rel: 1e-12, abs: 1e-14 }),
    badCases: () => [
      { label: 'zero paths', args: { key: new Uint32Array(2), stream: 0, pathOffset: 0, paths: 0, steps: 1 }, error: RangeError, match: /paths must be an integer/ },
      { label: 'negative stream', args: { key: new Uint32Array(2), stream: -1, pathOffset: 0, paths: 1, steps: 1 }, error: RangeError, match: /stream must be an integer/ },
      { label: 'key as Float64Array', args: { key: new Float64Array(2), stream: 0, pathOffset: 0, paths: 1, steps: 1 }, error: TypeError, match: /key must be a Uint32Array/ },
      { label: 'out wrong length', args: { key: new Uint32Array(2), stream: 0, pathOffset: 0, paths: 2, steps: 2, out: new Float64Array(3) }, error: RangeError, match: /out must have length 4/ },
    ],
  },
};
