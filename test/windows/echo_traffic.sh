#!/bin/sh
#
# Copyright (c) 2026 The Boost.MillIO authors
#
# Distributed under the Boost Software License, Version 1.0. (See accompanying
# file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
#
# The Windows build of example/tcp_echo_server, run by Wine, serving a
# Linux client over loopback: 50 connections, each with 8 messages of
# 1 MiB in flight, every echoed byte (and so the order of the pipelined
# messages) verified by test/windows/echo_pipeline_client.cpp.
#
#   test/windows/echo_traffic.sh BUILD_DIR/example/tcp_echo_server.exe
#
# Environment: WINE (default: wine64 in PATH, else /usr/lib/wine/wine64),
# WINEPREFIX (default: a new one under /tmp, removed at the end), CXX
# (the host compiler for the client, default c++), MESSAGES (per
# connection, default 16), CONNECTIONS (50), DEPTH (8), SIZE (1048576),
# TIMEOUT (the client's, in seconds, default 300).
# Exits with the client's status: 0 when every byte came back in order.

set -eu

server=${1:?usage: echo_traffic.sh path/to/tcp_echo_server.exe}
here=$(cd "$(dirname "$0")" && pwd)
if [ -z "${WINE:-}" ]; then
    WINE=$(command -v wine64 || command -v wine || echo /usr/lib/wine/wine64)
fi
# (Debian's wine64 package alone installs /usr/lib/wine/wineserver64.)
WINESERVER=$(command -v wineserver || command -v wineserver64 || echo /usr/lib/wine/wineserver64)
tmp=$(mktemp -d /tmp/boost_millio-echo-traffic.XXXXXX)
own_prefix=0
if [ -z "${WINEPREFIX:-}" ]; then
    WINEPREFIX=$tmp/prefix
    own_prefix=1
fi
export WINEPREFIX WINEDEBUG=-all
server_pid=

finish() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill "$server_pid" 2>/dev/null || true
        i=0
        while kill -0 "$server_pid" 2>/dev/null && [ $i -lt 50 ]; do
            sleep 0.2
            i=$((i + 1))
        done
        kill -9 "$server_pid" 2>/dev/null || true
    fi
    if [ "$own_prefix" = 1 ]; then
        "$WINESERVER" -k 2>/dev/null || true
    fi
    rm -rf "$tmp"
}
trap finish EXIT

${CXX:-c++} -std=c++17 -O2 -o "$tmp/client" "$here/echo_pipeline_client.cpp"

"$WINE" "$server" --port 0 --threads 2 > "$tmp/server.out" 2>&1 &
server_pid=$!

# Its first line: "listening on <address>:<port>" (the first start of a
# prefix takes some seconds).
port=
i=0
while [ $i -lt 600 ]; do
    port=$(sed -n 's/.*listening on .*:\([0-9][0-9]*\).*/\1/p' "$tmp/server.out" | head -1)
    [ -n "$port" ] && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.2
    i=$((i + 1))
done
if [ -z "$port" ]; then
    echo "echo_traffic: the server did not start listening" >&2
    cat "$tmp/server.out" >&2
    exit 1
fi
echo "tcp_echo_server.exe (Wine) listening on port $port"

start=$(date +%s)
status=0
"$tmp/client" --port "$port" --connections "${CONNECTIONS:-50}" --depth "${DEPTH:-8}" \
    --size "${SIZE:-1048576}" --messages "${MESSAGES:-16}" --timeout "${TIMEOUT:-300}" || status=$?
echo "echo_traffic: client status $status after $(( $(date +%s) - start )) s"
if [ "$status" != 0 ]; then
    echo "--- server output" >&2
    cat "$tmp/server.out" >&2
fi
exit $status
