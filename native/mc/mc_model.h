// Monte Carlo models: one simulated path, shared by the CPU core (native/mc/mc_cpu.cpp) and
// the CUDA kernel (kernels/mc.cu). Mirrored by the TypeScript reference (src/mc/reference.ts).
//
// Randomness: Philox4x32-10 keyed by (seed, path, step) as in native/common/philox.h:
// counter = (index >> 2, path lo, path hi, stream), 4 uniforms / 4 normals per block, the
// draw for `index` is word (index & 3). Each purpose has a fixed stream (table below), so a
// draw depends only on (seed, path, step, purpose): any thread count, chunking or backend
// simulates the same scenario.
//
//   stream  purpose                                   models
//   0       main normal shock of the (single) asset   gbm, gbm-f32, merton, heston (price), garch
//   1       second normal (variance shock)            heston
//   2       uniform for the Poisson jump count        merton
//   3       normal for the summed jump size           merton
//   4       uniform resampling index                  bootstrap, block bootstrap
//   5       uniform "start a new block" test          block bootstrap
//   6       (reserved)
//   7       normals for the Student-t chi-square      garch (t), index = step * nu + j
//   8 + a   normal shock of asset a                   multi-asset gbm
//
// Schemes (dt = year fraction per step; x = log(S / S0)):
//   gbm      x += (mu - sigma^2/2) dt + sigma sqrt(dt) Z                            (exact)
//   gbm-f32  the same in float32 (normals, drift, vol and x; mc_f32.h says why and how),
//            reported through the same float64 monitor outputs
//   merton   x += (mu - lambda k - sigma^2/2) dt + sigma sqrt(dt) Z + N muJ + sqrt(N) sigmaJ Z',
//            k = exp(muJ + sigmaJ^2/2) - 1, N ~ Poisson(lambda dt) by inverse CDF of one
//            uniform (sum of N normal jumps = N muJ + sqrt(N) sigmaJ Z' in law: exact)
//   heston   full-truncation Euler: v+ = max(v, 0); x += (mu - v+/2) dt + sqrt(v+ dt) Z1;
//            v += kappa (theta - v+) dt + xi sqrt(v+ dt) (rho Z1 + sqrt(1 - rho^2) Z2)
//   garch    per-step parameters (dt unused): r = mu + sqrt(h) e, h' = omega + alpha (r - mu)^2
//            + beta h, x += r; e = Z, or Student-t with integer nu scaled to unit variance:
//            e = Z sqrt((nu - 2) / C), C = sum of nu squared normals (stream 7)
//   bootstrap         x += r[i], i = floor(U n) (i.i.d. resampling of log returns)
//   block bootstrap   Politis-Romano stationary bootstrap: at step 0 and, with probability
//            1/meanBlock, at each later step a new block starts at i = floor(U n); otherwise
//            i = (i + 1) mod n (circular). Block lengths are geometric with mean meanBlock.
//   multi    correlated GBM: x_a += (mu_a - C_aa/2) dt + sqrt(dt) (L Z)_a, C = L L^T the
//            annualized covariance; portfolio value V = sum_a q_a S0_a exp(x_a).
// Single-asset models track x, its running max/min and min(x - running max) in log space (no
// exp per step) and report V = S0 exp(x); max drawdown = -expm1(min(x - runmax)).
#pragma once
#include <cmath>
#include <cstdint>
#include "../common/hd.h"
#include "../common/philox.h"
#include "mc_acc.h"
#include "mc_f32.h"
#include "mc_math.h"

namespace neurion::mc {

enum ModelId : int {
  M_GBM = 0, M_MERTON = 1, M_HESTON = 2, M_GARCH = 3, M_BOOTSTRAP = 4, M_BLOCK_BOOTSTRAP = 5, M_MULTI_GBM = 6, M_GBM_F32 = 7
};
constexpr int kModelCount = 8;
enum Stream : uint32_t { S_MAIN = 0, S_VAR = 1, S_JUMP_COUNT = 2, S_JUMP_SIZE = 3, S_INDEX = 4, S_BLOCK = 5, S_CHI = 7, S_ASSET0 = 8 };
constexpr int kMaxAssets = 64;
constexpr int kMaxNu = 200;
constexpr int64_t kMaxBootstrapLength = int64_t{1} << 21;  // floor(x * n / 2^32) exact in float64

// Everything a path needs, prepared once per call on the host (prepare_model in mc_prepare.h).
struct Model {
  int id = 0;
  int na = 0;        // assets (multi)
  int nu = 0;        // Student-t degrees of freedom (garch), 0 = normal
  int pois_max = 0;  // Poisson inverse-CDF cap (merton)
  double s0 = 0;     // single-asset initial price
  double v0 = 0;     // initial monitored value (s0, or the portfolio value)
  double drift = 0, vol = 0;  // per-step drift and sqrt(dt) sigma (gbm, merton)
  double dt = 0, sqdt = 0;
  double lam_dt = 0, p0 = 0, mu_j = 0, sigma_j = 0;                       // merton
  double mu = 0, hv0 = 0, kappa = 0, theta = 0, xi = 0, rho = 0, rho_c = 0;  // heston
  double omega = 0, alpha = 0, beta = 0, h0 = 0;                           // garch (mu shared)
  double p_new = 0;  // block bootstrap: 1 / meanBlock
  int64_t n = 0;     // bootstrap series length
  const double* aux = nullptr;  // bootstrap: returns[n]; multi: L[na*na] | drift[na] | w[na]
};

struct Key {
  uint32_t k0, k1;
  uint32_t plo, phi;  // global path index
};

NEURION_HD Philox4x32 mc_block(const Key& k, int64_t index, uint32_t stream) {
  return philox4x32_10(static_cast<uint32_t>(index >> 2), k.plo, k.phi, stream, k.k0, k.k1);
}

// Normals of one stream, one Philox block per 4 consecutive indices.
struct NormalSource {
  uint32_t stream;
  int64_t blk = -1;
  double z[4];
  NEURION_HD explicit NormalSource(uint32_t s) : stream(s) {}
  NEURION_HD double at(const Key& k, int64_t index) {
    if ((index >> 2) != blk) {
      blk = index >> 2;
      mc_box_muller4(mc_block(k, index, stream), z);
    }
    return z[index & 3];
  }
};

// Raw uint32 words of one stream (uniform u = (w + 0.5) 2^-32).
struct WordSource {
  uint32_t stream;
  int64_t blk = -1;
  Philox4x32 b;
  NEURION_HD explicit WordSource(uint32_t s) : stream(s) {}
  NEURION_HD uint32_t at(const Key& k, int64_t index) {
    if ((index >> 2) != blk) {
      blk = index >> 2;
      b = mc_block(k, index, stream);
    }
    return b.v[index & 3];
  }
};

// floor(w * n / 2^32) for a uint32 word w, n <= 2^21: exact in float64 on every backend.
NEURION_HD int64_t mc_index(uint32_t w, int64_t n) {
  return static_cast<int64_t>(floor(static_cast<double>(w) * static_cast<double>(n) * 2.3283064365386963e-10));
}

// Poisson(lam_dt) by inverse CDF: smallest N with u <= F(N), capped at pois_max.
NEURION_HD int mc_poisson(double u, double p0, double lam_dt, int pois_max) {
  int n = 0;
  double p = p0, f = p0;
  while (n < pois_max && u > f) {
    ++n;
    p = p * lam_dt / static_cast<double>(n);
    f += p;
  }
  return n;
}

// Log-space path monitor (single-asset models).
struct LogPath {
  double x = 0, xmin = 0, xmax = 0, mindd = 0;
  NEURION_HD void step(double dx) {
    x += dx;
    xmin = x < xmin ? x : xmin;
    if (x > xmax) xmax = x;
    const double d = x - xmax;
    mindd = d < mindd ? d : mindd;
  }
  NEURION_HD PathOut out(double s0) const {
    PathOut o;
    o.value = s0 * exp(x);
    o.vmin = s0 * exp(xmin);
    o.vmax = s0 * exp(xmax);
    o.maxdd = -expm1(mindd);
    return o;
  }
};

NEURION_HD PathOut simulate_path(const Model& m, const Key& k, int64_t steps) {
  if (m.id == M_MULTI_GBM) {
    double x[kMaxAssets];
    for (int a = 0; a < m.na; ++a) x[a] = 0.0;
    const double* L = m.aux;
    const double* drift = m.aux + m.na * m.na;
    const double* w = drift + m.na;
    double v = m.v0, vmin = m.v0, vmax = m.v0, peak = m.v0, maxdd = 0.0;
    double zc[kMaxAssets][4];
    for (int64_t s = 0; s < steps; ++s) {
      // One Philox block per asset per 4 steps.
      if ((s & 3) == 0)
        for (int a = 0; a < m.na; ++a) mc_box_muller4(mc_block(k, s, S_ASSET0 + static_cast<uint32_t>(a)), zc[a]);
      const int j4 = static_cast<int>(s & 3);
      v = 0.0;
      for (int a = 0; a < m.na; ++a) {
        double e = 0.0;
        for (int j = 0; j <= a; ++j) e += L[a * m.na + j] * zc[j][j4];
        x[a] += drift[a] + m.sqdt * e;
        v += w[a] * exp(x[a]);
      }
      vmin = v < vmin ? v : vmin;
      if (v > vmax) vmax = v;
      peak = v > peak ? v : peak;
      const double dd = (peak - v) / peak;
      maxdd = dd > maxdd ? dd : maxdd;
    }
    PathOut o;
    o.value = v; o.vmin = vmin; o.vmax = vmax; o.maxdd = maxdd;
    return o;
  }

  LogPath p;
  switch (m.id) {
    case M_GBM: {
      NormalSource z(S_MAIN);
      for (int64_t s = 0; s < steps; ++s) p.step(m.drift + m.vol * z.at(k, s));
      break;
    }
    case M_GBM_F32: {
      const float drift = static_cast<float>(m.drift), vol = static_cast<float>(m.vol);
      float x = 0.0f, xmin = 0.0f, xmax = 0.0f, mindd = 0.0f;
      float z[4];
      for (int64_t s = 0; s < steps; ++s) {
        if ((s & 3) == 0) mc32_box_muller4(mc_block(k, s, S_MAIN), z);
        x = x + (drift + vol * z[s & 3]);
        xmin = x < xmin ? x : xmin;
        xmax = x > xmax ? x : xmax;
        const float d = x - xmax;
        mindd = d < mindd ? d : mindd;
      }
      p.x = x; p.xmin = xmin; p.xmax = xmax; p.mindd = mindd;
      break;
    }
    case M_MERTON: {
      NormalSource z(S_MAIN), zj(S_JUMP_SIZE);
      WordSource uc(S_JUMP_COUNT);
      for (int64_t s = 0; s < steps; ++s) {
        const double zd = z.at(k, s);
        const int nj = mc_poisson(philox_u01(uc.at(k, s)), m.p0, m.lam_dt, m.pois_max);
        const double zjs = zj.at(k, s);
        double dx = m.drift + m.vol * zd;
        if (nj > 0) dx += static_cast<double>(nj) * m.mu_j + sqrt(static_cast<double>(nj)) * m.sigma_j * zjs;
        p.step(dx);
      }
      break;
    }
    case M_HESTON: {
      NormalSource z1(S_MAIN), z2(S_VAR);
      double v = m.hv0;
      for (int64_t s = 0; s < steps; ++s) {
        const double a = z1.at(k, s), b = z2.at(k, s);
        const double vp = v > 0.0 ? v : 0.0;
        const double sv = sqrt(vp * m.dt);
        p.step((m.mu - 0.5 * vp) * m.dt + sv * a);
        v = v + m.kappa * (m.theta - vp) * m.dt + m.xi * sv * (m.rho * a + m.rho_c * b);
      }
      break;
    }
    case M_GARCH: {
      NormalSource z(S_MAIN), c(S_CHI);
      double h = m.h0;
      for (int64_t s = 0; s < steps; ++s) {
        double e = z.at(k, s);
        if (m.nu > 0) {
          double chi = 0.0;
          for (int j = 0; j < m.nu; ++j) {
            const double g = c.at(k, s * m.nu + j);
            chi += g * g;
          }
          e = e * sqrt((static_cast<double>(m.nu) - 2.0) / chi);
        }
        const double eps = sqrt(h) * e;
        p.step(m.mu + eps);
        h = m.omega + m.alpha * eps * eps + m.beta * h;
      }
      break;
    }
    case M_BOOTSTRAP: {
      WordSource ui(S_INDEX);
      for (int64_t s = 0; s < steps; ++s) p.step(m.aux[mc_index(ui.at(k, s), m.n)]);
      break;
    }
    case M_BLOCK_BOOTSTRAP: {
      WordSource ui(S_INDEX), ub(S_BLOCK);
      int64_t i = 0;
      for (int64_t s = 0; s < steps; ++s) {
        const bool fresh = s == 0 || philox_u01(ub.at(k, s)) < m.p_new;
        const uint32_t w = ui.at(k, s);  // drawn every step: the index stream stays aligned
        i = fresh ? mc_index(w, m.n) : (i + 1 == m.n ? 0 : i + 1);
        p.step(m.aux[i]);
      }
      break;
    }
    default:
      break;
  }
  return p.out(m.s0);
}

}  // namespace neurion::mc
