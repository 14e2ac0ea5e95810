//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_DETAIL_IMPL_POLL_BACKEND_IPP
#define BOOST_MILLIO_DETAIL_IMPL_POLL_BACKEND_IPP

#include <boost/millio/detail/poll_backend.hpp>
#include <boost/millio/detail/except.hpp>

#include <cerrno>
#include <new>

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

namespace boost {
namespace millio {
namespace detail {

namespace {

// A peer's shutdown of its sending side (Linux; elsewhere a hang-up or
// end of file is all there is).
#if defined(POLLRDHUP)
constexpr short poll_rdhup = POLLRDHUP;
#else
constexpr short poll_rdhup = 0;
#endif

constexpr short poll_read = POLLIN | POLLPRI | poll_rdhup;
constexpr short poll_write = POLLOUT;
constexpr short poll_hangup = POLLHUP | POLLERR;

} // (anon)

short
poll_backend::
to_poll(interest i) noexcept
{
    short e = 0;
    if(has_interest(i, interest::readable))
        e |= poll_read;
    if(has_interest(i, interest::writable))
        e |= poll_write;
    return e;
}

unsigned
poll_backend::
from_poll(short e) noexcept
{
    unsigned b = 0;
    if(e & (POLLIN | POLLPRI))
        b |= event::flag_readable;
    if(e & POLLOUT)
        b |= event::flag_writable;
    if(e & (POLLERR | POLLNVAL))
        b |= event::flag_error | event::flag_write_closed;
    if(e & POLLHUP)
        b |= event::flag_read_closed | event::flag_write_closed;
    if(e & poll_rdhup)
        b |= event::flag_read_closed;
    return b;
}

void
poll_backend::
set_flags(int fd) noexcept
{
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    ::fcntl(fd, F_SETFD, ::fcntl(fd, F_GETFD) | FD_CLOEXEC);
}

poll_backend::
poll_backend()
{
    int p[2];
    if(::pipe(p) != 0)
    {
        error_code ec;
        assign_errno(ec, errno);
        throw_system_error(ec);
    }
    wake_rd_ = p[0];
    wake_wr_ = p[1];
    set_flags(wake_rd_);
    set_flags(wake_wr_);
    try
    {
        pfds_.push_back({wake_rd_, POLLIN, 0});
        keys_.push_back(0);
    }
    catch(...)
    {
        ::close(wake_rd_);
        ::close(wake_wr_);
        throw;
    }
}

poll_backend::
~poll_backend()
{
    ::close(wake_rd_);
    ::close(wake_wr_);
}

// Called with m_ held.
void
poll_backend::
update_slot(entry& e) noexcept
{
    pollfd& p = pfds_[e.slot];
    // poll(2) skips a negative descriptor; it would report a hang-up,
    // an error or POLLNVAL whatever the mask.
    p.fd = (e.hung || e.gone) ? -1 : e.fd;
    p.events = e.armed;
    p.revents = 0;
    dirty_ = true;
}

// Called with m_ held after pfds_ changed. A thread in poll(2) uses a
// copy: wake it if it must watch more than that copy does.
void
poll_backend::
changed(bool watch_more) noexcept
{
    dirty_ = true;
    if(watch_more && in_wait_ && !woken_)
    {
        woken_ = true;
        wake();
    }
}

void
poll_backend::
add(int fd, std::uint64_t key, interest i, error_code& ec)
{
    if(::fcntl(fd, F_GETFD) < 0)
    {
        assign_errno(ec, errno);
        return;
    }
    std::lock_guard<std::mutex> lk(m_);
    std::size_t const slot = pfds_.size();
    try
    {
        pfds_.push_back({fd, 0, 0});
        keys_.push_back(key);
        entry e{fd, slot, to_poll(i), to_poll(i)};
        update_slot(entries_.emplace(key, e).first->second);
    }
    catch(std::bad_alloc const&)
    {
        pfds_.resize(slot);
        keys_.resize(slot);
        ec = make_error_code(system::errc::not_enough_memory);
        return;
    }
    changed(true);
}

void
poll_backend::
modify(int fd, std::uint64_t key, interest i, error_code& ec)
{
    if(::fcntl(fd, F_GETFD) < 0)
    {
        assign_errno(ec, errno);
        return;
    }
    std::lock_guard<std::mutex> lk(m_);
    auto it = entries_.find(key);
    if(it == entries_.end())
    {
        ec = make_error_code(error::not_registered);
        return;
    }
    // Watch every condition of the new interest: poll(2) reports the
    // current levels afresh, as EPOLL_CTL_MOD does.
    entry& e = it->second;
    e.want = to_poll(i);
    e.armed = e.want;
    e.hung = false;
    e.gone = false;
    e.read_done = false;
    update_slot(e);
    changed(true);
}

void
poll_backend::
remove(int, std::uint64_t key) noexcept
{
    std::lock_guard<std::mutex> lk(m_);
    auto it = entries_.find(key);
    if(it == entries_.end())
        return;
    std::size_t const slot = it->second.slot;
    std::size_t const last = pfds_.size() - 1;
    if(slot != last)
    {
        pfds_[slot] = pfds_[last];
        keys_[slot] = keys_[last];
        entries_.find(keys_[slot])->second.slot = slot;
    }
    pfds_.pop_back();
    keys_.pop_back();
    entries_.erase(it);
    // A poll(2) in progress may still report the descriptor: its key is
    // not found any more. No need to wake it.
    changed(false);
}

void
poll_backend::
wait(std::vector<ready_event>& out, std::size_t cap, std::int64_t timeout_ns, error_code& ec)
{
    {
        std::lock_guard<std::mutex> lk(m_);
        if(dirty_)
        {
            fds_ = pfds_;
            fd_keys_ = keys_;
            dirty_ = false;
        }
        in_wait_ = true;
        woken_ = false;
    }
#if defined(__linux__)
    timespec ts{};
    ts.tv_sec = static_cast<time_t>(timeout_ns / 1000000000);
    ts.tv_nsec = static_cast<long>(timeout_ns % 1000000000);
    int n = ::ppoll(fds_.data(), static_cast<nfds_t>(fds_.size()),
        timeout_ns < 0 ? nullptr : &ts, nullptr);
#else
    int n = ::poll(fds_.data(), static_cast<nfds_t>(fds_.size()), to_ms(timeout_ns));
#endif
    int const err = errno;
    std::lock_guard<std::mutex> lk(m_);
    in_wait_ = false;
    if(n < 0)
    {
        if(err != EINTR)
            assign_errno(ec, err);
        return;
    }
    if(n == 0)
        return;
    std::size_t reported = 0;
    for(std::size_t i = 0; i < fds_.size(); ++i)
    {
        short const re = fds_[i].revents;
        if(re == 0)
            continue;
        if(i == 0)
        {
            char buf[256];
            while(::read(wake_rd_, buf, sizeof(buf)) > 0) {}
            out.push_back({0, 0});
            continue;
        }
        if(reported == cap)
            break; // the rest stays watched: reported by the next wait
        auto it = entries_.find(fd_keys_[i]);
        if(it == entries_.end())
            continue; // removed meanwhile
        entry& e = it->second;
        // What rose and is still watched (the interest may have changed
        // since the copy was taken); a hang-up or error always counts.
        short const fired = re & e.armed;
        unsigned const bits = from_poll(static_cast<short>(fired | (re & (poll_hangup | POLLNVAL))));
        if(bits == 0)
            continue;
        ++reported;
        out.push_back({fd_keys_[i], bits});
        // Not watched again until the handler returned (rearm).
        e.armed = static_cast<short>(e.armed & ~fired);
        if(re & POLLNVAL)
            e.gone = true;
        else if(re & poll_hangup)
            e.hung = true;
        if(fired & poll_rdhup)
            e.read_done = true;
        update_slot(e);
    }
}

void
poll_backend::
wake() noexcept
{
    char c = 1;
    // EAGAIN: the pipe is full, a wake is pending.
    ssize_t r = ::write(wake_wr_, &c, 1);
    (void)r;
}

void
poll_backend::
rearm(std::uint64_t key) noexcept
{
    std::lock_guard<std::mutex> lk(m_);
    auto it = entries_.find(key);
    if(it == entries_.end())
        return;
    entry& e = it->second;
    if(e.gone)
        return;
    short const masked = static_cast<short>(e.want & ~e.armed);
    if(masked == 0 && !e.hung)
        return;
    // The current levels. The handler has returned: what it consumed
    // is low now. poll(2) with a zero timeout does not block.
    pollfd p{e.fd, e.want, 0};
    int const n = ::poll(&p, 1, 0);
    // On failure take every level as low: at worst one report too many.
    short const level = n > 0 ? p.revents : 0;
    if(level & POLLNVAL)
    {
        // closed without being deregistered
        e.gone = true;
        update_slot(e);
        changed(false);
        return;
    }
    bool more = false;
    if(e.hung)
    {
        if(level & poll_hangup)
            return; // reported already; nothing can follow a hang-up
        e.hung = false;
        more = true;
    }
    // Low: consumed, so the next rise is an edge to report.
    short on = static_cast<short>(masked & ~level);
    // Readable and high: unread bytes, or bytes that arrived after the
    // handler read until EAGAIN. Report it, unless the peer's shutdown
    // was reported and still holds: nothing can arrive after it.
    if(e.read_done && (level & poll_rdhup) == 0)
        e.read_done = false;
    if(!e.read_done)
        on = static_cast<short>(on | (masked & poll_read));
    else
        on = static_cast<short>(on & ~poll_read);
    // Writable and high stays parked (see the class comment).
    if(on == 0 && !more)
        return;
    e.armed = static_cast<short>(e.armed | on);
    update_slot(e);
    changed(true);
}

void
poll_backend::
would_block(std::uint64_t key, interest i) noexcept
{
    std::lock_guard<std::mutex> lk(m_);
    auto it = entries_.find(key);
    if(it == entries_.end())
        return;
    entry& e = it->second;
    if(e.gone)
        return;
    short add = static_cast<short>(to_poll(i) & e.want & ~e.armed);
    if(e.read_done)
        add = static_cast<short>(add & ~poll_read);
    if(add == 0)
        return;
    // Watched again, even if high already: poll(2) then reports it at
    // once, which is the edge that followed the EAGAIN.
    e.armed = static_cast<short>(e.armed | add);
    update_slot(e);
    changed(true);
}

} // detail
} // millio
} // boost

#endif
