//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// The load client of echo_server --demo: blocking sockets on threads of
// its own, ping-pong messages of random sizes, every echoed byte checked.

#ifndef BOOST_MILLIO_EXAMPLE_ECHO_LOAD_CLIENT_HPP
#define BOOST_MILLIO_EXAMPLE_ECHO_LOAD_CLIENT_HPP

#include "native_socket.hpp"

#include <cstddef>

// What the load client saw, summed over its connections.
struct echo_load_result
{
    std::size_t messages = 0;       // messages echoed
    std::size_t bytes = 0;          // bytes echoed
    std::size_t mismatches = 0;     // messages whose echo differed
    std::size_t failures = 0;       // connections that failed
    double seconds = 0;             // wall time of the whole run
};

// Opens `connections` connections to `server`, each on a thread, sends
// `messages` messages of 1 B to 4 KiB on each, one at a time, and
// compares every echo with what was sent.
echo_load_result
run_echo_load(sockaddr_in server, std::size_t connections, std::size_t messages);

#endif
