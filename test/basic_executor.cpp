//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Test that header file is self-contained.
#include <boost/millio/basic_executor.hpp>

#define BOOST_TEST_MODULE millio_basic_executor
#include <boost/test/unit_test.hpp>

#include <boost/millio/compute_pool.hpp>
#include <boost/millio/event_loop.hpp>

#include "test_util.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/execution.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/query.hpp>
#include <boost/asio/require.hpp>

#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

namespace millio = boost::millio;
namespace asio = boost::asio;
using namespace std::chrono_literals;

// The executor types are public names: the documented class template,
// reachable through each context as in asio::thread_pool.
static_assert(std::is_same<millio::event_loop::executor_type,
    millio::basic_executor<millio::event_loop>>::value, "");
static_assert(std::is_same<millio::compute_pool::executor_type,
    millio::basic_executor<millio::compute_pool>>::value, "");
static_assert(std::is_same<millio::compute_pool::executor_type,
    millio::compute_pool::basic_executor_type<std::allocator<void>>>::value, "");
static_assert(std::is_same<millio::event_loop::executor_type::context_type,
    millio::event_loop>::value, "");
static_assert(asio::execution::is_executor<millio::event_loop::executor_type>::value, "");
static_assert(asio::execution::is_executor<millio::compute_pool::executor_type>::value, "");

// The property is an object, as Asio's are; its type stays nameable.
static_assert(std::is_same<std::decay_t<decltype(millio::priority)>,
    millio::priority_t>::value, "");
static_assert(std::is_same<std::decay_t<decltype(millio::priority.high)>,
    millio::priority_t>::value, "");
static_assert(asio::can_query<millio::compute_pool::executor_type,
    millio::priority_t>::value, "");
static_assert(asio::can_require<millio::compute_pool::executor_type,
    millio::priority_t>::value, "");
static_assert(asio::can_prefer<millio::event_loop::executor_type,
    millio::priority_t>::value, "");
static_assert(std::is_same<decltype(asio::query(
    std::declval<millio::compute_pool::executor_type>(), millio::priority)),
    millio::task_priority>::value, "");

BOOST_AUTO_TEST_SUITE(basic_executor)

BOOST_AUTO_TEST_CASE(priority_object_with_require_query_prefer, *boost::unit_test::timeout(30))
{
    millio::compute_pool pool(1);
    auto ex = pool.get_executor();
    BOOST_TEST((asio::query(ex, millio::priority) == millio::task_priority::normal));

    auto hi = asio::require(ex, millio::priority.high);
    static_assert(std::is_same<decltype(hi), decltype(ex)>::value, "");
    BOOST_TEST((asio::query(hi, millio::priority) == millio::task_priority::high));
    BOOST_TEST((hi.priority() == millio::task_priority::high));
    BOOST_TEST((hi != ex));

    auto lo = asio::prefer(hi, millio::priority.low);
    BOOST_TEST((asio::query(lo, millio::priority) == millio::task_priority::low));

    // The static members are reachable through the type too.
    auto cr = asio::require(ex, millio::priority_t::critical);
    BOOST_TEST((asio::query(cr, millio::priority) == millio::task_priority::critical));

    // Other properties keep the priority.
    auto never = asio::require(cr, asio::execution::blocking.never);
    BOOST_TEST((asio::query(never, millio::priority) == millio::task_priority::critical));
    BOOST_TEST((asio::query(never, asio::execution::blocking) ==
        asio::execution::blocking.never));
}

// Work required at a priority runs at that priority: with the single
// worker held, the queued tasks start in priority order.
BOOST_AUTO_TEST_CASE(required_priority_orders_work, *boost::unit_test::timeout(30))
{
    millio::compute_pool pool(1);
    std::promise<void> gate;
    std::shared_future<void> open = gate.get_future().share();
    std::promise<void> holding;
    asio::post(pool.get_executor(), [&, open]{ holding.set_value(); open.wait(); });
    holding.get_future().wait();

    std::mutex m;
    std::vector<int> order;
    auto ex = pool.get_executor();
    auto push = [&](int v) { return [&, v]{ std::lock_guard<std::mutex> lk(m); order.push_back(v); }; };
    asio::post(asio::require(ex, millio::priority.low), push(0));
    asio::post(asio::require(ex, millio::priority.normal), push(1));
    asio::post(asio::require(ex, millio::priority.critical), push(3));
    asio::post(asio::require(ex, millio::priority.high), push(2));
    gate.set_value();
    pool.join();
    BOOST_TEST((order == std::vector<int>{3, 2, 1, 0}));
}

// Through a polymorphic executor that lists the property.
BOOST_AUTO_TEST_CASE(priority_through_any_executor, *boost::unit_test::timeout(30))
{
    millio::compute_pool pool(1);
    using poly = asio::execution::any_executor<
        asio::execution::context_as_t<asio::execution_context&>,
        asio::execution::prefer_only<asio::execution::blocking_t::never_t>,
        millio::priority_t>;
    poly p = asio::require(pool.get_executor(), millio::priority.high);
    BOOST_TEST((asio::query(p, millio::priority) == millio::task_priority::high));
    poly q = asio::require(p, millio::priority.low);
    BOOST_TEST((asio::query(q, millio::priority) == millio::task_priority::low));
}

// The event loop's executor accepts the property (its queue is FIFO)
// and reports what was required; work still runs.
BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(60))
BOOST_DATA_TEST_CASE(event_loop_accepts_priority, test::configs_dataset(), cfg)
{
    millio::event_loop loop(cfg.options());
    std::thread t([&]{ loop.run(); });
    auto ex = asio::require(loop.get_executor(), millio::priority.critical);
    BOOST_TEST((asio::query(ex, millio::priority) == millio::task_priority::critical));
    std::promise<bool> ran;
    asio::post(ex, [&]{ ran.set_value(loop.running_in_this_thread()); });
    BOOST_TEST(ran.get_future().get());
    loop.stop();
    t.join();
}

BOOST_AUTO_TEST_SUITE_END()
