//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef BOOST_MILLIO_IMPL_SIGNAL_SET_IPP
#define BOOST_MILLIO_IMPL_SIGNAL_SET_IPP

#include <boost/millio/signal_set.hpp>
#include <boost/millio/detail/except.hpp>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <mutex>

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

namespace boost {
namespace millio {

namespace detail {

#ifndef NSIG
# define NSIG 65
#endif

// The write end of the pipe of the signal set owning each signal.
inline std::atomic<int> signal_pipe_fds[NSIG] = {};
inline std::mutex signal_owner_mutex;
inline bool signal_owned[NSIG] = {};

extern "C" inline void millio_signal_handler(int signo)
{
    int const saved = errno;
    if(signo > 0 && signo < NSIG)
    {
        int fd = signal_pipe_fds[signo].load(std::memory_order_relaxed);
        if(fd > 0)
        {
            unsigned char c = static_cast<unsigned char>(signo);
            ssize_t r = ::write(fd, &c, 1);
            (void)r;
        }
    }
    errno = saved;
}

} // detail

struct signal_set::impl
{
    event_loop* loop = nullptr;
    int rd = -1;
    int wr = -1;
    std::vector<int> signals;
    std::vector<struct sigaction> previous;
    detail::registration* reg = nullptr;
    std::mutex m;
    std::function<void(int)> fn;
    std::atomic<std::size_t> count{0};

    void on_readable()
    {
        unsigned char buf[64];
        for(;;)
        {
            ssize_t n = ::read(rd, buf, sizeof(buf));
            if(n <= 0)
                break;
            for(ssize_t i = 0; i < n; ++i)
            {
                count.fetch_add(1, std::memory_order_relaxed);
                std::function<void(int)> f;
                {
                    std::lock_guard<std::mutex> lk(m);
                    f = fn;
                }
                if(f)
                    f(buf[i]);
            }
        }
    }
};

signal_set::
signal_set(event_loop& loop, std::initializer_list<int> signals)
    : loop_(loop)
{
    error_code ec;
    init(signals, ec);
    detail::throw_if(ec);
}

signal_set::
signal_set(event_loop& loop, std::initializer_list<int> signals, error_code& ec)
    : loop_(loop)
{
    init(signals, ec);
}

void
signal_set::
init(std::initializer_list<int> signals, error_code& ec)
{
    ec = {};
    std::unique_ptr<impl> p(new impl);
    p->loop = &loop_;
    std::lock_guard<std::mutex> lk(detail::signal_owner_mutex);
    for(int s : signals)
    {
        if(s <= 0 || s >= NSIG)
        {
            BOOST_MILLIO_FAIL(ec, system::errc::invalid_argument);
            return;
        }
        if(detail::signal_owned[s])
        {
            BOOST_MILLIO_FAIL(ec, system::errc::device_or_resource_busy);
            return;
        }
    }
    int fds[2];
    if(::pipe(fds) != 0)
    {
        ec.assign(errno, system::system_category());
        return;
    }
    p->rd = fds[0];
    p->wr = fds[1];
    for(int fd : fds)
    {
        ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
        ::fcntl(fd, F_SETFD, ::fcntl(fd, F_GETFD) | FD_CLOEXEC);
    }
    impl* raw = p.get();
    p->reg = loop_.reactor().add(p->rd, token(), false, interest::readable,
        detail::make_event_handler([raw](event const&) { raw->on_readable(); }), ec);
    if(ec)
    {
        ::close(p->rd);
        ::close(p->wr);
        return;
    }
    for(int s : signals)
    {
        struct sigaction sa{};
        struct sigaction old{};
        sa.sa_handler = &detail::millio_signal_handler;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = SA_RESTART;
        detail::signal_pipe_fds[s].store(p->wr, std::memory_order_relaxed);
        ::sigaction(s, &sa, &old);
        detail::signal_owned[s] = true;
        p->signals.push_back(s);
        p->previous.push_back(old);
    }
    impl_ = p.release();
}

signal_set::
~signal_set()
{
    if(!impl_)
        return;
    {
        std::lock_guard<std::mutex> lk(detail::signal_owner_mutex);
        for(std::size_t i = 0; i < impl_->signals.size(); ++i)
        {
            int s = impl_->signals[i];
            ::sigaction(s, &impl_->previous[i], nullptr);
            detail::signal_pipe_fds[s].store(0, std::memory_order_relaxed);
            detail::signal_owned[s] = false;
        }
    }
    error_code ec;
    loop_.reactor().remove(impl_->reg, ec);
    ::close(impl_->rd);
    ::close(impl_->wr);
    delete impl_;
}

void
signal_set::
on_signal(std::function<void(int)> f)
{
    if(!impl_)
        return;
    std::lock_guard<std::mutex> lk(impl_->m);
    impl_->fn = std::move(f);
}

void
signal_set::
stop_loop_on_signal()
{
    event_loop* loop = &loop_;
    on_signal([loop](int) { loop->stop(); });
}

std::size_t
signal_set::
count() const noexcept
{
    return impl_ ? impl_->count.load(std::memory_order_relaxed) : 0;
}

} // millio
} // boost

#endif
