// The vectorised SMA-crossover sweep kernel (op `sweep.smaCross`; TypeScript reference:
// src/trading/sweep/reference.ts, which is the judge). For every parameter pair (fast, slow)
// and every symbol it replays exactly what runBacktest does with
// SmaCross({fast, slow, mode: 'longOnly'}) and the default fill model:
//
//   bar i: a pending market order fills at open[i]                      (PaperBroker.processBar)
//            buy  allIn: whole lots the cash affords at the execution price, fees included
//                 (allInQty: one lot less at a time until it fits, at most 10,000 steps)
//            sell allIn: the whole position
//            execution price: open -/+ slippage bps, rounded to the tick against the trader,
//                 clamped into [low, high]                              (PaperBroker.execPrice)
//          the strategy sees close[i]: diff = SMA_fast - SMA_slow; a buy is submitted when
//            prev <= 0 < diff and the position is flat, a sell when prev >= 0 > diff and long
//          equity = cash + qty * close[i] is recorded                   (runBacktest)
//
// and reduces the run to its metrics as computeMetrics defines them, streaming: nothing per
// bar or per trade is stored. Every floating-point operation is the one the TypeScript
// engine performs, in the same order (built with -ffp-contract=off), so results are
// bit-identical to the reference and to runBacktest.
//
// SMAs: each distinct period of the pairs in a call is computed once per symbol as a running
// sum, block by block (B bars at a time), with the arithmetic of sma_row_range
// (native/common/sma_kernel.h) from bar 0: the window sum is seeded x[0] + ... + x[p-1],
// then sum += x[i] - x[i-p]; the value is sum / p. That is also SmaStream's arithmetic
// (src/ta/indicators/ma.ts), which the strategy uses, so crossings (including exact ties
// fast == slow) are decided on the same doubles. Prices are validated finite and positive,
// so the kernel's non-finite bookkeeping never applies. Scratch memory per thread:
// (distinct periods) x B doubles plus one small state per pair, whatever the number of bars.
//
// Bars before start[s] only warm the SMAs (the strategy is as if it had seen them); orders
// are placed from the close of bar start[s] and metrics cover bars [start[s], end[s]).
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>
#include "fingerprint.h"
#include "js_round.h"

namespace neurion::sweep {

// Output slots per (pair, symbol); then 2 * blocks slots: per block, sum r and sum r^2 of the
// per-bar returns whose index falls in the block (CSCV, src/trading/overfitting.ts).
enum Slot : int {
  kTotalReturn = 0,
  kSharpe = 1,
  kMaxDrawdown = 2,
  kTrades = 3,
  kWinRate = 4,
  kProfitFactor = 5,
  kFinalEquity = 6,
  kFees = 7,
  kTimeInMarket = 8,
  kSkew = 9,
  kKurtosis = 10,
  kFingerprintHi = 11,
  kFingerprintLo = 12,
  kSlots = 13,
};

// costs[]: initialCash, tickSize, lotSize, feeKind (0 none, 1 bps, 2 perShare), feeRate
// (taker bps, or per share), feeMinimum, feeMaxFraction (NaN: none), slippageBps.
constexpr int kCostsLength = 8;

#ifndef NEURION_SWEEP_SMA_BUFFER
#define NEURION_SWEEP_SMA_BUFFER (512 << 10)
#endif
// Bytes of SMA values kept per thread (periods x block of bars).
constexpr int64_t kSmaBufferBytes = NEURION_SWEEP_SMA_BUFFER;

struct Costs {
  double cash0 = 0;
  DecimalStep tick, lot;
  int fee_kind = 0;
  double fee_rate = 0, fee_min = 0, fee_max_fraction = std::numeric_limits<double>::quiet_NaN(), slip_bps = 0;

  explicit Costs(const double* c)
      : cash0(c[0]), tick(c[1]), lot(c[2]), fee_kind(static_cast<int>(c[3])), fee_rate(c[4]), fee_min(c[5]),
        fee_max_fraction(c[6]), slip_bps(c[7]) {}

  // feeFor(schedule, q, px, multiplier 1, taker): market fills are taker fills.
  double fee(double q, double px) const {
    const double notional = q * px;
    double f;
    if (fee_kind == 2) {
      f = q * fee_rate;
      if (!std::isnan(fee_max_fraction)) f = std::min(f, fee_max_fraction * notional);
    } else {
      f = (notional * fee_rate) / 1e4;
    }
    return std::max(f, fee_min);
  }

  // execPrice for a taker fill: slippage against the trader, tick rounding, clamp into the bar.
  double exec_price(double raw, bool buy, double low, double high) const {
    const double slip = (raw * slip_bps) / 1e4;
    double p = buy ? raw + slip : raw - slip;
    p = round_price(p, tick, buy);
    return std::min(std::max(p, low), high);
  }
};

struct Inputs {
  const double* open;
  const double* high;
  const double* low;
  const double* close;
  const double* time;  // bar close times (ms): computeMetrics' periods per year come from them
  int64_t symbols, bars;
  const uint32_t* start;
  const uint32_t* end;
  int64_t blocks;
};

struct PairState {
  double cash, qty, prev_diff, prev_equity, peak, max_dd;
  double s1, s2, s3, s4;
  double entry_px, entry_fee;
  double gross_win, loss_sum, fees;
  int64_t entry_bar, trades, wins, in_market;
  int pending;  // 0 none, 1 buy, 2 sell
  Fingerprint fp;
};

// First return index of each block: floor(b * R / S), b = 0..S (integer arithmetic, as in TS).
inline int64_t block_edge(int64_t b, int64_t returns, int64_t blocks) { return (b * returns) / blocks; }

class SmaCrossSweep {
 public:
  SmaCrossSweep(const Inputs& in, const Costs& costs) : in_(in), costs_(costs) {}

  // Pairs [p0, p1) of fast/slow, for every symbol; out points at pair p0's first slot.
  void run(const uint32_t* fast, const uint32_t* slow, int64_t p0, int64_t p1, double* out) {
    const int64_t stride = kSlots + 2 * in_.blocks;
    // Distinct periods of this range (sorted), each computed once per symbol.
    periods_.clear();
    for (int64_t p = p0; p < p1; ++p) { periods_.push_back(fast[p]); periods_.push_back(slow[p]); }
    std::sort(periods_.begin(), periods_.end());
    periods_.erase(std::unique(periods_.begin(), periods_.end()), periods_.end());
    auto slot_of = [&](uint32_t period) {
      return static_cast<int32_t>(std::lower_bound(periods_.begin(), periods_.end(), period) - periods_.begin());
    };
    const int64_t nslots = static_cast<int64_t>(periods_.size());
    // Block length: the SMA buffer stays L2-resident.
    block_ = std::clamp<int64_t>(kSmaBufferBytes / (8 * nslots), 64, 2048);
    buf_.assign(static_cast<size_t>(nslots * block_), 0.0);
    sums_.assign(static_cast<size_t>(nslots), 0.0);
    const int64_t npairs = p1 - p0;
    states_.resize(static_cast<size_t>(npairs));
    slot_f_.resize(static_cast<size_t>(npairs));
    slot_s_.resize(static_cast<size_t>(npairs));
    for (int64_t k = 0; k < npairs; ++k) {
      slot_f_[k] = slot_of(fast[p0 + k]);
      slot_s_[k] = slot_of(slow[p0 + k]);
    }
    for (int64_t s = 0; s < in_.symbols; ++s) run_symbol(s, npairs, out, stride);
  }

 private:
  const Inputs& in_;
  const Costs& costs_;
  std::vector<uint32_t> periods_;
  std::vector<double> buf_, sums_;
  std::vector<PairState> states_;
  std::vector<int32_t> slot_f_, slot_s_;
  std::vector<int32_t> block_of_;
  int64_t returns_ = 0;  // returns of the current symbol: end - start - 1
  int64_t block_ = 512;

  // SMA of period p over bars [b0, b1) into dst[0 .. b1-b0), continuing the running sum.
  static void sma_block(const double* x, int64_t p, int64_t b0, int64_t b1, double& sum, double* dst) {
    const double div = static_cast<double>(p);
    const double nan = std::numeric_limits<double>::quiet_NaN();
    int64_t i = b0;
    for (; i < b1 && i < p - 1; ++i) { sum += x[i]; dst[i - b0] = nan; }
    if (i < b1 && i == p - 1) { sum += x[i]; dst[i - b0] = sum / div; ++i; }
    for (; i < b1; ++i) { sum += x[i] - x[i - p]; dst[i - b0] = sum / div; }
  }

  void run_symbol(int64_t s, int64_t npairs, double* out, int64_t stride) {
    const int64_t bars = in_.bars;
    const double* O = in_.open + s * bars;
    const double* H = in_.high + s * bars;
    const double* L = in_.low + s * bars;
    const double* C = in_.close + s * bars;
    const int64_t st = in_.start[s], en = in_.end[s];
    const int64_t from = st > 0 ? st - 1 : 0;  // bar start-1 gives the strategy its previous diff
    // Block of each return index j = i - st - 1 (returns at bars st+1 .. en-1).
    const int64_t returns = en - st - 1;
    returns_ = returns;
    if (in_.blocks > 0) {
      block_of_.resize(static_cast<size_t>(std::max<int64_t>(returns, 0)));
      for (int64_t b = 0; b < in_.blocks; ++b)
        for (int64_t j = block_edge(b, returns, in_.blocks); j < block_edge(b + 1, returns, in_.blocks); ++j) block_of_[j] = static_cast<int32_t>(b);
    }
    for (int64_t k = 0; k < npairs; ++k) {
      PairState& q = states_[k];
      q = PairState{};
      q.cash = costs_.cash0;
      q.qty = 0;
      q.prev_diff = std::numeric_limits<double>::quiet_NaN();
      q.prev_equity = costs_.cash0;
      q.peak = costs_.cash0;
      q.max_dd = 0;
      double* row = out + (k * in_.symbols + s) * stride;
      for (int64_t m = kSlots; m < stride; ++m) row[m] = 0.0;
    }
    std::fill(sums_.begin(), sums_.end(), 0.0);
    const int64_t nslots = static_cast<int64_t>(periods_.size());
    for (int64_t b0 = 0; b0 < en; b0 += block_) {
      const int64_t b1 = std::min(en, b0 + block_);
      for (int64_t k = 0; k < nslots; ++k) sma_block(C, periods_[k], b0, b1, sums_[k], buf_.data() + k * block_);
      if (b1 <= from) continue;
      const int64_t lo = std::max(b0, from);
      for (int64_t k = 0; k < npairs; ++k) {
        double* row = out + (k * in_.symbols + s) * stride;
        const double* F = buf_.data() + slot_f_[k] * block_ - b0;
        const double* Sv = buf_.data() + slot_s_[k] * block_ - b0;
        if (in_.blocks > 0) advance<true>(states_[k], F, Sv, O, H, L, C, lo, b1, st, row);
        else advance<false>(states_[k], F, Sv, O, H, L, C, lo, b1, st, row);
      }
    }
    for (int64_t k = 0; k < npairs; ++k) finish(states_[k], s, out + (k * in_.symbols + s) * stride);
  }

  // One pair over bars [lo, hi); F and S are indexed by absolute bar. Three paths with the
  // same arithmetic: a bar with a fill (general), a flat stretch (only the up-cross test) and
  // a long stretch (mark to market, moments, drawdown, down-cross test). Flat bars change
  // nothing but the previous diff: their return is exactly 0 (e / e - 1), which adds nothing
  // to any sum, and their equity equals the last one, which moves neither peak nor drawdown.
  template <bool kBlocks>
  inline void advance(PairState& q, const double* F, const double* S, const double* O, const double* H, const double* L,
                      const double* C, int64_t lo, int64_t hi, int64_t st, double* row) {
    const Costs& c = costs_;
    double cash = q.cash, qty = q.qty, prev = q.prev_diff, prev_e = q.prev_equity, peak = q.peak, max_dd = q.max_dd;
    double s1 = q.s1, s2 = q.s2, s3 = q.s3, s4 = q.s4;
    int pending = q.pending;
    int64_t in_market = q.in_market;
    const int32_t* block_of = block_of_.data();
    int64_t i = lo;
    while (i < hi) {
      if (pending != 0) {
        // The general path, for the bar a pending order fills on.
        bool touched = false;
        if (pending == 1) {
          // allIn buy at the open (allInQty, then fillAt's affordability check).
          const double px = c.exec_price(O[i], true, L[i], H[i]);
          double n = round_qty(cash / px, c.lot);
          for (int k = 0; k < 10000 && n > 0; ++k) {
            if (n * px + c.fee(n, px) <= cash + 1e-9) break;
            n = round_qty(n - c.lot.step, c.lot);
          }
          if (n > 0) {
            const double fee = c.fee(n, px);
            if (!(n * px + fee > cash + 1e-9)) {
              cash -= fee;
              cash -= n * px;
              qty = n;
              q.entry_px = px;
              q.entry_fee = fee;
              q.entry_bar = i;
              q.fees += fee;
              touched = true;
            }
          }
        } else {
          // allIn sell of the whole long position; books the round trip as Account does.
          const double n = qty;
          const double px = c.exec_price(O[i], false, L[i], H[i]);
          const double fee = c.fee(n, px);
          cash -= fee;
          cash -= (-n) * px;
          const double gross = n * (px - q.entry_px);
          double pnl = 0.0 - q.entry_fee;
          pnl += gross;
          pnl -= fee;
          q.trades++;
          if (pnl > 0) { q.wins++; q.gross_win += pnl; }
          else if (pnl < 0) q.loss_sum += pnl;
          q.fp.trade(q.entry_bar, i, (n * q.entry_px) / n, (n * px) / n, n);
          q.fees += fee;
          qty = 0;
          touched = true;
        }
        pending = 0;
        const double d = F[i] - S[i];
        if (d > 0) {
          if (prev <= 0 && qty <= 0) pending = 1;
        } else if (d < 0) {
          if (prev >= 0 && qty > 0) pending = 2;
        }
        if (qty > 0 || touched) {
          const double e = cash + qty * C[i];
          const double r = prev_e != 0 ? e / prev_e - 1 : 0;
          prev_e = e;
          const double r2 = r * r;
          s1 += r; s2 += r2; s3 += r2 * r; s4 += r2 * r2;
          if (kBlocks) {
            const int64_t b = block_of[i - st - 1];
            row[kSlots + 2 * b] += r;
            row[kSlots + 2 * b + 1] += r2;
          }
          if (e >= peak) peak = e;
          else max_dd = std::min(max_dd, e / peak - 1);
          if (qty > 0) ++in_market;
        }
        prev = d;
        ++i;
      } else if (qty <= 0) {
        // Flat: warm-up bars only move prev; from st on, wait for an up-cross.
        for (; i < hi && i < st; ++i) prev = F[i] - S[i];
        for (; i < hi; ++i) {
          const double d = F[i] - S[i];
          const bool up = d > 0 && prev <= 0;
          prev = d;
          if (up) { pending = 1; ++i; break; }
        }
      } else {
        // Long (always at or after st): mark to market every bar until a down-cross.
        // Block sums continue from the row's running values, so every addition happens in the
        // same order as one `row[b] += r` per return (the reference's order).
        int64_t b = 0, block_end = 0;
        double b1 = 0, b2 = 0;
        if (kBlocks) {
          b = block_of[i - st - 1];
          block_end = block_edge(b + 1, returns_, in_.blocks) + st + 1;
          b1 = row[kSlots + 2 * b];
          b2 = row[kSlots + 2 * b + 1];
        }
        for (; i < hi; ++i) {
          const double d = F[i] - S[i];
          const double e = cash + qty * C[i];
          const double r = prev_e != 0 ? e / prev_e - 1 : 0;
          prev_e = e;
          const double r2 = r * r;
          s1 += r; s2 += r2; s3 += r2 * r; s4 += r2 * r2;
          if (kBlocks) {
            if (i >= block_end) {
              row[kSlots + 2 * b] = b1;
              row[kSlots + 2 * b + 1] = b2;
              b = block_of[i - st - 1];
              block_end = block_edge(b + 1, returns_, in_.blocks) + st + 1;
              b1 = row[kSlots + 2 * b];
              b2 = row[kSlots + 2 * b + 1];
            }
            b1 += r; b2 += r2;
          }
          if (e >= peak) peak = e;
          else max_dd = std::min(max_dd, e / peak - 1);
          ++in_market;
          const bool down = d < 0 && prev >= 0;
          prev = d;
          if (down) { pending = 2; ++i; break; }
        }
        if (kBlocks) {
          row[kSlots + 2 * b] = b1;
          row[kSlots + 2 * b + 1] = b2;
        }
      }
    }
    q.cash = cash; q.qty = qty; q.prev_diff = prev; q.prev_equity = prev_e; q.peak = peak; q.max_dd = max_dd;
    q.s1 = s1; q.s2 = s2; q.s3 = s3; q.s4 = s4;
    q.pending = pending;
    q.in_market = in_market;
  }

  void finish(const PairState& q, int64_t s, double* row) const {
    const double n = static_cast<double>(in_.end[s] - in_.start[s]);
    const double k = n - 1;
    const double final_equity = q.prev_equity;
    const double mean = k > 0 ? q.s1 / k : 0;
    const double variance = k > 1 ? (q.s2 - k * mean * mean) / (k - 1) : 0;
    const double sd = std::sqrt(std::max(variance, 0.0));
    // Periods per year measured from the curve's own time span (computeMetrics).
    const double* t = in_.time + s * in_.bars;
    const double years = n > 1 ? (t[in_.end[s] - 1] - t[in_.start[s]]) / 31557600000.0 : 0;
    const double ppy = years > 0 ? (n - 1) / years : std::numeric_limits<double>::quiet_NaN();
    const double ann = std::sqrt(ppy);
    const double trades = static_cast<double>(q.trades);
    const double gross_loss = -q.loss_sum;
    double skew = 0, kurt = 3;
    if (k > 0) {
      const double m1 = q.s1 / k, a2 = q.s2 / k, a3 = q.s3 / k, a4 = q.s4 / k;
      const double c2 = a2 - m1 * m1;
      const double c3 = a3 - 3 * m1 * a2 + 2 * m1 * m1 * m1;
      const double c4 = a4 - 4 * m1 * a3 + 6 * m1 * m1 * a2 - 3 * m1 * m1 * m1 * m1;
      if (c2 > 0) { skew = c3 / (c2 * std::sqrt(c2)); kurt = c4 / (c2 * c2); }
    }
    row[kTotalReturn] = final_equity / costs_.cash0 - 1;
    row[kSharpe] = sd > 0 ? (mean / sd) * ann : 0;
    row[kMaxDrawdown] = q.max_dd;
    row[kTrades] = trades;
    row[kWinRate] = q.trades > 0 ? static_cast<double>(q.wins) / trades : 0;
    row[kProfitFactor] = gross_loss > 0 ? q.gross_win / gross_loss : q.gross_win > 0 ? std::numeric_limits<double>::infinity() : 0;
    row[kFinalEquity] = final_equity;
    row[kFees] = q.fees;
    row[kTimeInMarket] = n > 0 ? static_cast<double>(q.in_market) / n : 0;
    row[kSkew] = skew;
    row[kKurtosis] = kurt;
    row[kFingerprintHi] = static_cast<double>(q.fp.hi());
    row[kFingerprintLo] = static_cast<double>(q.fp.lo());
  }
};

}  // namespace neurion::sweep
