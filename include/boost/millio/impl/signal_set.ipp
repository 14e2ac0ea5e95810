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

#if defined(_WIN32)
#include <boost/millio/impl/signal_set_win32.ipp>
#else

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <csignal>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

namespace boost {
namespace millio {

namespace detail {

#ifndef NSIG
# define NSIG 65
#endif

// The signal handler only uses these atomics and write().
static_assert(std::atomic<int>::is_always_lock_free,
    "the signal handler needs lock-free atomic<int>");
static_assert(std::atomic<unsigned>::is_always_lock_free,
    "the signal handler needs lock-free atomic<unsigned>");

// The write end, plus one, of the pipe of the signal set owning each
// signal; zero when no set owns it.
inline std::atomic<int> signal_pipe_fds[NSIG] = {};

// Guards signal_owned, and serializes the un-publishing of pipes.
inline std::mutex signal_owner_mutex;
inline bool signal_owned[NSIG] = {};

// Signal handlers that may be using a published pipe, counted per
// epoch parity. A handler enters the current epoch before it loads a
// pipe; tearing a set down un-publishes its pipe, starts a new epoch
// and waits for the handlers of the previous one. Handlers entering
// after that cannot see the pipe, so the wait is short and bounded
// even while signals keep arriving.
inline std::atomic<unsigned> signal_epoch{0};
inline std::atomic<int> signal_handlers_active[2] = {};

extern "C" inline void millio_signal_handler(int signo)
{
    int const saved = errno;
    if(signo > 0 && signo < NSIG)
    {
        unsigned e;
        for(;;)
        {
            e = signal_epoch.load(std::memory_order_seq_cst);
            signal_handlers_active[e & 1].fetch_add(1, std::memory_order_seq_cst);
            if(signal_epoch.load(std::memory_order_seq_cst) == e)
                break;
            // a teardown started a new epoch meanwhile: enter that one
            signal_handlers_active[e & 1].fetch_sub(1, std::memory_order_seq_cst);
        }
        int const fd = signal_pipe_fds[signo].load(std::memory_order_seq_cst) - 1;
        if(fd >= 0)
        {
            unsigned char c = static_cast<unsigned char>(signo);
            ssize_t r = ::write(fd, &c, 1);
            (void)r;
        }
        signal_handlers_active[e & 1].fetch_sub(1, std::memory_order_release);
    }
    errno = saved;
}

} // detail

// The state of a signal set. The handler registered with the reactor
// shares it, so it outlives the signal_set while that handler may run;
// the pipe is closed when the state dies.
struct signal_set::impl
{
    using callback = std::function<void(int)>;

    int rd = -1;
    int wr = -1;
    std::vector<int> signals;
    std::vector<struct sigaction> previous;
    detail::registration* reg = nullptr;
    std::atomic<std::size_t> count{0};

    std::mutex m;
    std::condition_variable cv;
    // The user's function. Shared so that it is copied (and destroyed)
    // without running user code under `m`: a running callback holds a
    // reference, and the callable dies with the last one.
    std::shared_ptr<callback> fn;       // guarded by m
    std::atomic<bool> closed{false};    // set under m
    bool running = false;               // guarded by m: a callback runs
    std::thread::id runner;             // guarded by m: where it runs

    ~impl()
    {
        if(rd >= 0)
            ::close(rd);
        if(wr >= 0)
            ::close(wr);
    }

    void
    on_readable()
    {
        unsigned char buf[64];
        for(;;)
        {
            if(closed.load(std::memory_order_acquire))
                return;
            ssize_t n = ::read(rd, buf, sizeof(buf));
            if(n < 0 && errno == EINTR)
                continue;
            if(n <= 0)
                return;
            for(ssize_t i = 0; i < n; ++i)
                if(!deliver(buf[i]))
                    return;
        }
    }

    // Calls the user's function for one signal. Returns false if the
    // set is closed.
    bool
    deliver(int signo)
    {
        std::shared_ptr<callback> f;
        {
            std::lock_guard<std::mutex> lk(m);
            if(closed.load(std::memory_order_relaxed))
                return false;
            count.fetch_add(1, std::memory_order_relaxed);
            if(!fn)
                return true;
            f = fn;
            running = true;
            runner = std::this_thread::get_id();
        }
        // Runs even if the callback throws. The callable dies here if
        // on_signal replaced it meanwhile: without the lock, and before
        // a destructor waiting on another thread returns.
        struct finish
        {
            impl& self;
            std::shared_ptr<callback>& f;

            ~finish()
            {
                f.reset();
                std::lock_guard<std::mutex> lk(self.m);
                self.running = false;
                self.runner = std::thread::id();
                self.cv.notify_all();
            }
        } guard{*this, f};
        (*f)(signo);
        return true;
    }

    // Restores the previous dispositions and un-publishes the pipe.
    // Returns when no signal handler can write to the pipe any more.
    void
    release_signals() noexcept
    {
        std::lock_guard<std::mutex> lk(detail::signal_owner_mutex);
        release_signals_locked();
    }

    // The same, with signal_owner_mutex held by the caller.
    void
    release_signals_locked() noexcept
    {
        for(std::size_t i = 0; i < signals.size(); ++i)
        {
            int const s = signals[i];
            ::sigaction(s, &previous[i], nullptr);
            detail::signal_pipe_fds[s].store(0, std::memory_order_seq_cst);
            detail::signal_owned[s] = false;
        }
        // Handlers of the current epoch may have loaded the write end
        // before it was un-published: start a new epoch, wait for them.
        // Teardowns are serialized by signal_owner_mutex, so every
        // handler of an earlier epoch has already left.
        unsigned const e = detail::signal_epoch.fetch_add(1, std::memory_order_seq_cst);
        while(detail::signal_handlers_active[e & 1].load(std::memory_order_seq_cst) != 0)
            std::this_thread::yield();
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
    auto p = std::make_shared<impl>();
    std::lock_guard<std::mutex> lk(detail::signal_owner_mutex);
    for(int s : signals)
    {
        if(s <= 0 || s >= NSIG)
        {
            BOOST_MILLIO_FAIL(ec, error::invalid_argument);
            return;
        }
        if(detail::signal_owned[s])
        {
            BOOST_MILLIO_FAIL(ec, error::signal_in_use);
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
    p->signals.reserve(signals.size());
    p->previous.reserve(signals.size());
    p->reg = detail::access::reactor(loop_).add(p->rd, token(), false, interest::readable,
        detail::make_event_handler([p](event const&) { p->on_readable(); }), ec);
    if(ec)
        return;     // the state closes the pipe
    for(int s : signals)
    {
        struct sigaction sa{};
        struct sigaction old{};
        sa.sa_handler = &detail::millio_signal_handler;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = SA_RESTART;
        detail::signal_pipe_fds[s].store(p->wr + 1, std::memory_order_seq_cst);
        if(::sigaction(s, &sa, &old) != 0)
        {
            // SIGKILL and SIGSTOP cannot be caught: undo what was
            // installed, then let the reactor drop the state.
            int const e = errno;
            detail::signal_pipe_fds[s].store(0, std::memory_order_seq_cst);
            p->release_signals_locked();
            error_code ignored;
            detail::access::reactor(loop_).remove_no_wait(p->reg, ignored);
            if(e == EINVAL)
                BOOST_MILLIO_FAIL(ec, error::invalid_argument);
            else
                ec.assign(e, system::system_category());
            return;
        }
        detail::signal_owned[s] = true;
        p->signals.push_back(s);
        p->previous.push_back(old);
    }
    impl_ = std::move(p);
}

signal_set::
~signal_set()
{
    if(!impl_)
        return;
    impl& s = *impl_;

    // No callback starts from now on. Wait for a running one, unless it
    // runs on this thread: the set is destroyed from its own callback,
    // which goes on after this destructor returned.
    std::shared_ptr<impl::callback> f;
    {
        std::unique_lock<std::mutex> lk(s.m);
        s.closed.store(true, std::memory_order_release);
        auto const self = std::this_thread::get_id();
        s.cv.wait(lk, [&]{ return !s.running || s.runner == self; });
        f = std::move(s.fn);
    }
    f.reset();  // user code: without the lock

    s.release_signals();

    // The reactor's handler holds the state; the state closes the pipe
    // when the handler is gone.
    error_code ec;
    detail::access::reactor(loop_).remove_no_wait(s.reg, ec);
}

void
signal_set::
on_signal(std::function<void(int)> f)
{
    if(!impl_)
        return;
    std::shared_ptr<impl::callback> p;
    if(f)
        p = std::make_shared<impl::callback>(std::move(f));
    {
        std::lock_guard<std::mutex> lk(impl_->m);
        if(!impl_->closed.load(std::memory_order_relaxed))
            p.swap(impl_->fn);
    }
    // `p` now holds the previous function (or the new one, if the set
    // is being destroyed): it dies here, without the lock
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

#endif
