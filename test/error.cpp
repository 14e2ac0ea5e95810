//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Test that header file is self-contained.
#include <boost/millio/error.hpp>

#define BOOST_TEST_MODULE millio_error
#include <boost/test/unit_test.hpp>

#include <boost/millio/detail/except.hpp>

#include <set>
#include <string>

namespace millio = boost::millio;

BOOST_AUTO_TEST_SUITE(error)

BOOST_AUTO_TEST_CASE(every_code_has_a_distinct_message)
{
    std::set<std::string> seen;
    for(int i = 1; i <= static_cast<int>(millio::error::write_timeout); ++i)
    {
        millio::error_code ec = static_cast<millio::error>(i);
        BOOST_TEST(ec.failed());
        BOOST_TEST(std::string(ec.category().name()) == "boost.millio");
        BOOST_TEST(ec.message() != "unknown boost.millio error");
        BOOST_TEST(seen.insert(ec.message()).second);
    }
    millio::error_code ec = static_cast<millio::error>(9999);
    BOOST_TEST(ec.message() == "unknown boost.millio error");
}

BOOST_AUTO_TEST_CASE(compares_with_enum)
{
    millio::error_code ec = millio::error::token_in_use;
    BOOST_TEST(ec == make_error_code(millio::error::token_in_use));
    BOOST_TEST(ec != make_error_code(millio::error::not_registered));
    BOOST_TEST((ec == millio::error::token_in_use));
}

BOOST_AUTO_TEST_CASE(fail_records_location)
{
    millio::error_code ec;
    BOOST_MILLIO_FAIL(ec, millio::error::invalid_argument);
    BOOST_TEST(ec.has_location());
    BOOST_TEST(ec.location().line() > 0u);
    BOOST_CHECK_THROW(millio::detail::throw_if(ec), millio::system_error);
    millio::detail::throw_if(millio::error_code{});
}

BOOST_AUTO_TEST_SUITE_END()
