//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_NET_IMPL_TCP_SERVER_CONFIG_IPP
#define BOOST_MILLIO_NET_IMPL_TCP_SERVER_CONFIG_IPP

#include <boost/millio/net/tcp_server_config.hpp>

#include <climits>
#include <boost/millio/detail/except.hpp>
#include <cstdlib>

#if defined(_WIN32)
#include <boost/millio/detail/win32.hpp>
#else
#include <netdb.h>
#include <sys/socket.h>
#endif

namespace boost {
namespace millio {
namespace net {

tcp_server_config::
tcp_server_config()
    : address_(asio::ip::address_v4::any(), 8080)
    , backlog_(SOMAXCONN)
{
}

tcp_server_config::builder::
builder() = default;

auto
tcp_server_config::builder::
address(endpoint_type const& ep) -> builder&
{
    cfg_.address_ = ep;
    address_string_.clear();
    return *this;
}

auto
tcp_server_config::builder::
address(std::string const& s) -> builder&
{
    address_string_ = s;
    if(address_string_.empty())
        address_string_ = ":"; // fails in build()
    return *this;
}

auto tcp_server_config::builder::buffer_size(std::size_t n) -> builder& { cfg_.buffer_size_ = n; return *this; }

auto
tcp_server_config::builder::
max_connections(std::optional<std::size_t> n) -> builder&
{
    max_zero_ = n && *n == 0;
    cfg_.max_connections_ = n;
    return *this;
}

auto tcp_server_config::builder::no_delay(bool b) -> builder& { cfg_.no_delay_ = b; return *this; }
auto tcp_server_config::builder::keep_alive(std::optional<duration_type> d) -> builder& { cfg_.keep_alive_ = d; return *this; }
auto tcp_server_config::builder::backlog(int n) -> builder& { cfg_.backlog_ = n; return *this; }
auto tcp_server_config::builder::reuse_address(bool b) -> builder& { cfg_.reuse_address_ = b; return *this; }
auto tcp_server_config::builder::reuse_port(bool b) -> builder& { cfg_.reuse_port_ = b; return *this; }
auto tcp_server_config::builder::write_high_water_mark(std::size_t n) -> builder& { cfg_.high_water_ = n; return *this; }
auto tcp_server_config::builder::write_low_water_mark(std::size_t n) -> builder& { cfg_.low_water_ = n; return *this; }
auto tcp_server_config::builder::read_budget(std::size_t n) -> builder& { cfg_.read_budget_ = n; return *this; }
auto tcp_server_config::builder::idle_timeout(std::optional<duration_type> d) -> builder& { cfg_.idle_timeout_ = d; return *this; }
auto tcp_server_config::builder::send_buffer_size(std::optional<std::size_t> n) -> builder& { cfg_.sndbuf_ = n; return *this; }
auto tcp_server_config::builder::receive_buffer_size(std::optional<std::size_t> n) -> builder& { cfg_.rcvbuf_ = n; return *this; }
auto tcp_server_config::builder::memory_trim_interval(std::optional<duration_type> d) -> builder& { cfg_.trim_interval_ = d; return *this; }
auto tcp_server_config::builder::close_timeout(duration_type d) -> builder& { cfg_.close_timeout_ = d; return *this; }
auto tcp_server_config::builder::write_timeout(duration_type d) -> builder& { cfg_.write_timeout_ = d; return *this; }

tcp_server_config
tcp_server_config::builder::
build(error_code& ec) const
{
    ec = {};
    tcp_server_config c = cfg_;
    if(!address_string_.empty())
    {
        c.address_ = parse_endpoint(address_string_, ec);
        if(ec)
            return {};
    }
    if(c.buffer_size_ == 0 || max_zero_ || c.high_water_ == 0 || c.read_budget_ == 0 ||
        c.low_water_ >= c.high_water_ || c.backlog_ <= 0 ||
        (c.keep_alive_ && c.keep_alive_->count() < 1000) ||
        (c.idle_timeout_ && c.idle_timeout_->count() <= 0) ||
        (c.trim_interval_ && c.trim_interval_->count() <= 0) ||
        (c.sndbuf_ && (*c.sndbuf_ == 0 || *c.sndbuf_ > static_cast<std::size_t>(INT_MAX))) ||
        (c.rcvbuf_ && (*c.rcvbuf_ == 0 || *c.rcvbuf_ > static_cast<std::size_t>(INT_MAX))) ||
        c.close_timeout_.count() < 0 || c.write_timeout_.count() < 0)
    {
        BOOST_MILLIO_FAIL(ec, error::invalid_argument);
        return {};
    }
    return c;
}

tcp_server_config
tcp_server_config::builder::
build() const
{
    error_code ec;
    auto c = build(ec);
    millio::detail::throw_if(ec);
    return c;
}

asio::ip::tcp::endpoint
parse_endpoint(std::string const& s, error_code& ec)
{
    ec = {};
    std::string host;
    std::string port;
    if(!s.empty() && s[0] == '[')
    {
        auto close = s.find(']');
        if(close == std::string::npos || close + 1 >= s.size() || s[close + 1] != ':')
        {
            BOOST_MILLIO_FAIL(ec, error::invalid_argument);
            return {};
        }
        host = s.substr(1, close - 1);
        port = s.substr(close + 2);
    }
    else
    {
        auto colon = s.rfind(':');
        if(colon == std::string::npos || s.find(':') != colon)
        {
            BOOST_MILLIO_FAIL(ec, error::invalid_argument);
            return {};
        }
        host = s.substr(0, colon);
        port = s.substr(colon + 1);
    }
    if(port.empty() || port.size() > 5 ||
        port.find_first_not_of("0123456789") != std::string::npos)
    {
        BOOST_MILLIO_FAIL(ec, error::invalid_argument);
        return {};
    }
    unsigned long p = std::strtoul(port.c_str(), nullptr, 10);
    if(p > 65535 || host.empty())
    {
        BOOST_MILLIO_FAIL(ec, error::invalid_argument);
        return {};
    }
    error_code aec;
    auto addr = asio::ip::make_address(host, aec);
    if(!aec)
        return asio::ip::tcp::endpoint(addr, static_cast<unsigned short>(p));
    // A name: resolve it (blocking, at configuration time).
#if defined(_WIN32)
    // getaddrinfo needs Winsock started.
    if(millio::detail::winsock_init::instance().result() != 0)
    {
        BOOST_MILLIO_FAIL(ec, error::invalid_argument);
        return {};
    }
#endif
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    if(::getaddrinfo(host.c_str(), nullptr, &hints, &res) != 0 || !res)
    {
        BOOST_MILLIO_FAIL(ec, error::invalid_argument);
        return {};
    }
    asio::ip::tcp::endpoint ep;
    if(res->ai_addrlen <= ep.capacity())
    {
        std::memcpy(ep.data(), res->ai_addr, res->ai_addrlen);
        ep.resize(res->ai_addrlen);
        ep.port(static_cast<unsigned short>(p));
    }
    else
    {
        BOOST_MILLIO_FAIL(ec, error::invalid_argument);
    }
    ::freeaddrinfo(res);
    return ep;
}

} // net
} // millio
} // boost

#endif
