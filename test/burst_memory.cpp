//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// The memory of a burst of posted work goes back to the system once the
// burst is over: a compute pool and an event loop hold 300,000 queued
// functions at once, then run them; the resident set must come back near
// where it was before. (The task nodes come from mapped blocks, which the
// idle threads unmap; the queues hold a fixed room and spill the rest into
// a list that is freed as it drains.)
//
// The resident set is the process's: this file runs alone (RUN_SERIAL in
// CMakeLists.txt), and the bounds are fractions of the growth measured in
// the same run. Not under sanitizers, which keep freed memory on purpose.

#include <boost/millio/compute_pool.hpp>
#include <boost/millio/event_loop.hpp>

#define BOOST_TEST_MODULE millio_burst_memory
#include <boost/test/unit_test.hpp>

#include <boost/asio/post.hpp>

#include "test_util.hpp"

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

namespace millio = boost::millio;
namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

constexpr std::size_t burst = 300000;

// Waits until pred() holds or the time is up; returns pred().
template<class Pred>
bool
eventually(Pred pred, std::chrono::milliseconds limit)
{
    auto const end = std::chrono::steady_clock::now() + limit;
    while(! pred())
    {
        if(std::chrono::steady_clock::now() > end)
            return false;
        std::this_thread::sleep_for(10ms);
    }
    return true;
}

// Posts `burst` functions to `ex` while the one thread that could run them
// is held (by a first function waiting on a gate), then lets them run.
// Returns the resident set before, at the peak and after the memory came
// back (or at the deadline), checking as it goes.
template<class Executor>
void
check_burst(Executor ex, char const* what)
{
    // warm up: the first posts make the thread caches and the first blocks
    {
        std::promise<void> done;
        for(int i = 0; i < 1000; ++i)
            asio::post(ex, []{});
        asio::post(ex, [&done]{ done.set_value(); });
        done.get_future().wait();
    }
    std::size_t const before = test::rss_bytes();

    std::promise<void> go;
    std::shared_future<void> gate = go.get_future().share();
    std::atomic<std::size_t> ran{0};
    asio::post(ex, [gate]{ gate.wait(); });
    for(std::size_t i = 0; i < burst; ++i)
        asio::post(ex, [&ran]{ ran.fetch_add(1, std::memory_order_relaxed); });
    std::size_t const peak = test::rss_bytes();
    go.set_value();

    BOOST_TEST_MESSAGE(what << ": RSS before the burst " << (before >> 10) << " KiB, with "
        << burst << " functions queued " << (peak >> 10) << " KiB");
#ifndef MILLIO_TEST_SANITIZED
    // at least a node per function (128 bytes)
    BOOST_TEST(peak >= before + burst * 128 / 2);
    std::size_t last = 0;
    auto const t0 = std::chrono::steady_clock::now();
    bool const back = eventually([&] {
        last = test::rss_bytes();
        return ran.load() == burst && last <= before + (peak - before) / 10;
    }, 30s);
    BOOST_TEST_MESSAGE(what << ": " << (last >> 10) << " KiB "
        << std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::steady_clock::now() - t0).count() << " ms after the release");
    BOOST_TEST(back, what << ": RSS " << (last >> 10) << " KiB, before the burst "
        << (before >> 10) << " KiB, at its peak " << (peak >> 10) << " KiB");
#endif
    BOOST_TEST(eventually([&] { return ran.load() == burst; }, 30s));
}

} // (anon)

BOOST_AUTO_TEST_SUITE(burst_memory)

BOOST_AUTO_TEST_CASE(compute_pool_gives_a_burst_back, *boost::unit_test::timeout(120))
{
    millio::compute_pool pool(1);
    check_burst(pool.get_executor(), "compute_pool");
}

// Direct mode: the thread of run() is the one that runs posted work. (The
// queue is the same in every configuration.)
BOOST_AUTO_TEST_CASE(event_loop_gives_a_burst_back, *boost::unit_test::timeout(120))
{
    millio::event_loop_options opt;
    opt.mode = millio::dispatch_mode::direct;
    millio::event_loop loop(opt);
    std::thread t([&loop]{ loop.run(); });
    check_burst(loop.get_executor(), "event_loop");
    loop.stop();
    t.join();
}

BOOST_AUTO_TEST_SUITE_END()
