#!/usr/bin/env bash
#
# Copyright (c) 2026 The Boost.MillIO authors
#
# Distributed under the Boost Software License, Version 1.0. (See accompanying
# file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
#
# Requests per second of example/http_server against bench/beast_http_server
# (Boost.Beast on Asio, same thread count), wrk -t2 -c50 on GET /,
# interleaved A B A B ... for ROUNDS rounds of SECONDS each; prints the
# medians, the spreads and the ratio.
#
# usage: bench/http_bench.sh [BUILD_DIR] [ROUNDS] [SECONDS] [THREADS]
set -eu
build=${1:-build-release}
rounds=${2:-3}
secs=${3:-5}
threads=${4:-2}
command -v wrk >/dev/null || { echo "wrk is not installed"; exit 1; }

run() { # exe args... ; prints requests/s
    out=$(mktemp)
    "$@" --port 0 --threads "$threads" >"$out" 2>&1 &
    pid=$!
    for _ in $(seq 1 100); do
        port=$(head -n 1 "$out" | sed -n 's/^listening on .*:\([0-9]*\)$/\1/p')
        [ -n "$port" ] && break
        sleep 0.1
    done
    r=$(wrk -t2 -c50 -d"${secs}s" "http://127.0.0.1:$port/" 2>&1)
    kill -TERM $pid; wait $pid || true
    rm -f "$out"
    if echo "$r" | grep -q -E 'Socket errors|Non-2xx'; then echo "errors: $r" >&2; fi
    echo "$r" | sed -n 's/^Requests\/sec: *\([0-9.]*\)/\1/p'
}

a=(); b=()
for i in $(seq 1 "$rounds"); do
    a+=("$(run "$build/example/http_server")")
    b+=("$(run "$build/bench/beast_http_server")")
    echo "round $i: millio ${a[-1]} req/s, beast ${b[-1]} req/s"
done
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
spread() { printf '%s\n' "$@" | sort -g | awk 'NR==1{lo=$1} {hi=$1} END {printf "%.0f - %.0f", lo, hi}'; }
ma=$(median "${a[@]}"); mb=$(median "${b[@]}")
printf '\nwrk -t2 -c50 -d%ss GET /, %s server threads, %s rounds\n' "$secs" "$threads" "$rounds"
printf '  %-26s %12s  %22s  %s\n' contender "median req/s" "spread" "vs beast"
printf '  %-26s %12.0f  %22s  %.2fx\n' "millio http_server" "$ma" "$(spread "${a[@]}")" "$(echo "$ma $mb" | awk '{print $1/$2}')"
printf '  %-26s %12.0f  %22s  %.2fx\n' "beast_http_server" "$mb" "$(spread "${b[@]}")" 1
