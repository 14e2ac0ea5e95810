//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_NET_NETWORK_EVENT_HPP
#define BOOST_MILLIO_NET_NETWORK_EVENT_HPP

#include <boost/millio/detail/config.hpp>
#include <boost/millio/net/connection_id.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <optional>

namespace boost {
namespace millio {
namespace net {

/** A notification about the life cycle of a server or its connections.

    Delivered to @ref network_handler::on_event.
*/
struct network_event
{
    /// The kinds of network events.
    enum class kind
    {
        /// A connection was accepted; `endpoint` is the peer's address.
        connection_established,

        /// A connection was closed; `endpoint` is the peer's address.
        connection_closed,

        /// The server listens; `endpoint` is its local address.
        listening,

        /** A peer was accepted and closed at once because of the
            connection limit or a lack of descriptors; `endpoint` is the
            peer's address, if known. `id` is empty.
        */
        connection_rejected
    };

    /// What happened.
    kind type = kind::listening;

    /// The connection concerned, if any.
    std::optional<connection_id> id;

    /// The peer's or the server's address (see @ref kind).
    asio::ip::tcp::endpoint endpoint;
};

} // net
} // millio
} // boost

#endif
