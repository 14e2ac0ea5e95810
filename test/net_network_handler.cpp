//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Test that header file is self-contained.
#include <boost/millio/net/network_handler.hpp>

#define BOOST_TEST_MODULE millio_net_network_handler
#include <boost/test/unit_test.hpp>

#include <type_traits>

namespace net = boost::millio::net;

namespace {

struct only_data : net::network_handler
{
    void on_data(net::server_context&, net::connection_id, boost::asio::const_buffer) override {}
};

} // (anon)

BOOST_AUTO_TEST_SUITE(net_network_handler)

BOOST_AUTO_TEST_CASE(on_data_is_the_only_required_callback)
{
    BOOST_TEST(std::is_abstract<net::network_handler>::value);
    BOOST_TEST(!std::is_abstract<only_data>::value);
    BOOST_TEST(std::has_virtual_destructor<net::network_handler>::value);
}

BOOST_AUTO_TEST_SUITE_END()
