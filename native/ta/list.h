// The one list of indicator kernels. Each TA(name) needs ta_<name>, ta_<name>_lookback,
// ta_<name>_scratch and ta_<name>_meta from a header in native/ta/kernels/. The CPU table
// (table.cpp) and the CUDA dispatcher (kernels/ta.cu) both expand this list. Each group
// header defines its own NEURION_TA_<GROUP>(TA) list.
#pragma once
#include "kernels/ma.h"
#include "kernels/trend.h"
#include "kernels/momentum.h"
#include "kernels/volatility.h"
#include "kernels/volume.h"
#include "kernels/statistics.h"
#include "kernels/flow.h"

#define NEURION_TA_LIST(TA) \
  TA(sma)                   \
  TA(ema)                   \
  TA(wma)                   \
  NEURION_TA_TREND(TA)      \
  NEURION_TA_MOMENTUM(TA)   \
  NEURION_TA_VOLATILITY(TA) \
  NEURION_TA_VOLUME(TA)     \
  NEURION_TA_STATISTICS(TA) \
  NEURION_TA_FLOW(TA)
