// Recurrent-network training on the GPU: forward with caches + backpropagation through time for
// Sequential LSTM / GRU (reset_after false and true) / Dense models, softmax cross-entropy and
// MSE, sample weights, input dropout (native/nn/nn_dropout.h). Same contract as the CPU addon's
// nnTrainGrad (native/ops/nn_train.cpp); the binding is kernels/binding.cpp, the argument
// checks native/nn/train_args.h (shared). The launch sequence, the GEMM tile logic and every
// element function are in kernels/nn_train.cuh, which the host emulator
// (kernels/test/emulate_train.cpp) runs against the CPU core.
//
// DESIGN
//   Time-major [T][R][width] buffers for a chunk of R sequences (all of a batch of 256 in one
//   chunk). Per recurrent layer: the input projection x W + b is ONE GEMM over all T * R rows;
//   the recurrent product h_{t-1} U is one GEMM per step (M = R rows, batched over the
//   sequences) followed by one element kernel for the gates (one thread per (row, unit)); for
//   LSTM and GRU reset_after the two are one kernel (RecStepTile: the GEMM's epilogue applies the
//   gates and the state update);
//   backward: one element kernel + one GEMM (dA_t U^T) per step, then dW = X^T dA, dU = H^T dA
//   and dX = dA W^T as single GEMMs over the whole window (split-K with a deterministic ordered
//   reduction when the output is small) and db = 1^T dA as an ordered split column sum.
//   GEMM: our own tiled float32 kernel (no cuBLAS at build time): 64 x 64 or 32 x 32 block
//   tiles, BK = 32, 256 threads with 4 x 4 / 2 x 2 register micro-tiles, FMA accumulation.
//   Buffers: one float arena and one double arena on the device, plus pinned host staging,
//   cached across calls (grown when a larger model / batch needs more; freed at process exit).
//   Launches: the sequence of one chunk (396 kernels for the benchmark model) is captured once
//   per shape into a CUDA graph and replayed on later calls (the dropout key, which changes every
//   step, is read from device memory, so one graph serves every step); NEURION_CUDA_GRAPHS=0
//   launches directly. lastTimings().kernel says which ran and how many kernels.
//   Per call the host copies in the params (weights_len floats), the gathered windows
//   (T * R * F floats per chunk), targets and sample weights, and copies back the per-row
//   losses, the outputs and the float32 gradient (weights_len floats).
//
// NUMERICS
//   float32 weights, activations and gradients. Within a call every gradient is accumulated in
//   float32 on the device: over the rows of a chunk inside the GEMM's k loop (FMA, ascending k
//   within a split, splits added in order), and over chunks (batches above the chunk size) by
//   accumulating into the same float32 buffer; it is converted to float64 once at the end.
//   There is NO float64 accumulation across chunks on the GPU (the CPU core has one). The loss
//   head runs in float64 per row (softmax, log, MSE) and the per-row losses are summed in row
//   order on the host in float64. Results are deterministic (no atomics) for a given device
//   and batch; they differ from the CPU core by float32 rounding only (different summation
//   order): |diff| <= 2e-4 + 2e-3 |expected| on the conformance models.
//   Activations: native/nn/nn_act.h (shared with the CPU, its explicit fmaf included);
//   --fmad=false, explicit FMA in the GEMM.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "nn_train.cuh"
#include "nn_train_api.h"
#include "runtime.cuh"

namespace neurion::cuda {

namespace {

using namespace nntr;

constexpr int kEachThreads = 256;
constexpr int kMinKPerSplit = 128;
constexpr int64_t kPartialCap = int64_t{1} << 22;  // floats of split-K partial sums (16 MiB)
constexpr int64_t kMaxChunkRows = 2048;
constexpr int64_t kMaxChunkTR = 2000000;  // T * R rows: grid.y of the projection GEMM stays < 65536
constexpr int64_t kArenaBudget = int64_t{3} << 30;  // bytes of float arena per chunk plan

template <class Fn>
__global__ void __launch_bounds__(kEachThreads) each_kernel(Fn f, int64_t n) {
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) f(i);
}

template <class Tile>
__global__ void __launch_bounds__(kGemmThreads) gemm_kernel(GemmArgs g) {
  __shared__ float As[Tile::kSmemA];
  __shared__ float Bs[Tile::kSmemB];
  const int bn = blockIdx.x, bm = blockIdx.y, split = blockIdx.z;
  const int kb = split * g.kper;
  const int ke = min(g.K, kb + g.kper);
  float acc[Tile::TM][Tile::TN];
  Tile::init(g, bm, bn, threadIdx.x, acc);
  for (int k0 = kb; k0 < ke; k0 += Tile::BK) {
    Tile::load(g, bm, bn, k0, ke, threadIdx.x, As, Bs);
    __syncthreads();
    Tile::compute(As, Bs, threadIdx.x, acc);
    __syncthreads();
  }
  Tile::store(g, bm, bn, split, threadIdx.x, acc);
}

__global__ void __launch_bounds__(RecStepTile::kThreads) rec_step_kernel(RecStepArgs g) {
  __shared__ float As[RecStepTile::kSmemA];
  __shared__ float Bs[RecStepTile::kSmemB];
  const int bn = blockIdx.x, bm = blockIdx.y;
  float acc[4];
  RecStepTile::init(g, bm, bn, threadIdx.x, acc);
  for (int k0 = 0; k0 < g.u; k0 += RecStepTile::BK) {
    RecStepTile::load(g, bm, bn, k0, threadIdx.x, As, Bs);
    __syncthreads();
    RecStepTile::compute(g, As, Bs, threadIdx.x, acc);
    __syncthreads();
  }
  RecStepTile::finish(g, bm, bn, threadIdx.x, acc);
}

// Executor of nn_train.cuh's launch sequence: kernels on one stream.
struct DevEx {
  cudaStream_t s;
  int sms;
  float* partial;
  int64_t partial_cap;
  int64_t launches = 0;

  template <class Fn>
  void each(int64_t n, const Fn& f) {
    if (n <= 0) return;
    const unsigned grid = grid_for(n, kEachThreads, sms, 32);
    each_kernel<Fn><<<grid, kEachThreads, 0, s>>>(f, n);
    NEURION_CUDA_CHECK_LAUNCH("nn_train each_kernel");
    ++launches;
  }

  void rec_step(const RecStepArgs& g) {
    if (g.R <= 0 || g.u <= 0) return;
    const dim3 grid(static_cast<unsigned>((g.u + RecStepTile::BU - 1) / RecStepTile::BU),
                    static_cast<unsigned>((g.R + RecStepTile::BM - 1) / RecStepTile::BM));
    rec_step_kernel<<<grid, RecStepTile::kThreads, 0, s>>>(g);
    NEURION_CUDA_CHECK_LAUNCH("nn_train rec_step_kernel");
    ++launches;
  }

  // defer_reduce: a split-K GEMM leaves its partial sums (the returned args say where).
  GemmArgs gemm(GemmArgs g, bool defer_reduce = false) {
    g.splits = 1;
    if (g.M <= 0 || g.N <= 0) return g;
    g.partial = partial;
    if (g.K <= 0) {
      g.splits = 0;
      each(int64_t{g.M} * g.N, GemmReduce{g});
      g.splits = 1;
      return g;
    }
    const GemmGrid d = gemm_plan(g, sms, kMinKPerSplit, partial_cap);
    const dim3 grid(static_cast<unsigned>(d.bx), static_cast<unsigned>(d.by), static_cast<unsigned>(d.bz));
    if (g.cfg == 0) gemm_kernel<TileBig><<<grid, kGemmThreads, 0, s>>>(g);
    else gemm_kernel<TileSmall><<<grid, kGemmThreads, 0, s>>>(g);
    NEURION_CUDA_CHECK_LAUNCH("nn_train gemm_kernel");
    ++launches;
    if (g.splits > 1 && !defer_reduce) each(int64_t{g.M} * g.N, GemmReduce{g});
    return g;
  }
};

// Device arenas and pinned staging, grown on demand and kept across calls.
struct Workspace {
  int dev = -1;
  cudaStream_t stream = nullptr;
  float* ar = nullptr;
  int64_t ar_cap = 0;
  double* dar = nullptr;
  int64_t dar_cap = 0;
  float* hx = nullptr;  // pinned: gathered windows, then the float32 gradient
  int64_t hx_cap = 0;
  double* hd = nullptr;  // pinned: targets + sample weights in, losses + outputs out
  int64_t hd_cap = 0;
  // Captured launch sequences (CUDA graphs) of recent chunk shapes, most recent last.
  struct Graph {
    std::vector<int64_t> key;
    cudaGraphExec_t exec = nullptr;
    int64_t launches = 0;
  };
  std::vector<Graph> graphs;
  bool graphs_off = false;  // NEURION_CUDA_GRAPHS=0, or a capture failed once

  ~Workspace() { release(); }
  void drop_graphs() {
    for (Graph& g : graphs)
      if (g.exec) cudaGraphExecDestroy(g.exec);
    graphs.clear();
  }
  void release() {
    // At process exit the runtime may already be unloading: errors are ignored.
    drop_graphs();
    if (ar) cudaFree(ar);
    if (dar) cudaFree(dar);
    if (hx) cudaFreeHost(hx);
    if (hd) cudaFreeHost(hd);
    if (stream) cudaStreamDestroy(stream);
    ar = nullptr; dar = nullptr; hx = nullptr; hd = nullptr; stream = nullptr;
    ar_cap = dar_cap = hx_cap = hd_cap = 0;
  }
  void ensure(int device, int64_t floats, int64_t doubles, int64_t hfloats, int64_t hdoubles) {
    if (dev != device) { release(); dev = device; }
    if (!stream) NEURION_CUDA_CHECK(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
    if (floats > ar_cap || doubles > dar_cap) drop_graphs();  // graphs hold arena pointers
    if (floats > ar_cap) {
      if (ar) { cudaFree(ar); ar = nullptr; ar_cap = 0; }
      NEURION_CUDA_CHECK(cudaMalloc(&ar, static_cast<size_t>(floats) * sizeof(float)));
      ar_cap = floats;
    }
    if (doubles > dar_cap) {
      if (dar) { cudaFree(dar); dar = nullptr; dar_cap = 0; }
      NEURION_CUDA_CHECK(cudaMalloc(&dar, static_cast<size_t>(doubles) * sizeof(double)));
      dar_cap = doubles;
    }
    if (hfloats > hx_cap) {
      if (hx) { cudaFreeHost(hx); hx = nullptr; hx_cap = 0; }
      NEURION_CUDA_CHECK(cudaMallocHost(&hx, static_cast<size_t>(hfloats) * sizeof(float)));
      hx_cap = hfloats;
    }
    if (hdoubles > hd_cap) {
      if (hd) { cudaFreeHost(hd); hd = nullptr; hd_cap = 0; }
      NEURION_CUDA_CHECK(cudaMallocHost(&hd, static_cast<size_t>(hdoubles) * sizeof(double)));
      hd_cap = hdoubles;
    }
  }
};

std::mutex g_mu;     // one training call at a time uses the cached workspace
Workspace g_ws;      // destroyed at process exit

}  // namespace

int64_t nn_train_chunk_rows(const nn::ModelSpec& m, int T, int64_t batch) {
  int64_t R = std::min<int64_t>(batch, kMaxChunkRows);
  R = std::min<int64_t>(R, std::max<int64_t>(1, kMaxChunkTR / std::max(T, 1)));
  R = std::max<int64_t>(R, 1);
  while (R > 1 && plan_train(m, T, static_cast<int>(R), true, kPartialCap, 0).floats * 4 > kArenaBudget) R = (R + 1) / 2;
  return R;
}

int64_t nn_train_max_chunk_rows() { return kMaxChunkRows; }

const char* nn_train_accumulation() {
  return "float32 on the device (GEMM k loops, ordered split-K sums, and across chunks), converted to float64 once; "
         "loss head and loss sum in float64";
}

double nn_train_grad(const nn::train::GradJob& j) {
  const int mse = j.loss == nn::train::Loss::MSE ? 1 : 0;
  const nn::ModelSpec& m = *j.spec;
  const int T = j.T, F = m.features, U = m.out_units;
  const bool grads = j.grads != nullptr;
  const int64_t R = nn_train_chunk_rows(m, T, j.batch);
  const TrainPlan P = plan_train(m, T, static_cast<int>(R), grads, kPartialCap, 0);
  const int64_t xfloats = int64_t{T} * R * F;
  const int64_t hfloats = std::max<int64_t>(xfloats, grads ? m.weights_len : 0);
  const int64_t hdoubles = R * U + R + R + R * U;  // target, sw | loss rows, outputs

  std::lock_guard<std::mutex> lock(g_mu);
  const int dev = require_device();
  const DeviceProps& props = device_props(dev);
  g_ws.ensure(dev, P.floats, P.doubles, hfloats, hdoubles);
  const cudaStream_t s = g_ws.stream;
  float* ar = g_ws.ar;
  double* dar = g_ws.dar;

  Timings tm;
  PhaseTimer th2d, tk, td2h;
  DevEx ex{s, std::max(props.sm_count, 1), ar + P.partial, P.partial_cap};
  if (!g_ws.graphs_off) {
    const char* e = std::getenv("NEURION_CUDA_GRAPHS");
    if (e != nullptr && std::strcmp(e, "0") == 0) g_ws.graphs_off = true;
  }

  th2d.start(s);
  NEURION_CUDA_CHECK(cudaMemcpyAsync(ar + P.W, j.params, static_cast<size_t>(m.weights_len) * sizeof(float),
                                     cudaMemcpyHostToDevice, s));
  const uint32_t key[2] = {j.dropout_k0, j.dropout_k1};
  NEURION_CUDA_CHECK(cudaMemcpyAsync(ar + P.key, key, sizeof key, cudaMemcpyHostToDevice, s));
  th2d.stop(s);
  NEURION_CUDA_CHECK(cudaStreamSynchronize(s));
  tm.h2d_ms += th2d.elapsed_ms();
  tm.h2d_bytes += static_cast<double>(m.weights_len) * 4 + 8;

  // The shape of a chunk's launch sequence: everything its kernels' arguments depend on.
  auto graph_key = [&](int Rc, int64_t b0) {
    std::vector<int64_t> k = {reinterpret_cast<int64_t>(ar), reinterpret_cast<int64_t>(dar), T, R, Rc, b0, j.batch, mse,
                              j.sample_weight != nullptr, grads, ex.sms, F, m.weights_len};
    for (size_t l = 0; l < m.layers.size(); ++l) {
      const nn::LayerSpec& L = m.layers[l];
      uint32_t bits = 0;
      if (j.dropout) std::memcpy(&bits, j.dropout + l, 4);
      k.insert(k.end(), {static_cast<int64_t>(L.kind), L.units, L.input_dim, static_cast<int64_t>(L.act),
                         static_cast<int64_t>(L.rec_act), L.return_sequences, L.use_bias, L.reset_after, bits});
    }
    return k;
  };

  double loss = 0.0;
  int64_t launches = 0;
  bool replayed = false;
  for (int64_t b0 = 0; b0 < j.batch; b0 += R) {
    const int Rc = static_cast<int>(std::min<int64_t>(R, j.batch - b0));
    // gather the windows time-major [T][Rc][F] into pinned memory
    float* hx = g_ws.hx;
    gather_chunk(hx, j.xs, j.starts, b0, Rc, T, F);
    double* hd = g_ws.hd;
    const int64_t tlen = mse ? int64_t{Rc} * U : Rc;
    std::memcpy(hd, j.target + (mse ? b0 * U : b0), sizeof(double) * tlen);
    if (j.sample_weight) std::memcpy(hd + R * U, j.sample_weight + b0, sizeof(double) * Rc);
    th2d.start(s);
    NEURION_CUDA_CHECK(cudaMemcpyAsync(ar + P.X, hx, sizeof(float) * int64_t{T} * Rc * F, cudaMemcpyHostToDevice, s));
    NEURION_CUDA_CHECK(cudaMemcpyAsync(dar + P.tgt, hd, sizeof(double) * tlen, cudaMemcpyHostToDevice, s));
    if (j.sample_weight)
      NEURION_CUDA_CHECK(cudaMemcpyAsync(dar + P.sw, hd + R * U, sizeof(double) * Rc, cudaMemcpyHostToDevice, s));
    th2d.stop(s);
    ChunkCall c;
    c.ar = ar; c.dar = dar; c.R = Rc; c.b0 = b0; c.batch = j.batch; c.mse = mse; c.has_sw = j.sample_weight != nullptr;
    c.rates = j.dropout;
    // the launch sequence of this chunk (the first also zeroes the gradient and transposes W, U)
    auto sequence = [&] {
      if (b0 == 0) prepare_call(ex, P, ar);
      train_chunk(ex, P, c);
    };
    tk.start(s);
    if (g_ws.graphs_off) {
      const int64_t before = ex.launches;
      sequence();
      launches += ex.launches - before;
    } else {
      // CUDA graph of the sequence, captured once per shape and replayed: one launch instead of
      // 396 for the benchmark model. A capture that fails turns graphs off for the process
      // and the chunk runs with direct launches.
      const std::vector<int64_t> k = graph_key(Rc, b0);
      auto it = std::find_if(g_ws.graphs.begin(), g_ws.graphs.end(), [&](const Workspace::Graph& g) { return g.key == k; });
      if (it == g_ws.graphs.end()) {
        Workspace::Graph g;
        g.key = k;
        const int64_t before = ex.launches;
        cudaGraph_t graph = nullptr;
        bool ok = cudaStreamBeginCapture(s, cudaStreamCaptureModeThreadLocal) == cudaSuccess;
        if (ok) {
          try {
            sequence();
          } catch (...) {  // the capture must be ended whatever failed
            ok = false;
          }
          cudaGraph_t got = nullptr;
          const cudaError_t e = cudaStreamEndCapture(s, &got);
          if (e != cudaSuccess || !ok) {
            if (got) cudaGraphDestroy(got);
            ok = false;
          } else {
            graph = got;
          }
        }
        if (ok && cudaGraphInstantiate(&g.exec, graph, 0) != cudaSuccess) { g.exec = nullptr; ok = false; }
        if (graph) cudaGraphDestroy(graph);
        if (!ok) {
          cudaGetLastError();  // clear the capture error (not sticky)
          g_ws.graphs_off = true;
          const int64_t b2 = ex.launches;
          sequence();
          launches += ex.launches - b2;
        } else {
          g.launches = ex.launches - before;
          if (g_ws.graphs.size() >= 8) {
            cudaGraphExecDestroy(g_ws.graphs.front().exec);
            g_ws.graphs.erase(g_ws.graphs.begin());
          }
          g_ws.graphs.push_back(std::move(g));
          it = g_ws.graphs.end() - 1;
        }
      } else {
        replayed = true;
      }
      if (!g_ws.graphs_off) {
        NEURION_CUDA_CHECK(cudaGraphLaunch(it->exec, s));
        launches += it->launches;
      }
    }
    tk.stop(s);
    td2h.start(s);
    double* hl = hd + R * U + R;  // loss rows, then outputs
    NEURION_CUDA_CHECK(cudaMemcpyAsync(hl, dar + P.lossRow, sizeof(double) * Rc, cudaMemcpyDeviceToHost, s));
    NEURION_CUDA_CHECK(cudaMemcpyAsync(hl + R, dar + P.outRow, sizeof(double) * int64_t{Rc} * U, cudaMemcpyDeviceToHost, s));
    td2h.stop(s);
    NEURION_CUDA_CHECK(cudaStreamSynchronize(s));
    for (int r = 0; r < Rc; ++r) loss += hl[r];
    if (j.outputs) std::memcpy(j.outputs + b0 * U, hl + R, sizeof(double) * int64_t{Rc} * U);
    tm.h2d_ms += th2d.elapsed_ms();
    tm.kernel_ms += tk.elapsed_ms();
    tm.d2h_ms += td2h.elapsed_ms();
    tm.h2d_bytes += static_cast<double>(int64_t{T} * Rc * F * 4 + tlen * 8 + (j.sample_weight ? Rc * 8 : 0));
    tm.d2h_bytes += static_cast<double>(Rc * 8 + int64_t{Rc} * U * 8);
    ++tm.chunks;
  }
  tm.kernel = std::string("nn_train (") + (g_ws.graphs_off ? "direct launches" : replayed ? "graph replayed" : "graph captured") +
              ", " + std::to_string(launches) + " kernels)";
  if (grads) {
    td2h.start(s);
    NEURION_CUDA_CHECK(cudaMemcpyAsync(g_ws.hx, ar + P.gW, sizeof(float) * m.weights_len, cudaMemcpyDeviceToHost, s));
    td2h.stop(s);
    NEURION_CUDA_CHECK(cudaStreamSynchronize(s));
    for (int64_t i = 0; i < m.weights_len; ++i) j.grads[i] = static_cast<double>(g_ws.hx[i]);
    tm.d2h_ms += td2h.elapsed_ms();
    tm.d2h_bytes += static_cast<double>(m.weights_len) * 4;
  }
  set_last_timings(tm);
  return loss / static_cast<double>(j.batch);
}

}  // namespace neurion::cuda
