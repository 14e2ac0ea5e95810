//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_NET_HPP
#define BOOST_MILLIO_NET_HPP

#include <boost/millio/net/connection_id.hpp>
#include <boost/millio/net/network_event.hpp>
#include <boost/millio/net/network_handler.hpp>
#include <boost/millio/net/server_context.hpp>
#include <boost/millio/net/tcp_client.hpp>
#include <boost/millio/net/tcp_client_config.hpp>
#include <boost/millio/net/tcp_server.hpp>
#include <boost/millio/net/tcp_server_config.hpp>

#endif
