//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_EVENT_HPP
#define BOOST_MILLIO_EVENT_HPP

#include <boost/millio/detail/config.hpp>
#include <cstddef>
#include <functional>

namespace boost {
namespace millio {

/** Identifies a registration with an @ref event_loop.

    Tokens are chosen by the user and must be unique within one event
    loop. Internal registrations of the library (the loop's waker,
    timers, and the connections of `net::tcp_server`) use a separate
    namespace and never collide with user tokens.
*/
class token
{
    std::size_t value_ = 0;

public:
    /// Construct the token with value 0.
    constexpr token() noexcept = default;

    /// Construct a token holding `v`.
    constexpr explicit token(std::size_t v) noexcept
        : value_(v)
    {
    }

    /// Return the value of the token.
    constexpr std::size_t value() const noexcept { return value_; }

    /// Comparison.
    friend constexpr bool operator==(token a, token b) noexcept { return a.value_ == b.value_; }
    /// Comparison.
    friend constexpr bool operator!=(token a, token b) noexcept { return a.value_ != b.value_; }
    /// Comparison.
    friend constexpr bool operator<(token a, token b) noexcept { return a.value_ < b.value_; }
};

/** The readiness a registration is interested in.

    Values combine with `operator|`:
    @snippet doc_reference.cpp ref_interest
*/
enum class interest : unsigned
{
    /// The source is interested in becoming readable.
    readable = 1,

    /// The source is interested in becoming writable.
    writable = 2
};

/// Combine two interests.
constexpr interest operator|(interest a, interest b) noexcept
{
    return static_cast<interest>(static_cast<unsigned>(a) | static_cast<unsigned>(b));
}

/// Intersect two interests.
constexpr interest operator&(interest a, interest b) noexcept
{
    return static_cast<interest>(static_cast<unsigned>(a) & static_cast<unsigned>(b));
}

/// Return true if `i` includes `which`.
constexpr bool has_interest(interest i, interest which) noexcept
{
    return (static_cast<unsigned>(i) & static_cast<unsigned>(which)) != 0;
}

/** A readiness event delivered to a handler.

    An event carries the token of its registration and the readiness
    flags observed by the backend. Several readiness changes that happen
    before the handler runs are merged into one event.
*/
class event
{
public:
    /// Readiness flags, as stored in @ref flags.
    enum flag : unsigned
    {
        /// The source is readable.
        flag_readable = 1,
        /// The source is writable.
        flag_writable = 2,
        /// An error is pending on the source.
        flag_error = 4,
        /// The read side is closed (end of stream or hang-up).
        flag_read_closed = 8,
        /// The write side is closed (hang-up or error).
        flag_write_closed = 16
    };

    /// Construct an event with no flags.
    constexpr event() noexcept = default;

    /// Construct an event from a token and flags.
    constexpr event(millio::token t, unsigned flags) noexcept
        : token_(t)
        , flags_(flags)
    {
    }

    /// Return the token of the registration.
    constexpr millio::token token() const noexcept { return token_; }

    /// Return the raw flags.
    constexpr unsigned flags() const noexcept { return flags_; }

    /// Return true if the source is readable.
    constexpr bool is_readable() const noexcept { return (flags_ & flag_readable) != 0; }

    /// Return true if the source is writable.
    constexpr bool is_writable() const noexcept { return (flags_ & flag_writable) != 0; }

    /// Return true if an error is pending on the source.
    constexpr bool is_error() const noexcept { return (flags_ & flag_error) != 0; }

    /// Return true if the read side of the source is closed.
    constexpr bool is_read_closed() const noexcept { return (flags_ & flag_read_closed) != 0; }

    /// Return true if the write side of the source is closed.
    constexpr bool is_write_closed() const noexcept { return (flags_ & flag_write_closed) != 0; }

private:
    millio::token token_;
    unsigned flags_ = 0;
};

} // millio
} // boost

namespace std {
/// Hash support for tokens.
template<>
struct hash<boost::millio::token>
{
    std::size_t operator()(boost::millio::token t) const noexcept
    {
        return std::hash<std::size_t>()(t.value());
    }
};
} // std

#endif
