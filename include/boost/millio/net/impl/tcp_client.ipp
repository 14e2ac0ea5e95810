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
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

namespace boost {
namespace millio {
namespace net {
namespace detail {

class client_impl final
    : public connection_owner
{
public:
    // Thrown by conn_connected to make the connection close at once.
    struct abandon {};

    enum : int
    {
        connecting = 0, // on_connect not called yet
        connected = 1,  // on_connect returned
        ended = 2,      // closed before on_connect: never called
        connecting_cb = 3 // on_connect is running
    };

    tcp_client& self_;
    connection::limits lim_;
    std::chrono::milliseconds connect_timeout_;
    std::chrono::milliseconds write_timeout_;
    buffer_pool pool_;
    std::shared_ptr<client_handler> handler_;
    asio::ip::tcp::endpoint remote_;
    int fd_ = -1;
    std::shared_ptr<connection> conn_;
    millio::detail::reactor* reactor_ = nullptr;
    std::uint64_t timer_ = 0;            // connect time-out
    std::uint64_t deadline_timer_ = 0;   // close and write time-outs
    mutable std::mutex m_;
    std::condition_variable cb_cv_;         // on_connect returned

    std::atomic<int> phase_{connecting};
    std::atomic<bool> timed_out_{false};
    std::atomic<bool> detached_{false};     // the tcp_client is being destroyed
    std::atomic<bool> disc_done_{false};    // on_disconnect was called

    client_impl(tcp_client& self, tcp_client_config const& cfg)
        : self_(self)
        , lim_{cfg.buffer_size, cfg.write_high_water_mark, cfg.write_low_water_mark}
        , connect_timeout_(cfg.connect_timeout)
        , write_timeout_(cfg.write_timeout)
        , pool_(cfg.buffer_size)
    {
        lim_.close_timeout = std::chrono::duration_cast<
            std::chrono::nanoseconds>(cfg.close_timeout).count();
        lim_.write_timeout = std::chrono::duration_cast<
            std::chrono::nanoseconds>(cfg.write_timeout).count();
        lim_.pause_reads = false;
        lim_.eager_send = true;
    }

    ~client_impl()
    {
        if(fd_ >= 0)
            close_socket(fd_);
    }

    std::shared_ptr<connection> get() const
    {
        std::lock_guard<std::mutex> lk(m_);
        return conn_;
    }

    // Returns true if on_connect had not started: it never will.
    bool end_connecting() noexcept
    {
        int p = connecting;
        if(!phase_.compare_exchange_strong(p, ended, std::memory_order_acq_rel))
            return false;
        cancel_timer();
        return true;
    }

    void cancel_timer() noexcept
    {
        cancel(timer_);
    }

    void cancel_deadline_timer() noexcept
    {
        cancel(deadline_timer_);
    }

    void cancel(std::uint64_t& timer) noexcept
    {
        std::uint64_t id;
        millio::detail::reactor* r;
        {
            std::lock_guard<std::mutex> lk(m_);
            id = timer;
            r = reactor_;
            timer = 0;
        }
        if(id != 0)
            r->cancel_timer(id);
    }

    // One timer checks the close and write time-outs four times per the
    // shortest of them: a deadline is enforced between 1 and 1.25
    // time-outs after it started. Called with m_ held, by start().
    void start_deadline_timer(std::weak_ptr<client_impl> w) noexcept
    {
        std::int64_t shortest = 0;
        for(std::int64_t t : {lim_.close_timeout, lim_.write_timeout})
            if(t > 0 && (shortest == 0 || t < shortest))
                shortest = t;
        if(shortest == 0)
            return;
        std::chrono::nanoseconds period(shortest / 4);
        if(period < std::chrono::milliseconds(1))
            period = std::chrono::milliseconds(1);
        error_code ec;
        deadline_timer_ = reactor_->add_timer(period, period, [w] {
            if(auto p = w.lock())
                p->check_deadlines();
        }, ec);
        // Without a timer (the loop is shutting down) only the kernel's
        // time-outs apply.
    }

    void check_deadlines() noexcept
    {
        // Before on_connect, the connect time-out applies instead.
        if(!saw_connect())
            return;
        auto c = get();
        if(!c)
            return;
        error const e = c->check_deadlines(connection::now_ns(), 0);
        if(e != error{})
            c->expire(e);
    }

    // The connect time-out expired (on a thread of the loop).
    void connect_expired() noexcept
    {
        {
            std::lock_guard<std::mutex> lk(m_);
            timer_ = 0;
        }
        int p = connecting;
        if(!phase_.compare_exchange_strong(p, ended, std::memory_order_acq_rel))
            return;
        // The connection's handler reports it, when it closed.
        timed_out_.store(true, std::memory_order_release);
        if(auto c = get())
            c->close();
    }

    // True if on_connect was called (on_disconnect is then due).
    bool saw_connect() const noexcept
    {
        int p = phase_.load(std::memory_order_acquire);
        return p == connected || p == connecting_cb;
    }

    void connect_returned() noexcept
    {
        {
            std::lock_guard<std::mutex> lk(m_);
            phase_.store(connected, std::memory_order_release);
        }
        cb_cv_.notify_all();
    }

    // Wait until a running on_connect returned (not on a thread of the loop).
    void wait_connect_returned() noexcept
    {
        std::unique_lock<std::mutex> lk(m_);
        if(!reactor_ || reactor_->running_in_this_thread())
            return;
        cb_cv_.wait(lk, [this]{
            return phase_.load(std::memory_order_acquire) != connecting_cb; });
    }

    bool live() const noexcept
    {
        return !detached_.load(std::memory_order_acquire);
    }

    void conn_connected(connection&) override
    {
        int p = connecting;
        if(!phase_.compare_exchange_strong(p, connecting_cb, std::memory_order_acq_rel))
            throw abandon{};
        cancel_timer();
        // on_connect started before a destructor or disconnect() could
        // cancel it: it runs, and on_disconnect follows.
        try
        {
            handler_->on_connect(self_);
        }
        catch(...)
        {
            connect_returned();
            throw;
        }
        connect_returned();
    }

    void conn_data(connection&, asio::const_buffer b) override
    {
        if(live())
            handler_->on_data(self_, b);
    }

    void conn_writable(connection&) override
    {
        if(live())
            handler_->on_writable(self_);
    }

    void report_error(error_code ec) noexcept
    {
        if(!live())
            return;
        try
        {
            handler_->on_error(self_, ec);
        }
        catch(...)
        {
        }
    }

    void conn_error(connection&, error_code ec) noexcept override
    {
        int p = phase_.load(std::memory_order_acquire);
        if(p == connecting)
        {
            // The connect failed.
            if(!end_connecting())
                return;
        }
        else if(p == ended)
        {
            // Cancelled or timed out: what follows is not reported.
            return;
        }
        report_error(ec);
    }

    void conn_closed(connection&, bool) noexcept override
    {
        cancel_deadline_timer();
        if(timed_out_.exchange(false, std::memory_order_acq_rel))
        {
            report_error(socket_error(error_timed_out));
            return;
        }
        if(!saw_connect())
            return;
        report_disconnect();
    }

    // Calls on_disconnect once, unless the tcp_client is being destroyed
    // (its destructor calls it then).
    void report_disconnect(bool from_destructor = false) noexcept
    {
        if(!from_destructor && !live())
            return;
        if(disc_done_.exchange(true, std::memory_order_acq_rel))
            return;
        try
        {
            handler_->on_disconnect(self_);
        }
        catch(...)
        {
            error_code ec;
            BOOST_MILLIO_FAIL(ec, error::handler_exception);
            if(from_destructor)
            {
                try
                {
                    handler_->on_error(self_, ec);
                }
                catch(...)
                {
                }
            }
            else
                report_error(ec);
        }
    }
};

} // detail

tcp_client::
tcp_client(tcp_client_config const& cfg)
{
    cfg.validate();
    impl_ = std::make_shared<detail::client_impl>(*this, cfg);
}

tcp_client::
tcp_client(
    std::size_t buffer_size,
    std::size_t high_water,
    std::size_t low_water)
    : tcp_client([&]
        {
            tcp_client_config cfg;
            cfg.buffer_size = buffer_size;
            cfg.write_high_water_mark = high_water;
            cfg.write_low_water_mark = low_water;
            return cfg;
        }())
{
}

tcp_client::
~tcp_client()
{
    auto& i = *impl_;
    // on_connect does not start from now on.
    i.end_connecting();
    std::shared_ptr<detail::connection> c;
    {
        std::lock_guard<std::mutex> lk(i.m_);
        // The connection keeps the implementation alive while its
        // handler may run; dropping this reference breaks the cycle.
        c = std::move(i.conn_);
        if(i.fd_ >= 0)
        {
            detail::close_socket(i.fd_);
            i.fd_ = -1;
        }
    }
    i.cancel_timer();
    i.cancel_deadline_timer();
    i.detached_.store(true, std::memory_order_release);
    if(c)
        c->close_now();
    if(i.saw_connect())
        i.report_disconnect(true);
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
    int fd = detail::open_socket(ep.protocol().family());
    if(fd < 0)
    {
        ec = detail::socket_error(detail::last_error());
        return;
    }
    detail::set_option(fd, IPPROTO_TCP, TCP_NODELAY, 1);
    detail::set_user_timeout(fd, impl_->write_timeout_);
    if(int const e = detail::start_connect(fd, ep))
    {
        ec = detail::socket_error(e);
        detail::close_socket(fd);
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
    if(impl_->phase_.load(std::memory_order_acquire) != detail::client_impl::connecting)
    {
        // disconnect() cancelled the connect
        BOOST_MILLIO_FAIL(ec, error::not_connected);
        return;
    }
    auto c = std::make_shared<detail::connection>(*impl_, millio::detail::access::reactor(loop), impl_->pool_,
        impl_->fd_, 0, impl_->remote_, impl_->lim_, true);
    c->keep_alive(impl_);
    c->open(t, true, ec);
    if(ec)
    {
        c->release_fd();
        return;
    }
    impl_->fd_ = -1;
    impl_->conn_ = std::move(c);
    impl_->reactor_ = &millio::detail::access::reactor(loop);
    if(impl_->connect_timeout_.count() > 0)
    {
        std::weak_ptr<detail::client_impl> w = impl_;
        error_code tec;
        impl_->timer_ = millio::detail::access::reactor(loop).add_timer(impl_->connect_timeout_,
            std::chrono::nanoseconds(0),
            [w]
            {
                if(auto p = w.lock())
                    p->connect_expired();
            }, tec);
        // Without a timer (the loop is shutting down) the connect is
        // bounded by the system's time-out only.
    }
    impl_->start_deadline_timer(impl_);
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
    // A pending connect is given up: on_connect does not start from now
    // on, and the connection closes at once (nothing to flush). An
    // on_connect already running is waited for, except on a thread of
    // the loop.
    if(!impl_->end_connecting() &&
        impl_->phase_.load(std::memory_order_acquire) == detail::client_impl::connecting_cb)
        impl_->wait_connect_returned();
    std::shared_ptr<detail::connection> c;
    {
        std::lock_guard<std::mutex> lk(impl_->m_);
        c = impl_->conn_;
        if(!c && impl_->fd_ >= 0)
        {
            detail::close_socket(impl_->fd_);
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
    return c && c->is_open() && impl_->saw_connect();
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
