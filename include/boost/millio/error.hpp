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
    write_timeout
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
