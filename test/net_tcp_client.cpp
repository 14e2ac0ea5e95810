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

// A loopback listener with a small receive buffer, so that a peer that
// does not read fills the client's socket quickly; blocking accept.
struct raw_listener
{
    test::fd_guard fd;
    test::endpoint ep;

    raw_listener()
        : fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0))
    {
        int sz = 16384;
        ::setsockopt(fd.fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        BOOST_REQUIRE(::bind(fd.fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0);
        BOOST_REQUIRE(::listen(fd.fd, 4) == 0);
        socklen_t len = sizeof(a);
        ::getsockname(fd.fd, reinterpret_cast<sockaddr*>(&a), &len);
        ep = test::endpoint(asio::ip::address_v4::loopback(), ntohs(a.sin_port));
    }

    int accept_one()
    {
        test::wait_readable(fd.fd, 10s);
        return ::accept4(fd.fd, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    }
};

// The back-pressure limits of the test client: the marks are above what
// a loopback socket's send buffer holds (4 MiB at most by default), so
// the queue drains in several steps and an on_writable fired above the
// low-water mark would be seen by the probe below.
std::size_t const bp_buffer = 4096;
std::size_t const bp_high = 8 * 1024 * 1024;
std::size_t const bp_low = 2 * 1024 * 1024;

// Counts on_writable and the bytes accepted by send. The
// first on_writable sends `probe` (high - low + 1 bytes, continuing the
// stream): the queue takes it only if it is below the low-water mark.
struct writer : net::client_handler
{
    test::latch connected;
    test::latch writable;
    test::latch disconnected;
    std::atomic<int> writables{0};
    std::atomic<int> errors{0};
    std::atomic<std::size_t> sent{0};   // bytes accepted by send
    error_code probe_error;              // of the send in on_writable
    bool probed = false;

    void on_connect(net::tcp_client&) override { connected.count_down(); }

    void on_data(net::tcp_client&, asio::const_buffer) override {}

    void on_writable(net::tcp_client& c) override
    {
        if(++writables == 1)
        {
            std::size_t const at = sent.load();
            std::vector<unsigned char> probe(bp_high - bp_low + 1);
            test::fill_pattern(probe.data(), probe.size(), 5, at);
            c.send(asio::buffer(probe), probe_error);
            if(!probe_error)
                sent += probe.size();
            probed = true;
        }
        writable.count_down();
    }

    void on_disconnect(net::tcp_client&) override { disconnected.count_down(); }

    void on_error(net::tcp_client&, error_code) override { ++errors; }
};

void back_pressure(test::loop_config const& cfg)
{
    event_loop loop(cfg.options());
    test::loop_runner run(loop);
    raw_listener peer_listener;
    auto h = std::make_shared<writer>();
    net::tcp_client c(bp_buffer, bp_high, bp_low);
    c.connect(peer_listener.ep, h);
    c.start(loop, token(1));
    test::fd_guard peer(peer_listener.accept_one());
    BOOST_REQUIRE(peer.fd >= 0);
    BOOST_REQUIRE(h->connected.wait_for(10s));

    // The peer does not read: the socket fills, then the send queue,
    // until a send would lift the queue above the high-water mark.
    std::vector<unsigned char> block(8192);
    bool refused = false;
    while(h->sent.load() < (64u << 20))
    {
        std::size_t const at = h->sent.load();
        test::fill_pattern(block.data(), block.size(), 5, at);
        error_code ec;
        c.send(asio::buffer(block), ec);
        if(ec == make_error_code(millio::error::send_queue_full))
        {
            refused = true;
            break;
        }
        BOOST_REQUIRE_MESSAGE(!ec, ec.message());
        h->sent += block.size();
    }
    BOOST_REQUIRE(refused);
    // Still full while the peer does not read; the refused calls carry
    // bytes that are not in the stream (a queued one would show below).
    std::fill(block.begin(), block.end(), static_cast<unsigned char>(0xEE));
    error_code ec;
    c.send(asio::buffer(block), ec);
    BOOST_TEST(ec == make_error_code(millio::error::send_queue_full));
    c.send(asio::buffer(block.data(), 1), ec);
    BOOST_TEST(ec == make_error_code(millio::error::send_queue_full));
    BOOST_TEST(h->writables.load() == 0);
    std::size_t const before = h->sent.load();

    // The peer reads; the queue drains below the low-water mark and
    // on_writable fires, whose probe the queue accepts.
    std::string got;
    char buf[65536];
    auto const deadline = std::chrono::steady_clock::now() + 20s;
    bool eof = false;
    bool disconnecting = false;
    while(!eof && std::chrono::steady_clock::now() < deadline)
    {
        if(!disconnecting && h->writable.try_wait())
        {
            // Everything is sent: close gracefully (flushes, then EOF).
            c.disconnect();
            disconnecting = true;
        }
        if(!test::wait_readable(peer.fd, 100ms))
            continue;
        ssize_t r = ::recv(peer.fd, buf, sizeof(buf), 0);
        if(r > 0)
            got.append(buf, static_cast<std::size_t>(r));
        else if(r == 0)
            eof = true;
        else if(errno != EAGAIN && errno != EINTR)
            break;
    }
    BOOST_TEST(eof);
    bool const wrote = h->writable.try_wait();
    BOOST_TEST(wrote);
    if(wrote)
    {
        BOOST_TEST(h->probed);
        BOOST_TEST(!h->probe_error, h->probe_error.message());
    }
    BOOST_TEST(h->writables.load() == 1);
    std::size_t const total = h->sent.load();
    BOOST_TEST(total == before + (bp_high - bp_low + 1));
    // Every byte accepted arrived, in order; none of the refused calls.
    BOOST_TEST(got.size() == total);
    std::size_t mismatch = got.size();
    for(std::size_t i = 0; i < (std::min)(got.size(), total); ++i)
        if(static_cast<unsigned char>(got[i]) != test::pattern(5, i))
        {
            mismatch = i;
            break;
        }
    BOOST_TEST(mismatch == got.size(), "first wrong byte at " << mismatch << " of " << total);
    // The peer closes its side too: the client's close completes.
    ::close(peer.fd);
    peer.fd = -1;
    BOOST_TEST(h->disconnected.wait_for(10s));
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

// A peer that does not read: send fails with send_queue_full once the
// queue would exceed the high-water mark, and queues nothing of that
// call; when the peer reads, on_writable fires once the queue is below
// the low-water mark, and every accepted byte arrives in order.
BOOST_AUTO_TEST_CASE(send_queue_full_then_on_writable, *boost::unit_test::timeout(180))
{
    for(auto const& cfg : test::all_configs())
    {
        BOOST_TEST_CONTEXT(cfg.name())
        back_pressure(cfg);
    }
}

BOOST_AUTO_TEST_SUITE_END()
