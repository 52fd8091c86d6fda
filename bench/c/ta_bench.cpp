// One-thread CPU benchmark of the indicator kernels against TA-Lib's and Tulip Indicators' C
// functions, all called directly from C/C++ on the same input (a deterministic random-walk
// OHLCV series). Built by bench/c/build.sh; driven by bench/suites/ta-c.ts, which writes the
// spec file (one line per indicator, from the registry's TA-Lib mapping) and parses the JSON
// this program prints on stdout.
//
//   ta_bench --spec FILE [--bars 1000000] [--reps 11] [--seed 20240601] [--only a,b,c]
//
// Spec line (tab-separated; "-" for none):
//   name  ourParams  talibName  talibOpts  talibOuts  tulipName  tulipOpts  tulipOuts
//     ourParams   every parameter in our order: "14" or "12,26,9"
//     talibOpts   TA-Lib optional inputs: "optInTimePeriod=14,optInNbDevUp=2"
//     talibOuts   per OUR output, the TA-Lib output name or "-": "outRealUpperBand,-,-"
//     tulipOpts   Tulip options in Tulip's order: "20,2"
//     tulipOuts   per TULIP output, the index of our matching output or -1: "2,1,0"
//
// Ours: neurion::ta::run_rows(index, ..., rows=1, cols=bars, threads=1): the exact function the
// addon calls (scratch allocation included). TA-Lib: through its abstract interface
// (TA_CallFunc, one dispatch per call of 1M bars) so the mapping comes from the registry; the
// per-call overhead is a few hundred ns, i.e. < 0.001 ns/bar. Tulip: ti_find_indicator()->indicator().
//
// Each indicator: one warm-up call per library (also checked against ours), then `reps` rounds
// of [ours, TA-Lib, Tulip] in rotating order, so drift and neighbours hit all three alike.
// Reported: median and min ns/bar per library, plus agreement with ours (max relative diff).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>
#include <sys/resource.h>
#include <unistd.h>

#include "../../native/ta/table.h"

extern "C" {
#include "ta_libc.h"
#include "ta_abstract.h"
#include "indicators.h"
}

namespace {

using neurion::ta::TaMeta;

struct Series {
  std::vector<double> open, high, low, close, volume, time, y;
};

// splitmix64 + Box-Muller: a deterministic generator independent of the platform's rand().
struct Rng {
  uint64_t s;
  double spare = 0;
  bool has = false;
  uint64_t next_u64() {
    uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }
  double normal() {
    if (has) { has = false; return spare; }
    double u = 0;
    while (u <= 1e-300) u = uniform();
    const double v = uniform(), r = std::sqrt(-2.0 * std::log(u)), t = 6.283185307179586 * v;
    spare = r * std::sin(t);
    has = true;
    return r * std::cos(t);
  }
};

// OHLCV in the shape of src/ta/ops.ts randomOhlcv (open/close inside [low, high], volume > 0,
// hourly timestamps), but the log close is mean-reverting (Ornstein-Uhlenbeck around log 100,
// stationary sd ~0.22) so that 1M bars stay in a realistic price range instead of drifting over
// e^+-20. y is a second, partly correlated series (for correl/beta).
Series make_series(int64_t n, uint64_t seed) {
  Rng rng{seed};
  Series s;
  for (auto* v : {&s.open, &s.high, &s.low, &s.close, &s.volume, &s.time, &s.y}) v->resize(static_cast<size_t>(n));
  const double mu = std::log(100.0);
  double p = 100.0, ly = mu;
  const double t0 = 1577836800000.0;  // 2020-01-01T00:00Z in ms
  for (int64_t i = 0; i < n; ++i) {
    const double o = p * std::exp(0.002 * rng.normal());
    const double lo = std::log(o);
    const double c = std::exp(lo + 0.01 * rng.normal() - 0.001 * (lo - mu));
    const size_t k = static_cast<size_t>(i);
    s.open[k] = o;
    s.close[k] = c;
    s.high[k] = std::max(o, c) * (1 + 0.005 * std::fabs(rng.normal()));
    s.low[k] = std::min(o, c) * (1 - 0.005 * std::fabs(rng.normal()));
    const double u = rng.uniform();
    s.volume[k] = std::floor(1e3 + 1e6 * u * u * u);
    s.time[k] = t0 + static_cast<double>(i) * 3600000.0;
    ly += 0.6 * (std::log(c) - std::log(p)) + 0.008 * rng.normal() - 0.001 * (ly - mu);
    s.y[k] = std::exp(ly);
    p = c;
  }
  return s;
}

const double* series_by_name(const Series& s, const std::string& name) {
  if (name == "open") return s.open.data();
  if (name == "high") return s.high.data();
  if (name == "low") return s.low.data();
  if (name == "close" || name == "x" || name == "real") return s.close.data();
  if (name == "volume") return s.volume.data();
  if (name == "time") return s.time.data();
  if (name == "y") return s.y.data();
  return nullptr;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  std::istringstream in(s);
  while (std::getline(in, cur, sep)) out.push_back(cur);
  if (!s.empty() && s.back() == sep) out.push_back("");
  return out;
}

struct Spec {
  std::string name;
  std::vector<double> params;
  std::string talib;
  std::vector<std::pair<std::string, double>> talib_opts;
  std::vector<std::string> talib_outs;  // per our output
  std::string tulip;
  std::vector<double> tulip_opts;
  std::vector<int> tulip_outs;  // per tulip output: our output index or -1
};

double now_ns() {
  return static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count());
}

// Machine-wide busy CPU seconds (/proc/stat: all but idle and iowait) and this process's own CPU
// seconds: others% = (busy - own) / (wall * cores), as bench/harness.ts computes it. -1 off Linux.
struct Cpu {
  double wall, busy, own;
};
Cpu cpu_now() {
  Cpu c{now_ns() * 1e-9, -1, 0};
  if (FILE* f = std::fopen("/proc/stat", "r")) {
    unsigned long long v[10] = {0};
    if (std::fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9]) >= 8)
      c.busy = static_cast<double>(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / static_cast<double>(sysconf(_SC_CLK_TCK));
    std::fclose(f);
  }
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  c.own = static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + 1e-6 * static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
  return c;
}
double others_percent(const Cpu& a, const Cpu& b) {
  if (a.busy < 0 || b.busy < 0 || b.wall <= a.wall) return -1;
  const double cores = static_cast<double>(sysconf(_SC_NPROCESSORS_ONLN));
  return std::max(0.0, 100.0 * ((b.busy - a.busy) - (b.own - a.own)) / ((b.wall - a.wall) * cores));
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
}

// Agreement of a peer's output with ours over the bars where both are defined.
struct Agreement {
  int64_t compared = 0;
  double max_rel = 0;  // |a-b| / max(|a|, |b|, 1e-6): outputs here are O(0.01..1e6); the floor keeps values near 0 from reading as 100% apart
  int64_t nan_mismatch = 0;
};

void compare(const double* ours, const double* peer, int64_t from, int64_t count, Agreement& a) {
  for (int64_t k = 0; k < count; ++k) {
    const double x = ours[from + k], y = peer[k];
    if (std::isnan(x) || std::isnan(y)) {
      if (std::isnan(x) != std::isnan(y)) ++a.nan_mismatch;
      continue;
    }
    const double d = std::fabs(x - y) / std::max({std::fabs(x), std::fabs(y), 1e-6});
    if (d > a.max_rel) a.max_rel = d;
    ++a.compared;
  }
}

std::string num(double v);
std::string samples_json(const std::vector<double>& v) {
  std::string o = "[";
  for (size_t i = 0; i < v.size(); ++i) o += (i ? ", " : "") + num(v[i]);
  return o + "]";
}

std::string json_str(const std::string& s) {
  std::string o = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') o += '\\';
    o += c;
  }
  return o + "\"";
}

std::string num(double v) {
  if (!std::isfinite(v)) return "null";
  char b[40];
  std::snprintf(b, sizeof b, "%.6g", v);
  return b;
}

}  // namespace

int main(int argc, char** argv) {
  std::string spec_path;
  int64_t bars = 1000000;
  int reps = 11;
  uint64_t seed = 20240601;
  std::vector<std::string> only;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto val = [&]() -> std::string {
      if (i + 1 >= argc) { std::fprintf(stderr, "ta_bench: %s needs a value\n", a.c_str()); std::exit(2); }
      return argv[++i];
    };
    if (a == "--spec") spec_path = val();
    else if (a == "--bars") bars = std::atoll(val().c_str());
    else if (a == "--reps") reps = std::atoi(val().c_str());
    else if (a == "--seed") seed = std::strtoull(val().c_str(), nullptr, 10);
    else if (a == "--only") only = split(val(), ',');
    else { std::fprintf(stderr, "ta_bench: unknown argument %s\n", a.c_str()); return 2; }
  }
  if (spec_path.empty() || bars < 1000 || reps < 1) {
    std::fprintf(stderr, "usage: ta_bench --spec FILE [--bars N>=1000] [--reps R>=1] [--seed S] [--only a,b]\n");
    return 2;
  }
  std::vector<Spec> specs;
  {
    std::ifstream f(spec_path);
    if (!f) { std::fprintf(stderr, "ta_bench: cannot read %s\n", spec_path.c_str()); return 2; }
    std::string line;
    while (std::getline(f, line)) {
      if (line.empty() || line[0] == '#') continue;
      const auto c = split(line, '\t');
      if (c.size() != 8) { std::fprintf(stderr, "ta_bench: bad spec line (need 8 fields): %s\n", line.c_str()); return 2; }
      Spec s;
      s.name = c[0];
      if (c[1] != "-") for (auto& v : split(c[1], ',')) s.params.push_back(std::atof(v.c_str()));
      s.talib = c[2] == "-" ? "" : c[2];
      if (c[3] != "-") for (auto& kv : split(c[3], ',')) {
        const auto e = kv.find('=');
        s.talib_opts.emplace_back(kv.substr(0, e), std::atof(kv.substr(e + 1).c_str()));
      }
      if (c[4] != "-") s.talib_outs = split(c[4], ',');
      s.tulip = c[5] == "-" ? "" : c[5];
      if (c[6] != "-") for (auto& v : split(c[6], ',')) s.tulip_opts.push_back(std::atof(v.c_str()));
      if (c[7] != "-") for (auto& v : split(c[7], ',')) s.tulip_outs.push_back(std::atoi(v.c_str()));
      if (!only.empty() && std::find(only.begin(), only.end(), s.name) == only.end()) continue;
      specs.push_back(std::move(s));
    }
  }

  if (TA_Initialize() != TA_SUCCESS) { std::fprintf(stderr, "ta_bench: TA_Initialize failed\n"); return 1; }
  const Series data = make_series(bars, seed);
  const size_t n = static_cast<size_t>(bars);

  std::printf("{\n  \"bars\": %lld, \"reps\": %d, \"seed\": %llu,\n  \"talibVersion\": %s,\n  \"tulipVersion\": %s,\n  \"indicators\": [",
              static_cast<long long>(bars), reps, static_cast<unsigned long long>(seed), json_str(TA_GetVersionString()).c_str(),
              json_str(TI_VERSION).c_str());
  bool first_row = true;
  int failures = 0;
  for (const Spec& s : specs) {
    int idx = -1;
    const TaMeta* m = neurion::ta::find_meta(s.name, &idx);
    if (!m) { std::fprintf(stderr, "ta_bench: unknown indicator %s\n", s.name.c_str()); return 2; }
    if (static_cast<int>(s.params.size()) != m->n_param) {
      std::fprintf(stderr, "ta_bench: %s needs %d params, spec has %zu\n", s.name.c_str(), m->n_param, s.params.size());
      return 2;
    }
    const std::string perr = neurion::ta::params_error(*m, s.params.data(), bars);
    if (!perr.empty()) { std::fprintf(stderr, "ta_bench: %s: %s\n", s.name.c_str(), perr.c_str()); return 2; }
    std::string notes;

    // ---- ours ----
    std::vector<const double*> our_in;
    for (int k = 0; k < m->n_in; ++k) our_in.push_back(series_by_name(data, m->inputs[k]));
    std::vector<std::vector<double>> our_out_buf(static_cast<size_t>(m->n_out), std::vector<double>(n));
    std::vector<double*> our_out;
    for (auto& b : our_out_buf) our_out.push_back(b.data());
    const int64_t our_lookback = neurion::ta::lookback_at(idx, s.params.data());
    auto run_ours = [&] { neurion::ta::run_rows(idx, our_in.data(), our_out.data(), s.params.data(), 1, bars, 1); };

    // ---- TA-Lib (abstract interface) ----
    const TA_FuncHandle* th = nullptr;
    const TA_FuncInfo* tinfo = nullptr;
    TA_ParamHolder* tp = nullptr;
    std::vector<std::vector<double>> ta_out_buf;
    std::vector<int> ta_out_ours;  // per TA-Lib output: our output index, or -1
    int ta_beg = 0, ta_nb = 0;
    bool have_talib = false;
    if (!s.talib.empty()) {
      if (TA_GetFuncHandle(s.talib.c_str(), &th) != TA_SUCCESS || TA_GetFuncInfo(th, &tinfo) != TA_SUCCESS ||
          TA_ParamHolderAlloc(th, &tp) != TA_SUCCESS) {
        std::fprintf(stderr, "ta_bench: TA-Lib has no function %s\n", s.talib.c_str());
        return 2;
      }
      int real_k = 0;  // k-th Real input <- our k-th input series
      for (unsigned i = 0; i < tinfo->nbInput; ++i) {
        const TA_InputParameterInfo* ii = nullptr;
        TA_GetInputParameterInfo(th, i, &ii);
        if (ii->type == TA_Input_Price) {
          TA_SetInputParamPricePtr(tp, i, data.open.data(), data.high.data(), data.low.data(), data.close.data(), data.volume.data(), nullptr);
        } else if (ii->type == TA_Input_Real) {
          TA_SetInputParamRealPtr(tp, i, our_in[static_cast<size_t>(real_k++)]);
        } else {
          std::fprintf(stderr, "ta_bench: %s: integer inputs unsupported\n", s.talib.c_str());
          return 2;
        }
      }
      for (const auto& [pname, v] : s.talib_opts) {
        bool found = false;
        for (unsigned i = 0; i < tinfo->nbOptInput; ++i) {
          const TA_OptInputParameterInfo* oi = nullptr;
          TA_GetOptInputParameterInfo(th, i, &oi);
          if (pname != oi->paramName) continue;
          found = true;
          const TA_RetCode rc = (oi->type == TA_OptInput_RealRange || oi->type == TA_OptInput_RealList)
                                    ? TA_SetOptInputParamReal(tp, i, v)
                                    : TA_SetOptInputParamInteger(tp, i, static_cast<int>(v));
          if (rc != TA_SUCCESS) { std::fprintf(stderr, "ta_bench: %s.%s=%g rejected (%d)\n", s.talib.c_str(), pname.c_str(), v, rc); return 2; }
        }
        if (!found) { std::fprintf(stderr, "ta_bench: %s has no optional input %s\n", s.talib.c_str(), pname.c_str()); return 2; }
      }
      for (unsigned i = 0; i < tinfo->nbOutput; ++i) {
        const TA_OutputParameterInfo* oi = nullptr;
        TA_GetOutputParameterInfo(th, i, &oi);
        ta_out_buf.emplace_back(n);
        if (oi->type != TA_Output_Real) { std::fprintf(stderr, "ta_bench: %s: non-real outputs unsupported\n", s.talib.c_str()); return 2; }
        TA_SetOutputParamRealPtr(tp, i, ta_out_buf.back().data());
        int ours = -1;
        for (size_t k = 0; k < s.talib_outs.size(); ++k)
          if (s.talib_outs[k] == oi->paramName) ours = static_cast<int>(k);
        ta_out_ours.push_back(ours);
      }
      have_talib = true;
    }
    auto run_talib = [&] {
      if (TA_CallFunc(tp, 0, static_cast<TA_Integer>(bars - 1), &ta_beg, &ta_nb) != TA_SUCCESS) {
        std::fprintf(stderr, "ta_bench: TA_CallFunc(%s) failed\n", s.talib.c_str());
        std::exit(1);
      }
    };

    // ---- Tulip ----
    const ti_indicator_info* ti = nullptr;
    std::vector<const double*> ti_in;
    std::vector<std::vector<double>> ti_out_buf;
    std::vector<double*> ti_out;
    int ti_start = 0;
    if (!s.tulip.empty()) {
      ti = ti_find_indicator(s.tulip.c_str());
      if (!ti) { std::fprintf(stderr, "ta_bench: Tulip has no indicator %s\n", s.tulip.c_str()); return 2; }
      if (static_cast<int>(s.tulip_opts.size()) != ti->options || static_cast<int>(s.tulip_outs.size()) != ti->outputs) {
        std::fprintf(stderr, "ta_bench: tulip %s needs %d options and %d output mappings\n", s.tulip.c_str(), ti->options, ti->outputs);
        return 2;
      }
      for (int k = 0; k < ti->inputs; ++k) {
        const double* p = series_by_name(data, ti->input_names[k]);
        if (!p) { std::fprintf(stderr, "ta_bench: tulip input %s?\n", ti->input_names[k]); return 2; }
        ti_in.push_back(p);
      }
      for (int k = 0; k < ti->outputs; ++k) { ti_out_buf.emplace_back(n); ti_out.push_back(ti_out_buf.back().data()); }
      ti_start = ti->start(s.tulip_opts.data());
    }
    auto run_tulip = [&] {
      if (ti->indicator(static_cast<int>(bars), ti_in.data(), s.tulip_opts.data(), ti_out.data()) != TI_OKAY) {
        std::fprintf(stderr, "ta_bench: tulip %s failed\n", s.tulip.c_str());
        std::exit(1);
      }
    };

    // ---- warm-up + agreement ----
    run_ours();
    Agreement ta_ag, ti_ag;
    bool ta_beg_ok = true;
    if (have_talib) {
      run_talib();
      ta_beg_ok = ta_beg == our_lookback;
      for (size_t j = 0; j < ta_out_ours.size(); ++j)
        if (ta_out_ours[j] >= 0) compare(our_out[static_cast<size_t>(ta_out_ours[j])], ta_out_buf[j].data(), ta_beg, ta_nb, ta_ag);
      if (!ta_beg_ok) notes += "TA-Lib begIdx " + std::to_string(ta_beg) + " != our lookback " + std::to_string(our_lookback) + "; ";
    }
    if (ti) {
      run_tulip();
      for (size_t j = 0; j < s.tulip_outs.size(); ++j)
        if (s.tulip_outs[j] >= 0) compare(our_out[static_cast<size_t>(s.tulip_outs[j])], ti_out_buf[j].data(), ti_start, bars - ti_start, ti_ag);
    }
    const bool ta_match = have_talib && ta_beg_ok && ta_ag.nan_mismatch == 0 && ta_ag.max_rel <= 1e-8 && ta_ag.compared > 0;
    if (have_talib && !ta_match) ++failures;

    // ---- timing: rotating order per round ----
    std::vector<double> t_ours, t_ta, t_ti;
    const Cpu cpu0 = cpu_now();
    for (int r = 0; r < reps; ++r) {
      for (int slot = 0; slot < 3; ++slot) {
        const int which = (slot + r) % 3;
        if (which == 0) { const double t0 = now_ns(); run_ours(); t_ours.push_back((now_ns() - t0) / static_cast<double>(bars)); }
        if (which == 1 && have_talib) { const double t0 = now_ns(); run_talib(); t_ta.push_back((now_ns() - t0) / static_cast<double>(bars)); }
        if (which == 2 && ti) { const double t0 = now_ns(); run_tulip(); t_ti.push_back((now_ns() - t0) / static_cast<double>(bars)); }
      }
    }
    const double others = others_percent(cpu0, cpu_now());
    if (tp) TA_ParamHolderFree(tp);

    const double ours_med = median(t_ours), ours_min = *std::min_element(t_ours.begin(), t_ours.end());
    std::printf("%s\n    {\"name\": %s, \"params\": [", first_row ? "" : ",", json_str(s.name).c_str());
    first_row = false;
    for (size_t k = 0; k < s.params.size(); ++k) std::printf("%s%s", k ? ", " : "", num(s.params[k]).c_str());
    std::printf("], \"outputs\": %d, \"ours\": {\"median\": %s, \"min\": %s, \"samples\": %s}", m->n_out, num(ours_med).c_str(), num(ours_min).c_str(),
                samples_json(t_ours).c_str());
    if (have_talib) {
      std::printf(", \"talib\": {\"function\": %s, \"median\": %s, \"min\": %s, \"matches\": %s, \"maxRelDiff\": %s, \"compared\": %lld, \"nanMismatch\": %lld, \"samples\": %s}",
                  json_str(s.talib).c_str(), num(median(t_ta)).c_str(), num(*std::min_element(t_ta.begin(), t_ta.end())).c_str(),
                  ta_match ? "true" : "false", num(ta_ag.max_rel).c_str(), static_cast<long long>(ta_ag.compared),
                  static_cast<long long>(ta_ag.nan_mismatch), samples_json(t_ta).c_str());
    }
    if (ti) {
      std::printf(", \"tulip\": {\"function\": %s, \"median\": %s, \"min\": %s, \"maxRelDiff\": %s, \"compared\": %lld, \"nanMismatch\": %lld, \"samples\": %s}",
                  json_str(s.tulip).c_str(), num(median(t_ti)).c_str(), num(*std::min_element(t_ti.begin(), t_ti.end())).c_str(),
                  num(ti_ag.max_rel).c_str(), static_cast<long long>(ti_ag.compared), static_cast<long long>(ti_ag.nan_mismatch), samples_json(t_ti).c_str());
    }
    std::printf(", \"othersCpuPercent\": %s, \"notes\": %s}", others < 0 ? "null" : num(std::round(others * 10) / 10).c_str(), json_str(notes).c_str());
    std::fflush(stdout);
    std::fprintf(stderr, "%-18s ours %7.3f  talib %7s  tulip %7s ns/bar  others %.0f%%%s\n", s.name.c_str(), ours_med,
                 have_talib ? num(median(t_ta)).c_str() : "-", ti ? num(median(t_ti)).c_str() : "-", others,
                 have_talib && !ta_match ? "  (TA-Lib DISAGREES)" : "");
  }
  std::printf("\n  ],\n  \"talibMismatches\": %d\n}\n", failures);
  TA_Shutdown();
  return 0;
}
