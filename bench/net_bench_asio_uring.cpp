//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

/*
    The echo server of net_bench on Boost.Asio's own io_uring mode: Asio
    built with BOOST_ASIO_HAS_IO_URING and BOOST_ASIO_DISABLE_EPOLL (its
    sockets then go through io_uring), linked with liburing. A program of
    its own: the macros change Asio for every translation unit that
    includes it. net_bench runs it as the mode `asio-uring`.

    net_bench_asio_uring [--threads N]
        Prints "listening on 127.0.0.1:<port> pid <pid>" and serves until
        killed.
*/

#if !defined(BOOST_ASIO_HAS_IO_URING) || !defined(BOOST_ASIO_DISABLE_EPOLL)
#error "build with BOOST_ASIO_HAS_IO_URING and BOOST_ASIO_DISABLE_EPOLL (and liburing)"
#endif

#include "asio_echo_server.hpp"

#include <cstdlib>
#include <string>

int main(int argc, char** argv)
{
    std::size_t threads = 1;
    for(int i = 1; i + 1 < argc; ++i)
        if(std::string(argv[i]) == "--threads")
            threads = static_cast<std::size_t>(std::atoi(argv[i + 1]));
    return bench_asio::serve(threads);
}
