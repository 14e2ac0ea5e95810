//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Test that header file is self-contained.
#include <boost/millio/compute_metrics.hpp>

#define BOOST_TEST_MODULE millio_compute_metrics
#include <boost/test/unit_test.hpp>

namespace millio = boost::millio;

BOOST_AUTO_TEST_SUITE(compute_metrics)

BOOST_AUTO_TEST_CASE(default_view_reads_zero)
{
    millio::compute_metrics m;
    BOOST_TEST(m.tasks_submitted() == 0u);
    BOOST_TEST(m.tasks_completed() == 0u);
    BOOST_TEST(m.tasks_failed() == 0u);
    BOOST_TEST(m.active_workers() == 0u);
    BOOST_TEST(m.queue_depth(millio::task_priority::high) == 0u);
    BOOST_TEST(m.queue_depth_low() == 0u);
    BOOST_TEST(m.queue_depth_normal() == 0u);
    BOOST_TEST(m.queue_depth_high() == 0u);
    BOOST_TEST(m.queue_depth_critical() == 0u);
    BOOST_TEST(m.total_execution_time().count() == 0);
    BOOST_TEST(m.total_execution_time_ns() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
