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

#include <boost/asio/post.hpp>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <memory>
#include <optional>
#include <thread>

#if defined(_WIN32)

/*  Windows: the signals of the C runtime, raised with raise(), and the
    events of the console control handler (Ctrl+C, Ctrl+Break). What the POSIX tests below check with kill(),
    SIGUSR1/SIGUSR2, sigaction() and an interposed write() has no
    equivalent there; the behaviour they cover is checked here with
    SIGINT, SIGBREAK and SIGTERM.
*/

namespace millio = boost::millio;
using namespace std::chrono_literals;

namespace {

std::atomic<int> previous_calls{0};

extern "C" void previous_handler(int)
{
    ++previous_calls;
}

} // (anon)

// The test cases (data test cases are classes) capture the helpers of the
// anonymous namespace: they are there too (-Wsubobject-linkage).
namespace {

BOOST_AUTO_TEST_SUITE(signal_set)

BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(60))
BOOST_DATA_TEST_CASE(raise_stops_the_loop, test::configs_dataset(), cfg)
{
    millio::event_loop loop(cfg.options());
    millio::signal_set sigs(loop, {SIGTERM, SIGBREAK});
    sigs.stop_loop_on_signal();
    std::atomic<bool> returned{false};
    std::thread t([&]{ loop.run(); returned = true; });
    BOOST_REQUIRE(std::raise(SIGTERM) == 0);
    t.join();
    BOOST_TEST(returned);
    BOOST_TEST(sigs.count() == 1u);
}

BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(60))
BOOST_DATA_TEST_CASE(handler_sees_signal_number, test::configs_dataset(), cfg)
{
    millio::event_loop loop(cfg.options());
    millio::signal_set sigs(loop, {SIGINT, SIGBREAK});
    std::atomic<int> got_int{0}, got_break{0}, overlap{0}, inside{0};
    test::latch all(4);
    sigs.on_signal([&](int s) {
        if(inside.fetch_add(1) != 0)
            ++overlap;
        if(s == SIGINT) ++got_int;
        if(s == SIGBREAK) ++got_break;
        inside.fetch_sub(1);
        all.count_down();
    });
    std::thread t([&]{ loop.run(); });
    // raised from two threads at once: calls never overlap
    std::thread other([]{ std::raise(SIGBREAK); std::raise(SIGBREAK); });
    std::raise(SIGINT);
    std::raise(SIGINT);
    other.join();
    BOOST_TEST(all.wait_for(5s));
    loop.stop();
    t.join();
    BOOST_TEST(got_int == 2);
    BOOST_TEST(got_break == 2);
    BOOST_TEST(overlap == 0);
    BOOST_TEST(sigs.count() == 4u);
}

BOOST_AUTO_TEST_CASE(one_owner_per_signal_and_restore, *boost::unit_test::timeout(60))
{
    millio::event_loop loop(1, 16, 100ms);
    auto const before = std::signal(SIGBREAK, &previous_handler);
    {
        millio::signal_set a(loop, {SIGBREAK});
        millio::error_code ec;
        millio::signal_set b(loop, {SIGBREAK}, ec);
        BOOST_TEST(ec == boost::system::errc::device_or_resource_busy);
        BOOST_CHECK_THROW(millio::signal_set(loop, {SIGBREAK}), millio::system_error);
        millio::signal_set c(loop, {0}, ec);
        BOOST_TEST(ec == boost::system::errc::invalid_argument);
        // not a signal of the C runtime
        millio::signal_set d(loop, {SIGINT, 5}, ec);
        BOOST_TEST(ec == boost::system::errc::invalid_argument);
    }
    // the previous handler is back: a raise reaches it
    previous_calls = 0;
    BOOST_REQUIRE(std::raise(SIGBREAK) == 0);
    BOOST_TEST(previous_calls == 1);
    // SIGINT was released by the failed set: free again
    millio::signal_set e(loop, {SIGINT, SIGBREAK});
    std::signal(SIGBREAK, before);
}

// Destroying the set from its own callback: later signals must not
// reach the dead set.
BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(60))
BOOST_DATA_TEST_CASE(destroy_from_own_callback, test::configs_dataset(), cfg)
{
    auto prev = std::signal(SIGBREAK, &previous_handler);
    millio::event_loop loop(cfg.options());
    auto sigs = std::make_unique<millio::signal_set>(loop, std::initializer_list<int>{SIGBREAK});
    std::atomic<int> calls{0};
    test::latch first;
    sigs->on_signal([&](int) {
        ++calls;
        sigs.reset();
        first.count_down();
    });
    std::thread t([&]{ loop.run(); });
    BOOST_REQUIRE(std::raise(SIGBREAK) == 0);
    BOOST_TEST(first.wait_for(5s));
    previous_calls = 0;
    BOOST_REQUIRE(std::raise(SIGBREAK) == 0);   // the previous handler's now
    BOOST_TEST(previous_calls == 1);
    // a delivery queued after the destruction would run by now
    test::latch settled;
    boost::asio::post(loop.get_executor(), [&]{ settled.count_down(); });
    BOOST_TEST(settled.wait_for(5s));
    loop.stop();
    t.join();
    BOOST_TEST(calls == 1);
    std::signal(SIGBREAK, prev);
}

// Destroyed from another thread while signals keep coming.
BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(60))
BOOST_DATA_TEST_CASE(destroy_from_other_thread_under_signal_storm, test::configs_dataset(), cfg)
{
    auto prev = std::signal(SIGBREAK, SIG_IGN);
    millio::event_loop loop(cfg.options());
    std::thread t([&]{ loop.run(); });
    for(int round = 0; round < 20; ++round)
    {
        auto sigs = std::make_unique<millio::signal_set>(loop, std::initializer_list<int>{SIGBREAK});
        std::atomic<int> calls{0};
        sigs->on_signal([&](int) { ++calls; });
        std::atomic<bool> stop{false};
        std::thread raiser([&]{
            while(!stop)
                std::raise(SIGBREAK);
        });
        auto const until = std::chrono::steady_clock::now() + 5s;
        while(calls == 0 && std::chrono::steady_clock::now() < until)
            std::this_thread::sleep_for(1ms);
        BOOST_TEST(calls > 0);
        sigs.reset();
        int const after = calls;
        std::this_thread::sleep_for(5ms);
        BOOST_TEST(calls == after);     // nothing once destroyed
        stop = true;
        raiser.join();
    }
    loop.stop();
    t.join();
    std::signal(SIGBREAK, prev);
}

// Ctrl+C and Ctrl+Break of the console (GenerateConsoleCtrlEvent, sent
// to the processes of this console: this one) arrive as SIGINT and
// SIGBREAK through the console control handler; events are
// delivered until the set is destroyed, then handled by the next
// handler (here one of the test's, which ignores them).
namespace {

std::atomic<int> console_fallback_calls{0};

BOOL WINAPI fallback_console_handler(DWORD ctrl)
{
    if(ctrl != CTRL_C_EVENT && ctrl != CTRL_BREAK_EVENT)
        return FALSE;
    ++console_fallback_calls;
    return TRUE;
}

} // (anon)

BOOST_AUTO_TEST_CASE(console_ctrl_events, *boost::unit_test::timeout(60))
{
    // A console to send the events to (the test may run without one).
    if(!::GetConsoleWindow())
        ::AllocConsole();
    // Ctrl+C may be disabled for this process (it is, in a new process
    // group): enable it.
    BOOST_REQUIRE(::SetConsoleCtrlHandler(nullptr, FALSE));
    BOOST_REQUIRE(::SetConsoleCtrlHandler(&fallback_console_handler, TRUE));
    // Wine (8.0) without a terminal has no console whose processes could
    // get an event: said, not failed (nothing of the library is involved
    // yet).
    if(!::GenerateConsoleCtrlEvent(CTRL_BREAK_EVENT, 0))
    {
        BOOST_TEST_MESSAGE("console_ctrl_events: GenerateConsoleCtrlEvent fails here (error "
            << ::GetLastError() << "): the console control events cannot be sent");
        ::SetConsoleCtrlHandler(&fallback_console_handler, FALSE);
        return;
    }
    // that first event reaches the test's handler
    {
        auto const until = std::chrono::steady_clock::now() + 10s;
        while(console_fallback_calls == 0 && std::chrono::steady_clock::now() < until)
            std::this_thread::sleep_for(1ms);
        BOOST_TEST(console_fallback_calls == 1);
    }
    for(auto const& cfg : test::all_configs())
    {
        BOOST_TEST_CONTEXT(cfg.name())
        {
            millio::event_loop loop(cfg.options());
            std::atomic<int> got_int{0}, got_break{0}, got_other{0};
            test::latch both(2);
            std::thread t;
            {
                millio::signal_set sigs(loop, {SIGINT, SIGBREAK, SIGTERM});
                sigs.on_signal([&](int s) {
                    if(s == SIGINT) ++got_int;
                    else if(s == SIGBREAK) ++got_break;
                    else ++got_other;
                    both.count_down();
                });
                t = std::thread([&]{ loop.run(); });
                console_fallback_calls = 0;
                BOOST_REQUIRE(::GenerateConsoleCtrlEvent(CTRL_C_EVENT, 0));
                BOOST_REQUIRE(::GenerateConsoleCtrlEvent(CTRL_BREAK_EVENT, 0));
                BOOST_TEST(both.wait_for(10s));
                BOOST_TEST(got_int == 1);
                BOOST_TEST(got_break == 1);
                BOOST_TEST(got_other == 0);
                BOOST_TEST(sigs.count() == 2u);
                BOOST_TEST(console_fallback_calls == 0);
            }
            // the set is gone: the next handler gets the event
            BOOST_REQUIRE(::GenerateConsoleCtrlEvent(CTRL_BREAK_EVENT, 0));
            auto const until = std::chrono::steady_clock::now() + 10s;
            while(console_fallback_calls == 0 && std::chrono::steady_clock::now() < until)
                std::this_thread::sleep_for(1ms);
            BOOST_TEST(console_fallback_calls == 1);
            BOOST_TEST(got_break == 1);
            loop.stop();
            t.join();
        }
    }
    ::SetConsoleCtrlHandler(&fallback_console_handler, FALSE);
}

MILLIO_TEST_NOT_ON_THIS_PLATFORM(kill_stops_the_loop, "kill() and SIGTERM from another process")
MILLIO_TEST_NOT_ON_THIS_PLATFORM(destroy_waits_for_signal_handler_in_flight,
    "interposes write(), which the POSIX signal handler uses")
MILLIO_TEST_NOT_ON_THIS_PLATFORM(previous_disposition_restored, "sigaction() dispositions")

BOOST_AUTO_TEST_SUITE_END()

} // (anon)

#else // POSIX

#include <dlfcn.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

namespace millio = boost::millio;
using namespace std::chrono_literals;

namespace {

// Sets the disposition of a signal for the duration of a test and puts
// back the one found.
struct disposition_guard
{
    int signo;
    struct sigaction saved{};

    disposition_guard(int s, void (*h)(int))
        : signo(s)
    {
        struct sigaction sa{};
        sa.sa_handler = h;
        sigemptyset(&sa.sa_mask);
        ::sigaction(signo, &sa, &saved);
    }

    ~disposition_guard()
    {
        ::sigaction(signo, &saved, nullptr);
    }

    disposition_guard(disposition_guard const&) = delete;
    disposition_guard& operator=(disposition_guard const&) = delete;
};

extern "C" void record_siginfo(int, siginfo_t*, void*) {}

void (*current_handler(int signo))(int)
{
    struct sigaction sa{};
    ::sigaction(signo, nullptr, &sa);
    return sa.sa_handler;
}

// A deadlocked thread cannot be joined or unwound: end the program.
[[noreturn]] void deadlocked(char const* what)
{
    std::fprintf(stderr, "signal_set test: deadlock: %s\n", what);
    std::fflush(stderr);
    std::_Exit(EXIT_FAILURE);
}

// Run `f` on a thread of its own; end the program if it does not
// finish in time.
template<class F>
void run_bounded(char const* what, F f)
{
    test::latch done;
    std::thread t([&]{ f(); done.count_down(); });
    if(!done.wait_for(10s))
        deadlocked(what);
    t.join();
}

// A signal callback whose destruction runs `on_destroy` once the state
// is armed (the first instance destroyed after arming runs it).
struct probe_state
{
    std::atomic<bool> armed{false};
    std::function<void(int)> on_call;
    std::function<void()> on_destroy;
};

struct probe
{
    std::shared_ptr<probe_state> st;

    void operator()(int signo) const
    {
        st->on_call(signo);
    }

    explicit probe(std::shared_ptr<probe_state> s) noexcept
        : st(std::move(s))
    {
    }

    probe(probe const&) = default;
    probe(probe&&) = default;

    ~probe()
    {
        if(st && st->armed.exchange(false))
            st->on_destroy();
    }
};

//------------------------------------------------------------------------------
//
// Fault injection for the operating-system signal handler.
//
// This executable defines write(), so the library's call binds here.
// Writes pass through to the next definition (the C library, or a
// sanitizer's interceptor), except one: once armed, a write made on a
// thread marked with `write_hook_thread` (from the signal handler run
// by its raise()) waits until released. That holds the signal handler
// between loading the pipe's write end and writing to it, which is the
// window a concurrent ~signal_set must respect.
//
//------------------------------------------------------------------------------

using write_fn = ssize_t (*)(int, void const*, std::size_t);

std::atomic<write_fn> real_write_fn{nullptr};
std::atomic<bool> write_hook_armed{false};
std::atomic<bool> write_hook_entered{false};
std::atomic<bool> write_hook_release{false};
std::atomic<long> write_hook_result{0};
std::atomic<int> write_hook_errno{0};
thread_local bool write_hook_thread = false;

write_fn real_write() noexcept
{
    write_fn f = real_write_fn.load(std::memory_order_acquire);
    if(!f)
    {
        f = reinterpret_cast<write_fn>(::dlsym(RTLD_NEXT, "write"));
        real_write_fn.store(f, std::memory_order_release);
    }
    return f;
}

// Resolve before any write can come from a signal handler.
struct resolve_write
{
    resolve_write() { real_write(); }
} const resolve_write_at_startup;

} // (anon)

extern "C"
__attribute__((visibility("default")))
ssize_t write(int fd, void const* buf, std::size_t n)
{
    if(write_hook_thread && write_hook_armed.exchange(false))
    {
        write_hook_entered.store(true);
        while(!write_hook_release.load())
        {
            struct timespec ts{0, 100000};
            ::nanosleep(&ts, nullptr);
        }
        ssize_t r = real_write()(fd, buf, n);
        write_hook_errno.store(r < 0 ? errno : 0);
        write_hook_result.store(static_cast<long>(r));
        return r;
    }
    return real_write()(fd, buf, n);
}

// The test cases (data test cases are classes) capture the helpers of the
// anonymous namespace: they are there too (-Wsubobject-linkage).
namespace {

BOOST_AUTO_TEST_SUITE(signal_set)

BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(60))
BOOST_DATA_TEST_CASE(kill_stops_the_loop, test::configs_dataset(), cfg)
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
        BOOST_TEST(ec == millio::error::signal_in_use);
        BOOST_CHECK_THROW(millio::signal_set(loop, {SIGUSR1}), millio::system_error);
        millio::signal_set c(loop, {0}, ec);
        BOOST_TEST(ec == boost::system::errc::invalid_argument);
        // the library's own error, as everywhere else in the library
        BOOST_TEST(ec == millio::error::invalid_argument);
    }
    struct sigaction after{};
    ::sigaction(SIGUSR1, nullptr, &after);
    BOOST_TEST((after.sa_handler == before.sa_handler));
    // free again
    millio::signal_set d(loop, {SIGUSR1});
}

// SIGKILL and SIGSTOP cannot be caught: a set that names one fails
// (it was accepted silently), and releases the signals it had taken.
BOOST_AUTO_TEST_CASE(uncatchable_signals_are_refused, *boost::unit_test::timeout(60))
{
    millio::event_loop loop(1, 16, 100ms);
    struct sigaction before{};
    ::sigaction(SIGUSR1, nullptr, &before);
    for(int uncatchable : {SIGKILL, SIGSTOP})
    {
        millio::error_code ec;
        millio::signal_set s(loop, {SIGUSR1, uncatchable}, ec);
        BOOST_TEST(ec == millio::error::invalid_argument);
        BOOST_TEST(ec == boost::system::errc::invalid_argument);
        BOOST_TEST(s.count() == 0u);
        BOOST_CHECK_THROW(millio::signal_set(loop, {uncatchable}), millio::system_error);
        // SIGUSR1 is free again, with its previous disposition
        struct sigaction after{};
        ::sigaction(SIGUSR1, nullptr, &after);
        BOOST_TEST((after.sa_handler == before.sa_handler));
        millio::signal_set again(loop, {SIGUSR1}, ec);
        BOOST_TEST(!ec);
    }
    // the failed sets left no registration behind
    std::thread t([&]{ loop.run(); });
    millio::signal_set s(loop, {SIGUSR1});
    std::atomic<int> got{0};
    s.on_signal([&](int) { ++got; loop.stop(); });
    BOOST_REQUIRE(::kill(::getpid(), SIGUSR1) == 0);
    t.join();
    BOOST_TEST(got.load() == 1);
}

// Regression: destroying the set from its own callback (the usual "stop
// listening after the first signal") freed the state that the pipe's
// read loop still used.
BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(60))
BOOST_DATA_TEST_CASE(destroy_from_own_callback, test::configs_dataset(), cfg)
{
    disposition_guard ign(SIGUSR1, SIG_IGN);
    std::atomic<int> calls{0};
    {
        millio::event_loop loop(cfg.options());
        std::optional<millio::signal_set> sigs;
        sigs.emplace(loop, std::initializer_list<int>{SIGUSR1});
        test::latch destroyed;
        sigs->on_signal([&](int) {
            ++calls;
            sigs.reset();
            destroyed.count_down();
        });
        // Two signals before the loop runs: both bytes wait in the
        // pipe, and the second one must not reach the dead set.
        BOOST_REQUIRE(::raise(SIGUSR1) == 0);
        BOOST_REQUIRE(::raise(SIGUSR1) == 0);
        std::thread t([&]{ loop.run(); });
        BOOST_TEST(destroyed.wait_for(10s));
        BOOST_TEST((current_handler(SIGUSR1) == SIG_IGN));
        // ignored now: the set is gone
        BOOST_REQUIRE(::raise(SIGUSR1) == 0);
        loop.stop();
        t.join();
    }
    // the loop's destructor joined its workers: nothing runs any more
    BOOST_TEST(calls == 1);
}

// Regression: ~signal_set closed the pipe while the signal handler, on
// another thread, had loaded its write end and was about to write().
BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(60))
BOOST_DATA_TEST_CASE(destroy_waits_for_signal_handler_in_flight, test::configs_dataset(), cfg)
{
    disposition_guard ign(SIGUSR1, SIG_IGN);
    millio::event_loop loop(cfg.options());
    std::optional<millio::signal_set> sigs;
    sigs.emplace(loop, std::initializer_list<int>{SIGUSR1});

    write_hook_entered = false;
    write_hook_release = false;
    write_hook_result = 0;
    write_hook_errno = 0;
    write_hook_armed = true;
    test::latch raised;
    std::thread raiser([&]{
        write_hook_thread = true;
        ::raise(SIGUSR1);   // the handler runs here, before raise returns
        raised.count_down();
    });
    // Wait until the handler is held in write(), or ran without the
    // hook. The flag is set in signal context, where a latch cannot
    // be used: poll it.
    for(int i = 0; i < 10000 && !write_hook_entered && !raised.try_wait(); ++i)
        std::this_thread::sleep_for(1ms);
    if(!write_hook_entered)
    {
        write_hook_armed = false;
        write_hook_release = true;
        raiser.join();
        BOOST_FAIL("the signal handler's write() was not interposed");
    }

    test::latch destroyed;
    std::thread destroyer([&]{ sigs.reset(); destroyed.count_down(); });
    // The handler is still using the pipe: ~signal_set must not
    // return (and must not have closed the pipe) before it is done.
    BOOST_TEST(!destroyed.wait_for(200ms));
    write_hook_release = true;
    raiser.join();
    BOOST_TEST(destroyed.wait_for(10s));
    destroyer.join();
    BOOST_TEST(write_hook_result == 1);
    BOOST_TEST(write_hook_errno == 0);
}

// Create, use and destroy a set 200 times from one thread while a second
// thread runs the loop and a third raises the signal without pause.
BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(60))
BOOST_DATA_TEST_CASE(destroy_from_other_thread_under_signal_storm, test::configs_dataset(), cfg)
{
    disposition_guard ign(SIGUSR1, SIG_IGN);
    millio::event_loop loop(cfg.options());
    std::thread runner([&]{ loop.run(); });
    std::atomic<bool> raising{true};
    std::thread storm([&]{
        while(raising.load(std::memory_order_relaxed))
        {
            ::kill(::getpid(), SIGUSR1);
            std::this_thread::yield();
        }
    });
    std::atomic<int> late{0};
    int delivered = 0;
    for(int i = 0; i < 200; ++i)
    {
        // heap-allocated: a callback running after the destructor
        // returned would read freed memory (ASan reports it)
        auto alive = std::make_unique<std::atomic<bool>>(true);
        test::latch got;
        {
            millio::signal_set sigs(loop, {SIGUSR1});
            sigs.on_signal([&got, &late, p = alive.get()](int) {
                if(!p->load())
                    ++late;
                got.count_down();
                // still running while the destructor starts
                for(int k = 0; k < 100; ++k)
                    std::this_thread::yield();
                if(!p->load())
                    ++late;
            });
            if(got.wait_for(10s))
                ++delivered;
        }
        alive->store(false);
        alive.reset();
    }
    raising = false;
    storm.join();
    loop.stop();
    runner.join();
    BOOST_TEST(delivered == 200);
    BOOST_TEST(late == 0);
}

// Destroy the set from a timer callback. In pool mode the timer runs on
// another io worker while the set's callback is still running: the
// destructor waits for it. In direct mode the two run one after the other.
BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(60))
BOOST_DATA_TEST_CASE(destroy_from_other_loop_handler, test::configs_dataset(), cfg)
{
    disposition_guard ign(SIGUSR1, SIG_IGN);
    bool const overlap = cfg.mode == millio::dispatch_mode::pool;
    std::atomic<int> calls{0};
    std::atomic<bool> destroying{false};
    std::atomic<bool> saw_destroying{false};
    std::atomic<bool> callback_done{false};
    std::atomic<bool> done_before_return{false};
    test::latch timer_done;
    {
        millio::event_loop loop(cfg.options());
        std::optional<millio::signal_set> sigs;
        sigs.emplace(loop, std::initializer_list<int>{SIGUSR1});
        sigs->on_signal([&](int) {
            ++calls;
            loop.run_after(0ms, [&] {
                destroying = true;
                sigs.reset();
                done_before_return = callback_done.load();
                timer_done.count_down();
            });
            if(overlap)
            {
                // stay in the callback until the timer is destroying the set
                auto const until = std::chrono::steady_clock::now() + 10s;
                while(!destroying && std::chrono::steady_clock::now() < until)
                    std::this_thread::yield();
                saw_destroying = destroying.load();
                // widen the window in which a destructor that does
                // not wait would return before this callback ends
                auto const linger = std::chrono::steady_clock::now() + 20ms;
                while(std::chrono::steady_clock::now() < linger)
                    std::this_thread::yield();
            }
            callback_done = true;
        });
        std::thread t([&]{ loop.run(); });
        BOOST_REQUIRE(::raise(SIGUSR1) == 0);
        BOOST_TEST(timer_done.wait_for(10s));
        BOOST_REQUIRE(::raise(SIGUSR1) == 0);   // ignored now
        loop.stop();
        t.join();
    }
    BOOST_TEST(calls == 1);
    BOOST_TEST(done_before_return);
    if(overlap)
        BOOST_TEST(saw_destroying);
}

// Replace the callback from inside the callback; the old callable's
// destructor calls on_signal and count. It must not run under the set's
// lock (it would deadlock), and its on_signal call takes effect.
BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(60))
BOOST_DATA_TEST_CASE(replace_callback_from_callback, test::configs_dataset(), cfg)
{
    disposition_guard ign(SIGUSR1, SIG_IGN);
    millio::event_loop loop(cfg.options());
    millio::signal_set sigs(loop, {SIGUSR1});
    std::atomic<int> first{0}, second{0}, third{0};
    std::atomic<std::size_t> count_seen{0};
    test::latch old_destroyed, third_called;
    auto st = std::make_shared<probe_state>();
    probe_state* ps = st.get();
    st->on_call = [&, ps](int) {
        ++first;
        ps->armed = true;
        sigs.on_signal([&](int) { ++second; });
    };
    st->on_destroy = [&] {
        count_seen = sigs.count();
        sigs.on_signal([&](int) { ++third; third_called.count_down(); });
        old_destroyed.count_down();
    };
    sigs.on_signal(probe(st));
    st.reset();     // the set's copy holds the state now
    std::thread t([&]{ loop.run(); });
    BOOST_REQUIRE(::raise(SIGUSR1) == 0);
    if(!old_destroyed.wait_for(10s))
        deadlocked("destructor of a replaced callback");
    BOOST_REQUIRE(::raise(SIGUSR1) == 0);
    BOOST_TEST(third_called.wait_for(10s));
    loop.stop();
    t.join();
    BOOST_TEST(first == 1);
    BOOST_TEST(second == 0);    // replaced by the destructor's call
    BOOST_TEST(third == 1);
    BOOST_TEST(count_seen == 1u);
}

// The same, replacing from outside the loop while no callback runs.
BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(60))
BOOST_DATA_TEST_CASE(replace_callback_from_other_thread, test::configs_dataset(), cfg)
{
    disposition_guard ign(SIGUSR1, SIG_IGN);
    millio::event_loop loop(cfg.options());
    millio::signal_set sigs(loop, {SIGUSR1});
    std::atomic<int> replaced{0};
    test::latch called;
    bool old_destroyed = false;
    auto st = std::make_shared<probe_state>();
    st->on_call = [](int) {};
    st->on_destroy = [&] {
        sigs.on_signal([&](int) { ++replaced; called.count_down(); });
        old_destroyed = sigs.count() == 0;
    };
    sigs.on_signal(probe(st));
    st->armed = true;
    st.reset();
    run_bounded("on_signal replacing a callable whose destructor calls on_signal",
        [&]{ sigs.on_signal(nullptr); });
    BOOST_TEST(old_destroyed);
    std::thread t([&]{ loop.run(); });
    BOOST_REQUIRE(::raise(SIGUSR1) == 0);
    BOOST_TEST(called.wait_for(10s));
    loop.stop();
    t.join();
    BOOST_TEST(replaced == 1);
}

// The disposition found when the set was created is back after it is
// destroyed, including the handler's flags.
BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(60))
BOOST_DATA_TEST_CASE(previous_disposition_restored, test::configs_dataset(), cfg)
{
    millio::event_loop loop(cfg.options());
    {
        disposition_guard ign(SIGUSR1, SIG_IGN);
        {
            millio::signal_set sigs(loop, {SIGUSR1, SIGUSR2});
            BOOST_TEST((current_handler(SIGUSR1) != SIG_IGN));
        }
        BOOST_TEST((current_handler(SIGUSR1) == SIG_IGN));
    }
    {
        struct sigaction sa{};
        struct sigaction saved{};
        sa.sa_sigaction = &record_siginfo;
        sigemptyset(&sa.sa_mask);
        sigaddset(&sa.sa_mask, SIGUSR2);
        sa.sa_flags = SA_SIGINFO;
        BOOST_REQUIRE(::sigaction(SIGUSR1, &sa, &saved) == 0);
        {
            millio::signal_set sigs(loop, {SIGUSR1});
        }
        struct sigaction after{};
        ::sigaction(SIGUSR1, nullptr, &after);
        ::sigaction(SIGUSR1, &saved, nullptr);
        BOOST_TEST((after.sa_sigaction == &record_siginfo));
        BOOST_TEST((after.sa_flags & SA_SIGINFO) != 0);
        BOOST_TEST(sigismember(&after.sa_mask, SIGUSR2) == 1);
    }
}

BOOST_AUTO_TEST_SUITE_END()

} // (anon)

#endif
