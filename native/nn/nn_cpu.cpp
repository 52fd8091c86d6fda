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
// GCC 12 reports its own _mm512_undefined_ps() placeholders (inside the masked intrinsics) as
// "may be used uninitialized": a known false positive.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include "nn_cpu.h"


#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include "../common/parallel.h"

namespace neurion::nn {

namespace {

void act_inplace(Act a, float* p, int64_t n) {
  if (a == Act::Linear) return;
#if NEURION_NN_X86
  if (have_avx512()) return act_inplace_avx512(a, p, n);
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
  b.reset(np + 16);
  if (src != nullptr) std::copy(src, src + n, b.data());
}

}  // namespace

std::shared_ptr<Net> build_net(const ModelSpec& spec, const float* w) {
  auto net = std::make_shared<Net>();
  net->spec = spec;
  int ldg = 16, ldt = 8;
  for (const LayerSpec& s : spec.layers) {
    NetLayer L;
    L.s = s;
    const int u = s.units, in = s.input_dim, g = s.gates();
    L.ldh = static_cast<int>(pad8(u));
    const float* bias = s.use_bias ? w + s.bias : nullptr;
    const float* K = w + s.kernel;
    const float* R = s.kind == Kind::Dense ? nullptr : w + s.recurrent;
    if (s.kind == Kind::Dense) {
      L.W.pack(K, in, u, 0, u);
      fill_bias(L.bx, L.W.Np, bias, u);
    } else if (s.kind == Kind::LSTM) {
      L.W.pack2(K, in, g * u, R, u, g * u, 0, g * u);
      fill_bias(L.bx, L.W.Np, bias, int64_t{g} * u);
    } else if (s.reset_after) {
      L.W.pack(K, in, 3 * u, 0, 3 * u);
      fill_bias(L.bx, L.W.Np, bias, int64_t{3} * u);
      L.U.pack(R, u, 3 * u, 0, 3 * u);
      fill_bias(L.bh, L.U.Np, bias != nullptr ? bias + int64_t{3} * u : nullptr, int64_t{3} * u);
    } else {
      L.W.pack2(K, in, 3 * u, R, u, 3 * u, 0, 2 * u);
      fill_bias(L.bx, L.W.Np, bias, int64_t{2} * u);
      L.U.pack2(K, in, 3 * u, R, u, 3 * u, 2 * u, u);
      fill_bias(L.bh, L.U.Np, bias != nullptr ? bias + int64_t{2} * u : nullptr, u);
    }
    ldg = std::max({ldg, L.W.Np + 16, L.U.Np + 16});
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
      y[l].reset(int64_t{n} * std::max<int64_t>(nl.ldh, nl.W.Np));
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

// ---- element-wise gate passes (one row of u units) ------------------------------------------
// The vector versions perform the scalar versions' operations in the same order (no FMA):
// every unit's result is the same whichever path, lane or tail computed it.

void lstm_cell_generic(Act ra, Act act, float* gr, float* cr, float* hr, float* tr, int u) {
  act_inplace(ra, gr, 2 * int64_t{u});  // i, f
  act_inplace(act, gr + 2 * u, u);      // c~
  act_inplace(ra, gr + 3 * u, u);       // o
  for (int j = 0; j < u; ++j) {
    const float fc = gr[u + j] * cr[j];
    const float ig = gr[j] * gr[2 * u + j];
    cr[j] = fc + ig;
    tr[j] = cr[j];
  }
  act_inplace(act, tr, u);
  for (int j = 0; j < u; ++j) hr[j] = gr[3 * u + j] * tr[j];
}

// z, r already activated in g[0, 2u); h~ pre-activation at hh: h = z h + (1 - z) act(h~).
void gru_update_generic(Act act, const float* z, float* hh, float* hr, int u) {
  act_inplace(act, hh, u);
  for (int j = 0; j < u; ++j) {
    const float keep = z[j] * hr[j];
    const float w = 1.0f - z[j];
    const float upd = w * hh[j];
    hr[j] = keep + upd;
  }
}

#if NEURION_NN_X86
inline __mmask16 tail_mask(int n) { return static_cast<__mmask16>((1u << n) - 1u); }

NEURION_AVX512 void lstm_cell_avx512(Act ra, Act act, const float* gr, float* cr, float* hr, int u) {
  for (int j = 0; j < u; j += 16) {
    const __mmask16 m = u - j >= 16 ? static_cast<__mmask16>(0xffff) : tail_mask(u - j);
    const __m512 i = act_v16(ra, _mm512_maskz_loadu_ps(m, gr + j));
    const __m512 f = act_v16(ra, _mm512_maskz_loadu_ps(m, gr + u + j));
    const __m512 cc = act_v16(act, _mm512_maskz_loadu_ps(m, gr + 2 * u + j));
    const __m512 o = act_v16(ra, _mm512_maskz_loadu_ps(m, gr + 3 * u + j));
    const __m512 fc = _mm512_mul_ps(f, _mm512_maskz_loadu_ps(m, cr + j));
    const __m512 ig = _mm512_mul_ps(i, cc);
    const __m512 c = _mm512_add_ps(fc, ig);
    _mm512_mask_storeu_ps(cr + j, m, c);
    _mm512_mask_storeu_ps(hr + j, m, _mm512_mul_ps(o, act_v16(act, c)));
  }
}

// reset_after = false: zr = activated z, r; t = r * h.
NEURION_AVX512 void gru_zr_avx512(Act ra, float* zr, const float* hr, float* tr, int u) {
  act_inplace_avx512(ra, zr, 2 * int64_t{u});
  for (int j = 0; j < u; j += 16) {
    const __mmask16 m = u - j >= 16 ? static_cast<__mmask16>(0xffff) : tail_mask(u - j);
    _mm512_mask_storeu_ps(tr + j, m, _mm512_mul_ps(_mm512_maskz_loadu_ps(m, zr + u + j), _mm512_maskz_loadu_ps(m, hr + j)));
  }
}

// reset_after = true: gx = x part (+ input bias), gh = h part (+ recurrent bias), 3u each.
// Leaves z in gx[0, u) and h~ (pre-activation) in gx[2u, 3u).
NEURION_AVX512 void gru_ra_avx512(Act ra, float* gx, const float* gh, int u) {
  for (int j = 0; j < 2 * u; j += 16) {
    const __mmask16 m = 2 * u - j >= 16 ? static_cast<__mmask16>(0xffff) : tail_mask(2 * u - j);
    const __m512 s = _mm512_add_ps(_mm512_maskz_loadu_ps(m, gx + j), _mm512_maskz_loadu_ps(m, gh + j));
    _mm512_mask_storeu_ps(gx + j, m, act_v16(ra, s));
  }
  for (int j = 0; j < u; j += 16) {
    const __mmask16 m = u - j >= 16 ? static_cast<__mmask16>(0xffff) : tail_mask(u - j);
    const __m512 rh = _mm512_mul_ps(_mm512_maskz_loadu_ps(m, gx + u + j), _mm512_maskz_loadu_ps(m, gh + 2 * u + j));
    _mm512_mask_storeu_ps(gx + 2 * u + j, m, _mm512_add_ps(_mm512_maskz_loadu_ps(m, gx + 2 * u + j), rh));
  }
}

NEURION_AVX512 void gru_update_avx512(Act act, const float* z, const float* hh, float* hr, int u) {
  const __m512 one = _mm512_set1_ps(1.0f);
  for (int j = 0; j < u; j += 16) {
    const __mmask16 m = u - j >= 16 ? static_cast<__mmask16>(0xffff) : tail_mask(u - j);
    const __m512 zv = _mm512_maskz_loadu_ps(m, z + j);
    const __m512 keep = _mm512_mul_ps(zv, _mm512_maskz_loadu_ps(m, hr + j));
    const __m512 w = _mm512_sub_ps(one, zv);
    const __m512 upd = _mm512_mul_ps(w, act_v16(act, _mm512_maskz_loadu_ps(m, hh + j)));
    _mm512_mask_storeu_ps(hr + j, m, _mm512_add_ps(keep, upd));
  }
}
#endif

// G = bx + x W[:K1] + h W[K1:] (h null: W has one block). With `pre` (one row: the pipeline),
// panels [0, pp) start from pre = bx + x W[:K1] computed ahead by the other stage, so only
// their h part runs here: the same FMAs in the same order.
void gates_w(const NetLayer& L, int n, const float* x, int64_t ldx, const float* h, float* G, int64_t ldg,
             const float* pre, int pp) {
  if (pre == nullptr || pp <= 0) {
    gemm2(x, ldx, h, L.ldh, n, L.W, L.bx.data(), 0, G, ldg);
    return;
  }
  gemm_panels(GemmArgs{nullptr, 0, h, L.ldh, n, pre, 0, G, ldg}, L.W, 0, pp);
  gemm_panels(GemmArgs{x, ldx, h, L.ldh, n, L.bx.data(), 0, G, ldg}, L.W, pp, L.W.panels());
}

void lstm_step(const NetLayer& L, Workspace& ws, int l, int n, const float* x, int64_t ldx, int64_t ldg, int64_t ldt,
               const float* pre, int pp) {
  const int u = L.s.units;
  float* G = ws.g.data();
  float* h = ws.h[l].data();
  float* c = ws.c[l].data();
  gates_w(L, n, x, ldx, h, G, ldg, pre, pp);
#if NEURION_NN_X86
  if (have_avx512()) {
    for (int r = 0; r < n; ++r) lstm_cell_avx512(L.s.rec_act, L.s.act, G + r * ldg, c + r * L.ldh, h + r * L.ldh, u);
    return;
  }
#endif
  float* t = ws.tmp.data();
  for (int r = 0; r < n; ++r)
    lstm_cell_generic(L.s.rec_act, L.s.act, G + r * ldg, c + r * L.ldh, h + r * L.ldh, t + r * ldt, u);
}

void gru_step(const NetLayer& L, Workspace& ws, int l, int n, const float* x, int64_t ldx, int64_t ldg, int64_t ldt,
              const float* pre, int pp) {
  const int u = L.s.units;
  float* G = ws.g.data();
  float* G2 = ws.g2.data();
  float* h = ws.h[l].data();
  float* t = ws.tmp.data();
#if NEURION_NN_X86
  const bool v512 = have_avx512();
#else
  const bool v512 = false;
#endif
  if (L.s.reset_after) {
    gates_w(L, n, x, ldx, nullptr, G, ldg, pre, pp);
    gemm(h, L.ldh, n, L.U, L.bh.data(), 0, G2, ldg);
    for (int r = 0; r < n; ++r) {
      float* gx = G + r * ldg;
      const float* gh = G2 + r * ldg;
      float* hr = h + r * L.ldh;
#if NEURION_NN_X86
      if (v512) {
        gru_ra_avx512(L.s.rec_act, gx, gh, u);
        gru_update_avx512(L.s.act, gx, gx + 2 * u, hr, u);
        continue;
      }
#endif
      for (int j = 0; j < 2 * u; ++j) gx[j] = gx[j] + gh[j];
      act_inplace(L.s.rec_act, gx, 2 * int64_t{u});  // z, r
      for (int j = 0; j < u; ++j) {
        const float rh = gx[u + j] * gh[2 * u + j];
        gx[2 * u + j] = gx[2 * u + j] + rh;
      }
      gru_update_generic(L.s.act, gx, gx + 2 * u, hr, u);
    }
    return;
  }
  // reset_after = false: z, r = ra(bias + x W + h U) over [0, 2u); then
  // h~ = act(bias + x W_h + (r * h) U_h), one stacked pass.
  gates_w(L, n, x, ldx, h, G, ldg, pre, pp);
  for (int r = 0; r < n; ++r) {
    float* zr = G + r * ldg;
    const float* hr = h + r * L.ldh;
    float* tr = t + r * ldt;
#if NEURION_NN_X86
    if (v512) { gru_zr_avx512(L.s.rec_act, zr, hr, tr, u); continue; }
#endif
    act_inplace(L.s.rec_act, zr, 2 * int64_t{u});
    for (int j = 0; j < u; ++j) tr[j] = zr[u + j] * hr[j];
  }
  gemm2(x, ldx, t, ldt, n, L.U, L.bh.data(), 0, G2, ldg);
  for (int r = 0; r < n; ++r) {
#if NEURION_NN_X86
    if (v512) { gru_update_avx512(L.s.act, G + r * ldg, G2 + r * ldg, h + r * L.ldh, u); continue; }
#endif
    gru_update_generic(L.s.act, G + r * ldg, G2 + r * ldg, h + r * L.ldh, u);
  }
}

void dense_step(const NetLayer& L, Workspace& ws, int l, int n, const float* x, int64_t ldx) {
  float* y = ws.y[l].data();
  const int64_t ld = std::max<int64_t>(L.ldh, L.W.Np);
  gemm(x, ldx, n, L.W, L.bx.data(), 0, y, ld);
  for (int r = 0; r < n; ++r) {
    float* yr = y + r * ld;
    if (L.s.act == Act::Softmax) softmax_row(yr, L.s.units);
    else act_inplace(L.s.act, yr, L.s.units);
  }
}

}  // namespace

int64_t out_stride(const NetLayer& L) {
  return L.s.kind == Kind::Dense ? std::max<int64_t>(L.ldh, L.W.Np) : L.ldh;
}

const float* step_layers(const Net& net, Workspace& ws, size_t first, size_t end, int n, const float* x, int64_t ldx,
                         bool last, bool sequence, const float* pre, int pp) {
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
      const float* p = l == first ? pre : nullptr;
      if (L.s.kind == Kind::LSTM) lstm_step(L, ws, li, n, cur, ld, net.ldg, net.ldt, p, pp);
      else gru_step(L, ws, li, n, cur, ld, net.ldg, net.ldt, p, pp);
      cur = ws.h[l].data();
      sequence = L.s.return_sequences;
    }
    ld = out_stride(L);
  }
  return cur;
}

const float* step_all(const Net& net, Workspace& ws, int n, const float* x, int64_t ldx, bool last) {
  return step_layers(net, ws, 0, net.layers.size(), n, x, ldx, last, true);
}

namespace {

// Writes the final layer's rows for time t of sequences [b, b + n).
inline void emit(const ModelSpec& m, const float* y, int64_t ldo, int64_t b, int n, int64_t t, int64_t T, float* out32,
                 double* out64) {
  const int U = m.out_units;
  for (int r = 0; r < n; ++r) {
    const int64_t o = m.out_sequence ? ((b + r) * T + t) * U : (b + r) * U;
    const float* yr = y + r * ldo;
    if (out32 != nullptr) std::copy(yr, yr + U, out32 + o);
    else for (int j = 0; j < U; ++j) out64[o + j] = static_cast<double>(yr[j]);
  }
}

inline void cpu_relax() {
#if NEURION_NN_X86
  _mm_pause();
#endif
}

// Waits until `v` >= target: spins a while (the other stage is usually a few microseconds
// away), then yields the core (a shared machine: never burn a time slice on a descheduled peer).
inline void wait_at_least(const std::atomic<int64_t>& v, int64_t target) {
  for (int i = 0; i < 4000; ++i) {
    if (v.load(std::memory_order_acquire) >= target) return;
    cpu_relax();
  }
  while (v.load(std::memory_order_acquire) < target) std::this_thread::yield();
}

// Index of the second recurrent layer (the pipeline split), or 0 when there is none.
size_t pipeline_split(const Net& net) {
  int seen = 0;
  for (size_t l = 0; l < net.layers.size(); ++l)
    if (net.layers[l].s.kind != Kind::Dense && ++seen == 2) return l;
  return 0;
}

// ---- batch 1: layer by layer over time chunks ------------------------------------------------
// One sequence is run layer by layer over chunks of up to kChunk steps: each recurrent layer's
// input part (bias + x W[:K1]) for the whole chunk is one GEMM (every weight loaded once per 8
// rows instead of once per step), so the per-step loop streams only the recurrent kernels from
// L2; Dense layers inside the sequence run as one GEMM per chunk. Row by row these are the same
// FMAs in the same order as the serial step (the input part, then the h part): the same bits.

// Scratch of one chunk runner.
struct ChunkScratch {
  Buf px, ya, yb;
  void init(const Net& net, int64_t chunk) {
    int64_t maxld = net.spec.features;
    for (const NetLayer& L : net.layers) maxld = std::max(maxld, out_stride(L));
    px.reset(chunk * net.ldg);
    ya.reset(chunk * maxld);
    yb.reset(chunk * maxld);
  }
};

struct ChunkOut {
  const float* y = nullptr;  // the last layer run's rows for the chunk (stride ld), when not stopped
  int64_t ld = 0;
  size_t tail = 0;           // stopped at a non-sequence RNN: layers [tail, end) run once at the end
  const float* fin = nullptr;
  int64_t fin_ld = 0;
};

// Layers [first, end) over n consecutive steps of one sequence (input rows cur, stride ld).
// With pre, layer `first` (recurrent) takes its input part from pre (rows of stride net.ldg).
ChunkOut run_chunk(const Net& net, Workspace& ws, ChunkScratch& sc, size_t first, size_t end, int n, const float* cur,
                   int64_t ld, const float* pre) {
  ChunkOut o;
  float* out = sc.ya.data();
  for (size_t l = first; l < end; ++l) {
    const NetLayer& L = net.layers[l];
    const int64_t ldy = out_stride(L);
    if (L.s.kind == Kind::Dense) {
      gemm(cur, ld, n, L.W, L.bx.data(), 0, out, ldy);
      for (int r = 0; r < n; ++r) {
        float* yr = out + r * ldy;
        if (L.s.act == Act::Softmax) softmax_row(yr, L.s.units);
        else act_inplace(L.s.act, yr, L.s.units);
      }
    } else {
      const float* P = pre;
      if (l != first || pre == nullptr) {
        gemm_panels(GemmArgs{cur, ld, nullptr, 0, n, L.bx.data(), 0, sc.px.data(), net.ldg}, L.W, 0, L.W.panels());
        P = sc.px.data();
      }
      for (int r = 0; r < n; ++r) {
        const float* h = step_layers(net, ws, l, l + 1, 1, cur + r * ld, ld, true, true, P + r * net.ldg, L.W.panels());
        if (L.s.return_sequences) std::copy(h, h + ldy, out + r * ldy);
      }
      if (!L.s.return_sequences) {
        o.tail = l + 1;
        o.fin = ws.h[l].data();
        o.fin_ld = ldy;
        return o;
      }
    }
    cur = out;
    ld = ldy;
    out = out == sc.ya.data() ? sc.yb.data() : sc.ya.data();
  }
  o.y = cur;
  o.ld = ld;
  return o;
}

// The final stage's chunk [c0, c0 + n): write sequence outputs; remember a non-sequence end.
inline void take_chunk(const ModelSpec& m, const ChunkOut& o, int64_t c0, int n, float* out32, double* out64,
                       ChunkOut* fin) {
  if (o.fin != nullptr) { *fin = o; return; }
  if (m.out_sequence)
    emit(m, o.y, o.ld, 0, n, 0, 1, out32 != nullptr ? out32 + c0 * m.out_units : nullptr,
         out64 != nullptr ? out64 + c0 * m.out_units : nullptr);
}

inline void finish(const Net& net, Workspace& ws, const ChunkOut& fin, float* out32, double* out64) {
  if (fin.fin == nullptr) return;
  const size_t NL = net.layers.size();
  const float* y = step_layers(net, ws, fin.tail, NL, 1, fin.fin, fin.fin_ld, true, false);
  emit(net.spec, y, fin.tail < NL ? out_stride(net.layers.back()) : fin.fin_ld, 0, 1, 0, 1, out32, out64);
}

void forward_chunked(const Net& net, const float* x, int64_t T, float* out32, double* out64) {
  constexpr int64_t kChunk = 32;
  const int F = net.spec.features;
  Workspace ws;
  ws.init(net, 1);
  ChunkScratch sc;
  sc.init(net, kChunk);
  ChunkOut fin;
  for (int64_t c0 = 0; c0 < T; c0 += kChunk) {
    const int n = static_cast<int>(std::min<int64_t>(kChunk, T - c0));
    take_chunk(net.spec, run_chunk(net, ws, sc, 0, net.layers.size(), n, x + c0 * F, F, nullptr), c0, n, out32, out64,
               &fin);
  }
  finish(net, ws, fin, out32, out64);
}

// The pipeline's shared state. The helper thread holds a reference and is never waited for: it
// may start the job (a busy machine) after the call has returned, then sees every chunk
// produced and drops it without touching the model or the input.
struct Pipe {
  static constexpr int64_t kChunk = 8, kRing = 4;
  struct alignas(64) Counter { std::atomic<int64_t> v{0}; };
  const Net* net = nullptr;
  const float* x = nullptr;
  int64_t T = 0, nchunks = 0, ldr = 0, slot = 0;
  size_t split = 0;
  Workspace ws0;
  ChunkScratch sc0;
  Buf ring;
  // Stage 0 runs chunk c only when chunks [0, c) are done (its state is sequential), by the
  // thread that claims it (a CAS on `claimed`): usually the helper, running ahead; the caller
  // whenever the next chunk it needs is not yet claimed (the helper not started yet, or
  // descheduled between chunks), so a late helper costs little (one preempted mid-chunk still
  // makes the caller wait for that chunk).
  Counter produced, claimed, consumed;

  void stage0(int64_t c) {
    const NetLayer& S = net->layers[split];
    const int F = net->spec.features;
    const int64_t c0 = c * kChunk;
    const int n = static_cast<int>(std::min<int64_t>(kChunk, T - c0));
    const ChunkOut o = run_chunk(*net, ws0, sc0, 0, split, n, x + c0 * F, F, nullptr);
    float* rows = ring.data() + (c % kRing) * slot;
    float* pre = rows + kChunk * ldr;
    for (int r = 0; r < n; ++r) std::copy(o.y + r * o.ld, o.y + r * o.ld + ldr, rows + r * ldr);
    gemm_panels(GemmArgs{rows, ldr, nullptr, 0, n, S.bx.data(), 0, pre, net->ldg}, S.W, 0, S.W.panels());
    produced.v.store(c + 1, std::memory_order_release);
  }
  bool try_stage0(int64_t c) {
    int64_t expect = c;
    if (!claimed.v.compare_exchange_strong(expect, c + 1, std::memory_order_acq_rel)) return false;
    stage0(c);
    return true;
  }
  void helper() {
    for (int idle = 0;;) {
      const int64_t c = produced.v.load(std::memory_order_acquire);
      if (c >= nchunks) return;
      if (claimed.v.load(std::memory_order_acquire) == c && c - consumed.v.load(std::memory_order_acquire) < kRing &&
          try_stage0(c)) {
        idle = 0;
        continue;
      }
      if (++idle < 4000) cpu_relax();
      else std::this_thread::yield();
    }
  }
};

// The pipeline's helper: one persistent thread, created on first use and never joined. Between
// jobs it spins briefly (back-to-back calls find it awake), then sleeps on a condition variable.
// One job at a time: a call that finds it busy runs the serial path.
class PipeHelper {
 public:
  static PipeHelper& get() {
    static PipeHelper* h = new PipeHelper();  // never destroyed: the thread may outlive statics
    return *h;
  }
  bool post(std::shared_ptr<Pipe> job) {
    std::unique_lock<std::mutex> lk(m_, std::try_to_lock);
    if (!lk.owns_lock() || busy_) return false;
    if (!started_) {
      try {
        std::thread([this] { loop(); }).detach();
      } catch (...) {
        return false;
      }
      started_ = true;
    }
    job_ = std::move(job);
    busy_ = true;
    pending_.store(true, std::memory_order_release);
    lk.unlock();
    cv_.notify_one();
    return true;
  }

 private:
  void loop() {
    for (;;) {
      for (int i = 0; i < 4000 && !pending_.load(std::memory_order_acquire); ++i) cpu_relax();
      std::shared_ptr<Pipe> j;
      {
        std::unique_lock<std::mutex> lk(m_);
        cv_.wait(lk, [&] { return job_ != nullptr; });
        j = std::move(job_);
        job_ = nullptr;
        pending_.store(false, std::memory_order_relaxed);
      }
      j->helper();
      j.reset();
      std::lock_guard<std::mutex> lk(m_);
      busy_ = false;
    }
  }
  std::mutex m_;
  std::condition_variable cv_;
  std::shared_ptr<Pipe> job_;
  bool busy_ = false, started_ = false;
  std::atomic<bool> pending_{false};
};

// One sequence, two threads, the same chunks as a two-stage pipeline: stage 0 runs layers
// [0, split) over a chunk and the input-part GEMM of layer `split` (the second recurrent layer);
// stage 1 runs layer split's recurrence from those rows and the layers after it. The caller runs
// stage 1, a helper thread runs stage 0 ahead of it through a ring of chunks. The results are
// the serial path's bits.
bool forward_pipeline(const Net& net, const float* x, int64_t T, float* out32, double* out64, size_t split) {
  constexpr int64_t kChunk = Pipe::kChunk, kRing = Pipe::kRing;
  const ModelSpec& m = net.spec;
  auto P = std::make_shared<Pipe>();
  P->net = &net;
  P->x = x;
  P->T = T;
  P->split = split;
  P->nchunks = (T + kChunk - 1) / kChunk;
  P->ldr = out_stride(net.layers[split - 1]);
  P->slot = kChunk * (P->ldr + net.ldg);  // the rows, then their precomputed input parts
  P->ws0.init(net, 1);
  P->sc0.init(net, kChunk);
  P->ring.reset(kRing * P->slot);
  Workspace ws1;
  ws1.init(net, 1);
  ChunkScratch sc1;
  sc1.init(net, kChunk);
  if (!PipeHelper::get().post(P)) return false;  // helper busy (another caller) or no thread: serial
  ChunkOut fin;
  for (int64_t c = 0; c < P->nchunks; ++c) {
    for (int spins = 0;;) {
      const int64_t p = P->produced.v.load(std::memory_order_acquire);
      if (p > c) break;
      if (P->claimed.v.load(std::memory_order_acquire) == p && P->try_stage0(p)) continue;
      if (++spins < 4000) cpu_relax();
      else std::this_thread::yield();
    }
    const int64_t c0 = c * kChunk;
    const int n = static_cast<int>(std::min<int64_t>(kChunk, T - c0));
    const float* rows = P->ring.data() + (c % kRing) * P->slot;
    const ChunkOut o = run_chunk(net, ws1, sc1, split, net.layers.size(), n, rows, P->ldr, rows + kChunk * P->ldr);
    P->consumed.v.store(c + 1, std::memory_order_release);
    take_chunk(m, o, c0, n, out32, out64, &fin);
  }
  finish(net, ws1, fin, out32, out64);
  return true;
}

}  // namespace

void forward(const Net& net, const float* x, int64_t batch, int64_t T, float* out32, double* out64, int threads) {
  const ModelSpec& m = net.spec;
  const int F = m.features;
  const int64_t ldo = out_stride(net.layers.back());
  if (batch == 1 && threads >= 2 && T >= 2) {
    const size_t split = pipeline_split(net);
    if (split > 0 && forward_pipeline(net, x, T, out32, out64, split)) return;
  }
  if (batch == 1 && T >= 2) return forward_chunked(net, x, T, out32, out64);
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
