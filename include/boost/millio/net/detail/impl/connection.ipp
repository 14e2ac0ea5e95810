//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_NET_DETAIL_IMPL_CONNECTION_IPP
#define BOOST_MILLIO_NET_DETAIL_IMPL_CONNECTION_IPP

#include <boost/millio/net/detail/connection.hpp>
#include <boost/millio/net/detail/socket_ops.hpp>
#include <boost/millio/net/detail/impl/uring_connection.ipp>
#include <boost/millio/detail/except.hpp>
#include <boost/millio/event_handler.hpp>
#include <algorithm>
#include <cstring>

namespace boost {
namespace millio {
namespace net {
namespace detail {

namespace {

thread_local connection* current_connection = nullptr;

struct current_guard
{
    connection* prev;
    explicit current_guard(connection* c) noexcept
        : prev(current_connection)
    {
        current_connection = c;
    }
    ~current_guard()
    {
        current_connection = prev;
    }
};

// The reactor handler of a connection. Each call holds the connection
// (and through it what its owner lent it) alive: a thread of the loop
// removes a registration without waiting for a call running on another
// thread, and the owner may drop the connection meanwhile.
class connection_handler final : public event_handler
{
    std::weak_ptr<connection> c_;

public:
    explicit connection_handler(std::weak_ptr<connection> c) noexcept
        : c_(std::move(c))
    {
    }

    void handle_event(event const& ev) override
    {
        if(auto c = c_.lock())
            c->handle(ev.flags());
    }
};

} // (anon)

connection*
connection::
current() noexcept
{
    return current_connection;
}

connection::
connection(
    connection_owner& owner,
    millio::detail::reactor& r,
    buffer_pool& pool,
    int fd,
    std::uint64_t id,
    endpoint_type const& peer,
    limits const& lim,
    bool connecting) noexcept
    : owner_(owner)
    , reactor_(r)
    , pool_(pool)
    , fd_(fd)
    , id_(id)
    , peer_(peer)
    , lim_(lim)
    , et_(r.backend() == backend_type::epoll)
    , connecting_(connecting)
    , interest_(interest::readable | interest::writable)
{
}

connection::
~connection()
{
    uring_close();
#if defined(BOOST_MILLIO_HAS_IO_URING)
    if(uio_)
        uio_->release();
#endif
    if(reg_)
        reg_->release();
    if(fd_ >= 0)
        close_socket(fd_);
}

void
connection::
open(millio::token t, bool user, error_code& ec)
{
    ec = {};
    // Hold the lock while registering: the handler may run at once on
    // another thread, and must see reg_.
    std::lock_guard<std::mutex> lk(m_);
    if(closed_)
    {
        BOOST_MILLIO_FAIL(ec, error::not_connected);
        return;
    }
    std::unique_ptr<event_handler> h(new connection_handler(weak_from_this()));
    bool const completions = !connecting_ && uring_open();
    auto* r = reactor_.add(fd_, t, user, interest_, std::move(h), ec);
    if(ec)
        return;
    r->add_ref();
    reg_ = r;
    if(completions)
        uring_start(r->key());
}

void
connection::
append(unsigned char const* p, std::size_t n)
{
    // The write clock starts when bytes wait; stored before queued_
    // grows (release below) so that check_deadlines never pairs a
    // non-empty queue with the time of an older one.
    if(queued_.load(std::memory_order_relaxed) == 0 && n > 0)
        write_since_.store(now_ns(), std::memory_order_relaxed);
    while(n > 0)
    {
        if(!queue_.empty())
        {
            chunk& c = queue_.back();
            std::size_t room = c.buf.size() - c.end;
            if(room > 0)
            {
                std::size_t k = (std::min)(room, n);
                std::memcpy(c.buf.data() + c.end, p, k);
                c.end += k;
                p += k;
                n -= k;
                queued_.fetch_add(k, std::memory_order_release);
                continue;
            }
        }
        queue_.push_back(chunk{pool_.acquire(), 0, 0});
    }
}

void
connection::
update_interest() noexcept
{
    // Level-triggered backends only: ask for writability only while
    // there is something to write, and for readability only while
    // reading is wanted, so that an idle connection cannot spin.
    if(et_ || uio_ || closed_ || !reg_)
        return;
    unsigned w = 0;
    if(want_read_)
        w |= static_cast<unsigned>(interest::readable);
    if(!queue_.empty() || connecting_)
        w |= static_cast<unsigned>(interest::writable);
    if(w == 0)
        w = static_cast<unsigned>(interest::readable);
    interest i = static_cast<interest>(w);
    if(i == interest_)
        return;
    interest_ = i;
    error_code ig;
    reactor_.modify(reg_, i, ig);
}

void
connection::
send(asio::const_buffer b, error_code& ec)
{
    ec = {};
    auto p = static_cast<unsigned char const*>(b.data());
    std::size_t n = b.size();
    std::unique_lock<std::mutex> lk(m_);
    if(closed_ || closing_.load(std::memory_order_relaxed))
    {
        BOOST_MILLIO_FAIL(ec, error::not_connected);
        return;
    }
    if(error_ != 0)
    {
        ec = socket_error(error_);
        return;
    }
    if(n == 0)
        return;
    if(uio_)
    {
        // The completion path: one send in flight at a time, in order.
        if(queued_.load(std::memory_order_relaxed) > 0 &&
            queued_.load(std::memory_order_relaxed) + n > lim_.high_water)
        {
            refused_ = true;
            BOOST_MILLIO_FAIL(ec, error::send_queue_full);
            return;
        }
        if(int e = uring_send(p, n))
            ec = socket_error(e);
        return;
    }
    if(!queue_.empty())
    {
        if(queued_.load(std::memory_order_relaxed) + n > lim_.high_water)
        {
            refused_ = true;
            BOOST_MILLIO_FAIL(ec, error::send_queue_full);
            return;
        }
        append(p, n);
        return;
    }
    if(!connecting_)
    {
        for(;;)
        {
            long w = send_some(fd_, p, n);
            if(w >= 0)
            {
                touch();
                p += w;
                n -= static_cast<std::size_t>(w);
                if(n == 0)
                    return;
                break;
            }
            int e = last_error();
            if(is_interrupted(e))
                continue;
            if(is_would_block(e))
                break;
            // Let the handler close the connection.
            error_ = e;
            ec = socket_error(e);
            auto* r = reg_;
            lk.unlock();
            if(r)
                reactor_.notify(r, flag_wake);
            return;
        }
    }
    append(p, n);
    update_interest();
    // Nothing more fits (or the connection is not up yet): the poll
    // backend watches writability again.
    if(reg_)
        reactor_.would_block(reg_, interest::writable);
}

void
connection::
close() noexcept
{
    millio::detail::registration* r;
    {
        std::lock_guard<std::mutex> lk(m_);
        if(closed_ || closing_.load(std::memory_order_relaxed))
            return;
        start_closing();
        r = reg_;
    }
    if(r)
        reactor_.notify(r, flag_wake);
}

void
connection::
start_closing() noexcept
{
    closing_.store(true, std::memory_order_relaxed);
    open_.store(false, std::memory_order_release);
    closing_since_.store(now_ns(), std::memory_order_relaxed);
}

void
connection::
expire(error e) noexcept
{
    millio::detail::registration* r;
    {
        std::lock_guard<std::mutex> lk(m_);
        if(closed_ || expired_ != error{})
            return;
        expired_ = e;
        r = reg_;
    }
    if(r)
        reactor_.notify(r, flag_wake);
}

error
connection::
check_deadlines(std::int64_t now, std::int64_t idle_limit) const noexcept
{
    std::int64_t const since = closing_since_.load(std::memory_order_relaxed);
    if(lim_.close_timeout > 0 && since != 0 && now - since >= lim_.close_timeout)
        return error::close_timeout;
    if(lim_.write_timeout > 0 && queued_.load(std::memory_order_acquire) > 0 &&
        now - write_since_.load(std::memory_order_relaxed) >= lim_.write_timeout)
        return error::write_timeout;
    if(idle_limit > 0 && now - last_active() >= idle_limit)
        return error::idle_timeout;
    return error{};
}

void
connection::
close_now() noexcept
{
    {
        std::unique_lock<std::mutex> lk(m_);
        if(!reg_ && !closed_)
        {
            // Never registered.
            closed_ = true;
            lk.unlock();
            finish_removed({});
            return;
        }
    }
    // A thread of the loop never waits for a handler: two handlers
    // closing each other's connections would wait for each other.
    bool const wait = !reactor_.running_in_this_thread();
    error_code ec;
    if(reg_)
    {
        if(wait)
            reactor_.remove(reg_, ec);
        else
            reactor_.remove_no_wait(reg_, ec);
    }
    std::unique_lock<std::mutex> lk(m_);
    if(!ec && !closed_)
    {
        // The handler is not called again. Without waiting, a call may
        // still be running (on another thread, or this one below us).
        closed_ = true;
        closing_.store(true, std::memory_order_relaxed);
        open_.store(false, std::memory_order_release);
        queue_.clear();
        queued_.store(0, std::memory_order_relaxed);
        lk.unlock();
        // Close and report here, unless a call running on another thread
        // does it when it returns (it still uses the socket, and the
        // owner's callbacks stay serialized). A call below this one, on
        // this thread, finds the socket closed when it resumes.
        handoff_.store(true, std::memory_order_seq_cst);
        if(in_handle_.load(std::memory_order_seq_cst) && current_connection != this)
            return;
        if(handoff_.exchange(false, std::memory_order_seq_cst))
            finish_removed({});
        return;
    }
    if(!wait)
        return; // the handler closes it
    // The handler closes it: wait until it is done.
    done_cv_.wait(lk, [this]{ return done_; });
}

void
connection::
finish(error_code ec) noexcept
{
    auto self = shared_from_this();
    {
        std::lock_guard<std::mutex> lk(m_);
        if(closed_)
            return;
        closed_ = true;
        closing_.store(true, std::memory_order_relaxed);
        open_.store(false, std::memory_order_release);
        queue_.clear();
        queued_.store(0, std::memory_order_relaxed);
    }
    error_code ig;
    reactor_.remove(reg_, ig); // from the handler: does not wait
    finish_removed(ec);
}

void
connection::
finish_removed(error_code ec) noexcept
{
    auto self = shared_from_this();
    uring_close();
    if(fd_ >= 0)
    {
        close_socket(fd_);
        fd_ = -1;
    }
    if(ec)
        owner_.conn_error(*this, ec);
    owner_.conn_closed(*this, notified_);
    {
        std::lock_guard<std::mutex> lk(m_);
        done_ = true;
    }
    done_cv_.notify_all();
}

bool
connection::
can_resume() const noexcept
{
    // Below the low-water mark, unless the largest read of the next
    // event would pause again at once: resumed there, the connection
    // would spin between resuming and pausing while its queue drains.
    std::size_t const q = queued_.load(std::memory_order_relaxed);
    if(q >= lim_.low_water)
        return false;
    if(q == 0)
        return true;
    std::size_t r = lim_.buffer_size;
    if(lim_.bulk_pool)
        r = (std::max)(r, lim_.bulk_pool->buffer_size());
#if defined(BOOST_MILLIO_HAS_IO_URING)
    if(uio_)
        r = (std::max)(r, uio_->buffer_size());
#endif
    return q + r <= lim_.high_water;
}

bool
connection::
do_read(unsigned bits, error_code& ec)
{
    if(read_eof_)
        return true;
    if((bits & (event::flag_readable | event::flag_read_closed |
        event::flag_error | flag_wake)) == 0)
        return true;
    // The peer's close (or an error) is reported once, by the event that
    // saw it: remember it, so that a read resumed later (after a yield,
    // or from a wake-up) still reads up to the end of the stream instead
    // of waiting for an event that will not come.
    if(bits & (event::flag_read_closed | event::flag_error))
        peer_closed_ = true;
    bool closing = closing_.load(std::memory_order_relaxed);
    if(closing)
        paused_ = false;
    // The receive buffer adapts: a read that fills a small buffer
    // switches the connection to bulk buffers (one read, one on_data and
    // usually one send per large message); a read that would have fit a
    // small buffer switches it back. Buffers are held only while the
    // handler runs.
    buffer_pool* const bulk = lim_.bulk_pool;
    std::size_t budget = lim_.read_budget;
    pooled_buffer buf;
    for(;;)
    {
        std::size_t const want = (bulk_ && bulk) ? bulk->buffer_size() : lim_.buffer_size;
        std::size_t q = queued_.load(std::memory_order_relaxed);
        if(!closing && lim_.pause_reads && q > 0 && q + want > lim_.high_water)
        {
            // Back-pressure: leave the bytes in the socket.
            paused_ = true;
            return true;
        }
        if(buf.size() != want)
        {
            buf.reset();
            buf = (bulk_ && bulk) ? bulk->acquire() : pool_.acquire();
        }
        long n = recv_some(fd_, buf.data(), buf.size());
        if(n > 0)
        {
            std::size_t const got = static_cast<std::size_t>(n);
            if(!closing)
            {
                // Bytes discarded while closing are no activity: a peer
                // that keeps sending must not hold a closing connection.
                touch();
                try
                {
                    owner_.conn_data(*this, asio::const_buffer(buf.data(), got));
                }
                catch(...)
                {
                    BOOST_MILLIO_FAIL(ec, error::handler_exception);
                    return false;
                }
                closing = closing_.load(std::memory_order_relaxed);
            }
            bool const full = got == buf.size();
            if(bulk)
            {
                if(full)
                    bulk_ = true;
                else if(got <= lim_.buffer_size)
                    bulk_ = false;
            }
            // A short read drained the socket: later bytes raise a new
            // readiness event. Unless the peer's close was reported
            // already, which raises no new one.
            if(!full && !peer_closed_)
                return true;
            if(got >= budget)
            {
                // Budget spent and bytes may be left: yield (handle()
                // queues this connection behind the other ready work).
                yielded_ = true;
                return true;
            }
            budget -= got;
            continue;
        }
        if(n == 0)
        {
            read_eof_ = true;
            return true;
        }
        int e = last_error();
        if(is_interrupted(e))
            continue;
        if(is_would_block(e))
            return true;
        ec = socket_error(e);
        return false;
    }
}

bool
connection::
flush(error_code& ec)
{
    std::lock_guard<std::mutex> lk(m_);
    if(connecting_)
        return false;
    if(uio_)
        return uring_flush(ec);
    while(!queue_.empty())
    {
        io_slice iov[64];
        int cnt = 0;
        for(auto it = queue_.begin(); it != queue_.end() && cnt < 64; ++it, ++cnt)
            set_slice(iov[cnt], it->buf.data() + it->begin, it->end - it->begin);
        long n = send_slices(fd_, iov, cnt);
        if(n > 0)
        {
            touch();
            write_since_.store(now_ns(), std::memory_order_relaxed);
        }
        if(n < 0)
        {
            int e = last_error();
            if(is_interrupted(e))
                continue;
            if(is_would_block(e))
            {
                // the poll backend watches writability again
                reactor_.would_block(reg_, interest::writable);
                break;
            }
            ec = socket_error(e);
            return false;
        }
        std::size_t left = static_cast<std::size_t>(n);
        queued_.fetch_sub(left, std::memory_order_relaxed);
        while(left > 0)
        {
            chunk& c = queue_.front();
            std::size_t k = c.end - c.begin;
            if(k <= left)
            {
                left -= k;
                queue_.pop_front();
            }
            else
            {
                c.begin += left;
                left = 0;
            }
        }
    }
    if(refused_ && queued_.load(std::memory_order_relaxed) < lim_.low_water)
    {
        refused_ = false;
        return true;
    }
    return false;
}

void
connection::
handle(unsigned bits) noexcept
{
    current_guard g(this);
    handle_events(bits);
    // A close_now() that ran meanwhile left the closing to this call.
    in_handle_.store(false, std::memory_order_seq_cst);
    if(handoff_.load(std::memory_order_seq_cst) &&
        handoff_.exchange(false, std::memory_order_seq_cst))
        finish_removed({});
}

void
connection::
handle_events(unsigned bits) noexcept
{
    {
        std::unique_lock<std::mutex> lk(m_);
        if(closed_)
            return;
        // Set under m_: a close_now() that closes after this sees it.
        in_handle_.store(true, std::memory_order_seq_cst);
        if(error_ != 0)
        {
            int e = error_;
            lk.unlock();
            finish(socket_error(e));
            return;
        }
        if(expired_ != error{})
        {
            error const e = expired_;
            lk.unlock();
            if(e != error::idle_timeout)
            {
                // Reset: the kernel drops what it holds for the peer
                // instead of keeping it after close().
                set_reset_on_close(fd_);
            }
            error_code ec;
            BOOST_MILLIO_FAIL(ec, e);
            finish(ec);
            return;
        }
        if(connecting_)
        {
            if(closing_.load(std::memory_order_relaxed))
            {
                // Closed before it was established: give up the connect.
                lk.unlock();
                finish({});
                return;
            }
            if((bits & (event::flag_writable | event::flag_error |
                event::flag_write_closed | event::flag_read_closed)) == 0)
                return;
            int err = pending_error(fd_);
            if(err == 0 && (bits & event::flag_writable) == 0)
                err = error_connection_refused;
            if(err != 0)
            {
                lk.unlock();
                finish(socket_error(err));
                return;
            }
            connecting_ = false;
            // Established: the completion path from here on, if usable.
            if(!uio_ && uring_open())
            {
                error_code ig;
                reactor_.modify(reg_, interest_, ig);
                uring_start(reg_->key());
            }
        }
    }
    if(!notified_)
    {
        notified_ = true;
        if(!closing_.load(std::memory_order_relaxed))
            open_.store(true, std::memory_order_release);
        try
        {
            owner_.conn_connected(*this);
        }
        catch(...)
        {
            error_code ec;
            BOOST_MILLIO_FAIL(ec, error::handler_exception);
            finish(ec);
            return;
        }
        bits |= event::flag_readable | event::flag_writable;
    }
    error_code ec;
    for(;;)
    {
        if(!(uio_ ? uring_read(ec) : do_read(bits, ec)))
        {
            finish(ec);
            return;
        }
        bool notify = flush(ec);
        if(ec)
        {
            finish(ec);
            return;
        }
        if(notify)
        {
            try
            {
                owner_.conn_writable(*this);
            }
            catch(...)
            {
                BOOST_MILLIO_FAIL(ec, error::handler_exception);
                finish(ec);
                return;
            }
        }
        if(paused_ && can_resume())
        {
            paused_ = false;
            bits |= event::flag_readable;
            continue;
        }
        break;
    }
    std::unique_lock<std::mutex> lk(m_);
    if(read_eof_ && !closing_.load(std::memory_order_relaxed))
    {
        // The peer closed its side: flush what is queued, then close.
        start_closing();
    }
    if(closing_.load(std::memory_order_relaxed) && queued_.load(std::memory_order_relaxed) == 0)
    {
        if(read_eof_)
        {
            lk.unlock();
            finish({});
            return;
        }
        if(!shut_wr_)
        {
            // Flushed: send FIN and wait for the peer's, discarding
            // what it still sends (closing with unread bytes would
            // reset the connection and could lose the flushed data).
            shut_wr_ = true;
            shutdown_send(fd_);
        }
    }
    want_read_ = !paused_ && !read_eof_;
    update_interest();
    if(yielded_)
    {
        yielded_ = false;
        // Read again after the work queued meanwhile: with edge-triggered
        // readiness the bytes left in the socket raise no new event.
        if(!paused_ && !read_eof_)
        {
            auto* r = reg_;
            lk.unlock();
            reactor_.notify(r, event::flag_readable);
        }
    }
}

} // detail
} // net
} // millio
} // boost

#endif
