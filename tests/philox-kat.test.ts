// Random123 known-answer vectors for Philox4x32-10 (kat_vectors, "philox4x32 10" lines:
// counter[4] key[2] -> output[4]), checked on every available backend, plus the
// (seed, path, step) invariance that Monte Carlo chunking relies on.
import { describe, expect, it } from 'vitest';
import { availableBackends, philox4x32, philoxNormal } from '../src/compute/index.js';

const KAT: Array<[number[], number[], number[]]> = [
  [[0, 0, 0, 0], [0, 0], [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]],
  [[0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff], [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd]],
  [[0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0], [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1]],
];

describe.each(availableBackends())('Philox4x32-10 on %s', (backend) => {
  it.each(KAT.map((k, i) => [i, ...k] as const))('Random123 known answer #%i', (_i, ctr, key, want) => {
    const got = philox4x32(new Uint32Array(key), new Uint32Array(ctr), 1, { backend });
    expect(Array.from(got)).toEqual(want);
  });

  it('block i equals a single call at counter + i (the 128-bit counter carries)', () => {
    const key = new Uint32Array([0xdeadbeef, 12345]);
    const start = [0xfffffffe, 0xffffffff, 7, 0];
    const run = philox4x32(key, new Uint32Array(start), 4, { backend });
    const third = philox4x32(key, new Uint32Array([0, 0, 8, 0]), 1, { backend }); // start + 2 carries into word 2
    expect(Array.from(run.subarray(8, 12))).toEqual(Array.from(third));
  });

  it('normals depend only on (seed, path, step): chunked runs equal one run', () => {
    const whole = philoxNormal({ seed: 42, paths: 10, steps: 13 }, { backend });
    const part = philoxNormal({ seed: 42, paths: 4, steps: 13, pathOffset: 3 }, { backend });
    expect(Array.from(part)).toEqual(Array.from(whole.subarray(3 * 13, 7 * 13)));
    const shorter = philoxNormal({ seed: 42, paths: 10, steps: 5 }, { backend });
    for (let p = 0; p < 10; p++) expect(Array.from(shorter.subarray(p * 5, p * 5 + 5))).toEqual(Array.from(whole.subarray(p * 13, p * 13 + 5)));
  });

  it('normals have mean 0, variance 1, and streams are independent', () => {
    const n = 200_000;
    const z = philoxNormal({ seed: 7, paths: 1000, steps: 200 }, { backend });
    const w = philoxNormal({ seed: 7, paths: 1000, steps: 200, stream: 1 }, { backend });
    let s = 0, s2 = 0, sw = 0, s4 = 0;
    for (let i = 0; i < n; i++) { s += z[i]!; s2 += z[i]! * z[i]!; s4 += z[i]! ** 4; sw += z[i]! * w[i]!; }
    const mean = s / n, variance = s2 / n - mean * mean;
    // Standard errors: mean 1/sqrt(n) = 0.0022; variance sqrt(2/n) = 0.0032; kurtosis ~ sqrt(96/n) = 0.022.
    expect(Math.abs(mean)).toBeLessThan(5 * 0.0023);
    expect(Math.abs(variance - 1)).toBeLessThan(5 * 0.0032);
    expect(Math.abs(s4 / n - 3)).toBeLessThan(5 * 0.022);
    expect(Math.abs(sw / n)).toBeLessThan(5 * 0.0023);
  });
});
