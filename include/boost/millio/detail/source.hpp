//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_DETAIL_SOURCE_HPP
#define BOOST_MILLIO_DETAIL_SOURCE_HPP

#include <boost/millio/detail/config.hpp>
#include <type_traits>
#include <utility>

namespace boost {
namespace millio {
namespace detail {

template<class T, class = void>
struct has_native_handle : std::false_type {};

template<class T>
struct has_native_handle<T, std::void_t<
    decltype(std::declval<T&>().native_handle())>> : std::true_type {};

// The native descriptor of a source: an integer descriptor itself,
// or the result of native_handle() (Asio sockets and descriptors).
template<class Source>
int
native_descriptor(Source& s)
{
    using S = typename std::remove_cv<Source>::type;
    if constexpr(std::is_integral<S>::value)
        return static_cast<int>(s);
    else
    {
        static_assert(has_native_handle<S>::value,
            "a source must be a native descriptor or have native_handle()");
        return static_cast<int>(const_cast<S&>(s).native_handle());
    }
}

} // detail
} // millio
} // boost

#endif
