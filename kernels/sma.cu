// sma(x, rows, cols, period) on the GPU. Index logic: kernels/sma.cuh; numerics:
// native/common/sma_kernel.h (sma_row_range, shared with the CPU core).
//
// Bandwidth design
// ----------------
// The op streams 8 bytes in and 8 bytes out per element: 16 B/element is the floor of
// device-memory traffic. On an H100 SXM (HBM3, ~3.35 TB/s; PCIe card ~2 TB/s) that is
// ~200 G elements/s for the kernel alone, i.e. ~5 ms for 1e9 elements. The end-to-end
// call is bound by the host<->device copies instead: the typed arrays are pageable
// memory, so 16 B/element cross PCIe at roughly 10-25 GB/s (Gen5 x16 peaks ~55 GB/s
// pinned), about 100x slower than the kernel. The GPU path therefore pays off only when
// the data is reused on the device or the copies are amortized; lastTimings() reports the
// three phases separately so benchmarks can show both numbers.
//
// Two kernels, both computing a flat range of outputs per thread with sma_row_range
// (rows run in parallel; long rows are split into chunks re-seeded from their p-1
// predecessors, so rows of any length use the whole device):
//
//  * sma_tiled_kernel (period small enough that the tile fits in shared memory, p <~ 185):
//    a block of 128 threads owns S = 128 * L consecutive outputs (L odd, ~p/4). Loads of
//    the input window (S + p - 1 doubles) and stores of the S outputs are fully coalesced
//    (consecutive threads, consecutive 8-byte words); each thread then runs its L
//    outputs out of shared memory (bank-conflict free: odd stride). Device traffic:
//    (16 + 8 (p-1)/S) B/element, i.e. within 1-3% of the floor. Shared-memory traffic and
//    FP64 adds per output ~ (p + 2L)/L, which at L ~ p/4 stays below what the SM can do
//    while HBM is saturated, so the kernel should be HBM-bound (target >= 70% of peak).
//
//  * sma_direct_kernel (long periods): one thread per chunk of L outputs (L between 64 and
//    8p, sized to fill the device), reading x and writing out in global memory. A warp's
//    lanes are L elements apart, so each access touches 32 lines; the lines are reused by
//    the following iterations of the same lanes (L1) and the x[i-p] / seed reads hit L2,
//    so HBM traffic stays ~16 B/element (+1/8 for re-seeding) while L1/L2 carry ~4x that.
//    Expected: L2-bound, roughly 40-70% of HBM peak (to be measured on the H100).
//
// Inputs larger than the device budget (kernels/runtime.cuh chunk_bytes) run as several
// copy-in / launch / copy-out round trips (sma_plan in sma.cuh); sizes and indices are
// int64 everywhere.
#include <algorithm>

#include "runtime.cuh"
#include "sma.cuh"

namespace neurion::cuda {

namespace {

constexpr int kTileBlock = 128;
constexpr int kDirectBlock = 256;
// Largest dynamic shared memory we accept for one tiled block (2 blocks per SM on H100).
constexpr int64_t kTileSmemMax = 100 * 1024;

__global__ void __launch_bounds__(kTileBlock)
    sma_tiled_kernel(const double* __restrict__ x, double* __restrict__ out, SmaGeom g, int64_t L, int64_t tiles) {
  extern __shared__ double smem[];
  const int64_t S = kTileBlock * L;
  double* xs = smem;                  // input window, S + p - 1 doubles
  double* ys = smem + S + g.p - 1;    // output window, same indexing
  for (int64_t t = blockIdx.x; t < tiles; t += gridDim.x) {
    const SmaTile T = sma_tile(g, S, t);
    const int64_t n = T.h1 - T.h0;
    for (int64_t k = threadIdx.x; k < n; k += kTileBlock) xs[k] = x[T.h0 + k];  // coalesced
    __syncthreads();
    const int64_t a = T.o0 + static_cast<int64_t>(threadIdx.x) * L;
    if (a < T.o1) sma_outputs(xs, ys, T.h0, g, a, sma_min(T.o1, a + L));
    __syncthreads();
    // Computed outputs occupy buffer indices [s0, h1) (contiguous: lo > 0 only when rows == 1).
    for (int64_t k = T.s0 + threadIdx.x; k < T.h1; k += kTileBlock) out[k] = ys[k - T.h0];  // coalesced
    __syncthreads();  // the next tile overwrites both windows
  }
}

__global__ void __launch_bounds__(kDirectBlock)
    sma_direct_kernel(const double* __restrict__ x, double* __restrict__ out, SmaGeom g, int64_t L, int64_t chunks) {
  const int64_t total = g.outputs();
  const int64_t stride = static_cast<int64_t>(gridDim.x) * kDirectBlock;
  for (int64_t c = static_cast<int64_t>(blockIdx.x) * kDirectBlock + threadIdx.x; c < chunks; c += stride) {
    const int64_t a = c * L;
    sma_outputs(x, out, 0, g, a, sma_min(total, a + L));
  }
}

}  // namespace

void sma_f64(const double* x, double* out, int64_t rows, int64_t cols, int64_t period) {
  const int dev = require_device();
  const DeviceProps& props = device_props(dev);
  const int64_t elems = chunk_bytes() / static_cast<int64_t>(sizeof(double));

  // Pass 1: the largest buffer any chunk needs.
  int64_t max_in = 0, nchunks = 0;
  sma_plan(rows, cols, period, elems, [&](const SmaChunk& c) {
    if (c.count_in > max_in) max_in = c.count_in;
    ++nchunks;
  });

  const int64_t smem = sma_tile_smem_bytes(kTileBlock, period);
  const bool tiled = smem <= kTileSmemMax && smem <= props.max_smem_optin;
  if (tiled && smem > 48 * 1024)
    NEURION_CUDA_CHECK(cudaFuncSetAttribute(sma_tiled_kernel, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                            static_cast<int>(smem)));

  Timings tm;
  tm.kernel = tiled ? "sma_tiled" : "sma_direct";
  Stream stream;  // declared before the buffers: destroyed after them
  const cudaStream_t s = stream.get();
  DeviceBuffer<double> din(max_in, s, props.mem_pools);
  DeviceBuffer<double> dout(max_in, s, props.mem_pools);
  PhaseTimer th2d, tk, td2h;

  sma_plan(rows, cols, period, elems, [&](const SmaChunk& c) {
    const size_t in_bytes = static_cast<size_t>(c.count_in) * sizeof(double);
    const size_t out_bytes = static_cast<size_t>(c.count_out) * sizeof(double);
    th2d.start(s);
    NEURION_CUDA_CHECK(cudaMemcpyAsync(din.get(), x + c.src, in_bytes, cudaMemcpyHostToDevice, s));
    th2d.stop(s);
    tk.start(s);
    if (tiled) {
      const int64_t L = sma_tile_len(period);
      const int64_t S = kTileBlock * L;
      const int64_t tiles = (c.g.outputs() + S - 1) / S;
      const unsigned grid = grid_for(tiles, 1, props.sm_count, 16);
      sma_tiled_kernel<<<grid, kTileBlock, static_cast<size_t>(smem), s>>>(din.get(), dout.get(), c.g, L, tiles);
      NEURION_CUDA_CHECK_LAUNCH("sma_tiled_kernel");
    } else {
      int per_sm = 0;
      NEURION_CUDA_CHECK(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per_sm, sma_direct_kernel, kDirectBlock, 0));
      const int64_t resident = static_cast<int64_t>(props.sm_count) * std::max(per_sm, 1) * kDirectBlock;
      const int64_t L = sma_direct_len(c.g.outputs(), period, resident);
      const int64_t chunks = (c.g.outputs() + L - 1) / L;
      const unsigned grid = grid_for(chunks, kDirectBlock, props.sm_count, 16);
      sma_direct_kernel<<<grid, kDirectBlock, 0, s>>>(din.get(), dout.get(), c.g, L, chunks);
      NEURION_CUDA_CHECK_LAUNCH("sma_direct_kernel");
    }
    tk.stop(s);
    td2h.start(s);
    NEURION_CUDA_CHECK(
        cudaMemcpyAsync(out + c.dst, dout.get() + c.out_first, out_bytes, cudaMemcpyDeviceToHost, s));
    td2h.stop(s);
    stream.sync();  // kernel faults surface here, named cudaStreamSynchronize
    tm.h2d_ms += th2d.elapsed_ms();
    tm.kernel_ms += tk.elapsed_ms();
    tm.d2h_ms += td2h.elapsed_ms();
    tm.h2d_bytes += static_cast<double>(in_bytes);
    tm.d2h_bytes += static_cast<double>(out_bytes);
  });
  tm.chunks = nchunks;
  set_last_timings(tm);
}

}  // namespace neurion::cuda
