#!/bin/bash
#
# Copyright (c) 2026 The Boost.MillIO authors
#
# Distributed under the Boost Software License, Version 1.0. (See accompanying
# file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
#
# Server CPU time per echoed message, with the reference load generator
# as the client: each server of net_bench (`net_bench serve <kind>`) in
# its own process, started once; the contenders take turns in each round
# (the order reversed every other round); for each cell the server's
# utime + stime (/proc/<pid>/stat) over the measured window of loadgen,
# divided by the messages it echoed in that window.
#
#   bench/net_cpu.sh NET_BENCH LOADGEN [ROUNDS] [SECONDS] [KINDS...]
#
# NET_BENCH: the net_bench program; LOADGEN: built from loadgen.cpp of
# the shared bench folder. KINDS default to millio-uring-direct
# millio-direct asio asio-uring epoll (asio and asio-uring on one
# thread). Prints one line per cell, then per scenario the median
# (min - max) in microseconds per message and the ratio of the medians
# to the first kind. Scenarios: (b) 100 connections x 64 B, (c) 8
# connections x 16 in flight x 512 B (NET_CPU_SCENARIOS=bc, the
# default); also (a) 1 connection ping-pong x 64 B and (d) 4
# connections x 64 KiB (NET_CPU_SCENARIOS=abcd, any subset).
# NET_CPU_SYSCALLS=1 also counts the server's system calls in the window
# (perf stat -e raw_syscalls:sys_enter, all its threads) and prints them
# per message. NET_CPU_LOADGEN_ARGS adds arguments to every loadgen run
# (e.g. "--threads 2": client and server then share both CPUs, and the
# msg/s column is the throughput to compare).

set -u
bench=$1
loadgen=$2
rounds=${3:-3}
secs=${4:-3}
shift 4 2>/dev/null || shift $#
kinds=("$@")
[ ${#kinds[@]} -eq 0 ] && kinds=(millio-uring-direct millio-direct asio asio-uring epoll)
warm=0.5
hz=$(getconf CLK_TCK)

declare -A pid port
cleanup() { for k in "${kinds[@]}"; do [ -n "${pid[$k]:-}" ] && kill "${pid[$k]}" 2>/dev/null; done; }
trap cleanup EXIT
for k in "${kinds[@]}"; do
    out=$(mktemp)
    extra=()
    case $k in asio|asio-uring|millio-pool|millio-uring-pool) extra=(--threads 1);; esac
    "$bench" serve "$k" "${extra[@]}" > "$out" &
    for _ in $(seq 50); do grep -q listening "$out" && break; sleep 0.1; done
    line=$(head -1 "$out"); rm -f "$out"
    port[$k]=$(sed -n 's/.*:\([0-9]*\) pid.*/\1/p' <<< "$line")
    pid[$k]=$(sed -n 's/.* pid \([0-9]*\)/\1/p' <<< "$line")
    [ -z "${port[$k]}" ] && { echo "server $k did not start" >&2; exit 1; }
done

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# median (min - max) of a list of numbers
med_range() { tr ' ' '\n' <<< "$1" | grep . | sort -g | awk '{a[NR]=$1} END{printf "%.1f (%.1f - %.1f)", a[int((NR+1)/2)], a[1], a[NR]}'; }

declare -A cells
scen=${NET_CPU_SCENARIOS:-bc}
echo "# $(uname -r), $(nproc) CPUs, load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq "$rounds"); do
    order=("${kinds[@]}")
    if [ $((r % 2)) -eq 0 ]; then
        order=(); for ((i=${#kinds[@]}-1; i>=0; i--)); do order+=("${kinds[$i]}"); done
    fi
    for s in $(grep -o . <<< "$scen"); do
        case $s in
            a) args=(--conns 1 --depth 1 --size 64);;
            b) args=(--conns 100 --depth 1 --size 64);;
            c) args=(--conns 8 --depth 16 --size 512);;
            d) args=(--conns 4 --depth 1 --size 65536);;
        esac
        for k in "${order[@]}"; do
            p=${pid[$k]}
            res=$(mktemp)
            "$loadgen" --port "${port[$k]}" "${args[@]}" ${NET_CPU_LOADGEN_ARGS:-} --seconds "$secs" --warmup "$warm" > "$res" 2>&1 &
            lg=$!
            sleep "$warm"
            t0=$(ticks "$p")
            sc_file=
            if [ "${NET_CPU_SYSCALLS:-0}" = 1 ]; then
                sc_file=$(mktemp)
                sc_window=$(awk -v s="$secs" 'BEGIN{ printf "%.2f", s - 0.3 }')
                perf stat -x, -e raw_syscalls:sys_enter -p "$p" -o "$sc_file" -- sleep "$sc_window" &
                sc_pid=$!
            fi
            wait $lg
            t1=$(ticks "$p")
            msgs=$(grep -o 'msgs=[0-9]*' "$res" | head -1 | cut -d= -f2)
            rate=$(grep -o 'msgs_per_s=[0-9.]*' "$res" | cut -d= -f2)
            errs=$(grep -o 'errors=[0-9]*' "$res" | tail -1 | cut -d= -f2)
            p50=$(grep -o 'p50_us=[0-9.]*' "$res" | cut -d= -f2)
            p99=$(grep -o 'p99_us=[0-9.]*' "$res" | cut -d= -f2)
            rm -f "$res"
            us=$(awk -v t=$((t1 - t0)) -v hz="$hz" -v m="${msgs:-0}" 'BEGIN{ if(m>0) printf "%.3f", t/hz*1e6/m; else print "nan" }')
            sc_text=
            if [ -n "$sc_file" ]; then
                wait $sc_pid
                sc=$(grep -o '^[0-9]*,' "$sc_file" | head -1 | tr -d ,)
                rm -f "$sc_file"
                # the messages of the window: the rate times its length
                per=$(awk -v c="${sc:-0}" -v r="${rate:-0}" -v w="$sc_window" 'BEGIN{ if(r>0) printf "%.3f", c/(r*w); else print "nan" }')
                sc_text=", ${per} syscalls/msg"
                cells[sc,$s,$k]="${cells[sc,$s,$k]:-} $per"
            fi
            echo "round $r ($s) $k: ${us} us/msg${sc_text}, ${rate} msg/s, p50 ${p50:-?} us, p99 ${p99:-?} us, errors ${errs:-?}, load $(cut -d' ' -f1 /proc/loadavg)"
            cells[$s,$k]="${cells[$s,$k]:-} $us"
            cells[rate,$s,$k]="${cells[rate,$s,$k]:-} ${rate:-0}"
            cells[p50,$s,$k]="${cells[p50,$s,$k]:-} ${p50:-nan}"
            cells[p99,$s,$k]="${cells[p99,$s,$k]:-} ${p99:-nan}"
        done
    done
done
for s in $(grep -o . <<< "$scen"); do
    echo "($s) msg/s, median (min - max), ratio to ${kinds[0]}:"
    rbase=$(tr ' ' '\n' <<< "${cells[rate,$s,${kinds[0]}]:-}" | grep . | sort -g | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}')
    for k in "${kinds[@]}"; do
        tr ' ' '\n' <<< "${cells[rate,$s,$k]:-}" | grep . | sort -g | awk -v k="$k" -v b="$rbase" \
            '{a[NR]=$1} END{m=a[int((NR+1)/2)]; printf "  %-22s %9.0f (%.0f - %.0f)  %.2f\n", k, m, a[1], a[NR], m/b}'
    done
    echo "($s) median (min - max) us/msg, ratio to ${kinds[0]}:"
    base=$(tr ' ' '\n' <<< "${cells[$s,${kinds[0]}]}" | grep . | sort -g | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}')
    for k in "${kinds[@]}"; do
        tr ' ' '\n' <<< "${cells[$s,$k]}" | grep . | sort -g | awk -v k="$k" -v b="$base" \
            '{a[NR]=$1} END{m=a[int((NR+1)/2)]; printf "  %-22s %7.3f (%.3f - %.3f)  %.2f\n", k, m, a[1], a[NR], m/b}'
    done
    echo "($s) loadgen latency (us), median of the rounds' p50 and p99 (min - max):"
    for k in "${kinds[@]}"; do
        p50s=$(med_range "${cells[p50,$s,$k]:-}")
        p99s=$(med_range "${cells[p99,$s,$k]:-}")
        printf "  %-22s p50 %s  p99 %s\n" "$k" "$p50s" "$p99s"
    done
    if [ "${NET_CPU_SYSCALLS:-0}" = 1 ]; then
        echo "($s) system calls per message, median (min - max):"
        for k in "${kinds[@]}"; do
            tr ' ' '\n' <<< "${cells[sc,$s,$k]:-}" | grep . | sort -g | awk -v k="$k" \
                '{a[NR]=$1} END{ if(NR) printf "  %-22s %7.3f (%.3f - %.3f)\n", k, a[int((NR+1)/2)], a[1], a[NR] }'
        done
    fi
done
echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
