//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Timers of event_loop: run_after, run_every, cancel_timer.
#include <boost/millio/event_loop.hpp>

#define BOOST_TEST_MODULE millio_event_loop_timers
#include <boost/test/unit_test.hpp>

#include "test_util.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>
#include <vector>

namespace millio = boost::millio;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

namespace {

struct runner
{
    millio::event_loop& loop;
    std::thread t;
    explicit runner(millio::event_loop& l) : loop(l), t([this]{ loop.run(); }) {}
    ~runner() { loop.stop(); t.join(); }
};

// Waits until pred() holds or the time is up; returns pred().
template<class Pred>
bool eventually(Pred pred, std::chrono::milliseconds limit = 10s)
{
    auto const end = clock_type::now() + limit;
    while(!pred())
    {
        if(clock_type::now() > end)
            return false;
        std::this_thread::yield();
    }
    return true;
}

// Runs f on a helper thread and waits for it at most `limit`. On timeout
// the thread is left behind (it is deadlocked) and false is returned.
template<class F>
bool finishes_within(F f, std::chrono::milliseconds limit = 10s)
{
    auto done = std::make_shared<test::latch>();
    std::thread t([f, done]() mutable { f(); done->count_down(); });
    if(!done->wait_for(limit))
    {
        t.detach();
        return false;
    }
    t.join();
    return true;
}

// Cancels another timer of the loop from its destructor (plain RAII).
struct cancels_on_destroy
{
    millio::event_loop* loop;
    millio::timer_id other;
    std::atomic<int>* destroyed;
    std::atomic<int>* cancelled_other;

    cancels_on_destroy(millio::event_loop* l, millio::timer_id o,
        std::atomic<int>* d, std::atomic<int>* c) noexcept
        : loop(l), other(o), destroyed(d), cancelled_other(c)
    {
    }

    cancels_on_destroy(cancels_on_destroy const&) = delete;

    ~cancels_on_destroy()
    {
        if(loop->cancel_timer(other))
            ++*cancelled_other;
        ++*destroyed;
    }
};

// Spins until the steady clock passes `t` (no timer involved).
void busy_until(clock_type::time_point t)
{
    while(clock_type::now() < t)
        std::this_thread::yield();
}

} // namespace

// The test cases (data test cases are classes) capture the helpers of the
// anonymous namespace: they are there too (-Wsubobject-linkage).
namespace {

BOOST_AUTO_TEST_SUITE(timers)

BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(120))
BOOST_DATA_TEST_CASE(fire_in_deadline_order_never_early, test::configs_dataset(), cfg)
{
    millio::event_loop loop(cfg.options(1)); // one worker: firing order is run order
    runner r(loop);
    std::mutex m;
    std::vector<int> order;
    std::atomic<int> early{0};
    test::latch all(40);
    // Deadlines 1 ms apart from one base, in a random order: the
    // deadlines the loop computes (delay plus the time of the
    // call) have this order unless one call takes 1 ms, and the
    // first is due after the calls unless they take 20 ms.
    std::mt19937 rng(42);
    std::vector<int> delays;
    for(int i = 0; i < 60; ++i)
        delays.push_back(20000 + i * 1000); // in µs
    std::shuffle(delays.begin(), delays.end(), rng);
    delays.resize(40);
    auto const base = clock_type::now();
    for(int i = 0; i < 40; ++i)
    {
        auto const deadline = base + std::chrono::microseconds(delays[i]);
        loop.run_after(deadline - clock_type::now(), [&, i, deadline] {
            if(clock_type::now() < deadline)
                ++early;
            std::lock_guard<std::mutex> lk(m);
            order.push_back(delays[i]);
            all.count_down();
        });
    }
    BOOST_TEST(all.wait_for(10s));
    BOOST_TEST(early == 0);
    std::lock_guard<std::mutex> lk(m);
    std::ostringstream os;
    for(int d : order)
        os << ' ' << d;
    BOOST_TEST(std::is_sorted(order.begin(), order.end()), "order (delays in us):" << os.str());
    BOOST_TEST(loop.pending_timers() == 0u);
}

// Lateness of 200 timers due 0.5 ms to 300 ms from now: p99 under 2 ms.
// The machines running this suite are shared, so the same deadlines are
// also awaited by a plain thread with sleep_until in the same run, and
// the bound applies to what the loop adds over that control: on an idle
// machine the control is late by microseconds and the bound is 2 ms. A
// run is repeated (at most three, each reported) if it misses. No timer
// may ever fire early.
BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(120))
BOOST_DATA_TEST_CASE(lateness_on_idle_loop, test::configs_dataset(), cfg)
{
    auto p99_of = [](std::vector<double> v) {
        std::sort(v.begin(), v.end());
        return v[v.size() * 99 / 100];
    };
    double best_excess = 1e300;
    for(int attempt = 0; attempt < 3 && !(best_excess < 2000.0); ++attempt)
    {
        millio::event_loop loop(cfg.options(2));
        runner r(loop);
        int const n = 200;
        std::vector<double> late_us(n, -1), control_us(n, -1);
        std::vector<clock_type::time_point> deadlines(n);
        test::latch all(n);
        auto const base = clock_type::now();
        for(int i = 0; i < n; ++i)
        {
            deadlines[i] = base + std::chrono::microseconds(500 + i * 1500);
            auto const deadline = deadlines[i];
            loop.run_after(deadline - clock_type::now(), [&, i, deadline] {
                late_us[i] = std::chrono::duration<double, std::micro>(
                    clock_type::now() - deadline).count();
                all.count_down();
            });
        }
        std::thread control([&] {
            for(int i = 0; i < n; ++i)
            {
                // until the deadline has passed: sleep_until may return
                // before it (for a steady clock libstdc++ sleeps once, and
                // mingw-w64's sleeps are whole milliseconds rounded down)
                while(clock_type::now() < deadlines[i])
                    std::this_thread::sleep_until(deadlines[i]);
                control_us[i] = std::chrono::duration<double, std::micro>(
                    clock_type::now() - deadlines[i]).count();
            }
        });
        BOOST_TEST(all.wait_for(30s));
        control.join();
        BOOST_TEST(*std::min_element(late_us.begin(), late_us.end()) >= 0.0);
        std::vector<double> sorted = late_us;
        std::sort(sorted.begin(), sorted.end());
        double const p99 = p99_of(late_us), control_p99 = p99_of(control_us);
        BOOST_TEST_MESSAGE(cfg.name() << ": timer lateness p50 " << sorted[n / 2]
            << " us, p99 " << p99 << " us; sleep_until control p99 " << control_p99
            << " us (run " << attempt + 1 << ")");
        best_excess = std::min(best_excess, p99 - std::max(0.0, control_p99));
    }
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
    // sanitizers slow every wake-up by an unrelated factor
    BOOST_TEST(best_excess < 2000.0);
#endif
}

BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(300))
BOOST_DATA_TEST_CASE(cancel_versus_fire_races, test::configs_dataset(), cfg)
{
    bool const main_config = cfg.name() == test::all_configs().front().name();
    std::size_t const attempts = static_cast<std::size_t>(
        (main_config ? 10000 : 2500) * test::scale());
    millio::event_loop loop(cfg.options(2));
    runner r(loop);
    std::vector<std::atomic<int>> runs(attempts);
    std::vector<char> cancelled(attempts, 0);
    std::mt19937 rng(7);
    std::size_t expected_runs = 0;
    for(std::size_t i = 0; i < attempts; ++i)
    {
        // half the timers are due long after the cancel (1 s: a
        // loaded machine stalls a thread for 200 ms at times):
        // those must never run; the other half race with it
        bool is_far = (rng() & 1) != 0;
        auto delay = is_far ? std::chrono::microseconds(1000000 + rng() % 1000)
                         : std::chrono::microseconds(rng() % 300);
        auto const added = clock_type::now();
        auto id = loop.run_after(delay, [&runs, i] { ++runs[i]; });
        auto const until = clock_type::now() + std::chrono::microseconds(rng() % 300);
        while(clock_type::now() < until) {}
        cancelled[i] = loop.cancel_timer(id) ? 1 : 0;
        double const ms = std::chrono::duration<double, std::milli>(
            clock_type::now() - added).count();
        if(is_far)
            BOOST_TEST(cancelled[i] == 1, "far timer " << i << " cancelled "
                << ms << " ms after it was added; runs " << runs[i].load());
        if(!cancelled[i])
        {
            ++expected_runs;
            BOOST_TEST(!loop.cancel_timer(id)); // not pending any more
        }
    }
    auto total = [&] {
        std::size_t s = 0;
        for(auto& x : runs) s += static_cast<std::size_t>(x.load());
        return s;
    };
    BOOST_TEST(eventually([&] { return total() >= expected_runs; }));
    // wait past every far deadline: nothing cancelled may run
    test::latch sentinel;
    loop.run_after(1050ms, [&] { sentinel.count_down(); });
    BOOST_TEST(sentinel.wait_for(10s));
    std::size_t wrong = 0;
    for(std::size_t i = 0; i < attempts; ++i)
        if(runs[i].load() != (cancelled[i] ? 0 : 1))
            ++wrong;
    BOOST_TEST(wrong == 0u);
    BOOST_TEST(total() == expected_runs);
    BOOST_TEST_MESSAGE(cfg.name() << ": " << attempts << " attempts, "
        << attempts - expected_runs << " cancelled, " << expected_runs << " fired");
}

BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(120))
BOOST_DATA_TEST_CASE(periodic_timer, test::configs_dataset(), cfg)
{
    millio::event_loop loop(cfg.options(2));
    runner r(loop);
    std::atomic<int> count{0};
    std::atomic<int> inside{0};
    std::atomic<bool> overlap{false};
    std::vector<clock_type::time_point> times;
    std::mutex m;
    auto const start = clock_type::now();
    auto id = loop.run_every(5ms, [&] {
        if(inside.fetch_add(1) != 0)
            overlap = true;
        {
            std::lock_guard<std::mutex> lk(m);
            times.push_back(clock_type::now());
        }
        ++count;
        inside.fetch_sub(1);
    });
    BOOST_TEST(eventually([&] { return count.load() >= 20; }));
    BOOST_TEST(loop.cancel_timer(id));
    int const at_cancel = count.load();
    // the delay under test: three more periods pass
    std::this_thread::sleep_for(15ms);
    BOOST_TEST(count.load() <= at_cancel + 1); // one may have been running
    int const after = count.load();
    std::this_thread::sleep_for(15ms);
    BOOST_TEST(count.load() == after);
    BOOST_TEST(!overlap);
    std::lock_guard<std::mutex> lk(m);
    // the k-th run is no earlier than k periods after the start
    for(std::size_t k = 0; k < times.size(); ++k)
        BOOST_TEST((times[k] - start >= std::chrono::milliseconds(5 * (k + 1))));
    BOOST_TEST(!loop.cancel_timer(id));
}

BOOST_AUTO_TEST_CASE(hundred_thousand_timers, *boost::unit_test::timeout(300))
{
    std::size_t const n = static_cast<std::size_t>(100000 * test::scale());
    millio::event_loop loop(2, 1024, 150ms);
    std::vector<std::atomic<int>> runs(n);
    std::vector<millio::timer_id> ids(n);
    std::mt19937 rng(3);
    auto const t0 = clock_type::now();
    for(std::size_t i = 0; i < n; ++i)
        ids[i] = loop.run_after(std::chrono::microseconds(50000 + rng() % 100000), [&runs, i] { ++runs[i]; });
    auto const t1 = clock_type::now();
    BOOST_TEST(loop.pending_timers() == n);
    std::size_t cancelled = 0;
    for(std::size_t i = 0; i < n; i += 2)
        cancelled += loop.cancel_timer(ids[i]) ? 1 : 0;
    auto const t2 = clock_type::now();
    BOOST_TEST(cancelled == (n + 1) / 2);
    double const insert_ms = std::chrono::duration<double, std::milli>(t1 - t0).count();
    double const cancel_ms = std::chrono::duration<double, std::milli>(t2 - t1).count();
    BOOST_TEST_MESSAGE(n << " timers: insert " << insert_ms << " ms, cancel half " << cancel_ms << " ms");
    runner r(loop);
    BOOST_TEST(eventually([&] { return loop.pending_timers() == 0; }, 30s));
    auto total = [&] {
        std::size_t s = 0;
        for(auto& x : runs) s += static_cast<std::size_t>(x.load());
        return s;
    };
    BOOST_TEST(eventually([&] { return total() == n / 2; }, 30s));
    for(std::size_t i = 0; i < n; ++i)
        BOOST_TEST_REQUIRE(runs[i].load() == (i % 2 ? 1 : 0));
}

BOOST_AUTO_TEST_CASE(invalid_timers, *boost::unit_test::timeout(30))
{
    millio::event_loop loop(1, 16, 100ms);
    millio::error_code ec;
    auto id = loop.run_every(0ms, [] {}, ec);
    BOOST_TEST(ec == millio::error::invalid_argument);
    BOOST_TEST(!id);
    BOOST_CHECK_THROW(loop.run_every(-5ms, [] {}), millio::system_error);
    loop.run_after(1ms, std::function<void()>(), ec);
    BOOST_TEST(ec == millio::error::invalid_argument);
    loop.run_after(std::chrono::duration<double>(std::nan("")), [] {}, ec);
    BOOST_TEST(ec == millio::error::invalid_argument);
    loop.run_every(std::chrono::duration<double>(std::nan("")), [] {}, ec);
    BOOST_TEST(ec == millio::error::invalid_argument);
    void (*null_fn)() = nullptr;
    loop.run_after(1ms, null_fn, ec);
    BOOST_TEST(ec == millio::error::invalid_argument);
    auto ok = loop.run_after(1h, [] {}, ec);
    BOOST_TEST(!ec);
    BOOST_TEST(loop.cancel_timer(ok));
    BOOST_TEST(!loop.cancel_timer(millio::timer_id()));
    BOOST_TEST(!loop.cancel_timer(millio::timer_id(12345)));
    BOOST_TEST(loop.pending_timers() == 0u);
}

BOOST_AUTO_TEST_CASE(timer_exception_reaches_handler, *boost::unit_test::timeout(30))
{
    millio::event_loop loop(1, 16, 100ms);
    std::atomic<int> reported{0};
    loop.set_exception_handler([&](std::exception_ptr) { ++reported; });
    test::latch after;
    loop.run_after(1ms, [] { throw std::runtime_error("timer"); });
    loop.run_after(5ms, [&] { after.count_down(); });
    runner r(loop);
    BOOST_TEST(after.wait_for(5s));
    BOOST_TEST(eventually([&] { return reported.load() == 1; }));
}

// A periodic timer whose callback is running is not in the heap; creating
// and cancelling many other timers meanwhile must not put it back (which
// made it fire twice per period, two invocations overlapping).
BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(120))
BOOST_DATA_TEST_CASE(periodic_never_overlaps_while_others_cancel, test::configs_dataset(), cfg)
{
    millio::event_loop loop(cfg.options(2));
    runner r(loop);
    auto const period = 40ms;
    std::atomic<int> inside{0}, overlaps{0}, count{0};
    std::mutex m;
    std::vector<clock_type::time_point> times;
    test::latch entered, others_done;
    auto const start = clock_type::now();
    auto id = loop.run_every(period, [&] {
        if(inside.fetch_add(1) != 0)
            ++overlaps;
        {
            std::lock_guard<std::mutex> lk(m);
            times.push_back(clock_type::now());
        }
        if(++count == 1)
        {
            entered.count_down();
            others_done.wait_for(10s);
        }
        inside.fetch_sub(1);
    });
    BOOST_TEST_REQUIRE(entered.wait_for(10s));
    // while the first invocation runs
    std::vector<millio::timer_id> ids;
    for(int i = 0; i < 300; ++i)
        ids.push_back(loop.run_after(10s, [] {}));
    for(auto x : ids)
        BOOST_TEST(loop.cancel_timer(x));
    if(cfg.mode == millio::dispatch_mode::pool)
    {
        // let the loop poll once more while the invocation runs
        test::latch polled;
        loop.run_after(0ms, [&] { polled.count_down(); });
        BOOST_TEST(polled.wait_for(10s));
    }
    others_done.count_down();
    BOOST_TEST(eventually([&] { return count.load() >= 4; }));
    BOOST_TEST(loop.cancel_timer(id));
    BOOST_TEST(eventually([&] { return inside.load() == 0; }));
    BOOST_TEST(overlaps.load() == 0);
    std::lock_guard<std::mutex> lk(m);
    // the k-th run is no earlier than k periods after the start
    for(std::size_t k = 0; k < times.size(); ++k)
        BOOST_TEST((times[k] - start >= period * (k + 1)), "run " << k);
}

// Delays and periods too long to represent never fire (the deadline
// saturates), whatever their unit and representation.
BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(60))
BOOST_DATA_TEST_CASE(huge_delays_never_fire, test::configs_dataset(), cfg)
{
    using years300 = std::chrono::hours;
    millio::event_loop loop(cfg.options(2));
    runner r(loop);
    std::atomic<int> fired{0};
    auto f = [&] { ++fired; };
    std::vector<millio::timer_id> ids;
    millio::error_code ec;
    auto check = [&](millio::timer_id id) {
        BOOST_TEST(!ec);
        BOOST_TEST(!!id);
        ids.push_back(id);
    };
    check(loop.run_after(std::chrono::nanoseconds::max(), f, ec));
    check(loop.run_after(years300(24 * 365 * 300), f, ec));
    check(loop.run_every(years300(24 * 365 * 200), f, ec));
    check(loop.run_after(std::chrono::hours::max(), f, ec));
    check(loop.run_every(std::chrono::hours::max(), f, ec));
    check(loop.run_after(std::chrono::milliseconds::max(), f, ec));
    check(loop.run_every(std::chrono::seconds::max(), f, ec));
    check(loop.run_after(std::chrono::duration<double>(1e300), f, ec));
    check(loop.run_every(std::chrono::duration<double, std::ratio<3600>>(1e30), f, ec));
    test::latch sentinel;
    loop.run_after(30ms, [&] { sentinel.count_down(); });
    BOOST_TEST(sentinel.wait_for(10s));
    BOOST_TEST(fired.load() == 0);
    BOOST_TEST(loop.pending_timers() == ids.size());
    for(auto id : ids)
        BOOST_TEST(loop.cancel_timer(id));
    BOOST_TEST(loop.pending_timers() == 0u);
    // the most negative delays mean "as soon as possible"
    test::latch soon(2);
    loop.run_after(std::chrono::nanoseconds::min(), [&] { soon.count_down(); });
    loop.run_after(std::chrono::hours::min(), [&] { soon.count_down(); });
    BOOST_TEST(soon.wait_for(10s));
}

// A firing collected but not yet started (queued behind a callback that
// blocks) can still be cancelled: cancel returns true and it never runs.
BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(60))
BOOST_DATA_TEST_CASE(cancel_firing_that_has_not_started, test::configs_dataset(), cfg)
{
    millio::event_loop loop(cfg.options(1)); // one thread runs the firings
    test::latch entered, release;
    std::atomic<int> once_runs{0}, periodic_runs{0};
    loop.run_after(0ms, [&] { entered.count_down(); release.wait_for(10s); });
    auto const t0 = clock_type::now();
    auto once = loop.run_after(1ms, [&] { ++once_runs; });
    auto every = loop.run_every(2ms, [&] { ++periodic_runs; });
    busy_until(t0 + 3ms); // all three are due at the loop's first pass
    runner r(loop);
    BOOST_TEST_REQUIRE(entered.wait_for(10s));
    // a one-shot timer that is due no longer counts
    BOOST_TEST(loop.pending_timers() == 1u);
    BOOST_TEST(loop.cancel_timer(once));
    BOOST_TEST(!loop.cancel_timer(once));
    BOOST_TEST(loop.cancel_timer(every));
    BOOST_TEST(!loop.cancel_timer(every));
    BOOST_TEST(loop.pending_timers() == 0u);
    release.count_down();
    test::latch sentinel;
    loop.run_after(10ms, [&] { sentinel.count_down(); });
    BOOST_TEST(sentinel.wait_for(10s));
    BOOST_TEST(once_runs.load() == 0);
    BOOST_TEST(periodic_runs.load() == 0);
}

// No lock of the loop is held while a timer's callable is destroyed: a
// captured object whose destructor cancels another timer must not
// deadlock, on every path that drops a callable.
BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(120))
BOOST_DATA_TEST_CASE(callable_destructor_may_cancel_timers, test::configs_dataset(), cfg)
{
    auto loop = std::make_unique<millio::event_loop>(cfg.options(2));
    millio::event_loop* lp = loop.get();
    std::atomic<int> destroyed{0}, cancelled_other{0};
    auto guard_for = [&](millio::timer_id other) {
        return std::make_shared<cancels_on_destroy>(
            lp, other, &destroyed, &cancelled_other);
    };

    // 1. cancel_timer of a pending timer
    auto other1 = lp->run_after(10s, [] {});
    auto t1 = lp->run_after(10s, [g = guard_for(other1)] {});
    bool ok = false;
    if(!finishes_within([&] { ok = lp->cancel_timer(t1); }))
    {
        BOOST_ERROR("cancel_timer deadlocked in the callable's destructor");
        (void)loop.release(); // its threads are stuck: leave it
        return;
    }
    BOOST_TEST(ok);
    BOOST_TEST(destroyed.load() == 1);
    BOOST_TEST(cancelled_other.load() == 1);

    std::thread runner_thread([lp] { lp->run(); });

    // 2. a one-shot timer after it ran
    auto other2 = lp->run_after(10s, [] {});
    lp->run_after(1ms, [g = guard_for(other2)] {});
    BOOST_TEST(eventually([&] { return destroyed.load() == 2; }));
    BOOST_TEST(eventually([&] { return cancelled_other.load() == 2; }));

    // 3. a periodic timer cancelled by its own callback
    auto other3 = lp->run_after(10s, [] {});
    auto self = std::make_shared<std::atomic<std::uint64_t>>(0);
    auto t3 = lp->run_every(1ms, [lp, self, g = guard_for(other3)] {
        while(self->load() == 0) {}
        lp->cancel_timer(millio::timer_id(self->load()));
    });
    self->store(t3.value());
    BOOST_TEST(eventually([&] { return destroyed.load() == 3; }));
    BOOST_TEST(eventually([&] { return cancelled_other.load() == 3; }));

    // 4. the loop's destruction: a pending timer, and a firing
    // that is queued and destroyed without running. The loop is
    // restarted with every firing due at its first pass: two
    // blockers occupy the threads that run firings (one in the
    // direct mode) until the destruction began.
    lp->stop();
    runner_thread.join();
    auto other4 = lp->run_after(10s, [] {});
    lp->run_after(10s, [g = guard_for(other4)] {});
    test::latch entered;
    auto blocker = [lp, &entered] {
        entered.count_down();
        eventually([lp] { return boost::millio::detail::access::reactor(*lp).is_shut_down(); });
    };
    auto const t0 = clock_type::now();
    lp->run_after(0us, blocker);
    lp->run_after(1us, blocker);
    auto other5 = lp->run_after(10s, [] {});
    lp->run_after(2us, [g = guard_for(other5)] {});
    busy_until(t0 + 1ms);
    // run() fails with error::shut_down if the destruction below
    // begins first (a firing may run before run() is entered)
    runner_thread = std::thread([lp] { millio::error_code ec; lp->run(ec); });
    BOOST_TEST(entered.wait_for(10s));
    bool const done = finishes_within([&] { loop.reset(); });
    if(!done)
    {
        BOOST_ERROR("destroying the loop deadlocked");
        runner_thread.detach();
        return;
    }
    runner_thread.join();
    BOOST_TEST(destroyed.load() == 5);
}

// Identifiers stay unique while the storage of timers is reused.
BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(60))
BOOST_DATA_TEST_CASE(timer_ids_are_not_reused, test::configs_dataset(), cfg)
{
    millio::event_loop loop(cfg.options(2));
    runner r(loop);
    std::vector<millio::timer_id> old;
    for(int i = 0; i < 200; ++i)
    {
        test::latch fired;
        old.push_back(loop.run_after(0ms, [&] { fired.count_down(); }));
        BOOST_TEST_REQUIRE(fired.wait_for(10s));
        BOOST_TEST(eventually([&] { return loop.pending_timers() == 0; }));
        old.push_back(loop.run_after(10s, [] {}));
        BOOST_TEST(loop.cancel_timer(old.back()));
    }
    auto live = loop.run_after(10s, [] {});
    for(auto id : old)
    {
        BOOST_TEST(id.value() != live.value());
        BOOST_TEST(!loop.cancel_timer(id));
    }
    BOOST_TEST(loop.pending_timers() == 1u);
    BOOST_TEST(loop.cancel_timer(live));
    std::vector<std::uint64_t> v;
    for(auto id : old)
        v.push_back(id.value());
    std::sort(v.begin(), v.end());
    BOOST_TEST((std::adjacent_find(v.begin(), v.end()) == v.end()));
}

// Callables are moved into the timer: move-only ones work, and so do
// ones too large for the timer's inline storage. Each is destroyed once.
BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(60))
BOOST_DATA_TEST_CASE(move_only_and_large_callables, test::configs_dataset(), cfg)
{
    auto alive = std::make_shared<int>(0);
    {
        millio::event_loop loop(cfg.options(2));
        runner r(loop);
        test::latch ran(3);
        std::atomic<int> sum{0};
        loop.run_after(1ms, [p = std::make_unique<int>(7), &sum, &ran, alive] {
            sum += *p;
            ran.count_down();
        });
        std::array<int, 64> big{};
        big[63] = 11;
        loop.run_after(1ms, [big, &sum, &ran, alive] {
            sum += big[63];
            ran.count_down();
        });
        std::atomic<int> ticks{0};
        auto every = loop.run_every(1ms, [big, &ticks, &ran, alive] {
            (void)big; // captured for its size
            if(++ticks == 3)
                ran.count_down();
        });
        loop.run_after(10s, [big, alive] { (void)big; });   // destroyed with the loop
        loop.run_after(10s, [p = std::make_unique<int>(1), alive] {});
        BOOST_TEST(ran.wait_for(10s));
        BOOST_TEST(sum.load() == 18);
        BOOST_TEST(loop.cancel_timer(every));
        BOOST_TEST(eventually([&] { return alive.use_count() == 3; }));
    }
    BOOST_TEST(alive.use_count() == 1);
}

// A periodic timer whose callback throws keeps firing; each exception
// reaches the handler.
BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(60))
BOOST_DATA_TEST_CASE(periodic_timer_survives_exceptions, test::configs_dataset(), cfg)
{
    millio::event_loop loop(cfg.options(2));
    std::atomic<int> reported{0}, calls{0};
    loop.set_exception_handler([&](std::exception_ptr) { ++reported; });
    runner r(loop);
    auto id = loop.run_every(1ms, [&] {
        ++calls;
        throw std::runtime_error("tick");
    });
    BOOST_TEST(eventually([&] { return reported.load() >= 3; }));
    BOOST_TEST(loop.cancel_timer(id));
    BOOST_TEST(eventually([&] { return reported.load() == calls.load(); }));
}

// Periodic timers cancelled at random times, from another thread and
// from their own callbacks, while others are created. After a cancel
// returned true, at most one more invocation runs: the one that had
// started, which the caller cannot tell from one that has not (no
// implementation that does not block can: the invocation starts before
// the callable's first instruction). The invocations of a timer never
// overlap, and every callable is destroyed once.
BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(300))
BOOST_DATA_TEST_CASE(periodic_cancel_races, test::configs_dataset(), cfg)
{
    struct probe
    {
        std::atomic<int> inside{0};
        std::atomic<int> overlaps{0};
        std::atomic<int> runs{0};
        std::atomic<int> runs_at_cancel{-1};
        std::atomic<std::uint64_t> id{0};
    };
    std::size_t const n = static_cast<std::size_t>(2000 * test::scale());
    std::vector<probe> probes(n);
    auto alive = std::make_shared<int>(0);
    {
        millio::event_loop loop(cfg.options(2));
        runner r(loop);
        std::mt19937 rng(11);
        for(std::size_t i = 0; i < n; ++i)
        {
            probe& p = probes[i];
            bool const self_cancel = rng() % 4 == 0;
            auto id = loop.run_every(std::chrono::microseconds(50 + rng() % 200),
                [&p, &loop, self_cancel, alive] {
                    if(p.inside.fetch_add(1) != 0)
                        ++p.overlaps;
                    int const k = ++p.runs;
                    if(k == 3 && self_cancel)
                    {
                        std::uint64_t v;
                        while((v = p.id.load()) == 0) {}
                        if(loop.cancel_timer(millio::timer_id(v)))
                            p.runs_at_cancel.store(k);
                    }
                    p.inside.fetch_sub(1);
                });
            p.id.store(id.value());
            // cancel an earlier one, at a random point of its life
            // (after a few runs: a cancel races with firings)
            probe& q = probes[rng() % (i + 1)];
            if(self_cancel || q.runs_at_cancel.load() >= 0 || q.id.load() == 0)
                continue;
            int const after = static_cast<int>(rng() % 3);
            eventually([&] { return q.runs.load() >= after || q.runs_at_cancel.load() >= 0; });
            if(loop.cancel_timer(millio::timer_id(q.id.load())))
                q.runs_at_cancel.store(q.runs.load());
        }
        // cancel the rest
        for(auto& p : probes)
            if(p.runs_at_cancel.load() < 0 && loop.cancel_timer(millio::timer_id(p.id.load())))
                p.runs_at_cancel.store(p.runs.load());
        BOOST_TEST(eventually([&] { return loop.pending_timers() == 0; }));
        // every callable destroyed: no invocation is left
        BOOST_TEST(eventually([&] { return alive.use_count() == 1; }));
        // and a few periods more, nothing starts
        test::latch sentinel;
        loop.run_after(2ms, [&] { sentinel.count_down(); });
        BOOST_TEST(sentinel.wait_for(10s));
    }
    std::size_t overlaps = 0, more = 0, never_cancelled = 0, runs = 0;
    for(auto& p : probes)
    {
        runs += static_cast<std::size_t>(p.runs.load());
        overlaps += static_cast<std::size_t>(p.overlaps.load());
        if(p.runs_at_cancel.load() < 0)
            ++never_cancelled;
        else if(p.runs.load() > p.runs_at_cancel.load() + 1)
            ++more;
    }
    BOOST_TEST_MESSAGE(cfg.name() << ": " << n << " periodic timers, " << runs << " runs");
    BOOST_TEST(runs >= n / 2);
    BOOST_TEST(overlaps == 0u);
    BOOST_TEST(more == 0u);
    BOOST_TEST(never_cancelled == 0u);
    BOOST_TEST(alive.use_count() == 1);
}

// Threads add and cancel one-shot timers at once while the loop runs (an
// add that finds the queue busy goes through the incoming stack): each
// timer runs exactly once, unless its cancel returned true, then never.
BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(300))
BOOST_DATA_TEST_CASE(concurrent_adders_and_cancels, test::configs_dataset(), cfg)
{
    std::size_t const per = static_cast<std::size_t>(5000 * test::scale());
    std::size_t const threads = 3;
    std::vector<std::atomic<int>> runs(threads * per);
    std::vector<char> cancelled(threads * per, 0);
    {
        millio::event_loop loop(cfg.options(2));
        runner r(loop);
        auto adder = [&](std::size_t k) {
            std::mt19937 rng(static_cast<unsigned>(k + 1));
            std::vector<std::pair<millio::timer_id, std::size_t>> ids;
            for(std::size_t j = 0; j < per; ++j)
            {
                std::size_t const x = k * per + j;
                ids.emplace_back(loop.run_after(std::chrono::microseconds(rng() % 500),
                    [&runs, x] { ++runs[x]; }), x);
                if(rng() % 2)
                {
                    auto const& pick = ids[rng() % ids.size()];
                    if(!cancelled[pick.second] && loop.cancel_timer(pick.first))
                        cancelled[pick.second] = 1;
                }
            }
        };
        std::vector<std::thread> ts;
        for(std::size_t k = 1; k < threads; ++k)
            ts.emplace_back(adder, k);
        adder(0);
        for(auto& t : ts)
            t.join();
        BOOST_TEST(eventually([&] { return loop.pending_timers() == 0; }));
        std::size_t expected = 0;
        for(char c : cancelled)
            expected += c ? 0 : 1;
        BOOST_TEST(eventually([&] {
            std::size_t s = 0;
            for(auto& x : runs)
                s += static_cast<std::size_t>(x.load());
            return s == expected;
        }));
    }
    std::size_t wrong = 0;
    for(std::size_t i = 0; i < runs.size(); ++i)
        if(runs[i].load() != (cancelled[i] ? 0 : 1))
            ++wrong;
    BOOST_TEST(wrong == 0u);
}

BOOST_AUTO_TEST_SUITE_END()

} // (anon)
