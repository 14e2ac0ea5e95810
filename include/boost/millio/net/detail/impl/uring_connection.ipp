//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_NET_DETAIL_IMPL_URING_CONNECTION_IPP
#define BOOST_MILLIO_NET_DETAIL_IMPL_URING_CONNECTION_IPP

#include <boost/millio/net/detail/uring_connection.hpp>
#include <boost/millio/net/detail/connection.hpp>
#include <boost/millio/net/detail/socket_ops.hpp>
#include <boost/millio/detail/except.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <new>

#if defined(BOOST_MILLIO_HAS_IO_URING)
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#endif

namespace boost {
namespace millio {
namespace net {
namespace detail {

namespace {

// The bytes copied into one send at most.
constexpr std::size_t uring_send_max = 64 * 1024;

// A send of at least this many bytes of the buffer being delivered is
// lent that buffer rather than copied (twice: into the queue, then the
// send buffer). Below it, copies cost less than a segment of a send,
// and let small messages share a send.
constexpr std::size_t uring_lend_min = 2048;

// The completion path is used on the io_uring backend unless the
// environment variable BOOST_MILLIO_NET_COMPLETIONS is "0".
inline
bool
uring_completions_enabled() noexcept
{
    static bool const on = [] {
        char const* v = std::getenv("BOOST_MILLIO_NET_COMPLETIONS");
        return !(v && v[0] == '0' && v[1] == 0);
    }();
    return on;
}

} // (anon)

//------------------------------------------------------------------------------
// The hooks of connection (see connection.hpp). Without io_uring they
// leave the readiness path alone.

bool
connection::
uring_open() noexcept
{
#if defined(BOOST_MILLIO_HAS_IO_URING)
    auto* be = reactor_.uring();
    if(!be || !uring_completions_enabled() || !be->buffers_ready())
        return false;
    // The registration serializes the handler and reports errors; the
    // receives report the bytes. Writability is asked for once: the
    // first event runs the handler, which reports the connection.
    interest_ = interest::writable;
    return true;
#else
    return false;
#endif
}

void
connection::
uring_start(std::uint64_t key) noexcept
{
#if defined(BOOST_MILLIO_HAS_IO_URING)
    try
    {
        uio_ = new uring_io(*reactor_.uring(), fd_, key, flag_complete);
    }
    catch(...)
    {
        // The readiness path then.
        interest_ = interest::readable | interest::writable;
        error_code ig;
        reactor_.modify(reg_, interest_, ig);
        return;
    }
    millio::detail::uring_stats().connections.fetch_add(1, std::memory_order_relaxed);
    // If it cannot be submitted now, the handler arms it.
    uio_->arm_recv();
#else
    (void)key;
#endif
}

void
connection::
uring_close() noexcept
{
#if defined(BOOST_MILLIO_HAS_IO_URING)
    if(uio_)
        uio_->cancel();
#endif
}

bool
connection::
uring_read(error_code& ec)
{
#if defined(BOOST_MILLIO_HAS_IO_URING)
    if(read_eof_)
        return true;
    bool closing = closing_.load(std::memory_order_relaxed);
    if(closing)
        paused_ = false;
    std::size_t budget = lim_.read_budget;
    // The sends caused by the buffers delivered below are started by the
    // flush that follows the read (handle_events), as one send of up to
    // uring_send_max bytes, rather than the first buffer's bytes alone
    // and the rest after its completion: one send and one wake-up of the
    // peer per batch. The flush follows whatever this returns.
    struct cork
    {
        std::atomic<bool>& c;
        explicit cork(std::atomic<bool>& b) noexcept : c(b) { c.store(true, std::memory_order_relaxed); }
        ~cork() { c.store(false, std::memory_order_relaxed); }
    } corked(rx_cork_);
    {
        // A send that completed in the same wait: taken first, so that
        // the buffers delivered below may be lent to the next one.
        std::lock_guard<std::mutex> lk(m_);
        if(int e = uring_take_send())
            if(error_ == 0)
                error_ = e;
    }
    bool touched = false;
    uring_io::rx e{0, 0};
    while(uio_->front(e))
    {
        if(e.res <= 0)
        {
            uio_->pop();
            if(e.res == 0)
            {
                read_eof_ = true;
                return true;
            }
            ec = socket_error(-e.res);
            return false;
        }
        std::size_t const got = static_cast<std::size_t>(e.res);
        std::size_t const q = queued_.load(std::memory_order_relaxed);
        if(!closing && lim_.pause_reads && q > 0 &&
            q + (std::max)(got, lim_.buffer_size) > lim_.high_water)
        {
            // Back-pressure: stop receiving; what was received waits (a
            // bulk buffer may hold more than a read of the readiness path,
            // hence its size).
            paused_ = true;
            uio_->pause_recv();
            return true;
        }
        bool kept = false;
        if(!closing)
        {
            if(!touched)
            {
                touch();
                touched = true;
            }
            // While the handler runs, its sends of this buffer's bytes
            // may borrow the buffer (uring_send).
            bool const lendable = got >= uring_lend_min;
            if(lendable)
            {
                std::lock_guard<std::mutex> lk(m_);
                rx_lend_ = uio_->data(e);
                rx_lend_size_ = got;
                rx_lend_bid_ = e.bid;
                rx_lent_ = false;
            }
            auto end_lending = [&]
            {
                if(!lendable)
                    return;
                std::lock_guard<std::mutex> lk(m_);
                kept = rx_lent_;
                rx_lend_ = nullptr;
                rx_lent_ = false;
            };
            try
            {
                owner_.conn_data(*this, asio::const_buffer(uio_->data(e), got));
            }
            catch(...)
            {
                end_lending();
                uio_->pop(kept);
                BOOST_MILLIO_FAIL(ec, error::handler_exception);
                return false;
            }
            end_lending();
            closing = closing_.load(std::memory_order_relaxed);
        }
        uio_->pop(kept);
        if(lim_.bulk_pool)
            uring_adapt(uio_->is_bulk(e), got);
        if(got >= budget)
        {
            // Budget spent: yield (handle_events queues this connection
            // behind the other ready work).
            yielded_ = true;
            return true;
        }
        budget -= got;
    }
    if(!paused_ && !uio_->arm_recv())
    {
        BOOST_MILLIO_FAIL(ec, system::errc::resource_unavailable_try_again);
        return false;
    }
    return true;
#else
    (void)ec;
    return true;
#endif
}

void
connection::
uring_adapt(bool bulk, std::size_t got) noexcept
{
#if defined(BOOST_MILLIO_HAS_IO_URING)
    // As the readiness path adapts its reads: a stream (two small
    // buffers filled in a row) receives into the bulk ring, where a
    // large message takes one completion and one segment of a send; four
    // bulk completions in a row that a small buffer would have held send
    // it back to the small buffers.
    std::size_t const small = uio_->buffer_size();
    bool const more = bulk ? got <= small : got == small;
    if(bulk != uring_bulk_)
        return;     // completed before the switch took effect
    uring_run_ = more ? uring_run_ + 1 : 0;
    if(uring_run_ < (bulk ? 4u : 2u))
        return;
    uring_run_ = 0;
    uring_bulk_ = !bulk;
    uio_->set_bulk(uring_bulk_);
#else
    (void)bulk;
    (void)got;
#endif
}

bool
connection::
uring_flush(error_code& ec)
{
#if defined(BOOST_MILLIO_HAS_IO_URING)
    if(int e = uring_take_send())
    {
        ec = socket_error(e);
        return false;
    }
    uring_start_send();
    if(error_ != 0)
    {
        ec = socket_error(error_);
        return false;
    }
    if(refused_ && queued_.load(std::memory_order_relaxed) < lim_.low_water)
    {
        refused_ = false;
        return true;
    }
#else
    (void)ec;
#endif
    return false;
}

int
connection::
uring_take_send() noexcept
{
#if defined(BOOST_MILLIO_HAS_IO_URING)
    int res;
    if(uio_->take_send(res))
    {
        if(res < 0)
            return -res;
        std::int64_t const now = now_ns();
        last_active_.store(now, std::memory_order_relaxed);
        write_since_.store(now, std::memory_order_relaxed);
        queued_.fetch_sub(static_cast<std::size_t>(res), std::memory_order_relaxed);
    }
#endif
    return 0;
}

int
connection::
uring_send(unsigned char const* p, std::size_t n)
{
#if defined(BOOST_MILLIO_HAS_IO_URING)
    if(n >= uring_lend_min && rx_lend_ && queue_.empty() && !uio_->send_busy())
    {
        // Bytes of the buffer being delivered: lent, not copied.
        auto const a = reinterpret_cast<std::uintptr_t>(p);
        auto const b = reinterpret_cast<std::uintptr_t>(rx_lend_);
        if(a >= b && a - b <= rx_lend_size_ && n <= rx_lend_size_ - (a - b) &&
            uio_->lend(rx_lend_bid_, !rx_lent_, p, n))
        {
            rx_lent_ = true;
            if(queued_.load(std::memory_order_relaxed) == 0)
                write_since_.store(now_ns(), std::memory_order_relaxed);
            queued_.fetch_add(n, std::memory_order_release);
            uring_start_send();
            return 0;
        }
    }
    if(lim_.eager_send && queue_.empty() && uio_->send_idle())
    {
        // As on readiness: what the socket takes now is written now.
        for(;;)
        {
            ssize_t const w = ::send(fd_, p, n, MSG_NOSIGNAL);
            if(w >= 0)
            {
                touch();
                p += w;
                n -= static_cast<std::size_t>(w);
                if(n == 0)
                    return 0;
                break;
            }
            int const e = errno;
            if(e == EINTR)
                continue;
            if(e == EAGAIN || e == EWOULDBLOCK)
                break;
            // Let the handler close the connection.
            error_ = e;
            if(reg_)
                reactor_.notify(reg_, flag_wake);
            return e;
        }
    }
    append(p, n);
    uring_start_send();
#else
    (void)p;
    (void)n;
#endif
    return 0;
}

void
connection::
uring_start_send() noexcept
{
#if defined(BOOST_MILLIO_HAS_IO_URING)
    if(uio_->send_busy() || connecting_ || error_ != 0 ||
        rx_cork_.load(std::memory_order_relaxed))
        return;
    if(uio_->lend_pending())
    {
        // The lent bytes go first: the queue holds what came after.
        if(!uio_->start_lent_send())
        {
            error_ = ENOBUFS;
            if(reg_)
                reactor_.notify(reg_, flag_wake);
        }
        return;
    }
    if(queue_.empty())
        return;
    std::size_t n = 0;
    for(auto const& c : queue_)
    {
        n += c.end - c.begin;
        if(n >= uring_send_max)
            break;
    }
    n = (std::min)(n, uring_send_max);
    unsigned char* dst;
    try
    {
        dst = uio_->send_buffer(n);
    }
    catch(...)
    {
        dst = nullptr;
    }
    bool ok = false;
    if(dst)
    {
        // The queue's bytes move to the send buffer (still counted as
        // queued until sent).
        std::size_t left = n;
        while(left > 0)
        {
            chunk& c = queue_.front();
            std::size_t const k = (std::min)(left, c.end - c.begin);
            std::memcpy(dst, c.buf.data() + c.begin, k);
            dst += k;
            left -= k;
            c.begin += k;
            if(c.begin == c.end)
                queue_.pop_front();
        }
        ok = uio_->start_send(n);
    }
    if(!ok)
    {
        // Let the handler close the connection.
        error_ = dst ? ENOBUFS : ENOMEM;
        if(reg_)
            reactor_.notify(reg_, flag_wake);
    }
#endif
}

#if defined(BOOST_MILLIO_HAS_IO_URING)

uring_io::
uring_io(millio::detail::io_uring_backend& be, int fd, std::uint64_t key, unsigned bits)
    : be_(be)
    , fd_(fd)
    , key_(key)
    , bits_(bits)
{
    recv_op_.self = this;
    recv_op_.recv = true;
    send_op_.self = this;
    send_op_.recv = false;
}

uring_io::
~uring_io()
{
    free_tx();
    end_lent();
}

void
uring_io::
drop() noexcept
{
    if(refs_.fetch_sub(1, std::memory_order_acq_rel) == 1)
        delete this;
}

void
uring_io::
release() noexcept
{
    {
        std::lock_guard<std::mutex> lk(lk_);
        released_ = true;
        rx e{0, 0};
        while(take(e))
            if(e.res > 0)
                be_.give_back(e.bid);
    }
    drop();
}

void
uring_io::
cancel() noexcept
{
    bool recv;
    bool starved;
    {
        std::lock_guard<std::mutex> lk(lk_);
        if(canceled_)
            return;
        canceled_ = true;
        recv = recv_armed_;
        starved = starved_;
    }
    // Not under lk_: the backend's lock comes first.
    if(recv)
        be_.cancel(&recv_op_);
    if(starved && be_.forget_starved(&recv_op_))
    {
        // Its reference, which buffers_available() would have dropped.
        {
            std::lock_guard<std::mutex> lk(lk_);
            starved_ = false;
        }
        drop();
    }
    if(tx_busy_)
        be_.cancel(&send_op_);
}

void
uring_io::
push(unsigned bid, int len) noexcept
{
    be_.take_buffer(bid, static_cast<std::uint32_t>(len));
    if(rx_tail_ == none)
        rx_head_ = bid;
    else
        be_.buffer_link(rx_tail_) = bid;
    rx_tail_ = bid;
}

bool
uring_io::
take(rx& e) noexcept
{
    if(rx_head_ != none)
    {
        e.bid = rx_head_;
        e.res = static_cast<int>(be_.buffer_length(rx_head_));
        rx_head_ = be_.buffer_link(rx_head_);
        if(rx_head_ == none)
            rx_tail_ = none;
        return true;
    }
    if(end_pending_)
    {
        end_pending_ = false;
        e.bid = 0;
        e.res = end_res_;
        return true;
    }
    return false;
}

bool
uring_io::
front(rx& e) noexcept
{
    std::lock_guard<std::mutex> lk(lk_);
    if(rx_head_ != none)
    {
        e.bid = rx_head_;
        e.res = static_cast<int>(be_.buffer_length(rx_head_));
        return true;
    }
    if(end_pending_)
    {
        e.bid = 0;
        e.res = end_res_;
        return true;
    }
    return false;
}

void
uring_io::
pop(bool keep) noexcept
{
    rx e{0, 0};
    bool got;
    {
        std::lock_guard<std::mutex> lk(lk_);
        got = take(e);
    }
    if(got && e.res > 0 && !keep)
        be_.give_back(e.bid);
}

bool
uring_io::
arm_recv() noexcept
{
    bool bulk;
    {
        std::lock_guard<std::mutex> lk(lk_);
        if(recv_armed_ || recv_end_ || canceled_ || starved_)
            return true;
        recv_armed_ = true;
        armed_bulk_ = want_bulk_ && be_.bulk_buffer_count() > 0;
        bulk = armed_bulk_;
    }
    refs_.fetch_add(1, std::memory_order_relaxed);
    if(be_.recv_multishot(fd_, &recv_op_, bulk))
    {
        auto& stats = millio::detail::uring_stats();
        stats.recv_arms.fetch_add(1, std::memory_order_relaxed);
        if(bulk)
            stats.bulk_arms.fetch_add(1, std::memory_order_relaxed);
        return true;
    }
    {
        std::lock_guard<std::mutex> lk(lk_);
        recv_armed_ = false;
    }
    drop();
    return false;
}

void
uring_io::
set_bulk(bool on) noexcept
{
    bool cancel;
    {
        std::lock_guard<std::mutex> lk(lk_);
        if(want_bulk_ == on)
            return;
        want_bulk_ = on;
        cancel = recv_armed_ && armed_bulk_ != on && !canceled_;
    }
    // What completes meanwhile is kept; the cancellation's completion
    // ends the receive, which the handler arms again on the other ring.
    if(cancel)
        be_.cancel(&recv_op_);
}

void
uring_io::
pause_recv() noexcept
{
    bool armed;
    {
        std::lock_guard<std::mutex> lk(lk_);
        armed = recv_armed_;
    }
    // What completes meanwhile is kept; the cancellation's completion
    // ends the receive (and arm_recv() arms it again).
    if(armed)
        be_.cancel(&recv_op_);
}

void
uring_io::
free_tx() noexcept
{
    if(tx_cap_ > tx_small)
        ::munmap(tx_, tx_cap_);
    else
        delete[] tx_;
    tx_ = nullptr;
    tx_cap_ = 0;
}

unsigned char*
uring_io::
send_buffer(std::size_t n)
{
    if(n > tx_cap_)
    {
        free_tx();
        if(n <= tx_small)
        {
            tx_ = new unsigned char[tx_small];
            tx_cap_ = tx_small;
        }
        else
        {
            // Mapped: given back to the system when freed (the heap
            // would keep it).
            std::size_t const sz = (n + 4095) & ~std::size_t(4095);
            void* p = ::mmap(nullptr, sz, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
            if(p == MAP_FAILED)
                return nullptr;
            tx_ = static_cast<unsigned char*>(p);
            tx_cap_ = sz;
        }
    }
    return tx_;
}

bool
uring_io::
start_send(std::size_t n) noexcept
{
    tx_off_ = 0;
    tx_len_ = n;
    tx_busy_ = true;
    refs_.fetch_add(1, std::memory_order_relaxed);
    // Counted before it is queued: once queued, another thread may submit
    // it and the peer read its bytes before this thread goes on.
    auto& sends = millio::detail::uring_stats().sends;
    sends.fetch_add(1, std::memory_order_relaxed);
    if(be_.send(fd_, tx_, n, &send_op_))
        return true;
    sends.fetch_sub(1, std::memory_order_relaxed);
    tx_busy_ = false;
    drop();
    return false;
}

bool
uring_io::
lend(unsigned bid, bool first, unsigned char const* p, std::size_t n) noexcept
{
    if(tx_busy_ || lend_n_ == lend_max || (first && lend_nbids_ == lend_max))
        return false;
    // Keep a quarter of the ring for the receives.
    bool const bulk = be_.is_bulk(bid);
    if(first && be_.buffers_in_ring(bulk) <
        (bulk ? be_.bulk_buffer_count() : be_.buffer_count()) / 4)
        return false;
    lend_iov_[lend_n_].iov_base = const_cast<unsigned char*>(p);
    lend_iov_[lend_n_].iov_len = n;
    ++lend_n_;
    if(first)
    {
        lend_bids_[lend_nbids_++] = bid;
        millio::detail::uring_stats().buffers_lent.fetch_add(1, std::memory_order_relaxed);
    }
    return true;
}

bool
uring_io::
submit_lent() noexcept
{
    lend_msg_ = ::msghdr{};
    lend_msg_.msg_iov = lend_iov_ + lend_first_;
    lend_msg_.msg_iovlen = lend_n_ - lend_first_;
    refs_.fetch_add(1, std::memory_order_relaxed);
    if(be_.sendmsg(fd_, &lend_msg_, &send_op_))
        return true;
    drop();
    return false;
}

bool
uring_io::
start_lent_send() noexcept
{
    tx_busy_ = true;
    tx_lent_ = true;
    auto& sends = millio::detail::uring_stats().sends;
    sends.fetch_add(1, std::memory_order_relaxed);
    if(submit_lent())
        return true;
    sends.fetch_sub(1, std::memory_order_relaxed);
    tx_busy_ = false;
    tx_lent_ = false;
    return false;
}

void
uring_io::
end_lent() noexcept
{
    for(unsigned i = 0; i < lend_nbids_; ++i)
        be_.give_back(lend_bids_[i]);
    if(lend_nbids_ > 0)
        millio::detail::uring_stats().lent_returned.fetch_add(lend_nbids_, std::memory_order_relaxed);
    lend_nbids_ = 0;
    lend_first_ = 0;
    lend_n_ = 0;
    tx_lent_ = false;
}

bool
uring_io::
take_send(int& res) noexcept
{
    {
        std::lock_guard<std::mutex> lk(lk_);
        if(!tx_done_)
            return false;
        tx_done_ = false;
        res = tx_res_;
    }
    if(tx_lent_)
    {
        if(res > 0)
        {
            // Past the segments sent.
            std::size_t left = static_cast<std::size_t>(res);
            while(left > 0 && lend_first_ < lend_n_)
            {
                ::iovec& v = lend_iov_[lend_first_];
                if(v.iov_len <= left)
                {
                    left -= v.iov_len;
                    ++lend_first_;
                }
                else
                {
                    v.iov_base = static_cast<unsigned char*>(v.iov_base) + left;
                    v.iov_len -= left;
                    left = 0;
                }
            }
            // A partial send: the rest goes at once, keeping the order.
            if(lend_first_ < lend_n_)
            {
                if(submit_lent())
                    return true;
                res = -ENOBUFS;
            }
        }
        // Sent, or failed: the buffers go back.
        end_lent();
        tx_busy_ = false;
        return true;
    }
    if(res > 0)
    {
        tx_off_ += static_cast<std::size_t>(res);
        if(tx_off_ < tx_len_)
        {
            // A partial send: the rest goes at once, keeping the order.
            refs_.fetch_add(1, std::memory_order_relaxed);
            if(be_.send(fd_, tx_ + tx_off_, tx_len_ - tx_off_, &send_op_))
                return true;
            drop();
            tx_busy_ = false;
            res = -ENOBUFS;
            return true;
        }
    }
    tx_busy_ = false;
    return true;
}

void
uring_io::
op::
complete(int res, unsigned flags, std::vector<millio::detail::ready_event>& out) noexcept
{
    if(recv)
        self->on_recv(res, flags, out);
    else
        self->on_send(res, flags, out);
}

void
uring_io::
on_recv(int res, unsigned flags, std::vector<millio::detail::ready_event>& out) noexcept
{
    bool const last = (flags & IORING_CQE_F_MORE) == 0;
    bool notify;
    bool starve = false;
    bool bulk_dry = false;
    {
        std::lock_guard<std::mutex> lk(lk_);
        if(res > 0 && (flags & IORING_CQE_F_BUFFER) != 0)
        {
            unsigned const bid = be_.buffer_id(armed_bulk_, flags >> IORING_CQE_BUFFER_SHIFT);
            if(released_)
            {
                be_.take_buffer(bid, static_cast<std::uint32_t>(res));
                be_.give_back(bid);
            }
            else
                push(bid, res);
        }
        else if(res == 0 || (res < 0 && res != -ENOBUFS && res != -ECANCELED))
        {
            // The end of the stream, or an error: the receive is over.
            if(!recv_end_ && !released_)
            {
                end_res_ = res;
                end_pending_ = true;
            }
            recv_end_ = true;
        }
        // -ENOBUFS: the ring was empty; -ECANCELED: paused or closing.
        // Both end the receive, armed again by the handler; after
        // -ENOBUFS only once a buffer came back (on_buffers): armed at
        // once, it would fail at once while none is returned.
        if(last)
        {
            recv_armed_ = false;
            if(res == -ENOBUFS && armed_bulk_)
            {
                // The bulk ring is empty (other streams hold its
                // buffers): armed again at once on the small ones.
                want_bulk_ = false;
                bulk_dry = true;
            }
            else if(res == -ENOBUFS && !released_ && !canceled_ && !recv_end_)
            {
                starved_ = true;
                starve = true;
                // Under lk_, so that cancel() finds it waiting. The
                // request's reference goes to the wait.
                be_.wait_for_buffers(&recv_op_);
            }
        }
        notify = !released_;
    }
    if(starve)
        millio::detail::uring_stats().recv_nobufs.fetch_add(1, std::memory_order_relaxed);
    if(bulk_dry)
        millio::detail::uring_stats().bulk_nobufs.fetch_add(1, std::memory_order_relaxed);
    if(notify)
        out.push_back({key_, bits_});
    if(last && !starve)
        drop();
}

void
uring_io::
op::
buffers_available(std::vector<millio::detail::ready_event>& out) noexcept
{
    self->on_buffers(out);
}

void
uring_io::
on_buffers(std::vector<millio::detail::ready_event>& out) noexcept
{
    bool notify;
    {
        std::lock_guard<std::mutex> lk(lk_);
        starved_ = false;
        notify = !released_ && !canceled_;
    }
    // The handler arms the receive again (unless paused).
    if(notify)
        out.push_back({key_, bits_});
    drop();
}

void
uring_io::
on_send(int res, unsigned flags, std::vector<millio::detail::ready_event>& out) noexcept
{
    (void)flags;
    bool notify;
    {
        std::lock_guard<std::mutex> lk(lk_);
        tx_res_ = res;
        tx_done_ = true;
        notify = !released_;
    }
    if(notify)
        out.push_back({key_, bits_});
    drop();
}

//------------------------------------------------------------------------------

uring_acceptor::
uring_acceptor(millio::detail::io_uring_backend& be, int fd, std::uint64_t key, unsigned bits)
    : be_(be)
    , fd_(fd)
    , key_(key)
    , bits_(bits)
{
    op_.self = this;
}

uring_acceptor::
~uring_acceptor()
{
    for(std::size_t i = head_; i < fds_.size(); ++i)
        ::close(fds_[i]);
}

void
uring_acceptor::
drop() noexcept
{
    if(refs_.fetch_sub(1, std::memory_order_acq_rel) == 1)
        delete this;
}

bool
uring_acceptor::
arm() noexcept
{
    {
        std::lock_guard<std::mutex> lk(lk_);
        if(armed_ || canceled_)
            return true;
        armed_ = true;
    }
    refs_.fetch_add(1, std::memory_order_relaxed);
    if(be_.accept_multishot(fd_, &op_))
    {
        millio::detail::uring_stats().accept_arms.fetch_add(1, std::memory_order_relaxed);
        return true;
    }
    {
        std::lock_guard<std::mutex> lk(lk_);
        armed_ = false;
    }
    drop();
    return false;
}

bool
uring_acceptor::
take(int& fd, int& err) noexcept
{
    std::lock_guard<std::mutex> lk(lk_);
    fd = -1;
    err = 0;
    if(head_ < fds_.size())
    {
        fd = fds_[head_++];
        if(head_ == fds_.size())
        {
            fds_.clear();
            head_ = 0;
        }
        return true;
    }
    if(err_ != 0)
    {
        err = err_;
        err_ = 0;
        return true;
    }
    return false;
}

void
uring_acceptor::
cancel() noexcept
{
    bool armed;
    {
        std::lock_guard<std::mutex> lk(lk_);
        if(canceled_)
            return;
        canceled_ = true;
        armed = armed_;
    }
    if(armed)
        be_.cancel(&op_);
}

void
uring_acceptor::
release() noexcept
{
    {
        std::lock_guard<std::mutex> lk(lk_);
        released_ = true;
        for(std::size_t i = head_; i < fds_.size(); ++i)
            ::close(fds_[i]);
        fds_.clear();
        head_ = 0;
    }
    drop();
}

void
uring_acceptor::
op::
complete(int res, unsigned flags, std::vector<millio::detail::ready_event>& out) noexcept
{
    uring_acceptor& a = *self;
    bool const last = (flags & IORING_CQE_F_MORE) == 0;
    bool notify;
    {
        std::lock_guard<std::mutex> lk(a.lk_);
        if(res >= 0)
        {
            bool kept = false;
            if(!a.released_ && !a.canceled_)
            {
                try
                {
                    a.fds_.push_back(res);
                    kept = true;
                }
                catch(...)
                {
                }
            }
            if(!kept)
                ::close(res);
        }
        else if(res != -ECANCELED && !a.canceled_)
            a.err_ = -res;
        if(last)
            a.armed_ = false;
        notify = !a.released_ && !a.canceled_;
    }
    if(notify)
        out.push_back({a.key_, a.bits_});
    if(last)
        a.drop();
}

#endif // BOOST_MILLIO_HAS_IO_URING

} // detail
} // net
} // millio
} // boost

#endif
