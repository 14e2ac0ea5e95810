//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_DETAIL_REACTOR_HPP
#define BOOST_MILLIO_DETAIL_REACTOR_HPP

#include <boost/millio/detail/config.hpp>
#include <boost/millio/detail/backend.hpp>
#include <boost/millio/detail/except.hpp>
#include <boost/millio/detail/operation.hpp>
#include <boost/millio/detail/registration.hpp>
#include <boost/millio/detail/scheduler.hpp>
#include <boost/millio/detail/task.hpp>
#include <boost/millio/detail/timer_queue.hpp>
#include <boost/millio/error.hpp>
#include <boost/millio/event.hpp>
#include <boost/millio/event_handler.hpp>
#include <boost/millio/event_loop_options.hpp>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <functional>
#include <cstdint>
#include <memory>
#include <mutex>

namespace boost {
namespace millio {
namespace detail {

class io_uring_backend;

/*  The reactor of an event loop: a backend (the readiness API), the
    registration table, the timer queue, and the scheduler whose threads
    run what they report. Each lives in its own file; this class ties them
    together and is the interface the rest of the library uses.
*/
class reactor final
    : private scheduler_task
    , private registration_owner
    , private timer_queue::owner
{
public:
    BOOST_MILLIO_DECL explicit reactor(event_loop_options const& opt);

    // Calls shutdown() and destroy_pending().
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

    // Remove `r`: its handler is not called again. Waits for a running
    // invocation on another thread to return (unless that invocation is
    // the caller).
    BOOST_MILLIO_DECL
    void
    remove(registration* r, error_code& ec);

    // Remove `r` without waiting: an invocation running on another
    // thread may still be in progress; the handler object is destroyed
    // once it has returned.
    BOOST_MILLIO_DECL
    void
    remove_no_wait(registration* r, error_code& ec);

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

    // I/O on the source of `r` for `i` failed with EAGAIN: the next
    // readiness for `i` is reported (see backend::would_block).
    void would_block(registration* r, interest i) noexcept
    {
        if(rearm_)
            be_->would_block(r->key(), i);
    }

    // Blocking unless called from a thread of the loop (see
    // event_loop::deregister_source).
    BOOST_MILLIO_DECL
    void
    remove_user(int fd, millio::token t, error_code& ec);

    BOOST_MILLIO_DECL
    void
    remove_user_no_wait(int fd, millio::token t, error_code& ec);

    BOOST_MILLIO_DECL void run(error_code& ec);
    BOOST_MILLIO_DECL std::size_t poll(error_code& ec);
    BOOST_MILLIO_DECL void stop() noexcept;
    BOOST_MILLIO_DECL bool stopped() const noexcept;
    BOOST_MILLIO_DECL void wake() noexcept;
    BOOST_MILLIO_DECL void set_exception_handler(std::function<void(std::exception_ptr)> f);

    // Timers. `period` zero: one-shot. Returns the timer's id, or 0 with
    // `ec` set to error::invalid_argument (negative period, null `f`) or
    // error::shut_down.
    // The delay counts from the call.
    template<class F>
    std::uint64_t
    add_timer(
        std::chrono::nanoseconds delay,
        std::chrono::nanoseconds period,
        F&& f,
        error_code& ec)
    {
        auto const start = timer_queue::clock::now();
        ec = {};
        if(period.count() < 0 || is_null_callable(f))
        {
            BOOST_MILLIO_FAIL(ec, error::invalid_argument);
            return 0;
        }
        timer_node* n = timers_.allocate();
        try
        {
            emplace_timer_callable(n, std::forward<F>(f));
        }
        catch(...)
        {
            timers_.deallocate(n);
            throw;
        }
        return add_timer_node(start, delay, period, n, ec);
    }

    // The same with a node from timers_.allocate() that holds the
    // callable, owned from here on; the delay counts from `start`.
    BOOST_MILLIO_DECL
    std::uint64_t
    add_timer_node(
        timer_queue::clock::time_point start,
        std::chrono::nanoseconds delay,
        std::chrono::nanoseconds period,
        timer_node* n,
        error_code& ec);

    // Returns true if the timer was active (see timer_queue::cancel).
    BOOST_MILLIO_DECL bool cancel_timer(std::uint64_t id) noexcept;
    BOOST_MILLIO_DECL std::size_t pending_timers() const noexcept;

    // Queue work for the io workers (pool mode) or the reactor thread
    // (direct mode). Takes ownership of `op`. After shutdown the work is
    // destroyed without running.
    BOOST_MILLIO_DECL void post(operation* op);

    // Queue a pooled task node the same way. Takes ownership of `n`.
    BOOST_MILLIO_DECL void post_task(task_node* n);

    // Stop, wait for a run() in progress to return and join the io
    // workers; from then on submitted work fails or is destroyed.
    BOOST_MILLIO_DECL void shutdown() noexcept;

    // Destroy, without running them, every registration handler, timer
    // and queued operation.
    BOOST_MILLIO_DECL void destroy_pending() noexcept;

    bool is_shut_down() const noexcept { return sched_.is_shut_down(); }

    BOOST_MILLIO_DECL bool running_in_this_thread() const noexcept;
    BOOST_MILLIO_DECL bool running_in_reactor_thread() const noexcept;

    dispatch_mode mode() const noexcept { return opt_.mode; }
    backend_type backend() const noexcept { return opt_.backend; }
    std::size_t io_threads() const noexcept { return opt_.io_threads; }
    event_loop_options const& options() const noexcept { return opt_; }

    // The io_uring backend, for requests submitted for their completion
    // (see uring_completion); null on the other backends.
    io_uring_backend* uring() const noexcept { return uring_; }

private:
    void remove_impl(registration* r, bool wait, error_code& ec);
    void remove_user_impl(int fd, millio::token t, bool wait, error_code& ec);

    // scheduler_task
    void run_task(std::int64_t timeout_ns, std::vector<operation*>& out, error_code& ec) override;
    void interrupt() noexcept override;
    void thread_begin() noexcept override;
    void thread_end() noexcept override;

    // registration_owner
    void requeue(registration* r) noexcept override;
    void rearm(registration* r) noexcept override;
    void report_exception(std::exception_ptr) noexcept override;
    void notify_waiters() noexcept override;
    void wait_not_running(std::atomic<unsigned>& state) noexcept override;

    // timer_queue::owner
    void interrupt_wait() noexcept override;

    // The resolved options and the backend: the backend in the options
    // is the one created (io_uring falls back to epoll if unavailable).
    struct init_result
    {
        event_loop_options opt;
        std::unique_ptr<millio::detail::backend> be;
        io_uring_backend* uring = nullptr;
    };

    explicit reactor(init_result r);
    static event_loop_options resolve(event_loop_options const& opt);
    static init_result make_backend(event_loop_options const& opt);

    event_loop_options const opt_;
    std::unique_ptr<millio::detail::backend> const be_;
    bool const rearm_;
    io_uring_backend* const uring_;
    std::vector<ready_event> ready_;    // used by the holder of the polling role
    registration_table table_;
    timer_queue timers_;
    std::mutex wait_mutex_;
    std::condition_variable wait_cv_;
    scheduler sched_;
};

} // detail
} // millio
} // boost

#endif
