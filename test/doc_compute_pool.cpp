//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// The snippets of doc/qbk/compute_pool.qbk, run as tests.

#include <boost/millio/compute_pool.hpp>
#include <boost/millio/task_priority.hpp>

#define BOOST_TEST_MODULE millio_doc_compute_pool
#include <boost/test/unit_test.hpp>

#include <boost/asio/post.hpp>
#include <boost/asio/require.hpp>
#include <boost/asio/query.hpp>
#include <boost/asio/use_future.hpp>

#include <chrono>
#include <future>

BOOST_AUTO_TEST_SUITE(doc_compute_pool)

BOOST_AUTO_TEST_CASE(priority_property, *boost::unit_test::timeout(30))
{
    boost::millio::compute_pool pool(2);

    //[doc_compute_pool_priority
    auto ex = boost::asio::require(pool.get_executor(),
        boost::millio::priority.high);
    boost::millio::task_priority p =
        boost::asio::query(ex, boost::millio::priority);
    //]
    BOOST_TEST(static_cast<int>(p) == static_cast<int>(boost::millio::task_priority::high));

    //[doc_compute_pool_priority_post
    std::future<int> answer = boost::asio::post(ex,
        boost::asio::use_future([] { return 6 * 7; }));   // runs at high priority
    //]
    BOOST_TEST((answer.wait_for(std::chrono::seconds(20)) == std::future_status::ready));
    BOOST_TEST(answer.get() == 42);
}

BOOST_AUTO_TEST_SUITE_END()
