//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_DETAIL_IMPL_SCHEDULER_IPP
#define BOOST_MILLIO_DETAIL_IMPL_SCHEDULER_IPP

#include <boost/millio/detail/scheduler.hpp>
#include <boost/millio/detail/except.hpp>
#include <boost/assert.hpp>

#if defined(__x86_64__) || defined(__i386__)
# include <immintrin.h>
#endif

namespace boost {
namespace millio {
namespace detail {

inline
void
cpu_relax() noexcept
{
#if defined(__x86_64__) || defined(__i386__)
    _mm_pause();
#elif defined(__aarch64__)
    asm volatile("yield");
#endif
}

// The scheduler whose work the calling thread runs (an io worker, or
// the thread in run() or poll()).
inline thread_local scheduler const* scheduler_current = nullptr;

namespace {

struct current_guard
{
    scheduler const* prev;
    explicit current_guard(scheduler const* s) noexcept
        : prev(scheduler_current)
    {
        scheduler_current = s;
    }
    ~current_guard()
    {
        scheduler_current = prev;
    }
};

// A thread's turn at running the scheduler, told to the task.
struct task_thread
{
    scheduler_task& t;
    explicit task_thread(scheduler_task& x) noexcept
        : t(x)
    {
        t.thread_begin();
    }
    ~task_thread()
    {
        t.thread_end();
    }
};

} // (anon)

// A loop about to block gives back, a bounded step at a time, the task
// nodes of a past burst of posted work (as the compute pool's idle
// workers do): one step, then a poll that does not block while steps
// remain; a wait of at most a second while the trim waits for the burst
// to be over. Returns the timeout to use (nanoseconds, negative: none).
inline
std::int64_t
trim_before_wait(std::int64_t timeout) noexcept
{
    if(timeout == 0)
        return 0;
    std::int64_t const second = 1000000000;
    switch(trim_task_nodes_when_idle())
    {
    case trim_result::again:
        return 0;
    case trim_result::later:
        return (timeout < 0 || timeout > second) ? second : timeout;
    case trim_result::none:
        break;
    }
    return timeout;
}

scheduler::
scheduler(
    scheduler_task& task,
    bool direct,
    std::size_t threads,
    std::int64_t timeout_ns,
    std::size_t batch_reserve)
    : task_(task)
    , direct_(direct)
    , threads_(direct ? 0 : threads)
    , timeout_ns_(timeout_ns)
{
    batch_.reserve(batch_reserve);
}

scheduler::
~scheduler()
{
    shutdown();
    destroy_pending();
}

void
scheduler::
start()
{
    workers_.reserve(threads_);
    try
    {
        for(std::size_t i = 0; i < threads_; ++i)
            workers_.emplace_back([this]{ worker_loop(); });
    }
    catch(...)
    {
        shutdown();
        throw;
    }
}

void
scheduler::
destroy_op(operation* op) noexcept
{
    if(task_node* n = as_task(op))
        n->destroy();
    else
        op->destroy();
}

void
scheduler::
run_op(operation* op) noexcept
{
    try
    {
        if(task_node* n = as_task(op))
            n->complete();
        else
            op->complete();
    }
    catch(...)
    {
        report_exception(std::current_exception());
    }
}

void
scheduler::
report_exception(std::exception_ptr ep) noexcept
{
    // A reference is taken under the lock; the user's function is neither
    // copied nor called there.
    std::shared_ptr<std::function<void(std::exception_ptr)> const> f;
    {
        std::lock_guard<std::mutex> lk(handler_mutex_);
        f = on_exception_;
    }
    if(f && *f)
    {
        try { (*f)(ep); } catch(...) {}
    }
}

void
scheduler::
set_exception_handler(std::function<void(std::exception_ptr)> f)
{
    auto p = std::make_shared<std::function<void(std::exception_ptr)> const>(std::move(f));
    {
        std::lock_guard<std::mutex> lk(handler_mutex_);
        on_exception_.swap(p);
    }
    // the previous handler dies here, outside the lock
}

void
scheduler::
push(operation* op) noexcept
{
    queued_.fetch_add(1, std::memory_order_relaxed);
    // push allocates only when a burst spills beyond the queue's room;
    // running out of memory here cannot be reported to anyone.
    while(!queue_.push(op))
        std::this_thread::yield();
}

void
scheduler::
post(operation* op) noexcept
{
    inflight_posts_.fetch_add(1, std::memory_order_seq_cst);
    if(shutdown_.load(std::memory_order_seq_cst))
    {
        inflight_posts_.fetch_sub(1, std::memory_order_seq_cst);
        destroy_op(op);
        return;
    }
    push(op);
    inflight_posts_.fetch_sub(1, std::memory_order_seq_cst);
    // Pairs with the fences of the sleeping worker and the blocking
    // waiter: either they see the operation, or this sees them.
    std::atomic_thread_fence(std::memory_order_seq_cst);
    if(!direct_ && sleepers_.load(std::memory_order_seq_cst) > 0)
    {
        std::lock_guard<std::mutex> lk(idle_mutex_);
        wake_locked(1);
    }
    else if(task_blocked_.load(std::memory_order_seq_cst) &&
        !running_in_reactor_thread())
    {
        // the only thread that could run it is waiting for readiness
        task_.interrupt();
    }
}

// Called with idle_mutex_ held.
void
scheduler::
wake_locked(std::size_t n) noexcept
{
    while(n-- > 0 && sleepers_.load(std::memory_order_relaxed) > permits_)
    {
        ++permits_;
        idle_cv_.notify_one();
    }
}

bool
scheduler::
running_in_this_thread() const noexcept
{
    return scheduler_current == this;
}

void
scheduler::
worker_loop() noexcept
{
    current_guard g(this);
    task_thread tt(task_);
    for(;;)
    {
        operation* op = nullptr;
        bool got = queue_.pop(op);
        for(int i = 0; !got && i < 8; ++i)
        {
            cpu_relax();
            got = queue_.pop(op);
        }
        if(!got)
        {
            std::unique_lock<std::mutex> lk(idle_mutex_);
            if(shutdown_locked_)
                return;
            sleepers_.fetch_add(1, std::memory_order_seq_cst);
            std::atomic_thread_fence(std::memory_order_seq_cst);
            got = queue_.pop(op);
            if(!got)
            {
                idle_cv_.wait(lk, [this]{ return permits_ > 0 || shutdown_locked_; });
                if(permits_ > 0)
                    --permits_;
            }
            sleepers_.fetch_sub(1, std::memory_order_relaxed);
            if(!got)
                continue;
        }
        if(shutdown_.load(std::memory_order_acquire))
        {
            // leave it to destroy_pending
            while(!queue_.push(op))
                std::this_thread::yield();
            return;
        }
        dispatch(op);
    }
}

void
scheduler::
dispatch(operation* op) noexcept
{
    if(op == marker())
    {
        run_marker();
        return;
    }
    queued_.fetch_sub(1, std::memory_order_relaxed);
    run_op(op);
    check_stop();
}

// A run() waits for stop() and the thread that sees the request first
// tells it; stop() itself only interrupts the wait (it may be called
// from a signal handler).
void
scheduler::
check_stop() noexcept
{
    if(stop_requested_.load(std::memory_order_seq_cst) &&
        run_waiting_.load(std::memory_order_seq_cst))
        notify_run();
}

void
scheduler::
notify_run() noexcept
{
    std::lock_guard<std::mutex> lk(run_mutex_);
    run_cv_.notify_all();
}

// Pool mode: the thread that popped the marker polls, queues what became
// ready and the marker behind it, and runs the first ready operation.
void
scheduler::
run_marker() noexcept
{
    if(!running_pool_hint_.load(std::memory_order_acquire) ||
        shutdown_.load(std::memory_order_acquire))
    {
        std::lock_guard<std::mutex> lk(idle_mutex_);
        if(!running_pool_ || shutdown_locked_)
        {
            marker_out_ = false;
            return;
        }
    }
    if(queued_.load(std::memory_order_relaxed) != 0 &&
        !stop_requested_.load(std::memory_order_relaxed) &&
        polled_recently())
    {
        // a pass over a queue of short work: the next one polls
        while(!queue_.push(marker()))
            std::this_thread::yield();
        return;
    }
    std::int64_t timeout = timeout_ns_;
    task_blocked_.store(true, std::memory_order_seq_cst);
    std::atomic_thread_fence(std::memory_order_seq_cst);
    if(queued_.load(std::memory_order_seq_cst) != 0 ||
        stop_requested_.load(std::memory_order_seq_cst))
        timeout = 0;
    timeout = trim_before_wait(timeout);
    if(timeout != 0)
    {
        // Before blocking, make sure run() is still in progress: a
        // marker that outlived its run() retires instead of waiting
        // (run() interrupts a wait that begins after this check).
        std::lock_guard<std::mutex> lk(idle_mutex_);
        if(!running_pool_ || shutdown_locked_)
        {
            task_blocked_.store(false, std::memory_order_relaxed);
            marker_out_ = false;
            return;
        }
    }
    batch_.clear();
    error_code ec;
    task_.run_task(timeout, batch_, ec);
    last_poll_ = clock::now();
    task_blocked_.store(false, std::memory_order_relaxed);
    if(stop_requested_.load(std::memory_order_seq_cst))
        notify_run();
    operation* first = batch_.empty() ? nullptr : batch_.front();
    std::size_t const n = batch_.size();
    for(std::size_t i = 1; i < n; ++i)
        push(batch_[i]);
    // the marker goes behind what became ready
    while(!queue_.push(marker()))
        std::this_thread::yield();
    {
        std::lock_guard<std::mutex> lk(idle_mutex_);
        // the ready operations but the first, and the marker
        wake_locked(n == 0 ? 1 : n);
    }
    if(first)
    {
        run_op(first);
        check_stop();
    }
}

// While work is queued, the loop polls without blocking before each pass
// over the queue, but not more often than every poll_interval: a queue of
// short functions (a task that re-posts itself) would otherwise pay a
// system call per function. Readiness and due timers are still collected
// at least once per poll_interval of posted work.
bool
scheduler::
polled_recently() const noexcept
{
    return clock::now() - last_poll_ < poll_interval;
}

bool
scheduler::
enter_run(error_code& ec) noexcept
{
    if(shutdown_.load(std::memory_order_acquire))
    {
        BOOST_MILLIO_FAIL(ec, error::shut_down);
        return false;
    }
    if(running_.exchange(true, std::memory_order_acq_rel))
    {
        BOOST_MILLIO_FAIL(ec, error::already_running);
        return false;
    }
    reactor_thread_.store(std::this_thread::get_id(), std::memory_order_relaxed);
    return true;
}

void
scheduler::
leave_run() noexcept
{
    reactor_thread_.store(std::thread::id(), std::memory_order_relaxed);
    // Notify under the lock: shutdown() may be waiting, and the
    // scheduler may be destroyed as soon as it can lock.
    std::lock_guard<std::mutex> lk(run_mutex_);
    running_.store(false, std::memory_order_release);
    run_cv_.notify_all();
}

// Direct mode: one wait, the ready operations, then the posted ones that
// were queued before the wait. Returns the number of operations run.
std::size_t
scheduler::
run_direct_once(std::int64_t timeout, bool stop_aware, error_code& ec)
{
    auto const stopping = [&]{
        return stop_aware && (stop_requested_.load(std::memory_order_acquire) ||
            shutdown_.load(std::memory_order_acquire));
    };
    task_blocked_.store(true, std::memory_order_seq_cst);
    std::atomic_thread_fence(std::memory_order_seq_cst);
    std::size_t const queued = queued_.load(std::memory_order_seq_cst);
    batch_.clear();
    if(queued == 0 || !stop_aware || !polled_recently())
    {
        if(queued != 0)
            timeout = 0;
        else if(stop_aware)
            timeout = trim_before_wait(timeout);
        task_.run_task(timeout, batch_, ec);
        last_poll_ = clock::now();
    }
    task_blocked_.store(false, std::memory_order_relaxed);
    std::size_t done = 0;
    std::size_t i = 0;
    for(; i < batch_.size() && !stopping(); ++i, ++done)
        run_op(batch_[i]);
    // left for the next run() (or destroyed by the shutdown)
    for(; i < batch_.size(); ++i)
        push(batch_[i]);
    batch_.clear();
    // What was queued before the wait; then, within the poll interval,
    // what that queued in turn.
    for(std::size_t k = 0; !stopping(); ++k, ++done)
    {
        if(k >= queued && (k - queued) % 16 == 0 &&
            (!stop_aware || !polled_recently()))
            break;
        operation* op;
        if(!queue_.pop(op))
            break;
        queued_.fetch_sub(1, std::memory_order_relaxed);
        run_op(op);
    }
    return done;
}

void
scheduler::
run(error_code& ec)
{
    ec = {};
    if(!enter_run(ec))
        return;
    if(direct_)
    {
        current_guard g(this);
        task_thread tt(task_);
        while(!stop_requested_.load(std::memory_order_acquire) &&
            !shutdown_.load(std::memory_order_acquire))
        {
            run_direct_once(timeout_ns_, true, ec);
            if(ec)
                break;
        }
    }
    else
    {
        bool push_marker = false;
        {
            std::lock_guard<std::mutex> lk(idle_mutex_);
            running_pool_ = true;
            running_pool_hint_.store(true, std::memory_order_release);
            if(!marker_out_)
            {
                marker_out_ = true;
                push_marker = true;
            }
        }
        if(push_marker)
        {
            while(!queue_.push(marker()))
                std::this_thread::yield();
            std::lock_guard<std::mutex> lk(idle_mutex_);
            wake_locked(1);
        }
        run_waiting_.store(true, std::memory_order_seq_cst);
        {
            std::unique_lock<std::mutex> lk(run_mutex_);
            run_cv_.wait(lk, [this]{
                return stop_requested_.load(std::memory_order_seq_cst) ||
                    shutdown_.load(std::memory_order_seq_cst); });
        }
        run_waiting_.store(false, std::memory_order_seq_cst);
        // The marker retires when it is next popped (unless a new run()
        // starts first); a wait that began meanwhile is interrupted.
        {
            std::lock_guard<std::mutex> lk(idle_mutex_);
            running_pool_ = false;
            running_pool_hint_.store(false, std::memory_order_release);
        }
        task_.interrupt();
    }
    // run() consumes the stop request
    stop_requested_.store(false, std::memory_order_release);
    leave_run();
}

std::size_t
scheduler::
poll(error_code& ec)
{
    ec = {};
    if(!enter_run(ec))
        return 0;
    std::size_t n = 0;
    if(direct_)
    {
        current_guard g(this);
        n = run_direct_once(0, false, ec);
    }
    else
    {
        bool have_role = false;
        {
            std::lock_guard<std::mutex> lk(idle_mutex_);
            if(!marker_out_)
                have_role = marker_out_ = true;
        }
        if(have_role)
        {
            batch_.clear();
            task_.run_task(0, batch_, ec);
            n = batch_.size();
            for(operation* op : batch_)
                push(op);
            batch_.clear();
            std::lock_guard<std::mutex> lk(idle_mutex_);
            marker_out_ = false;
            wake_locked(n);
        }
    }
    leave_run();
    return n;
}

void
scheduler::
stop() noexcept
{
    stop_requested_.store(true, std::memory_order_seq_cst);
    task_.interrupt();
}

void
scheduler::
shutdown() noexcept
{
    if(shutdown_.exchange(true, std::memory_order_seq_cst))
        return;
    // Destroying the loop from one of its own threads would join that
    // thread or return into freed memory.
    BOOST_ASSERT_MSG(!running_in_this_thread(),
        "an event_loop must not be destroyed by one of its own threads");
    task_.interrupt();
    notify_run();
    {
        std::unique_lock<std::mutex> lk(run_mutex_);
        run_cv_.wait(lk, [this]{ return !running_.load(std::memory_order_acquire); });
    }
    {
        std::lock_guard<std::mutex> lk(idle_mutex_);
        shutdown_locked_ = true;
    }
    idle_cv_.notify_all();
    task_.interrupt();
    for(auto& t : workers_)
        t.join();
    workers_.clear();
}

void
scheduler::
destroy_pending() noexcept
{
    // Posts that saw no shutdown may still be pushing.
    for(;;)
    {
        while(inflight_posts_.load(std::memory_order_seq_cst) != 0)
            std::this_thread::yield();
        operation* op;
        bool any = false;
        while(queue_.pop(op))
        {
            any = true;
            if(op == marker())
                continue;
            queued_.fetch_sub(1, std::memory_order_relaxed);
            destroy_op(op);
        }
        if(!any && inflight_posts_.load(std::memory_order_seq_cst) == 0)
            break;
    }
}

} // detail
} // millio
} // boost

#endif
