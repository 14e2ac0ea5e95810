//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Test that header file is self-contained.
#include <boost/millio/compute_pool_options.hpp>

#define BOOST_TEST_MODULE millio_compute_pool_options
#include <boost/test/unit_test.hpp>

#include <boost/millio/compute_pool.hpp>
#include <boost/millio/event_loop_options.hpp>

#include <thread>

namespace millio = boost::millio;

BOOST_AUTO_TEST_SUITE(compute_pool_options)

BOOST_AUTO_TEST_CASE(defaults_follow_event_loop_options)
{
    millio::compute_pool_options opt;
    millio::event_loop_options lo;
    BOOST_TEST(opt.threads == 0u);
    BOOST_TEST(opt.threads == lo.compute_threads);
}

BOOST_AUTO_TEST_CASE(zero_means_hardware_threads, *boost::unit_test::timeout(10))
{
    std::size_t hw = std::thread::hardware_concurrency();
    if(hw == 0)
        hw = 4;
    millio::compute_pool pool(millio::compute_pool_options{});
    BOOST_TEST(pool.thread_count() == hw);
    millio::compute_pool two(millio::compute_pool_options{2});
    BOOST_TEST(two.thread_count() == 2u);
}

BOOST_AUTO_TEST_SUITE_END()
