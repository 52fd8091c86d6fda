// The 64-bit fingerprint of a trade list, identical to src/trading/sweep/fingerprint.ts:
// two MurmurHash3 (x86_32) lanes with different seeds over the same 32-bit words, per
// closed trade, in trade order:
//   entry bar index, exit bar index, then lo/hi words of round(x * 1e6) for the entry price,
//   the exit price and the quantity (Math.round; all three are positive).
// Finalised with the byte length and fmix32; reported as hi = lane 1, lo = lane 2.
#pragma once
#include <cstdint>
#include <cmath>
#include "js_round.h"

namespace neurion::sweep {

constexpr uint32_t kFpSeed1 = 0x243f6a88u;
constexpr uint32_t kFpSeed2 = 0x85a308d3u;

inline uint32_t rotl32(uint32_t x, int r) { return (x << r) | (x >> (32 - r)); }

inline uint32_t murmur_step(uint32_t h, uint32_t w) {
  uint32_t k = w * 0xcc9e2d51u;
  k = rotl32(k, 15);
  k *= 0x1b873593u;
  h ^= k;
  h = rotl32(h, 13);
  return h * 5u + 0xe6546b64u;
}

inline uint32_t fmix32(uint32_t h) {
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  h *= 0xc2b2ae35u;
  h ^= h >> 16;
  return h;
}

struct Fingerprint {
  uint32_t h1 = kFpSeed1, h2 = kFpSeed2;
  uint32_t words = 0;
  void word(uint32_t w) {
    h1 = murmur_step(h1, w);
    h2 = murmur_step(h2, w ^ 0x9e3779b9u);
    ++words;
  }
  // round(x * 1e6) as two words: low 32 bits, then the rest (x >= 0).
  void micros(double x) {
    const double v = js_round_nonneg(x * 1e6);
    const double hi = std::floor(v / 4294967296.0);
    const double lo = v - hi * 4294967296.0;
    // Words modulo 2^32, as JavaScript's `>>> 0` (values stay below 2^64 for any real input).
    word(static_cast<uint32_t>(static_cast<uint64_t>(lo)));
    word(static_cast<uint32_t>(static_cast<uint64_t>(hi)));
  }
  void trade(int64_t entry_bar, int64_t exit_bar, double entry_price, double exit_price, double qty) {
    word(static_cast<uint32_t>(entry_bar));
    word(static_cast<uint32_t>(exit_bar));
    micros(entry_price);
    micros(exit_price);
    micros(qty);
  }
  uint32_t hi() const { return fmix32(h1 ^ (words * 4u)); }
  uint32_t lo() const { return fmix32(h2 ^ (words * 4u)); }
};

}  // namespace neurion::sweep
