//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Test that header file is self-contained.
#include <boost/millio/net/network_event.hpp>

#define BOOST_TEST_MODULE millio_net_network_event
#include <boost/test/unit_test.hpp>

namespace net = boost::millio::net;

BOOST_AUTO_TEST_SUITE(net_network_event)

BOOST_AUTO_TEST_CASE(fields)
{
    net::network_event ev;
    BOOST_TEST(!ev.id.has_value());
    ev.type = net::network_event::kind::connection_established;
    ev.id = net::connection_id(5);
    ev.endpoint = boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("::1"), 80);
    BOOST_TEST(ev.id->value() == 5u);
    BOOST_TEST(ev.endpoint.address().is_v6());
}

BOOST_AUTO_TEST_SUITE_END()
