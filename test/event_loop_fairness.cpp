//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Fairness: posted work, readiness, timers and stop() share the loop.

#include <boost/millio/event_loop.hpp>

#define BOOST_TEST_MODULE millio_event_loop_fairness
#include <boost/test/unit_test.hpp>

#include "test_util.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#if !defined(_WIN32)
#include <sys/socket.h>
#include <unistd.h>
#endif

namespace millio = boost::millio;
namespace asio = boost::asio;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

namespace {

// A task that re-posts itself through the loop's executor until told to
// end: the "yield" idiom of Asio code.
struct chain
{
    millio::event_loop::executor_type ex;
    std::shared_ptr<std::atomic<bool>> done;
    std::shared_ptr<std::atomic<std::uint64_t>> count;

    void operator()() const
    {
        count->fetch_add(1, std::memory_order_relaxed);
        if(!done->load(std::memory_order_relaxed))
            asio::post(ex, *this);
    }
};

double ms(clock_type::duration d)
{
    return std::chrono::duration<double, std::milli>(d).count();
}

} // (anon)

BOOST_AUTO_TEST_SUITE(fairness)

// While self-re-posting chains keep the queue busy for a second, a
// 20 ms periodic timer keeps firing on time and socket readiness is
// served; stop() then makes run() return within 50 ms.
BOOST_AUTO_TEST_CASE(reposting_chains_do_not_starve, *boost::unit_test::timeout(300))
{
    for(auto const& cfg : test::all_configs())
    {
        for(std::size_t threads : {std::size_t(1), std::size_t(2)})
        {
            if(cfg.mode == millio::dispatch_mode::direct && threads == 2)
                continue;
            std::size_t const chains = threads;
            BOOST_TEST_CONTEXT(cfg.name() << " threads=" << threads << " chains=" << chains)
            {
                auto done = std::make_shared<std::atomic<bool>>(false);
                auto count = std::make_shared<std::atomic<std::uint64_t>>(0);
                std::mutex m;
                std::vector<clock_type::time_point> fires;
                std::atomic<int> bytes_seen{0};
                int sv[2];
                BOOST_REQUIRE(test::socket_pair(sv));
                test::fd_guard g0(sv[0]), g1(sv[1]);
                test::set_nonblocking(sv[0]);
                // declared last: destroyed first
                millio::event_loop loop(cfg.options(threads));

                // timer: fire times
                loop.run_every(20ms, [&] {
                    std::lock_guard<std::mutex> lk(m);
                    fires.push_back(clock_type::now());
                });

                // readiness: a byte every 10 ms
                loop.register_source(sv[0], millio::token(7), millio::interest::readable,
                    [&](millio::event const&) {
                        char buf[64];
                        ssize_t n;
                        while((n = test::read_fd(sv[0], buf, sizeof(buf))) > 0)
                            bytes_seen += static_cast<int>(n);
                    });

                for(std::size_t i = 0; i < chains; ++i)
                    asio::post(loop.get_executor(), chain{loop.get_executor(), done, count});

                std::atomic<bool> returned{false};
                clock_type::time_point t_returned;
                std::thread runner([&]{
                    loop.run();
                    t_returned = clock_type::now();
                    returned = true;
                });

                // the window opens at the first firing: run() is in progress
                auto const first_deadline = clock_type::now() + 10s;
                for(;;)
                {
                    {
                        std::lock_guard<std::mutex> lk(m);
                        if(!fires.empty())
                            break;
                    }
                    BOOST_REQUIRE_MESSAGE(clock_type::now() < first_deadline, "the timer never fired");
                    std::this_thread::sleep_for(1ms);
                }
                int written = 0;
                auto const t_end = clock_type::now() + 1s;
                while(clock_type::now() < t_end)
                {
                    char c = 'x';
                    if(test::write_fd(sv[1], &c, 1) == 1)
                        ++written;
                    std::this_thread::sleep_for(10ms);
                }
                // the last byte gets a moment to arrive
                for(int i = 0; i < 200 && bytes_seen.load() < written; ++i)
                    std::this_thread::sleep_for(5ms);

                auto const t_stop = clock_type::now();
                loop.stop();
                runner.join();
                BOOST_TEST(returned);
                double const stop_ms = ms(t_returned - t_stop);
                BOOST_TEST_MESSAGE("stop -> run returned in " << stop_ms << " ms, "
                    << count->load() << " re-posts");
                BOOST_TEST(stop_ms < 50.0);

                // the chains really ran all along
                BOOST_TEST(count->load() > 1000u);

                // readiness was served
                BOOST_TEST(bytes_seen.load() == written);

                // the timer kept firing with bounded lateness
                std::vector<clock_type::time_point> f;
                {
                    std::lock_guard<std::mutex> lk(m);
                    f = fires;
                }
                BOOST_TEST(f.size() >= 30u);   // 50 periods in a second
                double max_gap = 0;
                for(std::size_t i = 1; i < f.size(); ++i)
                    max_gap = std::max(max_gap, ms(f[i] - f[i - 1]));
                BOOST_TEST_MESSAGE("timer fired " << f.size() << " times, largest gap " << max_gap << " ms");
                BOOST_TEST(max_gap < 200.0);

                done->store(true);
            }
        }
    }
}

// In the direct mode, run() serves what was queued before each wait:
// work posted by a task while the queue drains waits for the next pass,
// after readiness and timers were collected.
BOOST_AUTO_TEST_CASE(direct_mode_runs_a_bounded_batch, *boost::unit_test::timeout(60))
{
    for(auto const& cfg : test::all_configs())
    {
        if(cfg.mode != millio::dispatch_mode::direct)
            continue;
        BOOST_TEST_CONTEXT(cfg.name())
        {
            millio::event_loop loop(cfg.options());
            std::atomic<int> timer_fired{0};
            std::atomic<std::uint64_t> posts_before_timer{0};
            std::atomic<std::uint64_t> posts{0};
            std::function<void()> again;
            again = [&] {
                ++posts;
                if(timer_fired.load() == 0)
                    asio::post(loop.get_executor(), again);
                else
                    loop.stop();
            };
            loop.run_after(5ms, [&] {
                posts_before_timer = posts.load();
                ++timer_fired;
            });
            asio::post(loop.get_executor(), again);
            std::thread runner([&]{ loop.run(); });
            runner.join();
            BOOST_TEST(timer_fired.load() == 1);
            BOOST_TEST(posts.load() >= posts_before_timer.load());
        }
    }
}

// stop() before run(): run() returns at once; poll() does not consume
// the request.
BOOST_AUTO_TEST_CASE(poll_keeps_a_pending_stop, *boost::unit_test::timeout(60))
{
    for(auto const& cfg : test::all_configs())
    {
        BOOST_TEST_CONTEXT(cfg.name())
        {
            millio::event_loop loop(cfg.options());
            loop.stop();
            BOOST_TEST(loop.stopped());
            loop.poll();
            BOOST_TEST(loop.stopped());
            auto const t0 = clock_type::now();
            loop.run(); // returns at once: the stop is still pending
            BOOST_TEST(ms(clock_type::now() - t0) < 1000.0);
            BOOST_TEST(!loop.stopped());
        }
    }
}

// A pool with busy workers: stop() is noticed between two handlers,
// even while every worker runs long work and no thread waits for
// readiness.
BOOST_AUTO_TEST_CASE(stop_while_workers_are_busy, *boost::unit_test::timeout(120))
{
    for(auto const& cfg : test::all_configs())
    {
        if(cfg.mode != millio::dispatch_mode::pool)
            continue;
        BOOST_TEST_CONTEXT(cfg.name())
        {
            millio::event_loop loop(cfg.options(2));
            auto done = std::make_shared<std::atomic<bool>>(false);
            // many short tasks, each re-posting, with a long queue
            auto count = std::make_shared<std::atomic<std::uint64_t>>(0);
            for(int i = 0; i < 1000; ++i)
                asio::post(loop.get_executor(), chain{loop.get_executor(), done, count});
            clock_type::time_point t_returned;
            std::thread runner([&]{ loop.run(); t_returned = clock_type::now(); });
            while(count->load() < 100000)
                std::this_thread::yield();
            auto const t_stop = clock_type::now();
            loop.stop();
            runner.join();
            double const stop_ms = ms(t_returned - t_stop);
            BOOST_TEST_MESSAGE("stop -> run returned in " << stop_ms << " ms");
            BOOST_TEST(stop_ms < 50.0);
            done->store(true);
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
