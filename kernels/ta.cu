// ta(name, inputs, rows, cols, params) on the GPU: every indicator of native/ta/list.h, one
// thread per row (series), calling the same NEURION_HD kernels as the CPU table
// (native/ta/table.cpp). Dispatch and per-row layout: kernels/ta.cuh.
//
// Design and expected speed (see kernels/README.md, "ta")
// --------------------------------------------------------
// The indicator kernels are sequential scans over one whole row with unit-stride pointers
// (the contract in native/ta/ta.h), so a row cannot be split across threads and the data
// cannot be transposed to column-major for coalescing without changing that contract.
// Thread r therefore walks row r of each [rows x cols] row-major matrix: at step i the 32
// lanes of a warp touch 32 addresses cols * 8 bytes apart, i.e. 32 different 32-byte
// sectors, of which each lane uses 8 bytes now and the next 3 doubles on its next 3 steps
// (only if the sector is still in L1). With (n_in + n_out) arrays per thread and
// thousands of resident threads per SM the L1 working set is far larger than L1, so expect
// roughly a sector per access from L2, up to 4x the useful bytes, and a serial dependency
// chain per thread (latency-bound). Realistic kernel throughput: of the order of 10-30% of
// HBM bandwidth for simple indicators, less for heavy ones; enough rows (>= ~100k series)
// are needed to fill an H100 (132 SMs x 2048 threads). End to end the call is bound by the
// pageable host<->device copies anyway (lastTimings() separates the phases).
//
// Rows are chunked so that all device buffers of a round trip (inputs, outputs, per-row
// scratch) fit in 2 * chunk_bytes() (the same total as sma's input + output buffers); a row
// alone larger than that still runs as a chunk of one row.
#include <algorithm>
#include <cstring>
#include <string>

#include "../native/ta/table.h"
#include "runtime.cuh"
#include "ta.cuh"

namespace neurion::cuda {

namespace {

constexpr int kTaBlockMax = 128;

// One thread per row, grid-stride over the chunk's rows. Parameters are copied from the
// kernel parameter space into a thread-local array (TaRow::p points at it).
template <int Id>
__global__ void __launch_bounds__(kTaBlockMax) ta_rows_kernel(const TaLaunch L) {
  double p[ta::kMaxParams];
#pragma unroll
  for (int k = 0; k < ta::kMaxParams; ++k) p[k] = L.p[k];
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t r = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; r < L.rows; r += stride)
    TaFn<Id>::run(ta_make_row(L, p, r));
}

using TaKernel = void (*)(TaLaunch);
#define NEURION_TA_KERNEL_PTR(name) &ta_rows_kernel<ta_id_##name>,
const TaKernel kTaKernels[] = {NEURION_TA_LIST(NEURION_TA_KERNEL_PTR)};
#undef NEURION_TA_KERNEL_PTR
static_assert(sizeof(kTaKernels) / sizeof(kTaKernels[0]) == static_cast<size_t>(kTaCount),
              "one CUDA kernel per NEURION_TA_LIST entry");

// Threads per block: small blocks while there are few rows per SM, so that the rows spread
// over all SMs instead of filling a few (each thread is a long serial scan).
int ta_block(int64_t rows, int sm_count) {
  const int64_t per_sm = (rows + std::max(sm_count, 1) - 1) / std::max(sm_count, 1);
  int b = 32;
  while (b < kTaBlockMax && b < per_sm) b *= 2;
  return b;
}

}  // namespace

std::string ta_table_mismatch() {
  if (kTaCount != ta::count())
    return "CUDA kernel table has " + std::to_string(static_cast<int>(kTaCount)) + " indicators, native/ta/table.cpp " +
           std::to_string(ta::count());
  std::string why;
#define NEURION_TA_NAME_CHECK(ind)                                                                           \
  if (why.empty() && std::strcmp(ta::meta_at(ta_id_##ind).name, ta::ta_##ind##_meta().name) != 0)             \
    why = std::string("indicator ") + std::to_string(static_cast<int>(ta_id_##ind)) + " is " +               \
          ta::meta_at(ta_id_##ind).name + " in native/ta/table.cpp but " + ta::ta_##ind##_meta().name +        \
          " in the CUDA table";
  NEURION_TA_LIST(NEURION_TA_NAME_CHECK)
#undef NEURION_TA_NAME_CHECK
  return why;
}

void ta_f64(int index, const double* const* in, double* const* out, const double* params, int64_t rows,
            int64_t cols) {
  static const std::string mismatch = ta_table_mismatch();
  if (!mismatch.empty()) throw Error("indicator tables differ: " + mismatch);
  if (index < 0 || index >= static_cast<int>(kTaCount)) throw Error("indicator index out of range");
  const ta::TaMeta& m = ta::meta_at(index);
  const int dev = require_device();
  const DeviceProps& props = device_props(dev);

  TaLaunch L{};
  L.n_in = m.n_in;
  L.n_out = m.n_out;
  L.cols = cols;
  for (int k = 0; k < m.n_param && k < ta::kMaxParams; ++k) L.p[k] = params[k];
  const int64_t scratch = ta::scratch_at(index, cols, params);
  L.scratch_per_row = scratch > 0 ? scratch : 0;
  const int64_t rc = ta_rows_per_chunk(rows, cols, m.n_in, m.n_out, L.scratch_per_row, 2 * chunk_bytes());
  const int64_t nchunks = (rows + rc - 1) / rc;

  Timings tm;
  tm.kernel = std::string("ta_") + m.name;
  Stream stream;  // declared before the buffer: destroyed after it
  const cudaStream_t s = stream.get();
  DeviceBuffer<double> arena(ta_layout(L, nullptr, rc), s, props.mem_pools);
  ta_layout(L, arena.get(), rc);
  const TaKernel kernel = kTaKernels[index];
  PhaseTimer th2d, tk, td2h;

  ta_plan(rows, rc, [&](const TaChunk& c) {
    const size_t bytes = static_cast<size_t>(c.rows * cols) * sizeof(double);
    L.rows = c.rows;
    th2d.start(s);
    for (int k = 0; k < m.n_in; ++k)
      NEURION_CUDA_CHECK(cudaMemcpyAsync(const_cast<double*>(L.in[k]), in[k] + c.r0 * cols, bytes,
                                         cudaMemcpyHostToDevice, s));
    th2d.stop(s);
    tk.start(s);
    const int blk = ta_block(c.rows, props.sm_count);
    const unsigned grid = grid_for(c.rows, blk, props.sm_count, 32);
    kernel<<<grid, blk, 0, s>>>(L);
    NEURION_CUDA_CHECK_LAUNCH("ta_rows_kernel");
    tk.stop(s);
    td2h.start(s);
    for (int k = 0; k < m.n_out; ++k)
      NEURION_CUDA_CHECK(cudaMemcpyAsync(out[k] + c.r0 * cols, L.out[k], bytes, cudaMemcpyDeviceToHost, s));
    td2h.stop(s);
    stream.sync();  // kernel faults surface here, named cudaStreamSynchronize
    tm.h2d_ms += th2d.elapsed_ms();
    tm.kernel_ms += tk.elapsed_ms();
    tm.d2h_ms += td2h.elapsed_ms();
    tm.h2d_bytes += static_cast<double>(bytes) * m.n_in;
    tm.d2h_bytes += static_cast<double>(bytes) * m.n_out;
  });
  tm.chunks = nchunks;
  set_last_timings(tm);
}

}  // namespace neurion::cuda
