#!/bin/sh
#
# Copyright (c) 2026 The Boost.MillIO authors
#
# Distributed under the Boost Software License, Version 1.0. (See accompanying
# file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
#
# usage: example_tcp_echo_server.sh SERVER SOCAT MIB [server flags...]
# Starts the echo server on a free port, pushes MIB MiB of random bytes
# through it with socat, compares checksums, stops it with SIGTERM and
# checks that it exits with status 0.
set -eu
server=$1; socat=$2; mib=$3; shift 3
dir=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
mkfifo "$dir/out"
"$server" --port 0 "$@" > "$dir/out" &
pid=$!
exec 3< "$dir/out"
read -r first <&3 || { echo "no output from server"; exit 1; }
case "$first" in
    "listening on "*) ;;
    *) echo "unexpected first line: $first"; exit 1 ;;
esac
port=${first##*:}
echo "server says: $first (port $port)"
head -c "$((mib * 1024 * 1024))" /dev/urandom > "$dir/in"
# When the input ends socat shuts down its write side; the server then
# flushes the echo and closes, which ends socat (-t bounds the wait).
timeout 120 "$socat" -b 65536 -t 30 TCP:127.0.0.1:"$port" STDIO < "$dir/in" > "$dir/echo" \
    || { echo "socat failed"; exit 1; }
a=$(sha256sum < "$dir/in" | cut -d' ' -f1)
b=$(sha256sum < "$dir/echo" | cut -d' ' -f1)
echo "sent $a"
echo "got  $b"
[ "$a" = "$b" ] || { echo "checksum mismatch ($(wc -c < "$dir/echo") bytes back)"; exit 1; }
kill -TERM $pid
status=0
wait $pid || status=$?
trap 'rm -rf "$dir"' EXIT
[ "$status" -eq 0 ] || { echo "server exited with $status"; exit 1; }
echo "ok"
