#!/bin/sh
#
# Copyright (c) 2026 The Boost.MillIO authors
#
# Distributed under the Boost Software License, Version 1.0. (See accompanying
# file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
#
# Runs a program and passes when it exits with status 0 and its output
# (stdout and stderr) has a line matching PATTERN and, with --not, none
# matching FAIL_PATTERN (extended regular expressions).
#
# usage: expect_output.sh [--not FAIL_PATTERN] PATTERN PROGRAM [ARGS...]
set -u
bad=
if [ "$1" = --not ]; then bad=$2; shift 2; fi
pattern=$1; shift
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$@" >"$out" 2>&1
rc=$?
cat "$out"
[ $rc = 0 ] || { echo "FAIL: exit status $rc"; exit 1; }
grep -q -E -- "$pattern" "$out" || { echo "FAIL: no line matches '$pattern'"; exit 1; }
if [ -n "$bad" ] && grep -q -E -- "$bad" "$out"; then
    echo "FAIL: a line matches '$bad'"; exit 1
fi
echo "ok: '$pattern' found"
