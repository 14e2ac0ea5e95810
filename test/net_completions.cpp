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
#include <boost/millio/net/tcp_client.hpp>
#include <boost/millio/detail/uring_hooks.hpp>

#define BOOST_TEST_MODULE millio_net_completions
#include <boost/test/unit_test.hpp>

#include "net_test_util.hpp"

#include <memory>
#include <set>
#include <thread>

#include <string>
#include <vector>

#if !defined(_WIN32)
#include <sys/resource.h>
#endif

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

// The test cases (data test cases are classes) capture the helpers of the
// anonymous namespace: they are there too (-Wsubobject-linkage).
namespace {

BOOST_AUTO_TEST_SUITE(net_completions)

// A loop with a small batch has few receive buffers (on io_uring: 16 for
// a batch of 16): 48 connections echoing at once exhaust them again and
// again; every byte comes back, in order, and no connection stalls.
BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(240))
BOOST_DATA_TEST_CASE(more_connections_than_receive_buffers, test::configs_dataset(), cfg)
{
    std::size_t const conns = 48;
    std::size_t const bytes = 256 * 1024;
    auto& stats = millio::detail::uring_stats();
    std::uint64_t const lent0 = stats.buffers_lent.load();
    std::uint64_t const returned0 = stats.lent_returned.load();
    std::uint64_t const bulk0 = stats.bulk_arms.load();
    std::uint64_t const bulk_dry0 = stats.bulk_nobufs.load();
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
    BOOST_TEST_MESSAGE(stats.buffers_lent.load() - lent0 << " buffers lent, " <<
        stats.bulk_arms.load() - bulk0 << " receives on the bulk ring, " <<
        stats.bulk_nobufs.load() - bulk_dry0 << " found it empty");
    // The buffers lent to sends (writes of up to 16 KiB fill whole
    // buffers) while the ring runs dry are all back.
    BOOST_TEST(test::eventually([&]{
        return stats.lent_returned.load() - returned0 == stats.buffers_lent.load() - lent0; }));
}

// Connections whose sends cannot progress (the peers read nothing) while
// their peers keep sending to them are closed: by the close timeout (a
// reset), by the write timeout, and by the destruction of the server.
// The requests in flight end first: nothing is freed early (ASan), the
// peers see their connections end, nothing is reported twice.
BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(120))
BOOST_DATA_TEST_CASE(closed_with_sends_and_receives_in_flight, test::configs_dataset(), cfg)
{
    std::size_t const message = 4 << 20;
    int const n = 8;
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

BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(120))
BOOST_DATA_TEST_CASE(closed_from_on_data_while_receiving, test::configs_dataset(), cfg)
{
    int const n = 16;
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

namespace {

// CPU time of the process (user + kernel).
std::chrono::microseconds
process_cpu_time()
{
#if defined(_WIN32)
    FILETIME c, e, k, u;
    ::GetProcessTimes(::GetCurrentProcess(), &c, &e, &k, &u);
    auto us = [](FILETIME const& f) {
        return static_cast<long long>(((static_cast<unsigned long long>(f.dwHighDateTime) << 32) |
            f.dwLowDateTime) / 10);
    };
    return std::chrono::microseconds(us(k) + us(u));
#else
    ::rusage ru{};
    ::getrusage(RUSAGE_SELF, &ru);
    return std::chrono::seconds(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
        std::chrono::microseconds(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
#endif
}

// The process's CPU time over a window of `d` of wall time, both in us.
struct cpu_window
{
    long long cpu;
    long long wall;
};

cpu_window
observe_cpu(std::chrono::milliseconds d)
{
    auto const cpu0 = process_cpu_time();
    auto const t0 = std::chrono::steady_clock::now();
    std::this_thread::sleep_for(d); // the window observed
    auto const cpu = process_cpu_time() - cpu0;
    auto const wall = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - t0);
    return {cpu.count(), wall.count()};
}

// The peers `cs` read back their streams (peer i's of fill_pattern(i),
// `bytes` long), then the threads `ts` (their writers) and the readers
// are joined and the peers close: every byte came back in order, no send
// was refused, every connection ends.
void
read_back_and_close(std::vector<std::unique_ptr<test::fd_guard>>& cs, std::vector<std::thread>& ts,
    std::atomic<int>& bad, test::echo_handler& h, std::size_t bytes)
{
    std::size_t const conns = cs.size();
    for(std::size_t i = 0; i < conns; ++i)
    {
        int const fd = cs[i]->fd;
        ts.emplace_back([fd, i, &bad, bytes] {
            std::vector<unsigned char> b(bytes), want(bytes);
            test::fill_pattern(want.data(), want.size(), i, 0);
            if(test::read_n(fd, b.data(), b.size(), 60s) != bytes || b != want)
                ++bad;
        });
    }
    for(auto& t : ts)
        t.join();
    BOOST_TEST(bad.load() == 0);
    BOOST_TEST(h.bytes.load() == conns * bytes);
    BOOST_TEST(h.send_failures.load() == 0);
    cs.clear();
    BOOST_TEST(test::eventually([&]{ return h.disconnects.load() == static_cast<int>(conns); }));
}

} // (anon)

// A message that arrives at once fills several provided buffers, all
// delivered in one batch: the sends they cause go out as one send,
// started after the batch, rather than the first buffer's bytes alone
// and the rest after that send completed (two sends, and two wake-ups of
// the peer, per message). Each message of 32 KiB is written at once by
// a peer whose send buffer holds it (one segment on loopback) and read
// back before the next.
BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(60))
BOOST_DATA_TEST_CASE(a_batch_of_received_buffers_goes_out_as_one_send, test::configs_dataset(), cfg)
{
    std::size_t const messages = 20;
    std::size_t const size = 32 * 1024;
    auto& stats = millio::detail::uring_stats();
    event_loop loop(cfg.options());
    auto h = std::make_shared<test::echo_handler>();
    net::tcp_server srv(test::local_config(), h);
    srv.start(loop, token(1));
    test::loop_runner run(loop);
    std::uint64_t const uring0 = stats.connections.load();
    int const fd = test::tcp_socket(AF_INET);
    BOOST_REQUIRE(fd >= 0);
    test::fd_guard g(fd);
    test::set_int_option(fd, SOL_SOCKET, SO_SNDBUF, 1024 * 1024);
    BOOST_REQUIRE(test::connect_fd(fd, test::loopback(srv.local_endpoint())) == 0);
    BOOST_REQUIRE(test::eventually([&]{ return h->connects.load() == 1; }));
    bool const completions = stats.connections.load() > uring0;
    std::uint64_t const sends0 = stats.sends.load();
    std::vector<unsigned char> out(size), in(size);
    for(std::size_t i = 0; i < messages; ++i)
    {
        test::fill_pattern(out.data(), out.size(), 7, i * size);
        BOOST_REQUIRE(test::write_all(fd, out.data(), out.size()));
        BOOST_REQUIRE(test::read_n(fd, in.data(), in.size(), 20s) == size);
        BOOST_REQUIRE(in == out);
    }
    BOOST_TEST(h->bytes.load() == messages * size);
    if(completions)
    {
        std::uint64_t const sends = stats.sends.load() - sends0;
        BOOST_TEST_MESSAGE(messages << " messages of " << size << " bytes, " << sends << " sends");
        // One send per message; a message split by the network into two
        // batches takes two. Without the batching every message takes two.
        BOOST_TEST(sends >= messages);
        BOOST_TEST(sends <= messages + messages / 4);
    }
}

// The bytes of a received buffer that the handler sends back (an echo)
// are lent to the send, not copied: on the completion path an echo of
// 64 KiB messages lends buffers, and every byte comes back in order.
// When the connections end, every lent buffer is back in the ring: a
// connection reset by its peer while its sends cannot progress (the peer
// reads nothing), and a server destroyed in the same state.
BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(120))
BOOST_DATA_TEST_CASE(received_bytes_sent_back_are_lent_not_copied, test::configs_dataset(), cfg)
{
    std::size_t const messages = 16;
    std::size_t const size = 64 * 1024;
    auto& stats = millio::detail::uring_stats();
    std::uint64_t const lent0 = stats.buffers_lent.load();
    std::uint64_t const returned0 = stats.lent_returned.load();
    std::uint64_t const bulk0 = stats.bulk_arms.load();
    event_loop loop(cfg.options());
    test::loop_runner run(loop);
    auto h = std::make_shared<test::echo_handler>();
    // A small send buffer: a lent send of a batch is cut short, and its
    // rest waits in flight for a peer that reads nothing.
    auto srv = std::make_unique<net::tcp_server>(net::tcp_server_config::builder()
        .address("127.0.0.1:0")
        .send_buffer_size(16384)
        .build(), h);
    srv->start(loop, token(1));
    std::uint64_t const uring0 = stats.connections.load();
    {
        int const fd = test::tcp_socket(AF_INET);
        BOOST_REQUIRE(fd >= 0);
        test::fd_guard g(fd);
        test::set_int_option(fd, SOL_SOCKET, SO_SNDBUF, 1024 * 1024);
        BOOST_REQUIRE(test::connect_fd(fd, test::loopback(srv->local_endpoint())) == 0);
        BOOST_REQUIRE(test::eventually([&]{ return h->connects.load() == 1; }));
        std::vector<unsigned char> out(size), in(size);
        for(std::size_t i = 0; i < messages; ++i)
        {
            test::fill_pattern(out.data(), out.size(), 3, i * size);
            BOOST_REQUIRE(test::write_all(fd, out.data(), out.size()));
            BOOST_REQUIRE(test::read_n(fd, in.data(), in.size(), 20s) == size);
            BOOST_REQUIRE(in == out);
        }
    }
    bool const completions = stats.connections.load() > uring0;
    std::uint64_t const lent = stats.buffers_lent.load() - lent0;
    std::uint64_t const bulk = stats.bulk_arms.load() - bulk0;
    BOOST_TEST_MESSAGE(messages << " messages of " << size << " bytes, " << lent <<
        " buffers lent, " << bulk << " receives on the bulk ring");
    if(completions)
    {
        BOOST_TEST(lent > 0u);
        // A stream: its receive moved to the bulk ring.
        BOOST_TEST(bulk > 0u);
    }
    else
    {
        BOOST_TEST(lent == 0u);
        BOOST_TEST(bulk == 0u);
    }
    // A peer that sends and reads nothing: the echo stops on its full
    // window with sends in flight.
    auto stuck_peer = [&](int connects) {
        int const fd = slow_reader(test::loopback(srv->local_endpoint()));
        BOOST_REQUIRE(fd >= 0);
        BOOST_REQUIRE(test::eventually([&]{ return h->connects.load() == connects; }));
        test::set_nonblocking(fd);
        std::uint64_t const before = h->bytes.load();
        std::vector<unsigned char> chunk(64 * 1024, 0x42);
        std::size_t sent = 0;
        auto const until = std::chrono::steady_clock::now() + 10s;
        while(sent < (4u << 20) && std::chrono::steady_clock::now() < until)
        {
            long const w = test::send_fd(fd, chunk.data(), chunk.size());
            if(w > 0)
                sent += static_cast<std::size_t>(w);
            else if(!test::wait_writable(fd, 100ms) && h->bytes.load() - before >= 256 * 1024)
                break;  // the server stopped reading: its sends are stuck
        }
        // The peer's bytes may sit in the kernel's buffers (the loop
        // ends once 4 MiB are written): the server reads them until its
        // queue passes the high-water mark (1 MiB).
        BOOST_REQUIRE(test::eventually([&]{ return h->bytes.load() - before >= 256 * 1024; }));
        return fd;
    };
    {
        int const fd = stuck_peer(2);
        test::set_reset_on_close(fd);
        test::close_fd(fd);
        BOOST_TEST(test::eventually([&]{ return h->disconnects.load() == 2; }));
    }
    {
        test::fd_guard g(stuck_peer(3));
        srv.reset();
    }
    BOOST_TEST(test::eventually([&]{
        return stats.lent_returned.load() - returned0 == stats.buffers_lent.load() - lent0; }));
}

// The connections whose peers read nothing stop receiving (back-pressure)
// with received buffers held: 48 of them empty the ring of 16 buffers,
// and the receives of the others end with "no buffer". Those wait for a
// buffer to come back instead of being armed again at once: while
// nothing comes back the server neither re-arms nor burns CPU time (a
// re-arming loop would do both without end). Once the peers read, every
// connection resumes and every byte comes back in order.
BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(120))
BOOST_DATA_TEST_CASE(empty_buffer_ring_waits_for_a_buffer, test::configs_dataset(), cfg)
{
    std::size_t const conns = 48;
    std::size_t const bytes = 256 * 1024;
    auto& stats = millio::detail::uring_stats();
    auto opt = cfg.options();
    opt.events_capacity = 16;
    event_loop loop(opt);
    auto h = std::make_shared<test::echo_handler>();
    net::tcp_server srv(net::tcp_server_config::builder()
        .address("127.0.0.1:0")
        .buffer_size(8192)
        .send_buffer_size(16384)
        .write_high_water_mark(16384)
        .write_low_water_mark(4096)
        .build(), h);
    srv.start(loop, token(1));
    test::loop_runner run(loop);
    std::uint64_t const uring0 = stats.connections.load();
    std::uint64_t const nobufs0 = stats.recv_nobufs.load();
    std::vector<std::unique_ptr<test::fd_guard>> cs;
    for(std::size_t i = 0; i < conns; ++i)
    {
        cs.emplace_back(new test::fd_guard(slow_reader(test::loopback(srv.local_endpoint()))));
        BOOST_REQUIRE(cs.back()->fd >= 0);
    }
    BOOST_REQUIRE(test::eventually([&]{ return h->connects.load() == static_cast<int>(conns); }));
    bool const completions = stats.connections.load() - uring0 >= conns;
    // Each peer writes its stream; the echoes are read only after
    // the window below.
    std::atomic<int> bad{0};
    std::vector<std::thread> ts;
    for(std::size_t i = 0; i < conns; ++i)
    {
        int const fd = cs[i]->fd;
        ts.emplace_back([fd, i, &bad] {
            std::vector<unsigned char> b(bytes);
            test::fill_pattern(b.data(), b.size(), i, 0);
            if(!test::write_all(fd, b.data(), b.size()))
                ++bad;
        });
    }
    if(completions)
    {
        // The ring ran dry.
        BOOST_TEST(test::eventually([&]{ return stats.recv_nobufs.load() > nobufs0; }, 30s));
        // Settled: the peers' writes stopped (the server reads no
        // more); then a window with nothing returned.
        std::uint64_t arms = stats.recv_arms.load();
        for(int i = 0; i < 100; ++i)
        {
            std::this_thread::sleep_for(20ms); // observing a rate, not waiting for an event
            std::uint64_t const now = stats.recv_arms.load();
            if(now == arms)
                break;
            arms = now;
        }
        cpu_window const w = observe_cpu(500ms);
        std::uint64_t const rearmed = stats.recv_arms.load() - arms;
        BOOST_TEST_MESSAGE("re-armed " << rearmed << " times, CPU " << w.cpu << " us in " << w.wall << " us");
        BOOST_TEST(rearmed <= conns);
        BOOST_TEST(w.cpu < w.wall / 4);
    }
    read_back_and_close(cs, ts, bad, *h, bytes);
}

// Marks closer than a read (the high-water mark 16 KiB, the low 12 KiB,
// reads of up to 8 KiB): a connection paused with 8 to 12 KiB queued is
// below the low-water mark, but its next read would pause it again. It
// resumes only once its queue can take a read (or is empty), instead of
// spinning between the two while the peer reads nothing. Once the peers
// read, every byte comes back in order.
BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(120))
BOOST_DATA_TEST_CASE(marks_closer_than_a_read_do_not_spin, test::configs_dataset(), cfg)
{
    std::size_t const conns = 8;
    std::size_t const bytes = 256 * 1024;
    event_loop loop(cfg.options());
    auto h = std::make_shared<test::echo_handler>();
    net::tcp_server srv(net::tcp_server_config::builder()
        .address("127.0.0.1:0")
        .buffer_size(8192)
        .send_buffer_size(16384)
        .write_high_water_mark(16384)
        .write_low_water_mark(12288)
        .build(), h);
    srv.start(loop, token(1));
    test::loop_runner run(loop);
    std::vector<std::unique_ptr<test::fd_guard>> cs;
    for(std::size_t i = 0; i < conns; ++i)
    {
        cs.emplace_back(new test::fd_guard(slow_reader(test::loopback(srv.local_endpoint()))));
        BOOST_REQUIRE(cs.back()->fd >= 0);
    }
    BOOST_REQUIRE(test::eventually([&]{ return h->connects.load() == static_cast<int>(conns); }));
    // Each peer writes its stream in pieces of sizes that leave the
    // queues at varied levels; the echoes are read only after the window
    // below.
    std::atomic<int> bad{0};
    std::vector<std::thread> ts;
    for(std::size_t i = 0; i < conns; ++i)
    {
        int const fd = cs[i]->fd;
        ts.emplace_back([fd, i, &bad] {
            std::vector<unsigned char> b(bytes);
            test::fill_pattern(b.data(), b.size(), i, 0);
            std::size_t const piece = 1000 + 1500 * i;
            for(std::size_t at = 0; at < b.size(); at += piece)
                if(!test::write_all(fd, b.data() + at, (std::min)(piece, b.size() - at)))
                {
                    ++bad;
                    return;
                }
        });
    }
    // Settled: the server reads no more.
    std::uint64_t got = h->bytes.load();
    for(int i = 0; i < 100; ++i)
    {
        std::this_thread::sleep_for(50ms); // observing a rate, not waiting for an event
        std::uint64_t const now = h->bytes.load();
        if(now == got)
            break;
        got = now;
    }
    BOOST_TEST(got < conns * bytes);
    cpu_window const w = observe_cpu(500ms);
    BOOST_TEST_MESSAGE("CPU " << w.cpu << " us in " << w.wall << " us");
    BOOST_TEST(w.cpu < w.wall / 4);
    read_back_and_close(cs, ts, bad, *h, bytes);
}

// The threads that wait on an io_uring loop register its ring's
// descriptor (io_uring_enter then skips its lookup): the thread of run()
// in the direct mode, the workers in the pool mode. Each registration
// ends with its thread's turn (the registration holds the ring open):
// once run() returns in the direct mode, once the loop is destroyed in
// the pool mode. The other backends register nothing.
BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(60))
BOOST_DATA_TEST_CASE(waiting_threads_register_the_ring_descriptor, test::configs_dataset(), cfg)
{
    auto& stats = millio::detail::uring_stats();
    std::uint64_t const reg0 = stats.ring_fds_registered.load();
    std::uint64_t const unreg0 = stats.ring_fds_unregistered.load();
    auto held = [&]{
        return (stats.ring_fds_registered.load() - reg0) - (stats.ring_fds_unregistered.load() - unreg0);
    };
    bool uring = false;
    {
        event_loop loop(cfg.options());
        uring = loop.backend() == millio::backend_type::io_uring;
        {
            test::loop_runner run(loop);
            auto h = std::make_shared<test::echo_handler>();
            net::tcp_server srv(net::tcp_server_config::builder()
                .address("127.0.0.1:0").build(), h);
            srv.start(loop, token(1));
            int const fd = test::tcp_socket(AF_INET);
            BOOST_REQUIRE(fd >= 0);
            test::fd_guard g(fd);
            BOOST_REQUIRE(test::connect_fd(fd, test::loopback(srv.local_endpoint())) == 0);
            unsigned char out[64] = {1, 2, 3}, in[64] = {};
            BOOST_REQUIRE(test::write_all(fd, out, sizeof out));
            BOOST_REQUIRE(test::read_n(fd, in, sizeof in, 20s) == sizeof in);
            BOOST_TEST(std::memcmp(in, out, sizeof in) == 0);
            // Echoed: a thread waited on the loop and holds a registration.
            if(uring)
                BOOST_TEST(held() >= 1u);
            else
                BOOST_TEST(held() == 0u);
        }
        if(uring && loop.mode() == millio::dispatch_mode::direct)
            BOOST_TEST(held() == 0u);   // run() returned
    }
    BOOST_TEST(held() == 0u);
    if(uring)
        BOOST_TEST(stats.ring_fds_registered.load() - reg0 >= 1u);
    else
        BOOST_TEST(stats.ring_fds_registered.load() == reg0);
}

// Kernels without buffer rings (before 5.19) or multishot receives
// (before 6.0), made so by hiding the probed features: connections on
// io_uring use readiness, and behave the same.
BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(120))
BOOST_DATA_TEST_CASE(missing_kernel_features_fall_back_to_readiness, test::configs_dataset(), cfg)
{
    namespace md = millio::detail;
    auto& stats = md::uring_stats();
    unsigned const probed = md::uring_features();
    BOOST_TEST_MESSAGE("io_uring features: " << probed);
    // Nothing stays hidden if this case ends early: the next cases of
    // this process see the probed features.
    struct unhide_features
    {
        ~unhide_features() { md::uring_hide_features(0); }
    } unhide;
    for(unsigned const hide : {unsigned(md::uring_feature_buf_ring),
        unsigned(md::uring_feature_recv_multishot),
        unsigned(md::uring_feature_buf_ring | md::uring_feature_recv_multishot |
            md::uring_feature_accept_multishot)})
    {
        md::uring_hide_features(hide);
        BOOST_TEST((md::uring_features() & hide) == 0u);
        BOOST_TEST_CONTEXT("hidden " << hide)
        {
            event_loop loop(cfg.options());
            auto h = std::make_shared<test::echo_handler>();
            h->check_overlap = true;
            net::tcp_server srv(test::local_config(), h);
            srv.start(loop, token(1));
            test::loop_runner run(loop);
            std::uint64_t const uring0 = stats.connections.load();
            BOOST_TEST(test::echo_clients(test::loopback(srv.local_endpoint()),
                8, 200000, 16384, 60s, 3) == "");
            BOOST_TEST(stats.connections.load() == uring0);
            BOOST_TEST(h->overlaps.load() == 0);
            BOOST_TEST(test::eventually([&]{ return h->disconnects.load() == h->connects.load(); }));
        }
    }
    md::uring_hide_features(0);
    BOOST_TEST(md::uring_features() == probed);
}

namespace {

struct client_collect : net::client_handler
{
    std::mutex m;
    std::string data;
    std::size_t expect = 0;
    test::latch done{1};
    std::atomic<int> errors{0};

    void on_data(net::tcp_client&, asio::const_buffer b) override
    {
        std::lock_guard<std::mutex> lk(m);
        data.append(static_cast<char const*>(b.data()), b.size());
        if(data.size() >= expect)
            done.count_down();
    }

    void on_error(net::tcp_client&, error_code) override
    {
        ++errors;
        done.count_down();
    }
};

} // (anon)

// On io_uring, with the kernel's features: the server's listener takes
// its peers with a multishot accept, and both ends of a connection (the
// server's and a tcp_client's, once established) run on the completion
// path; the echo is whole and in order.
BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(60))
BOOST_DATA_TEST_CASE(listener_and_client_on_the_completion_path, test::configs_dataset(), cfg)
{
    namespace md = millio::detail;
    auto& stats = md::uring_stats();
    unsigned const all = md::uring_feature_buf_ring | md::uring_feature_recv_multishot |
        md::uring_feature_accept_multishot;
    event_loop loop(cfg.options());
    bool const uring = loop.backend() == millio::backend_type::io_uring &&
        (md::uring_features() & all) == all;
    std::uint64_t const listeners0 = stats.listeners.load();
    std::uint64_t const accepts0 = stats.accept_arms.load();
    std::uint64_t const conns0 = stats.connections.load();
    auto h = std::make_shared<test::echo_handler>();
    net::tcp_server srv(test::local_config(), h);
    srv.start(loop, token(1));
    test::loop_runner run(loop);
    BOOST_TEST(stats.listeners.load() - listeners0 == (uring ? 1u : 0u));
    auto ch = std::make_shared<client_collect>();
    std::string msg(500000, 'x');
    for(std::size_t i = 0; i < msg.size(); ++i)
        msg[i] = static_cast<char>(test::pattern(9, i));
    ch->expect = msg.size();
    {
        net::tcp_client c;
        c.connect(test::loopback(srv.local_endpoint()), ch);
        c.start(loop, token(2));
        c.send(asio::buffer(msg));
        BOOST_TEST(ch->done.wait_for(30s));
        {
            std::lock_guard<std::mutex> lk(ch->m);
            BOOST_TEST((ch->data == msg));
        }
        BOOST_TEST(ch->errors.load() == 0);
        c.disconnect();
    }
    BOOST_TEST(test::eventually([&]{ return h->disconnects.load() == 1; }));
    if(uring)
    {
        BOOST_TEST(stats.accept_arms.load() > accepts0);
        BOOST_TEST(stats.connections.load() - conns0 == 2u);
    }
    else
        BOOST_TEST(stats.connections.load() == conns0);
}

BOOST_AUTO_TEST_SUITE_END()

} // (anon)
