//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_EVENT_LOOP_HPP
#define BOOST_MILLIO_EVENT_LOOP_HPP

#include <boost/millio/detail/config.hpp>
#include <boost/millio/basic_executor.hpp>
#include <boost/millio/compute_metrics.hpp>
#include <boost/millio/compute_pool.hpp>
#include <boost/millio/detail/access.hpp>
#include <boost/millio/detail/except.hpp>
#include <boost/millio/detail/task.hpp>
#include <boost/millio/task_priority.hpp>
#include <boost/millio/detail/reactor.hpp>
#include <boost/millio/detail/source.hpp>
#include <boost/millio/error.hpp>
#include <boost/millio/event.hpp>
#include <boost/millio/event_handler.hpp>
#include <boost/millio/event_loop_options.hpp>
#include <boost/asio/execution_context.hpp>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>

namespace boost {
namespace millio {

/** Identifies a timer of an @ref event_loop.

    Returned by @ref event_loop::run_after and @ref event_loop::run_every;
    pass it to @ref event_loop::cancel_timer. Identifiers are never reused
    within one loop.
*/
class timer_id
{
    std::uint64_t value_ = 0;

public:
    /// Construct an identifier that names no timer.
    constexpr timer_id() noexcept = default;

    /// Construct from a raw value.
    constexpr explicit timer_id(std::uint64_t v) noexcept : value_(v) {}

    /// Return the raw value.
    constexpr std::uint64_t value() const noexcept { return value_; }

    /// Return true if the identifier names a timer.
    constexpr explicit operator bool() const noexcept { return value_ != 0; }

    /// Comparison.
    friend constexpr bool operator==(timer_id a, timer_id b) noexcept { return a.value_ == b.value_; }
    /// Comparison.
    friend constexpr bool operator!=(timer_id a, timer_id b) noexcept { return a.value_ != b.value_; }
};

/** A reactor event loop with a pool of io worker threads.

    An event loop waits for readiness of registered sources (sockets,
    pipes, any pollable descriptor) with the operating system's readiness
    API and calls the handler of each ready registration, either on one
    of its io worker threads (`dispatch_mode::pool`, the default) or
    directly on the thread that calls @ref run (`dispatch_mode::direct`).

    @par Guarantees
    @li One registration's handler never runs concurrently with itself;
        it sees its events in order. Different registrations run in
        parallel on the io workers.
    @li When @ref deregister_source returns, the handler of that
        registration will not be called again; called from outside the
        loop, it also waits for a running invocation to return.
    @li Posted work, readiness and timers share the loop fairly: every
        pass over the queue of ready work collects readiness and due
        timers, so work that re-posts itself cannot starve them.
    @li An idle loop sleeps in the readiness API; @ref stop makes
        @ref run return within one handler's run time.
    @li No handler, callback or destructor of a user's callable runs
        under a lock of the library: they may call back into the loop.

    @par Thread Safety
    All member functions may be called concurrently from any thread,
    including from handlers. @ref stop is async-signal-safe.

    @par Example
    @snippet doc_reference.cpp ref_event_loop
*/
class event_loop
    : public asio::execution_context
{
    template<class, class> friend class basic_executor;

public:
    /** The type of the loop's Asio executor.

        Work submitted through it runs where handlers run: on an io
        worker in the pool mode (also while no thread is in @ref run),
        on the thread in @ref run in the direct mode. With
        `execution::blocking.possibly` (the default), `dispatch` from an
        io worker or the reactor thread runs the function at once. The
        `millio::priority` property is accepted and ignored: the loop's queue
        is FIFO. See @ref basic_executor.

        Asio I/O objects (sockets, timers) need an `asio::io_context`:
        constructing one on this executor creates Asio's own reactor
        service inside the loop, which nothing runs, so its operations
        never complete. Register the native handle of such objects with
        @ref register_source instead.
    */
    using executor_type = basic_executor<event_loop>;

    /** The executor class with a given allocator property.

        `executor_type` is `basic_executor_type<std::allocator<void>>`;
        `asio::require(ex, asio::execution::allocator(a))` returns
        `basic_executor_type<A>`.
    */
    template<class Allocator>
    using basic_executor_type = basic_executor<event_loop, Allocator>;

    /** Construct with the default configuration.

        io workers and compute workers equal the number of hardware
        threads (4 if unknown), 1024 events per poll, 150 ms poll
        timeout, pool dispatch, the platform's best backend.

        @par Exception Safety
        Strong guarantee: if the backend, its waker or a thread cannot be
        created, the threads already started are joined and the exception
        propagates.

        @par Complexity
        Linear in the number of io workers started.

        @throws system_error on failure to create the backend or threads.
    */
    BOOST_MILLIO_DECL
    event_loop();

    /** Construct with a number of io workers, events capacity and poll timeout.

        @param workers The number of io worker threads; 0 means hardware
        threads (4 if unknown), as in @ref event_loop_options.
        @param events_capacity The maximum events fetched per poll; must not be 0.
        @param poll_timeout The upper bound of one wait for readiness.

        @throws system_error with `error::invalid_argument` if
        `events_capacity` is 0.
    */
    BOOST_MILLIO_DECL
    event_loop(
        std::size_t workers,
        std::size_t events_capacity,
        std::chrono::milliseconds poll_timeout);

    /** Construct from options.

        @par Exception Safety
        Strong guarantee, as for the default constructor.

        @par Complexity
        Linear in the number of io workers started.

        @throws system_error with `error::invalid_argument` if
        `opt.events_capacity` is 0.
    */
    BOOST_MILLIO_DECL
    explicit
    event_loop(event_loop_options const& opt);

    /** Return options for a low-latency loop, whose handlers run on the reactor thread.

        The options select `dispatch_mode::direct` (the seed's
        `EventLoop::new_low_latency`):
        @snippet doc_reference.cpp ref_low_latency
    */
    BOOST_MILLIO_DECL
    static
    event_loop_options
    low_latency_options(
        std::size_t events_capacity = 1024,
        std::chrono::milliseconds poll_timeout = std::chrono::milliseconds(150));

    /** Destructor.

        In Asio's order: stops the loop, waits for a concurrent
        @ref run to return, lets running handlers finish and joins the io
        workers; destroys without running them every queued function,
        pending timer and registration handler, while the loop's services
        and compute pool still exist; joins the compute pool (running the
        tasks it has queued); then shuts down and destroys the services.
        Work submitted meanwhile is destroyed at once or fails with
        `error::shut_down`. Must not be called from one of the loop's own
        threads.

        @par Complexity
        Linear in the number of queued functions, pending timers and
        registrations destroyed, plus the compute pool's queued tasks, which
        it runs.
    */
    BOOST_MILLIO_DECL
    ~event_loop();

    event_loop(event_loop const&) = delete;
    event_loop& operator=(event_loop const&) = delete;

    /** Register a source.

        @par Exception Safety
        Strong guarantee: on failure nothing is registered (a handler
        taken by value is destroyed). Memory allocation may throw
        `std::bad_alloc`.

        @par Complexity
        Constant on average.

        @param source A native descriptor, or an object with
        `native_handle()` such as an Asio socket (taken by reference,
        non-`const` when its `native_handle()` is, as Asio's is). The
        loop does not take ownership; the source must stay open until
        deregistered.
        @param t The token of the registration, unique in this loop.
        @param i The readiness of interest.
        @param handler A class derived from @ref event_handler (by value or
        `std::shared_ptr`), or any callable `void(event const&)`.
        @param ec Set to `error::token_in_use` if `t` is registered,
        `error::source_in_use` if the descriptor is registered (both
        equal to `errc::file_exists`),
        `errc::bad_file_descriptor` for an invalid descriptor,
        `error::invalid_argument` for an empty interest.
    */
    /** @{ */
    template<class Source, class Handler>
    void
    register_source(
        Source&& source,
        token t,
        interest i,
        Handler&& handler,
        error_code& ec)
    {
        impl_.add(detail::native_descriptor(source), t, true, i,
            detail::make_event_handler(std::forward<Handler>(handler)), ec);
    }

    /// Overload
    template<class Source, class Handler>
    void
    register_source(
        Source&& source,
        token t,
        interest i,
        Handler&& handler)
    {
        error_code ec;
        register_source(source, t, i, std::forward<Handler>(handler), ec);
        detail::throw_if(ec);
    }
    /** @} */

    /** Change the interest of a registration.

        @param source The descriptor (or object) given to
        @ref register_source.
        @param t The token of the registration.
        @param i The new readiness of interest.
        @param ec Set to `error::not_registered` if `t` is not
        registered for `source`.
    */
    /** @{ */
    template<class Source>
    void
    reregister_source(Source&& source, token t, interest i, error_code& ec)
    {
        impl_.modify_user(detail::native_descriptor(source), t, i, ec);
    }

    /// Overload
    template<class Source>
    void
    reregister_source(Source&& source, token t, interest i)
    {
        error_code ec;
        reregister_source(source, t, i, ec);
        detail::throw_if(ec);
    }
    /** @} */

    /** Remove a registration.

        When this function returns, the handler will not be called
        again. Called from a thread that is not one of the loop's, it
        also waits until an invocation running on an io worker has
        returned, so that the caller may then close the source; such a
        caller must not hold a lock that the handler takes. Called from
        the loop's own threads (a handler, a posted function, a timer
        callback), it never waits: handlers may deregister each other.
        The handler object is destroyed once no invocation is running.
        The source is not closed.

        @par Exception Safety
        Strong guarantee: on failure nothing changes.

        @par Complexity
        Constant on average, plus the wait for a running invocation
        described above.

        @param source The descriptor (or object) given to
        @ref register_source.
        @param t The token of the registration.
        @param ec Set to `error::not_registered` if `t` is not
        registered for `source`.
    */
    /** @{ */
    template<class Source>
    void
    deregister_source(Source&& source, token t, error_code& ec)
    {
        impl_.remove_user(detail::native_descriptor(source), t, ec);
    }

    /// Overload
    template<class Source>
    void
    deregister_source(Source&& source, token t)
    {
        error_code ec;
        deregister_source(source, t, ec);
        detail::throw_if(ec);
    }
    /** @} */

    /** Remove a registration without waiting, from any thread.

        No invocation of the handler starts after this returns; one that
        is running on another thread may still be in progress. The
        handler object is destroyed once that invocation has returned,
        on the thread that ran it: release what the handler uses (close
        the source) in its destructor.

        @param source The descriptor (or object) given to
        @ref register_source.
        @param t The token of the registration.
        @param ec Set to `error::not_registered` if `t` is not
        registered for `source`.
    */
    /** @{ */
    template<class Source>
    void
    release_source(Source&& source, token t, error_code& ec)
    {
        impl_.remove_user_no_wait(detail::native_descriptor(source), t, ec);
    }

    /// Overload
    template<class Source>
    void
    release_source(Source&& source, token t)
    {
        error_code ec;
        release_source(source, t, ec);
        detail::throw_if(ec);
    }
    /** @} */

    /** Run the reactor on the calling thread until @ref stop is called.

        Only one thread runs the reactor at a time; a second concurrent
        call fails with `error::already_running`. When `run` returns,
        the stop request is consumed and `run` may be called again. A
        `stop` made while the loop is not running makes the next `run`
        return at once. Fails with `error::shut_down` while the loop is
        being destroyed.

        @par Compared with asio::io_context
        `io_context::run` returns when it runs out of work, and after
        `io_context::stop` the context stays stopped until `restart()`.
        An event loop has no `restart`: its `run` returns only after
        @ref stop, and the stop request is consumed by that return, so
        the loop can be run again at once. Handlers run on the io
        workers even while no thread is in `run` (pool mode).
    */
    /** @{ */
    BOOST_MILLIO_DECL
    void
    run(error_code& ec);

    /// Overload
    BOOST_MILLIO_DECL
    void
    run();
    /** @} */

    /** Process ready events without blocking.

        In the direct mode, runs the handlers of ready registrations, due
        timers and the functions posted before the call; in the pool
        mode, hands them to the io workers. A pending stop request is
        left for @ref run.

        @return The number of operations run or handed on.
    */
    /** @{ */
    BOOST_MILLIO_DECL
    std::size_t
    poll(error_code& ec);

    /// Overload
    BOOST_MILLIO_DECL
    std::size_t
    poll();
    /** @} */

    /** Stop the loop.

        Makes @ref run return within one handler's run time, whatever
        the load. Callable from any thread, from handlers and from a
        signal handler (it only sets a flag and writes to the loop's
        waker). Unlike `io_context::stop`, the request is consumed when
        @ref run returns: no `restart()` is needed (or exists) to run
        the loop again.

        @par Exception Safety
        No-throw guarantee.

        @par Complexity
        Constant.
    */
    BOOST_MILLIO_DECL
    void
    stop() noexcept;

    /** Return true if a stop was requested and not yet consumed by @ref run.

        Unlike `io_context::stopped`, this turns false again when @ref run
        returns.
    */
    BOOST_MILLIO_DECL
    bool
    stopped() const noexcept;

    /// Return true if the caller is an io worker or the reactor thread of this loop.
    BOOST_MILLIO_DECL
    bool
    running_in_this_thread() const noexcept;

    /** Call `f` once, no earlier than `delay` from now.

        Timers fire while the loop runs. The callback runs where handlers
        run: on an io worker (pool mode) or on the reactor thread (direct
        mode). A negative delay means "as soon as possible"; a delay too
        long for the clock (such as `duration::max()`) means never.

        The callable is destroyed after its call, or when the timer is
        cancelled or the loop destroyed, with no lock of the loop held:
        its destructor may start or cancel timers.

        @par Exception Safety
        Strong guarantee: on failure no timer is added and `f` is
        destroyed.

        @par Complexity
        Logarithmic in the number of pending timers.

        @param delay The delay before `f` runs.
        @param f A callable `void()`, move constructible.
        @param ec Set to `error::invalid_argument` if `f` is a null
        function pointer or an empty `std::function`, or `delay` is not a
        number; to `error::shut_down` if the loop is being destroyed.
        @return The identifier of the timer.
        @throws std::bad_alloc
    */
    /** @{ */
    template<class Rep, class Period, class F>
    timer_id
    run_after(std::chrono::duration<Rep, Period> delay, F&& f, error_code& ec)
    {
        std::chrono::nanoseconds d;
        if(!detail::to_nanoseconds_saturated(delay, d))
        {
            ec = {};
            BOOST_MILLIO_FAIL(ec, error::invalid_argument);
            return timer_id();
        }
        return timer_id(impl_.add_timer(
            d, std::chrono::nanoseconds(0), std::forward<F>(f), ec));
    }

    /// Overload
    template<class Rep, class Period, class F>
    timer_id
    run_after(std::chrono::duration<Rep, Period> delay, F&& f)
    {
        error_code ec;
        auto id = run_after(delay, std::forward<F>(f), ec);
        detail::throw_if(ec);
        return id;
    }
    /** @} */

    /** Call `f` every `period`, first after one period.

        Deadlines advance by whole periods from the first one, so the
        timer does not drift; a period missed because the callback ran
        long (or started late) is skipped, and the next deadline is the
        first one of the same phase still ahead. The callbacks of one
        timer never overlap: the next period is scheduled when the
        callback returned. A period too long for the clock means never.

        @par Exception Safety
        Strong guarantee: on failure no timer is added and `f` is
        destroyed.

        @par Complexity
        Logarithmic in the number of pending timers.

        @param period The time between two calls.
        @param f A callable `void()`, move constructible.
        @param ec Set to `error::invalid_argument` if `period` is not
        positive or `f` is empty (see @ref run_after).
        @return The identifier of the timer.
        @throws std::bad_alloc
    */
    /** @{ */
    template<class Rep, class Period, class F>
    timer_id
    run_every(std::chrono::duration<Rep, Period> period, F&& f, error_code& ec)
    {
        std::chrono::nanoseconds p;
        if(!detail::to_nanoseconds_saturated(period, p) || p.count() <= 0)
        {
            ec = {};
            BOOST_MILLIO_FAIL(ec, error::invalid_argument);
            return timer_id();
        }
        return timer_id(impl_.add_timer(p, p, std::forward<F>(f), ec));
    }

    /// Overload
    template<class Rep, class Period, class F>
    timer_id
    run_every(std::chrono::duration<Rep, Period> period, F&& f)
    {
        error_code ec;
        auto id = run_every(period, std::forward<F>(f), ec);
        detail::throw_if(ec);
        return id;
    }
    /** @} */

    /** Cancel a timer.

        For a one-shot timer, returns true if the callback had not
        started (it may have been due already): it will not run. Returns
        false if it started, ran or was already cancelled. For a periodic
        timer, returns true if the timer was active: no invocation starts
        after this call returns (one that started before may still be
        running; the callable is destroyed after it returned).

        An invocation starts when the loop takes it off its queue, just
        before it calls `f`: code that must know whether `f` may still be
        running after a cancel should keep that state itself, under its
        own lock, in `f`.

        @par Exception Safety
        No-throw guarantee.

        @par Complexity
        Logarithmic in the number of pending timers.
    */
    bool
    cancel_timer(timer_id id) noexcept
    {
        return impl_.cancel_timer(id.value());
    }

    /** Return the number of timers waiting for a deadline.

        A one-shot timer counts until it is due or cancelled, a periodic
        one until it is cancelled.
    */
    std::size_t
    pending_timers() const noexcept
    {
        return impl_.pending_timers();
    }

    /// Return the loop's Asio executor.
    executor_type
    get_executor() noexcept
    {
        return executor_type(*this);
    }

    /** Run `f` on the loop's compute pool with normal priority.

        The compute pool is created on first use, with
        `event_loop_options::compute_threads` workers, and joined when
        the loop is destroyed (running the tasks still queued).

        @par Exception Safety
        Strong guarantee: on failure nothing is queued.

        @par Complexity
        Constant (see @ref compute_pool::post).

        @param f A callable `void()`, move constructible.
        @param ec Set to `error::shut_down` if the pool was stopped or
        the loop is being destroyed.
    */
    /** @{ */
    template<class F>
    void
    spawn_compute(F&& f, error_code& ec)
    {
        spawn_compute(std::forward<F>(f), task_priority::normal, ec);
    }

    /// Overload
    template<class F>
    void
    spawn_compute(F&& f)
    {
        spawn_compute(std::forward<F>(f), task_priority::normal);
    }

    /// Overload with a priority (the seed's `spawn_compute_with_priority`).
    template<class F>
    void
    spawn_compute(F&& f, task_priority p, error_code& ec)
    {
        if(impl_.is_shut_down())
        {
            BOOST_MILLIO_FAIL(ec, error::shut_down);
            return;
        }
        compute().post(std::forward<F>(f), p, ec);
    }

    /// Overload
    template<class F>
    void
    spawn_compute(F&& f, task_priority p)
    {
        error_code ec;
        spawn_compute(std::forward<F>(f), p, ec);
        detail::throw_if(ec);
    }
    /** @} */

    /** Return a live view of the compute pool's metrics.

        Does not create the compute pool: until the first
        @ref spawn_compute (or @ref compute) creates it, every counter of
        the view reads 0; afterwards the same view reads the pool's
        counters. The view must not outlive the loop.
    */
    BOOST_MILLIO_DECL
    compute_metrics
    get_compute_metrics() const noexcept;

    /// Return the loop's compute pool, creating it on first use.
    BOOST_MILLIO_DECL
    compute_pool&
    compute();

    /// Return the number of threads that run handlers (io workers, or 1 in direct mode).
    std::size_t
    thread_count() const noexcept
    {
        return impl_.io_threads() == 0 ? 1 : impl_.io_threads();
    }

    /** Set a function that sees exceptions escaping handlers.

        By default such exceptions are discarded; the worker survives.
        Call before @ref run.
    */
    BOOST_MILLIO_DECL
    void
    set_exception_handler(std::function<void(std::exception_ptr)> f);

    /// Return the dispatch mode.
    dispatch_mode mode() const noexcept { return impl_.mode(); }

    /// Return the backend in use (never `automatic`; `epoll` when `io_uring` was asked for and is unavailable).
    backend_type backend() const noexcept { return impl_.backend(); }

    /// Return the number of io worker threads (0 in direct mode).
    std::size_t io_threads() const noexcept { return impl_.io_threads(); }

    /// Return the options in effect.
    event_loop_options const& options() const noexcept { return impl_.options(); }

private:
    friend struct detail::access;

    // Used by the executor: queue `f` to run where handlers run.
    template<class F>
    void
    post(F&& f, task_priority)
    {
        impl_.post_task(detail::make_task(std::forward<F>(f)));
    }

    detail::reactor impl_;
    std::once_flag compute_once_;
    // Declared after the reactor: destroyed (joined) first, so that its
    // tasks may still post to the loop.
    std::unique_ptr<compute_pool> compute_;
    // The pool's counters, published once the pool exists.
    std::atomic<detail::compute_stats const*> compute_stats_{nullptr};
};

} // millio
} // boost

#endif
