//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Test that header file is self-contained.
#include <boost/millio/net.hpp>

#define BOOST_TEST_MODULE millio_net
#include <boost/test/unit_test.hpp>

#include <boost/millio.hpp>

BOOST_AUTO_TEST_SUITE(net)

BOOST_AUTO_TEST_CASE(umbrella_names)
{
    namespace net = boost::millio::net;
    net::connection_id id(1);
    net::network_event ev;
    auto cfg = net::tcp_server_config::builder().build();
    net::tcp_client_config ccfg;
    BOOST_TEST(ccfg.connect_timeout.count() > 0);
    BOOST_TEST(id.value() == 1u);
    BOOST_TEST((ev.type == net::network_event::kind::listening));
    BOOST_TEST(cfg.address().port() == 8080);
}

BOOST_AUTO_TEST_SUITE_END()
