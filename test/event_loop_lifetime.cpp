//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// The death of an event_loop: what is pending, what runs, what calls
// back into it while it is destroyed.

#include <boost/millio/event_loop.hpp>

#define BOOST_TEST_MODULE millio_event_loop_lifetime
#include <boost/test/unit_test.hpp>

#include "test_util.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_future.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <memory>
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

struct counters
{
    std::atomic<int> ran{0};
    std::atomic<int> destroyed{0};
};

// Counts its destruction (moved-from copies do not count).
struct tracker
{
    counters* c;
    explicit tracker(counters& k) : c(&k) {}
    tracker(tracker const& o) : c(o.c) {}
    tracker(tracker&& o) noexcept : c(o.c) { o.c = nullptr; }
    ~tracker() { if(c) ++c->destroyed; }
};

// Calls into the loop from its destructor: what the destructor of an
// object captured by a pending callable may do.
struct calls_back
{
    millio::event_loop* loop;
    millio::timer_id other;
    counters* c;
    calls_back(millio::event_loop& l, millio::timer_id o, counters& k)
        : loop(&l), other(o), c(&k) {}
    calls_back(calls_back const& o) : loop(o.loop), other(o.other), c(o.c) {}
    calls_back(calls_back&& o) noexcept : loop(o.loop), other(o.other), c(o.c) { o.loop = nullptr; }
    ~calls_back()
    {
        if(!loop)
            return;
        loop->cancel_timer(other);
        millio::error_code ec;
        loop->run_after(1h, [] {}, ec);
        asio::post(loop->get_executor(), [] {});
        loop->spawn_compute([] {}, ec);
        (void)loop->pending_timers();
        (void)loop->stopped();
        ++c->destroyed;
    }
};

} // (anon)

// The test cases (data test cases are classes) capture the helpers of the
// anonymous namespace: they are there too (-Wsubobject-linkage).
namespace {

BOOST_AUTO_TEST_SUITE(lifetime)

// Pending work that holds strands, executors and compute executors is
// destroyed while the loop's services still exist.
BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(120))
BOOST_DATA_TEST_CASE(pending_work_holding_strands, test::configs_dataset(), cfg)
{
    counters c;
    int sv[2];
    BOOST_REQUIRE(test::socket_pair(sv));
    test::fd_guard g0(sv[0]), g1(sv[1]);
    {
        millio::event_loop loop(cfg.options());
        auto strand = asio::make_strand(loop.get_executor());
        loop.run_after(1h, [strand, t = tracker(c)] {});
        loop.run_every(1h, [s = asio::make_strand(loop.get_executor()), t = tracker(c)] {});
        loop.run_after(1h, [ex = loop.compute().get_executor(), t = tracker(c)] {});
        loop.register_source(sv[0], millio::token(1), millio::interest::readable,
            [strand, t = tracker(c)](millio::event const&) {});
        // work queued on a strand of the loop; in the direct
        // mode nothing runs it, in the pool mode it may run
        asio::post(strand, [strand, t = tracker(c), &c] { ++c.ran; });
    }
    // every callable was destroyed exactly once
    BOOST_TEST(c.destroyed.load() == 5);
}

// Queued tasks, timers and handlers are destroyed without running.
// The direct mode only: in the pool mode the io workers run posted work at once.
BOOST_TEST_DECORATOR(*test::if_config_enabled(millio::dispatch_mode::direct)
    * boost::unit_test::timeout(60))
BOOST_DATA_TEST_CASE(pending_work_is_destroyed_not_run,
    test::configs_dataset(millio::dispatch_mode::direct), cfg)
{
    counters c;
    {
        millio::event_loop loop(cfg.options());
        for(int i = 0; i < 100; ++i)
            asio::post(loop.get_executor(), [t = tracker(c), &c] { ++c.ran; });
        for(int i = 0; i < 10; ++i)
            loop.run_after(0ms, [t = tracker(c), &c] { ++c.ran; });
    }
    BOOST_TEST(c.ran.load() == 0);
    BOOST_TEST(c.destroyed.load() == 110);
}

// Destructors of pending callables call back into the dying loop.
BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(120))
BOOST_DATA_TEST_CASE(destructors_call_back_into_the_loop, test::configs_dataset(), cfg)
{
    counters c;
    {
        millio::event_loop loop(cfg.options());
        auto other = loop.run_after(1h, [] {});
        loop.run_after(1h, [cb = calls_back(loop, other, c)] {});
        loop.run_every(1h, [cb = calls_back(loop, other, c)] {});
        if(cfg.mode == millio::dispatch_mode::direct)
            asio::post(loop.get_executor(), [cb = calls_back(loop, other, c)] {});
        else
            ++c.destroyed;
    }
    BOOST_TEST(c.destroyed.load() == 3);
}

// A timer's callable whose destructor cancels another timer (RAII) is
// destroyed by cancel_timer without deadlock.
BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(60))
BOOST_DATA_TEST_CASE(cancel_destroys_callable_outside_locks, test::configs_dataset(), cfg)
{
    counters c;
    millio::event_loop loop(cfg.options());
    auto other = loop.run_after(1h, [] {});
    auto id = loop.run_after(1h, [cb = calls_back(loop, other, c)] {});
    BOOST_TEST(loop.cancel_timer(id));
    BOOST_TEST(c.destroyed.load() == 1);
    BOOST_TEST(!loop.cancel_timer(other)); // cancelled by the destructor
}

// A registration that fails destroys its handler outside the table's
// lock: the handler's destructor may use the loop.
BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(60))
BOOST_DATA_TEST_CASE(failed_registration_destroys_handler_outside_locks,
    test::configs_dataset(), cfg)
{
    int sv[2];
    BOOST_REQUIRE(test::socket_pair(sv));
    test::fd_guard g0(sv[0]), g1(sv[1]);
    millio::event_loop loop(cfg.options());
    loop.register_source(sv[0], millio::token(1), millio::interest::readable,
        [](millio::event const&) {});
    struct uses_loop
    {
        millio::event_loop* loop;
        int fd;
        std::atomic<int>* n;
        uses_loop(millio::event_loop& l, int f, std::atomic<int>& k) : loop(&l), fd(f), n(&k) {}
        uses_loop(uses_loop&& o) noexcept : loop(o.loop), fd(o.fd), n(o.n) { o.loop = nullptr; }
        uses_loop(uses_loop const& o) : loop(o.loop), fd(o.fd), n(o.n) {}
        ~uses_loop()
        {
            if(!loop)
                return;
            millio::error_code ec;
            loop->reregister_source(fd, millio::token(1), millio::interest::readable, ec);
            ++*n;
        }
        void operator()(millio::event const&) const {}
    };
    std::atomic<int> n{0};
    millio::error_code ec;
    loop.register_source(sv[1], millio::token(1), millio::interest::readable,
        uses_loop(loop, sv[0], n), ec);
    BOOST_TEST(ec == millio::error::token_in_use);
    BOOST_TEST(n.load() >= 1);
}

// The loop destroyed while another thread is in run() and self-re-posting
// work keeps every io worker busy: the destructor neither hangs nor runs
// the pending work.
BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(120))
BOOST_DATA_TEST_CASE(destroy_under_load_with_concurrent_run, test::configs_dataset(), cfg)
{
    for(bool with_run : {true, false})
    {
        if(!with_run && cfg.mode == millio::dispatch_mode::direct)
            continue; // nothing would run the chain
        BOOST_TEST_CONTEXT((with_run ? "with run()" : "without run()"))
        {
            auto loop = std::make_unique<millio::event_loop>(cfg.options());
            auto count = std::make_shared<std::atomic<std::uint64_t>>(0);
            struct chain
            {
                millio::event_loop::executor_type ex;
                std::shared_ptr<std::atomic<std::uint64_t>> count;
                void operator()() const
                {
                    count->fetch_add(1);
                    asio::post(ex, *this);
                }
            };
            for(std::size_t i = 0; i < loop->thread_count(); ++i)
                asio::post(loop->get_executor(), chain{loop->get_executor(), count});
            std::thread runner;
            std::atomic<bool> running{false};
            if(with_run)
            {
                // timers fire only while run() is in progress
                loop->run_after(0ms, [&running] { running = true; });
                runner = std::thread([l = loop.get()]{ l->run(); });
                while(!running.load())
                    std::this_thread::yield();
            }
            while(count->load() < 1000)
                std::this_thread::yield();
            auto const t0 = clock_type::now();
            loop.reset();
            auto const took = clock_type::now() - t0;
            if(runner.joinable())
                runner.join();
            std::uint64_t const after = count->load();
            BOOST_TEST(std::chrono::duration<double>(took).count() < 5.0);
            // nothing runs after the destructor returned
            std::this_thread::sleep_for(20ms);
            BOOST_TEST(count->load() == after);
        }
    }
}

// Handlers that run while the loop is being destroyed call every public
// member; each either works or fails cleanly.
BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(120))
BOOST_DATA_TEST_CASE(handlers_call_every_member_during_destruction, test::configs_dataset(), cfg)
{
    int sv[2];
    BOOST_REQUIRE(test::socket_pair(sv));
    test::fd_guard g0(sv[0]), g1(sv[1]);
    auto loop = std::make_unique<millio::event_loop>(cfg.options());
    millio::event_loop* l = loop.get();
    std::atomic<std::uint64_t> calls{0};
    std::atomic<bool> stop_calling{false};
    // returns true once the loop refuses work
    std::function<bool()> everything = [&, l] {
        millio::error_code ec;
        asio::post(l->get_executor(), [] {});
        auto id = l->run_after(1ms, [] {}, ec);
        bool const refused = ec == millio::error::shut_down;
        auto id2 = l->run_every(1ms, [] {}, ec);
        l->cancel_timer(id);
        l->cancel_timer(id2);
        l->register_source(sv[1], millio::token(99), millio::interest::writable,
            [](millio::event const&) {}, ec);
        l->reregister_source(sv[1], millio::token(99), millio::interest::readable, ec);
        l->deregister_source(sv[1], millio::token(99), ec);
        l->spawn_compute([] {}, ec);
        l->spawn_compute([] {}, millio::task_priority::high, ec);
        (void)l->get_compute_metrics().tasks_submitted();
        (void)l->pending_timers();
        (void)l->stopped();
        (void)l->running_in_this_thread();
        (void)l->thread_count();
        l->poll(ec);    // already running, or shut down
        ++calls;
        return refused;
    };
    // a chain that calls everything, from the loop's threads
    struct chain
    {
        millio::event_loop* l;
        std::function<bool()>* f;
        std::atomic<bool>* stop;
        void operator()() const
        {
            (*f)();
            if(!stop->load())
                asio::post(l->get_executor(), *this);
        }
    };
    // and from a compute task, until the loop refuses work (the
    // destructor joins the compute pool); both started by a timer,
    // so that run() is in progress before their poll() calls
    l->run_after(0ms, [&, l] {
        asio::post(l->get_executor(), chain{l, &everything, &stop_calling});
        l->spawn_compute([&] {
            while(!everything()) {}
        });
    });
    std::thread runner([l]{ l->run(); });
    while(calls.load() < 200)
        std::this_thread::yield();
    loop.reset();
    runner.join();
    stop_calling = true;
    BOOST_TEST(calls.load() >= 200u);
}

// Two handlers that deregister each other at the same time do not wait
// for each other.
// The pool mode only: one thread runs every handler in the direct mode.
BOOST_TEST_DECORATOR(*test::if_config_enabled(millio::dispatch_mode::pool)
    * boost::unit_test::timeout(60))
BOOST_DATA_TEST_CASE(handlers_deregister_each_other,
    test::configs_dataset(millio::dispatch_mode::pool), cfg)
{
    millio::event_loop loop(cfg.options(2));
    int a[2], b[2];
    BOOST_REQUIRE(test::socket_pair(a));
    BOOST_REQUIRE(test::socket_pair(b));
    test::fd_guard a0(a[0]), a1(a[1]), b0(b[0]), b1(b[1]);
    test::set_nonblocking(a[0]);
    test::set_nonblocking(b[0]);
    std::atomic<int> inside{0};
    std::atomic<int> done{0};
    auto handler = [&](int self, int other, int other_token) {
        return [&, self, other, other_token, first = true](millio::event const&) mutable {
            char buf[16];
            while(test::read_fd(self, buf, sizeof(buf)) > 0) {}
            if(!first)
                return;
            first = false;
            ++inside;
            // both handlers run at once
            auto const deadline = clock_type::now() + 5s;
            while(inside.load() < 2 && clock_type::now() < deadline)
                std::this_thread::yield();
            millio::error_code ec;
            loop.deregister_source(other, millio::token(other_token), ec);
            ++done;
        };
    };
    loop.register_source(a[0], millio::token(1), millio::interest::readable, handler(a[0], b[0], 2));
    loop.register_source(b[0], millio::token(2), millio::interest::readable, handler(b[0], a[0], 1));
    std::thread runner([&]{ loop.run(); });
    BOOST_REQUIRE(test::write_fd(a[1], "x", 1) == 1);
    BOOST_REQUIRE(test::write_fd(b[1], "x", 1) == 1);
    auto const deadline = clock_type::now() + 10s;
    while(done.load() < 2 && clock_type::now() < deadline)
        std::this_thread::sleep_for(1ms);
    BOOST_TEST(done.load() == 2);
    loop.stop();
    runner.join();
}

// The blocking form from a thread outside the loop still waits for a
// running handler.
BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(60))
BOOST_DATA_TEST_CASE(deregister_from_outside_waits, test::configs_dataset(), cfg)
{
    millio::event_loop loop(cfg.options());
    int sv[2];
    BOOST_REQUIRE(test::socket_pair(sv));
    test::fd_guard g0(sv[0]), g1(sv[1]);
    test::latch entered;
    std::atomic<bool> finished{false};
    loop.register_source(sv[0], millio::token(1), millio::interest::readable,
        [&](millio::event const&) {
            entered.count_down();
            std::this_thread::sleep_for(50ms); // the work under test
            finished = true;
        });
    std::thread runner([&]{ loop.run(); });
    BOOST_REQUIRE(test::write_fd(sv[1], "x", 1) == 1);
    BOOST_REQUIRE(entered.wait_for(5s));
    loop.deregister_source(sv[0], millio::token(1));
    BOOST_TEST(finished.load());
    loop.stop();
    runner.join();
}

// A loop whose run() returned may run again; a loop destroyed right
// after stop() from a handler does not touch freed memory.
BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(60))
BOOST_DATA_TEST_CASE(stop_from_handler_then_destroy, test::configs_dataset(), cfg)
{
    for(int i = 0; i < 20; ++i)
    {
        millio::event_loop loop(cfg.options());
        asio::post(loop.get_executor(), [&] { loop.stop(); });
        loop.run();
    }
}

// release_source never waits; the handler object dies after its running
// invocation returned, on the thread that ran it.
BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(60))
BOOST_DATA_TEST_CASE(release_source_does_not_wait, test::configs_dataset(), cfg)
{
    millio::event_loop loop(cfg.options());
    int sv[2];
    BOOST_REQUIRE(test::socket_pair(sv));
    test::fd_guard g0(sv[0]), g1(sv[1]);
    test::latch entered;
    test::latch release;
    std::atomic<bool> finished{false};
    std::atomic<bool> destroyed_after_finish{false};
    std::atomic<int> destroyed{0};
    struct on_death
    {
        std::atomic<bool>* finished;
        std::atomic<bool>* ok;
        std::atomic<int>* n;
        on_death(std::atomic<bool>& f, std::atomic<bool>& o, std::atomic<int>& k) : finished(&f), ok(&o), n(&k) {}
        on_death(on_death&& o) noexcept : finished(o.finished), ok(o.ok), n(o.n) { o.n = nullptr; }
        on_death(on_death const& o) : finished(o.finished), ok(o.ok), n(o.n) {}
        ~on_death()
        {
            if(!n)
                return;
            ok->store(finished->load());
            ++*n;
        }
    };
    loop.register_source(sv[0], millio::token(1), millio::interest::readable,
        [&, d = on_death(finished, destroyed_after_finish, destroyed)](millio::event const&) {
            entered.count_down();
            BOOST_TEST(release.wait_for(10s));
            finished = true;
        });
    std::thread runner([&]{ loop.run(); });
    BOOST_REQUIRE(test::write_fd(sv[1], "x", 1) == 1);
    BOOST_REQUIRE(entered.wait_for(5s));
    loop.release_source(sv[0], millio::token(1));   // returns while the handler runs
    BOOST_TEST(!finished.load());
    millio::error_code ec;
    loop.release_source(sv[0], millio::token(1), ec);
    BOOST_TEST(ec == millio::error::not_registered);
    release.count_down();
    auto const deadline = clock_type::now() + 5s;
    while(destroyed.load() == 0 && clock_type::now() < deadline)
        std::this_thread::sleep_for(1ms);
    BOOST_TEST(destroyed.load() >= 1);
    BOOST_TEST(destroyed_after_finish.load());
    loop.stop();
    runner.join();
}

BOOST_AUTO_TEST_SUITE_END()

} // (anon)
