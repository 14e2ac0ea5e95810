//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_NET_NETWORK_HANDLER_HPP
#define BOOST_MILLIO_NET_NETWORK_HANDLER_HPP

#include <boost/millio/detail/config.hpp>
#include <boost/millio/error.hpp>
#include <boost/millio/net/connection_id.hpp>
#include <boost/millio/net/network_event.hpp>
#include <boost/millio/net/server_context.hpp>
#include <boost/asio/buffer.hpp>
#include <optional>

namespace boost {
namespace millio {
namespace net {

/** Base class of the callbacks of a @ref tcp_server.

    Only @ref on_data must be overridden. The callbacks of one
    connection are never called concurrently with each other and arrive
    in order: `on_event(connection_established)`, `on_connect`, any
    number of `on_data` and `on_writable`, then — exactly once for every
    connection that saw `on_connect` — `on_event(connection_closed)` and
    `on_disconnect`. Different connections' callbacks run in parallel on
    the io workers (or one after another in direct dispatch mode).

    A callback that throws closes its connection (without flushing) and
    is reported to @ref on_error with `error::handler_exception`,
    followed by `on_disconnect`; the server keeps serving.
*/
class network_handler
{
public:
    /// Destructor.
    virtual ~network_handler() = default;

    /// Called when a connection was accepted, before its first data.
    virtual void on_connect(server_context& ctx, connection_id id)
    {
        (void)ctx; (void)id;
    }

    /** Called with bytes received on a connection.

        The bytes are valid only during the call. The socket is read
        until it would block, in chunks of at most the configured buffer
        size. While the connection's send queue has less than one buffer
        of room below the high-water mark, reading pauses (the peer is
        slowed by TCP flow control) and resumes below the low-water mark,
        so a handler that sends at most what it receives (an echo) is
        never refused.
    */
    virtual void on_data(server_context& ctx, connection_id id, asio::const_buffer bytes) = 0;

    /// Called once when a connection that saw @ref on_connect is closed.
    virtual void on_disconnect(server_context& ctx, connection_id id)
    {
        (void)ctx; (void)id;
    }

    /// Called when the send queue drained below the low-water mark after `send_to` was refused.
    virtual void on_writable(server_context& ctx, connection_id id)
    {
        (void)ctx; (void)id;
    }

    /** Called on an error.

        @param ctx The server's context.
        @param id The connection concerned, or empty for errors of the
        listener (such as running out of descriptors, or a peer rejected
        because of the connection limit, `error::connection_limit`).
        @param ec The error; `error::handler_exception` if a callback threw.
    */
    virtual void on_error(server_context& ctx, std::optional<connection_id> id, error_code ec)
    {
        (void)ctx; (void)id; (void)ec;
    }

    /// Called with life-cycle events of the server and its connections.
    virtual void on_event(server_context& ctx, network_event const& ev)
    {
        (void)ctx; (void)ev;
    }
};

} // net
} // millio
} // boost

#endif
