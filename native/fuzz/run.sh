#!/usr/bin/env bash
# Builds native/fuzz/ta_fuzz.cpp against native/ta/table.cpp and native/ta/features.cpp with AddressSanitizer +
# UndefinedBehaviorSanitizer and runs it. Exits non-zero on any sanitizer report, any failed
# check, or a build failure. Run from anywhere:
#
#   bash native/fuzz/run.sh                 # 20000 iterations, seed from the clock (printed)
#   bash native/fuzz/run.sh 50000 1234      # iterations, seed
#   bash native/fuzz/run.sh 2000 1234 --indicators sma,ema    # extra args go to ta_fuzz
#
# Replay one failing case: the FAIL line ends with "(replay: ta_fuzz --seed S --only I)";
# run  KEEP=1 bash native/fuzz/run.sh 1 S --only I  (then build/fuzz/ta_fuzz --seed S --only I).
# Environment: JOBS (parallel shards, default: number of cores, at most 4), CXX (default g++),
# KEEP=1 (keep the binary in build/fuzz/ta_fuzz instead of a temp dir), MAX_SECONDS (per-shard
# time cap, default 150: stops early with a note rather than running on).
set -u
cd "$(dirname "$0")/../.."

iters=${1:-20000}
seed=${2:-$(( $(date +%s%N) % 1000000000 ))}
shift $(( $# >= 2 ? 2 : $# ))
extra=("$@")
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}
[ "$jobs" -gt 4 ] && jobs=4
[ "$jobs" -lt 1 ] && jobs=1
for a in "${extra[@]}"; do [ "$a" = --only ] && jobs=1; done
cxx=${CXX:-g++}

if [ "${KEEP:-0}" = 1 ]; then
  dir=build/fuzz
  mkdir -p "$dir"
else
  dir=$(mktemp -d)
  trap 'rm -rf "$dir"' EXIT
fi
bin=$dir/ta_fuzz

# table.cpp includes native/common/args.h, hence napi.h: headers only. napi.h emits weak
# virtual functions (AsyncWorker, ...) that reference napi_* symbols; --gc-sections drops
# them (nothing references them), so the program links without node.
napi_inc=$(node -p "require('node-addon-api').include_dir" 2>/dev/null || echo node_modules/node-addon-api)
node_inc=${NODE_INCLUDE:-$(dirname "$(dirname "$(command -v node 2>/dev/null || echo /usr/bin/node)")")/include/node}
echo "== building ta_fuzz ($($cxx --version | head -1))"
t0=$(date +%s)
cflags=(-std=c++17 -O1 -g -fno-omit-frame-pointer -ffp-contract=off -pthread -Wall -Wextra -Wno-unused-parameter
        -fsanitize=address,undefined,float-cast-overflow -fno-sanitize-recover=all
        -I"$napi_inc" -I"$node_inc" -DNAPI_VERSION=8 -DNAPI_CPP_EXCEPTIONS -ffunction-sections -fdata-sections)
# The three translation units compile in parallel (features.cpp: the fused feature kernel's
# CPU core and set validation, native/ta/features.h).
$cxx "${cflags[@]}" -c native/fuzz/ta_fuzz.cpp -o "$dir/ta_fuzz.o" & p1=$!
$cxx "${cflags[@]}" -c native/ta/table.cpp -o "$dir/table.o" & p2=$!
$cxx "${cflags[@]}" -c native/ta/features.cpp -o "$dir/features.o" & p3=$!
wait $p1; r1=$?
wait $p2; r2=$?
wait $p3; r3=$?
if [ $r1 -ne 0 ] || [ $r2 -ne 0 ] || [ $r3 -ne 0 ] ||
   ! $cxx "${cflags[@]}" -Wl,--gc-sections "$dir/ta_fuzz.o" "$dir/table.o" "$dir/features.o" -o "$bin"; then
  echo "FAIL: ta_fuzz does not build"
  exit 2
fi
echo "   built in $(( $(date +%s) - t0 )) s"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:halt_on_error=1:abort_on_error=0:detect_stack_use_after_return=1:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

echo "== ta_fuzz: $iters iterations, seed $seed, $jobs shard(s)"
t0=$(date +%s)
pids=()
for ((k = 0; k < jobs; k++)); do
  "$bin" --iterations "$iters" --seed "$seed" --shard "$k/$jobs" --max-seconds "${MAX_SECONDS:-150}" "${extra[@]}" \
    > "$dir/shard$k.log" 2>&1 &
  pids+=($!)
done
status=0
for ((k = 0; k < jobs; k++)); do
  wait "${pids[$k]}"
  rc=$?
  log=$dir/shard$k.log
  if [ $jobs -gt 1 ]; then echo "-- shard $k/$jobs (exit $rc)"; fi
  # Per-shard tables are long; show failures, sanitizer reports, warnings and the summary.
  grep -E '^(FAIL|     |warn|ta_fuzz:)|ERROR: AddressSanitizer|runtime error:|SUMMARY:|^    #[0-9]' "$log" | grep -v '^ta_fuzz: per indicator' | head -150
  if [ $rc -ne 0 ] || grep -qE 'ERROR: AddressSanitizer|runtime error:|LeakSanitizer' "$log"; then
    status=1
  fi
  grep -q 'stopped at --max-seconds' "$log" && echo "note: shard $k hit the time cap (MAX_SECONDS=${MAX_SECONDS:-150})"
done
# Coverage over all shards: indicators with at least one run.
cat "$dir"/shard*.log | awk '/^  [A-Za-z0-9_]+ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+/ {tot[$1]=1; if ($2>0) runs[$1]=1; if ($4>0) fails[$1]=1} END {n=0; f=""; for (k in runs) n++; for (k in fails) f=f" "k; m=0; for (k in tot) m++; printf "== indicators run: %d of %d%s\n", n, m, (f=="" ? "" : ";  failing:" f)}'
echo "== ta_fuzz $([ $status = 0 ] && echo passed || echo FAILED): seed $seed, $iters iterations in $(( $(date +%s) - t0 )) s"
exit $status
