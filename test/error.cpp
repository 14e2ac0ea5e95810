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
#include <system_error>
#include <string>

namespace millio = boost::millio;

BOOST_AUTO_TEST_SUITE(error)

BOOST_AUTO_TEST_CASE(every_code_has_a_distinct_message)
{
    std::set<std::string> seen;
    for(int i = 1; i <= static_cast<int>(millio::error::signal_in_use); ++i)
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

// default_error_condition: the library's errors compare equal to the
// portable conditions of the same meaning (Boost's errc and std::errc),
// and stay distinct from each other.
BOOST_AUTO_TEST_CASE(portable_conditions)
{
    namespace errc = boost::system::errc;
    using E = millio::error;
    struct row { E e; errc::errc_t c; };
    row const rows[] = {
        {E::token_in_use, errc::file_exists},
        {E::source_in_use, errc::file_exists},
        {E::not_registered, errc::no_such_file_or_directory},
        {E::invalid_argument, errc::invalid_argument},
        {E::queue_full, errc::resource_unavailable_try_again},
        {E::send_queue_full, errc::resource_unavailable_try_again},
        {E::not_connected, errc::not_connected},
        {E::idle_timeout, errc::timed_out},
        {E::close_timeout, errc::timed_out},
        {E::write_timeout, errc::timed_out},
        {E::signal_in_use, errc::device_or_resource_busy},
    };
    for(auto const& r : rows)
    {
        millio::error_code ec = r.e;
        BOOST_TEST_CONTEXT(ec.message())
        {
            BOOST_TEST(ec == errc::make_error_condition(r.c));
            BOOST_TEST((ec.default_error_condition() == errc::make_error_condition(r.c)));
            // std::errc too, through the conversion to std::error_code
            std::error_code sec = ec;
            BOOST_TEST((sec == static_cast<std::errc>(r.c)));
            // an errc code is not the library's error: that stays exact
            BOOST_TEST(ec != make_error_code(r.c));
        }
    }
    millio::error_code inv = E::invalid_argument;
    BOOST_TEST(inv == errc::invalid_argument);
    BOOST_TEST(inv != errc::timed_out);
    BOOST_TEST(inv != make_error_code(E::token_in_use));
    // Values without a portable meaning are conditions of their own.
    for(E e : {E::already_running, E::shut_down, E::unknown_connection,
        E::connection_limit, E::already_started, E::handler_exception,
        E::timer_not_pending})
    {
        millio::error_code ec = e;
        BOOST_TEST((ec.default_error_condition().category() == ec.category()));
        BOOST_TEST(ec.default_error_condition().value() == static_cast<int>(e));
    }
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
