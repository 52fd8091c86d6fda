// Host-side validation of mc.simulate's model parameters and spec, and preparation of the
// Model struct (native/mc/mc_model.h). Shared by the CPU binding (native/ops/mc.cpp) and the
// CUDA binding (kernels/binding.cpp), so both reject the same calls with the same message
// before touching memory. The TypeScript layer (src/mc/models.ts) checks the same rules first.
#pragma once
#include <cmath>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>
#include "mc_acc.h"
#include "mc_model.h"

namespace neurion::mc {

struct PrepareError {
  bool type = false;  // TypeError (else RangeError)
  std::string message;
};

inline std::string num(double v) {
  std::ostringstream o;
  o.precision(17);
  o << v;
  return o.str();
}

class Checker {
 public:
  Checker(const char* op, const double* p, int64_t n) : op_(op), p_(p), n_(n) {}
  bool failed() const { return !err_.message.empty(); }
  const PrepareError& error() const { return err_; }
  void fail(const std::string& m) {
    if (!failed()) err_.message = std::string(op_) + ": " + m;
  }
  double get(int64_t i, const char* name, double lo, double hi, bool lo_open = false, bool hi_open = false) {
    if (failed()) return 0;
    const double v = p_[i];
    const bool ok = std::isfinite(v) && (lo_open ? v > lo : v >= lo) && (hi_open ? v < hi : v <= hi);
    if (!ok) {
      std::string range = std::string(lo_open ? "(" : "[") + (std::isinf(lo) ? "-inf" : num(lo)) + ", " +
                          (std::isinf(hi) ? "inf" : num(hi)) + (hi_open ? ")" : "]");
      fail(std::string(name) + " (params[" + std::to_string(i) + "]) must be a finite number in " + range + ", got " + num(v));
    }
    return v;
  }

 private:
  const char* op_;
  const double* p_;
  int64_t n_;
  PrepareError err_;
};

inline int64_t params_length(int id, const double* params, int64_t np) {
  switch (id) {
    case M_GBM: return 3;
    case M_GBM_F32: return 3;
    case M_MERTON: return 6;
    case M_HESTON: return 7;
    case M_GARCH: return 7;
    case M_BOOTSTRAP: return 1;
    case M_BLOCK_BOOTSTRAP: return 2;
    case M_MULTI_GBM: {
      if (np < 1) return 1;
      const double n = params[0];
      if (!(n >= 1 && n <= kMaxAssets && std::floor(n) == n)) return -1;
      return 1 + 3 * static_cast<int64_t>(n);
    }
    default: return -1;
  }
}

// Smallest N with F(N) >= 1 - 2^-34 under the recurrence mc_poisson uses (uniforms are
// at most 1 - 2^-33, so the cap never truncates a draw), at most 200.
inline int poisson_cap(double p0, double lam_dt) {
  int n = 0;
  double p = p0, f = p0;
  while (n < 200 && f < 1.0 - 5.820766091346741e-11) {
    ++n;
    p = p * lam_dt / static_cast<double>(n);
    f += p;
  }
  return n;
}

// Validates and fills `m` (aux storage in `aux`, which must outlive `m`). False + err on failure.
inline bool prepare_model(const char* op, int id, const double* params, int64_t np, const double* data, int64_t nd,
                          double dt, Model& m, std::vector<double>& aux, PrepareError& err) {
  const int64_t want = params_length(id, params, np);
  if (id < 0 || id >= kModelCount) {
    err.message = std::string(op) + ": model must be an integer in [0, " + std::to_string(kModelCount - 1) + "], got " + std::to_string(id);
    return false;
  }
  if (want < 0) {
    err.message = std::string(op) + ": params[0] (assets) must be an integer in [1, " + std::to_string(kMaxAssets) + "], got " + num(params[0]);
    return false;
  }
  if (np != want) {
    err.message = std::string(op) + ": params must have length " + std::to_string(want) + " for model " + std::to_string(id) + ", got " + std::to_string(np);
    return false;
  }
  if (!(std::isfinite(dt) && dt > 0)) {
    err.message = std::string(op) + ": dt must be a finite number > 0, got " + num(dt);
    return false;
  }
  Checker c(op, params, np);
  const double inf = INFINITY;
  m = Model();
  m.id = id;
  m.dt = dt;
  m.sqdt = std::sqrt(dt);
  if (id != M_MULTI_GBM) {
    m.s0 = c.get(0, "s0", 0, inf, true);
    m.v0 = m.s0;
  }
  switch (id) {
    case M_GBM:
    case M_GBM_F32: {
      const double mu = c.get(1, "mu", -inf, inf), sigma = c.get(2, "sigma", 0, inf);
      m.drift = (mu - 0.5 * sigma * sigma) * dt;
      m.vol = sigma * m.sqdt;
      break;
    }
    case M_MERTON: {
      const double mu = c.get(1, "mu", -inf, inf), sigma = c.get(2, "sigma", 0, inf);
      const double lambda = c.get(3, "lambda", 0, inf), mu_j = c.get(4, "muJ", -inf, inf), sigma_j = c.get(5, "sigmaJ", 0, inf);
      if (!c.failed() && lambda * dt > 16) c.fail("lambda * dt (expected jumps per step) must be <= 16, got " + num(lambda * dt) + "; use more steps");
      const double k = std::exp(mu_j + 0.5 * sigma_j * sigma_j) - 1.0;
      m.drift = (mu - lambda * k - 0.5 * sigma * sigma) * dt;
      m.vol = sigma * m.sqdt;
      m.lam_dt = lambda * dt;
      m.p0 = std::exp(-m.lam_dt);
      m.pois_max = poisson_cap(m.p0, m.lam_dt);
      m.mu_j = mu_j;
      m.sigma_j = sigma_j;
      break;
    }
    case M_HESTON: {
      m.mu = c.get(1, "mu", -inf, inf);
      m.hv0 = c.get(2, "v0", 0, inf);
      m.kappa = c.get(3, "kappa", 0, inf);
      m.theta = c.get(4, "theta", 0, inf);
      m.xi = c.get(5, "xi", 0, inf);
      m.rho = c.get(6, "rho", -1, 1);
      m.rho_c = std::sqrt(1.0 - m.rho * m.rho);
      break;
    }
    case M_GARCH: {
      m.mu = c.get(1, "mu", -inf, inf);
      m.omega = c.get(2, "omega", 0, inf, true);
      m.alpha = c.get(3, "alpha", 0, 1);
      m.beta = c.get(4, "beta", 0, 1);
      if (!c.failed() && !(m.alpha + m.beta < 1)) c.fail("alpha + beta must be < 1 (covariance stationarity), got " + num(m.alpha + m.beta));
      m.h0 = c.get(5, "h0", 0, inf, true);
      const double nu = c.get(6, "nu", 0, kMaxNu);
      if (!c.failed() && !(nu == 0 || (nu >= 3 && std::floor(nu) == nu)))
        c.fail("nu (params[6]) must be 0 (normal innovations) or an integer in [3, " + std::to_string(kMaxNu) + "], got " + num(nu));
      m.nu = static_cast<int>(nu);
      break;
    }
    case M_BOOTSTRAP:
    case M_BLOCK_BOOTSTRAP: {
      if (id == M_BLOCK_BOOTSTRAP) m.p_new = 1.0 / c.get(1, "meanBlock", 1, inf);
      if (!c.failed() && (nd < 1 || nd > kMaxBootstrapLength))
        c.fail("data (returns) must have length in [1, " + std::to_string(kMaxBootstrapLength) + "], got " + std::to_string(nd));
      for (int64_t i = 0; i < nd && !c.failed(); ++i)
        if (!std::isfinite(data[i])) c.fail("data[" + std::to_string(i) + "] (a return) must be finite, got " + num(data[i]));
      m.n = nd;
      if (!c.failed()) aux.assign(data, data + nd);
      break;
    }
    case M_MULTI_GBM: {
      const int na = static_cast<int>(params[0]);
      m.na = na;
      if (nd != static_cast<int64_t>(na) * na) {
        c.fail("data (Cholesky factor) must have length assets^2 = " + std::to_string(na * na) + ", got " + std::to_string(nd));
        break;
      }
      aux.assign(static_cast<size_t>(na * na + 2 * na), 0.0);
      double v0 = 0;
      for (int a = 0; a < na && !c.failed(); ++a) {
        const double s0 = c.get(1 + a, "s0", 0, inf, true);
        const double mu = c.get(1 + na + a, "mu", -inf, inf);
        const double q = c.get(1 + 2 * na + a, "qty", -inf, inf);
        double var = 0;
        for (int j = 0; j < na; ++j) {
          const double l = data[a * na + j];
          if (!std::isfinite(l)) { c.fail("data[" + std::to_string(a * na + j) + "] (Cholesky factor) must be finite, got " + num(l)); break; }
          if (j > a && l != 0) { c.fail("data (Cholesky factor) must be lower triangular: data[" + std::to_string(a * na + j) + "] = " + num(l)); break; }
          if (j == a && l < 0) { c.fail("data (Cholesky factor) must have a non-negative diagonal: data[" + std::to_string(a * na + j) + "] = " + num(l)); break; }
          aux[static_cast<size_t>(a * na + j)] = l;
          var += l * l;
        }
        aux[static_cast<size_t>(na * na + a)] = (mu - 0.5 * var) * dt;
        aux[static_cast<size_t>(na * na + na + a)] = q * s0;
        v0 += q * s0;
      }
      if (!c.failed() && !(v0 > 0)) c.fail("initial portfolio value sum(qty * s0) must be > 0, got " + num(v0));
      m.v0 = v0;
      break;
    }
    default:
      break;
  }
  if (c.failed()) {
    err = c.error();
    return false;
  }
  m.aux = aux.empty() ? nullptr : aux.data();
  return true;
}

// Validates the 8-double spec; "" when fine.
inline std::string check_spec(const char* op, const double* s) {
  auto bad = [&](int i, const char* name, const char* rule) {
    return std::string(op) + ": spec[" + std::to_string(i) + "] (" + name + ") " + rule + ", got " + num(s[i]);
  };
  auto is_int = [](double v, double lo, double hi) { return std::isfinite(v) && std::floor(v) == v && v >= lo && v <= hi; };
  if (!is_int(s[0], 1, static_cast<double>(kMaxBins))) return bad(0, "histBins", "must be an integer in [1, 1048576]");
  if (!std::isfinite(s[1])) return bad(1, "histLo", "must be finite");
  if (!(std::isfinite(s[2]) && s[2] > s[1])) return bad(2, "histHi", "must be finite and > histLo");
  if (!is_int(s[3], 1, static_cast<double>(kMaxBins))) return bad(3, "ddBins", "must be an integer in [1, 1048576]");
  if (!(std::isfinite(s[4]) && s[4] > 0)) return bad(4, "ddHi", "must be finite and > 0");
  if (std::isinf(s[5])) return bad(5, "barrier", "must be finite or NaN (none)");
  if (std::isinf(s[6])) return bad(6, "ruinLevel", "must be finite or NaN (none)");
  if (std::isinf(s[7])) return bad(7, "strike", "must be finite or NaN (none)");
  return "";
}

}  // namespace neurion::mc
