//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Configuration check of b2: liburing's header and library are usable
// (and the backend was not turned off with millio-io-uring=off). It is
// built, never run, with the warning flags of the library.
#if defined(BOOST_MILLIO_IO_URING_OFF)
# error the io_uring backend is turned off
#endif
#include <liburing.h>

int main()
{
    io_uring ring;
    io_uring_params p{};
    return io_uring_queue_init_params(4, &ring, &p) < 0 ? 1 : 0;
}
