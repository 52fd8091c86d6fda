// Philox on the GPU: per-thread work and host chunking shared by kernels/philox.cu and the
// host emulation test (kernels/test/emulate.cpp). Plain C++ with NEURION_HD.
//
// The generator itself is native/common/philox.h (philox4x32_10, philox_box_muller4), the
// same code the CPU core runs, so raw blocks are bit-identical to the CPU. Normals go
// through the device's log/sqrt/sin/cos (CUDA libdevice: sqrt correctly rounded, log
// within 1 ulp, sin/cos within 2 ulp) against glibc on the CPU, so they agree to a few
// ulp, not bit for bit.
#pragma once
#include <cstdint>
#include "../native/common/hd.h"
#include "../native/common/philox.h"

namespace neurion::cuda {

// c + b as 128-bit integers (word 0 least significant), the CPU's counter increment
// applied b times.
NEURION_HD void philox_ctr_add(const uint32_t c[4], uint64_t b, uint32_t r[4]) {
  const uint64_t lo = static_cast<uint64_t>(c[0]) | (static_cast<uint64_t>(c[1]) << 32);
  const uint64_t s = lo + b;
  const uint32_t carry = s < lo ? 1u : 0u;
  r[0] = static_cast<uint32_t>(s);
  r[1] = static_cast<uint32_t>(s >> 32);
  r[2] = c[2] + carry;
  r[3] = c[3] + ((carry != 0u && r[2] == 0u) ? 1u : 0u);
}

// ---- philoxNormal -----------------------------------------------------------------------
// Work item t = path * nb + j (nb = ceil(steps / 4)) produces steps 4j .. 4j+3 of path
// `path` (fewer at the end of a row), i.e. output elements path * steps + 4j onward.
// Items in increasing order cover the [paths x steps] output contiguously, so any range
// of items is one contiguous range of output elements.
struct NormalGeom {
  int64_t steps, nb;
  uint64_t path_offset;
  uint32_t k0, k1, stream;
};

NEURION_HD int64_t normal_item_elem(const NormalGeom& g, int64_t t) {
  const int64_t path = t / g.nb;
  return path * g.steps + 4 * (t - path * g.nb);
}

// Fills z[0..m) for item t and returns m (1..4); *elem gets the item's first element.
NEURION_HD int normal_item(const NormalGeom& g, int64_t t, double z[4], int64_t* elem) {
  const int64_t path = t / g.nb;
  const int64_t j = t - path * g.nb;
  const uint64_t gp = g.path_offset + static_cast<uint64_t>(path);
  const Philox4x32 b = philox4x32_10(static_cast<uint32_t>(j), static_cast<uint32_t>(gp),
                                     static_cast<uint32_t>(gp >> 32), g.stream, g.k0, g.k1);
  philox_box_muller4(b, z);
  const int64_t left = g.steps - 4 * j;
  *elem = path * g.steps + 4 * j;
  return left < 4 ? static_cast<int>(left) : 4;
}

// Host chunking: items [t0, t1) per round trip, <= items_per_chunk each.
struct ItemChunk {
  int64_t t0, t1;
  int64_t e0, e1;  // output elements [e0, e1)
};

template <typename F>
void normal_plan(const NormalGeom& g, int64_t paths, int64_t items_per_chunk, F&& f) {
  const int64_t total = paths * g.nb;
  if (items_per_chunk < 1) items_per_chunk = 1;
  for (int64_t t0 = 0; t0 < total; t0 += items_per_chunk) {
    const int64_t t1 = t0 + items_per_chunk < total ? t0 + items_per_chunk : total;
    const int64_t e1 = t1 == total ? paths * g.steps : normal_item_elem(g, t1);
    f(ItemChunk{t0, t1, normal_item_elem(g, t0), e1});
  }
}

}  // namespace neurion::cuda
