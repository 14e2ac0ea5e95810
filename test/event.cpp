//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Test that header file is self-contained.
#include <boost/millio/event.hpp>

#define BOOST_TEST_MODULE millio_event
#include <boost/test/unit_test.hpp>

namespace millio = boost::millio;

BOOST_AUTO_TEST_SUITE(event)

BOOST_AUTO_TEST_CASE(token_compare_and_hash)
{
    millio::token a(1), b(2), c(1);
    BOOST_TEST(a.value() == 1u);
    BOOST_TEST((a == c));
    BOOST_TEST((a != b));
    BOOST_TEST((a < b));
    BOOST_TEST(std::hash<millio::token>()(a) == std::hash<millio::token>()(c));
    BOOST_TEST(millio::token().value() == 0u);
}

BOOST_AUTO_TEST_CASE(interest_combines)
{
    using millio::interest;
    auto both = interest::readable | interest::writable;
    BOOST_TEST(has_interest(both, interest::readable));
    BOOST_TEST(has_interest(both, interest::writable));
    BOOST_TEST(!has_interest(interest::readable, interest::writable));
    BOOST_TEST(((both & interest::writable) == interest::writable));
}

BOOST_AUTO_TEST_CASE(event_flags)
{
    using E = millio::event;
    E e(millio::token(4), E::flag_readable | E::flag_read_closed);
    BOOST_TEST(e.token().value() == 4u);
    BOOST_TEST(e.is_readable());
    BOOST_TEST(!e.is_writable());
    BOOST_TEST(!e.is_error());
    BOOST_TEST(e.is_read_closed());
    BOOST_TEST(!e.is_write_closed());
    E w(millio::token(5), E::flag_writable | E::flag_error | E::flag_write_closed);
    BOOST_TEST(w.is_writable());
    BOOST_TEST(w.is_error());
    BOOST_TEST(w.is_write_closed());
    BOOST_TEST(!w.is_readable());
    BOOST_TEST(E().flags() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
