#!/usr/bin/env bash
#
# Copyright (c) 2026 The Boost.MillIO authors
#
# Distributed under the Boost Software License, Version 1.0. (See accompanying
# file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
#
# Stops example/http_server or example/jsonrpc_server with SIGINT or
# SIGTERM while requests are in flight on its compute pool: opens 16
# loopback connections, pipelines 4 slow requests on each, waits for the
# first response on any of them (the server is working on the others),
# sends the signal, and
# checks that the server exits 0, that its "stopped; compute tasks
# submitted N, completed M" line shows at least 8 tasks still to run when
# it stopped (they run while the loop is destroyed, after the server),
# and that no sanitizer reported anything.
#
# usage: example_shutdown_in_flight.sh http|jsonrpc <signal> <executable> [args...]
set -u
kind=$1; sig=$2; shift 2
case $kind in http|jsonrpc) ;; *) echo "unknown kind '$kind'"; exit 2;; esac
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$@" --port 0 >"$out" 2>&1 &
pid=$!
fail() { echo "FAIL: $*"; kill -KILL $pid 2>/dev/null; cat "$out"; exit 1; }
port=
for _ in $(seq 1 100); do
    line=$(head -n 1 "$out")
    if [[ $line =~ ^listening\ on\ .*:([0-9]+)$ ]]; then port=${BASH_REMATCH[1]}; break; fi
    kill -0 $pid 2>/dev/null || break
    sleep 0.1   # polling the output file of another process
done
[ -n "$port" ] || fail "no 'listening on' line"
echo "server pid $pid on port $port"

# The requests: each takes some milliseconds on the compute pool.
if [ "$kind" = http ]; then
    q=$(printf 'x%.0s' $(seq 1 256))
    reqs="GET /hash?$q HTTP/1.1\r\nHost: x\r\n\r\n"
    reqs+="GET /analytics HTTP/1.1\r\nHost: x\r\n\r\n"
    reqs+="GET /burst HTTP/1.1\r\nHost: x\r\n\r\n"
    reqs+="GET /hash?$q$q HTTP/1.1\r\nHost: x\r\n\r\n"
    first='^HTTP/1.1 200'
else
    reqs=
    for i in 1 2 3 4; do
        reqs+="{\"jsonrpc\":\"2.0\",\"method\":\"fib\",\"params\":[35],\"id\":$i}\n"
    done
    first='"result":9227465'
fi

fds=()
for _ in $(seq 1 16); do
    exec {fd}<>/dev/tcp/127.0.0.1/$port || fail "connect"
    fds+=("$fd")
    printf "$reqs" >&"$fd" || fail "write"
done
# The first response, on whichever connection: the server is busy with
# the others.
line=
for _ in $(seq 1 6000); do
    for fd in "${fds[@]}"; do
        if read -r -t 0 <&"$fd"; then   # bytes waiting on this one
            read -r -t 10 line <&"$fd" || fail "incomplete first response"
            break 2
        fi
    done
    sleep 0.01   # polling the sockets of another process
done
[ -n "$line" ] || fail "no response within 60 s"
[[ $line =~ $first ]] || fail "unexpected first response: $line"
echo "first response received; sending SIG$sig with requests in flight"

kill -"$sig" $pid
for _ in $(seq 1 600); do
    kill -0 $pid 2>/dev/null || break
    sleep 0.1   # waiting for another process to exit
done
kill -0 $pid 2>/dev/null && fail "server did not stop within 60 s of SIG$sig"
wait $pid
rc=$?
for fd in "${fds[@]}"; do exec {fd}>&-; done
cat "$out"
echo "server exited with $rc after SIG$sig"
[ $rc = 0 ] || { echo "FAIL: exit status $rc"; exit 1; }
if grep -q -E 'Sanitizer|runtime error' "$out"; then
    echo "FAIL: sanitizer report"; exit 1
fi
stats=$(grep -E '^stopped; compute tasks submitted [0-9]+, completed [0-9]+$' "$out")
[[ $stats =~ submitted\ ([0-9]+),\ completed\ ([0-9]+) ]] || { echo "FAIL: no 'stopped;' line"; exit 1; }
left=$(( BASH_REMATCH[1] - BASH_REMATCH[2] ))
echo "compute tasks still to run when the server stopped: $left"
[ $left -ge 8 ] || { echo "FAIL: fewer than 8 tasks in flight: the test proved nothing"; exit 1; }
echo "ok: stopped by SIG$sig with $left compute tasks in flight"
