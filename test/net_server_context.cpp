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

#include "net_test_util.hpp"

#include <chrono>
#include <thread>


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

// Sending and closing do not change the context: they work through a
// const reference (as a context passed around by const& would be used).
BOOST_AUTO_TEST_CASE(senders_are_const)
{
    auto srv = std::make_unique<net::tcp_server>(
        net::tcp_server_config::builder().address("127.0.0.1:0").build(), sink());
    net::server_context const ctx = srv->context();
    millio::error_code ec;
    ctx.send_to(net::connection_id(7), boost::asio::buffer("x", 1), ec);
    BOOST_TEST(ec == make_error_code(millio::error::unknown_connection));
    BOOST_TEST(ctx.broadcast(boost::asio::buffer("x", 1), ec) == 0u);
    BOOST_TEST(!ec);
    ctx.close_connection(net::connection_id(7), ec);
    BOOST_TEST(ec == make_error_code(millio::error::unknown_connection));
    BOOST_CHECK_THROW(ctx.send_to(net::connection_id(7), boost::asio::buffer("x", 1)),
        millio::system_error);
    BOOST_CHECK_THROW(ctx.close_connection(net::connection_id(7)), millio::system_error);
    BOOST_TEST(ctx.broadcast(boost::asio::buffer("x", 1)) == 0u);
}

namespace {

struct keeper : net::network_handler
{
    std::shared_ptr<net::server_context> kept;
    void on_connect(net::server_context& ctx, net::connection_id) override
    {
        kept = std::make_shared<net::server_context>(ctx);
    }
    void on_data(net::server_context&, net::connection_id, boost::asio::const_buffer) override {}
};

} // (anon)

BOOST_AUTO_TEST_CASE(copy_outlives_server, *boost::unit_test::timeout(30))
{
    auto h = std::make_shared<keeper>();
    {
        millio::event_loop loop(millio::event_loop_options{});
        net::tcp_server srv(net::tcp_server_config::builder().address("127.0.0.1:0").build(), h);
        srv.start(loop, millio::token(1));
        std::thread t([&]{ loop.run(); });
        int fd = test::tcp_socket(AF_INET);
        auto ep = srv.local_endpoint();
        BOOST_REQUIRE(test::connect_fd(fd, ep) == 0);
        for(int i = 0; i < 20000 && srv.connection_count() == 0; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        BOOST_TEST(srv.connection_count() == 1u);
        loop.stop();
        t.join();
        test::close_fd(fd);
    }
    // The copy made in a callback keeps the state alive.
    BOOST_REQUIRE(h->kept);
    millio::error_code ec;
    h->kept->send_to(net::connection_id(1), boost::asio::buffer("x", 1), ec);
    BOOST_TEST(ec == make_error_code(millio::error::unknown_connection));
    h->kept.reset(); // break the cycle state -> handler -> context -> state
}

BOOST_AUTO_TEST_SUITE_END()
