#!/bin/sh
#
# Copyright (c) 2026 The Boost.MillIO authors
#
# Distributed under the Boost Software License, Version 1.0. (See accompanying
# file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
#
# Builds the libFuzzer targets with clang into build-fuzz and runs each for
# SECONDS (default 30) from a copy of its seed corpus in fuzz/corpus/.
#
#   fuzz/run.sh [SECONDS] [TARGET...]
#
# Crash inputs are written to build-fuzz/artifacts/<target>/.

set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
seconds=${1:-30}
[ $# -gt 0 ] && shift
targets=${*:-"net_read_path jsonrpc_framing"}
build="$root/build-fuzz"
CXX=${CXX:-clang++}

cmake -S "$root" -B "$build" \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_COMPILER="$CXX" \
    -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link,address -fno-omit-frame-pointer" \
    -DBOOST_MILLIO_BUILD_FUZZERS=ON -DBOOST_MILLIO_BUILD_TESTS=OFF \
    -DBOOST_MILLIO_BUILD_EXAMPLES=OFF -DBOOST_MILLIO_BUILD_BENCH=OFF >/dev/null
for t in $targets; do
    cmake --build "$build" -j2 --target "boost_millio-fuzz-$t"
done

status=0
for t in $targets; do
    corpus="$build/corpus/$t"
    artifacts="$build/artifacts/$t"
    mkdir -p "$corpus" "$artifacts"
    cp "$here/corpus/$t"/* "$corpus"/ 2>/dev/null || true
    echo "== $t: ${seconds} s"
    # No per-input leak checks: boost::lockfree keeps tags in the high bits
    # of its pointers, so LeakSanitizer cannot see that its nodes are
    # reachable while the server runs. Leaked connections are caught by the
    # targets themselves (connection_count() must return to 0); the ctest
    # runs under ASan cover leaks at exit.
    "$build/fuzz/boost_millio-fuzz-$t" -max_total_time="$seconds" -max_len=65536 \
        -detect_leaks=0 \
        -print_final_stats=1 -artifact_prefix="$artifacts/" "$corpus" \
        >"$build/$t.log" 2>&1 || status=1
    grep -E "^(stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb)|ERROR|Done|fuzz check failed" \
        "$build/$t.log" || true
    [ $status -eq 0 ] || echo "== $t FAILED, see $build/$t.log"
done
exit $status
