//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_DETAIL_EXCEPT_HPP
#define BOOST_MILLIO_DETAIL_EXCEPT_HPP

#include <boost/millio/detail/config.hpp>
#include <boost/assert/source_location.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/system_error.hpp>
#include <boost/throw_exception.hpp>

namespace boost {
namespace millio {
namespace detail {

#define BOOST_MILLIO_FAIL(ec, e) \
    do { \
        BOOST_STATIC_CONSTEXPR ::boost::source_location loc = BOOST_CURRENT_LOCATION; \
        (ec).assign(make_error_code(e), &loc); \
    } while(false)

/// Throws `system::system_error` holding `ec` when `ec` is a failure.
BOOST_NORETURN
inline
void
throw_system_error(
    system::error_code const& ec,
    source_location const& loc = BOOST_CURRENT_LOCATION)
{
    throw_exception(system::system_error(ec), loc);
}

inline
void
throw_if(
    system::error_code const& ec,
    source_location const& loc = BOOST_CURRENT_LOCATION)
{
    if(ec.failed())
        throw_system_error(ec, loc);
}

} // detail
} // millio
} // boost

#endif
