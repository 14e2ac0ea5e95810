//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_NET_IMPL_TCP_CLIENT_IPP
#define BOOST_MILLIO_NET_IMPL_TCP_CLIENT_IPP

#include <boost/millio/net/tcp_client.hpp>
#include <boost/millio/net/detail/connection.hpp>
#include <boost/millio/net/detail/socket_ops.hpp>
#include <boost/millio/detail/except.hpp>
#include <mutex>

#include <cerrno>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

namespace boost {
namespace millio {
namespace net {
namespace detail {

class client_impl final
    : public connection_owner
{
public:
    tcp_client& self_;
    connection::limits lim_;
    buffer_pool pool_;
    std::shared_ptr<client_handler> handler_;
    asio::ip::tcp::endpoint remote_;
    int fd_ = -1;
    std::shared_ptr<connection> conn_;
    mutable std::mutex m_;

    client_impl(tcp_client& self, connection::limits const& lim)
        : self_(self)
        , lim_(lim)
        , pool_(lim.buffer_size)
    {
    }

    ~client_impl()
    {
        if(fd_ >= 0)
            ::close(fd_);
    }

    std::shared_ptr<connection> get() const
    {
        std::lock_guard<std::mutex> lk(m_);
        return conn_;
    }

    void conn_connected(connection&) override
    {
        handler_->on_connect(self_);
    }

    void conn_data(connection&, asio::const_buffer b) override
    {
        handler_->on_data(self_, b);
    }

    void conn_writable(connection&) override
    {
        handler_->on_writable(self_);
    }

    void conn_error(connection&, error_code ec) noexcept override
    {
        try
        {
            handler_->on_error(self_, ec);
        }
        catch(...)
        {
        }
    }

    void conn_closed(connection& c, bool notified) noexcept override
    {
        if(!notified)
            return;
        try
        {
            handler_->on_disconnect(self_);
        }
        catch(...)
        {
            error_code ec;
            BOOST_MILLIO_FAIL(ec, error::handler_exception);
            conn_error(c, ec);
        }
    }
};

} // detail

tcp_client::
tcp_client(
    std::size_t buffer_size,
    std::size_t high_water,
    std::size_t low_water)
{
    if(buffer_size == 0 || high_water == 0 || low_water >= high_water)
        millio::detail::throw_system_error(make_error_code(error::invalid_argument));
    impl_ = std::make_shared<detail::client_impl>(*this,
        detail::connection::limits{buffer_size, high_water, low_water});
}

tcp_client::
~tcp_client()
{
    auto c = impl_->get();
    if(c)
        c->close_now();
}

void
tcp_client::
connect(endpoint_type const& ep, std::shared_ptr<client_handler> handler, error_code& ec)
{
    ec = {};
    if(!handler)
    {
        BOOST_MILLIO_FAIL(ec, error::invalid_argument);
        return;
    }
    std::lock_guard<std::mutex> lk(impl_->m_);
    if(impl_->fd_ >= 0 || impl_->conn_)
    {
        BOOST_MILLIO_FAIL(ec, error::already_started);
        return;
    }
    int fd = ::socket(ep.protocol().family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if(fd < 0)
    {
        ec = detail::socket_error(errno);
        return;
    }
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if(::connect(fd, ep.data(), static_cast<socklen_t>(ep.size())) != 0 &&
        errno != EINPROGRESS)
    {
        ec = detail::socket_error(errno);
        ::close(fd);
        return;
    }
    impl_->fd_ = fd;
    impl_->remote_ = ep;
    impl_->handler_ = std::move(handler);
}

void
tcp_client::
connect(endpoint_type const& ep, std::shared_ptr<client_handler> handler)
{
    error_code ec;
    connect(ep, std::move(handler), ec);
    millio::detail::throw_if(ec);
}

void
tcp_client::
start(event_loop& loop, token t, error_code& ec)
{
    ec = {};
    std::lock_guard<std::mutex> lk(impl_->m_);
    if(impl_->conn_)
    {
        BOOST_MILLIO_FAIL(ec, error::already_started);
        return;
    }
    if(impl_->fd_ < 0)
    {
        BOOST_MILLIO_FAIL(ec, error::not_connected);
        return;
    }
    auto c = std::make_shared<detail::connection>(*impl_, loop.reactor(), impl_->pool_,
        impl_->fd_, 0, impl_->remote_, impl_->lim_, true);
    c->open(t, true, ec);
    if(ec)
    {
        c->release_fd();
        return;
    }
    impl_->fd_ = -1;
    impl_->conn_ = std::move(c);
}

void
tcp_client::
start(event_loop& loop, token t)
{
    error_code ec;
    start(loop, t, ec);
    millio::detail::throw_if(ec);
}

void
tcp_client::
send(asio::const_buffer bytes, error_code& ec)
{
    auto c = impl_->get();
    if(!c)
    {
        BOOST_MILLIO_FAIL(ec, error::not_connected);
        return;
    }
    c->send(bytes, ec);
}

void
tcp_client::
send(asio::const_buffer bytes)
{
    error_code ec;
    send(bytes, ec);
    millio::detail::throw_if(ec);
}

void
tcp_client::
disconnect() noexcept
{
    std::shared_ptr<detail::connection> c;
    {
        std::lock_guard<std::mutex> lk(impl_->m_);
        c = impl_->conn_;
        if(!c && impl_->fd_ >= 0)
        {
            ::close(impl_->fd_);
            impl_->fd_ = -1;
        }
    }
    if(c)
        c->close();
}

bool
tcp_client::
is_connected() const noexcept
{
    auto c = impl_->get();
    return c && c->is_open();
}

auto
tcp_client::
remote_endpoint() const noexcept -> endpoint_type
{
    std::lock_guard<std::mutex> lk(impl_->m_);
    return impl_->remote_;
}

} // net
} // millio
} // boost

#endif
