//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Test that header file is self-contained.
#include <boost/millio/net/tcp_server.hpp>

#define BOOST_TEST_MODULE millio_net_tcp_server
#include <boost/test/unit_test.hpp>

#include "net_test_util.hpp"

#include <boost/millio/net/tcp_client.hpp>

#include <cstdio>
#include <map>
#include <set>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>

namespace millio = boost::millio;
namespace net = boost::millio::net;
namespace asio = boost::asio;
using millio::event_loop;
using millio::token;
using millio::error_code;
using namespace std::chrono_literals;

namespace {

std::size_t scaled(std::size_t n, std::size_t min = 1)
{
    auto v = static_cast<std::size_t>(static_cast<double>(n) * test::scale());
    return v < min ? min : v;
}

} // (anon)

BOOST_AUTO_TEST_SUITE(net_tcp_server)

BOOST_AUTO_TEST_CASE(echo_100_connections, *boost::unit_test::timeout(240))
{
    std::size_t const conns = scaled(100, 4);
    std::size_t const bytes = scaled(1 << 20, 4096);
    for(auto const& cfg : test::all_configs())
    {
        BOOST_TEST_CONTEXT(cfg.name())
        {
            event_loop loop(cfg.options());
            auto h = std::make_shared<test::echo_handler>();
            net::tcp_server srv(test::local_config(), h);
            srv.start(loop, token(1));
            test::loop_runner run(loop);
            auto err = test::echo_clients(test::loopback(srv.local_endpoint()),
                conns, bytes, 65536, 200s, 7);
            BOOST_TEST(err == "");
            BOOST_TEST(h->send_failures.load() == 0);
            BOOST_TEST(test::eventually([&]{ return h->disconnects.load() == h->connects.load(); }));
            BOOST_TEST(h->connects.load() == static_cast<int>(conns));
            BOOST_TEST(h->bytes.load() == conns * bytes);
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
