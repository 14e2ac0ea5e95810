//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_DETAIL_ACCESS_HPP
#define BOOST_MILLIO_DETAIL_ACCESS_HPP

#include <utility>

namespace boost {
namespace millio {
namespace detail {

// The library's way into the private parts of its public classes
// (the reactor of an event_loop, the counters behind a compute_metrics,
// the state behind a server_context). Each such class befriends this
// type, so that no detail type appears in a public member's signature.
struct access
{
    // Construct a T through one of its private constructors.
    template<class T, class... Args>
    static
    T
    construct(Args&&... args)
    {
        return T(std::forward<Args>(args)...);
    }

    // The reactor of an event_loop.
    template<class EventLoop>
    static
    auto&
    reactor(EventLoop& loop) noexcept
    {
        return loop.impl_;
    }

    // The counters a compute_metrics reads (null for a view of no pool).
    template<class ComputeMetrics>
    static
    auto
    stats(ComputeMetrics const& m) noexcept
    {
        return m.stats();
    }
};

} // detail
} // millio
} // boost

#endif
