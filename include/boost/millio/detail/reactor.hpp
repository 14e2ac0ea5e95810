//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_DETAIL_REACTOR_HPP
#define BOOST_MILLIO_DETAIL_REACTOR_HPP

#include <boost/millio/detail/config.hpp>
#include <boost/millio/detail/operation.hpp>
#include <boost/millio/detail/task.hpp>
#include <boost/millio/error.hpp>
#include <boost/millio/event.hpp>
#include <boost/millio/event_handler.hpp>
#include <boost/millio/event_loop_options.hpp>
#include <atomic>
#include <chrono>
#include <exception>
#include <functional>
#include <cstdint>
#include <memory>
#include <thread>

namespace boost {
namespace millio {
namespace detail {

class reactor;

// One source registered with the reactor. Registrations are reference
// counted: the reactor's tables hold one reference and every queued
// dispatch holds one more.
class registration final : public operation
{
public:
    enum : unsigned
    {
        scheduled = 1,  // queued or being run by a worker
        running = 2,    // the handler is executing
        closed = 4,     // deregistered: never call the handler again
        waiter = 8      // a thread waits for `running` to clear
    };

    registration(
        reactor& r,
        int fd,
        millio::token t,
        bool user,
        std::uint64_t key,
        interest i,
        std::unique_ptr<event_handler> h) noexcept;

    void add_ref() noexcept
    {
        refs_.fetch_add(1, std::memory_order_relaxed);
    }

    void release() noexcept
    {
        if(refs_.fetch_sub(1, std::memory_order_acq_rel) == 1)
            delete this;
    }

    int fd() const noexcept { return fd_; }
    millio::token token() const noexcept { return token_; }
    bool is_user() const noexcept { return user_; }
    std::uint64_t key() const noexcept { return key_; }
    interest get_interest() const noexcept { return interest_.load(std::memory_order_relaxed); }
    void set_interest(interest i) noexcept { interest_.store(i, std::memory_order_relaxed); }

    // Called by the reactor thread when readiness `bits` was seen.
    // Returns true if the registration must be queued (the caller then
    // owns one added reference for the queue).
    bool
    post_events(unsigned bits) noexcept
    {
        pending_.fetch_or(bits, std::memory_order_seq_cst);
        return (state_.fetch_or(scheduled, std::memory_order_seq_cst) & scheduled) == 0;
    }

    // Run the handler with all pending events (on a worker or the
    // reactor thread). Returns true if more events arrived meanwhile and
    // the registration stays scheduled (the caller re-queues it).
    bool run_pending();

    // Mark closed and wait until the handler is not running, unless the
    // caller is the thread running it.
    void close_and_wait() noexcept;

    bool is_closed() const noexcept
    {
        return (state_.load(std::memory_order_acquire) & closed) != 0;
    }

    // For level-triggered backends: the source is armed in the poll set.
    std::atomic<bool> armed{true};

private:
    ~registration() = default;
    static void do_complete(operation* op, bool destroy);

    reactor& reactor_;
    int fd_;
    millio::token token_;
    bool user_;
    std::uint64_t key_;
    std::atomic<interest> interest_;
    std::unique_ptr<event_handler> handler_;
    std::atomic<int> refs_{1};
    std::atomic<unsigned> pending_{0};
    std::atomic<unsigned> state_{0};
    std::atomic<std::thread::id> runner_{};
};

class reactor_impl;

// The reactor: the backend, the registration tables, the io workers.
class reactor
{
public:
    BOOST_MILLIO_DECL explicit reactor(event_loop_options const& opt);
    BOOST_MILLIO_DECL ~reactor();

    // Register `fd`. A user registration is looked up by token; an
    // internal one (user == false) only by its returned handle.
    BOOST_MILLIO_DECL
    registration*
    add(int fd, millio::token t, bool user, interest i,
        std::unique_ptr<event_handler> h, error_code& ec);

    BOOST_MILLIO_DECL
    void
    modify(registration* r, interest i, error_code& ec);

    BOOST_MILLIO_DECL
    void
    remove(registration* r, error_code& ec);

    // Queue a run of the handler of `r` with the event flags `bits`, as
    // if the backend had reported them. Callable from any thread; the
    // caller must hold a reference to `r`. Does nothing visible if `r`
    // was removed.
    BOOST_MILLIO_DECL
    void
    notify(registration* r, unsigned bits);

    BOOST_MILLIO_DECL
    void
    modify_user(int fd, millio::token t, interest i, error_code& ec);

    BOOST_MILLIO_DECL
    void
    remove_user(int fd, millio::token t, error_code& ec);

    BOOST_MILLIO_DECL void run(error_code& ec);
    BOOST_MILLIO_DECL std::size_t poll(error_code& ec);
    BOOST_MILLIO_DECL void stop() noexcept;
    BOOST_MILLIO_DECL bool stopped() const noexcept;
    BOOST_MILLIO_DECL void wake() noexcept;
    BOOST_MILLIO_DECL void set_exception_handler(std::function<void(std::exception_ptr)> f);

    // Timers. `period` zero: one-shot. Returns the timer's id (0 on error).
    BOOST_MILLIO_DECL
    std::uint64_t
    add_timer(
        std::chrono::nanoseconds delay,
        std::chrono::nanoseconds period,
        std::function<void()> f,
        error_code& ec);

    // Returns true if the timer will not run (again).
    BOOST_MILLIO_DECL bool cancel_timer(std::uint64_t id) noexcept;
    BOOST_MILLIO_DECL std::size_t pending_timers() const noexcept;

    // Queue work for the io workers (pool mode) or the reactor thread
    // (direct mode). Takes ownership of `op`.
    BOOST_MILLIO_DECL void post(operation* op);

    // Queue a pooled task node the same way. Takes ownership of `n`.
    BOOST_MILLIO_DECL void post_task(task_node* n);

    BOOST_MILLIO_DECL bool running_in_this_thread() const noexcept;
    BOOST_MILLIO_DECL bool running_in_reactor_thread() const noexcept;

    dispatch_mode mode() const noexcept { return opt_.mode; }
    backend_type backend() const noexcept { return backend_; }
    std::size_t io_threads() const noexcept { return threads_; }
    event_loop_options const& options() const noexcept { return opt_; }

    // Called when a handler finished, for level-triggered backends.
    void rearm(registration* r) noexcept;
    // Called by a finished handler whose registration has waiters.
    void notify_waiters() noexcept;
    void wait_not_running(std::atomic<unsigned>& state) noexcept;

private:
    friend class registration;
    event_loop_options opt_;
    backend_type backend_;
    std::size_t threads_;
    std::unique_ptr<reactor_impl> impl_;
};

} // detail
} // millio
} // boost

#endif
