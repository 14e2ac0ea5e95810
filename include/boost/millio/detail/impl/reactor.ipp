//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_DETAIL_IMPL_REACTOR_IPP
#define BOOST_MILLIO_DETAIL_IMPL_REACTOR_IPP

#include <boost/millio/detail/reactor.hpp>
#include <boost/millio/detail/except.hpp>
#if defined(BOOST_MILLIO_HAS_AFD)
#include <boost/millio/detail/afd_backend.hpp>
#include <boost/millio/detail/impl/afd_backend.ipp>
#else
#include <boost/millio/detail/epoll_backend.hpp>
#include <boost/millio/detail/io_uring_backend.hpp>
#include <boost/millio/detail/poll_backend.hpp>
#include <boost/millio/detail/impl/epoll_backend.ipp>
#include <boost/millio/detail/impl/io_uring_backend.ipp>
#include <boost/millio/detail/impl/poll_backend.ipp>
#endif
#include <boost/millio/detail/impl/registration.ipp>
#include <boost/millio/detail/impl/uring_hooks.ipp>
#include <boost/millio/detail/impl/scheduler.ipp>
#include <boost/millio/detail/impl/timer_queue.ipp>

#include <thread>

namespace boost {
namespace millio {
namespace detail {

inline
std::size_t
default_thread_count() noexcept
{
    unsigned n = std::thread::hardware_concurrency();
    return n == 0 ? 4 : n;
}

// The poll timeout in nanoseconds (negative: none), capped at 1000 s.
inline
std::int64_t
timeout_ns(event_loop_options const& opt) noexcept
{
    auto t = opt.poll_timeout.count();
    if(t < 0)
        return -1;
    if(t > 1000LL * 1000)
        t = 1000LL * 1000;
    return static_cast<std::int64_t>(t) * 1000000;
}

event_loop_options
reactor::
resolve(event_loop_options const& opt)
{
    if(opt.events_capacity == 0 || opt.events_capacity > 0x7fffffff)
        throw_system_error(make_error_code(error::invalid_argument));
    event_loop_options o = opt;
#if defined(BOOST_MILLIO_HAS_AFD)
    // The only backend on Windows; io_uring falls back to it as it falls
    // back to epoll on Linux.
    if(o.backend == backend_type::automatic || o.backend == backend_type::io_uring)
        o.backend = backend_type::afd;
    if(o.backend != backend_type::afd)
        throw_system_error(make_error_code(system::errc::function_not_supported));
#else
    if(o.backend == backend_type::afd)
        throw_system_error(make_error_code(system::errc::function_not_supported));
    if(o.backend == backend_type::automatic)
    {
#if defined(BOOST_MILLIO_HAS_EPOLL)
        o.backend = backend_type::epoll;
#else
        o.backend = backend_type::poll;
#endif
    }
#if !defined(BOOST_MILLIO_HAS_EPOLL)
    if(o.backend == backend_type::epoll)
        throw_system_error(make_error_code(system::errc::function_not_supported));
#endif
#endif
    o.io_threads = 0;
    if(opt.mode == dispatch_mode::pool)
        o.io_threads = opt.io_threads == 0 ? default_thread_count() : opt.io_threads;
    return o;
}

reactor::init_result
reactor::
make_backend(event_loop_options const& opt)
{
    init_result r{resolve(opt), nullptr};
    event_loop_options& o = r.opt;
#if defined(BOOST_MILLIO_HAS_AFD)
    r.be.reset(new afd_backend(o.events_capacity));
    return r;
#else
    if(o.backend == backend_type::io_uring)
    {
#if defined(BOOST_MILLIO_HAS_IO_URING)
        try
        {
            auto* u = new io_uring_backend(o.events_capacity);
            r.be.reset(u);
            r.uring = u;
            return r;
        }
        catch(system_error const&)
        {
            // io_uring is missing, disabled or refused: fall back
        }
#endif
#if defined(BOOST_MILLIO_HAS_EPOLL)
        o.backend = backend_type::epoll;
#else
        o.backend = backend_type::poll;
#endif
    }
#if defined(BOOST_MILLIO_HAS_EPOLL)
    if(o.backend == backend_type::epoll)
    {
        r.be.reset(new epoll_backend(o.events_capacity));
        return r;
    }
#endif
    r.be.reset(new poll_backend());
    return r;
#endif
}

reactor::
reactor(event_loop_options const& opt)
    : reactor(make_backend(opt))
{
}

reactor::
reactor(init_result r)
    : opt_(r.opt)
    , be_(std::move(r.be))
    , rearm_(be_->needs_rearm())
    , uring_(r.uring)
    , table_(*be_)
    , timers_(static_cast<timer_queue::owner&>(*this))
    , sched_(
        static_cast<scheduler_task&>(*this),
        opt_.mode == dispatch_mode::direct,
        opt_.io_threads,
        timeout_ns(opt_),
        opt_.events_capacity)
{
    ready_.reserve(opt_.events_capacity + 1);
    sched_.start();
}

reactor::
~reactor()
{
    shutdown();
    destroy_pending();
}

void
reactor::
shutdown() noexcept
{
    sched_.shutdown();
}

void
reactor::
destroy_pending() noexcept
{
    // Everything refuses new work by now: what these destructors submit
    // fails or is destroyed at once.
    for(registration* r : table_.shutdown())
    {
        r->close(false);
        r->release();
    }
    timers_.shutdown();
    sched_.destroy_pending();
}

//------------------------------------------------------------------------------
// scheduler_task

void
reactor::
run_task(std::int64_t timeout, std::vector<operation*>& out, error_code& ec)
{
    timeout = timers_.wait_timeout(timeout);
    ready_.clear();
    be_->wait(ready_, opt_.events_capacity, timeout, ec);
    table_.collect(ready_, out);
    timers_.collect_due(out);
}

void
reactor::
interrupt() noexcept
{
    be_->wake();
}

void
reactor::
thread_begin() noexcept
{
    be_->thread_begin();
}

void
reactor::
thread_end() noexcept
{
    be_->thread_end();
}

//------------------------------------------------------------------------------
// registration_owner, timer_queue::owner

void
reactor::
requeue(registration* r) noexcept
{
    sched_.post(r);
}

void
reactor::
rearm(registration* r) noexcept
{
    if(rearm_)
        be_->rearm(r->key());
}

void
reactor::
report_exception(std::exception_ptr ep) noexcept
{
    sched_.report_exception(ep);
}

void
reactor::
notify_waiters() noexcept
{
    std::lock_guard<std::mutex> lk(wait_mutex_);
    wait_cv_.notify_all();
}

void
reactor::
wait_not_running(std::atomic<unsigned>& state) noexcept
{
    std::unique_lock<std::mutex> lk(wait_mutex_);
    for(;;)
    {
        unsigned s = state.fetch_or(registration::waiter, std::memory_order_seq_cst);
        if((s & registration::running) == 0)
            return;
        wait_cv_.wait(lk);
    }
}

void
reactor::
interrupt_wait() noexcept
{
    if(!sched_.running_in_reactor_thread())
        be_->wake();
}

//------------------------------------------------------------------------------
// registrations

registration*
reactor::
add(int fd, millio::token t, bool user, interest i,
    std::unique_ptr<event_handler> h, error_code& ec)
{
    ec = {};
    if(fd < 0)
    {
        BOOST_MILLIO_FAIL(ec, system::errc::bad_file_descriptor);
        return nullptr;
    }
    if(static_cast<unsigned>(i) == 0 ||
        (static_cast<unsigned>(i) & ~3u) != 0 || !h)
    {
        BOOST_MILLIO_FAIL(ec, error::invalid_argument);
        return nullptr;
    }
    if(sched_.is_shut_down())
    {
        BOOST_MILLIO_FAIL(ec, error::shut_down);
        return nullptr;
    }
    return table_.add(*this, fd, t, user, i, std::move(h), ec);
}

void
reactor::
modify(registration* r, interest i, error_code& ec)
{
    ec = {};
    if(static_cast<unsigned>(i) == 0 || (static_cast<unsigned>(i) & ~3u) != 0)
    {
        BOOST_MILLIO_FAIL(ec, error::invalid_argument);
        return;
    }
    table_.modify(r, i, ec);
}

void
reactor::
remove_impl(registration* r, bool wait, error_code& ec)
{
    ec = {};
    if(!table_.remove(r))
    {
        BOOST_MILLIO_FAIL(ec, error::not_registered);
        return;
    }
    r->close(wait);
    r->release();
}

void
reactor::
remove(registration* r, error_code& ec)
{
    remove_impl(r, true, ec);
}

void
reactor::
remove_no_wait(registration* r, error_code& ec)
{
    remove_impl(r, false, ec);
}

void
reactor::
notify(registration* r, unsigned bits)
{
    if(r->post_events(bits))
    {
        r->add_ref();
        sched_.post(r);
    }
}

void
reactor::
modify_user(int fd, millio::token t, interest i, error_code& ec)
{
    registration* r = table_.find_user(fd, t);
    if(!r)
    {
        BOOST_MILLIO_FAIL(ec, error::not_registered);
        return;
    }
    modify(r, i, ec);
    r->release();
}

void
reactor::
remove_user_impl(int fd, millio::token t, bool wait, error_code& ec)
{
    registration* r = table_.find_user(fd, t);
    if(!r)
    {
        BOOST_MILLIO_FAIL(ec, error::not_registered);
        return;
    }
    // A concurrent remove of the same token may win the race; this
    // call then fails with error::not_registered.
    remove_impl(r, wait, ec);
    r->release();
}

void
reactor::
remove_user(int fd, millio::token t, error_code& ec)
{
    // A thread of the loop never waits for another handler: two handlers
    // removing each other would wait for each other.
    remove_user_impl(fd, t, !sched_.running_in_this_thread(), ec);
}

void
reactor::
remove_user_no_wait(int fd, millio::token t, error_code& ec)
{
    remove_user_impl(fd, t, false, ec);
}

//------------------------------------------------------------------------------
// timers

std::uint64_t
reactor::
add_timer_node(
    timer_queue::clock::time_point start,
    std::chrono::nanoseconds delay,
    std::chrono::nanoseconds period,
    timer_node* n,
    error_code& ec)
{
    bool wake = false;
    std::uint64_t id = timers_.add(start, delay, period, n, wake, ec);
    if(wake)
        interrupt_wait();
    return id;
}

bool
reactor::
cancel_timer(std::uint64_t id) noexcept
{
    return timers_.cancel(id);
}

std::size_t
reactor::
pending_timers() const noexcept
{
    return timers_.size();
}

//------------------------------------------------------------------------------
// running

void
reactor::
run(error_code& ec)
{
    sched_.run(ec);
}

std::size_t
reactor::
poll(error_code& ec)
{
    return sched_.poll(ec);
}

void
reactor::
stop() noexcept
{
    sched_.stop();
}

bool
reactor::
stopped() const noexcept
{
    return sched_.stopped();
}

void
reactor::
set_exception_handler(std::function<void(std::exception_ptr)> f)
{
    sched_.set_exception_handler(std::move(f));
}

void
reactor::
wake() noexcept
{
    be_->wake();
}

void
reactor::
post(operation* op)
{
    sched_.post(op);
}

void
reactor::
post_task(task_node* n)
{
    sched_.post_task(n);
}

bool
reactor::
running_in_this_thread() const noexcept
{
    return sched_.running_in_this_thread();
}

bool
reactor::
running_in_reactor_thread() const noexcept
{
    return sched_.running_in_reactor_thread();
}

} // detail
} // millio
} // boost

#endif
