//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_COMPUTE_POOL_HPP
#define BOOST_MILLIO_COMPUTE_POOL_HPP

#include <boost/millio/detail/config.hpp>
#include <boost/millio/basic_executor.hpp>
#include <boost/millio/compute_metrics.hpp>
#include <boost/millio/compute_pool_options.hpp>
#include <boost/millio/error.hpp>
#include <boost/millio/task_priority.hpp>
#include <boost/millio/detail/task.hpp>
#include <boost/asio/execution_context.hpp>
#include <cstddef>
#include <exception>
#include <functional>
#include <memory>

namespace boost {
namespace millio {

/** A fixed-size pool of threads running prioritised CPU-bound tasks.

    Each `task_priority` has its own Boost.Lockfree queue; task nodes
    come from a process-wide store with per-thread caches (idle workers
    give the blocks of a burst back), so a callable of up to
    112 bytes (alignment at most 16) is submitted without
    any heap allocation once the pool is warm. Idle workers spin for a few
    microseconds and then sleep on a condition variable; a submission
    makes a system call only when some worker is asleep.

    @par Ordering guarantees
    A worker always looks at the queues from `critical` down to `low` and
    takes the first task it finds, so a task of priority `p` is taken only
    after the taking worker has seen every higher-priority queue empty.
    Consequently:
    @li a task that was fully submitted (its `post` returned) before a
        worker starts looking for work is taken before any lower-priority
        task that worker picks; with one worker this is exactly the rule
        "a waiting higher-priority task always starts first";
    @li tasks of one priority are taken in submission order (FIFO; for
        submissions from different threads, in the order their pushes
        took effect). With one worker they start and finish in that order;
    @li with N workers, taking and starting are separate steps, so when a
        task of priority `p` starts, at most N-1 tasks of higher priority
        (or earlier tasks of priority `p`) that other workers already took
        may start after it. For tasks that were queued before the workers
        looked, no other inversion is possible (the test
        `strict_priority_four_workers` checks exactly this bound); a
        submission that races with a worker's scan may land in a queue
        just after the worker looked at it, and is then taken next.

    @par Shutdown
    `stop()` stops accepting work from outside the pool; tasks already
    queued still run, and tasks running in the pool may still submit
    follow-up work (so a strand or a chain of continuations finishes).
    `join()` (and the destructor) calls `stop()`, waits until the queues
    are empty and joins the threads. A submission after `stop()` from a
    thread that is not a worker fails with `error::shut_down`; nothing
    is dropped silently.

    @par Exceptions
    A task that throws is counted in `compute_metrics::tasks_failed()`, the
    exception is given to the handler set with `set_exception_handler`
    (if any) and the worker carries on.

    @par Asio
    The pool is an `asio::execution_context` and `executor_type` is a
    standard Asio executor, so `asio::post`, `dispatch`, `defer`,
    `bind_executor`, `asio::strand`, `asio::use_future`, `asio::co_spawn`
    and `asio::any_io_executor` work with it. Asio I/O objects need an
    `asio::io_context` and cannot use this executor for their I/O.

    @par Thread Safety
    All member functions may be called concurrently, except that the
    destructor and `join()` must not be called from a worker of the pool.

    @par Example
    @snippet doc_reference.cpp ref_compute_pool
*/
class compute_pool
    : public boost::asio::execution_context
{
public:
    /** The executor type of the pool.

        A small value type (a pointer, 32 bits of properties and an empty
        allocator) that satisfies Asio's standard executor requirements.
        It supports the properties `blocking.possibly` (the default:
        `execute` runs the function inline when called from a worker of
        this pool, as `asio::dispatch` does) and `blocking.never` (used by
        `asio::post` and `asio::defer`), `relationship`, `outstanding_work`,
        `allocator`, `occupancy`, `mapping` and `millio::priority`
        (`asio::require(ex, millio::priority.high)`). See
        @ref basic_executor.
    */
    using executor_type = basic_executor<compute_pool>;

    /** The executor class with a given allocator property.

        `executor_type` is `basic_executor_type<std::allocator<void>>`;
        `asio::require(ex, asio::execution::allocator(a))` returns
        `basic_executor_type<A>`.
    */
    template<class Allocator>
    using basic_executor_type = basic_executor<compute_pool, Allocator>;

    /** Construct a pool with one worker per hardware thread.

        Uses `std::thread::hardware_concurrency()`, or 4 if unknown.

        @throws std::system_error if a thread cannot be started.
    */
    BOOST_MILLIO_DECL
    compute_pool();

    /** Construct a pool with `threads` workers.

        @par Exception Safety
        Strong guarantee: if a thread cannot be started, the threads
        already started are joined and the exception propagates.

        @par Complexity
        Linear in `threads`.

        @param threads The number of workers; 0 means one per hardware
        thread (4 if unknown), as in @ref event_loop_options.

        @throws std::system_error if a thread cannot be started.
    */
    BOOST_MILLIO_DECL
    explicit
    compute_pool(std::size_t threads);

    /** Construct a pool from options.

        @par Exception Safety
        Strong guarantee, as for the other constructors.

        @par Complexity
        Linear in the number of threads.

        @param opt The options; `opt.threads == 0` means one worker per
        hardware thread (4 if unknown).

        @throws std::system_error if a thread cannot be started.
    */
    BOOST_MILLIO_DECL
    explicit
    compute_pool(compute_pool_options const& opt);

    /** Destructor.

        Calls @ref join, so tasks already queued are run, then the workers
        are joined. Must not be called from a worker of this pool.

        @par Complexity
        Linear in the number of tasks still queued, which it runs.
    */
    BOOST_MILLIO_DECL
    ~compute_pool();

    compute_pool(compute_pool const&) = delete;
    compute_pool& operator=(compute_pool const&) = delete;

    /** Submit a task.

        The callable is moved or copied into a pooled node and run later
        by a worker; it is never run inside this call.

        @par Exception Safety
        Strong: on failure the callable is destroyed and nothing is queued.

        @par Complexity
        Constant: no step of a submission grows with the number of tasks
        queued, and a callable of up to 112 bytes is stored without a heap
        allocation once the pool is warm.

        @param f A callable `void()`, move-constructible.
        @param p The priority of the task.
        @param ec Set to `error::shut_down` if the pool was stopped and
        the caller is not a worker of the pool.

        @throws std::bad_alloc if memory is exhausted.
    */
    template<class F>
    void
    post(
        F&& f,
        task_priority p,
        error_code& ec);

    /** Submit a task.

        As the overload taking `error_code&`, but throws on failure.

        @param f A callable `void()`, move-constructible.
        @param p The priority of the task (default `normal`).

        @throws system_error with `error::shut_down` if the pool was
        stopped; std::bad_alloc if memory is exhausted.
    */
    template<class F>
    void
    post(
        F&& f,
        task_priority p = task_priority::normal);

    /** Returns an executor submitting to this pool at priority `p`.

        @param p The priority given to the work submitted through it.
    */
    executor_type
    get_executor(task_priority p = task_priority::normal) noexcept
    {
        return executor_type(*this, p);
    }

    /** Returns a live view of the pool's counters.

        The view must not outlive the pool.
    */
    BOOST_MILLIO_DECL
    compute_metrics
    metrics() const noexcept;

    /** Set the hook that sees exceptions thrown by tasks.

        The hook runs on the worker that caught the exception, after it was
        counted as a failure. An exception thrown by the hook is ignored.
        Pass an empty function to remove the hook.

        @param h The hook.
    */
    BOOST_MILLIO_DECL
    void
    set_exception_handler(std::function<void(std::exception_ptr)> h);

    /** Stop accepting work from outside the pool.

        Does not block. Queued tasks still run; see the class description.
        Calling it more than once has no further effect.
    */
    BOOST_MILLIO_DECL
    void
    stop() noexcept;

    /// Returns true once `stop()` was called.
    BOOST_MILLIO_DECL
    bool
    stopped() const noexcept;

    /** Run the queued tasks, then join the workers.

        Calls `stop()`, waits until every queued task has run and joins
        the threads. Afterwards the metrics are final. Calling it again
        has no effect. Must not be called from a worker of this pool.

        @par Complexity
        Linear in the number of tasks still queued.
    */
    BOOST_MILLIO_DECL
    void
    join();

    /// Returns the number of workers.
    BOOST_MILLIO_DECL
    std::size_t
    thread_count() const noexcept;

    /// Returns true if the calling thread is a worker of this pool.
    BOOST_MILLIO_DECL
    bool
    running_in_this_thread() const noexcept;

private:
    struct impl;

    BOOST_MILLIO_DECL
    void
    submit(
        detail::task_node* n,
        task_priority p,
        error_code& ec);

    std::unique_ptr<impl> impl_;
};

} // millio
} // boost

#include <boost/millio/impl/compute_pool.hpp>

#endif
