//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_NET_SERVER_CONTEXT_HPP
#define BOOST_MILLIO_NET_SERVER_CONTEXT_HPP

#include <boost/millio/detail/config.hpp>
#include <boost/millio/detail/access.hpp>
#include <boost/millio/error.hpp>
#include <boost/millio/net/connection_id.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstddef>
#include <memory>

namespace boost {
namespace millio {
namespace net {

#ifndef BOOST_MILLIO_DOCS
namespace detail {
class server_impl;
} // detail
#endif

/** A handle to a running @ref tcp_server for sending and closing.

    Callbacks of @ref network_handler receive a context; a copy of it,
    or one from @ref tcp_server::context, may be kept and used on any thread (io
    workers, compute tasks, foreign threads). A context outliving its
    server is safe: its calls then fail with
    `error::unknown_connection`.

    @par Thread Safety
    All member functions may be called concurrently from any thread.
    Data sent to one connection by one thread arrives in the order of
    that thread's calls.
*/
class server_context
{
public:
    /** Send bytes to a connection, without blocking.

        The bytes are written at once if the connection's send queue is
        empty; what the socket does not take is copied to the queue and
        written, in order, when the socket becomes writable. If the queue
        is not empty and the bytes would lift it above the configured
        high-water mark, nothing of this call is queued, the call fails
        with `error::send_queue_full`, and
        @ref network_handler::on_writable fires once the queue has
        drained below the low-water mark.

        @param id The connection.
        @param bytes The bytes to send; copied if they must be queued.
        @param ec Set to `error::unknown_connection` if there is no
        such connection, `error::not_connected` if it is closing,
        `error::send_queue_full` as described, or the socket's error.
        @throws system_error on failure (overload without `ec`).
    */
    /** @{ */
    BOOST_MILLIO_DECL
    void
    send_to(connection_id id, asio::const_buffer bytes, error_code& ec) const;

    /// Overload
    BOOST_MILLIO_DECL
    void
    send_to(connection_id id, asio::const_buffer bytes) const;
    /** @} */

    /** Send bytes to every connection.

        Calls @ref send_to for each open connection; a failure for one
        connection does not stop the others.

        @param bytes The bytes to send.
        @param ec Set to the first error met, if any.
        @return The number of connections that accepted the bytes.
        @throws system_error with the first error after trying every
        connection (overload without `ec`).
    */
    /** @{ */
    BOOST_MILLIO_DECL
    std::size_t
    broadcast(asio::const_buffer bytes, error_code& ec) const;

    /// Overload
    BOOST_MILLIO_DECL
    std::size_t
    broadcast(asio::const_buffer bytes) const;
    /** @} */

    /** Close a connection gracefully.

        No more data of the connection is delivered. Queued bytes are
        flushed, then the write side is shut down and the connection is
        closed when the peer closes its side (or at once if it already
        did); @ref network_handler::on_disconnect follows. A connection
        that has not closed within the close time-out
        (`tcp_server_config::close_timeout`) is reset and reported with
        `error::close_timeout`.

        @param id The connection.
        @param ec Set to `error::unknown_connection` if there is no
        such connection.
        @throws system_error on failure (overload without `ec`).
    */
    /** @{ */
    BOOST_MILLIO_DECL
    void
    close_connection(connection_id id, error_code& ec) const;

    /// Overload
    BOOST_MILLIO_DECL
    void
    close_connection(connection_id id) const;
    /** @} */

    /** Return the peer's address of a connection.

        @param id The connection.
        @param ec Set to `error::unknown_connection` if there is no
        such connection.
        @throws system_error on failure (overload without `ec`).
    */
    /** @{ */
    BOOST_MILLIO_DECL
    asio::ip::tcp::endpoint
    peer_endpoint(connection_id id, error_code& ec) const;

    /// Overload
    BOOST_MILLIO_DECL
    asio::ip::tcp::endpoint
    peer_endpoint(connection_id id) const;
    /** @} */

    /// Return the number of open connections.
    BOOST_MILLIO_DECL
    std::size_t
    connection_count() const noexcept;

    /** Copy constructor.

        The copy keeps the server's state alive, so a copy of the
        context passed to a callback may be stored and used later, from
        any thread.
    */
    BOOST_MILLIO_DECL
    server_context(server_context const& other) noexcept;

    /// Copy assignment (see the copy constructor).
    BOOST_MILLIO_DECL
    server_context&
    operator=(server_context const& other) noexcept;

private:
#ifndef BOOST_MILLIO_DOCS
    friend struct millio::detail::access;

    server_context(std::shared_ptr<detail::server_impl> hold, detail::server_impl* impl) noexcept
        : hold_(std::move(hold))
        , impl_(impl)
    {
    }

    std::shared_ptr<detail::server_impl> hold_;
    detail::server_impl* impl_;
#endif
};

} // net
} // millio
} // boost

#endif
