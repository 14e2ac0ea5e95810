//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Test that header file is self-contained.
#include <boost/millio/net/tcp_client.hpp>

#define BOOST_TEST_MODULE millio_net_tcp_client
#include <boost/test/unit_test.hpp>

#include "net_test_util.hpp"

namespace millio = boost::millio;
namespace net = boost::millio::net;
namespace asio = boost::asio;
using millio::event_loop;
using millio::token;
using millio::error_code;
using namespace std::chrono_literals;

namespace {

// Collects what it receives; counts callbacks.
struct collect : net::client_handler
{
    std::mutex m;
    std::string data;
    std::atomic<int> connects{0};
    std::atomic<int> disconnects{0};
    std::atomic<int> errors{0};
    error_code last_error;
    test::latch done{1};
    std::size_t expect = 0;

    void on_connect(net::tcp_client&) override { ++connects; }

    void on_data(net::tcp_client&, asio::const_buffer b) override
    {
        std::lock_guard<std::mutex> lk(m);
        data.append(static_cast<char const*>(b.data()), b.size());
        if(data.size() >= expect)
            done.count_down();
    }

    void on_disconnect(net::tcp_client&) override
    {
        ++disconnects;
        done.count_down();
    }

    void on_error(net::tcp_client&, error_code ec) override
    {
        {
            std::lock_guard<std::mutex> lk(m);
            last_error = ec;
        }
        ++errors;
        done.count_down();
    }
};

bool have_ipv6()
{
    int fd = ::socket(AF_INET6, SOCK_STREAM, 0);
    if(fd < 0)
        return false;
    sockaddr_in6 a{};
    a.sin6_family = AF_INET6;
    a.sin6_addr = in6addr_loopback;
    bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0;
    ::close(fd);
    return ok;
}

void echo_roundtrip(test::loop_config const& cfg, char const* address)
{
    event_loop loop(cfg.options());
    net::tcp_server srv(net::tcp_server_config::builder().address(address).build(),
        std::make_shared<test::echo_handler>());
    srv.start(loop, token(1));
    test::loop_runner run(loop);

    auto h = std::make_shared<collect>();
    std::string msg(300000, 'x');
    for(std::size_t i = 0; i < msg.size(); ++i)
        msg[i] = static_cast<char>(test::pattern(3, i));
    h->expect = msg.size();
    {
        net::tcp_client c;
        c.connect(test::loopback(srv.local_endpoint()), h);
        c.start(loop, token(2));
        // Sent before the connection is established: queued.
        c.send(asio::buffer(msg));
        BOOST_TEST(h->done.wait_for(20s));
        {
            std::lock_guard<std::mutex> lk(h->m);
            BOOST_TEST((h->data == msg));
        }
        BOOST_TEST(c.is_connected());
        BOOST_TEST(h->connects.load() == 1);
        test::latch gone;
        h->done.count_down();
        c.disconnect();
        BOOST_TEST(test::eventually([&]{ return h->disconnects.load() == 1; }));
        BOOST_TEST(!c.is_connected());
        error_code ec;
        c.send(asio::buffer("x", 1), ec);
        BOOST_TEST(ec == make_error_code(millio::error::not_connected));
    }
    BOOST_TEST(h->disconnects.load() == 1);
    BOOST_TEST(h->errors.load() == 0);
}

} // (anon)

BOOST_AUTO_TEST_SUITE(net_tcp_client)

BOOST_AUTO_TEST_CASE(echo_ipv4, *boost::unit_test::timeout(60))
{
    for(auto const& cfg : test::all_configs())
    {
        BOOST_TEST_CONTEXT(cfg.name())
        echo_roundtrip(cfg, "127.0.0.1:0");
    }
}

BOOST_AUTO_TEST_CASE(echo_ipv6, *boost::unit_test::timeout(60))
{
    if(!have_ipv6())
    {
        BOOST_TEST_MESSAGE("::1 is not available; skipping the IPv6 test");
        return;
    }
    for(auto const& cfg : test::all_configs())
    {
        BOOST_TEST_CONTEXT(cfg.name())
        echo_roundtrip(cfg, "[::1]:0");
    }
}

BOOST_AUTO_TEST_CASE(connect_refused, *boost::unit_test::timeout(30))
{
    // A port with no listener: bind one, and close it.
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    BOOST_REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0);
    socklen_t len = sizeof(a);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(fd);
    test::endpoint ep(asio::ip::address_v4::loopback(), ntohs(a.sin_port));
    for(auto const& cfg : test::all_configs())
    {
        BOOST_TEST_CONTEXT(cfg.name())
        {
            event_loop loop(cfg.options());
            test::loop_runner run(loop);
            auto h = std::make_shared<collect>();
            net::tcp_client c;
            c.connect(ep, h);
            c.start(loop, token(1));
            BOOST_TEST(h->done.wait_for(10s));
            BOOST_TEST(h->errors.load() == 1);
            BOOST_TEST(h->connects.load() == 0);
            BOOST_TEST(h->disconnects.load() == 0);
        }
    }
}

BOOST_AUTO_TEST_CASE(misuse, *boost::unit_test::timeout(30))
{
    event_loop loop(test::all_configs()[0].options());
    error_code ec;
    {
        net::tcp_client c;
        c.start(loop, token(1), ec);
        BOOST_TEST(ec == make_error_code(millio::error::not_connected));
        c.send(asio::buffer("x", 1), ec);
        BOOST_TEST(ec == make_error_code(millio::error::not_connected));
        BOOST_CHECK_THROW(c.send(asio::buffer("x", 1)), millio::system_error);
    }
    BOOST_CHECK_THROW(net::tcp_client(0), millio::system_error);
    BOOST_CHECK_THROW(net::tcp_client(8192, 100, 100), millio::system_error);
    {
        // token collision with a user registration
        int p[2];
        BOOST_REQUIRE(::pipe(p) == 0);
        loop.register_source(p[0], token(5), millio::interest::readable, [](millio::event const&){});
        net::tcp_client c;
        c.connect(test::endpoint(asio::ip::address_v4::loopback(), 9), std::make_shared<collect>());
        c.start(loop, token(5), ec);
        BOOST_TEST(ec == make_error_code(millio::error::token_in_use));
        c.start(loop, token(6), ec);
        BOOST_TEST(!ec);
        c.start(loop, token(7), ec);
        BOOST_TEST(ec == make_error_code(millio::error::already_started));
        loop.deregister_source(p[0], token(5));
        ::close(p[0]);
        ::close(p[1]);
    }
}

BOOST_AUTO_TEST_SUITE_END()
