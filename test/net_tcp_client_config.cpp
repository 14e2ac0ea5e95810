//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Test that header file is self-contained.
#include <boost/millio/net/tcp_client_config.hpp>

#define BOOST_TEST_MODULE millio_net_tcp_client_config
#include <boost/test/unit_test.hpp>

#include <boost/millio/net.hpp>

namespace millio = boost::millio;
namespace net = boost::millio::net;
using namespace std::chrono_literals;
using cfg_t = net::tcp_client_config;

namespace {

// Checks that `c` is refused by validate (both overloads) and by the
// client's constructor.
void refused(cfg_t const& c)
{
    millio::error_code ec;
    c.validate(ec);
    BOOST_TEST(ec == make_error_code(millio::error::invalid_argument));
    BOOST_CHECK_THROW(c.validate(), millio::system_error);
    BOOST_CHECK_THROW(net::tcp_client{c}, millio::system_error);
}

} // (anon)

BOOST_AUTO_TEST_SUITE(net_tcp_client_config)

BOOST_AUTO_TEST_CASE(defaults)
{
    cfg_t c;
    BOOST_TEST(c.buffer_size == 8192u);
    BOOST_TEST(c.write_high_water_mark == 1024u * 1024u);
    BOOST_TEST(c.write_low_water_mark == 256u * 1024u);
    BOOST_TEST(c.connect_timeout.count() == 30000);
    BOOST_TEST(c.close_timeout.count() == 5000);
    BOOST_TEST(c.write_timeout.count() == 30000);
    millio::error_code ec = make_error_code(millio::error::shut_down);
    c.validate(ec);
    BOOST_TEST(!ec);
    BOOST_CHECK_NO_THROW(c.validate());
    BOOST_CHECK_NO_THROW(net::tcp_client{c});
}

BOOST_AUTO_TEST_CASE(valid_values)
{
    cfg_t c;
    c.buffer_size = 1;
    c.write_high_water_mark = 2;
    c.write_low_water_mark = 1;
    c.connect_timeout = 0ms;      // no time-out
    c.close_timeout = 0ms;
    c.write_timeout = 0ms;
    BOOST_CHECK_NO_THROW(c.validate());
    c.write_low_water_mark = 0;
    c.connect_timeout = std::chrono::hours(24 * 365);
    BOOST_CHECK_NO_THROW(c.validate());
    BOOST_CHECK_NO_THROW(net::tcp_client{c});
}

BOOST_AUTO_TEST_CASE(invalid_values)
{
    {
        cfg_t c;
        c.buffer_size = 0;
        refused(c);
    }
    {
        cfg_t c;
        c.write_high_water_mark = 0;
        c.write_low_water_mark = 0;
        refused(c);
    }
    {
        cfg_t c;
        c.write_low_water_mark = c.write_high_water_mark;
        refused(c);
    }
    {
        cfg_t c;
        c.write_low_water_mark = c.write_high_water_mark + 1;
        refused(c);
    }
    {
        cfg_t c;
        c.connect_timeout = -1ms;
        refused(c);
    }
    {
        cfg_t c;
        c.close_timeout = -1ms;
        refused(c);
    }
    {
        cfg_t c;
        c.write_timeout = -1ms;
        refused(c);
    }
}

BOOST_AUTO_TEST_CASE(positional_constructor)
{
    // The positional form validates like the configuration.
    BOOST_CHECK_NO_THROW(net::tcp_client());
    BOOST_CHECK_NO_THROW(net::tcp_client(4096, 1 << 20, 1 << 10));
    BOOST_CHECK_THROW(net::tcp_client(0), millio::system_error);
    BOOST_CHECK_THROW(net::tcp_client(8192, 0, 0), millio::system_error);
    BOOST_CHECK_THROW(net::tcp_client(8192, 100, 100), millio::system_error);
}

BOOST_AUTO_TEST_SUITE_END()
