// Splits [0, n) into contiguous chunks run on up to `threads` std::threads. Work is
// partitioned statically (ops here are uniform per row), so the result never depends on
// the thread count. threads <= 1 runs inline with no thread created.
#pragma once
#include <cstdint>
#include <thread>
#include <vector>
#include <exception>
#include <algorithm>

namespace neurion {

template <typename Fn>
void parallel_for(int64_t n, int threads, Fn&& fn) {
  if (n <= 0) return;
  const int64_t t = std::max<int64_t>(1, std::min<int64_t>(threads, n));
  if (t == 1) { fn(int64_t{0}, n); return; }
  std::vector<std::thread> pool;
  std::vector<std::exception_ptr> errors(static_cast<size_t>(t));
  pool.reserve(static_cast<size_t>(t - 1));
  const int64_t chunk = (n + t - 1) / t;
  for (int64_t w = 1; w < t; ++w) {
    const int64_t a = w * chunk, b = std::min(n, a + chunk);
    if (a >= b) break;
    pool.emplace_back([&, w, a, b] {
      try { fn(a, b); } catch (...) { errors[static_cast<size_t>(w)] = std::current_exception(); }
    });
  }
  try { fn(int64_t{0}, std::min(n, chunk)); } catch (...) { errors[0] = std::current_exception(); }
  for (auto& th : pool) th.join();
  for (auto& e : errors) if (e) std::rethrow_exception(e);
}

}  // namespace neurion
