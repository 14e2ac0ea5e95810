//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_ERROR_HPP
#define BOOST_MILLIO_ERROR_HPP

#include <boost/millio/detail/config.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/system_error.hpp>

namespace boost {
namespace millio {

/// The type of error code used by the library.
using error_code = boost::system::error_code;

/// The type of system error thrown by the library.
using system_error = boost::system::system_error;

/** Error codes returned by Boost.MillIO.

    The value 0 is reserved and means success.

    @par Conditions
    Where a value has a portable meaning, it compares equal to the
    matching `boost::system::errc` (and `std::errc`) condition, through
    the category's `default_error_condition`, so that code testing for
    the generic condition sees the library's errors too:

    @li `token_in_use`, `source_in_use`: `errc::file_exists`;
    @li `not_registered`: `errc::no_such_file_or_directory`;
    @li `invalid_argument`: `errc::invalid_argument`;
    @li `queue_full`, `send_queue_full`:
        `errc::resource_unavailable_try_again`;
    @li `not_connected`: `errc::not_connected`;
    @li `idle_timeout`, `close_timeout`, `write_timeout`: `errc::timed_out`;
    @li `signal_in_use`: `errc::device_or_resource_busy`.

    The other values are conditions of their own. Compare with the
    enumerator (`ec == error::invalid_argument`) to test for exactly the
    library's error, with the condition
    (`ec == boost::system::errc::invalid_argument`) to accept both.
*/
enum class error
{
    /// The token is already registered with this event loop.
    token_in_use = 1,

    /// The token is not registered with this event loop.
    not_registered,

    /// An argument or configuration value is out of range.
    invalid_argument,

    /// The operation is not allowed while the object is running.
    already_running,

    /// The object has been shut down and accepts no more work.
    shut_down,

    /// A bounded queue has no room for the request.
    queue_full,

    /// A connection's send queue is above its high-water mark.
    send_queue_full,

    /// No connection has this identifier.
    unknown_connection,

    /// The configured connection limit was reached.
    connection_limit,

    /// The client is not connected.
    not_connected,

    /// The object was already started.
    already_started,

    /// A user callback threw an exception.
    handler_exception,

    /// The connection was idle for longer than its idle timeout.
    idle_timeout,

    /// The timer is not pending (it fired already or was cancelled).
    timer_not_pending,

    /// A closing connection did not finish closing within its close
    /// time-out and was reset.
    close_timeout,

    /// A connection could write none of its queued bytes within its
    /// write time-out and was reset.
    write_timeout,

    /// The descriptor is already registered with this event loop.
    source_in_use,

    /// The signal is handled by another `millio::signal_set`.
    signal_in_use
};

/// Returns the error category used by `error`.
BOOST_MILLIO_DECL
system::error_category const&
millio_category() noexcept;

/// Returns an error code for an `error` value (found by ADL).
BOOST_MILLIO_DECL
error_code
make_error_code(error e) noexcept;

} // millio
} // boost

#include <boost/millio/impl/error.hpp>

#endif
