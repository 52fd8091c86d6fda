// Batched recurrent-network inference (Sequential LSTM / GRU / Dense) on the GPU.
// Model format and validation: native/nn/nn_spec.h (shared with the CPU addon); per-layer
// metadata, shared-memory plan and activations: kernels/nn.cuh.
//
// Design
// ------
// One block owns S sequences (S <= 8 "slots") for the whole window and walks the time steps
// in order, all layers at step t before step t + 1 (the CPU's order). Every slot's input row,
// hidden / cell states, gate rows and Dense outputs live in shared memory; the weights stay in
// global memory in their Keras layout ([K, G] row-major), read through L2 (0.8 MB for
// LSTM(128)x2: resident in H100's 50 MB L2 across all blocks).
//
// Gate columns are spread over the block's threads: thread j computes column j (then
// j + blockDim, ...) for the S slots at once, so each weight it loads (consecutive j ->
// consecutive addresses: coalesced) serves S sequences from registers, and the x / h values
// come from shared memory as broadcasts. After a __syncthreads the element-wise state update
// runs over (slot, unit). Per step and block: one pass over every layer's weights.
//
// Numerics: float32, the sum for a column starts at the bias and adds the input terms then the
// recurrent terms in ascending k, one multiply and one add each (--fmad=false): the same order
// as the CPU (whose AVX2 path fuses the multiply-add, so results differ from it by float32
// rounding only, well inside the conformance tolerance). Activations: nn.cuh (bit-identical
// to the CPU's for equal inputs).
//
// S is chosen so that the grid has about one block per SM for mid-size batches (S =
// ceil(batch / SMs), 1..8) and the slots fit the opt-in shared memory; a model whose one slot
// does not fit (e.g. several 4096-unit layers) throws, naming the bytes needed. Batches larger
// than the device budget run as several copy-in / launch / copy-out chunks of whole sequences.
#include <algorithm>
#include <string>
#include <vector>

#include "nn.cuh"
#include "runtime.cuh"

namespace neurion::cuda {

namespace {

using nnk::DevLayer;
using nnk::SmemPlan;
constexpr int kThreads = 256;
constexpr int kMaxSlots = 8;

template <int S>
__device__ void dense_layer(const DevLayer& L, const float* __restrict__ W, float* sm, int per, int ns, int cur) {
  const int u = L.units;
  for (int j = threadIdx.x; j < u; j += blockDim.x) {
    float acc[S];
    const float b = L.use_bias ? W[L.bias + j] : 0.0f;
    for (int s = 0; s < S; ++s) acc[s] = b;
    for (int k = 0; k < L.in; ++k) {
      const float w = W[L.kernel + static_cast<int64_t>(k) * u + j];
      for (int s = 0; s < S; ++s) {
        const float p = sm[s * per + cur + k] * w;
        acc[s] = acc[s] + p;
      }
    }
    for (int s = 0; s < ns; ++s) sm[s * per + L.y + j] = L.act == 5 ? acc[s] : nnk::act_f(L.act, acc[s]);
  }
  __syncthreads();
  if (L.act == 5) {
    for (int s = threadIdx.x; s < ns; s += blockDim.x) {
      float* y = sm + s * per + L.y;
      float m = y[0];
      for (int j = 1; j < u; ++j) if (y[j] > m) m = y[j];
      float sum = 0.0f;
      for (int j = 0; j < u; ++j) { y[j] = nnk::exp_f(y[j] - m); sum = sum + y[j]; }
      for (int j = 0; j < u; ++j) y[j] = y[j] / sum;
    }
    __syncthreads();
  }
}

// Columns [c0, c1) of the gate rows: init (bias or zero) + x W (+ h U when with_h).
template <int S>
__device__ void gates(const DevLayer& L, const float* __restrict__ W, float* sm, int per, int ns, int cur, int G, int c0,
                      int c1, bool with_x, bool with_h, int64_t bias_off, int h_src, int dst) {
  const int u = L.units;
  for (int j = c0 + threadIdx.x; j < c1; j += blockDim.x) {
    float acc[S];
    const float b = bias_off >= 0 ? W[bias_off + j] : 0.0f;
    for (int s = 0; s < S; ++s) acc[s] = b;
    if (with_x) {
      for (int k = 0; k < L.in; ++k) {
        const float w = W[L.kernel + static_cast<int64_t>(k) * G + j];
        for (int s = 0; s < S; ++s) { const float p = sm[s * per + cur + k] * w; acc[s] = acc[s] + p; }
      }
    }
    if (with_h) {
      for (int k = 0; k < u; ++k) {
        const float w = W[L.recurrent + static_cast<int64_t>(k) * G + j];
        for (int s = 0; s < S; ++s) { const float p = sm[s * per + h_src + k] * w; acc[s] = acc[s] + p; }
      }
    }
    for (int s = 0; s < ns; ++s) sm[s * per + dst + j] = acc[s];
  }
}

template <int S>
__device__ void lstm_layer(const DevLayer& L, const float* __restrict__ W, float* sm, const SmemPlan& P, int ns, int cur) {
  const int u = L.units, G = 4 * u, per = P.per_slot;
  gates<S>(L, W, sm, per, ns, cur, G, 0, G, true, true, L.use_bias ? L.bias : -1, L.h, P.g);
  __syncthreads();
  for (int idx = threadIdx.x; idx < ns * u; idx += blockDim.x) {
    const int s = idx / u, j = idx % u;
    float* g = sm + s * per + P.g;
    float* c = sm + s * per + L.c;
    float* h = sm + s * per + L.h;
    const float i = nnk::act_f(L.rec_act, g[j]), f = nnk::act_f(L.rec_act, g[u + j]);
    const float cc = nnk::act_f(L.act, g[2 * u + j]), o = nnk::act_f(L.rec_act, g[3 * u + j]);
    const float fc = f * c[j];
    const float ig = i * cc;
    c[j] = fc + ig;
    h[j] = o * nnk::act_f(L.act, c[j]);
  }
  __syncthreads();
}

template <int S>
__device__ void gru_layer(const DevLayer& L, const float* __restrict__ W, float* sm, const SmemPlan& P, int ns, int cur) {
  const int u = L.units, G = 3 * u, per = P.per_slot;
  const int64_t bi = L.use_bias ? L.bias : -1;
  if (L.reset_after) {
    gates<S>(L, W, sm, per, ns, cur, G, 0, G, true, false, bi, L.h, P.g);
    gates<S>(L, W, sm, per, ns, cur, G, 0, G, false, true, L.use_bias ? L.bias + G : -1, L.h, P.g2);
    __syncthreads();
    for (int idx = threadIdx.x; idx < ns * u; idx += blockDim.x) {
      const int s = idx / u, j = idx % u;
      const float* gx = sm + s * per + P.g;
      const float* gh = sm + s * per + P.g2;
      float* h = sm + s * per + L.h;
      const float z = nnk::act_f(L.rec_act, gx[j] + gh[j]);
      const float r = nnk::act_f(L.rec_act, gx[u + j] + gh[u + j]);
      const float rh = r * gh[2 * u + j];
      const float hh = nnk::act_f(L.act, gx[2 * u + j] + rh);
      const float keep = z * h[j];
      const float w = 1.0f - z;
      const float upd = w * hh;
      h[j] = keep + upd;
    }
  } else {
    // z, r columns with the recurrent part; the candidate's input part alone.
    gates<S>(L, W, sm, per, ns, cur, G, 0, 2 * u, true, true, bi, L.h, P.g);
    gates<S>(L, W, sm, per, ns, cur, G, 2 * u, G, true, false, bi, L.h, P.g);
    __syncthreads();
    for (int idx = threadIdx.x; idx < ns * u; idx += blockDim.x) {
      const int s = idx / u, j = idx % u;
      const float* g = sm + s * per + P.g;
      sm[s * per + P.tmp + j] = nnk::act_f(L.rec_act, g[u + j]) * sm[s * per + L.h + j];
    }
    __syncthreads();
    // Candidate: g[2u + j] + (r * h) U[:, 2u + j], into g2[j].
    for (int j = threadIdx.x; j < u; j += blockDim.x) {
      float acc[S];
      for (int s = 0; s < S; ++s) acc[s] = s < ns ? sm[s * per + P.g + 2 * u + j] : 0.0f;
      for (int k = 0; k < u; ++k) {
        const float w = W[L.recurrent + static_cast<int64_t>(k) * G + 2 * u + j];
        for (int s = 0; s < S; ++s) { const float p = sm[s * per + P.tmp + k] * w; acc[s] = acc[s] + p; }
      }
      for (int s = 0; s < ns; ++s) sm[s * per + P.g2 + j] = acc[s];
    }
    __syncthreads();
    for (int idx = threadIdx.x; idx < ns * u; idx += blockDim.x) {
      const int s = idx / u, j = idx % u;
      const float z = nnk::act_f(L.rec_act, sm[s * per + P.g + j]);
      const float hh = nnk::act_f(L.act, sm[s * per + P.g2 + j]);
      float* h = sm + s * per + L.h;
      const float keep = z * h[j];
      const float w = 1.0f - z;
      const float upd = w * hh;
      h[j] = keep + upd;
    }
  }
  __syncthreads();
}

template <int S>
__global__ void __launch_bounds__(kThreads)
    nn_forward_kernel(const DevLayer* __restrict__ layers, int nlayers, SmemPlan P, const float* __restrict__ W,
                      const float* __restrict__ x, int64_t batch, int64_t T, int F, float* __restrict__ out, int out_units,
                      int out_sequence) {
  extern __shared__ float sm[];
  const int per = P.per_slot;
  for (int64_t b0 = static_cast<int64_t>(blockIdx.x) * S; b0 < batch; b0 += static_cast<int64_t>(gridDim.x) * S) {
    const int ns = static_cast<int>(batch - b0 < S ? batch - b0 : S);
    for (int i = threadIdx.x; i < S * per; i += blockDim.x) sm[i] = 0.0f;  // zero state (and unused slots)
    __syncthreads();
    for (int64_t t = 0; t < T; ++t) {
      const bool last = t == T - 1;
      for (int i = threadIdx.x; i < ns * F; i += blockDim.x) {
        const int s = i / F, f = i % F;
        sm[s * per + P.x + f] = x[((b0 + s) * T + t) * F + f];
      }
      __syncthreads();
      int cur = P.x;
      bool sequence = true, ran = true;
      for (int l = 0; l < nlayers; ++l) {
        const DevLayer& L = layers[l];
        if (!sequence && !last) { ran = false; break; }
        if (L.kind == 3) { dense_layer<S>(L, W, sm, per, ns, cur); cur = L.y; continue; }
        if (L.kind == 1) lstm_layer<S>(L, W, sm, P, ns, cur);
        else gru_layer<S>(L, W, sm, P, ns, cur);
        cur = L.h;
        sequence = L.return_sequences != 0;
      }
      if (ran && (out_sequence || last)) {
        for (int i = threadIdx.x; i < ns * out_units; i += blockDim.x) {
          const int s = i / out_units, j = i % out_units;
          const int64_t o = out_sequence ? ((b0 + s) * T + t) * out_units + j : (b0 + s) * out_units + j;
          out[o] = sm[s * per + cur + j];
        }
      }
      __syncthreads();
    }
  }
}

template <int S>
void launch(unsigned grid, size_t smem, cudaStream_t st, const DevLayer* layers, int nl, const SmemPlan& P, const float* W,
            const float* x, int64_t batch, int64_t T, int F, float* out, int U, int seq) {
  if (smem > 48 * 1024)
    NEURION_CUDA_CHECK(cudaFuncSetAttribute(nn_forward_kernel<S>, cudaFuncAttributeMaxDynamicSharedMemorySize, static_cast<int>(smem)));
  nn_forward_kernel<S><<<grid, kThreads, smem, st>>>(layers, nl, P, W, x, batch, T, F, out, U, seq);
  NEURION_CUDA_CHECK_LAUNCH("nn_forward_kernel");
}

}  // namespace

void nn_forward_f32(const nn::ModelSpec& m, const float* weights, const float* x, int64_t batch, int64_t T, float* out) {
  const int dev = require_device();
  const DeviceProps& props = device_props(dev);
  std::vector<DevLayer> layers(m.layers.size());
  const SmemPlan P = nnk::plan_smem(m, layers.data());
  const int64_t smem_cap = std::min<int64_t>(props.max_smem_optin > 0 ? props.max_smem_optin : 48 * 1024, 160 * 1024);
  const int fit = nnk::slots_for(P.per_slot, smem_cap, kMaxSlots);
  if (fit < 1)
    throw Error("the model needs " + std::to_string(int64_t{P.per_slot} * 4) + " bytes of shared memory per sequence, more than the " +
                std::to_string(smem_cap) + " available to a block; use the cpu backend");
  const int sms = std::max(props.sm_count, 1);
  const int want = static_cast<int>(std::min<int64_t>(kMaxSlots, std::max<int64_t>(1, (batch + sms - 1) / sms)));
  int S = std::min(fit, want);
  S = S >= 8 ? 8 : S >= 4 ? 4 : S >= 2 ? 2 : 1;  // instantiated slot counts
  const size_t smem = static_cast<size_t>(S) * P.per_slot * sizeof(float);

  const int64_t F = m.features, U = m.out_units;
  const int64_t out_per_seq = (m.out_sequence ? T : 1) * U;
  const int64_t per_seq_bytes = (T * F + out_per_seq) * static_cast<int64_t>(sizeof(float));
  const int64_t rows = std::max<int64_t>(1, std::min<int64_t>(batch, chunk_bytes() / std::max<int64_t>(per_seq_bytes, 1)));

  Timings tm;
  tm.kernel = "nn_forward_s" + std::to_string(S);
  Stream stream;
  const cudaStream_t s = stream.get();
  DeviceBuffer<float> dw(std::max<int64_t>(m.weights_len, 1), s, props.mem_pools);
  DeviceBuffer<DevLayer> dl(static_cast<int64_t>(layers.size()), s, props.mem_pools);
  DeviceBuffer<float> dx(rows * T * F, s, props.mem_pools);
  DeviceBuffer<float> dout(rows * out_per_seq, s, props.mem_pools);
  PhaseTimer th2d, tk, td2h;
  th2d.start(s);
  NEURION_CUDA_CHECK(cudaMemcpyAsync(dw.get(), weights, static_cast<size_t>(m.weights_len) * sizeof(float), cudaMemcpyHostToDevice, s));
  NEURION_CUDA_CHECK(cudaMemcpyAsync(dl.get(), layers.data(), layers.size() * sizeof(DevLayer), cudaMemcpyHostToDevice, s));
  th2d.stop(s);
  stream.sync();
  tm.h2d_ms += th2d.elapsed_ms();
  tm.h2d_bytes += static_cast<double>(m.weights_len) * 4;
  for (int64_t b = 0; b < batch; b += rows) {
    const int64_t n = std::min(rows, batch - b);
    const size_t in_bytes = static_cast<size_t>(n * T * F) * sizeof(float);
    const size_t out_bytes = static_cast<size_t>(n * out_per_seq) * sizeof(float);
    th2d.start(s);
    NEURION_CUDA_CHECK(cudaMemcpyAsync(dx.get(), x + b * T * F, in_bytes, cudaMemcpyHostToDevice, s));
    th2d.stop(s);
    tk.start(s);
    const unsigned grid = static_cast<unsigned>(std::min<int64_t>((n + S - 1) / S, int64_t{sms} * 8));
    const int nl = static_cast<int>(layers.size());
    switch (S) {
      case 8: launch<8>(grid, smem, s, dl.get(), nl, P, dw.get(), dx.get(), n, T, static_cast<int>(F), dout.get(), static_cast<int>(U), m.out_sequence); break;
      case 4: launch<4>(grid, smem, s, dl.get(), nl, P, dw.get(), dx.get(), n, T, static_cast<int>(F), dout.get(), static_cast<int>(U), m.out_sequence); break;
      case 2: launch<2>(grid, smem, s, dl.get(), nl, P, dw.get(), dx.get(), n, T, static_cast<int>(F), dout.get(), static_cast<int>(U), m.out_sequence); break;
      default: launch<1>(grid, smem, s, dl.get(), nl, P, dw.get(), dx.get(), n, T, static_cast<int>(F), dout.get(), static_cast<int>(U), m.out_sequence); break;
    }
    tk.stop(s);
    td2h.start(s);
    NEURION_CUDA_CHECK(cudaMemcpyAsync(out + b * out_per_seq, dout.get(), out_bytes, cudaMemcpyDeviceToHost, s));
    td2h.stop(s);
    stream.sync();
    tm.h2d_ms += th2d.elapsed_ms();
    tm.kernel_ms += tk.elapsed_ms();
    tm.d2h_ms += td2h.elapsed_ms();
    tm.h2d_bytes += static_cast<double>(in_bytes);
    tm.d2h_bytes += static_cast<double>(out_bytes);
    ++tm.chunks;
  }
  set_last_timings(tm);
}

}  // namespace neurion::cuda
