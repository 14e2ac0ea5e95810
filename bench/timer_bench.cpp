//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

/*
    Timers: event_loop::run_after / cancel_timer against asio::steady_timer
    on an io_context, interleaved round by round (A B A B ...); each table
    reports medians, the spread and the ratio against Asio measured in
    the same rounds.

      insert + cancel     N timers due in 10 s are created, then all
                          cancelled, on one thread; the loop is idle
      insert + fire,      N timers due within 5 ms are created, then the
      same thread         loop runs on the same thread (direct mode; Asio:
                          io_context::run) until the last callback
      insert + fire,      a thread that is not the loop's creates N
      another thread      timers due within 5 ms while the loop runs
                          (pool mode, `threads` io workers; Asio: the same
                          number of threads in io_context::run); from the
                          first insertion to the last callback

    Asio's timer objects live in a vector reserved beforehand, so that
    Asio pays no allocation of its own timer objects.

    Each contender keeps its loop (io_context) and threads for all the
    rounds of a table, as a program keeps its loop, and runs once
    unmeasured before the rounds; freed memory stays in the process
    (glibc: no trimming): otherwise one contender pays the page faults
    of memory that the previous one returned to the system, and the
    order of the contenders, not their code, decides the result.

    usage: timer_bench [rounds] [timers] [threads]
*/

#include <boost/millio/event_loop.hpp>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "bench_util.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#if defined(__GLIBC__)
# include <malloc.h>
#endif

namespace millio = boost::millio;
namespace asio = boost::asio;
using clock_type = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

// Runs every contender once, unmeasured, then the interleaved rounds.
std::vector<bench::result>
warm_then_interleave(std::vector<bench::contender> const& cs, int rounds)
{
    for(auto const& c : cs)
        c.run();
    return bench::interleave(cs, rounds);
}

double seconds_since(clock_type::time_point t0)
{
    return std::chrono::duration<double>(clock_type::now() - t0).count();
}

// Counts callbacks; wakes the waiter at the last one.
struct countdown
{
    std::atomic<std::size_t> left;
    std::mutex m;
    std::condition_variable cv;
    bool done = false;

    explicit countdown(std::size_t n) : left(n) {}

    void hit()
    {
        if(left.fetch_sub(1, std::memory_order_acq_rel) == 1)
        {
            std::lock_guard<std::mutex> lk(m);
            done = true;
            cv.notify_all();
        }
    }

    void wait()
    {
        std::unique_lock<std::mutex> lk(m);
        cv.wait(lk, [&] { return done; });
    }
};

//------------------------------------------------------------------------------
// insert + cancel

struct millio_insert_cancel
{
    millio::event_loop loop{millio::event_loop::low_latency_options()};
    std::vector<millio::timer_id> ids;

    double operator()(std::size_t n)
    {
        ids.assign(n, millio::timer_id());
        auto const t0 = clock_type::now();
        for(std::size_t i = 0; i < n; ++i)
            ids[i] = loop.run_after(10s, [] {});
        for(auto id : ids)
            loop.cancel_timer(id);
        return static_cast<double>(n) / seconds_since(t0);
    }
};

struct asio_insert_cancel
{
    asio::io_context ioc{1};

    double operator()(std::size_t n)
    {
        std::vector<asio::steady_timer> ts;
        ts.reserve(n);
        auto const t0 = clock_type::now();
        for(std::size_t i = 0; i < n; ++i)
        {
            ts.emplace_back(ioc, 10s);
            ts.back().async_wait([](boost::system::error_code) {});
        }
        for(auto& t : ts)
            t.cancel();
        double r = static_cast<double>(n) / seconds_since(t0);
        ioc.restart();
        ioc.run(); // run the cancelled handlers before destruction
        return r;
    }
};

//------------------------------------------------------------------------------
// insert + fire, same thread

struct millio_fire_same_thread
{
    millio::event_loop loop{millio::event_loop::low_latency_options()};

    double operator()(std::size_t n)
    {
        std::size_t fired = 0;
        auto const t0 = clock_type::now();
        for(std::size_t i = 0; i < n; ++i)
            loop.run_after(std::chrono::microseconds(i % 5000), [&] {
                if(++fired == n)
                    loop.stop();
            });
        loop.run();
        return static_cast<double>(fired) / seconds_since(t0);
    }
};

struct asio_fire_same_thread
{
    asio::io_context ioc{1};

    double operator()(std::size_t n)
    {
        std::vector<asio::steady_timer> ts;
        ts.reserve(n);
        std::size_t fired = 0;
        auto const t0 = clock_type::now();
        for(std::size_t i = 0; i < n; ++i)
        {
            ts.emplace_back(ioc, std::chrono::microseconds(i % 5000));
            ts.back().async_wait([&](boost::system::error_code) { ++fired; });
        }
        ioc.restart();
        ioc.run();
        return static_cast<double>(fired) / seconds_since(t0);
    }
};

//------------------------------------------------------------------------------
// insert + fire, fed from another thread

struct millio_fire_other_thread
{
    millio::event_loop loop;
    std::thread runner;

    static millio::event_loop_options options(std::size_t threads)
    {
        millio::event_loop_options opt;
        opt.mode = millio::dispatch_mode::pool;
        opt.io_threads = threads;
        return opt;
    }

    explicit millio_fire_other_thread(std::size_t threads)
        : loop(options(threads))
        , runner([this] { loop.run(); })
    {
    }

    ~millio_fire_other_thread()
    {
        loop.stop();
        runner.join();
    }

    double operator()(std::size_t n)
    {
        countdown c(n);
        auto const t0 = clock_type::now();
        for(std::size_t i = 0; i < n; ++i)
            loop.run_after(std::chrono::microseconds(i % 5000), [&c] { c.hit(); });
        c.wait();
        return static_cast<double>(n) / seconds_since(t0);
    }
};

struct asio_fire_other_thread
{
    asio::io_context ioc;
    asio::executor_work_guard<asio::io_context::executor_type> guard;
    std::vector<std::thread> runners;

    explicit asio_fire_other_thread(std::size_t threads)
        : ioc(static_cast<int>(threads))
        , guard(asio::make_work_guard(ioc))
    {
        for(std::size_t i = 0; i < threads; ++i)
            runners.emplace_back([this] { ioc.run(); });
    }

    ~asio_fire_other_thread()
    {
        guard.reset();
        ioc.stop();
        for(auto& t : runners)
            t.join();
    }

    double operator()(std::size_t n)
    {
        std::vector<asio::steady_timer> ts;
        ts.reserve(n);
        countdown c(n);
        auto const t0 = clock_type::now();
        for(std::size_t i = 0; i < n; ++i)
        {
            ts.emplace_back(ioc, std::chrono::microseconds(i % 5000));
            ts.back().async_wait([&c](boost::system::error_code) { c.hit(); });
        }
        c.wait();
        return static_cast<double>(n) / seconds_since(t0);
    }
};

} // namespace

int main(int argc, char** argv)
{
    int rounds = argc > 1 ? std::atoi(argv[1]) : 5;
    std::size_t n = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 100000;
    std::size_t threads = argc > 3 ? std::strtoul(argv[3], nullptr, 10) : 2;
    if(rounds < 1 || n == 0 || threads == 0)
    {
        std::fprintf(stderr, "usage: timer_bench [rounds] [timers] [threads]\n");
        return 2;
    }
#if defined(M_TRIM_THRESHOLD) && defined(M_MMAP_THRESHOLD)
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
#endif
    std::printf("timer_bench: %d interleaved rounds, %zu timers per run, %zu loop threads\n",
        rounds, n, threads);
    {
        asio_insert_cancel a;
        millio_insert_cancel m;
        auto rs = warm_then_interleave({
            {"asio steady_timer", [&]{ return a(n); }},
            {"millio run_after", [&]{ return m(n); }},
        }, rounds);
        bench::print_table("insert + cancel: timers per second", "timers/s", rs, {"asio steady_timer"});
    }
    {
        asio_fire_same_thread a;
        millio_fire_same_thread m;
        auto rs = warm_then_interleave({
            {"asio steady_timer", [&]{ return a(n); }},
            {"millio run_after", [&]{ return m(n); }},
        }, rounds);
        bench::print_table("insert + fire (due within 5 ms), same thread: timers per second",
            "timers/s", rs, {"asio steady_timer"});
    }
    {
        asio_fire_other_thread a(threads);
        millio_fire_other_thread m(threads);
        auto rs = warm_then_interleave({
            {"asio steady_timer", [&]{ return a(n); }},
            {"millio run_after", [&]{ return m(n); }},
        }, rounds);
        bench::print_table("insert + fire (due within 5 ms), fed from another thread: timers per second",
            "timers/s", rs, {"asio steady_timer"});
    }
    return 0;
}
