// Indicator kernels on the GPU: dispatch and per-thread work shared by kernels/ta.cu and the
// host emulation test (kernels/test/emulate.cpp). Plain C++ with NEURION_HD, so g++ compiles
// it too and the whole device path (chunk plan, per-row pointers, scratch slices, dispatch)
// runs on the host.
//
// The numeric work is the indicator kernels of native/ta/kernels/*.h, listed once in
// native/ta/list.h (NEURION_TA_LIST) and called here exactly as the CPU table
// (native/ta/table.cpp) calls them: ta_<name>(TaRow) on one whole row (series).
//
// Ids: TaId is expanded from NEURION_TA_LIST in list order, the order of table.cpp's table,
// so the index parse_ta_call returns (find_meta) IS the TaId. ta.cu checks at compile time
// that its kernel table has kTaCount entries and at run time that kTaCount == ta::count()
// and that every name matches (ta_table_mismatch).
//
// Device layout of one chunk (rows r0 .. r0 + rows of the call): every input / output is a
// row-major [rows x cols] block (row r at r * cols, unit stride, as on the host: the kernel
// contract is unit stride, so the data cannot be transposed for coalescing), and scratch is
// a [rows x scratch] block: row r owns scratch [r * scratch, (r + 1) * scratch). One thread
// per row.
#pragma once
#include <cstdint>
#include "../native/common/hd.h"
#include "../native/ta/list.h"

namespace neurion::cuda {

// ---- ids ------------------------------------------------------------------------------
#define NEURION_TA_ID(name) ta_id_##name,
enum TaId : int { NEURION_TA_LIST(NEURION_TA_ID) kTaCount };
#undef NEURION_TA_ID

// Compile-time dispatch: TaFn<ta_id_x>::run calls ta::ta_x. Each indicator gets its own
// __global__ instantiation (ta.cu), so its register allocation and stack frame are its own
// (one kernel switching over every indicator at run time would be sized for the largest).
template <int Id>
struct TaFn;
#define NEURION_TA_FN(name)                                                  \
  template <>                                                                \
  struct TaFn<ta_id_##name> {                                                \
    NEURION_HD static void run(const ::neurion::ta::TaRow& r) { ::neurion::ta::ta_##name(r); } \
  };
NEURION_TA_LIST(NEURION_TA_FN)
#undef NEURION_TA_FN

// Run-time dispatch on the id (host emulation; the device uses TaFn through the kernel table).
inline void ta_dispatch(int id, const ::neurion::ta::TaRow& r) {
  switch (id) {
#define NEURION_TA_CASE(name) \
  case ta_id_##name:          \
    TaFn<ta_id_##name>::run(r); \
    break;
    NEURION_TA_LIST(NEURION_TA_CASE)
#undef NEURION_TA_CASE
    default: break;
  }
}

// ---- one launch -------------------------------------------------------------------------
// Passed by value to the kernel (kernel parameter space, < 4 KiB).
struct TaLaunch {
  const double* in[ta::kMaxInputs];
  double* out[ta::kMaxOutputs];
  double* scratch;        // rows * scratch_per_row doubles (may be null when scratch_per_row == 0)
  double p[ta::kMaxParams];
  int64_t rows, cols, scratch_per_row;
  int n_in, n_out;
};

// Row r's TaRow over the chunk buffers. `params` must outlive the call (the kernel passes
// a thread-local copy of L.p).
NEURION_HD ta::TaRow ta_make_row(const TaLaunch& L, const double* params, int64_t r) {
  ta::TaRow row;
  for (int k = 0; k < ta::kMaxInputs; ++k) row.in[k] = k < L.n_in ? L.in[k] + r * L.cols : nullptr;
  for (int k = 0; k < ta::kMaxOutputs; ++k) row.out[k] = k < L.n_out ? L.out[k] + r * L.cols : nullptr;
  row.n = L.cols;
  row.p = params;
  row.scratch = L.scratch_per_row > 0 ? L.scratch + r * L.scratch_per_row : nullptr;
  return row;
}

// ---- host chunking ---------------------------------------------------------------------
// A chunk is one copy-in / launch / copy-out round trip over rows [r0, r0 + rows) of the
// call. Rows per chunk are chosen so that all device buffers of a chunk
// ((n_in + n_out) * rows * cols + rows * scratch doubles, one allocation) stay within
// budget_bytes. A row cannot be split (the kernels scan it from the start), so a chunk
// holds at least one row even when that row alone is larger than the budget.
inline int64_t ta_rows_per_chunk(int64_t rows, int64_t cols, int n_in, int n_out, int64_t scratch_per_row,
                                 int64_t budget_bytes) {
  const int64_t per_row = (static_cast<int64_t>(n_in + n_out) * cols + (scratch_per_row > 0 ? scratch_per_row : 0)) *
                          static_cast<int64_t>(sizeof(double));
  int64_t rc = per_row > 0 ? budget_bytes / per_row : rows;
  if (rc < 1) rc = 1;
  if (rc > rows) rc = rows;
  return rc;
}

// Device arena layout for chunks of up to rc rows: n_in input blocks and n_out output blocks
// of rc * cols doubles, then rc * scratch_per_row doubles of scratch. Returns the arena size
// in doubles and points L's in/out/scratch into `base` (base may be null for sizing only).
inline int64_t ta_layout(TaLaunch& L, double* base, int64_t rc) {
  const int64_t block = rc * L.cols;
  for (int k = 0; k < ta::kMaxInputs; ++k) L.in[k] = k < L.n_in && base ? base + k * block : nullptr;
  for (int k = 0; k < ta::kMaxOutputs; ++k) L.out[k] = k < L.n_out && base ? base + (L.n_in + k) * block : nullptr;
  L.scratch = L.scratch_per_row > 0 && base ? base + (L.n_in + L.n_out) * block : nullptr;
  return static_cast<int64_t>(L.n_in + L.n_out) * block + rc * L.scratch_per_row;
}

struct TaChunk {
  int64_t r0, rows;  // rows [r0, r0 + rows) of the call; host offset r0 * cols in every array
};

template <typename F>
void ta_plan(int64_t rows, int64_t rc, F&& f) {
  for (int64_t r0 = 0; r0 < rows; r0 += rc) f(TaChunk{r0, rows - r0 < rc ? rows - r0 : rc});
}

}  // namespace neurion::cuda
