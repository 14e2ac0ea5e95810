//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef BOOST_MILLIO_IMPL_SIGNAL_SET_WIN32_IPP
#define BOOST_MILLIO_IMPL_SIGNAL_SET_WIN32_IPP

// Included by signal_set.ipp on Windows.

#include <boost/millio/signal_set.hpp>
#include <boost/millio/detail/access.hpp>
#include <boost/millio/detail/except.hpp>
#include <boost/millio/detail/operation.hpp>
#include <boost/millio/detail/reactor.hpp>
#include <boost/millio/detail/win32.hpp>

#include <atomic>
#include <condition_variable>
#include <csignal>
#include <functional>
#include <memory>
#include <mutex>
#include <new>
#include <thread>
#include <vector>

/*  Windows has no sigaction and no pipes to the loop. Two sources of
    signals feed a set:

    - the console control handler (SetConsoleCtrlHandler), as in Asio:
      Ctrl+C is SIGINT, Ctrl+Break is SIGBREAK, the closing of the
      console window (and a logoff or shutdown, for a service) is
      SIGTERM. It runs on a thread the system creates for the event.

    - the C runtime's signal(), for raise() (and for the signals the
      runtime raises itself, such as SIGABRT).

    Neither runs on an interrupted thread, so both may allocate and
    post: they count the signal and post one delivery operation to the
    loop. Only one delivery of a set is queued or running at a time, so
    that calls of the set's function never overlap.
*/

namespace boost {
namespace millio {

namespace detail {

#ifndef NSIG
# define NSIG 23
#endif

// What a signal handler reaches of a set (signal_set::impl is private).
struct signal_target
{
    virtual void raise(int signo) noexcept = 0;

protected:
    ~signal_target() = default;
};

inline std::atomic<signal_target*> signal_owners[NSIG] = {};

inline std::mutex signal_owner_mutex;

// The handlers that may be using a published owner, per epoch parity
// (as on POSIX: a teardown starts a new epoch and waits for the
// handlers of the previous one).
inline std::atomic<unsigned> signal_epoch{0};
inline std::atomic<int> signal_handlers_active[2] = {};

extern "C" inline void __cdecl millio_signal_handler(int signo);

// The sets that hold a signal of the console control handler; it is
// installed while there is one. Guarded by signal_owner_mutex.
inline std::size_t console_handler_users = 0;

// The signal of a console control event, or 0 for none.
inline
int
console_signal(DWORD ctrl) noexcept
{
    switch(ctrl)
    {
    case CTRL_C_EVENT: return SIGINT;
    case CTRL_BREAK_EVENT: return SIGBREAK;
    case CTRL_CLOSE_EVENT:
    case CTRL_LOGOFF_EVENT:
    case CTRL_SHUTDOWN_EVENT: return SIGTERM;
    default: return 0;
    }
}

inline
bool
is_console_signal(int signo) noexcept
{
    return signo == SIGINT || signo == SIGBREAK || signo == SIGTERM;
}

inline BOOL WINAPI millio_console_handler(DWORD ctrl);

} // detail

struct signal_set::impl final
    : detail::signal_target
    , std::enable_shared_from_this<signal_set::impl>
{
    using callback = std::function<void(int)>;
    using handler_type = void (__cdecl*)(int);

    detail::reactor* reactor = nullptr;
    std::vector<int> signals;
    std::vector<handler_type> previous;
    bool console = false;               // counted in console_handler_users
    std::atomic<std::size_t> raised[NSIG] = {};
    std::atomic<bool> queued{false};    // a delivery is queued or running
    std::atomic<std::size_t> count{0};

    std::mutex m;
    std::condition_variable cv;
    std::shared_ptr<callback> fn;       // guarded by m
    std::atomic<bool> closed{false};    // set under m
    bool running = false;               // guarded by m
    std::thread::id runner;             // guarded by m

    struct delivery final : detail::operation
    {
        std::shared_ptr<impl> self;

        explicit delivery(std::shared_ptr<impl> p) noexcept
            : detail::operation(&do_complete)
            , self(std::move(p))
        {
        }

        static void do_complete(detail::operation* op, bool destroy)
        {
            std::unique_ptr<delivery> d(static_cast<delivery*>(op));
            if(!destroy)
                d->self->drain();
        }
    };

    // From the signal handler: count, and queue a delivery.
    void
    raise(int signo) noexcept override
    {
        raised[signo].fetch_add(1, std::memory_order_seq_cst);
        schedule();
    }

    // Queue a delivery unless one is queued or running.
    void
    schedule() noexcept
    {
        if(queued.exchange(true, std::memory_order_seq_cst))
            return;
        delivery* d = nullptr;
        try
        {
            d = new delivery(shared_from_this());
            reactor->post(d);
        }
        catch(...)
        {
            // No memory: the signals stay counted in `raised` and are
            // delivered with the next one.
            if(!d)
                queued.store(false, std::memory_order_seq_cst);
        }
    }

    // One pass over the signals raised so far; what arrives meanwhile is
    // delivered by another operation (bounded work per operation).
    void
    drain()
    {
        for(int s : signals)
        {
            std::size_t n = raised[s].exchange(0, std::memory_order_seq_cst);
            for(; n != 0; --n)
                if(!deliver(s))
                    return;
        }
        queued.store(false, std::memory_order_seq_cst);
        for(int s : signals)
        {
            if(raised[s].load(std::memory_order_seq_cst) != 0)
            {
                schedule();
                return;
            }
        }
    }

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

    void
    release_signals() noexcept
    {
        std::lock_guard<std::mutex> lk(detail::signal_owner_mutex);
        for(std::size_t i = 0; i < signals.size(); ++i)
        {
            int const s = signals[i];
            detail::signal_owners[s].store(nullptr, std::memory_order_seq_cst);
            ::signal(s, previous[i]);
        }
        if(console && --detail::console_handler_users == 0)
            ::SetConsoleCtrlHandler(&detail::millio_console_handler, FALSE);
        console = false;
        unsigned const e = detail::signal_epoch.fetch_add(1, std::memory_order_seq_cst);
        while(detail::signal_handlers_active[e & 1].load(std::memory_order_seq_cst) != 0)
            std::this_thread::yield();
    }
};

namespace detail {

// Passes a signal to the set that owns it, if any. Returns true if one
// did. A teardown waits for the calls of the epoch it ends.
inline
bool
dispatch_signal(int signo) noexcept
{
    unsigned e;
    for(;;)
    {
        e = signal_epoch.load(std::memory_order_seq_cst);
        signal_handlers_active[e & 1].fetch_add(1, std::memory_order_seq_cst);
        if(signal_epoch.load(std::memory_order_seq_cst) == e)
            break;
        signal_handlers_active[e & 1].fetch_sub(1, std::memory_order_seq_cst);
    }
    signal_target* const p = signal_owners[signo].load(std::memory_order_seq_cst);
    if(p)
        p->raise(signo);
    signal_handlers_active[e & 1].fetch_sub(1, std::memory_order_release);
    return p != nullptr;
}

extern "C" inline void __cdecl millio_signal_handler(int signo)
{
    if(signo <= 0 || signo >= NSIG)
        return;
    // The runtime restores the default disposition before calling a
    // handler: install it again at once.
    ::signal(signo, &millio_signal_handler);
    dispatch_signal(signo);
}

// A console event that no set holds goes on to the next handler (in the
// end the system's, which ends the process).
inline BOOL WINAPI millio_console_handler(DWORD ctrl)
{
    int const signo = console_signal(ctrl);
    if(signo == 0)
        return FALSE;
    return dispatch_signal(signo) ? TRUE : FALSE;
}

} // detail

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
    p->reactor = &detail::access::reactor(loop_);
    p->signals.reserve(signals.size());
    p->previous.reserve(signals.size());
    std::lock_guard<std::mutex> lk(detail::signal_owner_mutex);
    for(int s : signals)
    {
        // The signals of the C runtime that a program can catch and
        // raise (SIGINT, SIGTERM, SIGBREAK, SIGABRT, ...).
        if(s <= 0 || s >= NSIG)
        {
            BOOST_MILLIO_FAIL(ec, system::errc::invalid_argument);
            return;
        }
        if(detail::signal_owners[s].load(std::memory_order_relaxed))
        {
            BOOST_MILLIO_FAIL(ec, system::errc::device_or_resource_busy);
            return;
        }
    }
    for(int s : signals)
    {
        detail::signal_owners[s].store(p.get(), std::memory_order_seq_cst);
        auto const old = ::signal(s, &detail::millio_signal_handler);
        if(old == SIG_ERR)
        {
            // not a signal of the runtime: undo
            detail::signal_owners[s].store(nullptr, std::memory_order_seq_cst);
            for(std::size_t i = 0; i < p->signals.size(); ++i)
            {
                detail::signal_owners[p->signals[i]].store(nullptr, std::memory_order_seq_cst);
                ::signal(p->signals[i], p->previous[i]);
            }
            BOOST_MILLIO_FAIL(ec, system::errc::invalid_argument);
            return;
        }
        p->signals.push_back(s);
        p->previous.push_back(old);
    }
    for(int s : p->signals)
    {
        if(!detail::is_console_signal(s))
            continue;
        if(detail::console_handler_users == 0 &&
            !::SetConsoleCtrlHandler(&detail::millio_console_handler, TRUE))
        {
            detail::assign_win32(ec, ::GetLastError());
            for(std::size_t i = 0; i < p->signals.size(); ++i)
            {
                detail::signal_owners[p->signals[i]].store(nullptr, std::memory_order_seq_cst);
                ::signal(p->signals[i], p->previous[i]);
            }
            return;
        }
        ++detail::console_handler_users;
        p->console = true;
        break;
    }
    impl_ = std::move(p);
}

signal_set::
~signal_set()
{
    if(!impl_)
        return;
    impl& s = *impl_;
    std::shared_ptr<impl::callback> f;
    {
        std::unique_lock<std::mutex> lk(s.m);
        s.closed.store(true, std::memory_order_release);
        auto const self = std::this_thread::get_id();
        s.cv.wait(lk, [&]{ return !s.running || s.runner == self; });
        f = std::move(s.fn);
    }
    f.reset();
    // Once it returned, no handler uses the state; a queued delivery
    // holds it and finds it closed.
    s.release_signals();
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
