//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_DETAIL_IMPL_BACKEND_IPP
#define BOOST_MILLIO_DETAIL_IMPL_BACKEND_IPP

#include <boost/millio/detail/config.hpp>
#include <boost/millio/detail/except.hpp>
#include <boost/millio/error.hpp>
#include <boost/millio/event.hpp>
#include <boost/millio/event_loop_options.hpp>

#include <cerrno>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>
#if defined(BOOST_MILLIO_HAS_EPOLL)
# include <sys/epoll.h>
# if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 35))
#  define BOOST_MILLIO_HAS_EPOLL_PWAIT2 1
# endif
# include <sys/eventfd.h>
#endif

namespace boost {
namespace millio {
namespace detail {

struct ready_event
{
    std::uint64_t key;
    unsigned bits;
};

inline
void
assign_errno(error_code& ec, int e) noexcept
{
    ec.assign(e, system::system_category());
}

// Milliseconds for APIs that take them, rounded up so that a timer
// never fires early.
inline
int
to_ms(std::int64_t ns) noexcept
{
    if(ns < 0)
        return -1;
    std::int64_t ms = (ns + 999999) / 1000000;
    return ms > 0x7fffffff ? 0x7fffffff : static_cast<int>(ms);
}

// Readiness API of the operating system. Key 0 is the waker.
class backend
{
public:
    virtual ~backend() = default;
    virtual void add(int fd, std::uint64_t key, interest i, error_code& ec) = 0;
    virtual void modify(int fd, std::uint64_t key, interest i, error_code& ec) = 0;
    virtual void remove(int fd, std::uint64_t key) noexcept = 0;
    // Wait up to timeout_ns nanoseconds (negative: forever). Appends at
    // most `cap` events.
    virtual void wait(std::vector<ready_event>& out, std::size_t cap, std::int64_t timeout_ns, error_code& ec) = 0;
    virtual void wake() noexcept = 0;
    // Level-triggered backends disarm a source once reported (pool mode)
    // and rearm it when its handler finished.
    virtual bool needs_rearm() const noexcept = 0;
    virtual void rearm(std::uint64_t key) noexcept = 0;
};

#if defined(BOOST_MILLIO_HAS_EPOLL)

class epoll_backend final : public backend
{
#if defined(BOOST_MILLIO_HAS_EPOLL_PWAIT2)
    bool has_pwait2_ = true;
#endif
    int epfd_ = -1;
    int efd_ = -1;
    std::vector<epoll_event> buf_;

    static std::uint32_t to_epoll(interest i) noexcept
    {
        std::uint32_t e = EPOLLET | EPOLLRDHUP;
        if(has_interest(i, interest::readable))
            e |= EPOLLIN | EPOLLPRI;
        if(has_interest(i, interest::writable))
            e |= EPOLLOUT;
        return e;
    }

    static unsigned from_epoll(std::uint32_t e) noexcept
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

public:
    explicit epoll_backend(std::size_t cap)
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

    ~epoll_backend()
    {
        ::close(efd_);
        ::close(epfd_);
    }

    void add(int fd, std::uint64_t key, interest i, error_code& ec) override
    {
        epoll_event ev{};
        ev.events = to_epoll(i);
        ev.data.u64 = key;
        if(::epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) != 0)
            assign_errno(ec, errno);
    }

    void modify(int fd, std::uint64_t key, interest i, error_code& ec) override
    {
        epoll_event ev{};
        ev.events = to_epoll(i);
        ev.data.u64 = key;
        if(::epoll_ctl(epfd_, EPOLL_CTL_MOD, fd, &ev) != 0)
            assign_errno(ec, errno);
    }

    void remove(int fd, std::uint64_t) noexcept override
    {
        epoll_event ev{};
        // ENOENT or EBADF: the descriptor was closed already, which
        // removed it from the interest list.
        ::epoll_ctl(epfd_, EPOLL_CTL_DEL, fd, &ev);
    }

    void wait(std::vector<ready_event>& out, std::size_t cap, std::int64_t timeout_ns, error_code& ec) override
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

    void wake() noexcept override
    {
        std::uint64_t one = 1;
        // write() is async-signal-safe; EAGAIN means a wake is pending.
        ssize_t r = ::write(efd_, &one, sizeof(one));
        (void)r;
    }

    bool needs_rearm() const noexcept override { return false; }
    void rearm(std::uint64_t) noexcept override {}
};

#endif

class poll_backend final : public backend
{
    struct entry
    {
        int fd;
        interest in;
        bool armed;
    };

    bool oneshot_;
    int wake_rd_ = -1;
    int wake_wr_ = -1;
    std::mutex m_;
    std::unordered_map<std::uint64_t, entry> entries_;
    bool dirty_ = true;
    std::vector<pollfd> fds_;
    std::vector<std::uint64_t> keys_;

    static short to_poll(interest i) noexcept
    {
        short e = 0;
        if(has_interest(i, interest::readable))
            e |= POLLIN | POLLPRI;
        if(has_interest(i, interest::writable))
            e |= POLLOUT;
        return e;
    }

    static unsigned from_poll(short e) noexcept
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
        return b;
    }

    static void set_flags(int fd)
    {
        ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
        ::fcntl(fd, F_SETFD, ::fcntl(fd, F_GETFD) | FD_CLOEXEC);
    }

public:
    explicit poll_backend(bool oneshot)
        : oneshot_(oneshot)
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
    }

    ~poll_backend()
    {
        ::close(wake_rd_);
        ::close(wake_wr_);
    }

    void add(int fd, std::uint64_t key, interest i, error_code& ec) override
    {
        if(::fcntl(fd, F_GETFD) < 0)
        {
            assign_errno(ec, errno);
            return;
        }
        {
            std::lock_guard<std::mutex> lk(m_);
            entries_[key] = entry{fd, i, true};
            dirty_ = true;
        }
        wake();
    }

    void modify(int fd, std::uint64_t key, interest i, error_code& ec) override
    {
        if(::fcntl(fd, F_GETFD) < 0)
        {
            assign_errno(ec, errno);
            return;
        }
        {
            std::lock_guard<std::mutex> lk(m_);
            auto it = entries_.find(key);
            if(it == entries_.end())
            {
                ec = make_error_code(error::not_registered);
                return;
            }
            it->second.in = i;
            it->second.armed = true;
            dirty_ = true;
        }
        wake();
    }

    void remove(int, std::uint64_t key) noexcept override
    {
        {
            std::lock_guard<std::mutex> lk(m_);
            entries_.erase(key);
            dirty_ = true;
        }
        wake();
    }

    void wait(std::vector<ready_event>& out, std::size_t cap, std::int64_t timeout_ns, error_code& ec) override
    {
        {
            std::lock_guard<std::mutex> lk(m_);
            if(dirty_)
            {
                fds_.clear();
                keys_.clear();
                fds_.push_back({wake_rd_, POLLIN, 0});
                keys_.push_back(0);
                for(auto const& kv : entries_)
                {
                    if(!kv.second.armed)
                        continue;
                    fds_.push_back({kv.second.fd, to_poll(kv.second.in), 0});
                    keys_.push_back(kv.first);
                }
                dirty_ = false;
            }
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
        if(n < 0)
        {
            if(errno != EINTR)
                assign_errno(ec, errno);
            return;
        }
        if(n == 0)
            return;
        std::unique_lock<std::mutex> lk(m_, std::defer_lock);
        std::size_t reported = 0;
        for(std::size_t i = 0; i < fds_.size(); ++i)
        {
            short re = fds_[i].revents;
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
                break;
            ++reported;
            out.push_back({keys_[i], from_poll(re)});
            // A descriptor closed while registered reports POLLNVAL for
            // ever; disarm it so that it cannot spin the loop.
            if(oneshot_ || (re & POLLNVAL))
            {
                if(!lk.owns_lock())
                    lk.lock();
                auto it = entries_.find(keys_[i]);
                if(it != entries_.end())
                    it->second.armed = false;
                dirty_ = true;
            }
        }
    }

    void wake() noexcept override
    {
        char c = 1;
        ssize_t r = ::write(wake_wr_, &c, 1);
        (void)r;
    }

    bool needs_rearm() const noexcept override { return oneshot_; }

    void rearm(std::uint64_t key) noexcept override
    {
        {
            std::lock_guard<std::mutex> lk(m_);
            auto it = entries_.find(key);
            if(it == entries_.end() || it->second.armed)
                return;
            it->second.armed = true;
            dirty_ = true;
        }
        wake();
    }
};

} // detail
} // millio
} // boost

#endif
