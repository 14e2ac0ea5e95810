//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Test that header file is self-contained.
#include <boost/millio/net/connection_id.hpp>

#define BOOST_TEST_MODULE millio_net_connection_id
#include <boost/test/unit_test.hpp>

#include <sstream>
#include <unordered_set>

using boost::millio::net::connection_id;

BOOST_AUTO_TEST_SUITE(net_connection_id)

BOOST_AUTO_TEST_CASE(value_compare_hash)
{
    constexpr connection_id z;
    BOOST_TEST(z.value() == 0u);
    connection_id a(1), b(2), a2(1);
    BOOST_TEST((a == a2));
    BOOST_TEST((a != b));
    BOOST_TEST((a < b));
    std::unordered_set<connection_id> s{a, b, a2};
    BOOST_TEST(s.size() == 2u);
    std::ostringstream os;
    os << b;
    BOOST_TEST(os.str() == "2");
}

BOOST_AUTO_TEST_SUITE_END()
