//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_IMPL_ERROR_HPP
#define BOOST_MILLIO_IMPL_ERROR_HPP

#include <type_traits>

namespace boost {
namespace system {

template<>
struct is_error_code_enum< ::boost::millio::error >
{
    static bool const value = true;
};

} // system
} // boost

namespace std {

template<>
struct is_error_code_enum< ::boost::millio::error >
    : std::true_type
{
};

} // std

#endif
