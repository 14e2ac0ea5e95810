//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// A chaos client against a tcp_server echo server, over loopback: several
// client threads mix connects and disconnects, resets, half-closes, slow
// readers, writers of random sizes, idle connections and bursts above
// max_connections. Every exchange that is not refused by the connection
// limit must echo every byte intact and in order.
//
// The soak case runs the mix for MILLIO_SOAK_SECONDS (default 10, or 3 when
// MILLIO_TEST_SCALE < 1) and checks for descriptor leaks, RSS growth and
// the order of the handler's callbacks.

#define BOOST_TEST_MODULE millio_net_chaos
#include <boost/test/unit_test.hpp>

#include "net_test_util.hpp"

#include <boost/millio/net/tcp_server.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#if defined(_WIN32)
#include <windows.h>
#else
#include <dirent.h>
#include <sys/socket.h>
#include <unistd.h>
#endif

namespace millio = boost::millio;
namespace net = boost::millio::net;
namespace asio = boost::asio;
using millio::event_loop;
using millio::token;
using millio::error_code;
using namespace std::chrono_literals;

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
# define BOOST_MILLIO_TEST_SANITIZED 1
#elif defined(__has_feature)
# if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
     __has_feature(memory_sanitizer)
#  define BOOST_MILLIO_TEST_SANITIZED 1
# endif
#endif
#ifndef BOOST_MILLIO_TEST_SANITIZED
# define BOOST_MILLIO_TEST_SANITIZED 0
#endif

namespace {

std::size_t scaled(std::size_t n, std::size_t min = 1)
{
    auto v = static_cast<std::size_t>(static_cast<double>(n) * test::scale());
    return v < min ? min : v;
}

// Open descriptors of this process (on Windows: handles, which count
// its sockets too).
std::size_t count_fds()
{
#if defined(_WIN32)
    DWORD n = 0;
    ::GetProcessHandleCount(::GetCurrentProcess(), &n);
    return n;
#else
    DIR* d = ::opendir("/proc/self/fd");
    if(!d)
        return 0;
    std::size_t n = 0;
    while(dirent* e = ::readdir(d))
        if(e->d_name[0] != '.')
            ++n;
    ::closedir(d);
    return n - 1; // the directory's own descriptor
#endif
}

//------------------------------------------------------------------------------

// Echoes, and checks the order of the callbacks of every connection.
struct chaos_handler : net::network_handler
{
    enum : unsigned char { none = 0, open = 1, closed = 2 };

    std::mutex m;
    std::vector<unsigned char> state; // by connection id
    std::string first_violation;

    std::atomic<int> connects{0};
    std::atomic<int> disconnects{0};
    std::atomic<int> violations{0};
    std::atomic<int> queue_full{0};
    std::atomic<int> send_errors{0};
    std::atomic<int> errors{0};
    std::atomic<int> rejected{0};
    std::atomic<std::uint64_t> bytes{0};

    chaos_handler()
    {
        state.reserve(1 << 20);
    }

    // Requires m.
    unsigned char& at(std::uint64_t id)
    {
        if(id >= state.size())
            state.resize(id + 1, none);
        return state[id];
    }

    // Requires m.
    void violation(char const* what, std::uint64_t id, unsigned char s)
    {
        ++violations;
        if(first_violation.empty())
            first_violation = std::string(what) + " on connection " +
                std::to_string(id) + " in state " + std::to_string(s);
    }

    void expect(char const* what, net::connection_id id, unsigned char want)
    {
        std::lock_guard<std::mutex> lk(m);
        auto& s = at(id.value());
        if(s != want)
            violation(what, id.value(), s);
    }

    void on_connect(net::server_context&, net::connection_id id) override
    {
        {
            std::lock_guard<std::mutex> lk(m);
            auto& s = at(id.value());
            if(s != none)
                violation("on_connect", id.value(), s);
            s = open;
        }
        ++connects;
    }

    void on_data(net::server_context& ctx, net::connection_id id, asio::const_buffer b) override
    {
        expect("on_data", id, open);
        bytes.fetch_add(b.size(), std::memory_order_relaxed);
        error_code ec;
        ctx.send_to(id, b, ec);
        if(ec == make_error_code(millio::error::send_queue_full))
            ++queue_full;
        else if(ec)
            ++send_errors; // the peer reset while we echo
    }

    void on_writable(net::server_context&, net::connection_id id) override
    {
        expect("on_writable", id, open);
    }

    void on_disconnect(net::server_context&, net::connection_id id) override
    {
        {
            std::lock_guard<std::mutex> lk(m);
            auto& s = at(id.value());
            if(s != open)
                violation("on_disconnect", id.value(), s);
            s = closed;
        }
        ++disconnects;
    }

    void on_error(net::server_context&, std::optional<net::connection_id> id, error_code) override
    {
        ++errors;
        if(id)
            expect("on_error", *id, open);
    }

    void on_event(net::server_context&, net::network_event const& ev) override
    {
        using kind = net::network_event::kind;
        if(ev.type == kind::connection_rejected)
            ++rejected;
        else if(ev.type == kind::connection_established && ev.id)
            expect("on_event(connection_established)", *ev.id, none);
        else if(ev.type == kind::connection_closed && ev.id)
            expect("on_event(connection_closed)", *ev.id, open);
    }
};

//------------------------------------------------------------------------------

std::size_t const high_water = 256 * 1024;
std::size_t const low_water = 64 * 1024;
std::size_t const max_conns = 64;
std::size_t const burst_size = 80;
std::size_t const client_threads = 4;

struct client_stats
{
    std::atomic<std::uint64_t> cycled{0};       // connections opened
    std::atomic<std::uint64_t> exchanges{0};    // verified exchanges
    std::atomic<std::uint64_t> verified{0};     // bytes verified
    std::atomic<std::uint64_t> refused{0};      // closed by the connection limit
    std::atomic<std::uint64_t> next_stream{0};
    std::mutex m;
    std::string error;

    void fail(std::string s)
    {
        std::lock_guard<std::mutex> lk(m);
        if(error.empty())
            error = std::move(s);
    }

    std::string first_error()
    {
        std::lock_guard<std::mutex> lk(m);
        return error;
    }
};

int open_conn(test::endpoint const& ep, client_stats& st, int rcvbuf = 0)
{
    int fd = test::tcp_socket(AF_INET);
    if(fd < 0)
    {
        st.fail("socket: " + std::string(test::socket_strerror(test::socket_errno())));
        return -1;
    }
    if(rcvbuf > 0)
        test::set_receive_buffer(fd, rcvbuf);
    if(test::connect_fd(fd, ep) != 0)
    {
        st.fail("connect: " + std::string(test::socket_strerror(test::socket_errno())));
        test::close_fd(fd);
        return -1;
    }
    test::set_no_delay(fd);
    ++st.cycled;
    return fd;
}

void reset_close(int fd)
{
    test::set_reset_on_close(fd);
    test::close_fd(fd);
}

enum class outcome { done, refused, failed };

struct client
{
    test::endpoint ep;
    client_stats& st;
    std::mt19937_64 rng;
    std::size_t max_write;
    std::vector<unsigned char> wbuf = std::vector<unsigned char>(65536);
    std::vector<unsigned char> rbuf = std::vector<unsigned char>(65536);
    std::vector<int> idle;

    client(test::endpoint e, client_stats& s, std::uint64_t seed, std::size_t mw)
        : ep(e), st(s), rng(seed), max_write(mw)
    {
    }

    ~client()
    {
        for(int fd : idle)
            test::close_fd(fd);
    }

    // Log-uniform in [1, n]: small sizes are as common as large ones.
    std::size_t size_upto(std::size_t n)
    {
        std::uniform_real_distribution<double> d(0, std::log(static_cast<double>(n)));
        auto v = static_cast<std::size_t>(std::exp(d(rng)));
        return std::min(std::max<std::size_t>(v, 1), n);
    }

    // Sends `total` bytes of a new stream in random chunks while reading
    // the echo and checking every byte. With `half_close` the write side
    // is shut down after the last byte and EOF must follow the echo.
    // A `slow` reader reads at most 4 KiB at a time and pauses 1 ms after
    // each read (that pace is the behaviour under test). A connection
    // closed before it echoed anything was refused by the connection limit.
    outcome exchange(int fd, std::size_t total, bool half_close, bool slow)
    {
        std::uint64_t const k = st.next_stream++;
        test::set_nonblocking(fd);
        std::uniform_int_distribution<std::size_t> chunk(1, wbuf.size());
        std::size_t sent = 0;
        std::size_t recvd = 0;
        bool shut = false;
        auto const end = std::chrono::steady_clock::now() + 60s;
        auto failed = [&](std::string what)
        {
            st.fail(what + " (stream " + std::to_string(k) + ", sent " + std::to_string(sent) +
                ", received " + std::to_string(recvd) + " of " + std::to_string(total) + ")");
            return outcome::failed;
        };
        auto gone = [&](int e)
        {
            return recvd == 0 && (e == EPIPE || e == ECONNRESET);
        };
        for(;;)
        {
            if(half_close && sent == total && !shut)
            {
                test::shutdown_write(fd);
                shut = true;
            }
            if(!half_close && recvd == total)
                break;
            if(std::chrono::steady_clock::now() > end)
                return failed("timeout");
            pollfd p = test::make_pollfd(fd, static_cast<short>(POLLIN | (sent < total ? POLLOUT : 0)));
            if(test::poll_fds(&p, 1, 100) <= 0)
                continue;
            if((p.revents & POLLOUT) && sent < total)
            {
                std::size_t len = std::min(chunk(rng), total - sent);
                test::fill_pattern(wbuf.data(), len, k, sent);
                ssize_t n = test::send_fd(fd, wbuf.data(), len);
                if(n > 0)
                    sent += static_cast<std::size_t>(n);
                else if(n < 0 && test::socket_errno() != EAGAIN && test::socket_errno() != EINTR)
                {
                    if(gone(test::socket_errno()))
                        return outcome::refused;
                    return failed("send: " + std::string(test::socket_strerror(test::socket_errno())));
                }
            }
            if(p.revents & (POLLIN | POLLHUP | POLLERR))
            {
                ssize_t n = test::recv_fd(fd, rbuf.data(), slow ? 4096 : rbuf.size());
                if(n > 0)
                {
                    for(std::size_t i = 0; i < static_cast<std::size_t>(n); ++i)
                        if(rbuf[i] != test::pattern(k, recvd + i))
                        {
                            recvd += i;
                            return failed("echo mismatch");
                        }
                    recvd += static_cast<std::size_t>(n);
                    if(recvd > sent)
                        return failed("more echoed than sent");
                    if(slow)
                        std::this_thread::sleep_for(1ms);
                }
                else if(n == 0)
                {
                    if(shut && recvd == total)
                        break;
                    if(recvd == 0)
                        return outcome::refused;
                    return failed("early EOF");
                }
                else if(test::socket_errno() != EAGAIN && test::socket_errno() != EINTR)
                {
                    if(gone(test::socket_errno()))
                        return outcome::refused;
                    return failed("recv: " + std::string(test::socket_strerror(test::socket_errno())));
                }
            }
        }
        ++st.exchanges;
        st.verified += total;
        return outcome::done;
    }

    void count(outcome o)
    {
        if(o == outcome::refused)
            ++st.refused;
    }

    void echo_and_close(std::size_t total, bool half_close, bool slow, int rcvbuf = 0)
    {
        int fd = open_conn(ep, st, rcvbuf);
        if(fd < 0)
            return;
        count(exchange(fd, total, half_close, slow));
        test::close_fd(fd);
    }

    void connect_disconnect()
    {
        int fd = open_conn(ep, st);
        if(fd >= 0)
            test::close_fd(fd);
    }

    // Sends some bytes, then resets without reading the echo.
    void reset()
    {
        int fd = open_conn(ep, st);
        if(fd < 0)
            return;
        std::size_t n = size_upto(wbuf.size());
        test::set_nonblocking(fd);
        (void)test::send_fd(fd, wbuf.data(), n);
        reset_close(fd);
    }

    // Sends a few bytes and closes without reading the echo.
    void close_unread()
    {
        int fd = open_conn(ep, st);
        if(fd < 0)
            return;
        (void)test::send_fd(fd, "hello", 5);
        test::close_fd(fd);
    }

    void half_close()
    {
        echo_and_close(size_upto(scaled(512 * 1024, 4096)), true, false);
    }

    // More than the high-water mark goes to a reader with a small buffer.
    void slow_reader()
    {
        echo_and_close(scaled(2 * high_water, 32 * 1024), false, true, 4096);
    }

    void writer(bool largest)
    {
        echo_and_close(largest ? max_write : size_upto(max_write), false, false);
    }

    // Opens an idle connection, or checks and closes the oldest one.
    void idle_step()
    {
        if(idle.size() < 4)
        {
            int fd = open_conn(ep, st);
            if(fd >= 0)
                idle.push_back(fd);
            return;
        }
        close_idle(1);
    }

    void close_idle(std::size_t n)
    {
        while(n-- > 0 && !idle.empty())
        {
            int fd = idle.front();
            idle.erase(idle.begin());
            count(exchange(fd, 16, false, false));
            test::close_fd(fd);
        }
    }

    // Opens more connections than the limit at once; the excess is
    // closed by the server.
    void burst()
    {
        std::vector<int> fds;
        for(std::size_t i = 0; i < burst_size; ++i)
        {
            int fd = open_conn(ep, st);
            if(fd < 0)
                break;
            fds.push_back(fd);
        }
        for(int fd : fds)
        {
            count(exchange(fd, 64, false, false));
            test::close_fd(fd);
        }
    }

    void action(int a)
    {
        switch(a)
        {
        case 0: connect_disconnect(); break;
        case 1: reset(); break;
        case 2: half_close(); break;
        case 3: slow_reader(); break;
        case 4: idle_step(); break;
        case 5: burst(); break;
        case 6: close_unread(); break;
        case 7: writer(true); break;
        default: writer(false); break;
        }
    }

    // Every action once (the largest writer included), then random ones.
    void run(std::size_t actions)
    {
        for(int a = 0; a < 8 && st.first_error().empty(); ++a)
            action(a);
        std::uniform_int_distribution<int> pick(0, 11);
        for(std::size_t i = 0; i < actions && st.first_error().empty(); ++i)
        {
            int a = pick(rng);
            if(a == 5 && pick(rng) < 8)
                a = 0; // bursts are rarer
            if(a == 7)
                a = 8; // the largest size only once
            action(a);
        }
        close_idle(idle.size());
    }
};

// One cycle: client_threads clients run `actions` random actions each.
void run_cycle(test::endpoint const& ep, client_stats& st, std::size_t actions, std::uint64_t seed)
{
    std::size_t const max_write = scaled(4 << 20, 64 * 1024);
    std::vector<std::thread> ts;
    for(std::size_t i = 0; i < client_threads; ++i)
        ts.emplace_back([&, i]
        {
            client c(ep, st, seed * 1000 + i, max_write);
            c.run(actions);
        });
    for(auto& t : ts)
        t.join();
}

net::tcp_server_config chaos_config()
{
    return net::tcp_server_config::builder()
        .address("127.0.0.1:0")
        .buffer_size(16384)
        .max_connections(max_conns)
        .write_high_water_mark(high_water)
        .write_low_water_mark(low_water)
        .build();
}

void check_handler(chaos_handler& h, client_stats& st)
{
    BOOST_TEST(st.first_error() == "");
    {
        std::lock_guard<std::mutex> lk(h.m);
        BOOST_TEST(h.violations.load() == 0);
        BOOST_TEST(h.first_violation == "");
    }
    BOOST_TEST(h.queue_full.load() == 0);
    BOOST_TEST(h.disconnects.load() == h.connects.load());
    // A connection the client saw refused was rejected by the server.
    BOOST_TEST(st.refused.load() <= static_cast<std::uint64_t>(h.rejected.load()));
}

void report(char const* what, test::loop_config const& cfg, chaos_handler& h, client_stats& st)
{
    BOOST_TEST_MESSAGE(what << " " << cfg.name() << ": " << st.cycled.load()
        << " connections cycled, " << st.exchanges.load() << " exchanges verified ("
        << st.verified.load() << " bytes), " << st.refused.load()
        << " refused by the limit (server rejected " << h.rejected.load() << "), "
        << h.connects.load() << " accepted, " << h.send_errors.load()
        << " echoes to reset peers failed");
}

// The configurations of the edge-triggered backends of this platform
// (epoll and io_uring), or all of them where it has neither.
std::vector<test::loop_config> edge_configs()
{
    std::vector<test::loop_config> v;
    for(auto const& c : test::platform_configs())
        if(c.backend == millio::backend_type::epoll || c.backend == millio::backend_type::io_uring)
            v.push_back(c);
    if(v.empty()) // not Linux
        v = test::platform_configs();
    return v;
}

// How many of them run: selected and usable here.
std::size_t edge_configs_enabled()
{
    std::size_t n = 0;
    for(auto const& c : test::all_configs())
        for(auto const& e : edge_configs())
            if(c.backend == e.backend && c.mode == e.mode)
                ++n;
    return n;
}

double soak_seconds()
{
    if(char const* s = std::getenv("MILLIO_SOAK_SECONDS"))
    {
        double d = std::atof(s);
        if(d > 0)
            return std::min(d, 3000.0);
    }
    return test::scale() < 1 ? 3 : 10;
}

} // (anon)

// The test cases (data test cases are classes) capture the helpers of the
// anonymous namespace: they are there too (-Wsubobject-linkage).
namespace {

BOOST_AUTO_TEST_SUITE(net_chaos)

// The mix, once per configuration of the edge-triggered backends.
BOOST_TEST_DECORATOR(*test::if_config_enabled(edge_configs()) * boost::unit_test::timeout(150))
BOOST_DATA_TEST_CASE(mix, test::configs_dataset(edge_configs()), cfg)
{
    std::size_t const actions = scaled(40, 8);
    auto h = std::make_shared<chaos_handler>();
    client_stats st;
    {
        event_loop loop(cfg.options());
        net::tcp_server srv(chaos_config(), h);
        srv.start(loop, token(1));
        test::loop_runner run(loop);
        run_cycle(test::loopback(srv.local_endpoint()), st, actions, 1);
        BOOST_TEST(test::eventually([&]{ return srv.connection_count() == 0; }));
        BOOST_TEST(test::eventually([&]{ return h->disconnects.load() == h->connects.load(); }));
    }
    check_handler(*h, st);
    BOOST_TEST(st.exchanges.load() > 0u);
    report("mix", cfg, *h, st);
}

// The mix, repeated for MILLIO_SOAK_SECONDS split over the configurations
// that run. Labelled `serial`: its RSS growth bound assumes no memory
// pressure from other processes (ctest runs it alone, see CMakeLists.txt).
BOOST_TEST_DECORATOR(*test::if_config_enabled(edge_configs()) * boost::unit_test::timeout(3600)
    * boost::unit_test::label("serial"))
BOOST_DATA_TEST_CASE(soak, test::configs_dataset(edge_configs()), cfg)
{
    double const seconds = soak_seconds() / static_cast<double>(edge_configs_enabled());
    std::size_t const actions = scaled(20, 4);
    auto h = std::make_shared<chaos_handler>();
    client_stats st;
    std::size_t const fds_before = count_fds();
    std::size_t rss_warm = 0;
    std::size_t rss_end = 0;
    std::size_t cycles = 0;
    {
        event_loop loop(cfg.options());
        net::tcp_server srv(chaos_config(), h);
        srv.start(loop, token(1));
        test::loop_runner run(loop);
        auto const ep = test::loopback(srv.local_endpoint());
        auto const start = std::chrono::steady_clock::now();
        auto const end = start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
            std::chrono::duration<double>(seconds));
        do
        {
            run_cycle(ep, st, actions, ++cycles);
            BOOST_TEST(test::eventually([&]{ return srv.connection_count() == 0; }));
            if(cycles == 1)
                rss_warm = test::rss_bytes(); // after the first, warm-up cycle
        }
        while(std::chrono::steady_clock::now() < end && st.first_error().empty());
        rss_end = test::rss_bytes();
        BOOST_TEST(test::eventually([&]{ return h->disconnects.load() == h->connects.load(); }));
        BOOST_TEST(srv.connection_count() == 0u);
    }
    std::size_t const fds_after = count_fds();
    check_handler(*h, st);
    BOOST_TEST(fds_after == fds_before);
    double const growth = rss_warm
        ? (static_cast<double>(rss_end) - static_cast<double>(rss_warm)) /
            static_cast<double>(rss_warm)
        : 0;
    report("soak", cfg, *h, st);
    BOOST_TEST_MESSAGE("soak " << cfg.name() << ": " << cycles << " cycles in "
        << seconds << " s; fds " << fds_before << " before, " << fds_after
        << " after; RSS " << rss_warm / 1024 << " KiB after warm-up, "
        << rss_end / 1024 << " KiB at the end (" << 100 * growth << "%)");
    if(BOOST_MILLIO_TEST_SANITIZED)
        BOOST_TEST_MESSAGE("RSS growth not checked under a sanitizer "
            "(its quarantine and shadow memory grow by design)");
    else if(cycles > 1)
        BOOST_TEST(growth < 0.10);
}

BOOST_AUTO_TEST_SUITE_END()

} // (anon)
