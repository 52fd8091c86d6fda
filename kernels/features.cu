// taFeatures on the GPU: the fused feature kernel of native/ta/features.h, one thread per
// row (series) computing every feature of the set for its row, calling the same NEURION_HD
// code as the CPU (features_row -> feature_init / feature_run -> the streaming states of
// native/ta/features_stream.h), with a span of one bar (kTile = 1; the CPU steps tiles of 64
// bars, the same operations), so results equal the CPU's up to device libm ulps (ln; sqrt
// is exact) -- bit-identical for features built from + - * / and sqrt only.
//
// One pass per row: at bar i the thread loads open/high/low/close/volume[i] once, steps every
// feature's streaming state with them and stores the F values of bar i together.
//
// Layout per chunk of rc rows (one device allocation): 5 input blocks [rc x cols] double
// (open, high, low, close, volume; copied in), per-row ring buffers [rc x S] double
// (S = features_scratch(spec, F, cols): the sum of the features' windows, independent of
// cols, e.g. 411 doubles = 3.2 KiB for the default 20-feature set; never copied), and the
// output block [rc x cols x F] of T = double or float (copied out). Chunk sizing: a row costs
// 5 cols x 8 B in, S x 8 B of rings and cols F sizeof(T) out, so a chunk of 2 chunk_bytes()
// holds ~2 chunk_bytes() / (cols (40 + F sizeof(T))) rows (10,000 bars, 20 features, float32:
// 1.2 MB a row, ~1,780 rows per 2 GiB; the previous design's 5 cols + kernel scratch
// doubles of per-row scratch made it 1.68 MB, ~1,280 rows). The feature set travels by value
// in the launch struct (<= 64 features, 2 KiB of kernel parameters) and is read from the
// constant bank by every thread.
//
// Traffic per bar and thread: 5 x 8 B of OHLCV read once (the row's own 32-B sectors: a
// sector serves 4 bars, so L1 absorbs most of the loads) and F x sizeof(T) stored (F adjacent
// values: one 32-B sector per 4 doubles); that is the DRAM floor, 40 + F sizeof(T) B per bar.
// On top, through L1/L2: each windowed feature reads and writes ~1-2 ring slots per bar (CCI
// reads its whole window: the mean deviation has no running form; a rolling max/min rewrites
// its block's suffix once per window), in the per-row scratch in global memory; and each
// feature's state (a FeatureState, <= 216 B, loaded into registers for the bar and stored
// back) in the thread's local memory: st[kMaxFeatures] is a 13,824-B stack frame (ptxas, sm_90:
// 96 registers, no spills), interleaved across a warp's threads (coalesced, as every thread
// steps the same feature at the same time), cached in L1/L2. The driver reserves that frame
// for every thread that can be resident (up to ~3.7 GB on an H100: 13.8 KiB x 2,048 threads
// x 132 SMs). Same one-thread-per-row limits as `ta` (kernels/README.md): ~100k rows are
// needed to fill an H100; fewer rows run on fewer threads.
#include <algorithm>
#include <cstring>
#include <string>

#include "../native/ta/features.h"
#include "runtime.cuh"

namespace neurion::cuda {

namespace {

constexpr int kFeatBlockMax = 128;

struct FeatLaunch {
  const double* in[5];
  double* scratch;  // rows * scratch_per_row
  void* out;        // rows * cols * nf of T
  int64_t rows, cols, scratch_per_row;
  int nf;
  double spec[ta::kMaxFeatures * ta::kFeatureStride];
};

template <typename T>
__global__ void __launch_bounds__(kFeatBlockMax) features_kernel(const FeatLaunch L) {
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t r = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; r < L.rows; r += stride) {
    const double* in[5];
#pragma unroll
    for (int k = 0; k < 5; ++k) in[k] = L.in[k] + r * L.cols;
    ta::features_row<T, 1>(L.spec, L.nf, in, L.cols, L.scratch + r * L.scratch_per_row,
                           static_cast<T*>(L.out) + r * L.cols * L.nf);
  }
}

int feat_block(int64_t rows, int sm_count) {
  const int64_t per_sm = (rows + std::max(sm_count, 1) - 1) / std::max(sm_count, 1);
  int b = 32;
  while (b < kFeatBlockMax && b < per_sm) b *= 2;
  return b;
}

}  // namespace

void ta_features(const double* const* in, int64_t rows, int64_t cols, const double* spec, int nf, void* out, bool f32) {
  if (nf < 1 || nf > ta::kMaxFeatures) throw Error("feature count out of range");
  const int dev = require_device();
  const DeviceProps& props = device_props(dev);

  FeatLaunch L{};
  L.cols = cols;
  L.nf = nf;
  std::memcpy(L.spec, spec, sizeof(double) * static_cast<size_t>(nf) * ta::kFeatureStride);
  L.scratch_per_row = ta::features_scratch(spec, nf, cols);  // the rings: a few hundred doubles
  const int64_t osz = f32 ? 4 : 8;
  // Doubles first (inputs, rings), then the output: every block stays 8-byte aligned. Inputs
  // and output dominate a row now that the scratch is only the rings (see the header).
  const int64_t per_row = (5 * cols + L.scratch_per_row) * 8 + cols * nf * osz;
  int64_t rc = std::max<int64_t>(1, 2 * chunk_bytes() / per_row);
  rc = std::min(rc, rows);
  const int64_t nchunks = (rows + rc - 1) / rc;

  Timings tm;
  tm.kernel = f32 ? "ta_features_f32" : "ta_features_f64";
  Stream stream;  // declared before the buffer: destroyed after it
  const cudaStream_t s = stream.get();
  DeviceBuffer<double> arena((rc * per_row + 7) / 8, s, props.mem_pools);
  double* base = arena.get();
  for (int k = 0; k < 5; ++k) L.in[k] = base + k * rc * cols;
  L.scratch = base + 5 * rc * cols;
  L.out = base + 5 * rc * cols + rc * L.scratch_per_row;
  PhaseTimer th2d, tk, td2h;

  for (int64_t r0 = 0; r0 < rows; r0 += rc) {
    const int64_t nr = std::min(rc, rows - r0);
    const size_t in_bytes = static_cast<size_t>(nr * cols) * sizeof(double);
    const size_t out_bytes = static_cast<size_t>(nr * cols * nf * osz);
    L.rows = nr;
    th2d.start(s);
    for (int k = 0; k < 5; ++k)
      NEURION_CUDA_CHECK(cudaMemcpyAsync(const_cast<double*>(L.in[k]), in[k] + r0 * cols, in_bytes, cudaMemcpyHostToDevice, s));
    th2d.stop(s);
    tk.start(s);
    const int blk = feat_block(nr, props.sm_count);
    const unsigned grid = grid_for(nr, blk, props.sm_count, 32);
    if (f32) features_kernel<float><<<grid, blk, 0, s>>>(L);
    else features_kernel<double><<<grid, blk, 0, s>>>(L);
    NEURION_CUDA_CHECK_LAUNCH("features_kernel");
    tk.stop(s);
    td2h.start(s);
    NEURION_CUDA_CHECK(cudaMemcpyAsync(static_cast<char*>(out) + r0 * cols * nf * osz, L.out, out_bytes, cudaMemcpyDeviceToHost, s));
    td2h.stop(s);
    stream.sync();  // kernel faults surface here, named cudaStreamSynchronize
    tm.h2d_ms += th2d.elapsed_ms();
    tm.kernel_ms += tk.elapsed_ms();
    tm.d2h_ms += td2h.elapsed_ms();
    tm.h2d_bytes += static_cast<double>(in_bytes) * 5;
    tm.d2h_bytes += static_cast<double>(out_bytes);
  }
  tm.chunks = nchunks;
  set_last_timings(tm);
}

}  // namespace neurion::cuda
