// CPU inference core: see nn_cpu.h. Gate math (Keras / TF.js, row vectors):
//
//   LSTM  [i f c o] = x W + h U + b
//         i, f, o = recurrent_activation(.), c~ = activation(.)
//         c' = f * c + i * c~            h' = o * activation(c')
//   GRU   reset_after = false (TF.js):     [xz xr xh] = x W + b,  [hz hr] = h U[:, :2u]
//         z = ra(xz + hz), r = ra(xr + hr), h~ = act(xh + (r * h) U[:, 2u:])
//   GRU   reset_after = true (Keras 2+/cuDNN/PyTorch): [xz xr xh] = x W + b_in, [hz hr hh] = h U + b_rec
//         z = ra(xz + hz), r = ra(xr + hr), h~ = act(xh + r * hh)
//         (PyTorch: n = tanh(W_in x + b_in + r * (W_hn h + b_hn)))
//   both  h' = z * h + (1 - z) * h~
//   Dense y = act(x W + b)
#include "nn_cpu.h"

#include <algorithm>
#include "../common/parallel.h"

namespace neurion::nn {

namespace {

void act_inplace(Act a, float* p, int64_t n) {
  if (a == Act::Linear) return;
#if NEURION_NN_X86
  if (have_avx2()) return act_inplace_avx2(a, p, n);
#endif
  for (int64_t i = 0; i < n; ++i) p[i] = act_f(a, p[i]);
}

void softmax_row(float* y, int n) {
  float m = y[0];
  for (int j = 1; j < n; ++j) m = std::max(m, y[j]);
  float s = 0.0f;
  for (int j = 0; j < n; ++j) {
    y[j] = exp_f(y[j] - m);
    s = s + y[j];
  }
  for (int j = 0; j < n; ++j) y[j] = y[j] / s;
}

void fill_bias(Buf& b, int64_t np, const float* src, int64_t n) {
  b.reset(np + 8);
  if (src != nullptr) std::copy(src, src + n, b.data());
}

}  // namespace

std::shared_ptr<Net> build_net(const ModelSpec& spec, const float* w) {
  auto net = std::make_shared<Net>();
  net->spec = spec;
  int ldg = 8, ldt = 8;
  for (const LayerSpec& s : spec.layers) {
    NetLayer L;
    L.s = s;
    const int u = s.units, in = s.input_dim, g = s.gates();
    L.ldh = static_cast<int>(pad8(u));
    L.W.pack(w + s.kernel, in, g * u, 0, g * u);
    const float* bias = s.use_bias ? w + s.bias : nullptr;
    fill_bias(L.bx, L.W.Np, bias, int64_t{g} * u);
    if (s.kind == Kind::LSTM || (s.kind == Kind::GRU && s.reset_after)) {
      L.U.pack(w + s.recurrent, u, g * u, 0, g * u);
      if (s.kind == Kind::GRU) fill_bias(L.bh, L.U.Np, bias != nullptr ? bias + int64_t{g} * u : nullptr, int64_t{g} * u);
    } else if (s.kind == Kind::GRU) {
      L.U.pack(w + s.recurrent, u, 3 * u, 0, 2 * u);
      L.Uh.pack(w + s.recurrent, u, 3 * u, 2 * u, u);
    }
    ldg = std::max({ldg, L.W.Np + 8, L.U.Np + 8});
    ldt = std::max(ldt, L.ldh);
    net->layers.push_back(std::move(L));
  }
  net->ldg = ldg;
  net->ldt = ldt;
  return net;
}

void Workspace::init(const Net& net, int n) {
  rows = n;
  const size_t L = net.layers.size();
  h.resize(L); c.resize(L); y.resize(L);
  for (size_t l = 0; l < L; ++l) {
    const NetLayer& nl = net.layers[l];
    if (nl.s.kind == Kind::Dense) {
      y[l].reset(int64_t{n} * nl.ldh);
    } else {
      h[l].reset(int64_t{n} * nl.ldh);
      if (nl.s.kind == Kind::LSTM) c[l].reset(int64_t{n} * nl.ldh);
    }
  }
  g.reset(int64_t{n} * net.ldg);
  g2.reset(int64_t{n} * net.ldg);
  tmp.reset(int64_t{n} * net.ldt);
}

void Workspace::reset_state() {
  for (auto* v : {&h, &c, &y})
    for (Buf& b : *v)
      if (b.size() > 0) std::fill(b.data(), b.data() + b.size(), 0.0f);
}

namespace {

void lstm_step(const NetLayer& L, Workspace& ws, int l, int n, const float* x, int64_t ldx, int64_t ldg, int64_t ldt) {
  const int u = L.s.units;
  float* G = ws.g.data();
  float* h = ws.h[l].data();
  float* c = ws.c[l].data();
  float* t = ws.tmp.data();
  gemm(x, ldx, n, L.W, L.bx.data(), 0, G, ldg);
  gemm(h, L.ldh, n, L.U, G, ldg, G, ldg);
  for (int r = 0; r < n; ++r) {
    float* gr = G + r * ldg;
    float* hr = h + r * L.ldh;
    float* cr = c + r * L.ldh;
    float* tr = t + r * ldt;
    act_inplace(L.s.rec_act, gr, 2 * int64_t{u});  // i, f
    act_inplace(L.s.act, gr + 2 * u, u);           // c~
    act_inplace(L.s.rec_act, gr + 3 * u, u);       // o
    for (int j = 0; j < u; ++j) {
      const float fc = gr[u + j] * cr[j];
      const float ig = gr[j] * gr[2 * u + j];
      cr[j] = fc + ig;
      tr[j] = cr[j];
    }
    act_inplace(L.s.act, tr, u);
    for (int j = 0; j < u; ++j) hr[j] = gr[3 * u + j] * tr[j];
  }
}

void gru_step(const NetLayer& L, Workspace& ws, int l, int n, const float* x, int64_t ldx, int64_t ldg, int64_t ldt) {
  const int u = L.s.units;
  float* G = ws.g.data();
  float* G2 = ws.g2.data();
  float* h = ws.h[l].data();
  float* t = ws.tmp.data();
  gemm(x, ldx, n, L.W, L.bx.data(), 0, G, ldg);
  if (L.s.reset_after) {
    gemm(h, L.ldh, n, L.U, L.bh.data(), 0, G2, ldg);
    for (int r = 0; r < n; ++r) {
      float* gx = G + r * ldg;
      const float* gh = G2 + r * ldg;
      for (int j = 0; j < 2 * u; ++j) gx[j] = gx[j] + gh[j];
      act_inplace(L.s.rec_act, gx, 2 * int64_t{u});  // z, r
      for (int j = 0; j < u; ++j) {
        const float rh = gx[u + j] * gh[2 * u + j];
        gx[2 * u + j] = gx[2 * u + j] + rh;
      }
    }
  } else {
    gemm(h, L.ldh, n, L.U, G, ldg, G2, ldg);  // z, r pre-activations (x part + h part)
    for (int r = 0; r < n; ++r) {
      float* zr = G2 + r * ldg;
      act_inplace(L.s.rec_act, zr, 2 * int64_t{u});
      const float* hr = h + r * L.ldh;
      float* tr = t + r * ldt;
      for (int j = 0; j < u; ++j) tr[j] = zr[u + j] * hr[j];
    }
    // G2[:, 2u : 2u + Np) = G[:, 2u : ...] + (r * h) Uh: rows of G2 keep z, r in [0, 2u).
    gemm(t, ldt, n, L.Uh, G + 2 * u, ldg, G2 + 2 * u, ldg);
    for (int r = 0; r < n; ++r) {
      float* gx = G + r * ldg;
      const float* zr = G2 + r * ldg;
      for (int j = 0; j < u; ++j) {
        gx[j] = zr[j];
        gx[2 * u + j] = zr[2 * u + j];
      }
    }
  }
  // G rows: z in [0, u), pre-activation of h~ in [2u, 3u).
  for (int r = 0; r < n; ++r) {
    float* gx = G + r * ldg;
    float* hr = h + r * L.ldh;
    act_inplace(L.s.act, gx + 2 * u, u);
    for (int j = 0; j < u; ++j) {
      const float z = gx[j];
      const float keep = z * hr[j];
      const float w = 1.0f - z;
      const float upd = w * gx[2 * u + j];
      hr[j] = keep + upd;
    }
  }
}

void dense_step(const NetLayer& L, Workspace& ws, int l, int n, const float* x, int64_t ldx) {
  float* y = ws.y[l].data();
  gemm(x, ldx, n, L.W, L.bx.data(), 0, y, L.ldh);
  for (int r = 0; r < n; ++r) {
    float* yr = y + r * L.ldh;
    if (L.s.act == Act::Softmax) softmax_row(yr, L.s.units);
    else act_inplace(L.s.act, yr, L.s.units);
  }
}

}  // namespace

const float* step_layers(const Net& net, Workspace& ws, size_t first, size_t end, int n, const float* x, int64_t ldx,
                         bool last, bool sequence) {
  const float* cur = x;
  int64_t ld = ldx;
  for (size_t l = first; l < end; ++l) {
    const NetLayer& L = net.layers[l];
    const int li = static_cast<int>(l);
    if (!sequence && !last) return nullptr;  // only the final step feeds layers after a non-sequence RNN
    if (L.s.kind == Kind::Dense) {
      dense_step(L, ws, li, n, cur, ld);
      cur = ws.y[l].data();
    } else {
      if (L.s.kind == Kind::LSTM) lstm_step(L, ws, li, n, cur, ld, net.ldg, net.ldt);
      else gru_step(L, ws, li, n, cur, ld, net.ldg, net.ldt);
      cur = ws.h[l].data();
      sequence = L.s.return_sequences;
    }
    ld = L.ldh;
  }
  return cur;
}

const float* step_all(const Net& net, Workspace& ws, int n, const float* x, int64_t ldx, bool last) {
  return step_layers(net, ws, 0, net.layers.size(), n, x, ldx, last, true);
}

namespace {

// Writes the final layer's rows for time t of sequences [b, b + n).
inline void emit(const ModelSpec& m, const float* y, int ldo, int64_t b, int n, int64_t t, int64_t T, float* out32,
                 double* out64) {
  const int U = m.out_units;
  for (int r = 0; r < n; ++r) {
    const int64_t o = m.out_sequence ? ((b + r) * T + t) * U : (b + r) * U;
    const float* yr = y + int64_t{r} * ldo;
    if (out32 != nullptr) std::copy(yr, yr + U, out32 + o);
    else for (int j = 0; j < U; ++j) out64[o + j] = static_cast<double>(yr[j]);
  }
}

}  // namespace

void forward(const Net& net, const float* x, int64_t batch, int64_t T, float* out32, double* out64, int threads) {
  const ModelSpec& m = net.spec;
  const int F = m.features;
  const int ldo = net.layers.back().ldh;
  constexpr int64_t kBlock = 32;
  parallel_for(batch, threads, [&](int64_t b0, int64_t b1) {
    Workspace ws;
    ws.init(net, static_cast<int>(std::min<int64_t>(kBlock, b1 - b0)));
    for (int64_t b = b0; b < b1; b += kBlock) {
      const int n = static_cast<int>(std::min<int64_t>(kBlock, b1 - b));
      ws.reset_state();
      for (int64_t t = 0; t < T; ++t) {
        const bool last = t == T - 1;
        const float* y = step_all(net, ws, n, x + (b * T + t) * F, T * F, last);
        if (y == nullptr) continue;
        if (!m.out_sequence && !last) continue;
        emit(m, y, ldo, b, n, t, T, out32, out64);
      }
    }
  });
}

}  // namespace neurion::nn
