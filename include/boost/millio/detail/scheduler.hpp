//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_DETAIL_SCHEDULER_HPP
#define BOOST_MILLIO_DETAIL_SCHEDULER_HPP

#include <boost/millio/detail/config.hpp>
#include <boost/millio/detail/operation.hpp>
#include <boost/millio/detail/task.hpp>
#include <boost/millio/error.hpp>
#include <boost/millio/detail/spill_queue.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace boost {
namespace millio {
namespace detail {

// What the scheduler runs when a thread holds the polling role: a wait
// for readiness and due timers (the reactor).
class scheduler_task
{
public:
    // Wait up to `timeout_ns` nanoseconds (negative: no limit but the
    // next timer) and append the operations that became ready.
    virtual void run_task(std::int64_t timeout_ns, std::vector<operation*>& out, error_code& ec) = 0;
    // Make a wait in progress return at once. Async-signal-safe.
    virtual void interrupt() noexcept = 0;
    // The calling thread begins (ends) running the scheduler: run() in
    // the direct mode, a worker's life in the pool mode. Paired, on the
    // same thread.
    virtual void thread_begin() noexcept {}
    virtual void thread_end() noexcept {}

protected:
    ~scheduler_task() = default;
};

/*  The queue of ready work and the threads that run it.

    Every piece of work (a registration with events, a timer firing, a
    posted function) is an operation in one lock-free FIFO. The right to
    wait for readiness is an operation too, the marker: the thread that
    pops it runs the scheduler_task (without blocking if other work is
    queued), queues what became ready, queues the marker again behind it
    and runs the first ready operation itself. So readiness and timers
    are collected once per pass over the queue: work posted in a loop
    (a task re-posting itself) cannot starve them. This is the design of
    Asio's scheduler, where the reactor is a task in the handler queue.

    In the pool mode the io workers pop the queue; the marker circulates
    while a thread is in run(). In the direct mode the thread in run()
    alternates: one wait, the ready operations, then at most the posted
    operations that were queued before the wait (as libuv does).
*/
class scheduler
{
public:
    scheduler(
        scheduler_task& task,
        bool direct,
        std::size_t threads,
        std::int64_t timeout_ns,
        std::size_t batch_reserve);

    // Calls shutdown() and destroy_pending().
    ~scheduler();

    scheduler(scheduler const&) = delete;
    scheduler& operator=(scheduler const&) = delete;

    void start();

    void run(error_code& ec);
    std::size_t poll(error_code& ec);
    void stop() noexcept;
    bool stopped() const noexcept
    {
        return stop_requested_.load(std::memory_order_acquire);
    }

    // Queue `op` (an operation or a tagged task node). After shutdown
    // the operation is destroyed at once, without running.
    void post(operation* op) noexcept;

    void post_task(task_node* n) noexcept
    {
        post(tag(n));
    }

    // Stop, wait for run() or poll() in progress to return, join the io
    // workers. Afterwards posted work is destroyed without running.
    void shutdown() noexcept;

    // Destroy every queued operation without running it.
    void destroy_pending() noexcept;

    bool is_shut_down() const noexcept
    {
        return shutdown_.load(std::memory_order_acquire);
    }

    // True on an io worker or on a thread in run() or poll().
    bool running_in_this_thread() const noexcept;

    // True on the thread in run() or poll().
    bool running_in_reactor_thread() const noexcept
    {
        return reactor_thread_.load(std::memory_order_relaxed) == std::this_thread::get_id();
    }

    std::size_t io_threads() const noexcept { return threads_; }

    void report_exception(std::exception_ptr ep) noexcept;
    void set_exception_handler(std::function<void(std::exception_ptr)> f);

    static operation* tag(task_node* n) noexcept
    {
        return reinterpret_cast<operation*>(reinterpret_cast<std::uintptr_t>(n) | 1u);
    }

private:
    static operation* marker() noexcept
    {
        return reinterpret_cast<operation*>(std::uintptr_t(2));
    }

    static task_node* as_task(operation* op) noexcept
    {
        auto v = reinterpret_cast<std::uintptr_t>(op);
        return (v & 1u) ? reinterpret_cast<task_node*>(v & ~std::uintptr_t(1)) : nullptr;
    }

    static void destroy_op(operation* op) noexcept;
    void run_op(operation* op) noexcept;
    void push(operation* op) noexcept;
    void worker_loop() noexcept;
    void dispatch(operation* op) noexcept;
    void run_marker() noexcept;
    void check_stop() noexcept;
    void notify_run() noexcept;
    void wake_locked(std::size_t n) noexcept;
    bool enter_run(error_code& ec) noexcept;
    void leave_run() noexcept;
    std::size_t run_direct_once(std::int64_t timeout, bool stop_aware, error_code& ec);
    bool polled_recently() const noexcept;

    using clock = std::chrono::steady_clock;
    // The longest posted work runs without a poll while work is queued.
    static constexpr std::chrono::microseconds poll_interval{20};

    scheduler_task& task_;
    bool const direct_;
    std::size_t const threads_;
    std::int64_t const timeout_ns_;

    // 1,024 operations without allocating; a burst beyond spills, and that
    // memory goes back as it drains.
    spill_queue<operation*> queue_{1024};
    std::atomic<std::size_t> queued_{0};        // queued operations, not counting the marker
    std::atomic<std::size_t> inflight_posts_{0};
    std::vector<operation*> batch_;             // used by the holder of the polling role
    clock::time_point last_poll_{};             // likewise

    std::atomic<bool> stop_requested_{false};
    std::atomic<bool> shutdown_{false};
    std::atomic<bool> running_{false};          // a thread is in run() or poll()
    std::atomic<bool> run_waiting_{false};      // pool mode: run() waits for stop()
    std::atomic<bool> task_blocked_{false};     // a thread may block in run_task
    std::atomic<std::thread::id> reactor_thread_{};
    std::mutex run_mutex_;
    std::condition_variable run_cv_;

    // io workers
    std::vector<std::thread> workers_;
    std::mutex idle_mutex_;
    std::condition_variable idle_cv_;
    std::atomic<std::size_t> sleepers_{0};
    std::size_t permits_ = 0;           // guarded by idle_mutex_
    bool running_pool_ = false;         // guarded by idle_mutex_
    std::atomic<bool> running_pool_hint_{false};    // running_pool_, read without the lock
    bool marker_out_ = false;           // guarded by idle_mutex_
    bool shutdown_locked_ = false;      // guarded by idle_mutex_

    std::mutex handler_mutex_;
    std::shared_ptr<std::function<void(std::exception_ptr)> const> on_exception_;
};

} // detail
} // millio
} // boost

#endif
