#!/usr/bin/env bash
#
# Copyright (c) 2026 The Boost.MillIO authors
#
# Distributed under the Boost Software License, Version 1.0. (See accompanying
# file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
#
# Builds and tests the library as libs/millio of the Boost 1.81
# superproject, in a temporary folder:
#
#   1. b2 from the Boost root: ./bootstrap.sh (needs bison for the
#      Debian tarball), ./b2 headers, then
#      ./b2 libs/millio/test libs/millio/example (the tests, the examples
#      and their tests, against the tree's own Boost);
#   2. Boost's CMake: the root configured with -DBOOST_INCLUDE_LIBRARIES=millio
#      -DBUILD_TESTING=ON, the tests built and run with ctest, then
#      `cmake --install` of the tree;
#   3. a consumer project (test/cmake_install_test) that finds the installed
#      library with find_package(boost_millio), built and run.
#
# The superproject's tree is the .orig tarball of Debian's source package
# boost1.81, fetched with `apt-get source` (through a private deb-src
# entry, copied from the machine's Debian entry; the system's apt
# configuration is left alone) and kept in $BOOST_TREE_CACHE between runs.
#
# The point is the build integration, not the library's behaviour (the
# other CI jobs test that): the tests run with one configuration of the
# event loop and at a reduced size (MILLIO_TEST_CONFIGS, MILLIO_TEST_SCALE
# below), and only the Boost libraries the library, its tests and its
# examples need are built.
#
# usage: tools/boost-tree-test.sh [--keep]
#   --keep             leave the temporary folder (its path is printed)
#   BOOST_TREE_CACHE   where the tarball is kept (default ~/.cache/boost-millio)
#   BOOST_TREE_TARBALL a Boost 1.81 superproject tarball to use instead
#   JOBS               parallel jobs (default 2)
#   MILLIO_TEST_CONFIGS the event loop configurations the tests run
#                      (default epoll/pool; "/" runs them all)
#   MILLIO_TEST_SCALE  the size of the heavy tests (default 0.1)
#   BOOST_TREE_VARIANT release (default, as the other CI jobs) or debug
#                      (Boost's default variant, without debug symbols:
#                      assertions on, -O0, compiled in half the time; the
#                      tests that time the loop's latency under load are
#                      calibrated for optimised builds and may fail there
#                      on a busy machine)

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
lib=$(dirname "$here")
jobs=${JOBS:-2}
keep=0
[ "${1:-}" = --keep ] && keep=1
export MILLIO_TEST_CONFIGS=${MILLIO_TEST_CONFIGS:-epoll/pool}
export MILLIO_TEST_SCALE=${MILLIO_TEST_SCALE:-0.1}
case ${BOOST_TREE_VARIANT:-release} in
    debug)   b2_props=(variant=debug debug-symbols=off)
             cmake_props=(-DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG=-O0 -DCMAKE_C_FLAGS_DEBUG=-O0) ;;
    release) b2_props=(variant=release)
             cmake_props=(-DCMAKE_BUILD_TYPE=Release) ;;
    *)       echo "BOOST_TREE_VARIANT: debug or release"; exit 1 ;;
esac

cache=${BOOST_TREE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/boost-millio}
tarball=${BOOST_TREE_TARBALL:-$cache/boost1.81_1.81.0.orig.tar.xz}

# Each step prints its start (seconds since the start); the times of the
# steps are summed up at the end: elapsed, and the processor time of the
# commands (user + system, what a busy machine does not inflate).
# (`times` runs in this shell, not in a $(...) subshell, whose children
# are not these)
cpu_file=$(mktemp)
cpu_of() { awk 'NR == 2 { t = 0; for(i = 1; i <= 2; ++i) { split($i, a, /[ms]/); t += a[1] * 60 + a[2] } printf "%d", t }' "$cpu_file"; }
times=()
step()
{
    local now=$(date +%s) c
    times > "$cpu_file"; c=$(cpu_of)
    [ -n "${step_name:-}" ] && times+=("$(printf '%6d s elapsed %6d s cpu  %s' $(( now - step_t )) $(( c - step_c )) "$step_name")")
    step_name=$*; step_t=$now; step_c=$c
    printf '\n== %s (%d s)\n' "$*" $(( now - t0 ))
}
t0=$(date +%s)
load0=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || true)

# -- the Boost tree --------------------------------------------------------
# The tarball checked against the source package's .dsc (beside it when
# apt-get source fetched it).
tarball_ok()
{
    local dsc want
    dsc=$(ls "$(dirname "$tarball")"/boost1.81_*.dsc 2>/dev/null | head -1)
    [ -n "$dsc" ] || return 0
    want=$(awk -v name="$(basename "$tarball")" \
        '/^Checksums-Sha256:/ { f = 1; next } f && /^ / { if ($3 == name) print $1; next } { f = 0 }' "$dsc")
    [ -z "$want" ] || [ "$(sha256sum < "$tarball" | cut -d' ' -f1)" = "$want" ]
}
if [ -f "$tarball" ] && ! tarball_ok; then
    echo "$tarball: its checksum is not the one of the .dsc beside it"
    [ -z "${BOOST_TREE_TARBALL:-}" ] || exit 1
    rm -f "$tarball"
fi
if [ ! -f "$tarball" ]; then
    step "fetching the source package boost1.81 into $cache"
    mkdir -p "$cache"
    # A private apt configuration holding only deb-src entries for the
    # machine's Debian suites, in a temporary folder: the system's apt
    # configuration is left alone, and a second run does the same.
    apt=$(mktemp -d)
    trap 'rm -rf "$apt"' EXIT
    mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial"
    if [ -f /etc/apt/sources.list.d/debian.sources ]; then
        sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources > "$apt/src.sources"
        list=src.sources
    else
        grep -h '^deb ' /etc/apt/sources.list | sed 's/^deb /deb-src /' > "$apt/src.list"
        list=src.list
    fi
    aptopts=(-o "Dir::Etc::SourceList=$apt/$list" -o "Dir::Etc::SourceParts=$apt/none"
             -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache"
             -o "Debug::NoLocking=1" -o "APT::Sandbox::User=$(id -un)")
    # the package lists of those entries, then the source package
    apt-get "${aptopts[@]}" update -qq
    (cd "$cache" && apt-get "${aptopts[@]}" source --download-only -qq boost1.81)
    rm -rf "$apt"
    trap - EXIT
    [ -f "$tarball" ] || { echo "no $tarball after apt-get source"; exit 1; }
    tarball_ok || { echo "$tarball: its checksum is not the one of the .dsc"; exit 1; }
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/boost-tree.XXXXXX")
if [ $keep = 1 ]; then
    echo "temporary folder: $tmp (kept)"
else
    trap 'rm -rf "$tmp"' EXIT
fi
step "unpacking $(basename "$tarball")"
tar -C "$tmp" -xf "$tarball"
root=$tmp/boost
[ -f "$root/bootstrap.sh" ] && [ -d "$root/tools/cmake" ] || { echo "not a Boost superproject tree: $root"; exit 1; }

# The library as it is in this working copy (tracked and new files, not
# the ignored build folders).
step "copying the library to libs/millio"
mkdir "$root/libs/millio"
(cd "$lib" && git ls-files -z --cached --others --exclude-standard \
    | while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done \
    | tar --null -T - -cf -) | tar -C "$root/libs/millio" -xf -

# meta/libraries.json has what Boost's tooling reads
for k in key name authors description category maintainers cxxstd; do
    grep -q "\"$k\" *:" "$root/libs/millio/meta/libraries.json" \
        || { echo "meta/libraries.json: no \"$k\""; exit 1; }
done
grep -q '"key": *"millio"' "$root/libs/millio/meta/libraries.json" \
    || { echo "meta/libraries.json: key is not millio"; exit 1; }

# -- b2 from the Boost root --------------------------------------------------
cd "$root"
# Debian's tarball leaves out the generated parser of the b2 engine (its
# package makes it with bison, as here).
engine=tools/build/src/engine
if [ ! -f $engine/jamgram.cpp ]; then
    command -v bison >/dev/null || { echo "bison is needed to build b2 from the Debian tarball (apt-get install bison)"; exit 1; }
    (cd tools/build && bison -y -d -o src/engine/jamgram.cpp src/engine/jamgram.y)
fi
step "b2: ./bootstrap.sh"
./bootstrap.sh > "$tmp/bootstrap.log" 2>&1 || { tail -30 "$tmp/bootstrap.log"; exit 1; }
./b2 headers > "$tmp/b2-headers.log" 2>&1 || { tail -30 "$tmp/b2-headers.log"; exit 1; }
step "b2: ./b2 ${b2_props[*]} libs/millio/test libs/millio/example"
status=0
./b2 -j"$jobs" "${b2_props[@]}" libs/millio/test libs/millio/example > "$tmp/b2.log" 2>&1 || status=$?
b2_passed=$(grep -c '^\*\*passed\*\*' "$tmp/b2.log" || true)
b2_failed=$(grep -c -E '^\.\.\.failed|^\*\*failed' "$tmp/b2.log" || true)
# the build used the tree's Boost.Test and Boost.JSON, not the system's
b2_tree_libs=$(grep -c -E 'bin\.v2/libs/(test|json)/build/.*\.so' "$tmp/b2.log" || true)
if [ $status != 0 ] || [ "$b2_failed" != 0 ]; then
    grep -E -B2 -A30 '^\.\.\.failed|^\*\*failed|error:' "$tmp/b2.log" | tail -80
    echo "b2 from the Boost root FAILED"; exit 1
fi
grep -E '^\*\*passed\*\*' "$tmp/b2.log" | sed 's|.*/libs/millio/|  libs/millio/|; s|/gcc.*||' | sort
[ "$b2_tree_libs" -gt 0 ] || { echo "b2 did not link the tree's Boost.Test and Boost.JSON"; exit 1; }
# The headers the tree's b2 compiles a test with: the command line of one
# test (the tree's root and libs/millio/include as -I), run again with -M
# in place of -c: no header from the system's Boost.
cmd=$(./b2 -a -n -d+2 "${b2_props[@]}" libs/millio/test//net_tcp_client 2>/dev/null \
      | grep -E '^ *"?g\+\+.* -c -o .*net_tcp_client\.o' | head -1)
[ -n "$cmd" ] || { echo "no compile command of net_tcp_client in b2 -n -d+2"; exit 1; }
echo "  b2 compiles a test with:$(grep -o -E ' -I"?[^ "]*"?' <<<"$cmd" | tr -d '\n')"
eval "$(sed -E "s# -c -o (\"[^\"]*\"|[^ ]*)# -M -MF $tmp/b2-deps.txt -o /dev/null#" <<<"$cmd")"
grep -q 'libs/millio/include/boost/millio\|boost/millio/' "$tmp/b2-deps.txt" \
    || { echo "the dependencies of net_tcp_client name none of the library's headers"; exit 1; }
if grep -q '/usr/include/boost/' "$tmp/b2-deps.txt"; then
    grep -o '/usr/include/boost/[^ ]*' "$tmp/b2-deps.txt" | head
    echo "b2 from the Boost root compiled with the system's Boost headers"; exit 1
fi
echo "  no header of /usr/include/boost in its dependencies ($(grep -o '[^ ]*boost/[^ ]*\.hpp' "$tmp/b2-deps.txt" | wc -l) Boost headers, all the tree's)"

# -- Boost's CMake ---------------------------------------------------------
step "CMake: the Boost root with -DBOOST_INCLUDE_LIBRARIES=millio -DBUILD_TESTING=ON ${cmake_props[*]}"
cmake -S "$root" -B "$tmp/cmake" "${cmake_props[@]}" \
    -DBOOST_INCLUDE_LIBRARIES=millio -DBUILD_TESTING=ON \
    -DCMAKE_INSTALL_PREFIX="$tmp/prefix" > "$tmp/cmake-configure.log" 2>&1 \
    || { tail -40 "$tmp/cmake-configure.log"; exit 1; }
grep -E 'Boost: |Boost.MillIO' "$tmp/cmake-configure.log"
step "CMake: building the tests (target tests)"
cmake --build "$tmp/cmake" -j"$jobs" --target tests > "$tmp/cmake-build.log" 2>&1 \
    || { grep -E -A10 'error|Error' "$tmp/cmake-build.log" | tail -60; exit 1; }
# The headers the library and its tests were compiled with (the
# compiler's dependency files): the tree's, none of /usr/include/boost.
deps=$(find "$tmp/cmake/libs/millio" -name '*.o.d')
[ -n "$deps" ] || { echo "no dependency files under $tmp/cmake/libs/millio"; exit 1; }
if cat $deps | grep -q '/usr/include/boost/'; then
    cat $deps | grep -o '/usr/include/boost/[^ ]*' | sort -u | head
    echo "the Boost CMake build compiled with the system's Boost headers"; exit 1
fi
echo "  $(wc -w <<<"$deps") translation units of libs/millio, their Boost headers from the tree:" \
     "$(cat $deps | grep -o "$root/libs/[^/]*/include/boost/" | sort -u | wc -l) libraries' include folders, none of /usr/include/boost"
step "CMake: ctest"
ctest --test-dir "$tmp/cmake" --output-on-failure --no-tests=error -j"$jobs" > "$tmp/ctest.log" 2>&1 \
    || { tail -60 "$tmp/ctest.log"; exit 1; }
grep -E 'tests passed|Total Test time' "$tmp/ctest.log"
ctest_count=$(sed -n 's/.*tests passed, [0-9]* tests failed out of \([0-9]*\).*/\1/p' "$tmp/ctest.log")
step "CMake: cmake --install of the tree"
cmake --build "$tmp/cmake" -j"$jobs" > "$tmp/cmake-build-all.log" 2>&1 \
    || { grep -E -A10 'error|Error' "$tmp/cmake-build-all.log" | tail -60; exit 1; }
cmake --install "$tmp/cmake" > "$tmp/cmake-install.log" 2>&1 \
    || { tail -40 "$tmp/cmake-install.log"; exit 1; }
ls "$tmp/prefix/lib/cmake" | grep -E '^boost_(millio|asio|lockfree|pool|system)-' | sed 's/^/  installed: /'

# -- a consumer of the installed tree --------------------------------------
step "consumer: find_package(boost_millio) from the installed tree"
cmake -S "$root/libs/millio/test/cmake_install_test" -B "$tmp/consumer" \
    -DCMAKE_PREFIX_PATH="$tmp/prefix" > "$tmp/consumer.log" 2>&1 \
    && cmake --build "$tmp/consumer" >> "$tmp/consumer.log" 2>&1 \
    || { tail -40 "$tmp/consumer.log"; exit 1; }
grep -q "$tmp/prefix/lib/cmake/boost_millio" "$tmp/consumer/CMakeCache.txt" \
    || { echo "the consumer did not find the installed tree's boost_millio"; exit 1; }
if cat $(find "$tmp/consumer" -name '*.o.d') | grep -q '/usr/include/boost/'; then
    echo "the consumer was compiled with the system's Boost headers"; exit 1
fi
grep -q "$tmp/prefix/include/boost/millio/" $(find "$tmp/consumer" -name '*.o.d') \
    || { echo "the consumer did not include the installed headers"; exit 1; }
consumer_out=$("$tmp/consumer/main")
echo "  consumer printed: $consumer_out"

step "done"
echo "b2 from the Boost root: $b2_passed passed, $b2_failed failed"
echo "ctest of the Boost CMake build: $ctest_count tests passed"
echo "consumer built against the installed tree: ok"
echo "(tests run with MILLIO_TEST_CONFIGS=$MILLIO_TEST_CONFIGS MILLIO_TEST_SCALE=$MILLIO_TEST_SCALE)"
printf '%s\n' "${times[@]}"
times > "$cpu_file"; total_cpu=$(cpu_of); rm -f "$cpu_file"
printf '%6d s elapsed %6d s cpu  in all (on %s processors; load average before: %s)\n' \
    $(( $(date +%s) - t0 )) "$total_cpu" "$(nproc)" "$load0"
