//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_NET_IMPL_TCP_SERVER_IPP
#define BOOST_MILLIO_NET_IMPL_TCP_SERVER_IPP

#include <boost/millio/net/tcp_server.hpp>
#include <boost/millio/net/detail/connection.hpp>
#include <boost/millio/net/detail/socket_ops.hpp>
#include <boost/millio/net/detail/uring_connection.hpp>
#include <boost/millio/detail/except.hpp>
#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace boost {
namespace millio {
namespace net {
namespace detail {

class server_impl final
    : public connection_owner
    , public std::enable_shared_from_this<server_impl>
{
    class listener_handler final : public event_handler
    {
        server_impl* s_;

    public:
        explicit listener_handler(server_impl* s) noexcept
            : s_(s)
        {
        }

        void handle_event(event const&) override
        {
            s_->on_accept_ready();
        }
    };

public:
    tcp_server_config cfg_;
    std::shared_ptr<network_handler> handler_;
    buffer_pool pool_;
    // Read buffers of connections whose reads fill the small ones.
    std::unique_ptr<buffer_pool> bulk_pool_;
    server_context ctx_;
    millio::detail::reactor* reactor_ = nullptr;

    mutable std::mutex m_;
    std::condition_variable cv_;
    std::unordered_map<std::uint64_t, std::shared_ptr<connection>> conns_;
    std::atomic<std::size_t> count_{0};
    std::uint64_t next_id_ = 0;
    bool started_ = false;
    bool stopping_ = false;
    std::atomic<bool> accepting_{false};
    int listen_fd_ = -1;
    int reserve_fd_ = -1;
    millio::detail::registration* listen_reg_ = nullptr;
    std::uint64_t sweep_timer_ = 0;     // deadlines of the connections
    std::uint64_t accept_timer_ = 0;    // accept retry (out of descriptors)
    std::uint64_t trim_timer_ = 0;      // memory given back
    bool accept_stalled_ = false;       // handler only
    asio::ip::tcp::endpoint local_;
#if defined(BOOST_MILLIO_HAS_IO_URING)
    // The multishot accept of the listener on io_uring, if used; the
    // listener is on readiness meanwhile while out of descriptors.
    uring_acceptor* uacc_ = nullptr;
    std::atomic<bool> uacc_paused_{false};
#endif

    server_impl(tcp_server_config const& cfg, std::shared_ptr<network_handler> h)
        : cfg_(cfg)
        , handler_(std::move(h))
        , pool_(cfg.buffer_size())
        , ctx_(millio::detail::access::construct<server_context>(nullptr, this))
    {
        // Not when a bulk read would not fit between the low- and
        // high-water marks: a connection resumed below the low-water mark
        // with bytes queued would pause again before its first read.
        if(cfg.buffer_size() < bulk_read_size &&
            cfg.write_high_water_mark() - cfg.write_low_water_mark() >= bulk_read_size)
            bulk_pool_.reset(new buffer_pool(bulk_read_size));
    }

    // The size of the read buffers of a connection that streams: large
    // messages are read whole (64 KiB is the largest loopback segment).
    static constexpr std::size_t bulk_read_size = 65536;

    ~server_impl()
    {
#if defined(BOOST_MILLIO_HAS_IO_URING)
        if(uacc_)
            uacc_->release();
#endif
        if(listen_fd_ >= 0)
            close_socket(listen_fd_);
        if(reserve_fd_ >= 0)
            close_reserve(reserve_fd_);
    }

    static std::int64_t to_ns(tcp_server_config::duration_type d) noexcept
    {
        return std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
    }

    connection::limits limits() const noexcept
    {
        connection::limits lim{cfg_.buffer_size(), cfg_.write_high_water_mark(),
            cfg_.write_low_water_mark(), cfg_.read_budget(), bulk_pool_.get()};
        lim.close_timeout = to_ns(cfg_.close_timeout());
        lim.write_timeout = to_ns(cfg_.write_timeout());
        return lim;
    }

    // How long a stalled listener waits before it tries to accept again
    // when no descriptor can be freed.
    static constexpr std::chrono::milliseconds accept_retry_delay{100};

    void report(std::optional<connection_id> id, error_code ec) noexcept
    {
        try
        {
            handler_->on_error(ctx_, id, ec);
        }
        catch(...)
        {
        }
    }

    void notify_event(network_event const& ev) noexcept
    {
        try
        {
            handler_->on_event(ctx_, ev);
        }
        catch(...)
        {
            error_code ec;
            BOOST_MILLIO_FAIL(ec, error::handler_exception);
            report(ev.id, ec);
        }
    }

    void reject(asio::ip::tcp::endpoint const& peer, error_code ec) noexcept
    {
        network_event ev;
        ev.type = network_event::kind::connection_rejected;
        ev.endpoint = peer;
        notify_event(ev);
        report(std::nullopt, ec);
    }

    //--------------------------------------------------------------------------

    void start(event_loop& loop, token t, error_code& ec)
    {
        ec = {};
        {
            std::lock_guard<std::mutex> lk(m_);
            if(started_ || stopping_)
            {
                BOOST_MILLIO_FAIL(ec, error::already_started);
                return;
            }
            auto const& ep = cfg_.address();
            int fd = open_socket(ep.protocol().family());
            if(fd < 0)
            {
                ec = socket_error(last_error());
                return;
            }
#if !defined(_WIN32)
            // (Windows binds over connections in TIME_WAIT without it;
            // there SO_REUSEADDR would let another socket take the
            // address from a listening one.)
            if(cfg_.reuse_address())
                set_option(fd, SOL_SOCKET, SO_REUSEADDR, 1);
#endif
#ifdef SO_REUSEPORT
            if(cfg_.reuse_port())
                set_option(fd, SOL_SOCKET, SO_REUSEPORT, 1);
#endif
            if(int const e = bind_and_listen(fd, ep, cfg_.backlog()))
            {
                ec = socket_error(e);
                close_socket(fd);
                return;
            }
            sockaddr_storage ss{};
            socket_len len = sizeof(ss);
            local_address(fd, ss, len);
            local_ = to_endpoint(ss, len);
            std::unique_ptr<event_handler> h(new listener_handler(this));
            listen_fd_ = fd;
            reactor_ = &millio::detail::access::reactor(loop);
            // On io_uring a multishot accept takes the peers; the
            // listener's registration then only serializes its handler
            // (a listening socket is never writable: watches nothing).
            bool const multishot = uring_accept_usable();
            // The listener goes under the user's token.
            listen_reg_ = reactor_->add(fd, t, true,
                multishot ? interest::writable : interest::readable, std::move(h), ec);
            if(ec)
            {
                listen_reg_ = nullptr;
                listen_fd_ = -1;
                close_socket(fd);
                return;
            }
            // Kept for the EMFILE case: see shed_one().
            reserve_fd_ = open_reserve();
            started_ = true;
            accepting_.store(true);
            if(multishot)
                uring_accept_start();
            start_sweep();
            if(auto every = cfg_.memory_trim_interval())
            {
                auto const period = std::chrono::duration_cast<std::chrono::nanoseconds>(*every);
                std::weak_ptr<server_impl> weak = shared_from_this();
                error_code tec;
                trim_timer_ = reactor_->add_timer(period, period, [weak] {
                    if(auto self = weak.lock())
                        self->trim_memory();
                }, tec);
            }
        }
        network_event ev;
        ev.type = network_event::kind::listening;
        ev.endpoint = local_;
        notify_event(ev);
    }

    // One timer checks the deadlines of every connection, four times
    // per shortest enabled time-out: a deadline is enforced between 1
    // and 1.25 time-outs after it started. It runs until the server is
    // destroyed, so that stop() is followed by the resets it promises.
    void start_sweep() noexcept
    {
        std::int64_t const idle = cfg_.idle_timeout() ? to_ns(*cfg_.idle_timeout()) : 0;
        std::int64_t shortest = 0;
        for(std::int64_t t : {idle, to_ns(cfg_.close_timeout()), to_ns(cfg_.write_timeout())})
            if(t > 0 && (shortest == 0 || t < shortest))
                shortest = t;
        if(shortest == 0)
            return;
        std::chrono::nanoseconds period(shortest / 4);
        if(period < std::chrono::milliseconds(1))
            period = std::chrono::milliseconds(1);
        std::weak_ptr<server_impl> weak = shared_from_this();
        error_code tec;
        sweep_timer_ = reactor_->add_timer(period, period, [weak, idle] {
            if(auto self = weak.lock())
                self->sweep(idle);
        }, tec);
    }

    // The multishot accept (io_uring) is used where the kernel has it,
    // unless the completion path is turned off.
    bool uring_accept_usable() const noexcept
    {
#if defined(BOOST_MILLIO_HAS_IO_URING)
        auto* be = reactor_->uring();
        return be && uring_completions_enabled() && be->accept_ready();
#else
        return false;
#endif
    }

    // Called with m_ held, registered.
    void uring_accept_start() noexcept
    {
#if defined(BOOST_MILLIO_HAS_IO_URING)
        try
        {
            uacc_ = new uring_acceptor(*reactor_->uring(), listen_fd_, listen_reg_->key(),
                event::flag_readable);
        }
        catch(...)
        {
            // Readiness then.
            error_code ig;
            reactor_->modify(listen_reg_, interest::readable, ig);
            return;
        }
        millio::detail::uring_stats().listeners.fetch_add(1, std::memory_order_relaxed);
        // If it cannot be submitted now, the handler arms it.
        if(!uacc_->arm())
            reactor_->notify(listen_reg_, event::flag_readable);
#endif
    }

    // Change what the listener's registration watches (from its handler).
    void listen_interest(interest i) noexcept
    {
        std::lock_guard<std::mutex> lk(m_);
        if(stopping_ || !listen_reg_)
            return;
        error_code ig;
        reactor_->modify(listen_reg_, i, ig);
    }

    // The handler of the listener on the multishot accept: the accepted
    // peers, then the error that ended the request if any (handled as
    // the readiness path handles accept4's), then the request armed
    // again unless the listener stalls (out of descriptors: the retry
    // timer notifies the handler, which arms it).
    void on_uring_accept() noexcept
    {
#if defined(BOOST_MILLIO_HAS_IO_URING)
        for(;;)
        {
            if(!accepting_.load(std::memory_order_acquire))
                return;
            int fd, e;
            if(!uacc_->take(fd, e))
                break;
            if(fd >= 0)
            {
                accept_stalled_ = false;
                sockaddr_storage ss{};
                socklen_t len = sizeof(ss);
                asio::ip::tcp::endpoint peer;
                if(::getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len) == 0)
                    peer = to_endpoint(ss, len);
                accept_one(fd, peer);
                continue;
            }
            if(e == EINTR || e == ECONNABORTED || e == EPROTO || e == EAGAIN || e == EWOULDBLOCK)
                continue;
            if(e == EMFILE || e == ENFILE)
            {
                // Out of descriptors. An accept takes its descriptor
                // before it looks at the backlog: armed again, the
                // request would fail at once, again and again. The
                // listener goes back to readiness (and its shedding and
                // retries) until an accept succeeds.
                uacc_paused_.store(true, std::memory_order_relaxed);
                listen_interest(interest::readable);
                on_accept_ready();
                return;
            }
            // Another error: reported once, retried on the timer (armed
            // again at once, a lasting error would repeat at once).
            stall_accept(e);
            return;
        }
        {
            std::lock_guard<std::mutex> lk(m_);
            if(stopping_ || accept_timer_ != 0)
                return;
        }
        if(!uacc_->arm())
        {
            // No submission queue entry: try again on the timer.
            stall_accept(EAGAIN);
        }
#endif
    }

    void set_options(int fd) noexcept
    {
        if(cfg_.no_delay())
            set_option(fd, IPPROTO_TCP, TCP_NODELAY, 1);
        if(auto n = cfg_.send_buffer_size())
            set_option(fd, SOL_SOCKET, SO_SNDBUF, static_cast<int>(*n));
        if(auto n = cfg_.receive_buffer_size())
            set_option(fd, SOL_SOCKET, SO_RCVBUF, static_cast<int>(*n));
        if(auto ka = cfg_.keep_alive())
        {
            set_option(fd, SOL_SOCKET, SO_KEEPALIVE, 1);
#ifdef TCP_KEEPIDLE
            int secs = static_cast<int>(ka->count() / 1000);
            if(secs < 1)
                secs = 1;
            set_option(fd, IPPROTO_TCP, TCP_KEEPIDLE, secs);
#else
            (void)ka;
#endif
        }
        set_user_timeout(fd, cfg_.write_timeout());
    }

    // Out of descriptors: accept and close one pending peer with the
    // reserve descriptor, so that the backlog drains instead of keeping
    // the listener ready (which would spin a level-triggered loop).
    // (accept fails with EMFILE before it looks at the backlog, so the
    // reserve also tells whether a peer waits.)
    enum class shed_result
    {
        shed,       // a peer was accepted and closed: accept again
        drained,    // nobody waits
        stuck       // no descriptor could be freed (see stall_accept)
    };

    shed_result shed_one(int e) noexcept
    {
        if(reserve_fd_ < 0)
        {
            // Lost at an earlier shortage: a descriptor is free again if
            // it can be taken back, and the next accept may succeed.
            reserve_fd_ = open_reserve();
            return reserve_fd_ >= 0 ? shed_result::shed : shed_result::stuck;
        }
        close_reserve(reserve_fd_);
        reserve_fd_ = -1;
        sockaddr_storage ss{};
        socket_len len = sizeof(ss);
        int fd = accept_socket(listen_fd_, ss, len);
        int const ae = fd < 0 ? last_error() : 0;
        if(fd >= 0)
            close_socket(fd);
        reserve_fd_ = open_reserve();
        if(fd < 0)
        {
            if(is_would_block(ae))
                return shed_result::drained;
            if(is_accept_retry(ae))
                return shed_result::shed;
            // The freed slot was taken by another thread.
            return shed_result::stuck;
        }
        reject(to_endpoint(ss, len), socket_error(e));
        return shed_result::shed;
    }

    // No descriptor could be freed: stop watching the listener (a
    // level-triggered backend would report it again at once) and try
    // again on a timer. Peers wait in the backlog meanwhile; with
    // edge-triggered readiness no new event would come for them.
    void stall_accept(int e) noexcept
    {
        {
            std::lock_guard<std::mutex> lk(m_);
            if(stopping_ || !listen_reg_ || accept_timer_ != 0)
                return;
            // A listening socket never becomes writable: this interest
            // watches nothing.
            error_code ig;
            reactor_->modify(listen_reg_, interest::writable, ig);
            std::weak_ptr<server_impl> weak = weak_from_this();
            error_code tec;
            accept_timer_ = reactor_->add_timer(accept_retry_delay, std::chrono::nanoseconds(0),
                [weak] {
                    if(auto self = weak.lock())
                        self->retry_accept();
                }, tec);
            if(tec)
            {
                // The loop is shutting down: watch the listener as before.
                accept_timer_ = 0;
                reactor_->modify(listen_reg_, interest::readable, ig);
            }
        }
        if(!accept_stalled_)
        {
            // Once per shortage, not once per retry.
            accept_stalled_ = true;
            report(std::nullopt, socket_error(e));
        }
    }

    // The accept retry timer: watch the listener again and run its
    // handler (serialized with readiness events by the reactor).
    void retry_accept() noexcept
    {
        std::lock_guard<std::mutex> lk(m_);
        accept_timer_ = 0;
        if(stopping_ || !listen_reg_)
            return;
        error_code ig;
#if defined(BOOST_MILLIO_HAS_IO_URING)
        // the multishot accept is armed again by the handler
        if(!uacc_ || uacc_paused_.load(std::memory_order_relaxed))
#endif
        reactor_->modify(listen_reg_, interest::readable, ig);
        reactor_->notify(listen_reg_, event::flag_readable);
    }

    void on_accept_ready() noexcept
    {
#if defined(BOOST_MILLIO_HAS_IO_URING)
        if(uacc_ && !uacc_paused_.load(std::memory_order_relaxed))
            return on_uring_accept();
        bool accepted = false;
#endif
        for(;;)
        {
            if(!accepting_.load(std::memory_order_acquire))
                return;
            sockaddr_storage ss{};
            socket_len len = sizeof(ss);
            int fd = accept_socket(listen_fd_, ss, len);
            if(fd < 0)
            {
                int e = last_error();
                if(is_accept_retry(e))
                    continue;
                if(is_would_block(e))
                {
                    // The backlog is served.
                    accept_stalled_ = false;
#if defined(BOOST_MILLIO_HAS_IO_URING)
                    if(uacc_ && accepted)
                    {
                        // Descriptors are back: the multishot accept
                        // takes the peers again.
                        uacc_paused_.store(false, std::memory_order_relaxed);
                        listen_interest(interest::writable);
                        on_uring_accept();
                    }
#endif
                    return;
                }
                if(is_out_of_descriptors(e))
                {
                    auto const r = shed_one(e);
                    if(r == shed_result::shed)
                        continue;
                    if(r == shed_result::stuck)
                        stall_accept(e);
                    else
                        accept_stalled_ = false;
                    return;
                }
                report(std::nullopt, socket_error(e));
                return;
            }
            accept_stalled_ = false;
#if defined(BOOST_MILLIO_HAS_IO_URING)
            accepted = true;
#endif
            accept_one(fd, to_endpoint(ss, len));
        }
    }

    void accept_one(int fd, asio::ip::tcp::endpoint const& peer) noexcept
    {
        std::shared_ptr<connection> c;
        {
            std::unique_lock<std::mutex> lk(m_);
            if(stopping_)
            {
                close_socket(fd);
                return;
            }
            auto maxc = cfg_.max_connections();
            if(maxc && count_.load(std::memory_order_relaxed) >= *maxc)
            {
                lk.unlock();
                close_socket(fd);
                error_code ec;
                BOOST_MILLIO_FAIL(ec, error::connection_limit);
                reject(peer, ec);
                return;
            }
            set_options(fd);
            std::uint64_t id = ++next_id_;
            try
            {
                c = std::make_shared<connection>(*this, *reactor_, pool_, fd, id, peer, limits(), false);
                conns_.emplace(id, c);
            }
            catch(...)
            {
                lk.unlock();
                if(!c)
                    close_socket(fd);
                report(std::nullopt, make_error_code(system::errc::not_enough_memory));
                return;
            }
            count_.fetch_add(1, std::memory_order_relaxed);
        }
        error_code ec;
        // Connections are internal registrations: never user tokens.
        c->open(token(c->id()), false, ec);
        if(ec)
        {
            bool erased;
            {
                std::lock_guard<std::mutex> lk(m_);
                erased = conns_.erase(c->id()) != 0;
                if(erased)
                    count_.fetch_sub(1, std::memory_order_relaxed);
            }
            cv_.notify_all();
            report(std::nullopt, ec);
        }
    }

    std::shared_ptr<connection> find(connection_id id) const
    {
        std::lock_guard<std::mutex> lk(m_);
        auto it = conns_.find(id.value());
        if(it == conns_.end())
            return nullptr;
        return it->second;
    }

    std::vector<std::shared_ptr<connection>> snapshot() const
    {
        std::lock_guard<std::mutex> lk(m_);
        std::vector<std::shared_ptr<connection>> v;
        v.reserve(conns_.size());
        for(auto const& kv : conns_)
            v.push_back(kv.second);
        return v;
    }

    // Closes the connections whose deadline passed (idle for
    // `idle_limit` nanoseconds if positive, close and write time-outs).
    // The table is read under the lock without copying it; only the
    // expired connections are held and expired after it.
    void sweep(std::int64_t idle_limit) noexcept
    {
        std::vector<std::pair<std::shared_ptr<connection>, error>> due;
        {
            std::int64_t const now = connection::now_ns();
            std::lock_guard<std::mutex> lk(m_);
            for(auto const& kv : conns_)
            {
                error const e = kv.second->check_deadlines(now, idle_limit);
                if(e != error{})
                {
                    try
                    {
                        due.emplace_back(kv.second, e);
                    }
                    catch(...)
                    {
                        break; // the next sweep gets the rest
                    }
                }
            }
        }
        for(auto& d : due)
            d.first->expire(d.second);
    }

    // Gives back what the pools did not need since the last trim.
    void trim_memory() noexcept
    {
        try
        {
            pool_.trim();
            if(bulk_pool_)
                bulk_pool_->trim();
        }
        catch(std::bad_alloc const&)
        {
            // nothing trimmed this time
        }
    }

    void stop() noexcept
    {
        millio::detail::registration* reg = nullptr;
        {
            std::lock_guard<std::mutex> lk(m_);
            if(stopping_)
                return;
            stopping_ = true;
            // The sweep and the trims go on: the connections closed below
            // are reset if they do not close within the close time-out,
            // and their buffers are given back.
            if(accept_timer_ != 0)
                reactor_->cancel_timer(accept_timer_);
            accept_timer_ = 0;
            accepting_.store(false, std::memory_order_release);
            reg = listen_reg_;
            listen_reg_ = nullptr;
        }
#if defined(BOOST_MILLIO_HAS_IO_URING)
        // The request ends (its sockets are closed by release()).
        if(uacc_)
            uacc_->cancel();
#endif
        if(reg)
        {
            error_code ig;
            reactor_->remove(reg, ig); // waits for a running accept
            close_socket(listen_fd_);
            listen_fd_ = -1;
        }
        for(auto& c : snapshot())
            c->close();
    }

    void destroy() noexcept
    {
        stop();
        {
            std::lock_guard<std::mutex> lk(m_);
            if(sweep_timer_ != 0)
                reactor_->cancel_timer(sweep_timer_);
            sweep_timer_ = 0;
            if(trim_timer_ != 0)
                reactor_->cancel_timer(trim_timer_);
            trim_timer_ = 0;
        }
        // On a thread of the loop nothing is waited for: a callback
        // running on another thread may be destroying a server whose
        // callback runs on this one. Each connection then keeps this
        // object (and the handler) alive until it has closed and
        // reported, which a running callback does when it returns.
        bool const on_loop = reactor_ && reactor_->running_in_this_thread();
        auto conns = snapshot();
        if(on_loop)
        {
            auto self = shared_from_this();
            for(auto& c : conns)
                c->keep_alive(self);
        }
        for(auto& c : conns)
            c->close_now();
        conns.clear();
        if(on_loop)
            return;
        std::unique_lock<std::mutex> lk(m_);
        cv_.wait(lk, [this]{ return conns_.empty(); });
    }

    //--------------------------------------------------------------------------
    // connection_owner

    void conn_connected(connection& c) override
    {
        network_event ev;
        ev.type = network_event::kind::connection_established;
        ev.id = connection_id(c.id());
        ev.endpoint = c.peer();
        handler_->on_event(ctx_, ev);
        handler_->on_connect(ctx_, connection_id(c.id()));
    }

    void conn_data(connection& c, asio::const_buffer b) override
    {
        handler_->on_data(ctx_, connection_id(c.id()), b);
    }

    void conn_writable(connection& c) override
    {
        handler_->on_writable(ctx_, connection_id(c.id()));
    }

    void conn_error(connection& c, error_code ec) noexcept override
    {
        report(connection_id(c.id()), ec);
    }

    void conn_closed(connection& c, bool notified) noexcept override
    {
        if(notified)
        {
            connection_id id(c.id());
            network_event ev;
            ev.type = network_event::kind::connection_closed;
            ev.id = id;
            ev.endpoint = c.peer();
            notify_event(ev);
            try
            {
                handler_->on_disconnect(ctx_, id);
            }
            catch(...)
            {
                error_code ec;
                BOOST_MILLIO_FAIL(ec, error::handler_exception);
                report(id, ec);
            }
        }
        std::shared_ptr<connection> keep;
        {
            std::lock_guard<std::mutex> lk(m_);
            auto it = conns_.find(c.id());
            if(it != conns_.end())
            {
                keep = std::move(it->second);
                conns_.erase(it);
                count_.fetch_sub(1, std::memory_order_relaxed);
            }
            cv_.notify_all();
        }
    }
};

} // detail

//------------------------------------------------------------------------------

namespace {

inline
detail::connection*
local_connection(detail::server_impl* s, connection_id id) noexcept
{
    auto* c = detail::connection::current();
    if(c && c->id() == id.value() && &c->owner() == s)
        return c;
    return nullptr;
}

} // (anon)

server_context::
server_context(server_context const& other) noexcept
    : hold_(other.hold_ ? other.hold_ : other.impl_->weak_from_this().lock())
    , impl_(other.impl_)
{
}

server_context&
server_context::
operator=(server_context const& other) noexcept
{
    if(this != &other)
    {
        hold_ = other.hold_ ? other.hold_ : other.impl_->weak_from_this().lock();
        impl_ = other.impl_;
    }
    return *this;
}

void
server_context::
send_to(connection_id id, asio::const_buffer bytes, error_code& ec) const
{
    // Fast path: the connection whose callback is running.
    if(auto* c = local_connection(impl_, id))
        return c->send(bytes, ec);
    auto c = impl_->find(id);
    if(!c)
    {
        BOOST_MILLIO_FAIL(ec, error::unknown_connection);
        return;
    }
    c->send(bytes, ec);
}

void
server_context::
send_to(connection_id id, asio::const_buffer bytes) const
{
    error_code ec;
    send_to(id, bytes, ec);
    millio::detail::throw_if(ec);
}

std::size_t
server_context::
broadcast(asio::const_buffer bytes, error_code& ec) const
{
    ec = {};
    std::size_t n = 0;
    for(auto& c : impl_->snapshot())
    {
        error_code e;
        c->send(bytes, e);
        if(!e)
            ++n;
        else if(!ec)
            ec = e;
    }
    return n;
}

std::size_t
server_context::
broadcast(asio::const_buffer bytes) const
{
    error_code ec;
    auto n = broadcast(bytes, ec);
    millio::detail::throw_if(ec);
    return n;
}

void
server_context::
close_connection(connection_id id, error_code& ec) const
{
    ec = {};
    if(auto* c = local_connection(impl_, id))
        return c->close();
    auto c = impl_->find(id);
    if(!c)
    {
        BOOST_MILLIO_FAIL(ec, error::unknown_connection);
        return;
    }
    c->close();
}

void
server_context::
close_connection(connection_id id) const
{
    error_code ec;
    close_connection(id, ec);
    millio::detail::throw_if(ec);
}

asio::ip::tcp::endpoint
server_context::
peer_endpoint(connection_id id, error_code& ec) const
{
    ec = {};
    if(auto* c = local_connection(impl_, id))
        return c->peer();
    auto c = impl_->find(id);
    if(!c)
    {
        BOOST_MILLIO_FAIL(ec, error::unknown_connection);
        return {};
    }
    return c->peer();
}

asio::ip::tcp::endpoint
server_context::
peer_endpoint(connection_id id) const
{
    error_code ec;
    auto ep = peer_endpoint(id, ec);
    millio::detail::throw_if(ec);
    return ep;
}

std::size_t
server_context::
connection_count() const noexcept
{
    return impl_->count_.load(std::memory_order_relaxed);
}

//------------------------------------------------------------------------------

tcp_server::
tcp_server(tcp_server_config const& cfg, std::shared_ptr<network_handler> handler)
{
    if(!handler)
        millio::detail::throw_system_error(make_error_code(error::invalid_argument));
    impl_ = std::make_shared<detail::server_impl>(cfg, std::move(handler));
}

tcp_server::
~tcp_server()
{
    impl_->destroy();
}

void
tcp_server::
start(event_loop& loop, token t, error_code& ec)
{
    impl_->start(loop, t, ec);
}

void
tcp_server::
start(event_loop& loop, token t)
{
    error_code ec;
    start(loop, t, ec);
    millio::detail::throw_if(ec);
}

void
tcp_server::
stop() noexcept
{
    impl_->stop();
}

auto
tcp_server::
local_endpoint() const noexcept -> endpoint_type
{
    std::lock_guard<std::mutex> lk(impl_->m_);
    return impl_->local_;
}

std::size_t
tcp_server::
connection_count() const noexcept
{
    return impl_->count_.load(std::memory_order_relaxed);
}

server_context
tcp_server::
context() const noexcept
{
    return millio::detail::access::construct<server_context>(impl_, impl_.get());
}

tcp_server_config const&
tcp_server::
config() const noexcept
{
    return impl_->cfg_;
}

} // net
} // millio
} // boost

#endif
