//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_DETAIL_IMPL_EPOLL_BACKEND_IPP
#define BOOST_MILLIO_DETAIL_IMPL_EPOLL_BACKEND_IPP

#include <boost/millio/detail/epoll_backend.hpp>
#include <boost/millio/detail/except.hpp>

#if defined(BOOST_MILLIO_HAS_EPOLL)

#include <cerrno>

#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>

namespace boost {
namespace millio {
namespace detail {

std::uint32_t
epoll_backend::
to_epoll(interest i) noexcept
{
    std::uint32_t e = EPOLLET | EPOLLRDHUP;
    if(has_interest(i, interest::readable))
        e |= EPOLLIN | EPOLLPRI;
    if(has_interest(i, interest::writable))
        e |= EPOLLOUT;
    return e;
}

unsigned
epoll_backend::
from_epoll(std::uint32_t e) noexcept
{
    unsigned b = 0;
    if(e & (EPOLLIN | EPOLLPRI))
        b |= event::flag_readable;
    if(e & EPOLLOUT)
        b |= event::flag_writable;
    if(e & EPOLLERR)
        b |= event::flag_error | event::flag_write_closed;
    if(e & EPOLLHUP)
        b |= event::flag_read_closed | event::flag_write_closed;
    if(e & EPOLLRDHUP)
        b |= event::flag_read_closed;
    return b;
}

epoll_backend::
epoll_backend(std::size_t cap)
    : buf_(cap)
{
    epfd_ = ::epoll_create1(EPOLL_CLOEXEC);
    if(epfd_ < 0)
    {
        error_code ec;
        assign_errno(ec, errno);
        throw_system_error(ec);
    }
    efd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if(efd_ < 0)
    {
        error_code ec;
        assign_errno(ec, errno);
        ::close(epfd_);
        throw_system_error(ec);
    }
    epoll_event ev{};
    ev.events = EPOLLIN; // level-triggered: drained on each wake
    ev.data.u64 = 0;
    ::epoll_ctl(epfd_, EPOLL_CTL_ADD, efd_, &ev);
}

epoll_backend::
~epoll_backend()
{
    ::close(efd_);
    ::close(epfd_);
}

void
epoll_backend::
add(int fd, std::uint64_t key, interest i, error_code& ec)
{
    epoll_event ev{};
    ev.events = to_epoll(i);
    ev.data.u64 = key;
    if(::epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) != 0)
        assign_errno(ec, errno);
}

void
epoll_backend::
modify(int fd, std::uint64_t key, interest i, error_code& ec)
{
    epoll_event ev{};
    ev.events = to_epoll(i);
    ev.data.u64 = key;
    if(::epoll_ctl(epfd_, EPOLL_CTL_MOD, fd, &ev) != 0)
        assign_errno(ec, errno);
}

void
epoll_backend::
remove(int fd, std::uint64_t) noexcept
{
    epoll_event ev{};
    // ENOENT or EBADF: the descriptor was closed already, which
    // removed it from the interest list.
    ::epoll_ctl(epfd_, EPOLL_CTL_DEL, fd, &ev);
}

void
epoll_backend::
wait(std::vector<ready_event>& out, std::size_t cap, std::int64_t timeout_ns, error_code& ec)
{
    if(cap > buf_.size())
        cap = buf_.size();
#if defined(BOOST_MILLIO_HAS_EPOLL_PWAIT2)
    int n;
    if(has_pwait2_)
    {
        timespec ts{};
        ts.tv_sec = static_cast<time_t>(timeout_ns / 1000000000);
        ts.tv_nsec = static_cast<long>(timeout_ns % 1000000000);
        n = ::epoll_pwait2(epfd_, buf_.data(), static_cast<int>(cap),
            timeout_ns < 0 ? nullptr : &ts, nullptr);
        if(n < 0 && errno == ENOSYS)
        {
            has_pwait2_ = false;
            n = ::epoll_wait(epfd_, buf_.data(), static_cast<int>(cap), to_ms(timeout_ns));
        }
    }
    else
        n = ::epoll_wait(epfd_, buf_.data(), static_cast<int>(cap), to_ms(timeout_ns));
#else
    int n = ::epoll_wait(epfd_, buf_.data(), static_cast<int>(cap), to_ms(timeout_ns));
#endif
    if(n < 0)
    {
        if(errno != EINTR)
            assign_errno(ec, errno);
        return;
    }
    for(int i = 0; i < n; ++i)
    {
        auto const& e = buf_[static_cast<std::size_t>(i)];
        if(e.data.u64 == 0)
        {
            std::uint64_t v;
            while(::read(efd_, &v, sizeof(v)) > 0) {}
            out.push_back({0, 0});
            continue;
        }
        out.push_back({e.data.u64, from_epoll(e.events)});
    }
}

void
epoll_backend::
wake() noexcept
{
    std::uint64_t one = 1;
    // write() is async-signal-safe; EAGAIN means a wake is pending.
    ssize_t r = ::write(efd_, &one, sizeof(one));
    (void)r;
}

} // detail
} // millio
} // boost

#endif

#endif
