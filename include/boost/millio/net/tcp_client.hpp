//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_NET_TCP_CLIENT_HPP
#define BOOST_MILLIO_NET_TCP_CLIENT_HPP

#include <boost/millio/detail/config.hpp>
#include <boost/millio/error.hpp>
#include <boost/millio/event.hpp>
#include <boost/millio/event_loop.hpp>
#include <boost/millio/net/tcp_client_config.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstddef>
#include <memory>
#include <type_traits>
#include <utility>

namespace boost {
namespace millio {
namespace net {

class tcp_client;

#ifndef BOOST_MILLIO_DOCS
namespace detail {
class client_impl;
} // detail
#endif

/** Base class of the callbacks of a @ref tcp_client.

    The client-side counterpart of `network_handler`: the same
    callbacks, with the client in place of a context and connection id.
    Callbacks are never called concurrently with each other (with one
    exception, see the destructor of @ref tcp_client);
    @ref on_disconnect is called exactly once if @ref on_connect was.
    A callback that throws closes the connection and reaches
    @ref on_error with `error::handler_exception`.

    A connect that fails, times out (see
    @ref tcp_client_config::connect_timeout) or is cancelled calls
    neither @ref on_connect nor @ref on_disconnect; a failure and a
    time-out are reported to @ref on_error.
*/
class client_handler
{
public:
    /// Destructor.
    virtual ~client_handler() = default;

    /// Called when the connection is established.
    virtual void on_connect(tcp_client& c) { (void)c; }

    /// Called with received bytes, valid only during the call.
    virtual void on_data(tcp_client& c, asio::const_buffer bytes) = 0;

    /// Called once when an established connection is closed.
    virtual void on_disconnect(tcp_client& c) { (void)c; }

    /// Called when the send queue drained below the low-water mark after `send` was refused.
    virtual void on_writable(tcp_client& c) { (void)c; }

    /** Called when connecting failed or timed out (`asio::error::timed_out`),
        or on an error of the connection.
    */
    virtual void on_error(tcp_client& c, error_code ec) { (void)c; (void)ec; }
};

/** A TCP client connection on an @ref event_loop.

    @ref connect starts a non-blocking connect (IPv4 or IPv6);
    @ref start registers the socket with a loop under the user's token.
    Sending and back-pressure behave as for @ref server_context::send_to.

    @par Example
    @snippet doc_reference_net.cpp ref_tcp_client

    @par Thread Safety
    @ref send, @ref disconnect and the accessors may be called from any
    thread. The destructor may be called from any thread, including from
    the client's own callbacks and from callbacks of other clients of the
    same loop (see the destructor, `~tcp_client`, for when it waits). The
    client must be destroyed before its loop.
*/
class tcp_client
{
public:
    /// The endpoint type.
    using endpoint_type = asio::ip::tcp::endpoint;

    /** Construct an unconnected client from a configuration.

        This is the primary constructor.

        @par Exception Safety
        Strong guarantee.

        @par Complexity
        Constant.

        @param cfg The buffer size, send queue marks and connect time-out.
        @throws system_error with `error::invalid_argument` if
        `cfg.validate()` fails.
    */
    BOOST_MILLIO_DECL
    explicit
    tcp_client(tcp_client_config const& cfg);

    /** Construct an unconnected client from positional limits.

        Equivalent to the constructor taking a @ref tcp_client_config
        with these three members set and the default connect time-out
        (30 s); kept for existing code.

        @param buffer_size The read and queue buffer size (default 8192); must not be 0.
        @param high_water The send queue high-water mark (default 1 MiB).
        @param low_water The low-water mark (default 256 KiB); must be below `high_water`.
        @throws system_error with `error::invalid_argument` on bad values.
    */
    BOOST_MILLIO_DECL
    explicit
    tcp_client(
        std::size_t buffer_size = 8192,
        std::size_t high_water = 1024 * 1024,
        std::size_t low_water = 256 * 1024);

    /** Destructor.

        Closes the connection at once (without flushing) and cancels a
        connect in progress. If `on_connect` was called, `on_disconnect`
        is called before the destructor returns (on the destroying
        thread); no callback starts after it returned.

        Whether it waits for the client's handler:
        @li From a thread that is not a thread of the client's loop, it
        waits until a callback of the client running on a thread of the
        loop has returned. It must then not be called while holding
        anything such a callback waits for.
        @li From a thread of the loop (any callback, timer or posted work
        of the loop, including the client's own callbacks) it never
        waits, so handlers may destroy each other's clients. If a callback
        of this client is running on another thread at that moment, it
        runs to its end concurrently with the destructor and with
        `on_disconnect`, and must not use the client after the destructor
        began; the socket is closed when it returns.

        @par Complexity
        Linear in the number of queued buffers.
    */
    BOOST_MILLIO_DECL
    ~tcp_client();

    tcp_client(tcp_client const&) = delete;
    tcp_client& operator=(tcp_client const&) = delete;

    /** Begin connecting to an endpoint, without blocking.

        The outcome is reported by `on_connect` or `on_error` once the
        client is started on a loop.

        @param ep The peer's address.
        @param handler The callbacks, by `std::shared_ptr` or by value of
        a class derived from @ref client_handler.
        @param ec Set to `error::already_started` if the client was
        used before, or the error of `socket`/`connect`.
        @throws system_error on failure (overload without `ec`).
    */
    /** @{ */
    BOOST_MILLIO_DECL
    void
    connect(endpoint_type const& ep, std::shared_ptr<client_handler> handler, error_code& ec);

    /// Overload
    BOOST_MILLIO_DECL
    void
    connect(endpoint_type const& ep, std::shared_ptr<client_handler> handler);

    /// Overload
    template<class Handler,
        class = typename std::enable_if<std::is_base_of<
            client_handler, typename std::decay<Handler>::type>::value>::type>
    void
    connect(endpoint_type const& ep, Handler&& handler)
    {
        connect(ep, std::shared_ptr<client_handler>(
            std::make_shared<typename std::decay<Handler>::type>(std::forward<Handler>(handler))));
    }
    /** @} */

    /** Register the connecting socket with a loop.

        The connect time-out of the configuration starts here.

        @param loop The event loop; must outlive the client.
        @param t The token of the registration.
        @param ec Set to `error::token_in_use` if `t` is registered,
        `error::not_connected` if @ref connect was not called,
        `error::already_started` if started before.
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

    /** Send bytes without blocking.

        Bytes sent before the connection is established are queued.

        @par Exception Safety
        Strong guarantee: on failure nothing of `bytes` is queued.

        @par Complexity
        Linear in `bytes.size()`: what the socket does not take at once is
        copied into the send queue.

        @param bytes The bytes to send; copied if they must be queued.
        @param ec Set to `error::not_connected` if the client is not
        started or closing, `error::send_queue_full` above the
        high-water mark (nothing is queued), or the socket's error.
        @throws system_error on failure (overload without `ec`).
    */
    /** @{ */
    BOOST_MILLIO_DECL
    void
    send(asio::const_buffer bytes, error_code& ec);

    /// Overload
    BOOST_MILLIO_DECL
    void
    send(asio::const_buffer bytes);
    /** @} */

    /** Close the connection gracefully: flush, shut down the write side,
        and close when the peer closes. Idempotent.

        Before the connection is established, it cancels the connect:
        bytes queued by @ref send are discarded, the socket is closed at
        once, and neither `on_connect`, `on_disconnect` nor `on_error` is
        called. After this function returned, `on_connect` is not called:
        if it had already started on a thread of the loop, this function
        waits for it to return when called from a thread outside the loop
        (on a thread of the loop it never waits, and such an `on_connect`
        may still be running); `on_disconnect` then follows as usual.

        @par Exception Safety
        No-throw guarantee.

        @par Complexity
        Constant.
    */
    BOOST_MILLIO_DECL
    void
    disconnect() noexcept;

    /// Return true between `on_connect` and the start of closing.
    BOOST_MILLIO_DECL
    bool
    is_connected() const noexcept;

    /// Return the peer's address given to @ref connect.
    BOOST_MILLIO_DECL
    endpoint_type
    remote_endpoint() const noexcept;

private:
    std::shared_ptr<detail::client_impl> impl_;
};

} // net
} // millio
} // boost

#endif
