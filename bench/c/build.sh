#!/usr/bin/env bash
# Builds the C/C++ indicator benchmark (bench/c/ta_bench.cpp) against
#   - TA-Lib's C sources shipped inside node_modules/talib/src/lib (ta_func, ta_common,
#     ta_abstract), compiled here into a static library,
#   - Tulip Indicators' C amalgamation inside node_modules/tulind/external,
#   - Neurion's indicator table native/ta/table.cpp (the same code the addon runs),
# all with the same compiler and -O3 (the addon's own flags are -O3 -ffp-contract=off, no -march).
# Nothing here is committed: objects and the binary go to $BUILD_DIR (default build/bench-c,
# git-ignored). Rebuilds only what is older than its sources. Prints the binary's path last.
#
#   bash bench/c/build.sh            # -> build/bench-c/ta_bench
#   CC=clang CXX=clang++ BUILD_DIR=/tmp/x bash bench/c/build.sh
#
# Exit codes: 0 built, 3 toolchain or sources missing (the node driver reports a skip), 2 build failure.
set -u
cd "$(dirname "$0")/../.."
root=$PWD
cc=${CC:-gcc}
cxx=${CXX:-g++}
out=${BUILD_DIR:-build/bench-c}
jobs=${JOBS:-2}
talib_src=node_modules/talib/src/lib
tulip_src=node_modules/tulind/external

for tool in "$cc" "$cxx" ar; do
  command -v "$tool" >/dev/null 2>&1 || { echo "SKIP: $tool not found" >&2; exit 3; }
done
[ -d "$talib_src/src/ta_func" ] || { echo "SKIP: TA-Lib sources not found in $talib_src" >&2; exit 3; }
[ -f "$tulip_src/tiamalgamation.c" ] || { echo "SKIP: Tulip amalgamation not found in $tulip_src" >&2; exit 3; }

mkdir -p "$out/talib" "$out/obj"
peer_cflags=(-O3 -pipe -fno-strict-aliasing -DTA_SINGLE_THREAD -w)
our_cxxflags=(-std=c++17 -O3 -ffp-contract=off -pthread -Wall -Wextra -Wno-unused-parameter
              -DNAPI_VERSION=8 -DNAPI_CPP_EXCEPTIONS -ffunction-sections -fdata-sections)

# --- TA-Lib: every ta_func / ta_common / ta_abstract .c file into libta.a ---
inc=(-I"$talib_src/include" -I"$talib_src/src/ta_common" -I"$talib_src/src/ta_abstract"
     -I"$talib_src/src/ta_abstract/tables" -I"$talib_src/src/ta_abstract/frames")
srcs=()
for f in "$talib_src"/src/ta_func/*.c "$talib_src"/src/ta_common/*.c "$talib_src"/src/ta_abstract/*.c \
         "$talib_src"/src/ta_abstract/frames/*.c "$talib_src"/src/ta_abstract/tables/*.c; do
  case "$f" in *excel_glue.c) continue ;; esac
  srcs+=("$f")
done
stale=()
for f in "${srcs[@]}"; do
  o="$out/talib/$(basename "${f%.c}").o"
  [ "$o" -nt "$f" ] || stale+=("$f")
done
if [ ${#stale[@]} -gt 0 ] || [ ! -f "$out/libta.a" ]; then
  echo "== compiling ${#stale[@]} TA-Lib source(s) ($($cc --version | head -1))" >&2
  printf '%s\n' "${stale[@]}" | xargs -P "$jobs" -I{} sh -c \
    'f={}; b=$(basename "${f%.c}"); exec "$0" -c "$@" "$f" -o "'"$out"'/talib/$b.o"' "$cc" "${peer_cflags[@]}" "${inc[@]}" || {
    echo "FAIL: TA-Lib does not build" >&2; exit 2; }
  rm -f "$out/libta.a"
  ar rcs "$out/libta.a" "$out"/talib/*.o || exit 2
fi

# --- Tulip Indicators: one amalgamated file ---
if [ ! "$out/obj/tulip.o" -nt "$tulip_src/tiamalgamation.c" ]; then
  echo "== compiling Tulip Indicators" >&2
  $cc "${peer_cflags[@]}" -I"$tulip_src" -c "$tulip_src/tiamalgamation.c" -o "$out/obj/tulip.o" || { echo "FAIL: Tulip does not build" >&2; exit 2; }
fi

# --- Neurion: table.cpp (includes every kernel header) + the benchmark driver ---
napi_inc=$(node -p "require('node-addon-api').include_dir" 2>/dev/null || echo node_modules/node-addon-api)
node_inc=${NODE_INCLUDE:-$(dirname "$(dirname "$(command -v node 2>/dev/null || echo /usr/bin/node)")")/include/node}
newest_native=$(ls -t native/ta/*.cpp native/ta/*.h native/ta/kernels/*.h native/common/*.h | head -1)
if [ ! "$out/obj/table.o" -nt "$newest_native" ]; then
  echo "== compiling native/ta/table.cpp ($($cxx --version | head -1))" >&2
  $cxx "${our_cxxflags[@]}" -I"$napi_inc" -I"$node_inc" -c native/ta/table.cpp -o "$out/obj/table.o" || { echo "FAIL: table.cpp does not build" >&2; exit 2; }
fi
if [ ! "$out/obj/ta_bench.o" -nt bench/c/ta_bench.cpp ] || [ ! "$out/obj/ta_bench.o" -nt "$newest_native" ]; then
  echo "== compiling bench/c/ta_bench.cpp" >&2
  $cxx "${our_cxxflags[@]}" -I"$napi_inc" -I"$node_inc" -I"$talib_src/include" -I"$tulip_src" \
    -c bench/c/ta_bench.cpp -o "$out/obj/ta_bench.o" || { echo "FAIL: ta_bench.cpp does not build" >&2; exit 2; }
fi
$cxx -pthread -Wl,--gc-sections "$out/obj/ta_bench.o" "$out/obj/table.o" "$out/obj/tulip.o" "$out/libta.a" -lm -o "$out/ta_bench" || {
  echo "FAIL: ta_bench does not link" >&2; exit 2; }
# Flags, for the results file.
{
  echo "cc=$($cc --version | head -1)"
  echo "cxx=$($cxx --version | head -1)"
  echo "peer_cflags=${peer_cflags[*]}"
  echo "our_cxxflags=${our_cxxflags[*]}"
} > "$out/flags.txt"
echo "$root/$out/ta_bench"
