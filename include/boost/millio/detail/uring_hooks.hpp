//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_DETAIL_URING_HOOKS_HPP
#define BOOST_MILLIO_DETAIL_URING_HOOKS_HPP

#include <boost/millio/detail/config.hpp>
#include <atomic>
#include <cstdint>

namespace boost {
namespace millio {
namespace detail {

/*  What the completion path of the io_uring backend did, and the kernel
    features it treats as missing: for the tests, which observe the path
    taken and make the fallbacks happen on kernels that have every
    feature. Declared on every platform; without io_uring the counters
    stay at zero and the mask changes nothing.
*/

// Features of the kernel the completion path needs, probed once per
// process: without them a connection uses readiness (the poll requests
// of the backend), a listener accepts on readiness.
enum uring_feature : unsigned
{
    uring_feature_buf_ring = 1,         // IORING_REGISTER_PBUF_RING (5.19)
    uring_feature_recv_multishot = 2,   // IORING_RECV_MULTISHOT (6.0)
    uring_feature_accept_multishot = 4  // IORING_ACCEPT_MULTISHOT (5.19)
};

struct uring_counters
{
    // Connections started on the completion path.
    std::atomic<std::uint64_t> connections{0};
    // Multishot receives submitted (first armings and re-armings).
    std::atomic<std::uint64_t> recv_arms{0};
    // Receives that ended because the buffer ring was empty.
    std::atomic<std::uint64_t> recv_nobufs{0};
    // Sends submitted by connections (first parts; the rest of a partial
    // send is not counted).
    std::atomic<std::uint64_t> sends{0};
    // Received buffers lent to a send (their bytes sent back without a
    // copy), and those given back to the ring since.
    std::atomic<std::uint64_t> buffers_lent{0};
    std::atomic<std::uint64_t> lent_returned{0};
    // Receives armed on the bulk ring (streams), and those that found it
    // empty (and went on with the small buffers).
    std::atomic<std::uint64_t> bulk_arms{0};
    std::atomic<std::uint64_t> bulk_nobufs{0};
    // Registrations of a ring's descriptor with a thread that waits on
    // it, and their ends.
    std::atomic<std::uint64_t> ring_fds_registered{0};
    std::atomic<std::uint64_t> ring_fds_unregistered{0};
    // Listeners started on multishot accept.
    std::atomic<std::uint64_t> listeners{0};
    // Multishot accepts submitted (first armings and re-armings).
    std::atomic<std::uint64_t> accept_arms{0};
};

// The counters of the process.
BOOST_MILLIO_DECL
uring_counters&
uring_stats() noexcept;

// Treat the features of `mask` (uring_feature bits) as missing in the
// io_uring backends created from now on. 0 restores the probed ones.
BOOST_MILLIO_DECL
void
uring_hide_features(unsigned mask) noexcept;

// The uring_feature bits the kernel has (0 without io_uring), less the
// hidden ones.
BOOST_MILLIO_DECL
unsigned
uring_features() noexcept;

} // detail
} // millio
} // boost

#endif
