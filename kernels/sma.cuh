// SMA on the GPU: index arithmetic shared by the kernels (kernels/sma.cu) and the host
// emulation test (kernels/test/emulate.cpp). Plain C++ with NEURION_HD, so g++ compiles it
// too and the tiling/chunking logic is tested without a GPU.
//
// The numeric work is native/common/sma_kernel.h's sma_row_range(x, out, n, p, from, to),
// the same function the CPU core runs. A GPU thread computes a contiguous range of
// outputs of one row; it re-seeds its running sum from the p inputs that end at its
// first output, so results equal the CPU up to rounding (the CPU carries one running sum
// along the whole row; the GPU restarts it at every chunk boundary: same terms, different
// summation order; NaN/Inf handling is identical).
//
// Geometry: a device buffer holds a [rows x w] row-major block of the input; the launch
// computes columns [lo, w) of every row into an output buffer with the SAME layout
// (columns < lo are halo: read, never written). lo > 0 is used only for a piece of one
// long row (rows == 1), which is what keeps every window contiguous in the buffer.
// Outputs are numbered o = r * (w - lo) + c, c in [0, w - lo): "flat output index".
#pragma once
#include <cstdint>
#include "../native/common/hd.h"
#include "../native/common/sma_kernel.h"

namespace neurion::cuda {

struct SmaGeom {
  int64_t rows, w, lo, p;
  NEURION_HD int64_t wo() const { return w - lo; }
  NEURION_HD int64_t outputs() const { return rows * (w - lo); }
  // Buffer index (row-major [rows x w]) of flat output o.
  NEURION_HD int64_t buf_index(int64_t o) const {
    const int64_t r = o / wo();
    return r * w + lo + (o - r * wo());
  }
};

NEURION_HD int64_t sma_min(int64_t a, int64_t b) { return a < b ? a : b; }
NEURION_HD int64_t sma_max(int64_t a, int64_t b) { return a > b ? a : b; }

// Computes flat outputs [a, b). xw / ow address the buffer shifted by `origin`:
// xw[k] is buffer element origin + k (origin = 0 for global memory, the window start
// for a shared-memory tile). Each row piece goes to sma_row_range on a "local row" that
// starts at most p-1 columns before the piece, so every pointer stays inside the buffer
// (or the tile) and the seed window is exactly the one the CPU uses.
NEURION_HD void sma_outputs(const double* xw, double* ow, int64_t origin, const SmaGeom& g, int64_t a, int64_t b) {
  const int64_t wo = g.wo();
  while (a < b) {
    const int64_t r = a / wo;
    const int64_t c0 = a - r * wo;                      // output column of a
    const int64_t c1 = sma_min(wo, c0 + (b - a));       // end of this row piece
    const int64_t from = g.lo + c0, to = g.lo + c1;     // buffer columns
    const int64_t base = sma_max(0, from - (g.p - 1));  // local row starts here
    const int64_t off = r * g.w + base - origin;
    sma_row_range(xw + off, ow + off, g.w - base, g.p, from - base, to - base);
    a += c1 - c0;
  }
}

// ---- tiled kernel (small and medium periods) -------------------------------------------
// A block of B threads owns a tile of S = B * L consecutive flat outputs. It loads the
// input window [h0, h1) = [buf(o0) - (p-1), buf(o1-1)] into shared memory with coalesced
// loads, each thread runs sma_outputs on its L outputs from shared memory, and the block
// stores the tile's outputs with coalesced stores. L is odd so that 64-bit shared-memory
// accesses at stride L are bank-conflict free within each half-warp.
struct SmaTile {
  int64_t o0, o1;  // flat outputs [o0, o1)
  int64_t h0, h1;  // buffer window loaded (and written back: only [buf(o0), h1) is stored)
  int64_t s0;      // first buffer index stored = buf(o0)
};

NEURION_HD SmaTile sma_tile(const SmaGeom& g, int64_t S, int64_t t) {
  SmaTile T;
  T.o0 = t * S;
  T.o1 = sma_min(g.outputs(), T.o0 + S);
  T.s0 = g.buf_index(T.o0);
  T.h0 = sma_max(0, T.s0 - (g.p - 1));
  T.h1 = g.buf_index(T.o1 - 1) + 1;
  return T;
}

// Output length per thread of the tiled kernel: odd, >= 9, about p/4 so the re-seeding
// work (p adds per L outputs) stays within a few times the streaming work.
inline int64_t sma_tile_len(int64_t p) {
  int64_t L = (p + 3) / 4;
  if (L < 9) L = 9;
  return L | 1;
}
// Shared memory of the tiled kernel: input and output windows of S + p - 1 doubles each.
inline int64_t sma_tile_smem_bytes(int64_t block, int64_t p) {
  return 2 * (block * sma_tile_len(p) + p - 1) * static_cast<int64_t>(sizeof(double));
}

// ---- direct kernel (long periods) ------------------------------------------------------
// One thread per chunk of L flat outputs, reading and writing global memory directly.
// L balances parallelism against re-seeding: about outputs / (resident threads), never
// below 64 and at most 8p (re-seeding then adds at most 1/8 to the reads).
inline int64_t sma_direct_len(int64_t outputs, int64_t p, int64_t resident_threads) {
  int64_t L = resident_threads > 0 ? (outputs + resident_threads - 1) / resident_threads : outputs;
  const int64_t hi = sma_max(64, 8 * p);
  if (L > hi) L = hi;
  if (L < 64) L = 64;
  return L;
}

// ---- host chunking (inputs larger than the device budget) -------------------------------
// A chunk is one copy-in / launch / copy-out round trip. elems = budget per device array.
//   whole matrix fits         -> one chunk
//   whole rows fit            -> groups of rows (lo = 0)
//   a row alone is too big    -> pieces of one row with a p-1 column halo (rows = 1, lo > 0)
struct SmaChunk {
  SmaGeom g;
  int64_t src;        // host input offset of buffer element 0
  int64_t count_in;   // buffer elements (= rows * w)
  int64_t dst;        // host output offset of the first computed output
  int64_t out_first;  // buffer index of the first computed output (lo for row pieces, 0 otherwise)
  int64_t count_out;  // outputs copied back (contiguous in the buffer from out_first)
};

template <typename F>
void sma_plan(int64_t rows, int64_t cols, int64_t p, int64_t elems, F&& f) {
  if (elems < 1) elems = 1;
  if (rows <= elems / cols) {  // rows * cols <= elems without overflow
    f(SmaChunk{SmaGeom{rows, cols, 0, p}, 0, rows * cols, 0, 0, rows * cols});
    return;
  }
  if (cols <= elems) {
    const int64_t rc = elems / cols;
    for (int64_t r0 = 0; r0 < rows; r0 += rc) {
      const int64_t n = sma_min(rc, rows - r0);
      f(SmaChunk{SmaGeom{n, cols, 0, p}, r0 * cols, n * cols, r0 * cols, 0, n * cols});
    }
    return;
  }
  // Output columns per piece; the buffer also holds up to p-1 halo columns.
  const int64_t C = elems > p - 1 ? sma_max(elems - (p - 1), elems / 2) : sma_max(1, elems / 2);
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c0 = 0; c0 < cols; c0 += C) {
      const int64_t c1 = sma_min(cols, c0 + C);
      const int64_t base = sma_max(0, c0 - (p - 1));
      const int64_t w = c1 - base;
      f(SmaChunk{SmaGeom{1, w, c0 - base, p}, r * cols + base, w, r * cols + c0, c0 - base, c1 - c0});
    }
  }
}

}  // namespace neurion::cuda
