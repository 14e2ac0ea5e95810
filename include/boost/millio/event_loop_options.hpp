//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_EVENT_LOOP_OPTIONS_HPP
#define BOOST_MILLIO_EVENT_LOOP_OPTIONS_HPP

#include <boost/millio/detail/config.hpp>
#include <chrono>
#include <cstddef>

namespace boost {
namespace millio {

/** Where readiness handlers run.
*/
enum class dispatch_mode
{
    /** Handlers run on the pool of io worker threads.

        The reactor thread only waits for readiness and hands each ready
        registration to a worker. Different registrations run in
        parallel; one registration never runs concurrently with itself.
    */
    pool,

    /** Handlers run on the reactor thread, with no hand-off.

        This is the low-latency mode: there is no queue and no thread
        switch between readiness and the handler, but handlers must not
        block, since they delay every other registration.
    */
    direct
};

/** The operating-system readiness API used by an event loop.
*/
enum class backend_type
{
    /// The best backend of the platform (epoll on Linux, afd on Windows, else poll).
    automatic,

    /// Linux epoll (edge-triggered).
    epoll,

    /// POSIX `poll(2)`, available on every POSIX system (not on Windows).
    poll,

    /** Linux io_uring (multishot poll requests, edge-triggered).

        Used where the library was built with it (`BOOST_MILLIO_HAS_IO_URING`)
        and the kernel provides it (Linux 5.13 or later, not disabled by
        the `kernel.io_uring_disabled` sysctl nor refused by a seccomp
        filter). Otherwise the loop falls back to epoll (`poll` where there
        is no epoll): @ref event_loop::backend tells which one is in use.
    */
    io_uring,

    /** Windows: an I/O completion port and the poll requests of the AFD
        driver (`\Device\Afd`), the mechanism of wepoll and mio.

        The default on Windows, and the only backend there.
    */
    afd
};

/** Options for constructing an @ref event_loop.

    @par Example
    @snippet doc_reference.cpp ref_event_loop_options
*/
struct event_loop_options
{
    /// Number of io worker threads; 0 means hardware threads (4 if unknown). Ignored in direct mode.
    std::size_t io_threads = 0;

    /// Number of compute pool threads; 0 means hardware threads (4 if unknown).
    std::size_t compute_threads = 0;

    /// Maximum number of readiness events fetched per poll; must not be 0.
    std::size_t events_capacity = 1024;

    /// Upper bound on one wait for readiness; negative means no bound.
    std::chrono::milliseconds poll_timeout{150};

    /// Where handlers run.
    dispatch_mode mode = dispatch_mode::pool;

    /// Which readiness API to use.
    backend_type backend = backend_type::automatic;
};

} // millio
} // boost

#endif
