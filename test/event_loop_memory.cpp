//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Memory taken by a burst of posted work is given back by the loop itself
// once it is idle (no compute pool is started here: its idle workers
// would trim too).

#define BOOST_TEST_MODULE millio_event_loop_memory
#include <boost/millio/event_loop.hpp>
#include <boost/millio/detail/task.hpp>
#include <boost/test/unit_test.hpp>
#include "test_util.hpp"
#include <boost/asio/post.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <thread>

namespace millio = boost::millio;
namespace asio = boost::asio;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(event_loop_memory)

BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(300))
BOOST_DATA_TEST_CASE(burst_of_posted_work_is_given_back, test::configs_dataset(), cfg)
{
    namespace detail = millio::detail;
    // Not scaled: the store keeps 4,096 free nodes (16 blocks), which
    // must stay well below a tenth of the burst for the bound below.
    std::size_t const burst = 100000;
    millio::event_loop loop(cfg.options(1));
    auto const before = detail::get_task_node_stats();
    std::size_t const burst_blocks = burst / before.block_nodes;

    // The loop's thread is held while the burst is queued: every
    // function holds a node.
    std::promise<void> go;
    std::shared_future<void> gate = go.get_future().share();
    std::atomic<std::size_t> ran{0};
    asio::post(loop.get_executor(), [gate]{ gate.wait(); });
    std::thread t([&]{ loop.run(); });
    for(std::size_t i = 0; i < burst; ++i)
        asio::post(loop.get_executor(), [&ran]{ ran.fetch_add(1, std::memory_order_relaxed); });
    auto const peak = detail::get_task_node_stats();
    BOOST_TEST(peak.blocks >= before.blocks + burst_blocks / 2);
    go.set_value();

    // Idle again: the loop trims before it blocks, a step at a time.
    auto const released = std::chrono::steady_clock::now();
    detail::task_node_stats now;
    bool back = false;
    while(!back && std::chrono::steady_clock::now() - released < 30s)
    {
        now = detail::get_task_node_stats();
        back = ran.load() == burst && now.blocks < before.blocks + burst_blocks / 10;
        if(!back)
            std::this_thread::sleep_for(10ms);
    }
    BOOST_TEST_MESSAGE(cfg.name() << ": task node blocks before " << before.blocks
        << ", at the peak " << peak.blocks << ", after " << now.blocks << " ("
        << std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::steady_clock::now() - released).count() << " ms after the release)");
    BOOST_TEST(ran.load() == burst);
    BOOST_TEST(back, "blocks before " << before.blocks << ", at the peak " << peak.blocks
        << ", after " << now.blocks);
    // The loop still runs what is posted.
    std::promise<void> done;
    asio::post(loop.get_executor(), [&]{ done.set_value(); });
    BOOST_TEST((done.get_future().wait_for(10s) == std::future_status::ready));
    loop.stop();
    t.join();
}

BOOST_AUTO_TEST_SUITE_END()
