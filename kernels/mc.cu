// mc.simulate on the GPU: one thread per path (grid-stride), each path simulated by
// native/mc/mc_model.h's simulate_path (the CPU's code; same Philox keying and the same
// branch-free log/sincos, so the draws and, with --fmad=false, the path values match the CPU),
// reduced in the kernel: nothing per path is stored.
//
//  * Per thread: an AccState (moments of the terminal value and drawdown, payoff, counts) in
//    registers; histogram bins by global integer atomics (uint64 counts; bin sums as 32-bit
//    fixed-point positions inside the bin, mc_bin_frac in mc.cuh): exact and independent of
//    the order of the atomics, so a run is reproducible bit for bit; bin sums agree with the
//    CPU's float64 sums to ~1e-10 of a bin width per path.
//  * Per block: a shared-memory tree merge of the 128 thread states (Pebay pairwise
//    formulas), written to a per-block partial; the host merges the partials in block order.
//
// Work per path-step (GBM): 1/4 Philox block (~20 integer multiplies) + 1/2 (log + sqrt +
// sincos) + ~8 FP64 ops for the update and monitors, ~60-80 FP64 instructions: FP64-bound
// (H100 SXM ~34 TFLOP/s non-tensor FP64), i.e. a few hundred G path-steps/s expected in float64.
//
// gbm-f32 (model 7, native/mc/mc_f32.h) is the throughput model: float32 normals and log-price,
// the same kernel template (instantiated for id 7, so only that case of simulate_path is
// compiled in). Instruction budget per path-step (SASS estimate, --fmad=false): Philox 1/4 block
// = 5 IMAD.HI + 5 IMAD + ~5 LOP3/IADD (IMAD at half the FP32 issue rate: ~20 FP32-slot
// equivalents), Box-Muller 1/2 (Cephes log ~26 + sqrt ~4 + sincos ~28 FP32 ops) = ~29, update and
// monitors 6: ~55 slots, i.e. ~610 G path-steps/s at H100 SXM's 33.5 T FP32 lane-ops/s if
// issue-bound -- just under the 650 G goal; the SFU (__logf / __sinf, not bit-exact with the CPU)
// would bring it to ~750 G. Unmeasured: no GPU was available when this was written.
#include <algorithm>
#include <vector>

#include "mc.cuh"
#include "runtime.cuh"

namespace neurion::cuda {

namespace {

constexpr int kMcBlock = 128;

// One instantiation per model id: with the id a constant, simulate_path's switch folds away
// and the GBM kernel does not carry the multi-asset arrays (registers / stack).
template <int ID>
__global__ void __launch_bounds__(kMcBlock)
    mc_simulate_kernel(mc::Model m, uint32_t k0, uint32_t k1, uint64_t path_offset, int64_t paths, int64_t steps,
                       mc::AccConfig cfg, unsigned long long* __restrict__ counts,
                       unsigned long long* __restrict__ fracs, double* __restrict__ partials) {
  // Raw storage: AccState has default member initializers, which __shared__ variables may not.
  __shared__ __align__(16) unsigned char raw[sizeof(mc::AccState) * kMcBlock];
  mc::AccState* states = reinterpret_cast<mc::AccState*>(raw);
  mc::AccState s;
  m.id = ID;
  const int64_t stride = static_cast<int64_t>(gridDim.x) * kMcBlock;
  for (int64_t p = static_cast<int64_t>(blockIdx.x) * kMcBlock + threadIdx.x; p < paths; p += stride) {
    const uint64_t gp = path_offset + static_cast<uint64_t>(p);
    mc::Key k;
    k.k0 = k0; k.k1 = k1;
    k.plo = static_cast<uint32_t>(gp);
    k.phi = static_cast<uint32_t>(gp >> 32);
    const mc::PathOut o = mc::simulate_path(m, k, steps);
    int64_t b, d;
    mc_state_add(cfg, s, o, &b, &d);
    if (b >= 0) {
      atomicAdd(counts + b, 1ull);
      atomicAdd(fracs + b, mc_bin_frac(o.value, cfg.lo, cfg.scale, b));
    }
    if (d >= 0) {
      atomicAdd(counts + cfg.bins + d, 1ull);
      atomicAdd(fracs + cfg.bins + d, mc_bin_frac(o.maxdd, 0.0, cfg.dd_scale, d));
    }
  }
  states[threadIdx.x] = s;
  __syncthreads();
  for (int half = kMcBlock / 2; half > 0; half /= 2) {
    if (static_cast<int>(threadIdx.x) < half) mc_state_merge(states[threadIdx.x], states[threadIdx.x + half]);
    __syncthreads();
  }
  if (threadIdx.x == 0) mc_state_store(states[0], partials + static_cast<int64_t>(blockIdx.x) * kMcStateDoubles);
}

}  // namespace

void mc_simulate(const mc::Model& model, int64_t aux_len, uint32_t k0, uint32_t k1, int64_t path_offset, int64_t paths,
                 int64_t steps, const double* spec, double* acc) {
  const int dev = require_device();
  const DeviceProps& props = device_props(dev);
  const mc::AccConfig cfg = mc::acc_config(spec, model.v0);
  const int64_t nb = cfg.bins + cfg.dd_bins;
  const int64_t per_launch = std::min<int64_t>(paths, kMcMaxPathsPerLaunch);
  const unsigned grid = grid_for(per_launch, kMcBlock, props.sm_count, 8);

  Timings tm;
  tm.kernel = "mc_simulate";
  Stream stream;
  const cudaStream_t s = stream.get();
  DeviceBuffer<double> daux(std::max<int64_t>(1, aux_len), s, props.mem_pools);
  DeviceBuffer<unsigned long long> dcounts(nb, s, props.mem_pools);
  DeviceBuffer<unsigned long long> dfracs(nb, s, props.mem_pools);
  DeviceBuffer<double> dpart(static_cast<int64_t>(grid) * kMcStateDoubles, s, props.mem_pools);
  PhaseTimer th2d, tk, td2h;
  th2d.start(s);
  if (aux_len > 0)
    NEURION_CUDA_CHECK(cudaMemcpyAsync(daux.get(), model.aux, static_cast<size_t>(aux_len) * sizeof(double),
                                       cudaMemcpyHostToDevice, s));
  th2d.stop(s);
  mc::Model dm = model;
  dm.aux = aux_len > 0 ? daux.get() : nullptr;

  mc::acc_init(acc, spec, model.v0);
  mc::AccState total;
  std::vector<unsigned long long> counts(static_cast<size_t>(nb)), fracs(static_cast<size_t>(nb));
  std::vector<double> part(static_cast<size_t>(grid) * kMcStateDoubles);
  double* h = acc + mc::kHeader;
  double* dh = h + 2 * cfg.bins;
  int64_t launches = 0;
  float kernel_ms = 0, d2h_ms = 0;
  for (int64_t p0 = 0; p0 < paths; p0 += per_launch) {
    const int64_t n = std::min<int64_t>(per_launch, paths - p0);
    const uint64_t off = static_cast<uint64_t>(path_offset) + static_cast<uint64_t>(p0);
    NEURION_CUDA_CHECK(cudaMemsetAsync(dcounts.get(), 0, static_cast<size_t>(nb) * sizeof(unsigned long long), s));
    NEURION_CUDA_CHECK(cudaMemsetAsync(dfracs.get(), 0, static_cast<size_t>(nb) * sizeof(unsigned long long), s));
    tk.start(s);
    switch (model.id) {
#define NEURION_MC_LAUNCH(ID)                                                                                    \
  case ID:                                                                                                       \
    mc_simulate_kernel<ID><<<grid, kMcBlock, 0, s>>>(dm, k0, k1, off, n, steps, cfg, dcounts.get(), dfracs.get(), \
                                                     dpart.get());                                               \
    break;
      NEURION_MC_LAUNCH(mc::M_GBM)
      NEURION_MC_LAUNCH(mc::M_MERTON)
      NEURION_MC_LAUNCH(mc::M_HESTON)
      NEURION_MC_LAUNCH(mc::M_GARCH)
      NEURION_MC_LAUNCH(mc::M_BOOTSTRAP)
      NEURION_MC_LAUNCH(mc::M_BLOCK_BOOTSTRAP)
      NEURION_MC_LAUNCH(mc::M_MULTI_GBM)
      NEURION_MC_LAUNCH(mc::M_GBM_F32)
#undef NEURION_MC_LAUNCH
      default:
        throw Error("mc_simulate: unknown model id " + std::to_string(model.id));
    }
    NEURION_CUDA_CHECK_LAUNCH("mc_simulate_kernel");
    tk.stop(s);
    td2h.start(s);
    NEURION_CUDA_CHECK(cudaMemcpyAsync(counts.data(), dcounts.get(), counts.size() * sizeof(unsigned long long),
                                       cudaMemcpyDeviceToHost, s));
    NEURION_CUDA_CHECK(cudaMemcpyAsync(fracs.data(), dfracs.get(), fracs.size() * sizeof(unsigned long long),
                                       cudaMemcpyDeviceToHost, s));
    NEURION_CUDA_CHECK(cudaMemcpyAsync(part.data(), dpart.get(), part.size() * sizeof(double), cudaMemcpyDeviceToHost, s));
    td2h.stop(s);
    stream.sync();
    kernel_ms += tk.elapsed_ms();
    d2h_ms += td2h.elapsed_ms();
    ++launches;
    // Launches merge in path order, like the CPU's thread chunks.
    for (int64_t i = 0; i < cfg.bins; ++i) {
      const double c = static_cast<double>(counts[static_cast<size_t>(i)]);
      h[i] += c;
      h[cfg.bins + i] += mc_bin_sum(c, fracs[static_cast<size_t>(i)], cfg.lo, cfg.scale, i);
    }
    for (int64_t i = 0; i < cfg.dd_bins; ++i) {
      const double c = static_cast<double>(counts[static_cast<size_t>(cfg.bins + i)]);
      dh[i] += c;
      dh[cfg.dd_bins + i] += mc_bin_sum(c, fracs[static_cast<size_t>(cfg.bins + i)], 0.0, cfg.dd_scale, i);
    }
    // Every launched block wrote its partial (empty when the grid-stride gave it no path).
    for (unsigned g = 0; g < grid; ++g) mc_state_merge(total, mc_state_load(part.data() + static_cast<size_t>(g) * kMcStateDoubles));
  }
  mc::acc_write(acc, total);

  tm.h2d_ms = th2d.elapsed_ms();
  tm.kernel_ms = kernel_ms;
  tm.d2h_ms = d2h_ms;
  tm.h2d_bytes = static_cast<double>(aux_len) * sizeof(double);
  tm.d2h_bytes = static_cast<double>(launches) * (static_cast<double>(nb) * 16 + static_cast<double>(part.size()) * sizeof(double));
  tm.chunks = launches;
  set_last_timings(tm);
}

}  // namespace neurion::cuda
