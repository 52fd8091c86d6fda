// philox4x32 and philoxNormal on the GPU. Per-item work: kernels/philox.cuh; generator:
// native/common/philox.h (shared with the CPU core).
//
// Bandwidth / compute design
// --------------------------
// Both ops only write: no input crosses PCIe, the output does (16 B per raw block,
// 8 B per normal) through pageable memory at roughly 10-25 GB/s, which bounds the
// end-to-end call. Kernel alone:
//
//  * philox4x32_raw_kernel: one thread per block, 10 rounds = 20 32x32->64 multiplies +
//    xors (~80 integer instructions) per 16-byte uint4 store; consecutive threads write
//    consecutive 16-byte words (fully coalesced, 512 B per warp store). ~360 G blocks/s of
//    integer throughput on an H100 vs ~210 G blocks/s of HBM write bandwidth: HBM-bound.
//
//  * philox_normal_kernel: one thread per (path, 4-step block), exactly the CPU's
//    keying; one Philox block -> 2 log + 2 sqrt + 2 sin/cos (FP64) -> 4 doubles = 32 B,
//    written as two 16-byte stores when aligned. Consecutive threads cover consecutive
//    steps of a path (and paths follow each other), so a warp writes ~1 KiB contiguous.
//    ~70-100 FP64 instructions per normal: compute and HBM roughly balanced on an H100
//    (~34 TFLOP/s FP64 vs 3.35 TB/s / 8 B); expect a few hundred G normals/s kernel-only.
//
// Outputs larger than the device budget are produced in chunks (normal_plan / block
// ranges) into one reused device buffer; sizes and indices are int64 everywhere.
#include <algorithm>

#include "philox.cuh"
#include "runtime.cuh"

namespace neurion::cuda {

namespace {

constexpr int kBlock = 256;

__global__ void __launch_bounds__(kBlock)
    philox4x32_raw_kernel(uint4* __restrict__ out, uint32_t k0, uint32_t k1, uint32_t c0, uint32_t c1, uint32_t c2,
                          uint32_t c3, int64_t blocks) {
  const uint32_t base[4] = {c0, c1, c2, c3};
  const int64_t stride = static_cast<int64_t>(gridDim.x) * kBlock;
  for (int64_t b = static_cast<int64_t>(blockIdx.x) * kBlock + threadIdx.x; b < blocks; b += stride) {
    uint32_t c[4];
    philox_ctr_add(base, static_cast<uint64_t>(b), c);
    const Philox4x32 r = philox4x32_10(c[0], c[1], c[2], c[3], k0, k1);
    out[b] = make_uint4(r.v[0], r.v[1], r.v[2], r.v[3]);
  }
}

// Items [t0, t0 + count); element e of the output goes to out[e - e0].
__global__ void __launch_bounds__(kBlock)
    philox_normal_kernel(double* __restrict__ out, NormalGeom g, int64_t t0, int64_t count, int64_t e0) {
  const int64_t stride = static_cast<int64_t>(gridDim.x) * kBlock;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * kBlock + threadIdx.x; i < count; i += stride) {
    double z[4];
    int64_t elem = 0;
    const int m = normal_item(g, t0 + i, z, &elem);
    double* dst = out + (elem - e0);
    if (m == 4 && (reinterpret_cast<uintptr_t>(dst) & 15u) == 0) {
      reinterpret_cast<double2*>(dst)[0] = make_double2(z[0], z[1]);
      reinterpret_cast<double2*>(dst)[1] = make_double2(z[2], z[3]);
    } else {
      for (int j = 0; j < m; ++j) dst[j] = z[j];
    }
  }
}

}  // namespace

void philox4x32_raw(uint32_t k0, uint32_t k1, const uint32_t counter[4], int64_t blocks, uint32_t* out) {
  const int dev = require_device();
  const DeviceProps& props = device_props(dev);
  const int64_t per_chunk = std::max<int64_t>(1, chunk_bytes() / 16);
  const int64_t max_chunk = std::min(per_chunk, blocks);

  Timings tm;
  tm.kernel = "philox4x32_raw";
  Stream stream;
  const cudaStream_t s = stream.get();
  DeviceBuffer<uint4> dbuf(max_chunk, s, props.mem_pools);
  PhaseTimer tk, td2h;
  for (int64_t b0 = 0; b0 < blocks; b0 += per_chunk) {
    const int64_t n = std::min(per_chunk, blocks - b0);
    uint32_t c[4];
    philox_ctr_add(counter, static_cast<uint64_t>(b0), c);
    tk.start(s);
    philox4x32_raw_kernel<<<grid_for(n, kBlock, props.sm_count), kBlock, 0, s>>>(dbuf.get(), k0, k1, c[0], c[1],
                                                                                   c[2], c[3], n);
    NEURION_CUDA_CHECK_LAUNCH("philox4x32_raw_kernel");
    tk.stop(s);
    const size_t bytes = static_cast<size_t>(n) * 16;
    td2h.start(s);
    NEURION_CUDA_CHECK(cudaMemcpyAsync(out + 4 * b0, dbuf.get(), bytes, cudaMemcpyDeviceToHost, s));
    td2h.stop(s);
    stream.sync();
    tm.kernel_ms += tk.elapsed_ms();
    tm.d2h_ms += td2h.elapsed_ms();
    tm.d2h_bytes += static_cast<double>(bytes);
    ++tm.chunks;
  }
  set_last_timings(tm);
}

void philox_normal(uint32_t k0, uint32_t k1, uint32_t stream_id, int64_t path_offset, int64_t paths, int64_t steps,
                   double* out) {
  const int dev = require_device();
  const DeviceProps& props = device_props(dev);
  NormalGeom g;
  g.steps = steps;
  g.nb = (steps + 3) / 4;
  g.path_offset = static_cast<uint64_t>(path_offset);
  g.k0 = k0;
  g.k1 = k1;
  g.stream = stream_id;
  // 4 doubles per item at most; keep the buffer within the budget.
  const int64_t items = std::max<int64_t>(1, chunk_bytes() / 32);

  int64_t max_elems = 0;
  normal_plan(g, paths, items, [&](const ItemChunk& c) { max_elems = std::max(max_elems, c.e1 - c.e0); });

  Timings tm;
  tm.kernel = "philox_normal";
  Stream stream;
  const cudaStream_t s = stream.get();
  DeviceBuffer<double> dbuf(max_elems, s, props.mem_pools);
  PhaseTimer tk, td2h;
  normal_plan(g, paths, items, [&](const ItemChunk& c) {
    const int64_t n = c.t1 - c.t0;
    tk.start(s);
    philox_normal_kernel<<<grid_for(n, kBlock, props.sm_count), kBlock, 0, s>>>(dbuf.get(), g, c.t0, n, c.e0);
    NEURION_CUDA_CHECK_LAUNCH("philox_normal_kernel");
    tk.stop(s);
    const size_t bytes = static_cast<size_t>(c.e1 - c.e0) * sizeof(double);
    td2h.start(s);
    NEURION_CUDA_CHECK(cudaMemcpyAsync(out + c.e0, dbuf.get(), bytes, cudaMemcpyDeviceToHost, s));
    td2h.stop(s);
    stream.sync();
    tm.kernel_ms += tk.elapsed_ms();
    tm.d2h_ms += td2h.elapsed_ms();
    tm.d2h_bytes += static_cast<double>(bytes);
    ++tm.chunks;
  });
  set_last_timings(tm);
}

}  // namespace neurion::cuda
