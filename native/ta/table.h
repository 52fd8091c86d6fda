// The indicator table (expanded from list.h) and the argument checks both addons share.
#pragma once
#include <string>
#include "ta.h"

namespace neurion::ta {
const TaMeta* find_meta(const std::string& name, int* index);
int count();
const TaMeta& meta_at(int i);
// Empty when params are valid for a series of `cols` bars; else the message naming the first bad one.
std::string params_error(const TaMeta& m, const double* p, int64_t cols);
int64_t lookback_at(int i, const double* p);
int64_t scratch_at(int i, int64_t n, const double* p);
void run_rows(int i, const double* const* in, double* const* out, const double* p, int64_t rows, int64_t cols, int threads);
}  // namespace neurion::ta
