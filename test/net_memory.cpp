//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Memory a burst takes is given back: 200 connections each with 1 MiB
// queued, then closed; the server's periodic trims return the memory
// to the system.

#include <boost/millio/net/tcp_server.hpp>

#define BOOST_TEST_MODULE millio_net_memory

#include <boost/test/unit_test.hpp>

#include "net_test_util.hpp"

#include <memory>
#include <vector>

#if !defined(_WIN32)
#include <sys/socket.h>
#endif

namespace millio = boost::millio;
namespace net = boost::millio::net;
namespace asio = boost::asio;
using millio::event_loop;
using millio::token;
using millio::error_code;
using namespace std::chrono_literals;

namespace {

constexpr std::size_t message = std::size_t(1) << 20;

// Sends 1 MiB to every new connection, which does not read it.
struct bulk_sender : net::network_handler
{
    std::vector<unsigned char> bytes = std::vector<unsigned char>(message, 0x42);
    std::atomic<int> connected{0};
    std::atomic<int> refused{0};

    void on_connect(net::server_context& ctx, net::connection_id id) override
    {
        error_code ec;
        ctx.send_to(id, asio::buffer(bytes), ec);
        if(ec)
            ++refused;
        ++connected;
    }

    void on_data(net::server_context&, net::connection_id, asio::const_buffer) override {}
};

// A client that takes almost nothing: the server's queue holds the data.
int
tiny_window_client(test::endpoint const& ep)
{
    int fd = test::tcp_socket(AF_INET);
    int sz = 4096;
    test::set_receive_buffer(fd, sz);
    if(test::connect_fd(fd, ep) != 0)
    {
        test::close_fd(fd);
        return -1;
    }
    return fd;
}

// n clients connect, 1 MiB each is queued, the clients go away.
// Returns the largest RSS seen while the data was queued.
std::size_t
burst(net::tcp_server& srv, bulk_sender& h, int n)
{
    auto ctx = srv.context();
    int const before = h.connected.load();
    std::vector<std::unique_ptr<test::fd_guard>> clients;
    for(int i = 0; i < n; ++i)
    {
        clients.emplace_back(new test::fd_guard(tiny_window_client(test::loopback(srv.local_endpoint()))));
        BOOST_REQUIRE(clients.back()->fd >= 0);
    }
    BOOST_REQUIRE(test::eventually([&] { return h.connected.load() == before + n; }, 60s));
    std::size_t const peak = test::rss_bytes();
    clients.clear(); // unread data: the peers reset
    BOOST_REQUIRE(test::eventually([&] { return ctx.connection_count() == 0; }, 60s));
    return peak;
}

} // (anon)

// The test cases (data test cases are classes) capture the helpers of the
// anonymous namespace: they are there too (-Wsubobject-linkage).
namespace {

BOOST_AUTO_TEST_SUITE(net_memory)

BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(600))
BOOST_DATA_TEST_CASE(burst_of_queued_data_is_given_back, test::configs_dataset(), cfg)
{
    event_loop loop(cfg.options());
    auto h = std::make_shared<bulk_sender>();
    net::tcp_server srv(net::tcp_server_config::builder()
        .address("127.0.0.1:0")
        .write_high_water_mark(2 * message)
        .write_low_water_mark(message / 2)
        .send_buffer_size(16384) // the queue, not the kernel, holds the data
        .memory_trim_interval(std::chrono::milliseconds(100))
        .build(), h);
    srv.start(loop, token(1));
    test::loop_runner run(loop);

    // Once through the whole cycle, so that what is made once
    // (the loop's threads, the first blocks) is there before.
    burst(srv, *h, 1);
    std::size_t const pre = test::rss_bytes();

    int const n = 200;
    std::size_t const peak = burst(srv, *h, n);
    BOOST_TEST(h->refused.load() == 0);
    BOOST_TEST_MESSAGE(cfg.name() << ": RSS before " << (pre >> 10) << " KiB, with "
        << n << " x 1 MiB queued " << (peak >> 10) << " KiB");
#ifndef MILLIO_TEST_SANITIZED
    // The data was queued in the process: at least half of it.
    BOOST_TEST(peak >= pre + n * message / 2);
    // Given back within a few trims.
    std::size_t last = 0;
    bool back = test::eventually([&] {
        last = test::rss_bytes();
        return last <= pre + pre / 10;
    }, 20s);
    BOOST_TEST(back, "RSS " << (last >> 10) << " KiB, before the burst "
        << (pre >> 10) << " KiB");
#endif
}

BOOST_AUTO_TEST_SUITE_END()

} // (anon)
