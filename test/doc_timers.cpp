//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// The snippets of doc/qbk/timers.qbk, run as tests on every backend in
// both dispatch modes.

#include <boost/millio/event_loop.hpp>
#include <boost/millio/signal_set.hpp>

#define BOOST_TEST_MODULE millio_doc_timers
#include <boost/test/unit_test.hpp>

#include "test_util.hpp"

#include <atomic>
#include <chrono>
#include <csignal>
#include <optional>
#include <thread>

namespace {

// Runs a loop on a thread; stops and joins on destruction.
struct runner
{
    boost::millio::event_loop& loop;
    std::thread t;

    explicit runner(boost::millio::event_loop& l) : loop(l), t([this]{ loop.run(); }) {}

    ~runner()
    {
        loop.stop();
        t.join();
    }
};

} // namespace

// The test cases (data test cases are classes) capture the helpers of the
// anonymous namespace: they are there too (-Wsubobject-linkage).
namespace {

BOOST_AUTO_TEST_SUITE(doc_timers)

BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(60))
BOOST_DATA_TEST_CASE(timers, test::configs_dataset(), cfg)
{
    boost::millio::event_loop loop(cfg.options());
    runner r(loop);
    test::latch once(1);
    test::latch three_ticks(3);
    std::atomic<int> ticks{0};
    auto const start = std::chrono::steady_clock::now();
    std::atomic<std::chrono::steady_clock::duration> waited{};

    //[doc_timers_timers
    auto id = loop.run_after(std::chrono::milliseconds(50), [&] {
        // once, 50 ms from now
        //<-
        waited = std::chrono::steady_clock::now() - start;
        once.count_down();
        //->
    });
    auto tick = loop.run_every(std::chrono::milliseconds(10), [&] {
        ++ticks;    // every 10 ms, until cancelled
        //<-
        three_ticks.count_down();
        //->
    });
    //<-
    BOOST_TEST(three_ticks.wait_for(std::chrono::seconds(20)));
    //->
    loop.cancel_timer(tick);
    //]

    BOOST_TEST(once.wait_for(std::chrono::seconds(20)));
    BOOST_TEST(std::chrono::duration_cast<std::chrono::microseconds>(waited.load()).count() >= 50000); // never early
    BOOST_TEST(!loop.cancel_timer(id));     // it ran: nothing left to cancel
    int const after = ticks.load();
    // no invocation starts after cancel_timer returned
    test::latch later(1);
    loop.run_after(std::chrono::milliseconds(30), [&] { later.count_down(); });
    BOOST_TEST(later.wait_for(std::chrono::seconds(20)));
    BOOST_TEST(ticks.load() <= after + 1);
}

BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(60))
BOOST_DATA_TEST_CASE(stop_on_signal, test::configs_dataset(), cfg)
{
    boost::millio::event_loop loop(cfg.options());
    //[doc_timers_signal_set
    boost::millio::signal_set signals(loop, {SIGINT, SIGTERM});
    signals.stop_loop_on_signal();  // or signals.on_signal([](int signo) { ... });
    //<-
    std::raise(SIGTERM);            // delivered to the set: run() returns
    //->
    loop.run();
    //]
    BOOST_TEST(signals.count() >= 1u);
}

BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(60))
BOOST_DATA_TEST_CASE(destroyed_from_own_function, test::configs_dataset(), cfg)
{
    boost::millio::event_loop loop(cfg.options());
    runner r(loop);
    std::atomic<int> shutdowns{0};
    test::latch gone(1);
    auto begin_graceful_shutdown = [&] { ++shutdowns; };

    //[doc_timers_signal_set_reset
    std::optional<boost::millio::signal_set> signals;
    signals.emplace(loop, std::initializer_list<int>{SIGINT});
    signals->on_signal([&](int) {
        begin_graceful_shutdown();
        signals.reset();            // a second Ctrl+C kills the process
        //<-
        gone.count_down();
        //->
    });
    //]

    std::raise(SIGINT);
    BOOST_TEST(gone.wait_for(std::chrono::seconds(20)));
    BOOST_TEST(shutdowns.load() == 1);
    BOOST_TEST(!signals.has_value());
}

BOOST_AUTO_TEST_SUITE_END()

} // (anon)
