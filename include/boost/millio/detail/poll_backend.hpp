//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_DETAIL_POLL_BACKEND_HPP
#define BOOST_MILLIO_DETAIL_POLL_BACKEND_HPP

#include <boost/millio/detail/backend.hpp>
#include <boost/millio/detail/except.hpp>

#include <cerrno>
#include <mutex>
#include <unordered_map>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>

namespace boost {
namespace millio {
namespace detail {

// poll(2); the waker is a pipe.
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
