//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_DETAIL_IMPL_URING_HOOKS_IPP
#define BOOST_MILLIO_DETAIL_IMPL_URING_HOOKS_IPP

#include <boost/millio/detail/uring_hooks.hpp>
#if defined(BOOST_MILLIO_HAS_IO_URING)
#include <boost/millio/detail/io_uring_backend.hpp>
#endif

namespace boost {
namespace millio {
namespace detail {

inline
std::atomic<unsigned>&
uring_hidden_features() noexcept
{
    static std::atomic<unsigned> m{0};
    return m;
}

uring_counters&
uring_stats() noexcept
{
    static uring_counters c;
    return c;
}

void
uring_hide_features(unsigned mask) noexcept
{
    uring_hidden_features().store(mask, std::memory_order_relaxed);
}

unsigned
uring_features() noexcept
{
#if defined(BOOST_MILLIO_HAS_IO_URING)
    return io_uring_backend::probe_features() &
        ~uring_hidden_features().load(std::memory_order_relaxed);
#else
    return 0;
#endif
}

} // detail
} // millio
} // boost

#endif
