//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

/*
    Events dispatched per second through the reactor: socketpair
    ping-pong, one byte in flight per pair, every hop one readiness event
    and one handler call. The same exchange runs on a Boost.Asio
    io_context (async_read_some / async_write on local stream sockets),
    interleaved with ours round by round.

    Then posted work: functions that re-post themselves through the
    executor (asio::post), one chain per thread, on the loop and on an
    io_context whose reactor is live (a timer is pending). Both collect
    readiness and timers while posted work runs (Asio once per pass over
    its queue, the loop at least every 20 us of queued work), so this is
    also the price of that fairness.

    usage: reactor_bench [rounds] [hops]
*/

#include <boost/millio/event_loop.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/local/connect_pair.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "bench_util.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace millio = boost::millio;
namespace asio = boost::asio;
using clock_type = std::chrono::steady_clock;

namespace {

struct done_flag
{
    std::mutex m;
    std::condition_variable cv;
    bool done = false;
    void set() { std::lock_guard<std::mutex> lk(m); done = true; cv.notify_all(); }
    void wait() { std::unique_lock<std::mutex> lk(m); cv.wait(lk, [this]{ return done; }); }
};

double run_millio(millio::dispatch_mode mode, std::size_t io_threads, std::size_t pairs, std::size_t hops,
    millio::backend_type backend = millio::backend_type::epoll)
{
    millio::event_loop_options opt;
    opt.mode = mode;
    opt.io_threads = io_threads;
    opt.backend = backend;
    millio::event_loop loop(opt);
    std::vector<int> fds;
    std::atomic<std::size_t> count{0};
    done_flag done;
    for(std::size_t p = 0; p < pairs; ++p)
    {
        int sv[2];
        ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv);
        for(int k = 0; k < 2; ++k)
        {
            int fd = sv[k];
            fds.push_back(fd);
            loop.register_source(fd, millio::token(fds.size()), millio::interest::readable,
                [fd, &count, &done, hops](millio::event const&) {
                    char buf[64];
                    for(;;)
                    {
                        ssize_t n = ::read(fd, buf, sizeof(buf));
                        if(n <= 0)
                            return;
                        std::size_t c = count.fetch_add(static_cast<std::size_t>(n)) + static_cast<std::size_t>(n);
                        if(c >= hops)
                        {
                            if(c - static_cast<std::size_t>(n) < hops)
                                done.set();
                            return;
                        }
                        ssize_t w = ::write(fd, buf, static_cast<std::size_t>(n));
                        (void)w;
                    }
                });
        }
    }
    std::thread t([&]{ loop.run(); });
    auto const t0 = clock_type::now();
    for(std::size_t p = 0; p < pairs; ++p)
    {
        ssize_t w = ::write(fds[2 * p], "x", 1);
        (void)w;
    }
    done.wait();
    double secs = std::chrono::duration<double>(clock_type::now() - t0).count();
    loop.stop();
    t.join();
    for(std::size_t i = 0; i < fds.size(); ++i)
        loop.deregister_source(fds[i], millio::token(i + 1));
    for(int fd : fds)
        ::close(fd);
    return static_cast<double>(count.load()) / secs;
}

struct asio_end : std::enable_shared_from_this<asio_end>
{
    asio::local::stream_protocol::socket s;
    char buf[64];
    std::atomic<std::size_t>& count;
    std::size_t hops;
    done_flag& done;

    asio_end(asio::io_context& ioc, std::atomic<std::size_t>& c, std::size_t h, done_flag& d)
        : s(ioc), count(c), hops(h), done(d) {}

    void read()
    {
        s.async_read_some(asio::buffer(buf), [self = shared_from_this()](
            boost::system::error_code ec, std::size_t n) {
            if(ec)
                return;
            std::size_t c = self->count.fetch_add(n) + n;
            if(c >= self->hops)
            {
                if(c - n < self->hops)
                    self->done.set();
                return;
            }
            asio::async_write(self->s, asio::buffer(self->buf, n), [self](
                boost::system::error_code ec2, std::size_t) {
                if(!ec2)
                    self->read();
            });
        });
    }
};

double run_asio(std::size_t threads, std::size_t pairs, std::size_t hops)
{
    asio::io_context ioc(static_cast<int>(threads));
    std::atomic<std::size_t> count{0};
    done_flag done;
    std::vector<std::shared_ptr<asio_end>> ends;
    for(std::size_t p = 0; p < pairs; ++p)
    {
        auto a = std::make_shared<asio_end>(ioc, count, hops, done);
        auto b = std::make_shared<asio_end>(ioc, count, hops, done);
        asio::local::connect_pair(a->s, b->s);
        a->read();
        b->read();
        ends.push_back(a);
        ends.push_back(b);
    }
    auto work = asio::make_work_guard(ioc);
    std::vector<std::thread> ts;
    for(std::size_t i = 0; i < threads; ++i)
        ts.emplace_back([&]{ ioc.run(); });
    auto const t0 = clock_type::now();
    for(std::size_t p = 0; p < pairs; ++p)
        asio::write(ends[2 * p]->s, asio::buffer("x", 1));
    done.wait();
    double secs = std::chrono::duration<double>(clock_type::now() - t0).count();
    ioc.stop();
    for(auto& t : ts)
        t.join();
    return static_cast<double>(count.load()) / secs;
}

// Re-posting chains: posts run per second.
template<class Executor>
struct post_chain
{
    Executor ex;
    std::atomic<std::size_t>* count;
    std::size_t limit;
    done_flag* done;

    void operator()() const
    {
        std::size_t c = count->fetch_add(1, std::memory_order_relaxed) + 1;
        if(c == limit)
            done->set();
        if(c < limit)
            asio::post(ex, *this);
    }
};

double run_millio_posts(millio::dispatch_mode mode, std::size_t io_threads, std::size_t chains, std::size_t posts,
    millio::backend_type backend = millio::backend_type::epoll)
{
    millio::event_loop_options opt;
    opt.mode = mode;
    opt.io_threads = io_threads;
    opt.backend = backend;
    millio::event_loop loop(opt);
    std::atomic<std::size_t> count{0};
    done_flag done;
    std::thread t([&]{ loop.run(); });
    auto const t0 = clock_type::now();
    using ex_type = millio::event_loop::executor_type;
    for(std::size_t i = 0; i < chains; ++i)
        asio::post(loop.get_executor(), post_chain<ex_type>{loop.get_executor(), &count, posts, &done});
    done.wait();
    double secs = std::chrono::duration<double>(clock_type::now() - t0).count();
    loop.stop();
    t.join();
    return static_cast<double>(posts) / secs;
}

double run_asio_posts(std::size_t threads, std::size_t chains, std::size_t posts)
{
    asio::io_context ioc(static_cast<int>(threads));
    // A pending timer starts Asio's reactor, as any socket or timer of a
    // server does; without one the io_context never polls (and would
    // starve I/O the way the loop's fairness rule prevents).
    asio::steady_timer timer(ioc, std::chrono::hours(1));
    timer.async_wait([](boost::system::error_code) {});
    std::atomic<std::size_t> count{0};
    done_flag done;
    auto work = asio::make_work_guard(ioc);
    std::vector<std::thread> ts;
    for(std::size_t i = 0; i < threads; ++i)
        ts.emplace_back([&]{ ioc.run(); });
    auto const t0 = clock_type::now();
    using ex_type = asio::io_context::executor_type;
    for(std::size_t i = 0; i < chains; ++i)
        asio::post(ioc.get_executor(), post_chain<ex_type>{ioc.get_executor(), &count, posts, &done});
    done.wait();
    double secs = std::chrono::duration<double>(clock_type::now() - t0).count();
    ioc.stop();
    for(auto& t : ts)
        t.join();
    timer.cancel();
    return static_cast<double>(posts) / secs;
}

} // namespace

int main(int argc, char** argv)
{
    int rounds = argc > 1 ? std::atoi(argv[1]) : 5;
    std::size_t hops = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 200000;
    std::printf("reactor_bench: %d interleaved rounds, %zu hops per run, %u hardware threads\n",
        rounds, hops, std::thread::hardware_concurrency());
    auto const uring = millio::backend_type::io_uring;
    {
        millio::event_loop_options o;
        o.backend = uring;
        o.mode = millio::dispatch_mode::direct;
        millio::event_loop probe(o);
        std::printf("the io_uring contenders run on %s\n",
            probe.backend() == uring ? "io_uring" : "epoll (io_uring unavailable: fallback)");
    }
    auto const d = millio::dispatch_mode::direct;
    auto const p = millio::dispatch_mode::pool;
    for(std::size_t pairs : {std::size_t(1), std::size_t(16)})
    {
        std::vector<bench::contender> cs = {
            {"asio io_context, 1 thread", [=]{ return run_asio(1, pairs, hops); }},
            {"millio direct", [=]{ return run_millio(d, 0, pairs, hops); }},
            {"io_uring direct", [=]{ return run_millio(d, 0, pairs, hops, uring); }},
            {"millio pool, 1 io thread", [=]{ return run_millio(p, 1, pairs, hops); }},
            {"io_uring pool, 1 io thread", [=]{ return run_millio(p, 1, pairs, hops, uring); }},
            {"asio io_context, 2 threads", [=]{ return run_asio(2, pairs, hops); }},
            {"millio pool, 2 io threads", [=]{ return run_millio(p, 2, pairs, hops); }},
            {"io_uring pool, 2 io threads", [=]{ return run_millio(p, 2, pairs, hops, uring); }},
        };
        auto rs = bench::interleave(cs, rounds);
        bench::print_table("socketpair ping-pong, " + std::to_string(pairs) +
            " pair(s): events dispatched per second", "events/s", rs,
            {"asio io_context, 1 thread", "asio io_context, 2 threads"});
    }
    {
        std::size_t const posts = hops * 5;
        std::vector<bench::contender> cs = {
            {"asio io_context, 1 thread", [=]{ return run_asio_posts(1, 1, posts); }},
            {"millio direct", [=]{ return run_millio_posts(d, 0, 1, posts); }},
            {"io_uring direct", [=]{ return run_millio_posts(d, 0, 1, posts, uring); }},
            {"millio pool, 1 io thread", [=]{ return run_millio_posts(p, 1, 1, posts); }},
            {"asio io_context, 2 threads", [=]{ return run_asio_posts(2, 2, posts); }},
            {"millio pool, 2 io threads", [=]{ return run_millio_posts(p, 2, 2, posts); }},
            {"io_uring pool, 2 io threads", [=]{ return run_millio_posts(p, 2, 2, posts, uring); }},
        };
        auto rs = bench::interleave(cs, rounds);
        bench::print_table("re-posting chains (one per thread): posts run per second",
            "posts/s", rs, {"asio io_context, 1 thread", "asio io_context, 2 threads"});
    }
    return 0;
}
