//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Test that header file is self-contained.
#include <boost/millio/signal_set.hpp>

#define BOOST_TEST_MODULE millio_signal_set
#include <boost/test/unit_test.hpp>

#include "test_util.hpp"

#include <atomic>
#include <csignal>
#include <thread>

#include <signal.h>
#include <unistd.h>

namespace millio = boost::millio;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(signal_set)

BOOST_AUTO_TEST_CASE(kill_stops_the_loop, *boost::unit_test::timeout(60))
{
    for(auto const& cfg : test::all_configs())
    {
        BOOST_TEST_CONTEXT(cfg.name())
        {
            millio::event_loop loop(cfg.options());
            millio::signal_set sigs(loop, {SIGTERM, SIGUSR2});
            sigs.stop_loop_on_signal();
            std::atomic<bool> returned{false};
            std::thread t([&]{ loop.run(); returned = true; });
            BOOST_REQUIRE(::kill(::getpid(), SIGTERM) == 0);
            t.join();
            BOOST_TEST(returned);
            BOOST_TEST(sigs.count() == 1u);
        }
    }
}

BOOST_AUTO_TEST_CASE(handler_sees_signal_number, *boost::unit_test::timeout(60))
{
    millio::event_loop loop(2, 64, 10s);
    millio::signal_set sigs(loop, {SIGUSR1, SIGUSR2});
    std::atomic<int> got1{0}, got2{0};
    test::latch both(2);
    sigs.on_signal([&](int s) {
        if(s == SIGUSR1) ++got1;
        if(s == SIGUSR2) ++got2;
        both.count_down();
    });
    std::thread t([&]{ loop.run(); });
    ::kill(::getpid(), SIGUSR1);
    ::kill(::getpid(), SIGUSR2);
    BOOST_TEST(both.wait_for(5s));
    loop.stop();
    t.join();
    BOOST_TEST(got1 == 1);
    BOOST_TEST(got2 == 1);
}

BOOST_AUTO_TEST_CASE(one_owner_per_signal_and_restore, *boost::unit_test::timeout(60))
{
    millio::event_loop loop(1, 16, 100ms);
    struct sigaction before{};
    ::sigaction(SIGUSR1, nullptr, &before);
    {
        millio::signal_set a(loop, {SIGUSR1});
        millio::error_code ec;
        millio::signal_set b(loop, {SIGUSR1}, ec);
        BOOST_TEST(ec == boost::system::errc::device_or_resource_busy);
        BOOST_CHECK_THROW(millio::signal_set(loop, {SIGUSR1}), millio::system_error);
        millio::signal_set c(loop, {0}, ec);
        BOOST_TEST(ec == boost::system::errc::invalid_argument);
    }
    struct sigaction after{};
    ::sigaction(SIGUSR1, nullptr, &after);
    BOOST_TEST((after.sa_handler == before.sa_handler));
    // free again
    millio::signal_set d(loop, {SIGUSR1});
}

BOOST_AUTO_TEST_SUITE_END()
