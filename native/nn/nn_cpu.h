// CPU inference core for Sequential LSTM / GRU / Dense models (float32 weights and
// activations, float32 FMA accumulation: see nn_gemm.h), used by native/ops/nn.cpp.
//
// Net      the model with every kernel packed for the gate GEMMs (built once per compile); the
//          input and recurrent kernels of a step are stacked ([W; U]) so x W + h U is one pass.
// forward  [batch x T x F] -> outputs; batch split over threads, blocks of up to 32 sequences
//          per thread, time-major inside a block (all layers at step t, then t + 1), so the
//          scratch is O(block x width), independent of T, and allocated once per block range
//          before the time loop (nothing is allocated inside it). Batch 1 runs layer by layer
//          over time chunks instead (a layer's input part for a chunk is one GEMM, the per-step
//          loop streams only the recurrent kernels); with threads >= 2 and two or more recurrent
//          layers, as a two-stage chunk pipeline (a persistent helper thread runs the layers
//          before the second recurrent layer and that layer's input GEMM ahead of the caller).
//          Every path gives the same bits for a given sequence.
// Session  the same per-row step on one sequence with persistent state: the streaming path.
//          Its output at step t equals forward() on the window [0, t] bit for bit.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>
#include "nn_gemm.h"
#include "nn_spec.h"

namespace neurion::nn {

struct NetLayer {
  LayerSpec s;
  int ldh = 0;   // row stride of this layer's outputs (pad8(units))
  // LSTM                  W = [kernel; recurrent kernel] (K = in + u), all 4u columns; bx its bias
  // GRU reset_after true  W = kernel, bx = input bias; U = recurrent kernel, bh = recurrent bias
  // GRU reset_after false W = [kernel; recurrent kernel] columns [0, 2u) (z, r), bx their bias;
  //                       U = [kernel; recurrent kernel] columns [2u, 3u) (h~: x and r * h parts),
  //                       bh their bias
  // Dense                 W = kernel, bx = bias
  Packed W;
  Packed U;
  Packed Uh;     // unused (kept for the packed-size bookkeeping in native/ops/nn.cpp)
  Buf bx;        // W.Np + 16 floats (zeros without bias)
  Buf bh;        // U.Np + 16 floats
};

struct Net {
  ModelSpec spec;
  std::vector<NetLayer> layers;
  int ldg = 16;  // gate scratch row stride: max Np over the layers + 16
  int ldt = 8;   // temp row stride: max ldh
};

// Packs a validated spec and its weights (weights.size() == spec.weights_len).
std::shared_ptr<Net> build_net(const ModelSpec& spec, const float* weights);

// Per-row state and scratch for `rows` sequences.
struct Workspace {
  int rows = 0;
  std::vector<Buf> h, c, y;  // per layer: hidden state / cell state / dense output
  Buf g, g2, tmp;
  void init(const Net& net, int rows);
  void reset_state();
};

// Row stride of a layer's output rows (Dense: pad16, the GEMM writes whole panels).
int64_t out_stride(const NetLayer& L);

// One time step of every layer for `n` rows (n <= ws.rows): x rows at x + r * ldx.
// `last` says whether layers after a non-sequence recurrent layer must run (the final step
// of a window, or every step of a stream). Returns the final layer's output rows (stride
// net.layers.back().ldh).
const float* step_all(const Net& net, Workspace& ws, int n, const float* x, int64_t ldx, bool last);
// Layers [first, end) only; `sequence` says whether x is a per-step row of a sequence.
// pre / pp: for layer `first` (recurrent, n == 1), panels [0, pp) of its W gates start from
// pre (bias + x W[:K1], computed ahead) instead of the bias.
const float* step_layers(const Net& net, Workspace& ws, size_t first, size_t end, int n, const float* x, int64_t ldx,
                         bool last, bool sequence, const float* pre = nullptr, int pp = 0);

// Full forward pass. x: [batch, T, F] float32; out: [batch, T, units] (sequence model) or
// [batch, units], as float32 (out32) or float64 (out64; exactly one non-null).
void forward(const Net& net, const float* x, int64_t batch, int64_t T, float* out32, double* out64, int threads);

struct Session {
  std::shared_ptr<Net> net;
  Workspace ws;
  int64_t steps = 0;
  explicit Session(std::shared_ptr<Net> n) : net(std::move(n)) { ws.init(*net, 1); }
};

}  // namespace neurion::nn
