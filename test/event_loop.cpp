//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Test that header file is self-contained.
#include <boost/millio/event_loop.hpp>

#define BOOST_TEST_MODULE millio_event_loop
#include <boost/test/unit_test.hpp>

#include "test_util.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#if !defined(_WIN32)
#include <boost/asio/posix/stream_descriptor.hpp>
#endif
#include <boost/asio/post.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#if defined(_WIN32)
#include <windows.h>
#else
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#endif

#if defined(__linux__)
# include <cstddef>
# include <linux/filter.h>
# include <linux/seccomp.h>
# include <sys/prctl.h>
# include <sys/syscall.h>
#endif

namespace millio = boost::millio;
using millio::event;
using millio::event_loop;
using millio::interest;
using millio::token;
using namespace std::chrono_literals;

namespace {

struct runner
{
    event_loop& loop;
    std::thread t;

    explicit runner(event_loop& l)
        : loop(l)
        , t([this]{ loop.run(); })
    {
    }

    ~runner()
    {
        loop.stop();
        t.join();
    }
};

// A pipe; on Windows, which has no pipes the loop can watch, a pair of
// connected sockets.
struct pipe_pair
{
    test::fd_guard rd, wr;
    pipe_pair()
    {
        int p[2];
#if defined(_WIN32)
        BOOST_REQUIRE(test::socket_pair(p));
#else
        BOOST_REQUIRE(::pipe(p) == 0);
#endif
        rd.fd = p[0];
        wr.fd = p[1];
        test::set_nonblocking(rd.fd);
        test::set_nonblocking(wr.fd);
    }
};

struct socket_pair
{
    test::fd_guard a, b;
    socket_pair()
    {
        int s[2];
        BOOST_REQUIRE(test::socket_pair(s));
        a.fd = s[0];
        b.fd = s[1];
        test::set_nonblocking(a.fd);
        test::set_nonblocking(b.fd);
    }
};

std::size_t drain(int fd)
{
    char buf[4096];
    std::size_t total = 0;
    for(;;)
    {
        ssize_t n = test::read_fd(fd, buf, sizeof(buf));
        if(n <= 0)
            return total;
        total += static_cast<std::size_t>(n);
    }
}

class counting_handler : public millio::event_handler
{
public:
    std::shared_ptr<std::atomic<int>> calls = std::make_shared<std::atomic<int>>(0);
    std::shared_ptr<test::latch> seen = std::make_shared<test::latch>();
    int fd;

    explicit counting_handler(int f) : fd(f) {}

    void handle_event(event const& ev) override
    {
        if(ev.is_readable())
            drain(fd);
        ++*calls;
        seen->count_down();
    }
};

} // namespace

// The test cases (data test cases are classes) capture the helpers of the
// anonymous namespace: they are there too (-Wsubobject-linkage).
namespace {

BOOST_AUTO_TEST_SUITE(event_loop_tests)

BOOST_AUTO_TEST_CASE(defaults_and_options, *boost::unit_test::timeout(30))
{
    {
        event_loop loop;
        BOOST_TEST((loop.mode() == millio::dispatch_mode::pool));
        BOOST_TEST(loop.io_threads() >= 1u);
        BOOST_TEST(loop.options().events_capacity == 1024u);
        BOOST_TEST(loop.options().poll_timeout.count() == 150);
#if defined(__linux__)
        BOOST_TEST((loop.backend() == millio::backend_type::epoll));
#endif
    }
    {
        event_loop loop(3, 16, 20ms);
        BOOST_TEST(loop.io_threads() == 3u);
        BOOST_TEST(loop.options().events_capacity == 16u);
        BOOST_TEST(loop.options().poll_timeout.count() == 20);
    }
    {
        event_loop loop(event_loop::low_latency_options());
        BOOST_TEST((loop.mode() == millio::dispatch_mode::direct));
        BOOST_TEST(loop.io_threads() == 0u);
    }
}

BOOST_AUTO_TEST_CASE(invalid_construction, *boost::unit_test::timeout(30))
{
    auto is_invalid = [](millio::system_error const& e) {
        return e.code() == millio::error::invalid_argument;
    };
    BOOST_CHECK_EXCEPTION(event_loop(2, 0, 150ms), millio::system_error, is_invalid);
    millio::event_loop_options o;
    o.events_capacity = 0;
    BOOST_CHECK_EXCEPTION(event_loop{o}, millio::system_error, is_invalid);
}

// 0 io workers means hardware threads in every constructor, as in
// event_loop_options (and as for compute_pool).
BOOST_AUTO_TEST_CASE(zero_workers_means_hardware_threads, *boost::unit_test::timeout(30))
{
    std::size_t hw = std::thread::hardware_concurrency();
    if(hw == 0)
        hw = 4;
    {
        event_loop loop(0, 1024, 150ms);
        BOOST_TEST(loop.io_threads() == hw);
    }
    {
        millio::event_loop_options o;
        o.io_threads = 0;
        event_loop loop(o);
        BOOST_TEST(loop.io_threads() == hw);
    }
}

// Asking for io_uring gives io_uring where the kernel allows it; the
// default stays epoll.
BOOST_AUTO_TEST_CASE(io_uring_is_selectable, *boost::unit_test::timeout(30))
{
    millio::event_loop_options o;
    o.backend = millio::backend_type::io_uring;
    o.mode = millio::dispatch_mode::direct;
    event_loop loop(o);
    if(test::io_uring_available())
    {
        BOOST_TEST((loop.backend() == millio::backend_type::io_uring));
        BOOST_TEST((loop.options().backend == millio::backend_type::io_uring));
    }
    else
    {
        BOOST_TEST_MESSAGE("io_uring unavailable here: the loop fell back to "
            << test::backend_name(loop.backend()));
#if defined(__linux__)
        BOOST_TEST((loop.backend() == millio::backend_type::epoll));
#endif
    }
}

#if defined(__linux__) && defined(__NR_io_uring_setup)

namespace {

// In a child process: make io_uring_setup fail with `err` (a seccomp
// filter, as container runtimes install), then ask for io_uring. Exit
// status: 0 the loop fell back to epoll and delivers readiness, 1 wrong
// backend, 2 no delivery, 77 seccomp unavailable.
int io_uring_refused_child(int err)
{
    sock_filter filter[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_setup, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (static_cast<unsigned>(err) & SECCOMP_RET_DATA)),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    sock_fprog prog{static_cast<unsigned short>(sizeof(filter) / sizeof(filter[0])), filter};
    if(::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
        ::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0)
        return 77;
    for(auto mode : {millio::dispatch_mode::direct, millio::dispatch_mode::pool})
    {
        millio::event_loop_options o;
        o.backend = millio::backend_type::io_uring;
        o.mode = mode;
        o.io_threads = 2;
        o.compute_threads = 1;
        event_loop loop(o);
        if(loop.backend() != millio::backend_type::epoll ||
            loop.options().backend != millio::backend_type::epoll)
            return 1;
        int p[2];
        if(::pipe(p) != 0)
            return 2;
        test::set_nonblocking(p[0]);
        std::atomic<bool> got{false};
        loop.register_source(p[0], token(1), interest::readable,
            [&](event const& ev) {
                if(ev.is_readable())
                {
                    got = true;
                    loop.stop();
                }
            });
        loop.run_after(10s, [&]{ loop.stop(); });
        if(test::write_fd(p[1], "x", 1) != 1)
            return 2;
        loop.run();
        loop.deregister_source(p[0], token(1));
        test::close_fd(p[0]);
        test::close_fd(p[1]);
        if(!got)
            return 2;
    }
    return 0;
}

} // namespace

// io_uring refused by the kernel (ENOSYS: not built in; EPERM: the
// kernel.io_uring_disabled sysctl or a seccomp policy; EACCES): the loop
// falls back to epoll, says so through backend(), and works.
BOOST_AUTO_TEST_CASE(io_uring_refused_falls_back_to_epoll, *boost::unit_test::timeout(60))
{
    for(int err : {ENOSYS, EPERM, EACCES})
    {
        BOOST_TEST_CONTEXT("io_uring_setup fails with " << std::strerror(err))
        {
            pid_t pid = ::fork();
            BOOST_REQUIRE(pid >= 0);
            if(pid == 0)
                ::_exit(io_uring_refused_child(err));
            int status = 0;
            BOOST_REQUIRE(::waitpid(pid, &status, 0) == pid);
            BOOST_REQUIRE(WIFEXITED(status));
            if(WEXITSTATUS(status) == 77)
            {
                BOOST_TEST_MESSAGE("seccomp filters unavailable: fallback test skipped");
                return;
            }
            BOOST_TEST(WEXITSTATUS(status) == 0);
        }
    }
}

#endif

BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(60))
BOOST_DATA_TEST_CASE(pipe_readable_reaches_handler, test::configs_dataset(), cfg)
{
    event_loop loop(cfg.options());
    pipe_pair p;
    std::atomic<std::size_t> got{0};
    std::atomic<bool> wrong{false};
    test::latch done;
    loop.register_source(p.rd.fd, token(7), interest::readable,
        [&](event const& ev) {
            if(ev.token() != token(7) || !ev.is_readable() || ev.is_writable())
                wrong = true;
            got += drain(p.rd.fd);
            if(got == 5)
                done.count_down();
        });
    runner r(loop);
    BOOST_REQUIRE(test::write_fd(p.wr.fd, "hello", 5) == 5);
    BOOST_TEST(done.wait_for(5s));
    BOOST_TEST(!wrong);
    BOOST_TEST(got == 5u);
}

BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(60))
BOOST_DATA_TEST_CASE(socketpair_flags, test::configs_dataset(), cfg)
{
    event_loop loop(cfg.options());
    socket_pair sp;
    test::latch writable, closed;
    std::atomic<bool> saw_read_closed{false};
    loop.register_source(sp.a.fd, token(1), interest::readable | interest::writable,
        [&](event const& ev) {
            if(ev.is_writable())
                writable.count_down();
            if(ev.is_readable())
                drain(sp.a.fd);
            if(ev.is_read_closed())
            {
                saw_read_closed = true;
                closed.count_down();
            }
        });
    runner r(loop);
    BOOST_TEST(writable.wait_for(5s));
    test::close_fd(sp.b.fd);
    sp.b.fd = -1;
    BOOST_TEST(closed.wait_for(5s));
    BOOST_TEST(saw_read_closed);
    loop.deregister_source(sp.a.fd, token(1));
}

#if defined(_WIN32)
// Raw Winsock accept and connect are covered by the sockets of
// test::socket_pair and by handler_kinds_and_asio_sources.
MILLIO_TEST_NOT_ON_THIS_PLATFORM(loopback_tcp, "POSIX sockets API (accept4, SOCK_NONBLOCK)")
#else
BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(60))
BOOST_DATA_TEST_CASE(loopback_tcp, test::configs_dataset(), cfg)
{
    event_loop loop(cfg.options());
    test::fd_guard lfd(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    BOOST_REQUIRE(::bind(lfd.fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) == 0);
    BOOST_REQUIRE(::listen(lfd.fd, 16) == 0);
    socklen_t len = sizeof(sa);
    ::getsockname(lfd.fd, reinterpret_cast<sockaddr*>(&sa), &len);

    std::atomic<int> accepted_fd{-1};
    test::latch accepted, data;
    std::string received;
    std::atomic<bool> wrong{false};
    loop.register_source(lfd.fd, token(100), interest::readable,
        [&](event const& ev) {
            if(ev.token() != token(100))
                wrong = true;
            int c = ::accept4(lfd.fd, nullptr, nullptr, SOCK_NONBLOCK);
            if(c < 0)
                return;
            accepted_fd = c;
            loop.register_source(c, token(101), interest::readable,
                [&, c](event const& e2) {
                    if(e2.token() != token(101))
                        wrong = true;
                    char buf[64];
                    ssize_t n;
                    while((n = test::read_fd(c, buf, sizeof(buf))) > 0)
                        received.append(buf, static_cast<std::size_t>(n));
                    if(received.size() >= 4)
                        data.count_down();
                });
            accepted.count_down();
        });
    runner r(loop);
    test::fd_guard cfd(::socket(AF_INET, SOCK_STREAM, 0));
    BOOST_REQUIRE(::connect(cfd.fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) == 0);
    BOOST_TEST(accepted.wait_for(5s));
    BOOST_REQUIRE(test::write_fd(cfd.fd, "ping", 4) == 4);
    BOOST_TEST(data.wait_for(5s));
    BOOST_TEST(received == "ping");
    BOOST_TEST(!wrong);
    loop.deregister_source(accepted_fd.load(), token(101));
    test::close_fd(accepted_fd);
}
#endif

// Many registrations, many events each, few workers: a token's handler
// never overlaps itself and sees its bytes in order.
BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(300))
BOOST_DATA_TEST_CASE(storm_serialises_each_token, test::configs_dataset(), cfg)
{
    std::size_t const regs = 64;
    std::size_t const msgs = static_cast<std::size_t>(10000 * test::scale());
    event_loop loop(cfg.options(4));
    struct slot
    {
        socket_pair sp;
        std::atomic<int> inside{0};
        std::uint32_t next = 0;     // only touched by the handler
        std::atomic<std::uint32_t> consumed{0};
        std::atomic<std::size_t> calls{0};
        std::atomic<bool> overlap{false};
        std::atomic<bool> disorder{false};
        std::vector<unsigned char> partial;
    };
    std::vector<std::unique_ptr<slot>> slots;
    test::latch all_done(regs);
    for(std::size_t i = 0; i < regs; ++i)
    {
        slots.emplace_back(new slot);
        slot* s = slots.back().get();
        loop.register_source(s->sp.b.fd, token(i), interest::readable,
            [s, &all_done, msgs](event const&) {
                if(s->inside.fetch_add(1) != 0)
                    s->overlap = true;
                ++s->calls;
                std::uint32_t buf[512];
                for(;;)
                {
                    ssize_t n = test::read_fd(s->sp.b.fd, buf, sizeof(buf));
                    if(n <= 0)
                        break;
                    // writes are 4 bytes, so reads are whole messages
                    for(ssize_t k = 0; k < n / 4; ++k)
                    {
                        if(buf[k] != s->next)
                            s->disorder = true;
                        ++s->next;
                    }
                }
                bool done = s->next == msgs;
                s->inside.fetch_sub(1);
                s->consumed.store(s->next, std::memory_order_release);
                if(done)
                    all_done.count_down();
            });
    }
    runner r(loop);
    // Two writer threads, each owning half of the sockets, keep one
    // message in flight per socket: the next one is written when
    // the handler consumed the previous one, so every message is a
    // separate readiness event and a separate handler call.
    auto writer = [&](std::size_t first) {
        std::vector<std::uint32_t> sent(regs, 0);
        std::size_t finished = 0;
        while(finished < (regs - first + 1) / 2)
        {
            bool progress = false;
            finished = 0;
            for(std::size_t i = first; i < regs; i += 2)
            {
                slot& s = *slots[i];
                if(sent[i] == msgs)
                {
                    ++finished;
                    continue;
                }
                if(s.consumed.load(std::memory_order_acquire) != sent[i])
                    continue;
                std::uint32_t m = sent[i];
                if(test::write_fd(s.sp.a.fd, &m, 4) == 4)
                {
                    ++sent[i];
                    progress = true;
                }
            }
            if(!progress)
                std::this_thread::yield();
        }
    };
    std::thread w1(writer, 0), w2(writer, 1);
    w1.join();
    w2.join();
    BOOST_TEST(all_done.wait_for(120s));
    std::size_t calls = 0;
    for(auto& s : slots)
    {
        BOOST_TEST(!s->overlap);
        BOOST_TEST(!s->disorder);
        BOOST_TEST(s->next == msgs);
        BOOST_TEST(s->calls >= msgs);
        calls += s->calls;
    }
    BOOST_TEST_MESSAGE(cfg.name() << ": " << regs * msgs << " messages in "
        << calls << " handler calls");
    for(std::size_t i = 0; i < regs; ++i)
        loop.deregister_source(slots[i]->sp.b.fd, token(i));
}

BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(120))
BOOST_DATA_TEST_CASE(no_call_after_deregister, test::configs_dataset(), cfg)
{
    event_loop loop(cfg.options(2));
    runner r(loop);
    for(int round = 0; round < 50; ++round)
    {
        socket_pair sp;
        auto deregistered = std::make_shared<std::atomic<bool>>(false);
        auto late = std::make_shared<std::atomic<bool>>(false);
        auto called = std::make_shared<test::latch>();
        int fd = sp.b.fd;
        loop.register_source(fd, token(5), interest::readable,
            [=](event const&) {
                if(*deregistered)
                    *late = true;
                drain(fd);
                // keep the handler busy for a moment to widen the window
                auto until = std::chrono::steady_clock::now() + 200us;
                while(std::chrono::steady_clock::now() < until) {}
                if(*deregistered)
                    *late = true;
                called->count_down();
            });
        std::atomic<bool> stop_writer{false};
        std::thread w([&]{
            char c = 'x';
            while(!stop_writer)
            {
                if(test::write_fd(sp.a.fd, &c, 1) != 1)
                    std::this_thread::yield();
            }
        });
        BOOST_TEST(called->wait_for(5s));
        loop.deregister_source(fd, token(5));
        *deregistered = true;
        stop_writer = true;
        w.join();
        BOOST_TEST(!*late);
        // the token is free again
        loop.register_source(fd, token(5), interest::readable, [](event const&) {});
        loop.deregister_source(fd, token(5));
    }
}

BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(60))
BOOST_DATA_TEST_CASE(deregister_from_own_handler, test::configs_dataset(), cfg)
{
    event_loop loop(cfg.options());
    pipe_pair p;
    std::atomic<int> calls{0};
    test::latch done;
    loop.register_source(p.rd.fd, token(3), interest::readable,
        [&](event const&) {
            ++calls;
            loop.deregister_source(p.rd.fd, token(3));
            done.count_down();
        });
    runner r(loop);
    BOOST_REQUIRE(test::write_fd(p.wr.fd, "a", 1) == 1);
    BOOST_TEST(done.wait_for(5s));
    // more data: nobody is registered any more
    BOOST_REQUIRE(test::write_fd(p.wr.fd, "b", 1) == 1);
    millio::error_code ec;
    loop.deregister_source(p.rd.fd, token(3), ec);
    BOOST_TEST(ec == millio::error::not_registered);
    BOOST_TEST(calls == 1);
}

// Labelled `serial` (as idle_loop_sleeps): its bound is absolute, and
// ctest runs it alone (see CMakeLists.txt).
BOOST_TEST_DECORATOR(*test::if_config_enabled()
    * boost::unit_test::timeout(60) * boost::unit_test::label("serial"))
BOOST_DATA_TEST_CASE(stop_is_prompt, test::configs_dataset(), cfg)
{
    auto o = cfg.options();
    o.poll_timeout = 10s;
    event_loop loop(o);
    pipe_pair p;
    test::latch started;
    loop.register_source(p.rd.fd, token(1), interest::readable,
        [&](event const&) { drain(p.rd.fd); started.count_down(); });
    std::chrono::steady_clock::time_point returned;
    std::thread t([&]{
        loop.run();
        returned = std::chrono::steady_clock::now();
    });
    BOOST_REQUIRE(test::write_fd(p.wr.fd, "x", 1) == 1);
    BOOST_TEST(started.wait_for(5s));
    auto const t0 = std::chrono::steady_clock::now();
    loop.stop();
    t.join();
    auto const ms = std::chrono::duration_cast<std::chrono::milliseconds>(returned - t0);
    BOOST_TEST_MESSAGE(cfg.name() << ": run returned " << ms.count() << " ms after stop");
    BOOST_TEST(ms.count() < 50);
}

BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(60))
BOOST_DATA_TEST_CASE(stop_before_run_and_run_again, test::configs_dataset(), cfg)
{
    event_loop loop(cfg.options());
    loop.stop();
    BOOST_TEST(loop.stopped());
    loop.run(); // returns at once, consuming the stop
    BOOST_TEST(!loop.stopped());
    // a second run works and dispatches
    pipe_pair p;
    test::latch got;
    loop.register_source(p.rd.fd, token(1), interest::readable,
        [&](event const&) { drain(p.rd.fd); got.count_down(); });
    {
        runner r(loop);
        BOOST_REQUIRE(test::write_fd(p.wr.fd, "x", 1) == 1);
        BOOST_TEST(got.wait_for(5s));
    }
    // and a third
    test::latch got2;
    loop.deregister_source(p.rd.fd, token(1));
    loop.register_source(p.rd.fd, token(1), interest::readable,
        [&](event const&) { drain(p.rd.fd); got2.count_down(); });
    runner r(loop);
    BOOST_REQUIRE(test::write_fd(p.wr.fd, "y", 1) == 1);
    BOOST_TEST(got2.wait_for(5s));
}

BOOST_AUTO_TEST_CASE(concurrent_run_fails, *boost::unit_test::timeout(60))
{
    event_loop loop(2, 64, 10s);
    pipe_pair p;
    test::latch started;
    loop.register_source(p.rd.fd, token(1), interest::readable,
        [&](event const&) { drain(p.rd.fd); started.count_down(); });
    runner r(loop);
    BOOST_REQUIRE(test::write_fd(p.wr.fd, "x", 1) == 1);
    BOOST_TEST(started.wait_for(5s));
    millio::error_code ec;
    loop.run(ec);
    BOOST_TEST(ec == millio::error::already_running);
    BOOST_CHECK_THROW(loop.run(), millio::system_error);
}

// Labelled `serial`: the CPU share of an idle loop, measured while
// nothing else of this program runs (ctest runs it alone).
BOOST_TEST_DECORATOR(*test::if_config_enabled()
    * boost::unit_test::timeout(60) * boost::unit_test::label("serial"))
BOOST_DATA_TEST_CASE(idle_loop_sleeps, test::configs_dataset(), cfg)
{
    auto o = cfg.options(4);
    o.poll_timeout = 10ms;
    event_loop loop(o);
    pipe_pair p;
    loop.register_source(p.rd.fd, token(1), interest::readable, [](event const&) {});
    runner r(loop);
#if defined(_WIN32)
    // CPU time of the process (user + kernel), in microseconds
    auto cpu_us = [] {
        FILETIME c, e, k, u;
        ::GetProcessTimes(::GetCurrentProcess(), &c, &e, &k, &u);
        auto v = [](FILETIME const& f) {
            return ((static_cast<unsigned long long>(f.dwHighDateTime) << 32) |
                f.dwLowDateTime) / 10.0;
        };
        return v(k) + v(u);
    };
    double const before = cpu_us();
    auto const t0 = std::chrono::steady_clock::now();
    // The delay under test: the loop idles for 2 s.
    std::this_thread::sleep_for(2s);
    double const cpu = cpu_us() - before;
    auto const wall = std::chrono::steady_clock::now() - t0;
#else
    rusage before{}, after{};
    ::getrusage(RUSAGE_SELF, &before);
    auto const t0 = std::chrono::steady_clock::now();
    // The delay under test: the loop idles for 2 s.
    std::this_thread::sleep_for(2s);
    ::getrusage(RUSAGE_SELF, &after);
    auto const wall = std::chrono::steady_clock::now() - t0;
    auto us = [](timeval const& tv) { return tv.tv_sec * 1000000.0 + tv.tv_usec; };
    double cpu = (us(after.ru_utime) - us(before.ru_utime)) +
        (us(after.ru_stime) - us(before.ru_stime));
#endif
    double wall_us = std::chrono::duration<double, std::micro>(wall).count();
    double share = cpu / wall_us;
    BOOST_TEST_MESSAGE(cfg.name() << ": idle CPU " << share * 100 << "% of one core");
    BOOST_TEST(share < 0.05);
}

BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(60))
BOOST_DATA_TEST_CASE(token_in_use_keeps_first, test::configs_dataset(), cfg)
{
    event_loop loop(cfg.options());
    pipe_pair p1, p2;
    std::atomic<int> first{0}, second{0};
    test::latch got;
    loop.register_source(p1.rd.fd, token(9), interest::readable,
        [&](event const&) { drain(p1.rd.fd); ++first; got.count_down(); });
    millio::error_code ec;
    loop.register_source(p2.rd.fd, token(9), interest::readable,
        [&](event const&) { ++second; }, ec);
    BOOST_TEST(ec == millio::error::token_in_use);
    BOOST_CHECK_THROW(loop.register_source(p2.rd.fd, token(9), interest::readable,
        [&](event const&) { ++second; }), millio::system_error);
    // the same descriptor twice
    loop.register_source(p1.rd.fd, token(10), interest::readable,
        [&](event const&) { ++second; }, ec);
    BOOST_TEST(ec == boost::system::errc::file_exists);
    // one category for "already registered", token or descriptor
    BOOST_TEST(ec == millio::error::source_in_use);
    BOOST_TEST((ec.category() == millio::millio_category()));
    runner r(loop);
    BOOST_REQUIRE(test::write_fd(p1.wr.fd, "x", 1) == 1);
    BOOST_REQUIRE(test::write_fd(p2.wr.fd, "x", 1) == 1);
    BOOST_TEST(got.wait_for(5s));
    BOOST_TEST(first >= 1);
    BOOST_TEST(second == 0);
    // the handler uses `got`: wait for a call in progress
    loop.deregister_source(p1.rd.fd, token(9));
}

namespace {

// A source whose native_handle() is const, and one whose is not (as
// Asio's): both are accepted, the latter by non-const reference, with
// no const_cast behind a const reference.
struct const_source
{
    int fd;
    int native_handle() const { return fd; }
};

struct asio_like_source
{
    int fd;
    int native_handle() { return fd; }
};

} // namespace

BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(60))
BOOST_DATA_TEST_CASE(sources_with_native_handle, test::configs_dataset(), cfg)
{
    event_loop loop(cfg.options());
    pipe_pair p1, p2;
    const_source const s1{p1.rd.fd};
    asio_like_source s2{p2.rd.fd};
    test::latch got(2);
    loop.register_source(s1, token(1), interest::readable,
        [&](event const&) { drain(p1.rd.fd); got.count_down(); });
    loop.register_source(s2, token(2), interest::readable,
        [&](event const&) { drain(p2.rd.fd); got.count_down(); });
    runner r(loop);
    BOOST_REQUIRE(test::write_fd(p1.wr.fd, "x", 1) == 1);
    BOOST_REQUIRE(test::write_fd(p2.wr.fd, "x", 1) == 1);
    BOOST_TEST(got.wait_for(5s));
    loop.reregister_source(s1, token(1), interest::readable | interest::writable);
    loop.deregister_source(s1, token(1));
    loop.deregister_source(s2, token(2));
    // an rvalue descriptor
    millio::error_code ec;
    loop.deregister_source(int(p1.rd.fd), token(1), ec);
    BOOST_TEST(ec == millio::error::not_registered);
}

BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(60))
BOOST_DATA_TEST_CASE(bad_input, test::configs_dataset(), cfg)
{
    event_loop loop(cfg.options());
    millio::error_code ec;
    // unknown token
    loop.deregister_source(0, token(42), ec);
    BOOST_TEST(ec == millio::error::not_registered);
    BOOST_CHECK_THROW(loop.deregister_source(0, token(42)), millio::system_error);
    loop.reregister_source(0, token(42), interest::readable, ec);
    BOOST_TEST(ec == millio::error::not_registered);
    // closed descriptor
    int fds[2];
#if defined(_WIN32)
    BOOST_REQUIRE(test::socket_pair(fds));
#else
    BOOST_REQUIRE(::pipe(fds) == 0);
#endif
    test::close_fd(fds[0]);
    test::close_fd(fds[1]);
    loop.register_source(fds[0], token(1), interest::readable, [](event const&) {}, ec);
    BOOST_TEST(ec == boost::system::errc::bad_file_descriptor);
    loop.register_source(-1, token(1), interest::readable, [](event const&) {}, ec);
    BOOST_TEST(ec == boost::system::errc::bad_file_descriptor);
    // empty interest
    pipe_pair p;
    loop.register_source(p.rd.fd, token(1), static_cast<interest>(0), [](event const&) {}, ec);
    BOOST_TEST(ec == millio::error::invalid_argument);
    // the failed calls left nothing behind
    loop.register_source(p.rd.fd, token(1), interest::readable, [](event const&) {}, ec);
    BOOST_TEST(!ec);
    // deregistering with the wrong source
    loop.deregister_source(p.wr.fd, token(1), ec);
    BOOST_TEST(ec == millio::error::not_registered);
    loop.deregister_source(p.rd.fd, token(1), ec);
    BOOST_TEST(!ec);
}

BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(60))
BOOST_DATA_TEST_CASE(reregister_changes_interest, test::configs_dataset(), cfg)
{
    event_loop loop(cfg.options());
    socket_pair sp;
    std::atomic<unsigned> last_flags{0};
    test::latch readable, writable;
    loop.register_source(sp.a.fd, token(1), interest::readable,
        [&](event const& ev) {
            last_flags = ev.flags();
            if(ev.is_readable()) { drain(sp.a.fd); readable.count_down(); }
            if(ev.is_writable()) writable.count_down();
        });
    runner r(loop);
    BOOST_REQUIRE(test::write_fd(sp.b.fd, "x", 1) == 1);
    BOOST_TEST(readable.wait_for(5s));
    BOOST_TEST(!writable.try_wait());
    loop.reregister_source(sp.a.fd, token(1), interest::writable);
    BOOST_TEST(writable.wait_for(5s));
    loop.deregister_source(sp.a.fd, token(1));
}

struct derived_handler : millio::event_handler
{
    std::shared_ptr<test::latch> l;
    int fd;
    derived_handler(std::shared_ptr<test::latch> x, int f) : l(std::move(x)), fd(f) {}
    void handle_event(event const&) override { drain(fd); l->count_down(); }
};

BOOST_AUTO_TEST_CASE(handler_kinds_and_asio_sources, *boost::unit_test::timeout(60))
{
    event_loop loop(2, 64, 100ms);
    boost::asio::io_context ioc;
    pipe_pair p1, p2;
#if defined(_WIN32)
    // no Asio descriptor on Windows: the Asio source is the acceptor
    int const dup_fd = p2.rd.fd;
#else
    int dup_fd = ::dup(p2.rd.fd);
    boost::asio::posix::stream_descriptor sd(ioc, dup_fd);
    sd.non_blocking(true);
#endif

    auto l1 = std::make_shared<test::latch>();
    loop.register_source(p1.rd.fd, token(1), interest::readable, derived_handler(l1, p1.rd.fd));
    auto l2 = std::make_shared<test::latch>();
    auto shared = std::make_shared<derived_handler>(l2, dup_fd);
#if defined(_WIN32)
    loop.register_source(p2.rd.fd, token(2), interest::readable, shared);
#else
    loop.register_source(sd, token(2), interest::readable, shared);
#endif

    boost::asio::ip::tcp::acceptor acc(ioc,
        boost::asio::ip::tcp::endpoint(boost::asio::ip::address_v4::loopback(), 0));
    acc.non_blocking(true);
    test::latch l3;
    loop.register_source(acc, token(3), interest::readable, [&](event const&) {
        boost::system::error_code ec;
        for(;;)
        {
            auto s = acc.accept(ec);
            if(ec)
                break;
        }
        l3.count_down();
    });
    runner r(loop);
    BOOST_REQUIRE(test::write_fd(p1.wr.fd, "x", 1) == 1);
    BOOST_REQUIRE(test::write_fd(p2.wr.fd, "x", 1) == 1);
    boost::asio::ip::tcp::socket c(ioc);
    c.connect(acc.local_endpoint());
    BOOST_TEST(l1->wait_for(5s));
    BOOST_TEST(l2->wait_for(5s));
    BOOST_TEST(l3.wait_for(5s));
#if defined(_WIN32)
    loop.deregister_source(p2.rd.fd, token(2));
#else
    loop.deregister_source(sd, token(2));
#endif
    loop.deregister_source(acc, token(3));
}

BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(60))
BOOST_DATA_TEST_CASE(handler_exception_reported, test::configs_dataset(), cfg)
{
    event_loop loop(cfg.options());
    std::atomic<int> reported{0};
    loop.set_exception_handler([&](std::exception_ptr ep) {
        try { std::rethrow_exception(ep); }
        catch(std::runtime_error const&) { ++reported; }
    });
    pipe_pair p1, p2;
    test::latch ok;
    loop.register_source(p1.rd.fd, token(1), interest::readable,
        [&](event const&) { drain(p1.rd.fd); throw std::runtime_error("boom"); });
    loop.register_source(p2.rd.fd, token(2), interest::readable,
        [&](event const&) { drain(p2.rd.fd); ok.count_down(); });
    runner r(loop);
    BOOST_REQUIRE(test::write_fd(p1.wr.fd, "x", 1) == 1);
    BOOST_REQUIRE(test::write_fd(p2.wr.fd, "x", 1) == 1);
    BOOST_TEST(ok.wait_for(5s));
    // wait until the exception was reported
    auto deadline = std::chrono::steady_clock::now() + 5s;
    while(reported == 0 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::yield();
    BOOST_TEST(reported == 1);
}

BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(60))
BOOST_DATA_TEST_CASE(destroy_while_handler_runs, test::configs_dataset(), cfg)
{
    std::atomic<bool> finished{false};
    test::latch started;
    pipe_pair p;
    {
        event_loop loop(cfg.options());
        loop.register_source(p.rd.fd, token(1), interest::readable,
            [&](event const&) {
                drain(p.rd.fd);
                started.count_down();
                // the work under test: 50 ms of handler time
                std::this_thread::sleep_for(50ms);
                finished = true;
            });
        std::thread t([&]{ loop.run(); });
        BOOST_REQUIRE(test::write_fd(p.wr.fd, "x", 1) == 1);
        BOOST_TEST(started.wait_for(5s));
        t.detach(); // the destructor waits for run() to return
        // destroyed here, while the handler runs
    }
    BOOST_TEST(finished);
}

//------------------------------------------------------------------------------
// Delivery semantics: every backend reports like edge-triggered epoll.

namespace {

// Every delivery to one registration, by kind.
class delivery_log
{
    std::mutex m_;
    std::condition_variable cv_;

public:
    unsigned calls = 0;
    unsigned readable = 0;
    unsigned writable = 0;
    unsigned read_closed = 0;
    unsigned error = 0;

    void record(event const& ev)
    {
        std::lock_guard<std::mutex> lk(m_);
        ++calls;
        if(ev.is_readable())
            ++readable;
        if(ev.is_writable())
            ++writable;
        if(ev.is_read_closed())
            ++read_closed;
        if(ev.is_error())
            ++error;
        cv_.notify_all();
    }

    // Wait until `pred(*this)` holds; false after 5 s.
    template<class Pred>
    bool wait(Pred pred)
    {
        std::unique_lock<std::mutex> lk(m_);
        return cv_.wait_for(lk, 5s, [&]{ return pred(*this); });
    }

    unsigned get(unsigned delivery_log::* field)
    {
        std::lock_guard<std::mutex> lk(m_);
        return this->*field;
    }
};

// Deliveries allowed for a source that nothing happens to.
constexpr unsigned idle_bound = 2;

// Make the loop finish what it is running: with one thread running
// handlers, a posted function runs after the handler that is running
// now has returned and its registration was rearmed.
void settle(event_loop& loop)
{
    test::latch l;
    boost::asio::post(loop.get_executor(), [&]{ l.count_down(); });
    BOOST_REQUIRE(l.wait_for(5s));
}

// Write until the send buffer is full.
std::size_t fill(int fd)
{
    static char const buf[4096] = {};
    std::size_t total = 0;
    for(;;)
    {
#if defined(_WIN32)
        long n = test::write_fd(fd, buf, sizeof(buf));
#else
        ssize_t n = ::send(fd, buf, sizeof(buf), MSG_NOSIGNAL);
#endif
        if(n <= 0)
            return total;
        total += static_cast<std::size_t>(n);
    }
}

} // namespace

// An idle socket registered for both directions is writable: it is
// reported once (an edge), not for as long as it stays writable.
BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(60))
BOOST_DATA_TEST_CASE(idle_socket_is_reported_a_bounded_number_of_times,
    test::configs_dataset(), cfg)
{
    socket_pair sp;
    delivery_log log;
    event_loop loop(cfg.options());
    loop.register_source(sp.a.fd, token(1), interest::readable | interest::writable,
        [&](event const& ev) { log.record(ev); });
    auto const t0 = std::chrono::steady_clock::now();
    runner r(loop);
    BOOST_TEST(log.wait([](delivery_log& l) { return l.writable >= 1; }));
    // the observation window: nothing happens to the socket
    std::this_thread::sleep_until(t0 + 200ms);
    unsigned const n = log.get(&delivery_log::calls);
    BOOST_TEST_MESSAGE(cfg.name() << ": idle socket delivered " << n << " times in 200 ms");
    BOOST_TEST(n >= 1u);
    BOOST_TEST(n <= idle_bound);
    BOOST_TEST(log.get(&delivery_log::readable) == 0u);
    loop.deregister_source(sp.a.fd, token(1));
}

// Data that arrives after the handler read until EAGAIN is reported.
BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(60))
BOOST_DATA_TEST_CASE(data_after_drain_is_reported_again, test::configs_dataset(), cfg)
{
    socket_pair sp;
    delivery_log log;
    std::atomic<std::size_t> total{0};
    event_loop loop(cfg.options());
    loop.register_source(sp.a.fd, token(1), interest::readable | interest::writable,
        [&](event const& ev) {
            if(ev.is_readable())
                total += drain(sp.a.fd);
            log.record(ev);
        });
    runner r(loop);
    BOOST_TEST(log.wait([](delivery_log& l) { return l.writable >= 1; }));
    for(std::size_t i = 1; i <= 20; ++i)
    {
        BOOST_REQUIRE(test::write_fd(sp.b.fd, "abc", 3) == 3);
        BOOST_TEST_REQUIRE(log.wait([&](delivery_log&) { return total == 3 * i; }));
    }
    // one delivery per write, give or take the first
    BOOST_TEST(log.get(&delivery_log::readable) >= 20u);
    BOOST_TEST(log.get(&delivery_log::calls) <= 20u + idle_bound);
    loop.deregister_source(sp.a.fd, token(1));
}

// Data that arrives while the handler runs, after it read until EAGAIN,
// is reported once the handler returned, though it did not read it.
BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(60))
BOOST_DATA_TEST_CASE(data_arriving_while_the_handler_runs_is_reported, test::configs_dataset(), cfg)
{
    int const rounds = 5;
    socket_pair sp;
    delivery_log log;
    std::atomic<std::size_t> total{0};
    std::atomic<int> round{0};
    std::vector<std::unique_ptr<test::latch>> drained, resume;
    for(int i = 0; i < rounds; ++i)
    {
        drained.emplace_back(new test::latch);
        resume.emplace_back(new test::latch);
    }
    event_loop loop(cfg.options());
    loop.register_source(sp.a.fd, token(1), interest::readable | interest::writable,
        [&](event const& ev) {
            if(ev.is_readable())
            {
                total += drain(sp.a.fd);
                int const i = round.load();
                if(i < rounds && !drained[i]->try_wait())
                {
                    drained[i]->count_down();
                    // the test writes again now: return without
                    // reading it
                    resume[i]->wait_for(5s);
                }
            }
            log.record(ev);
        });
    runner r(loop);
    for(int i = 0; i < rounds; ++i)
    {
        round = i;
        BOOST_REQUIRE(test::write_fd(sp.b.fd, "x", 1) == 1);
        BOOST_TEST_REQUIRE(drained[i]->wait_for(5s));
        BOOST_REQUIRE(test::write_fd(sp.b.fd, "y", 1) == 1);
        resume[i]->count_down();
        std::size_t const want = 2 * static_cast<std::size_t>(i) + 2;
        BOOST_TEST_REQUIRE(log.wait([&](delivery_log&) { return total == want; }));
    }
    loop.deregister_source(sp.a.fd, token(1));
}

// A handler that wrote until EAGAIN is called again when the send buffer
// drained.
BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(60))
BOOST_DATA_TEST_CASE(writable_again_after_the_send_buffer_filled, test::configs_dataset(), cfg)
{
    socket_pair sp;
    delivery_log log;
    std::atomic<std::size_t> filled{0};
    std::atomic<int> fills{0};
    // one thread runs the handlers: see settle()
    event_loop loop(cfg.options(1));
    loop.register_source(sp.a.fd, token(1), interest::readable | interest::writable,
        [&](event const& ev) {
            if(ev.is_readable())
            {
                // a byte from the test asks for a fill
                drain(sp.a.fd);
                filled = fill(sp.a.fd);
                ++fills;
            }
            log.record(ev);
        });
    runner r(loop);
    BOOST_TEST(log.wait([](delivery_log& l) { return l.writable >= 1; }));
    for(int i = 1; i <= 3; ++i)
    {
        BOOST_REQUIRE(test::write_fd(sp.b.fd, "x", 1) == 1);
        BOOST_TEST_REQUIRE(log.wait([&](delivery_log&) { return fills == i; }));
        settle(loop);
        BOOST_TEST(filled > 0u);
        unsigned const before = log.get(&delivery_log::writable);
        BOOST_TEST(drain(sp.b.fd) >= filled.load());
        BOOST_TEST_REQUIRE(log.wait([&](delivery_log& l) { return l.writable > before; }));
    }
    loop.deregister_source(sp.a.fd, token(1));
}

// reregister_source reports the current readiness afresh, as
// EPOLL_CTL_MOD does; after a send outside the handler failed with EAGAIN
// it makes the drain reported.
BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(60))
BOOST_DATA_TEST_CASE(reregister_reports_current_readiness, test::configs_dataset(), cfg)
{
    socket_pair sp;
    delivery_log log;
    event_loop loop(cfg.options());
    loop.register_source(sp.a.fd, token(1), interest::readable | interest::writable,
        [&](event const& ev) { log.record(ev); });
    runner r(loop);
    BOOST_TEST(log.wait([](delivery_log& l) { return l.writable >= 1; }));
    for(int i = 0; i < 3; ++i)
    {
        unsigned const before = log.get(&delivery_log::writable);
        loop.reregister_source(sp.a.fd, token(1), interest::readable | interest::writable);
        BOOST_TEST_REQUIRE(log.wait([&](delivery_log& l) { return l.writable > before; }));
    }
    // fill from this thread, re-register, then drain
    BOOST_TEST(fill(sp.a.fd) > 0u);
    loop.reregister_source(sp.a.fd, token(1), interest::readable | interest::writable);
    unsigned const before = log.get(&delivery_log::writable);
    BOOST_TEST(drain(sp.b.fd) > 0u);
    BOOST_TEST(log.wait([&](delivery_log& l) { return l.writable > before; }));
    loop.deregister_source(sp.a.fd, token(1));
}

// A peer that closed (or shut down its side) is reported, and then not
// again and again while the handler keeps the registration.
BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(60))
BOOST_DATA_TEST_CASE(peer_close_is_reported_a_bounded_number_of_times, test::configs_dataset(), cfg)
{
    for(bool const half : {false, true})
    {
#if !defined(POLLRDHUP)
        // poll(2) sees a shutdown as end of file only (see the docs)
        if(half && cfg.backend == millio::backend_type::poll)
            continue;
#endif
        BOOST_TEST_CONTEXT((half ? "shutdown" : "close"))
        {
            socket_pair sp;
            delivery_log log;
            event_loop loop(cfg.options());
            loop.register_source(sp.a.fd, token(1), interest::readable | interest::writable,
                [&](event const& ev) {
                    if(ev.is_readable() || ev.is_read_closed())
                        drain(sp.a.fd);
                    log.record(ev);
                });
            runner r(loop);
            BOOST_TEST(log.wait([](delivery_log& l) { return l.writable >= 1; }));
            unsigned const before = log.get(&delivery_log::calls);
            if(half)
#if defined(_WIN32)
                BOOST_REQUIRE(::shutdown(test::to_socket(sp.b.fd), SD_SEND) == 0);
#else
                BOOST_REQUIRE(::shutdown(sp.b.fd, SHUT_WR) == 0);
#endif
            else
            {
                test::close_fd(sp.b.fd);
                sp.b.fd = -1;
            }
            BOOST_TEST(log.wait([](delivery_log& l) { return l.read_closed >= 1; }));
            // the observation window: nothing else happens
            std::this_thread::sleep_for(200ms);
            unsigned const n = log.get(&delivery_log::calls) - before;
            BOOST_TEST_MESSAGE(cfg.name() << (half ? " shutdown" : " close")
                << ": " << n << " deliveries");
            BOOST_TEST(n >= 1u);
            BOOST_TEST(n <= idle_bound);
            loop.deregister_source(sp.a.fd, token(1));
        }
    }
}

// A descriptor closed while registered (a bug of the program) does not
// make the loop spin; the loop still serves the other registrations.
BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(60))
BOOST_DATA_TEST_CASE(closed_descriptor_does_not_spin, test::configs_dataset(), cfg)
{
    socket_pair sp;
    pipe_pair other;
    delivery_log log, other_log;
    event_loop loop(cfg.options());
    int const fd = sp.a.fd;
    loop.register_source(fd, token(1), interest::readable | interest::writable,
        [&](event const& ev) { log.record(ev); });
    loop.register_source(other.rd.fd, token(2), interest::readable,
        [&](event const& ev) { drain(other.rd.fd); other_log.record(ev); });
    runner r(loop);
    BOOST_TEST(log.wait([](delivery_log& l) { return l.writable >= 1; }));
    test::close_fd(sp.a.fd);
    sp.a.fd = -1;
    // make the loop wait again, with the closed descriptor
    for(unsigned i = 1; i <= 5; ++i)
    {
        BOOST_REQUIRE(test::write_fd(other.wr.fd, "x", 1) == 1);
        BOOST_TEST_REQUIRE(other_log.wait([&](delivery_log& l) { return l.calls >= i; }));
    }
    unsigned const before = log.get(&delivery_log::calls);
    // the observation window: nothing else happens
    std::this_thread::sleep_for(200ms);
    unsigned const n = log.get(&delivery_log::calls);
    BOOST_TEST_MESSAGE(cfg.name() << ": closed descriptor delivered " << n << " times");
    BOOST_TEST(n <= 1u + idle_bound);
    BOOST_TEST(n - before <= 1u);
    millio::error_code ec;
    loop.deregister_source(fd, token(1), ec);
    BOOST_TEST(!ec);
}


// The thread that registered a source exits (the kernel cancels what an
// exiting thread submitted to an io_uring): readiness is still reported,
// again and again.
BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(60))
BOOST_DATA_TEST_CASE(registering_thread_exits, test::configs_dataset(), cfg)
{
    pipe_pair pp;
    event_loop loop(cfg.options(2));
    auto calls = std::make_shared<std::atomic<int>>(0);
    int const fd = pp.rd.fd;
    std::thread([&]{
        loop.register_source(fd, token(1), interest::readable,
            [=](event const&) { drain(fd); ++*calls; });
    }).join();
    runner r(loop);
    for(int i = 1; i <= 5; ++i)
    {
        BOOST_REQUIRE(test::write_fd(pp.wr.fd, "x", 1) == 1);
        auto const until = std::chrono::steady_clock::now() + 10s;
        while(calls->load() < i && std::chrono::steady_clock::now() < until)
            std::this_thread::sleep_for(1ms);
        BOOST_TEST_REQUIRE(calls->load() >= i);
    }
    loop.deregister_source(fd, token(1));
}

// A socket deregistered and then closed is closed at once: the peer sees
// the end of the stream whether or not the loop is running, and whichever
// thread registered it (an io_uring poll holds a reference to the file
// until it is removed).
BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(120))
BOOST_DATA_TEST_CASE(deregistered_socket_closes_at_once, test::configs_dataset(), cfg)
{
#if defined(_WIN32)
    auto peer_sees_eof = [](int fd) {
        auto const until = std::chrono::steady_clock::now() + 5s;
        char c;
        long n;
        while((n = test::read_fd(fd, &c, 1)) < 0 && std::chrono::steady_clock::now() < until)
            std::this_thread::sleep_for(1ms);
        return n == 0;
    };
#else
    auto peer_sees_eof = [](int fd) {
        pollfd p{fd, POLLIN, 0};
        if(::poll(&p, 1, 5000) != 1)
            return false;
        char c;
        return test::read_fd(fd, &c, 1) == 0;
    };
#endif
    for(int variant = 0; variant < 3; ++variant)
    {
        char const* const what[] = {
            "loop running", "loop stopped", "registered by a loop thread, loop stopped"};
        BOOST_TEST_CONTEXT(what[variant])
        {
            socket_pair sp;
            event_loop loop(cfg.options(2));
            int const fd = sp.a.fd;
            auto calls = std::make_shared<std::atomic<int>>(0);
            auto reg = [&]{
                loop.register_source(fd, token(1), interest::readable | interest::writable,
                    [=](event const&) { drain(fd); ++*calls; });
            };
            if(variant == 2)
            {
                test::latch done;
                runner r(loop);
                boost::asio::post(loop.get_executor(), [&]{ reg(); done.count_down(); });
                BOOST_TEST_REQUIRE(done.wait_for(10s));
                auto const until = std::chrono::steady_clock::now() + 10s;
                while(calls->load() == 0 && std::chrono::steady_clock::now() < until)
                    std::this_thread::sleep_for(1ms);
                BOOST_TEST(calls->load() >= 1);
            }
            else
                reg();
            std::unique_ptr<runner> r;
            if(variant == 0)
                r.reset(new runner(loop));
            loop.deregister_source(fd, token(1));
            test::close_fd(sp.a.fd);
            sp.a.fd = -1;
            BOOST_TEST(peer_sees_eof(sp.b.fd));
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()

} // (anon)
