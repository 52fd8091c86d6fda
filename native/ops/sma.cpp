// sma(x: Float64Array, rows, cols, period, out?: Float64Array, threads?) -> Float64Array
// Row-major [rows x cols]; rows run in parallel. Kernel: common/sma_kernel.h.
#include "../common/args.h"
#include "../common/parallel.h"
#include "../common/sma_kernel.h"
#include "ops.h"

namespace neurion {

static Napi::Value Sma(const Napi::CallbackInfo& info) {
  const char* op = "sma";
  Napi::Env env = info.Env();
  Napi::Float64Array x = args::f64(info, 0, op, "x");
  const int64_t rows = args::integer(info, 1, op, "rows", 1, int64_t{1} << 40);
  const int64_t cols = args::integer(info, 2, op, "cols", 1, int64_t{1} << 40);
  args::length_is(info, x, static_cast<size_t>(rows * cols), op, "x", "rows * cols");
  const int64_t period = args::integer(info, 3, op, "period", 1, cols);
  Napi::Float64Array out;
  if (args::present(info, 4)) {
    out = args::f64(info, 4, op, "out");
    args::length_is(info, out, static_cast<size_t>(rows * cols), op, "out", "rows * cols");
    args::no_overlap(info, x, out, op, "out", "x");
  } else {
    out = args::alloc_f64(env, rows * cols, op);
  }
  const int threads = args::present(info, 5) ? static_cast<int>(args::integer(info, 5, op, "threads", 1, 256)) : 1;
  const double* px = x.Data();
  double* po = out.Data();
  parallel_for(rows, threads, [=](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) sma_row_range(px + r * cols, po + r * cols, cols, period, 0, cols);
  });
  return out;
}

void register_sma(Napi::Env env, Napi::Object exports) { exports.Set("sma", Napi::Function::New(env, Sma, "sma")); }

}  // namespace neurion
