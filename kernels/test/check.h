// CHECK for the host emulators (emulate.cpp, emulate_train.cpp): counts every check, prints the
// first kMaxPrinted failures with file and line, keeps going (one run reports every kind of
// mismatch). main() returns non-zero when `failures` > 0.
#pragma once
#include <cstdio>

static int failures = 0;
static long checks = 0;
constexpr int kMaxPrinted = 30;
#define CHECK(cond, ...)                                 \
  do {                                                   \
    ++checks;                                            \
    if (!(cond)) {                                       \
      if (++failures <= kMaxPrinted) {                   \
        std::printf("FAIL %s:%d: ", __FILE__, __LINE__); \
        std::printf(__VA_ARGS__);                        \
        std::printf("\n");                               \
      }                                                  \
    }                                                    \
  } while (0)
