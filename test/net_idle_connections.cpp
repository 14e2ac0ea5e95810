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

#if !defined(_WIN32)
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#endif

namespace millio = boost::millio;
namespace net = boost::millio::net;
using millio::event_loop;
using millio::token;
using namespace std::chrono_literals;

#if defined(_WIN32)

BOOST_AUTO_TEST_SUITE(net_idle_connections)

// (Skipped by its precondition: a module whose only case is disabled
// has an empty test tree, which Boost.Test reports as an error.)
BOOST_AUTO_TEST_CASE(ten_thousand, *boost::unit_test::precondition(
    [](boost::unit_test::test_unit_id) {
        boost::test_tools::assertion_result r(false);
        r.message() << "not on this platform: fork and RLIMIT_NOFILE "
            "(the clients live in a child process forked before the server starts)";
        return r;
    }))
{
}

BOOST_AUTO_TEST_SUITE_END()

#else

namespace {

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

bool read_full(int fd, void* p, std::size_t n)
{
    auto* c = static_cast<char*>(p);
    while(n > 0)
    {
        ssize_t r = test::read_fd(fd, c, n);
        if(r <= 0)
            return false;
        c += r;
        n -= static_cast<std::size_t>(r);
    }
    return true;
}

// The clients live in a child process forked before the server starts,
// so that each process needs one descriptor per connection (and the
// memory measured in this process is the server's alone).
int client_process(int in, int out, std::size_t n)
{
    raise_nofile(static_cast<rlim_t>(n + 100));
    std::uint16_t port = 0;
    if(!read_full(in, &port, sizeof(port)))
        return 1;
    test::endpoint ep(boost::asio::ip::address_v4::loopback(), port);
    std::vector<int> fds;
    fds.reserve(n);
    for(std::size_t i = 0; i < n; ++i)
    {
        int fd = test::connect_to(ep);
        if(fd < 0)
            break;
        fds.push_back(fd);
    }
    std::uint64_t connected = fds.size();
    if(test::write_fd(out, &connected, sizeof(connected)) != sizeof(connected))
        return 1;
    char cmd = 0;
    if(!read_full(in, &cmd, 1))
        return 1;
    // The first, a middle and the last connection still echo.
    char ok = 1;
    if(!fds.empty())
        for(std::size_t i : {std::size_t(0), fds.size() / 2, fds.size() - 1})
        {
            unsigned char msg[16], back[16] = {};
            test::fill_pattern(msg, sizeof(msg), i, 0);
            if(!test::write_all(fds[i], msg, sizeof(msg)) ||
                test::read_n(fds[i], back, sizeof(back)) != sizeof(back) ||
                std::memcmp(msg, back, sizeof(msg)) != 0)
                ok = 0;
        }
    if(test::write_fd(out, &ok, 1) != 1)
        return 1;
    for(int fd : fds)
        test::close_fd(fd);
    return 0;
}

BOOST_AUTO_TEST_CASE(ten_thousand, *test::if_any_config() * boost::unit_test::timeout(300))
{
    auto n = static_cast<std::size_t>(10000 * test::scale());
    if(n < 1000)
        n = 1000;
    // One server descriptor per connection here, and some spare.
    rlim_t const want = static_cast<rlim_t>(n + 200);
    rlim_t const have = raise_nofile(want);
    if(have < want)
    {
        BOOST_TEST_MESSAGE("SKIPPED: " << n << " idle connections need " << want
            << " descriptors in each process, but RLIMIT_NOFILE can only be raised to "
            << have << " (raise the hard limit, e.g. `ulimit -Hn " << want
            << "`, or lower MILLIO_TEST_SCALE)");
        BOOST_TEST(true);
        return;
    }

    int p2c[2], c2p[2];
    BOOST_REQUIRE(test::make_pipe(p2c));
    BOOST_REQUIRE(test::make_pipe(c2p));
    pid_t child = ::fork(); // before any thread of this test exists
    BOOST_REQUIRE(child >= 0);
    if(child == 0)
    {
        test::close_fd(p2c[1]);
        test::close_fd(c2p[0]);
        ::_exit(client_process(p2c[0], c2p[1], n));
    }
    test::close_fd(p2c[0]);
    test::close_fd(c2p[1]);
    test::fd_guard to_child(p2c[1]), from_child(c2p[0]);

    {
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
        std::size_t const rss0 = test::rss_bytes();
        auto const t0 = std::chrono::steady_clock::now();

        std::uint16_t port = ep.port();
        BOOST_REQUIRE(test::write_fd(to_child.fd, &port, sizeof(port)) == static_cast<ssize_t>(sizeof(port)));
        std::uint64_t connected = 0;
        BOOST_REQUIRE(read_full(from_child.fd, &connected, sizeof(connected)));
        BOOST_REQUIRE_EQUAL(connected, n);
        BOOST_TEST(test::eventually([&]{ return srv.connection_count() == n; }, 60s));
        // on_connect may run just after a connection is counted.
        BOOST_TEST(test::eventually([&]{ return h->connects.load() == static_cast<int>(n + 4); }, 60s));
        auto const t1 = std::chrono::steady_clock::now();
        std::size_t const rss1 = test::rss_bytes();
        BOOST_TEST(srv.connection_count() == n);

        char cmd = 'e', ok = 0;
        BOOST_REQUIRE(test::write_fd(to_child.fd, &cmd, 1) == 1);
        BOOST_REQUIRE(read_full(from_child.fd, &ok, 1));
        BOOST_TEST(ok == 1);

        double const per = rss1 > rss0
            ? static_cast<double>(rss1 - rss0) / static_cast<double>(n) : 0;
        BOOST_TEST_MESSAGE(n << " idle connections established in "
            << std::chrono::duration<double>(t1 - t0).count() << " s; server RSS "
            << rss0 / 1024 << " KiB before, " << rss1 / 1024 << " KiB after: "
            << per << " bytes per connection (user-space memory of the server; "
            "kernel socket memory is not in RSS; the clients run in another process)");

        int status = 0;
        BOOST_REQUIRE(::waitpid(child, &status, 0) == child);
        BOOST_TEST((WIFEXITED(status) && WEXITSTATUS(status) == 0));
        BOOST_TEST(test::eventually([&]{ return srv.connection_count() == 0; }, 60s));
        BOOST_TEST(test::eventually([&]{ return h->disconnects.load() == h->connects.load(); }, 60s));
        BOOST_TEST(h->errors.load() == 0);
    }
}

BOOST_AUTO_TEST_SUITE_END()

#endif
