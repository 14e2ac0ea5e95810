//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// 10,000 concurrent idle connections to one tcp_server (scaled by
// MILLIO_TEST_SCALE, at least 1000). The clients live in this process, so
// each connection costs two descriptors here and the measured memory per
// connection covers the server side and the client socket together.

#define BOOST_TEST_MODULE millio_net_idle_connections
#include <boost/test/unit_test.hpp>

#include "net_test_util.hpp"

#include <boost/millio/net/tcp_server.hpp>

#include <cstdio>
#include <memory>
#include <vector>

#include <sys/resource.h>
#include <unistd.h>

namespace millio = boost::millio;
namespace net = boost::millio::net;
using millio::event_loop;
using millio::token;
using namespace std::chrono_literals;

namespace {

std::size_t rss_bytes()
{
    unsigned long size = 0, res = 0;
    if(std::FILE* f = std::fopen("/proc/self/statm", "r"))
    {
        if(std::fscanf(f, "%lu %lu", &size, &res) != 2)
            res = 0;
        std::fclose(f);
    }
    return res * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
}

// Raises the soft descriptor limit towards `want` (up to the hard
// limit); returns the resulting soft limit.
rlim_t raise_nofile(rlim_t want)
{
    rlimit rl{};
    if(::getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return 0;
    if(rl.rlim_cur < want)
    {
        rl.rlim_cur = (rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= want) ? want : rl.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &rl);
        ::getrlimit(RLIMIT_NOFILE, &rl);
    }
    return rl.rlim_cur;
}

} // (anon)

BOOST_AUTO_TEST_SUITE(net_idle_connections)

BOOST_AUTO_TEST_CASE(ten_thousand, *boost::unit_test::timeout(300))
{
    auto n = static_cast<std::size_t>(10000 * test::scale());
    if(n < 1000)
        n = 1000;
    // A client and a server descriptor per connection, and some spare.
    rlim_t const want = static_cast<rlim_t>(2 * n + 100);
    rlim_t const have = raise_nofile(want);
    if(have < want)
    {
        BOOST_TEST_MESSAGE("SKIPPED: " << n << " idle connections need " << want
            << " descriptors in this process, but RLIMIT_NOFILE can only be raised to "
            << have << " (raise the hard limit, e.g. `ulimit -Hn " << want
            << "`, or lower MILLIO_TEST_SCALE)");
        BOOST_TEST(true);
        return;
    }

    auto cfg = test::all_configs().front(); // epoll where there is one
    event_loop loop(cfg.options());
    auto h = std::make_shared<test::echo_handler>();
    net::tcp_server srv(net::tcp_server_config::builder()
        .address("127.0.0.1:0")
        .backlog(4096)
        .build(), h);
    srv.start(loop, token(1));
    test::loop_runner run(loop);
    auto const ep = test::loopback(srv.local_endpoint());

    // Warm up the paths used below, so that the baseline includes them.
    BOOST_TEST(test::echo_clients(ep, 4, 1000, 100, 20s) == "");
    BOOST_REQUIRE(test::eventually([&]{ return srv.connection_count() == 0; }));
    std::vector<int> fds;
    fds.reserve(n);
    std::size_t const rss0 = rss_bytes();
    auto const t0 = std::chrono::steady_clock::now();

    for(std::size_t i = 0; i < n; ++i)
    {
        int fd = test::connect_to(ep);
        if(fd < 0)
        {
            BOOST_TEST_MESSAGE("connect " << i << " failed: " << std::strerror(errno));
            break;
        }
        fds.push_back(fd);
    }
    BOOST_REQUIRE_EQUAL(fds.size(), n);
    BOOST_TEST(test::eventually([&]{ return srv.connection_count() == n; }, 60s));
    // on_connect may run just after a connection is counted.
    BOOST_TEST(test::eventually([&]{ return h->connects.load() == static_cast<int>(n + 4); }, 60s));
    auto const t1 = std::chrono::steady_clock::now();
    std::size_t const rss1 = rss_bytes();
    BOOST_TEST(srv.connection_count() == n);

    // The first, a middle and the last connection still echo.
    for(std::size_t i : {std::size_t(0), n / 2, n - 1})
    {
        unsigned char msg[16];
        test::fill_pattern(msg, sizeof(msg), i, 0);
        BOOST_TEST(test::write_all(fds[i], msg, sizeof(msg)));
        unsigned char back[16] = {};
        BOOST_TEST(test::read_n(fds[i], back, sizeof(back)) == sizeof(back));
        BOOST_TEST(std::memcmp(msg, back, sizeof(msg)) == 0);
    }

    double const per = rss1 > rss0
        ? static_cast<double>(rss1 - rss0) / static_cast<double>(n) : 0;
    BOOST_TEST_MESSAGE(n << " idle connections established in "
        << std::chrono::duration<double>(t1 - t0).count() << " s; RSS "
        << rss0 / 1024 << " KiB before, " << rss1 / 1024 << " KiB after: "
        << per << " bytes per connection (server side and the client socket, "
        "both in this process; kernel socket memory is not in RSS)");

    for(int fd : fds)
        ::close(fd);
    BOOST_TEST(test::eventually([&]{ return srv.connection_count() == 0; }, 60s));
    BOOST_TEST(test::eventually([&]{ return h->disconnects.load() == h->connects.load(); }, 60s));
    BOOST_TEST(h->errors.load() == 0);
}

BOOST_AUTO_TEST_SUITE_END()
