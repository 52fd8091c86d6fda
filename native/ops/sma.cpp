// sma(x: Float64Array, rows, cols, period, out?: Float64Array, threads?) -> Float64Array
// Row-major [rows x cols]; rows run in parallel. Arguments: common/calls.h; kernel: common/sma_kernel.h.
#include "../common/calls.h"
#include "../common/parallel.h"
#include "../common/sma_kernel.h"
#include "ops.h"

namespace neurion {

static Napi::Value Sma(const Napi::CallbackInfo& info) {
  calls::SmaCall c = calls::parse_sma(info);
  const double* px = c.x.Data();
  double* po = c.out.Data();
  const int64_t cols = c.cols, period = c.period;
  parallel_for(c.rows, c.threads, [=](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) sma_row_range(px + r * cols, po + r * cols, cols, period, 0, cols);
  });
  return c.out;
}

void register_sma(Napi::Env env, Napi::Object exports) { exports.Set("sma", Napi::Function::New(env, Sma, "sma")); }

}  // namespace neurion
