//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_NET_TCP_SERVER_CONFIG_HPP
#define BOOST_MILLIO_NET_TCP_SERVER_CONFIG_HPP

#include <boost/millio/detail/config.hpp>
#include <boost/millio/error.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

namespace boost {
namespace millio {
namespace net {

/** The configuration of a @ref tcp_server.

    Made with @ref tcp_server_config::builder, which validates the
    values:
    @snippet doc_reference_net.cpp ref_tcp_server_config

    A default-constructed configuration listens on `0.0.0.0:8080` with
    the defaults listed at each accessor.
*/
class tcp_server_config
{
public:
    /// The endpoint type.
    using endpoint_type = asio::ip::tcp::endpoint;

    /// The duration type of time-outs.
    using duration_type = std::chrono::milliseconds;

    class builder;

    /// Construct the default configuration.
    BOOST_MILLIO_DECL
    tcp_server_config();

    /// Return the address to listen on (default `0.0.0.0:8080`).
    endpoint_type const& address() const noexcept { return address_; }

    /// Return the size of each read buffer and queue buffer in bytes (default 8192).
    std::size_t buffer_size() const noexcept { return buffer_size_; }

    /// Return the connection limit (`std::nullopt`, unlimited, by default).
    std::optional<std::size_t> max_connections() const noexcept { return max_connections_; }

    /// Return true if Nagle's algorithm is disabled (default true).
    bool no_delay() const noexcept { return no_delay_; }

    /// Return the TCP keep-alive idle time, or `std::nullopt` if disabled (default 60 s).
    std::optional<duration_type> keep_alive() const noexcept { return keep_alive_; }

    /// Return the listen backlog (default `SOMAXCONN`).
    int backlog() const noexcept { return backlog_; }

    /// Return true if `SO_REUSEADDR` is set on the listener (default true).
    bool reuse_address() const noexcept { return reuse_address_; }

    /// Return true if `SO_REUSEPORT` is set on the listener (default false).
    bool reuse_port() const noexcept { return reuse_port_; }

    /// Return the send queue size above which `send_to` is refused (default 1 MiB).
    std::size_t write_high_water_mark() const noexcept { return high_water_; }

    /// Return the send queue size below which `on_writable` fires after a refusal (default 256 KiB).
    std::size_t write_low_water_mark() const noexcept { return low_water_; }

    /** Return the read budget of a connection per readiness event, in bytes (default 256 KiB).

        A connection that has read this many bytes and finds more waiting
        yields: it is queued behind the other ready work and served again
        after it, so that one peer that keeps sending cannot hold a
        thread (in direct dispatch: the loop) for ever.
    */
    std::size_t read_budget() const noexcept { return read_budget_; }

    /** Return the idle time-out, or `std::nullopt` if none (the default).

        A connection that read and wrote no byte for this long is closed
        and reported with `error::idle_timeout`. Bytes read and discarded
        while a connection closes do not count as activity.
    */
    std::optional<duration_type> idle_timeout() const noexcept { return idle_timeout_; }

    /// Return the `SO_SNDBUF` of accepted sockets, or `std::nullopt` for the system's default (the default).
    std::optional<std::size_t> send_buffer_size() const noexcept { return sndbuf_; }

    /// Return the `SO_RCVBUF` of accepted sockets, or `std::nullopt` for the system's default (the default).
    std::optional<std::size_t> receive_buffer_size() const noexcept { return rcvbuf_; }

    /** Return the interval of memory trims, or `std::nullopt` if none (default 1 s).

        See @ref builder::memory_trim_interval.
    */
    std::optional<duration_type> memory_trim_interval() const noexcept { return trim_interval_; }

    /** Return the close time-out; zero if disabled (default 5 s).

        The longest a closing connection may take to close gracefully:
        from `close_connection`, `stop()` or the peer's end of stream
        until its send queue is flushed and the peer has closed its side.
        When it runs out the connection is reset (closed with
        `SO_LINGER` 0: the kernel discards what it still holds for the
        peer and sends a reset) and reported with `error::close_timeout`.
        This bounds the time `stop()` takes to reach zero connections,
        whatever the peers do. See @ref builder::close_timeout.
    */
    duration_type close_timeout() const noexcept { return close_timeout_; }

    /** Return the write time-out; zero if disabled (default 30 s).

        A connection with bytes in its send queue that could write none
        of them for this long (its peer stopped reading) is reset and
        reported with `error::write_timeout`. See
        @ref builder::write_timeout.
    */
    duration_type write_timeout() const noexcept { return write_timeout_; }


private:
    friend class builder;

    endpoint_type address_;
    std::size_t buffer_size_ = 8192;
    std::optional<std::size_t> max_connections_;
    bool no_delay_ = true;
    std::optional<duration_type> keep_alive_ = duration_type(60000);
    int backlog_;
    bool reuse_address_ = true;
    bool reuse_port_ = false;
    std::size_t high_water_ = 1024 * 1024;
    std::size_t low_water_ = 256 * 1024;
    std::size_t read_budget_ = 256 * 1024;
    std::optional<duration_type> idle_timeout_;
    std::optional<duration_type> trim_interval_ = duration_type(1000);
    std::optional<std::size_t> sndbuf_;
    std::optional<std::size_t> rcvbuf_;
    duration_type close_timeout_ = duration_type(5000);
    duration_type write_timeout_ = duration_type(30000);
};

/** Builds and validates a @ref tcp_server_config.

    Every setter returns `*this`; @ref build checks the values.
*/
class tcp_server_config::builder
{
public:
    /** Construct a builder holding the defaults.

        Written `tcp_server_config::builder()` at the start of a chain:
        @snippet doc_reference_net.cpp ref_tcp_server_config_builder
    */
    BOOST_MILLIO_DECL
    builder();

    /// Set the address to listen on.
    BOOST_MILLIO_DECL
    builder&
    address(endpoint_type const& ep);

    /** Set the address to listen on from a string.

        Accepted forms are `host:port` and `[v6-address]:port`, where host
        is an IPv4 or IPv6 address or a name that resolves, such as
        `"127.0.0.1:8080"`, `"[::1]:0"` or `"localhost:9000"`. The string is
        resolved by @ref build, which fails if it cannot be.
    */
    BOOST_MILLIO_DECL
    builder&
    address(std::string const& s);

    /// Overload
    builder& address(char const* s) { return address(std::string(s)); }

    /// Set the buffer size in bytes; must not be 0.
    BOOST_MILLIO_DECL builder& buffer_size(std::size_t n);

    /// Set the connection limit; must not be 0. `std::nullopt` means unlimited.
    BOOST_MILLIO_DECL builder& max_connections(std::optional<std::size_t> n);

    /// Enable or disable `TCP_NODELAY` on connections.
    BOOST_MILLIO_DECL builder& no_delay(bool b);

    /// Set the keep-alive idle time; `std::nullopt` disables keep-alive.
    BOOST_MILLIO_DECL builder& keep_alive(std::optional<duration_type> d);

    /// Set the listen backlog; must be positive.
    BOOST_MILLIO_DECL builder& backlog(int n);

    /** Enable or disable `SO_REUSEADDR` on the listener.

        On Windows the option is not set: a listener there binds an
        address whose connections are in TIME_WAIT without it, and with
        it another socket could take the address of a listening one.
    */
    BOOST_MILLIO_DECL builder& reuse_address(bool b);

    /// Enable or disable `SO_REUSEPORT` on the listener (where the system has it: not on Windows).
    BOOST_MILLIO_DECL builder& reuse_port(bool b);

    /// Set the high-water mark of each connection's send queue in bytes; must not be 0.
    BOOST_MILLIO_DECL builder& write_high_water_mark(std::size_t n);

    /// Set the low-water mark; must be below the high-water mark.
    BOOST_MILLIO_DECL builder& write_low_water_mark(std::size_t n);

    /** Set the read budget per readiness event in bytes; must not be 0.

        After reading at least this many bytes in one readiness event,
        a connection with more bytes waiting lets the other ready
        connections, timers and posted work run before it reads again.
        At least one read is made per event, so a budget below the
        buffer size means one read per event. Smaller budgets are fairer
        to other connections; larger ones cost fewer wake-ups to a
        connection that streams.
    */
    BOOST_MILLIO_DECL builder& read_budget(std::size_t n);

    /** Set the idle time-out; none by default.

        A connection that read and wrote no byte for this long is closed,
        without flushing, and reported to `network_handler::on_error` with
        `error::idle_timeout` (then `on_disconnect`). Bytes read and
        discarded while a connection closes do not count. Connections are
        checked four times per shortest enabled time-out, so one is
        closed between 1 and 1.25 time-outs after its last byte. Must be
        positive.
    */
    BOOST_MILLIO_DECL builder& idle_timeout(std::optional<duration_type> d);

    /** Set the kernel's send buffer of accepted sockets (`SO_SNDBUF`).

        By default the system's, which Linux sizes by itself as a
        connection goes. A fixed size turns that off: bytes the kernel
        does not take wait in the connection's send queue (see
        @ref write_high_water_mark). Must be positive; the system may
        round it.
    */
    BOOST_MILLIO_DECL builder& send_buffer_size(std::optional<std::size_t> n);

    /** Set the kernel's receive buffer of accepted sockets (`SO_RCVBUF`).

        By default the system's. Must be positive; the system may round it.
    */
    BOOST_MILLIO_DECL builder& receive_buffer_size(std::optional<std::size_t> n);

    /** Set how often the server gives unused memory back; every second by default.

        At each interval the server trims its buffer pools (see
        `buffer_pool::trim`): buffers that stayed idle for a whole
        interval are dropped and the blocks of memory that hold no buffer
        are returned to the system. After a burst of connections or of
        queued data, the memory it took is given back within three
        intervals once the burst is over; a steady load keeps its
        buffers. `std::nullopt` disables trimming (memory is then kept
        until the server is destroyed). Must be positive.
    */
    BOOST_MILLIO_DECL builder& memory_trim_interval(std::optional<duration_type> d);

    /** Set the close time-out; 5 s by default, zero disables it.

        A connection that starts closing (by `close_connection`, `stop()`
        or the peer's end of stream) flushes its send queue, sends its
        end of stream and waits for the peer's. If that has not happened
        after this long, the connection is reset (`SO_LINGER` 0, then
        closed: the kernel drops the bytes it still holds for the peer
        instead of keeping them for a peer that does not read) and
        reported to `network_handler::on_error` with
        `error::close_timeout` (then `on_disconnect`).

        The default leaves a peer that reads time for several round
        trips and to receive a full send queue (1 MiB by default) over a
        link of a few megabits per second,
        while `stop()` ends within seconds even when peers stop reading
        or never close: without a bound, one such peer keeps its
        descriptor and up to a high-water mark of memory for ever.
        Deadlines are checked four times per shortest enabled time-out,
        so a connection is reset between 1 and 1.25 time-outs after it
        started closing. Must not be negative.
    */
    BOOST_MILLIO_DECL builder& close_timeout(duration_type d);

    /** Set the write time-out; 30 s by default, zero disables it.

        A connection whose send queue holds bytes and could write none
        of them for this long is reset and reported to
        `network_handler::on_error` with `error::write_timeout` (then
        `on_disconnect`). A queue builds up only when the socket's own
        buffer is full, so this catches a peer that stopped reading,
        whatever the rest of the connection does: reads, or
        `send_to` refused with `error::send_queue_full`, do not reset
        it. Progress is seen when the socket's buffer has room again (on
        Linux, a third of it), so a peer must read a good part of that
        buffer per time-out. Twice the time-out (and at least 5 s more
        than it) is also given to the kernel as `TCP_USER_TIMEOUT`, which bounds the time sent bytes
        may stay unacknowledged when the queue itself is empty (the
        connection then fails with `ETIMEDOUT`).

        The default is far above the pauses of a live peer (a busy
        client, a garbage collection, a mobile network hand-over) and
        far below the many minutes TCP itself takes to give up on a peer
        that vanished. Checked like @ref close_timeout. Must not be
        negative.
    */
    BOOST_MILLIO_DECL builder& write_timeout(duration_type d);

    /** Validate and return the configuration.

        @param ec Set to `error::invalid_argument` if the buffer size,
        the connection limit, the high-water mark, the read budget or the
        backlog is 0, the low-water mark is not below the high-water
        mark, the keep-alive time is below one second, the idle time-out
        or the trim interval is not positive, the close or write time-out
        is negative, a socket buffer size is 0 or above `INT_MAX`, or the
        address string cannot be parsed or resolved.
        @return The configuration, or a default one on failure.
        @throws system_error on failure (overload without `ec`).
    */
    /** @{ */
    BOOST_MILLIO_DECL
    tcp_server_config
    build(error_code& ec) const;

    /// Overload
    BOOST_MILLIO_DECL
    tcp_server_config
    build() const;
    /** @} */

private:
    tcp_server_config cfg_;
    std::string address_string_;
    bool max_zero_ = false;
};

/** Parse and resolve `"host:port"` or `"[v6]:port"`.

    @param s The string.
    @param ec Set to `error::invalid_argument` if `s` is malformed or
    the host does not resolve.
    @return The endpoint; a default one on failure.
*/
BOOST_MILLIO_DECL
asio::ip::tcp::endpoint
parse_endpoint(std::string const& s, error_code& ec);

} // net
} // millio
} // boost

#endif
