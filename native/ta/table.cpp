// CPU binding of the indicator kernels:
//   ta(name, inputs: Float64Array[], rows, cols, params: Float64Array, outputs?: Float64Array[], threads?) -> Float64Array[]
//   taList() -> [{name, inputs, outputs, params: [{name, default, min, max, integer, maxIsLength}]}]
//   taLookback(name, params: Float64Array) -> number
// Rows of the [rows x cols] matrices run in parallel; each thread owns its scratch buffer.
#include <cstdio>
#include <string>
#include <vector>
#include "../common/args.h"
#include "../common/parallel.h"
#include "list.h"
#include "table.h"

namespace neurion::ta {

namespace {

using Kernel = void (*)(const TaRow&);
using Lookback = int64_t (*)(const double*);
using Scratch = int64_t (*)(int64_t, const double*);

struct Entry {
  TaMeta meta;
  Kernel fn;
  Lookback lookback;
  Scratch scratch;
};

const std::vector<Entry>& table() {
#define NEURION_TA_ENTRY(name) Entry{ta_##name##_meta(), ta_##name, ta_##name##_lookback, ta_##name##_scratch},
  static const std::vector<Entry> t = {NEURION_TA_LIST(NEURION_TA_ENTRY)};
#undef NEURION_TA_ENTRY
  return t;
}

}  // namespace

const TaMeta* find_meta(const std::string& name, int* index) {
  const auto& t = table();
  for (size_t i = 0; i < t.size(); ++i)
    if (name == t[i].meta.name) {
      if (index) *index = static_cast<int>(i);
      return &t[i].meta;
    }
  return nullptr;
}

int count() { return static_cast<int>(table().size()); }
const TaMeta& meta_at(int i) { return table()[static_cast<size_t>(i)].meta; }

std::string params_error(const TaMeta& m, const double* p, int64_t cols) {
  for (int k = 0; k < m.n_param; ++k) {
    const TaParam& d = m.params[k];
    const double hi = d.max_is_length && static_cast<double>(cols) < d.max ? static_cast<double>(cols) : d.max;
    const double v = p[k];
    const bool ok = v == v && v >= d.min && v <= hi && (!d.integer || std::floor(v) == v);
    if (!ok) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.17g", v);
      char lo_s[32], hi_s[32];
      std::snprintf(lo_s, sizeof lo_s, "%.17g", d.min);
      std::snprintf(hi_s, sizeof hi_s, "%.17g", hi);
      return std::string(d.name) + " must be " + (d.integer ? "an integer" : "a number") + " in [" + lo_s + ", " + hi_s +
             "]" + (d.max_is_length && hi == static_cast<double>(cols) ? " (the series length)" : "") + ", got " + buf;
    }
  }
  return "";
}

int64_t lookback_at(int i, const double* p) { return table()[static_cast<size_t>(i)].lookback(p); }
int64_t scratch_at(int i, int64_t n, const double* p) { return table()[static_cast<size_t>(i)].scratch(n, p); }

void run_rows(int i, const double* const* in, double* const* out, const double* p, int64_t rows, int64_t cols, int threads) {
  const Entry& e = table()[static_cast<size_t>(i)];
  const int64_t scratch = e.scratch(cols, p);
  parallel_for(rows, threads, [&](int64_t r0, int64_t r1) {
    std::vector<double> buf(static_cast<size_t>(scratch > 0 ? scratch : 0));
    TaRow row{};
    row.n = cols;
    row.p = p;
    row.scratch = buf.data();
    for (int64_t r = r0; r < r1; ++r) {
      for (int k = 0; k < e.meta.n_in; ++k) row.in[k] = in[k] + r * cols;
      for (int k = 0; k < e.meta.n_out; ++k) row.out[k] = out[k] + r * cols;
      e.fn(row);
    }
  });
}

}  // namespace neurion::ta
