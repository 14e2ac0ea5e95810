#!/usr/bin/env bash
#
# Copyright (c) 2026 The Boost.MillIO authors
#
# Distributed under the Boost Software License, Version 1.0. (See accompanying
# file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
#
# Exercises example/http_server over loopback: every endpoint, keep-alive
# and pipelining, a malformed request (400, and the server keeps serving),
# wrk -t2 -c50 -d5s with 0 errors and 0 non-2xx responses when wrk is
# installed, then SIGTERM and exit status 0.
#
# usage: http_server_test.sh <http_server executable>
set -u
exe=$1
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$exe" --port 0 --threads 2 --compute-threads 2 >"$out" 2>&1 &
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
base=http://127.0.0.1:$port
echo "server pid $pid on port $port"

get() { curl -s -S --max-time 10 -o /dev/stdout -w '\n%{http_code}' "$base$1"; }
check() { # path expected-code body-pattern
    r=$(get "$1") || fail "$1: curl failed"
    code=${r##*$'\n'}
    body=${r%$'\n'*}
    [ "$code" = "$2" ] || fail "$1: status $code, expected $2"
    [[ $body =~ $3 ]] || fail "$1: body '$body' does not match '$3'"
    echo "ok: GET $1 -> $code"
}
check / 200 'Boost.MillIO'
check '/hash?abc' 200 '"hash":"[0-9]+"'
check /process-image 200 '"mean_after_blur"'
check /analytics 200 '"stddev"'
check /burst 200 '"tasks":12'
check /nothing-here 404 'not found'
check /metrics 200 '"tasks_submitted":[1-9]'

# keep-alive: several requests over one connection
n=$(curl -s --max-time 10 -o /dev/null -w '%{num_connects}\n' "$base/" "$base/hash" "$base/analytics" | awk '{s+=$1} END {print s}')
[ "$n" = 1 ] || fail "keep-alive: $n connections for 3 requests"
echo "ok: keep-alive (3 requests, 1 connection)"

# pipelining: three requests in one write, responses in request order
exec 3<>/dev/tcp/127.0.0.1/$port || fail "connect"
printf 'GET /analytics HTTP/1.1\r\nHost: x\r\n\r\nGET /hash HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' >&3
resp=$(timeout 10 cat <&3)
exec 3>&-
order=$(printf '%s' "$resp" | grep -o -E '"stddev"|"hash"|Boost.MillIO http_server</h1>' | paste -sd,)
[ "$order" = '"stddev","hash",Boost.MillIO http_server</h1>' ] || fail "pipelining order: $order"
echo "ok: pipelining (responses in request order although /analytics finishes last)"

# one request split across two segments (the pause between them is the
# behaviour under test: the server must keep the partial header)
exec 3<>/dev/tcp/127.0.0.1/$port || fail "connect"
printf 'GET /hash?split HTTP/1.1\r\nHo' >&3
sleep 0.2
printf 'st: x\r\nConnection: close\r\n\r\n' >&3
resp=$(timeout 10 cat <&3)
exec 3>&-
[[ $resp =~ ^HTTP/1.1\ 200 && $resp =~ \"hash\" ]] || fail "split request answered with: $resp"
echo "ok: request split across segments"

# malformed request: 400, connection closed, the server keeps serving
exec 3<>/dev/tcp/127.0.0.1/$port || fail "connect"
printf 'GARBAGE\x01 / HTTP/9\r\n\r\n' >&3
resp=$(timeout 10 cat <&3)
exec 3>&-
[[ $resp =~ ^HTTP/1.1\ 400 ]] || fail "malformed request answered with: $resp"
echo "ok: malformed request -> 400"
check / 200 'Boost.MillIO'

if command -v wrk >/dev/null; then
    w=$(wrk -t2 -c50 -d5s "$base/" 2>&1)
    echo "$w"
    echo "$w" | grep -q 'Socket errors' && fail "wrk reported socket errors"
    echo "$w" | grep -q 'Non-2xx' && fail "wrk reported non-2xx responses"
    echo "$w" | grep -q 'Requests/sec' || fail "wrk did not run"
    echo "ok: wrk -t2 -c50 -d5s: 0 errors, 0 non-2xx"
else
    echo "wrk not installed: load check skipped"
fi

kill -TERM $pid
for _ in $(seq 1 100); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
kill -0 $pid 2>/dev/null && fail "server did not stop on SIGTERM"
wait $pid
rc=$?
tail -1 "$out"
echo "server exited with $rc"
exit $rc
