//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

/*
    Timers: event_loop::run_after / cancel_timer against asio::steady_timer
    on an io_context, interleaved round by round.

      insert+cancel   N timers due in 10 s are created, then all cancelled
      fire            N timers due within 5 ms fire; from the first
                      insertion to the last callback

    usage: timer_bench [rounds] [timers]
*/

#include <boost/millio/event_loop.hpp>

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

namespace millio = boost::millio;
namespace asio = boost::asio;
using clock_type = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

double seconds_since(clock_type::time_point t0)
{
    return std::chrono::duration<double>(clock_type::now() - t0).count();
}

double millio_insert_cancel(std::size_t n)
{
    millio::event_loop loop(millio::event_loop::low_latency_options());
    std::vector<millio::timer_id> ids(n);
    auto const t0 = clock_type::now();
    for(std::size_t i = 0; i < n; ++i)
        ids[i] = loop.run_after(10s, [] {});
    for(auto id : ids)
        loop.cancel_timer(id);
    return static_cast<double>(n) / seconds_since(t0);
}

double asio_insert_cancel(std::size_t n)
{
    asio::io_context ioc(1);
    std::vector<std::unique_ptr<asio::steady_timer>> ts(n);
    auto const t0 = clock_type::now();
    for(std::size_t i = 0; i < n; ++i)
    {
        ts[i].reset(new asio::steady_timer(ioc, 10s));
        ts[i]->async_wait([](boost::system::error_code) {});
    }
    for(auto& t : ts)
        t->cancel();
    double r = static_cast<double>(n) / seconds_since(t0);
    ioc.run(); // run the cancelled handlers before destruction
    return r;
}

double millio_fire(std::size_t n)
{
    millio::event_loop loop(millio::event_loop::low_latency_options());
    std::atomic<std::size_t> fired{0};
    std::mutex m;
    std::condition_variable cv;
    std::thread t([&]{ loop.run(); });
    auto const t0 = clock_type::now();
    for(std::size_t i = 0; i < n; ++i)
        loop.run_after(std::chrono::microseconds(i % 5000), [&] {
            if(++fired == n)
            {
                std::lock_guard<std::mutex> lk(m);
                cv.notify_all();
            }
        });
    {
        std::unique_lock<std::mutex> lk(m);
        cv.wait(lk, [&]{ return fired.load() == n; });
    }
    double r = static_cast<double>(n) / seconds_since(t0);
    loop.stop();
    t.join();
    return r;
}

double asio_fire(std::size_t n)
{
    asio::io_context ioc(1);
    std::vector<std::unique_ptr<asio::steady_timer>> ts(n);
    std::size_t fired = 0;
    auto const t0 = clock_type::now();
    for(std::size_t i = 0; i < n; ++i)
    {
        ts[i].reset(new asio::steady_timer(ioc, std::chrono::microseconds(i % 5000)));
        ts[i]->async_wait([&](boost::system::error_code) { ++fired; });
    }
    ioc.run();
    return static_cast<double>(fired) / seconds_since(t0);
}

} // namespace

int main(int argc, char** argv)
{
    int rounds = argc > 1 ? std::atoi(argv[1]) : 5;
    std::size_t n = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 100000;
    std::printf("timer_bench: %d interleaved rounds, %zu timers per run\n", rounds, n);
    auto rs = bench::interleave({
        {"asio steady_timer", [=]{ return asio_insert_cancel(n); }},
        {"millio run_after", [=]{ return millio_insert_cancel(n); }},
    }, rounds);
    bench::print_table("insert + cancel: timers per second", "timers/s", rs, {"asio steady_timer"});
    rs = bench::interleave({
        {"asio steady_timer", [=]{ return asio_fire(n); }},
        {"millio run_after", [=]{ return millio_fire(n); }},
    }, rounds);
    bench::print_table("insert + fire (due within 5 ms): timers per second", "timers/s", rs, {"asio steady_timer"});
    return 0;
}
