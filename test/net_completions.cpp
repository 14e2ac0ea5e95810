//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// The net layer at the edges of the completion path of the io_uring
// backend (receives into a ring of provided buffers, sends through the
// ring): more connections than buffers, connections closed and servers
// destroyed with requests in flight. They run on every configuration:
// on the readiness backends they test the same behaviour.

#include <boost/millio/net/tcp_server.hpp>

#define BOOST_TEST_MODULE millio_net_completions
#include <boost/test/unit_test.hpp>

#include "net_test_util.hpp"

#include <memory>
#include <set>
#include <string>
#include <vector>

namespace millio = boost::millio;
namespace net = boost::millio::net;
namespace asio = boost::asio;
using millio::event_loop;
using millio::token;
using millio::error_code;
using namespace std::chrono_literals;

namespace {

// Sends `n` bytes of stream `k` on connect and echoes nothing.
struct pusher : net::network_handler
{
    std::size_t n;
    std::vector<unsigned char> bytes;
    std::atomic<int> connects{0};
    std::atomic<int> disconnects{0};
    std::atomic<int> send_failures{0};
    std::atomic<std::uint64_t> received{0};
    std::mutex m;
    std::vector<error_code> errors;

    explicit pusher(std::size_t size)
        : n(size)
        , bytes(size)
    {
        test::fill_pattern(bytes.data(), n, 5, 0);
    }

    void on_connect(net::server_context& ctx, net::connection_id id) override
    {
        error_code ec;
        ctx.send_to(id, asio::buffer(bytes), ec);
        if(ec)
            ++send_failures;
        ++connects;
    }

    void on_data(net::server_context&, net::connection_id, asio::const_buffer b) override
    {
        received.fetch_add(b.size(), std::memory_order_relaxed);
    }

    void on_disconnect(net::server_context&, net::connection_id) override
    {
        ++disconnects;
    }

    void on_error(net::server_context&, std::optional<net::connection_id>, error_code ec) override
    {
        std::lock_guard<std::mutex> lk(m);
        errors.push_back(ec);
    }

    int count(millio::error e)
    {
        std::lock_guard<std::mutex> lk(m);
        int k = 0;
        for(auto const& ec : errors)
            if(ec == millio::make_error_code(e))
                ++k;
        return k;
    }
};

// A client with a small receive window that reads nothing.
int
slow_reader(test::endpoint const& ep)
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

// Reads until the end of the stream or an error; true if it ended
// within `d`.
bool
ends_within(int fd, std::chrono::milliseconds d)
{
    test::set_nonblocking(fd);
    std::vector<unsigned char> buf(65536);
    auto const end = std::chrono::steady_clock::now() + d;
    while(std::chrono::steady_clock::now() < end)
    {
        if(!test::wait_readable(fd, 100ms))
            continue;
        ssize_t r = test::recv_fd(fd, buf.data(), buf.size());
        if(r == 0 || (r < 0 && test::socket_errno() != EAGAIN && test::socket_errno() != EINTR))
            return true;
    }
    return false;
}

} // (anon)

BOOST_AUTO_TEST_SUITE(net_completions)

// A loop with a small batch has few receive buffers (on io_uring: 16 for
// a batch of 16): 48 connections echoing at once exhaust them again and
// again; every byte comes back, in order, and no connection stalls.
BOOST_AUTO_TEST_CASE(more_connections_than_receive_buffers, *boost::unit_test::timeout(240))
{
    std::size_t const conns = 48;
    std::size_t const bytes = 256 * 1024;
    for(auto const& cfg : test::all_configs())
    {
        BOOST_TEST_CONTEXT(cfg.name())
        {
            auto opt = cfg.options();
            opt.events_capacity = 16;
            event_loop loop(opt);
            auto h = std::make_shared<test::echo_handler>();
            h->check_overlap = true;
            net::tcp_server srv(test::local_config(), h);
            srv.start(loop, token(1));
            test::loop_runner run(loop);
            auto err = test::echo_clients(test::loopback(srv.local_endpoint()),
                conns, bytes, 16384, 200s, 11);
            BOOST_TEST(err == "");
            BOOST_TEST(h->send_failures.load() == 0);
            BOOST_TEST(h->bytes.load() == conns * bytes);
            BOOST_TEST(h->overlaps.load() == 0);
            BOOST_TEST(test::eventually([&]{ return h->disconnects.load() == h->connects.load(); }));
        }
    }
}

// Connections whose sends cannot progress (the peers read nothing) while
// their peers keep sending to them are closed: by the close timeout (a
// reset), by the write timeout, and by the destruction of the server.
// The requests in flight end first: nothing is freed early (ASan), the
// peers see their connections end, nothing is reported twice.
BOOST_AUTO_TEST_CASE(closed_with_sends_and_receives_in_flight, *boost::unit_test::timeout(240))
{
    std::size_t const message = 4 << 20;
    int const n = 8;
    for(auto const& cfg : test::all_configs())
    {
        BOOST_TEST_CONTEXT(cfg.name())
        {
            event_loop loop(cfg.options());
            test::loop_runner run(loop);
            // 1. close_connection: the flush cannot finish, the close
            //    timeout resets the connections.
            {
                auto h = std::make_shared<pusher>(message);
                net::tcp_server srv(net::tcp_server_config::builder()
                    .address("127.0.0.1:0")
                    .send_buffer_size(16384)
                    .write_high_water_mark(2 * message)
                    .close_timeout(std::chrono::milliseconds(200))
                    .build(), h);
                srv.start(loop, token(1));
                std::vector<std::unique_ptr<test::fd_guard>> cs;
                for(int i = 0; i < n; ++i)
                {
                    cs.emplace_back(new test::fd_guard(slow_reader(test::loopback(srv.local_endpoint()))));
                    BOOST_REQUIRE(cs.back()->fd >= 0);
                }
                BOOST_REQUIRE(test::eventually([&]{ return h->connects.load() == n; }));
                std::vector<unsigned char> chunk(8192, 0x5a);
                for(auto& c : cs)
                    BOOST_TEST(test::write_all(c->fd, chunk.data(), chunk.size()));
                BOOST_REQUIRE(test::eventually([&]{ return h->received.load() == n * chunk.size(); }));
                auto ctx = srv.context();
                for(std::uint64_t id = 1; id <= static_cast<std::uint64_t>(n); ++id)
                    ctx.close_connection(net::connection_id(id));
                BOOST_TEST(test::eventually([&]{ return h->disconnects.load() == n; }));
                BOOST_TEST(h->count(millio::error::close_timeout) == n);
                for(auto& c : cs)
                    BOOST_TEST(ends_within(c->fd, 20s));
                BOOST_TEST(h->send_failures.load() == 0);
            }
            // 2. The write timeout, while the peers keep sending.
            {
                auto h = std::make_shared<pusher>(message);
                net::tcp_server srv(net::tcp_server_config::builder()
                    .address("127.0.0.1:0")
                    .send_buffer_size(16384)
                    .write_high_water_mark(2 * message)
                    .write_timeout(std::chrono::milliseconds(300))
                    .build(), h);
                srv.start(loop, token(2));
                std::vector<std::unique_ptr<test::fd_guard>> cs;
                for(int i = 0; i < n; ++i)
                {
                    cs.emplace_back(new test::fd_guard(slow_reader(test::loopback(srv.local_endpoint()))));
                    BOOST_REQUIRE(cs.back()->fd >= 0);
                    test::set_nonblocking(cs.back()->fd);
                }
                BOOST_REQUIRE(test::eventually([&]{ return h->connects.load() == n; }));
                std::vector<unsigned char> chunk(4096, 0x33);
                auto const until = std::chrono::steady_clock::now() + 20s;
                while(h->disconnects.load() < n && std::chrono::steady_clock::now() < until)
                {
                    for(auto& c : cs)
                        (void)test::send_fd(c->fd, chunk.data(), chunk.size());
                    std::this_thread::sleep_for(5ms); // pacing the writes, not synchronisation
                }
                BOOST_TEST(h->disconnects.load() == n);
                BOOST_TEST(h->count(millio::error::write_timeout) == n);
                for(auto& c : cs)
                    BOOST_TEST(ends_within(c->fd, 20s));
            }
            // 3. The server is destroyed with every request in flight.
            {
                auto h = std::make_shared<pusher>(message);
                std::vector<std::unique_ptr<test::fd_guard>> cs;
                {
                    net::tcp_server srv(net::tcp_server_config::builder()
                        .address("127.0.0.1:0")
                        .send_buffer_size(16384)
                        .write_high_water_mark(2 * message)
                        .build(), h);
                    srv.start(loop, token(3));
                    for(int i = 0; i < n; ++i)
                    {
                        cs.emplace_back(new test::fd_guard(slow_reader(test::loopback(srv.local_endpoint()))));
                        BOOST_REQUIRE(cs.back()->fd >= 0);
                    }
                    BOOST_REQUIRE(test::eventually([&]{ return h->connects.load() == n; }));
                    std::vector<unsigned char> chunk(8192, 0x11);
                    for(auto& c : cs)
                        BOOST_TEST(test::write_all(c->fd, chunk.data(), chunk.size()));
                    BOOST_REQUIRE(test::eventually([&]{ return h->received.load() == n * chunk.size(); }));
                }
                for(auto& c : cs)
                    BOOST_TEST(ends_within(c->fd, 20s));
            }
        }
    }
}

namespace {

// Closes each of the first `n` connections from its first on_data,
// while its peer keeps sending: the receive in flight goes on until the
// peer's end, what it still delivers is dropped. Echoes on the others.
struct closer : test::echo_handler
{
    std::uint64_t n = 0;
    std::atomic<int> closes{0};
    std::atomic<int> data_after_close{0};
    std::mutex cm;
    std::set<std::uint64_t> closed;

    void on_data(net::server_context& ctx, net::connection_id id, asio::const_buffer b) override
    {
        if(id.value() > n)
        {
            test::echo_handler::on_data(ctx, id, b);
            return;
        }
        {
            std::lock_guard<std::mutex> lk(cm);
            if(!closed.insert(id.value()).second)
            {
                ++data_after_close;
                return;
            }
        }
        ++closes;
        error_code ec;
        ctx.close_connection(id, ec);
    }
};

} // (anon)

BOOST_AUTO_TEST_CASE(closed_from_on_data_while_receiving, *boost::unit_test::timeout(240))
{
    int const n = 16;
    for(auto const& cfg : test::all_configs())
    {
        BOOST_TEST_CONTEXT(cfg.name())
        {
            event_loop loop(cfg.options());
            auto h = std::make_shared<closer>();
            h->n = n;
            net::tcp_server srv(test::local_config(), h);
            srv.start(loop, token(1));
            test::loop_runner run(loop);
            std::vector<std::unique_ptr<test::fd_guard>> cs;
            for(int i = 0; i < n; ++i)
            {
                cs.emplace_back(new test::fd_guard(test::connect_to(test::loopback(srv.local_endpoint()))));
                BOOST_REQUIRE(cs.back()->fd >= 0);
            }
            // 1 MiB each, the server closes after its first read: the
            // peers' writes end (the server reads until the peer's FIN, or
            // the peer sees a reset).
            std::vector<std::thread> ws;
            for(auto& c : cs)
                ws.emplace_back([fd = c->fd] {
                    std::vector<unsigned char> b(1 << 20, 0x77);
                    test::write_all(fd, b.data(), b.size());
                    test::shutdown_write(fd);
                });
            for(auto& t : ws)
                t.join();
            BOOST_TEST(test::eventually([&]{ return h->disconnects.load() == n; }));
            BOOST_TEST(h->closes.load() == n);
            BOOST_TEST(h->data_after_close.load() == 0);
            for(auto& c : cs)
                BOOST_TEST(ends_within(c->fd, 20s));
            // The server still serves.
            BOOST_TEST(test::echo_clients(test::loopback(srv.local_endpoint()), 2, 10000, 1000, 20s) == "");
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
