//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_NET_TCP_SERVER_HPP
#define BOOST_MILLIO_NET_TCP_SERVER_HPP

#include <boost/millio/detail/config.hpp>
#include <boost/millio/error.hpp>
#include <boost/millio/event.hpp>
#include <boost/millio/event_loop.hpp>
#include <boost/millio/net/network_handler.hpp>
#include <boost/millio/net/server_context.hpp>
#include <boost/millio/net/tcp_server_config.hpp>
#include <memory>
#include <type_traits>
#include <utility>

namespace boost {
namespace millio {
namespace net {

/** A TCP server on an @ref event_loop.

    The server listens on the configured address, accepts connections,
    reads them until they would block and hands the bytes to a
    @ref network_handler. Sending goes through a @ref server_context,
    from any thread. See @ref network_handler for the order of callbacks
    and @ref server_context::send_to for back-pressure.

    The listener is registered with the loop under the user's token;
    connections are registered internally and never use user tokens.

    @par Example
    @snippet doc_reference_net.cpp ref_tcp_server_handler
    @snippet doc_reference_net.cpp ref_tcp_server

    @par Thread Safety
    All member functions may be called from any thread. The destructor
    may be called from any thread, including from the server's own
    callbacks (see the destructor, `~tcp_server`, for when it waits); the
    server must be destroyed before its event loop.
*/
class tcp_server
{
public:
    /// The endpoint type.
    using endpoint_type = asio::ip::tcp::endpoint;

    /** Construct a server.

        @par Exception Safety
        Strong guarantee: nothing listens before @ref start.

        @par Complexity
        Constant.

        @param cfg The configuration.
        @param handler The callbacks, shared with the caller.
    */
    BOOST_MILLIO_DECL
    tcp_server(tcp_server_config const& cfg, std::shared_ptr<network_handler> handler);

    /** Construct a server with a handler held by value.

        @param cfg The configuration.
        @param handler An object of a class derived from @ref network_handler.
    */
    template<class Handler,
        class = typename std::enable_if<std::is_base_of<
            network_handler, typename std::decay<Handler>::type>::value>::type>
    tcp_server(tcp_server_config const& cfg, Handler&& handler)
        : tcp_server(cfg, std::shared_ptr<network_handler>(
            std::make_shared<typename std::decay<Handler>::type>(std::forward<Handler>(handler))))
    {
    }

    /** Destructor.

        Stops accepting and closes every connection at once (without
        flushing), calling `on_disconnect` for each.

        Called from a thread outside the event loop, it waits for the
        server's running callbacks to return: none runs after it
        returned. Called on a thread of the loop (from a callback of this
        server or of anything else the loop runs), it does not wait,
        since a callback on another thread may be waiting for this one:
        the connections whose callbacks are running (this one included)
        report `on_disconnect` when these return, possibly after the
        destructor returned. The handler and the server's state stay
        alive until then.

        @par Complexity
        Linear in the number of connections.
    */
    BOOST_MILLIO_DECL
    ~tcp_server();

    tcp_server(tcp_server const&) = delete;
    tcp_server& operator=(tcp_server const&) = delete;

    /** Bind, listen and register the listener with a loop.

        Calls `on_event(listening)` with the local endpoint before
        returning. Accepting starts when the loop runs.

        @param loop The event loop; must outlive the server.
        @param t The token of the listener's registration.
        @param ec Set to `error::token_in_use` if `t` is registered
        with `loop`, `error::already_started` if the server was
        started before, or the error of `bind`/`listen`.
        @throws system_error on failure (overload without `ec`).
    */
    /** @{ */
    BOOST_MILLIO_DECL
    void
    start(event_loop& loop, token t, error_code& ec);

    /// Overload
    BOOST_MILLIO_DECL
    void
    start(event_loop& loop, token t);
    /** @} */

    /** Stop the server.

        Stops accepting (the listening socket is closed) and closes every
        connection gracefully, as @ref server_context::close_connection
        does: queued bytes are flushed first. Does not wait; @ref connection_count
        drops to 0 as the connections close, within the configured
        @ref tcp_server_config::close_timeout (give or take a quarter of
        the shortest time-out): a connection still closing then is reset
        and reported with `error::close_timeout`. Idempotent.

        @par Complexity
        Linear in the number of connections.
    */
    BOOST_MILLIO_DECL
    void
    stop() noexcept;

    /// Return the address the server listens on (valid after @ref start).
    BOOST_MILLIO_DECL
    endpoint_type
    local_endpoint() const noexcept;

    /// Return the number of open connections.
    BOOST_MILLIO_DECL
    std::size_t
    connection_count() const noexcept;

    /// Return a context for sending from any thread.
    BOOST_MILLIO_DECL
    server_context
    context() const noexcept;

    /// Return the configuration.
    BOOST_MILLIO_DECL
    tcp_server_config const&
    config() const noexcept;

private:
    std::shared_ptr<detail::server_impl> impl_;
};

} // net
} // millio
} // boost

#endif
