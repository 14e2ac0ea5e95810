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
// or the result of native_handle() (Asio sockets and descriptors, whose
// native_handle() is not const: such a source is taken non-const).
template<class Source>
int
native_descriptor(Source&& s)
{
    using S = typename std::remove_cv<
        typename std::remove_reference<Source>::type>::type;
    if constexpr(std::is_integral<S>::value)
        return static_cast<int>(s);
    else
    {
        static_assert(has_native_handle<Source>::value,
            "a source must be a native descriptor or have native_handle() "
            "callable on it (Asio's is not const: pass the object non-const)");
        return static_cast<int>(s.native_handle());
    }
}

} // detail
} // millio
} // boost

#endif
