//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Test that header file is self-contained.
#include <boost/millio/event_handler.hpp>

#define BOOST_TEST_MODULE millio_event_handler
#include <boost/test/unit_test.hpp>

#include <memory>

namespace millio = boost::millio;

namespace {
struct h : millio::event_handler
{
    int* n;
    explicit h(int* p) : n(p) {}
    void handle_event(millio::event const& ev) override { *n += static_cast<int>(ev.token().value()); }
};
} // namespace

BOOST_AUTO_TEST_SUITE(event_handler)

BOOST_AUTO_TEST_CASE(every_handler_kind_is_wrapped)
{
    int n = 0;
    millio::event ev(millio::token(3), millio::event::flag_readable);
    millio::detail::make_event_handler(h(&n))->handle_event(ev);
    BOOST_TEST(n == 3);
    millio::detail::make_event_handler(std::make_shared<h>(&n))->handle_event(ev);
    BOOST_TEST(n == 6);
    millio::detail::make_event_handler([&n](millio::event const& e) {
        n += 10 * static_cast<int>(e.token().value()); })->handle_event(ev);
    BOOST_TEST(n == 36);
}

BOOST_AUTO_TEST_SUITE_END()
