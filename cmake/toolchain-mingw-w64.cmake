#
# Copyright (c) 2026 The Boost.MillIO authors
#
# Distributed under the Boost Software License, Version 1.0. (See accompanying
# file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
#
# Cross-building for 64-bit Windows with mingw-w64 (Debian:
# g++-mingw-w64-x86-64-posix), running the test programs under Wine
# (Debian: wine64):
#
#   cmake -S . -B build-win -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-mingw-w64.cmake
#   cmake --build build-win -j2
#   ctest --test-dir build-win --output-on-failure
#
# Variables (cache, or -D on the first configure):
#   MILLIO_MINGW_PREFIX   the compiler prefix (x86_64-w64-mingw32)
#   MILLIO_MINGW_BOOST    a directory holding the Boost headers as boost/
#                         (default: one made in the build directory that
#                         holds only a `boost` link to /usr/include/boost)
#   MILLIO_WINE           the Wine program (wine64, else wine)
#   MILLIO_WINEPREFIX     the Wine prefix (default: /tmp/boost_millio-wine-<user>)

set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)

set(MILLIO_MINGW_PREFIX "x86_64-w64-mingw32" CACHE STRING "mingw-w64 compiler prefix")

# The POSIX thread model: std::thread and std::mutex need it.
find_program(MILLIO_MINGW_CXX NAMES ${MILLIO_MINGW_PREFIX}-g++-posix ${MILLIO_MINGW_PREFIX}-g++ REQUIRED)
find_program(MILLIO_MINGW_CC NAMES ${MILLIO_MINGW_PREFIX}-gcc-posix ${MILLIO_MINGW_PREFIX}-gcc)
set(CMAKE_CXX_COMPILER ${MILLIO_MINGW_CXX})
if(MILLIO_MINGW_CC)
    set(CMAKE_C_COMPILER ${MILLIO_MINGW_CC})
endif()
find_program(CMAKE_RC_COMPILER NAMES ${MILLIO_MINGW_PREFIX}-windres)

set(CMAKE_FIND_ROOT_PATH /usr/${MILLIO_MINGW_PREFIX})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# Static: the programs run without the mingw runtime DLLs next to them.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "-static")

# The header-only parts of the host's Boost, seen through a directory
# that holds nothing but them (adding /usr/include itself would mix the
# host's C library headers into the cross build).
if(NOT MILLIO_MINGW_BOOST)
    set(_millio_boost_dir "${CMAKE_BINARY_DIR}/mingw-boost-include")
    if(NOT EXISTS "${_millio_boost_dir}/boost")
        file(MAKE_DIRECTORY "${_millio_boost_dir}")
        file(CREATE_LINK /usr/include/boost "${_millio_boost_dir}/boost" SYMBOLIC)
    endif()
    set(MILLIO_MINGW_BOOST "${_millio_boost_dir}" CACHE PATH "directory holding the Boost headers as boost/")
endif()
set(Boost_INCLUDE_DIR "${MILLIO_MINGW_BOOST}" CACHE PATH "")

# ctest runs the Windows programs under Wine, headless, in a prefix
# under /tmp (created by the first test, which takes some seconds).
# (Debian's wine64 package alone installs it as /usr/lib/wine/wine64;
# the wine package adds /usr/bin/wine.)
find_program(MILLIO_WINE NAMES wine64 wine PATHS /usr/lib/wine)
set(_millio_user "$ENV{USER}")
if(NOT _millio_user)
    set(_millio_user "user")
endif()
set(MILLIO_WINEPREFIX "/tmp/boost_millio-wine-${_millio_user}" CACHE PATH "Wine prefix for the tests")
if(MILLIO_WINE)
    set(CMAKE_CROSSCOMPILING_EMULATOR
        ${CMAKE_COMMAND} -E env WINEDEBUG=-all WINEPREFIX=${MILLIO_WINEPREFIX} ${MILLIO_WINE})
endif()
