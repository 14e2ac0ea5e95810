//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_NET_CONNECTION_ID_HPP
#define BOOST_MILLIO_NET_CONNECTION_ID_HPP

#include <boost/millio/detail/config.hpp>
#include <cstdint>
#include <functional>
#include <ostream>

namespace boost {
namespace millio {
namespace net {

/** Identifies one connection of a @ref tcp_server.

    Identifiers are assigned by the server in increasing order starting
    at 1 and are never reused within one server, so a stale identifier
    can never address a newer connection. They are not poll tokens:
    connections are registered with the event loop internally and never
    collide with user tokens.
*/
class connection_id
{
    std::uint64_t value_ = 0;

public:
    /// Construct the invalid identifier 0.
    constexpr connection_id() noexcept = default;

    /// Construct an identifier holding `v`.
    constexpr explicit connection_id(std::uint64_t v) noexcept
        : value_(v)
    {
    }

    /// Return the numeric value.
    constexpr std::uint64_t value() const noexcept { return value_; }

    /// Comparison.
    friend constexpr bool operator==(connection_id a, connection_id b) noexcept { return a.value_ == b.value_; }
    /// Comparison.
    friend constexpr bool operator!=(connection_id a, connection_id b) noexcept { return a.value_ != b.value_; }
    /// Comparison.
    friend constexpr bool operator<(connection_id a, connection_id b) noexcept { return a.value_ < b.value_; }

    /// Write the numeric value to a stream.
    friend std::ostream& operator<<(std::ostream& os, connection_id id)
    {
        return os << id.value_;
    }
};

} // net
} // millio
} // boost

namespace std {
/// Hash support for connection identifiers.
template<>
struct hash<boost::millio::net::connection_id>
{
    std::size_t operator()(boost::millio::net::connection_id id) const noexcept
    {
        return std::hash<std::uint64_t>()(id.value());
    }
};
} // std

#endif
