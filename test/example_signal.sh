#!/usr/bin/env bash
#
# Copyright (c) 2026 The Boost.MillIO authors
#
# Distributed under the Boost Software License, Version 1.0. (See accompanying
# file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
#
# Starts a server example on a free port, checks that its first line is
# "listening on <address>:<port>", exchanges a line with it over loopback
# (echo servers), sends it SIGINT or SIGTERM and checks that it exits 0.
#
# usage: example_signal.sh <signal> <executable> [args...]
set -u
sig=$1; shift
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$@" --port 0 >"$out" 2>&1 &
pid=$!
port=
for _ in $(seq 1 100); do
    line=$(head -n 1 "$out")
    if [[ $line =~ ^listening\ on\ .*:([0-9]+)$ ]]; then port=${BASH_REMATCH[1]}; break; fi
    kill -0 $pid 2>/dev/null || break
    sleep 0.1   # polling the output file of another process
done
if [ -z "$port" ]; then
    echo "no 'listening on' line; output:"; cat "$out"; kill -KILL $pid 2>/dev/null; exit 1
fi
echo "server pid $pid on port $port"
if [ "${ECHO_CHECK:-1}" = 1 ]; then
    exec 3<>/dev/tcp/127.0.0.1/$port || { kill -KILL $pid; exit 1; }
    printf 'hello millio\n' >&3
    read -r -t 5 reply <&3
    exec 3>&-
    if [ "$reply" != "hello millio" ]; then
        echo "bad echo: '$reply'"; kill -KILL $pid; exit 1
    fi
    echo "echo ok"
fi
kill -"$sig" $pid
for _ in $(seq 1 100); do
    kill -0 $pid 2>/dev/null || break
    sleep 0.1
done
if kill -0 $pid 2>/dev/null; then
    echo "server did not stop on SIG$sig"; kill -KILL $pid; exit 1
fi
wait $pid
rc=$?
echo "server exited with $rc after SIG$sig"
cat "$out"
exit $rc
