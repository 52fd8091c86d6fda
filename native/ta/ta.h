// The indicator kernel contract, shared by the CPU core (native/ta/table.cpp) and the CUDA
// addon (kernels/ta.cu).
//
// Every indicator is a set of NEURION_HD functions over ONE series (one row of the
// [symbols x bars] matrix), declared in native/ta/kernels/<group>.h and listed once in
// native/ta/list.h:
//
//   void    ta_<name>(const TaRow& r)                 computes r.out[k][0..n) for each output k
//   int64_t ta_<name>_lookback(const double* p)       index of the first defined output (TA-Lib's lookback)
//   int64_t ta_<name>_scratch(int64_t n, const double* p)   doubles of scratch memory the kernel needs (often 0)
//   TaMeta  ta_<name>_meta()                           name, input/output names, parameters with ranges
//
// Rules every kernel follows (the fuzz test holds them to it):
//   - read only in[k][0..n) and write only out[k][0..n) and scratch[0..scratch(n,p));
//   - write every output element: NaN for i < lookback, and wherever the value is undefined;
//   - assume parameters already validated against the meta ranges (the binding does it);
//   - NaN/Inf in the input propagate per IEEE arithmetic; never a crash or an out-of-bounds access.
#pragma once
#include <cstdint>
#include <cmath>
#include <limits>
#include "../common/hd.h"

namespace neurion::ta {

constexpr int kMaxInputs = 5;
constexpr int kMaxOutputs = 8;
constexpr int kMaxParams = 8;

struct TaRow {
  const double* in[kMaxInputs];
  double* out[kMaxOutputs];
  int64_t n;
  const double* p;
  double* scratch;
};

// A parameter's allowed range. `max_is_length` caps it at the series length (periods).
struct TaParam {
  const char* name;
  double def;
  double min;
  double max;
  bool integer;
  bool max_is_length;
};

struct TaMeta {
  const char* name;
  int n_in;
  const char* inputs[kMaxInputs];
  int n_out;
  const char* outputs[kMaxOutputs];
  int n_param;
  TaParam params[kMaxParams];
};

NEURION_HD double nan_value() {
#if defined(__CUDA_ARCH__)
  return __longlong_as_double(0x7ff8000000000000LL);
#else
  return std::numeric_limits<double>::quiet_NaN();
#endif
}

// True for finite v (false for NaN and +-Inf), in plain arithmetic valid on host and device.
NEURION_HD bool finite(double v) { return v - v == 0.0; }

NEURION_HD void fill_nan(double* out, int64_t from, int64_t to) {
  const double q = nan_value();
  for (int64_t i = from; i < to; ++i) out[i] = q;
}

NEURION_HD int64_t ipar(const double* p, int k) { return static_cast<int64_t>(p[k]); }

}  // namespace neurion::ta
