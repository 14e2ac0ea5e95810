//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Test that header file is self-contained.
#include <boost/millio/event_loop_options.hpp>

#define BOOST_TEST_MODULE millio_event_loop_options
#include <boost/test/unit_test.hpp>

namespace millio = boost::millio;

BOOST_AUTO_TEST_SUITE(event_loop_options)

BOOST_AUTO_TEST_CASE(defaults_match_the_seed)
{
    millio::event_loop_options o;
    BOOST_TEST(o.io_threads == 0u);      // hardware threads
    BOOST_TEST(o.compute_threads == 0u); // hardware threads
    BOOST_TEST(o.events_capacity == 1024u);
    BOOST_TEST(o.poll_timeout.count() == 150);
    BOOST_TEST((o.mode == millio::dispatch_mode::pool));
    BOOST_TEST((o.backend == millio::backend_type::automatic));
}

BOOST_AUTO_TEST_SUITE_END()
