//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// event_loop as an Asio execution context, and its compute pool.
#include <boost/millio/event_loop.hpp>

#define BOOST_TEST_MODULE millio_event_loop_executor
#include <boost/test/unit_test.hpp>

#include "test_util.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/defer.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_future.hpp>
#if defined(BOOST_ASIO_HAS_CO_AWAIT)
# include <boost/asio/co_spawn.hpp>
# include <boost/asio/this_coro.hpp>
# include <boost/asio/use_awaitable.hpp>
#endif

#include <atomic>
#include <cstddef>
#include <future>
#include <stdexcept>
#include <thread>
#include <vector>

#if defined(__linux__)
# include <dirent.h>
#endif

namespace millio = boost::millio;
namespace asio = boost::asio;
using namespace std::chrono_literals;

static_assert(asio::execution::is_executor<millio::event_loop::executor_type>::value,
    "event_loop::executor_type is a standard Asio executor");

namespace {

struct runner
{
    millio::event_loop& loop;
    std::thread t;
    explicit runner(millio::event_loop& l) : loop(l), t([this]{ loop.run(); }) {}
    ~runner() { loop.stop(); t.join(); }
};

} // namespace

BOOST_AUTO_TEST_SUITE(event_loop_executor)

BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(60))
BOOST_DATA_TEST_CASE(post_dispatch_defer_run_on_the_loop, test::configs_dataset(), cfg)
{
    millio::event_loop loop(cfg.options(2));
    runner r(loop);
    auto ex = loop.get_executor();
    BOOST_TEST((&asio::query(ex, asio::execution::context) == &loop));
    std::atomic<int> on_loop{0};
    test::latch done(3);
    auto check = [&] {
        if(loop.running_in_this_thread())
            ++on_loop;
        done.count_down();
    };
    asio::post(ex, check);
    asio::dispatch(ex, check);   // not on the loop: queued
    asio::defer(ex, check);
    BOOST_TEST(done.wait_for(5s));
    BOOST_TEST(on_loop == 3);
    BOOST_TEST(!loop.running_in_this_thread());

    // dispatch from a loop thread runs inline, post never does: the
    // posted function must not run inside the posting function on
    // the posting thread (another worker may run it meanwhile)
    std::promise<bool> dispatched_inline, posted_inline;
    asio::post(ex, [&] {
        auto const me = std::this_thread::get_id();
        auto inside = std::make_shared<std::atomic<bool>>(true);
        asio::dispatch(ex, [&, inside, me] {
            dispatched_inline.set_value(*inside && std::this_thread::get_id() == me);
        });
        asio::post(ex, [&, inside, me] {
            posted_inline.set_value(*inside && std::this_thread::get_id() == me);
        });
        *inside = false;
    });
    BOOST_TEST(dispatched_inline.get_future().get());
    BOOST_TEST(!posted_inline.get_future().get());
}

BOOST_AUTO_TEST_CASE(strand_serialises_100000_posts, *boost::unit_test::timeout(300))
{
    std::size_t const n = static_cast<std::size_t>(100000 * test::scale());
    millio::event_loop_options o;
    o.io_threads = 4;
    millio::event_loop loop(o);
    runner r(loop);
    auto strand = asio::make_strand(loop.get_executor());
    std::atomic<int> inside{0};
    std::atomic<bool> overlap{false};
    std::size_t count = 0;          // only touched inside the strand
    std::vector<std::size_t> order;
    order.reserve(n);
    test::latch done;
    std::thread other([&] {
        // a second submitter thread; each thread's own posts stay in order
        for(std::size_t i = 0; i < n / 2; ++i)
            asio::post(strand, [&, i] {
                if(inside.fetch_add(1) != 0) overlap = true;
                order.push_back(i * 2 + 1);
                if(++count == n) done.count_down();
                inside.fetch_sub(1);
            });
    });
    for(std::size_t i = 0; i < n - n / 2; ++i)
        asio::post(strand, [&, i] {
            if(inside.fetch_add(1) != 0) overlap = true;
            order.push_back(i * 2);
            if(++count == n) done.count_down();
            inside.fetch_sub(1);
        });
    other.join();
    BOOST_TEST(done.wait_for(120s));
    BOOST_TEST(!overlap);
    BOOST_TEST(count == n);
    // per submitter, FIFO
    std::size_t next_even = 0, next_odd = 1;
    bool fifo = true;
    for(auto v : order)
    {
        std::size_t& next = (v % 2) ? next_odd : next_even;
        if(v != next) fifo = false;
        next += 2;
    }
    BOOST_TEST(fifo);
}

BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(60))
BOOST_DATA_TEST_CASE(use_future_value_and_exception, test::configs_dataset(), cfg)
{
    millio::event_loop loop(cfg.options(2));
    runner r(loop);
    auto f = asio::post(loop.get_executor(),
        asio::use_future([] { return 42; }));
    BOOST_TEST(f.get() == 42);
    auto g = asio::post(loop.get_executor(),
        asio::use_future([]() -> int { throw std::runtime_error("no"); }));
    BOOST_CHECK_THROW(g.get(), std::runtime_error);
}

BOOST_AUTO_TEST_CASE(bind_executor_and_any_io_executor, *boost::unit_test::timeout(60))
{
    millio::event_loop loop(2, 64, 100ms);
    runner r(loop);
    asio::io_context ioc;
    std::atomic<bool> on_loop{false};
    test::latch done;
    // a completion produced by an io_context runs on the loop
    asio::post(ioc, asio::bind_executor(loop.get_executor(), [&] {
        on_loop = loop.running_in_this_thread();
        done.count_down();
    }));
    ioc.run();
    BOOST_TEST(done.wait_for(5s));
    BOOST_TEST(on_loop);

    asio::any_io_executor any = loop.get_executor();
    BOOST_TEST((any.target<millio::event_loop::executor_type>() != nullptr));
    BOOST_TEST((*any.target<millio::event_loop::executor_type>() == loop.get_executor()));
    test::latch done2;
    asio::post(any, [&] { done2.count_down(); });
    BOOST_TEST(done2.wait_for(5s));
    BOOST_TEST((loop.get_executor() == millio::event_loop::executor_type(loop)));
    BOOST_TEST((asio::require(loop.get_executor(), asio::execution::blocking.never)
        != loop.get_executor()));
}

#if defined(BOOST_ASIO_HAS_CO_AWAIT)
BOOST_AUTO_TEST_CASE(co_spawn_with_use_awaitable, *boost::unit_test::timeout(60))
{
    millio::event_loop loop(2, 64, 100ms);
    runner r(loop);
    auto f = asio::co_spawn(loop.get_executor(),
        [&]() -> asio::awaitable<int> {
            auto ex = co_await asio::this_coro::executor;
            int on_loop = 0;
            for(int i = 0; i < 100; ++i)
            {
                co_await asio::post(ex, asio::use_awaitable);
                if(loop.running_in_this_thread())
                    ++on_loop;
            }
            co_return on_loop;
        },
        asio::use_future);
    BOOST_TEST(f.get() == 100);
}
#endif

BOOST_AUTO_TEST_CASE(spawn_compute_and_metrics, *boost::unit_test::timeout(60))
{
    millio::event_loop_options o;
    o.io_threads = 2;
    o.compute_threads = 1;
    millio::event_loop loop(o);
    runner r(loop);
    // the seed's case: one worker busy, then low, high, normal queued
    test::latch gate_entered, gate;
    std::mutex m;
    std::vector<int> order;
    test::latch all(4);
    loop.spawn_compute([&] { gate_entered.count_down(); gate.wait_for(10s); all.count_down(); });
    BOOST_TEST(gate_entered.wait_for(5s));
    loop.spawn_compute([&] { std::lock_guard<std::mutex> lk(m); order.push_back(0); all.count_down(); },
        millio::task_priority::low);
    loop.spawn_compute([&] { std::lock_guard<std::mutex> lk(m); order.push_back(2); all.count_down(); },
        millio::task_priority::high);
    loop.spawn_compute([&] { std::lock_guard<std::mutex> lk(m); order.push_back(1); all.count_down(); });
    auto metrics = loop.get_compute_metrics();
    BOOST_TEST(metrics.queue_depth_low() == 1u);
    BOOST_TEST(metrics.queue_depth_high() == 1u);
    BOOST_TEST(metrics.queue_depth_normal() == 1u);
    gate.count_down();
    BOOST_TEST(all.wait_for(10s));
    {
        std::lock_guard<std::mutex> lk(m);
        BOOST_TEST((order == std::vector<int>{2, 1, 0}));
    }
    loop.compute().join();
    BOOST_TEST(metrics.tasks_submitted() == 4u);
    BOOST_TEST(metrics.tasks_completed() == 4u);
    BOOST_TEST(metrics.tasks_failed() == 0u);
    millio::error_code ec;
    loop.spawn_compute([] {}, ec);
    BOOST_TEST(ec == millio::error::shut_down);
    BOOST_CHECK_THROW(loop.spawn_compute([] {}, millio::task_priority::critical), millio::system_error);
}

BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(60))
BOOST_DATA_TEST_CASE(compute_result_posted_back_to_the_loop, test::configs_dataset(), cfg)
{
    millio::event_loop loop(cfg.options(2));
    runner r(loop);
    std::promise<bool> back_on_loop;
    loop.spawn_compute([&] {
        long sum = 0;
        for(int i = 0; i < 1000; ++i) sum += i;
        asio::post(loop.get_executor(), [&, sum] {
            back_on_loop.set_value(sum == 499500 && loop.running_in_this_thread());
        });
    }, millio::task_priority::high);
    BOOST_TEST(back_on_loop.get_future().get());
}

BOOST_AUTO_TEST_CASE(posted_work_discarded_at_destruction, *boost::unit_test::timeout(60))
{
    // Work queued to a direct-mode loop that never runs is destroyed,
    // not run, and not leaked.
    auto token = std::make_shared<int>(0);
    {
        millio::event_loop loop(millio::event_loop::low_latency_options());
        asio::post(loop.get_executor(), [token] { ++*token; });
        BOOST_TEST(token.use_count() == 2);
    }
    BOOST_TEST(token.use_count() == 1);
    BOOST_TEST(*token == 0);
}

namespace {

#if defined(__linux__)
std::size_t
thread_count_of_process()
{
    std::size_t n = 0;
    if(DIR* d = ::opendir("/proc/self/task"))
    {
        while(dirent* e = ::readdir(d))
            if(e->d_name[0] != '.')
                ++n;
        ::closedir(d);
    }
    return n;
}
#endif

} // namespace

// get_compute_metrics() is const and does not create the compute pool;
// the view it returns reads 0 until the pool exists, then follows it.
BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(60))
BOOST_DATA_TEST_CASE(compute_metrics_view_does_not_start_the_pool, test::configs_dataset(), cfg)
{
    auto opt = cfg.options();
    opt.compute_threads = 3;
    millio::event_loop loop(opt);
    millio::event_loop const& cloop = loop;
#if defined(__linux__)
    std::size_t const before = thread_count_of_process();
#endif
    millio::compute_metrics m = cloop.get_compute_metrics();
    BOOST_TEST(m.tasks_submitted() == 0u);
    BOOST_TEST(m.queue_depth_normal() == 0u);
    BOOST_TEST(m.total_execution_time_ns() == 0u);
#if defined(__linux__)
    BOOST_TEST(thread_count_of_process() == before);
#endif
    std::promise<void> done;
    loop.spawn_compute([&] { done.set_value(); });
    done.get_future().get();
#if defined(__linux__)
    BOOST_TEST(thread_count_of_process() == before + 3);
#endif
    loop.compute().join();
    // The view taken before the pool existed now reads it.
    BOOST_TEST(m.tasks_submitted() == 1u);
    BOOST_TEST(m.tasks_completed() == 1u);
    BOOST_TEST(cloop.get_compute_metrics().tasks_completed() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
