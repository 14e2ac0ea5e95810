//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_NET_TCP_CLIENT_CONFIG_HPP
#define BOOST_MILLIO_NET_TCP_CLIENT_CONFIG_HPP

#include <boost/millio/detail/config.hpp>
#include <boost/millio/error.hpp>
#include <chrono>
#include <cstddef>

namespace boost {
namespace millio {
namespace net {

/** The configuration of a @ref tcp_client.

    An aggregate: set the members to change, keep the defaults of the
    others. The @ref tcp_client constructor validates it.
    @snippet doc_reference_net.cpp ref_tcp_client_config
*/
struct tcp_client_config
{
    /// The duration type of time-outs.
    using duration_type = std::chrono::milliseconds;

    /// The size of each read buffer and send queue buffer in bytes; must not be 0.
    std::size_t buffer_size = 8192;

    /** The send queue size above which `send` is refused with
        `error::send_queue_full`, in bytes; must not be 0.
    */
    std::size_t write_high_water_mark = 1024 * 1024;

    /** The send queue size below which `on_writable` fires after a
        refusal, in bytes; must be below @ref write_high_water_mark.
    */
    std::size_t write_low_water_mark = 256 * 1024;

    /** The time a connect may take, counted from `tcp_client::start`;
        zero means no limit of the library's own (the system's connect
        time-out, often minutes, still applies). Must not be negative.

        A connect not established in time is given up and reported to
        `client_handler::on_error` with an error code equal to
        `asio::error::timed_out` (`std::errc::timed_out`, the one the
        system reports for its own connect time-out); `on_connect` and
        `on_disconnect` are then not called. Default 30 seconds.
    */
    duration_type connect_timeout = std::chrono::seconds(30);

    /** The time a closing connection may take, counted from
        `tcp_client::disconnect` (or the peer's close); zero disables it.
        Must not be negative.

        A connection that `disconnect` closes flushes its send queue,
        sends its FIN and waits for the peer's. If that takes longer,
        the connection is reset and `client_handler::on_error` is called
        with `error::close_timeout`, then `on_disconnect`. Same meaning
        and default as `tcp_server_config`'s close time-out: 5 seconds.
    */
    duration_type close_timeout = std::chrono::seconds(5);

    /** The time the send queue may hold bytes without writing any of
        them; zero disables it. Must not be negative.

        A connection whose peer stopped reading is reset and
        `client_handler::on_error` is called with `error::write_timeout`,
        then `on_disconnect`. Twice the time-out (and at least 5 s more
        than it) is also given to the kernel as `TCP_USER_TIMEOUT`, which
        bounds the time sent bytes may stay unacknowledged when the
        queue itself is empty (the connection then fails with
        `ETIMEDOUT`). Same meaning and default as `tcp_server_config`'s
        write time-out: 30 seconds. Not checked before `on_connect`
        (the connect time-out covers that time).
    */
    duration_type write_timeout = std::chrono::seconds(30);

    /** Check the values.

        @param ec Set to `error::invalid_argument` if @ref buffer_size or
        @ref write_high_water_mark is 0, @ref write_low_water_mark is not
        below @ref write_high_water_mark, or @ref connect_timeout,
        @ref close_timeout or @ref write_timeout is negative; cleared
        otherwise.
        @throws system_error on failure (overload without `ec`).
    */
    /** @{ */
    BOOST_MILLIO_DECL
    void
    validate(error_code& ec) const noexcept;

    /// Overload
    BOOST_MILLIO_DECL
    void
    validate() const;
    /** @} */
};

} // net
} // millio
} // boost

#endif
