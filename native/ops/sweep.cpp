// sweepSmaCross(open, high, low, close, time, symbols, bars, start: Uint32Array, end: Uint32Array,
//               fast: Uint32Array, slow: Uint32Array, costs: Float64Array, blocks, out?, threads?)
//   -> Float64Array [pairs x symbols x (13 + 2 * blocks)]
// Op `sweep.smaCross` (src/trading/sweep/op.ts). Inputs are row-major [symbols x bars]; rows of
// the result are parameter pairs, run in parallel (each thread computes the SMAs its pairs
// need). Kernel and output layout: native/sweep/sma_cross.h. Everything is validated before
// any memory is read or written.
#include <cmath>
#include <string>
#include "../common/args.h"
#include "../common/parallel.h"
#include "../sweep/sma_cross.h"
#include "ops.h"

namespace neurion {

namespace {

constexpr const char* kOp = "sweep.smaCross";

std::string num(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  char b[64];
  std::snprintf(b, sizeof b, "%.17g", v);
  return b;
}

[[noreturn]] void range(const Napi::Env& env, const std::string& what) { args::range_error(env, std::string(kOp) + ": " + what); }

Napi::Uint32Array u32_len(const Napi::CallbackInfo& info, size_t i, const char* name, size_t n, const char* why) {
  Napi::Uint32Array a = args::u32(info, i, kOp, name);
  args::length_is(info, a, n, kOp, name, why);
  return a;
}

Napi::Value SweepSmaCross(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* names[5] = {"open", "high", "low", "close", "time"};
  Napi::Float64Array series[5];
  for (size_t k = 0; k < 5; ++k) series[k] = args::f64(info, k, kOp, names[k]);
  const int64_t symbols = args::integer(info, 5, kOp, "symbols", 1, int64_t{1} << 24);
  const int64_t bars = args::integer(info, 6, kOp, "bars", 2, int64_t{1} << 32);
  const size_t cells = static_cast<size_t>(symbols * bars);
  for (size_t k = 0; k < 5; ++k) args::length_is(info, series[k], cells, kOp, names[k], "symbols * bars");
  Napi::Uint32Array start = u32_len(info, 7, "start", static_cast<size_t>(symbols), "one per symbol");
  Napi::Uint32Array end = u32_len(info, 8, "end", static_cast<size_t>(symbols), "one per symbol");
  Napi::Uint32Array fast = args::u32(info, 9, kOp, "fast");
  Napi::Uint32Array slow = args::u32(info, 10, kOp, "slow");
  const size_t pairs = fast.ElementLength();
  if (pairs == 0) range(env, "fast must hold at least one period");
  args::length_is(info, slow, pairs, kOp, "slow", "same as fast");
  Napi::Float64Array costs = args::f64(info, 11, kOp, "costs");
  args::length_is(info, costs, sweep::kCostsLength, kOp, "costs",
                  "initialCash, tickSize, lotSize, feeKind, feeRate, feeMinimum, feeMaxFraction, slippageBps");
  const int64_t blocks = args::integer(info, 12, kOp, "blocks", 0, 64);

  // Parameters.
  const uint32_t* pf = fast.Data();
  const uint32_t* ps = slow.Data();
  for (size_t k = 0; k < pairs; ++k) {
    if (pf[k] < 1) range(env, "fast[" + std::to_string(k) + "] must be an integer >= 1, got " + std::to_string(pf[k]));
    if (ps[k] <= pf[k] || ps[k] > bars)
      range(env, "slow[" + std::to_string(k) + "] must be an integer in [fast + 1, bars] = [" + std::to_string(pf[k] + 1) + ", " +
                     std::to_string(bars) + "], got " + std::to_string(ps[k]));
  }
  const double* c = costs.Data();
  auto positive = [&](int i, const char* what) {
    if (!(c[i] > 0) || !std::isfinite(c[i])) range(env, std::string("costs[") + std::to_string(i) + "] (" + what + ") must be a positive number, got " + num(c[i]));
  };
  auto non_negative = [&](int i, const char* what) {
    if (!(c[i] >= 0) || !std::isfinite(c[i])) range(env, std::string("costs[") + std::to_string(i) + "] (" + what + ") must be a non-negative number, got " + num(c[i]));
  };
  positive(0, "initialCash");
  positive(1, "tickSize");
  positive(2, "lotSize");
  if (!(c[3] == 0 || c[3] == 1 || c[3] == 2)) range(env, "costs[3] (feeKind) must be 0 (none), 1 (bps) or 2 (perShare), got " + num(c[3]));
  non_negative(4, "feeRate");
  non_negative(5, "feeMinimum");
  if (!std::isnan(c[6])) non_negative(6, "feeMaxFraction");
  non_negative(7, "slippageBps");

  // Spans, then the data they cover.
  const uint32_t* pst = start.Data();
  const uint32_t* pen = end.Data();
  for (int64_t s = 0; s < symbols; ++s) {
    if (pen[s] > bars || pen[s] < 1)
      range(env, "end[" + std::to_string(s) + "] must be an integer in [1, bars] = [1, " + std::to_string(bars) + "], got " + std::to_string(pen[s]));
    if (pst[s] >= pen[s])
      range(env, "start[" + std::to_string(s) + "] must be below end[" + std::to_string(s) + "] = " + std::to_string(pen[s]) + ", got " + std::to_string(pst[s]));
    if (blocks > 0 && static_cast<int64_t>(pen[s]) - pst[s] - 1 < blocks)
      range(env, "blocks (" + std::to_string(blocks) + ") must not exceed the returns of symbol " + std::to_string(s) + " (end - start - 1 = " +
                     std::to_string(static_cast<int64_t>(pen[s]) - pst[s] - 1) + ")");
  }
  const double* px[5];
  for (size_t k = 0; k < 5; ++k) px[k] = series[k].Data();
  for (int64_t s = 0; s < symbols; ++s) {
    for (size_t k = 0; k < 4; ++k) {
      const double* row = px[k] + s * bars;
      for (int64_t i = 0; i < pen[s]; ++i) {
        const double v = row[i];
        if (!(v > 0) || !std::isfinite(v))
          range(env, std::string(names[k]) + "[symbol " + std::to_string(s) + ", bar " + std::to_string(i) + "] must be a finite positive price, got " + num(v));
      }
    }
    const double* t = px[4] + s * bars;
    for (int64_t i = pst[s]; i < pen[s]; ++i)
      if (!std::isfinite(t[i])) range(env, "time[symbol " + std::to_string(s) + ", bar " + std::to_string(i) + "] must be finite, got " + num(t[i]));
  }

  const int64_t stride = sweep::kSlots + 2 * blocks;
  if (static_cast<double>(pairs) * static_cast<double>(symbols) * static_cast<double>(stride) > 4503599627370496.0)
    range(env, "pairs * symbols * (13 + 2 * blocks) = " + num(static_cast<double>(pairs) * symbols * stride) + " results is too many for one call; split the pairs");
  const int64_t total = static_cast<int64_t>(pairs) * symbols * stride;
  Napi::Float64Array out;
  if (args::present(info, 13)) {
    out = args::f64(info, 13, kOp, "out");
    args::length_is(info, out, static_cast<size_t>(total), kOp, "out", "pairs * symbols * (13 + 2 * blocks)");
    for (size_t k = 0; k < 5; ++k) args::no_overlap(info, out, series[k], kOp, "out", names[k]);
    args::no_overlap(info, out, costs, kOp, "out", "costs");
    args::no_overlap(info, out, start, kOp, "out", "start");
    args::no_overlap(info, out, end, kOp, "out", "end");
    args::no_overlap(info, out, fast, kOp, "out", "fast");
    args::no_overlap(info, out, slow, kOp, "out", "slow");
  } else {
    out = args::alloc_f64(env, total, kOp);
  }
  const int threads = args::present(info, 14) ? static_cast<int>(args::integer(info, 14, kOp, "threads", 1, 256)) : 1;

  const sweep::Inputs in{px[0], px[1], px[2], px[3], px[4], symbols, bars, pst, pen, blocks};
  const sweep::Costs cs(c);
  double* po = out.Data();
  const int64_t per_pair = symbols * stride;
  parallel_for(static_cast<int64_t>(pairs), threads, [&](int64_t p0, int64_t p1) {
    sweep::SmaCrossSweep engine(in, cs);
    engine.run(pf, ps, p0, p1, po + p0 * per_pair);
  });
  return out;
}

}  // namespace

void register_sweep(Napi::Env env, Napi::Object exports) {
  exports.Set("sweepSmaCross", Napi::Function::New(env, SweepSmaCross, "sweepSmaCross"));
}

}  // namespace neurion
