//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_DETAIL_OPERATION_HPP
#define BOOST_MILLIO_DETAIL_OPERATION_HPP

#include <boost/millio/detail/config.hpp>

namespace boost {
namespace millio {
namespace detail {

// A unit of work queued to the io workers or the reactor thread.
// `func_` runs the work (destroy == false) or discards it unrun
// (destroy == true); in both cases the operation owns its cleanup.
class operation
{
public:
    using func_type = void(*)(operation*, bool destroy);

    void complete() { func_(this, false); }
    void destroy() noexcept { func_(this, true); }

protected:
    explicit operation(func_type f) noexcept
        : func_(f)
    {
    }

    ~operation() = default;

private:
    func_type func_;
};

} // detail
} // millio
} // boost

#endif
