//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Test that header file is self-contained.
#include <boost/millio/task_priority.hpp>

#define BOOST_TEST_MODULE millio_task_priority
#include <boost/test/unit_test.hpp>

namespace millio = boost::millio;

BOOST_AUTO_TEST_SUITE(task_priority)

BOOST_AUTO_TEST_CASE(values_are_ordered)
{
    static_assert(millio::task_priority::low < millio::task_priority::normal, "");
    static_assert(millio::task_priority::normal < millio::task_priority::high, "");
    static_assert(millio::task_priority::high < millio::task_priority::critical, "");
    static_assert(millio::task_priority_count == 4, "");
    BOOST_TEST(static_cast<int>(millio::task_priority::critical) == 3);
}

BOOST_AUTO_TEST_CASE(property_values)
{
    static_assert(millio::priority_t::is_requirable, "");
    static_assert(millio::priority_t::is_preferable, "");
    constexpr millio::priority_t q{};
    static_assert(q.value() == millio::task_priority::normal, "");
    static_assert(millio::priority.high.value() == millio::task_priority::high, "");
    static_assert(millio::priority.low != millio::priority.critical, "");
    static_assert(millio::priority.normal == millio::priority_t{}, "");
    BOOST_TEST((millio::priority.critical.value() == millio::task_priority::critical));
}

BOOST_AUTO_TEST_SUITE_END()
