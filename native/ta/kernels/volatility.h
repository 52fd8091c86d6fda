// volatility indicators (see native/ta/ta.h for the kernel contract).
#pragma once
#include "ma.h"

namespace neurion::ta {

}  // namespace neurion::ta

#define NEURION_TA_VOLATILITY(TA)
