//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_IMPL_COMPUTE_POOL_HPP
#define BOOST_MILLIO_IMPL_COMPUTE_POOL_HPP

#include <boost/millio/detail/except.hpp>
#include <utility>

namespace boost {
namespace millio {

template<class F>
void
compute_pool::
post(
    F&& f,
    task_priority p,
    error_code& ec)
{
    ec = {};
    submit(detail::make_task(std::forward<F>(f)), p, ec);
}

template<class F>
void
compute_pool::
post(
    F&& f,
    task_priority p)
{
    error_code ec;
    post(std::forward<F>(f), p, ec);
    detail::throw_if(ec);
}

} // millio
} // boost

#endif
