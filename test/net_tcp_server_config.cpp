//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Test that header file is self-contained.
#include <boost/millio/net/tcp_server_config.hpp>

#define BOOST_TEST_MODULE millio_net_tcp_server_config
#include <boost/test/unit_test.hpp>

namespace millio = boost::millio;
namespace net = boost::millio::net;
using namespace std::chrono_literals;
using cfg_t = net::tcp_server_config;

namespace {

millio::error_code fails(cfg_t::builder const& b)
{
    millio::error_code ec;
    b.build(ec);
    BOOST_CHECK_THROW(b.build(), millio::system_error);
    return ec;
}

} // (anon)

BOOST_AUTO_TEST_SUITE(net_tcp_server_config)

BOOST_AUTO_TEST_CASE(defaults)
{
    cfg_t c;
    BOOST_TEST(c.address().port() == 8080);
    BOOST_TEST(c.address().address().is_v4());
    BOOST_TEST(c.buffer_size() == 8192u);
    BOOST_TEST(!c.max_connections().has_value());
    BOOST_TEST(c.no_delay());
    BOOST_TEST(c.keep_alive().has_value());
    BOOST_TEST(c.keep_alive()->count() == 60000);
    BOOST_TEST(c.backlog() > 0);
    BOOST_TEST(c.reuse_address());
    BOOST_TEST(!c.reuse_port());
    BOOST_TEST(c.write_high_water_mark() == 1024u * 1024u);
    BOOST_TEST(c.write_low_water_mark() == 256u * 1024u);
    BOOST_TEST(!c.idle_timeout().has_value());
    BOOST_TEST(c.memory_trim_interval().has_value());
    BOOST_TEST(c.memory_trim_interval()->count() == 1000);
    BOOST_TEST(!c.send_buffer_size().has_value());
    BOOST_TEST(!c.receive_buffer_size().has_value());
    BOOST_TEST(c.close_timeout().count() == 5000);
    BOOST_TEST(c.write_timeout().count() == 30000);
    auto b = cfg_t::builder().build();
    BOOST_TEST(b.close_timeout().count() == 5000);
    BOOST_TEST(b.write_timeout().count() == 30000);
    BOOST_TEST(b.buffer_size() == 8192u);
}

BOOST_AUTO_TEST_CASE(setters)
{
    auto c = cfg_t::builder()
        .address(boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 9000))
        .buffer_size(100)
        .max_connections(7)
        .no_delay(false)
        .keep_alive(std::nullopt)
        .backlog(16)
        .reuse_address(false)
        .reuse_port(true)
        .write_high_water_mark(1000)
        .write_low_water_mark(10)
        .idle_timeout(std::chrono::milliseconds(5000))
        .memory_trim_interval(std::nullopt)
        .send_buffer_size(65536)
        .receive_buffer_size(32768)
        .close_timeout(std::chrono::milliseconds(250))
        .write_timeout(std::chrono::milliseconds(750))
        .build();
    BOOST_TEST(c.address().port() == 9000);
    BOOST_TEST(c.buffer_size() == 100u);
    BOOST_TEST(*c.max_connections() == 7u);
    BOOST_TEST(!c.no_delay());
    BOOST_TEST(!c.keep_alive());
    BOOST_TEST(c.backlog() == 16);
    BOOST_TEST(!c.reuse_address());
    BOOST_TEST(c.reuse_port());
    BOOST_TEST(c.write_high_water_mark() == 1000u);
    BOOST_TEST(c.write_low_water_mark() == 10u);
    BOOST_TEST(c.idle_timeout()->count() == 5000);
    BOOST_TEST(!c.memory_trim_interval().has_value());
    BOOST_TEST(*c.send_buffer_size() == 65536u);
    BOOST_TEST(*c.receive_buffer_size() == 32768u);
    auto t = cfg_t::builder().memory_trim_interval(std::chrono::milliseconds(250)).build();
    BOOST_TEST(t.memory_trim_interval()->count() == 250);
    BOOST_TEST(c.close_timeout().count() == 250);
    BOOST_TEST(c.write_timeout().count() == 750);
}

// Zero disables the close and write time-outs; negative ones fail.
BOOST_AUTO_TEST_CASE(close_and_write_timeouts)
{
    auto inv = make_error_code(millio::error::invalid_argument);
    auto c = cfg_t::builder().close_timeout(0ms).write_timeout(0ms).build();
    BOOST_TEST(c.close_timeout().count() == 0);
    BOOST_TEST(c.write_timeout().count() == 0);
    BOOST_TEST(fails(cfg_t::builder().close_timeout(-1ms)) == inv);
    BOOST_TEST(fails(cfg_t::builder().write_timeout(-1ms)) == inv);
    BOOST_TEST(fails(cfg_t::builder().close_timeout(1ms).write_timeout(-5s)) == inv);
    auto d = cfg_t::builder().close_timeout(1ms).write_timeout(1ms).build();
    BOOST_TEST(d.close_timeout().count() == 1);
    BOOST_TEST(d.write_timeout().count() == 1);
}

BOOST_AUTO_TEST_CASE(address_strings, *boost::unit_test::timeout(30))
{
    auto a = cfg_t::builder().address("127.0.0.1:8081").build().address();
    BOOST_TEST(a.address().to_string() == "127.0.0.1");
    BOOST_TEST(a.port() == 8081);
    auto b = cfg_t::builder().address("[::1]:0").build().address();
    BOOST_TEST(b.address().is_v6());
    BOOST_TEST(b.port() == 0);
    auto c = cfg_t::builder().address("localhost:99").build().address();
    BOOST_TEST(c.address().is_loopback());
    BOOST_TEST(c.port() == 99);
}

BOOST_AUTO_TEST_CASE(invalid, *boost::unit_test::timeout(60))
{
    auto inv = make_error_code(millio::error::invalid_argument);
    BOOST_TEST(fails(cfg_t::builder().buffer_size(0)) == inv);
    BOOST_TEST(fails(cfg_t::builder().max_connections(0)) == inv);
    BOOST_TEST(fails(cfg_t::builder().write_high_water_mark(100).write_low_water_mark(100)) == inv);
    BOOST_TEST(fails(cfg_t::builder().write_high_water_mark(100).write_low_water_mark(200)) == inv);
    BOOST_TEST(fails(cfg_t::builder().write_high_water_mark(0).write_low_water_mark(0)) == inv);
    BOOST_TEST(fails(cfg_t::builder().backlog(0)) == inv);
    BOOST_TEST(fails(cfg_t::builder().memory_trim_interval(std::chrono::milliseconds(0))) == inv);
    BOOST_TEST(fails(cfg_t::builder().memory_trim_interval(std::chrono::milliseconds(-5))) == inv);
    BOOST_TEST(fails(cfg_t::builder().send_buffer_size(0)) == inv);
    BOOST_TEST(fails(cfg_t::builder().receive_buffer_size(0)) == inv);
    BOOST_TEST(fails(cfg_t::builder().send_buffer_size(std::size_t(1) << 40)) == inv);
    BOOST_TEST(fails(cfg_t::builder().address("no.such.host.invalid:80")) == inv);
    BOOST_TEST(fails(cfg_t::builder().address("127.0.0.1")) == inv);
    BOOST_TEST(fails(cfg_t::builder().address("127.0.0.1:99999")) == inv);
    BOOST_TEST(fails(cfg_t::builder().address("127.0.0.1:http")) == inv);
    BOOST_TEST(fails(cfg_t::builder().address("[::1]")) == inv);
    BOOST_TEST(fails(cfg_t::builder().address("::1:80")) == inv);
    BOOST_TEST(fails(cfg_t::builder().address("")) == inv);
    millio::error_code ec;
    net::parse_endpoint("[::1]:80", ec);
    BOOST_TEST(!ec);
    net::parse_endpoint("x", ec);
    BOOST_TEST(ec == inv);
}

BOOST_AUTO_TEST_SUITE_END()
