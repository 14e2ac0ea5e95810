//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Test that header file is self-contained.
#include <boost/millio/net/server_context.hpp>

#define BOOST_TEST_MODULE millio_net_server_context
#include <boost/test/unit_test.hpp>

#include <boost/millio/net/tcp_server.hpp>

namespace millio = boost::millio;
namespace net = boost::millio::net;

namespace {

struct sink : net::network_handler
{
    void on_data(net::server_context&, net::connection_id, boost::asio::const_buffer) override {}
};

} // (anon)

BOOST_AUTO_TEST_SUITE(net_server_context)

BOOST_AUTO_TEST_CASE(unknown_connection)
{
    auto ctx = std::make_unique<net::tcp_server>(
        net::tcp_server_config::builder().address("127.0.0.1:0").build(), sink())->context();
    // The server is gone; the context stays usable and reports errors.
    millio::error_code ec;
    ctx.send_to(net::connection_id(1), boost::asio::buffer("x", 1), ec);
    BOOST_TEST(ec == make_error_code(millio::error::unknown_connection));
    ctx.close_connection(net::connection_id(1), ec);
    BOOST_TEST(ec == make_error_code(millio::error::unknown_connection));
    ctx.peer_endpoint(net::connection_id(1), ec);
    BOOST_TEST(ec == make_error_code(millio::error::unknown_connection));
    BOOST_TEST(ctx.broadcast(boost::asio::buffer("x", 1), ec) == 0u);
    BOOST_TEST(!ec);
    BOOST_TEST(ctx.connection_count() == 0u);
    BOOST_CHECK_THROW(ctx.send_to(net::connection_id(1), boost::asio::buffer("x", 1)),
        millio::system_error);
    BOOST_CHECK_THROW(ctx.close_connection(net::connection_id(1)), millio::system_error);
}

BOOST_AUTO_TEST_SUITE_END()
