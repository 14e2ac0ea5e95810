//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_IMPL_COMPUTE_POOL_IPP
#define BOOST_MILLIO_IMPL_COMPUTE_POOL_IPP

#include <boost/millio/compute_pool.hpp>
#include <boost/millio/detail/access.hpp>
#include <boost/millio/detail/compute_stats.hpp>
#include <boost/millio/detail/except.hpp>
#include <boost/millio/detail/spill_queue.hpp>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <new>
#include <thread>
#include <vector>

#if defined(__x86_64__) || defined(__i386__) || defined(_M_X64) || defined(_M_IX86)
# include <immintrin.h>
# define BOOST_MILLIO_CPU_RELAX() _mm_pause()
#elif defined(__aarch64__)
# define BOOST_MILLIO_CPU_RELAX() __asm__ __volatile__("yield")
#else
# define BOOST_MILLIO_CPU_RELAX() ((void)0)
#endif

namespace boost {
namespace millio {

namespace {

thread_local compute_pool const* tls_current_pool = nullptr;

} // (anon)

struct compute_pool::impl
{
    // Polls of empty queues before a worker goes to sleep (a few
    // microseconds).
    static constexpr unsigned spin_limit = 128;

    // Every this many polls, a spinning worker yields its CPU: when there
    // are more runnable threads than CPUs (a submitter, other programs),
    // the thread that would give it work gets to run.
    static constexpr unsigned yield_every = 32;

    // Most lanes (below).
    static constexpr std::size_t max_lanes = 8;

    // Tasks a queue holds without allocating (256 x 64 bytes); a burst
    // beyond spills, and that memory goes back as it drains.
    static constexpr std::size_t queue_room = 256;

    struct alignas(BOOST_MILLIO_CACHELINE) queue_slot
    {
        detail::spill_queue<detail::task_node*> q{queue_room};
    };

    // The queues: per priority, one lane per worker (at most max_lanes).
    // A submitting thread always pushes to the same lane (threads take
    // lanes in turn), and worker w pops from lane w % lanes first, then
    // from the others: two threads submitting at once, and two workers
    // popping, mostly touch different queues, instead of all four taking
    // turns at the ends of one. Nothing of the order is lost: the tasks of
    // one thread stay in one queue, in order, and every worker looks at
    // every lane of a priority before a lower one.
    compute_pool* self;
    detail::compute_stats stats;
    std::size_t const lane_count;
    std::unique_ptr<queue_slot[]> queues; // [priority * lane_count + lane]

    detail::spill_queue<detail::task_node*>&
    queue(std::size_t priority, std::size_t lane) noexcept
    {
        return queues[priority * lane_count + lane].q;
    }

    alignas(BOOST_MILLIO_CACHELINE) std::atomic<std::uint32_t> sleepers{0};
    alignas(BOOST_MILLIO_CACHELINE) std::atomic<bool> stopped{false};

    // Sleep/wake state, guarded by mutex. `signals` (wake-ups given but
    // not yet taken) is also read without the mutex by submitters, which
    // skip the mutex when every registered sleeper already has a wake-up
    // coming: that worker will scan the queues after waking.
    std::mutex mutex;
    std::condition_variable cv;
    std::size_t waiting = 0;
    std::atomic<std::uint32_t> signals{0};
    bool wake_all = false;

    std::mutex handler_mutex;
    std::function<void(std::exception_ptr)> handler;

    std::mutex join_mutex;
    std::vector<std::thread> threads;

    explicit
    impl(compute_pool* p, std::size_t n)
        : self(p)
        , lane_count((std::min)(n, max_lanes))
        , queues(new queue_slot[task_priority_count * lane_count])
    {
        stats.workers.reset(new detail::worker_counters[n]);
        stats.worker_count = n;
    }

    // True if no task is queued or being pushed. Reads other workers'
    // `taken` counters, which may lag: the answer errs towards "not empty".
    bool
    all_empty() const noexcept
    {
        for(std::size_t i = 0; i < task_priority_count; ++i)
            if(stats.depth(i) != 0)
                return false;
        return true;
    }

    // Called by a submitter after its push, when sleepers != 0.
    void
    maybe_wake_one(std::uint32_t sleeping)
    {
        if(signals.load(std::memory_order_acquire) >= sleeping)
            return;
        wake_one();
    }

    void
    wake_one()
    {
        {
            std::lock_guard<std::mutex> lock(mutex);
            std::uint32_t const n = signals.load(std::memory_order_relaxed);
            if(n >= waiting)
                return;
            signals.store(n + 1, std::memory_order_relaxed);
        }
        // Notify after unlocking, so the woken worker does not block on
        // the mutex we still hold.
        cv.notify_one();
    }

    void
    report(std::exception_ptr ep) noexcept
    {
        try
        {
            std::function<void(std::exception_ptr)> h;
            {
                std::lock_guard<std::mutex> lock(handler_mutex);
                h = handler;
            }
            if(h)
                h(ep);
        }
        catch(...)
        {
        }
    }

    void
    run_task(
        detail::task_node* n,
        detail::worker_counters& wc) noexcept
    {
        wc.busy.store(1, std::memory_order_relaxed);
        std::uint64_t const t0 = stats.clock.now();
        bool ok = true;
        try
        {
            n->complete();
        }
        catch(...)
        {
            ok = false;
            report(std::current_exception());
        }
        std::uint64_t const t1 = stats.clock.now();
        // A task that moved to a core whose TSC lags would read backwards.
        detail::worker_counters::bump(wc.exec_ticks, t1 > t0 ? t1 - t0 : 0);
        detail::worker_counters::bump(ok ? wc.completed : wc.failed, 1);
        wc.busy.store(0, std::memory_order_release);
    }

    // The lane of a submitting thread.
    std::size_t
    submit_lane() const noexcept
    {
        static std::atomic<unsigned> next{0};
        thread_local unsigned const mine =
            next.fetch_add(1, std::memory_order_relaxed);
        return mine % lane_count;
    }

    // Pop from the highest priority with a task, worker `w`'s own lane of
    // it first.
    detail::task_node*
    take(std::size_t w, detail::worker_counters& wc) noexcept
    {
        detail::task_node* n = nullptr;
        std::size_t const own = w % lane_count;
        for(std::size_t i = task_priority_count; i-- > 0;)
        {
            bool found = false;
            for(std::size_t k = 0; k < lane_count && ! found; ++k)
            {
                std::size_t l = own + k;
                if(l >= lane_count)
                    l -= lane_count;
                found = queue(i, l).pop(n);
            }
            if(found)
            {
                auto& t = wc.taken[i];
                t.store(t.load(std::memory_order_relaxed) + 1,
                    std::memory_order_release);
                return n;
            }
        }
        return nullptr;
    }

    void
    run_worker(std::size_t index) noexcept
    {
        tls_current_pool = self;
        auto& wc = stats.workers[index];
        unsigned spins = 0;
        bool woke = false;
        for(;;)
        {
            if(detail::task_node* n = take(index, wc))
            {
                if(woke)
                {
                    // More work and more sleepers: pass the wake-up on.
                    woke = false;
                    if(sleepers.load(std::memory_order_relaxed) != 0 &&
                        ! all_empty())
                        wake_one();
                }
                run_task(n, wc);
                spins = 0;
                continue;
            }
            if(spins < spin_limit)
            {
                ++spins;
                if(spins % yield_every == 0)
                    std::this_thread::yield();
                else
                    BOOST_MILLIO_CPU_RELAX();
                continue;
            }
            // Idle: give back the task nodes of a past burst, a bounded
            // step at a time, looking for work between steps.
            detail::trim_result const trim =
                detail::trim_task_nodes_when_idle();
            if(trim == detail::trim_result::again)
                continue;

            std::unique_lock<std::mutex> lock(mutex);
            // Pairs with submit(), which pushes, issues a seq_cst fence and
            // then reads `sleepers`. Here `sleepers` is raised, a fence
            // issued and the queues scanned. By the fences' order either
            // the scan sees the push or the submitter sees the sleeper and
            // wakes it: no lost wake-up, and no spinning while a
            // submitter is preempted in the middle of a push.
            sleepers.fetch_add(1, std::memory_order_seq_cst);
            std::atomic_thread_fence(std::memory_order_seq_cst);
            if(detail::task_node* n = take(index, wc))
            {
                sleepers.fetch_sub(1, std::memory_order_relaxed);
                lock.unlock();
                run_task(n, wc);
                spins = 0;
                continue;
            }
            if(stopped.load(std::memory_order_seq_cst))
            {
                sleepers.fetch_sub(1, std::memory_order_relaxed);
                if(all_empty())
                    break;
                // A submission is in flight (it will push or fail); other
                // workers' counters may lag. Only happens while stopping.
                lock.unlock();
                std::this_thread::yield();
                continue;
            }
            ++waiting;
            auto const woken = [this]{
                return signals.load(std::memory_order_relaxed) > 0 ||
                    wake_all; };
            if(trim == detail::trim_result::later)
                cv.wait_for(lock, std::chrono::seconds(1), woken);
            else
                cv.wait(lock, woken);
            --waiting;
            if(std::uint32_t const n =
                signals.load(std::memory_order_relaxed))
                signals.store(n - 1, std::memory_order_release);
            sleepers.fetch_sub(1, std::memory_order_seq_cst);
            spins = 0;
            woke = true;
        }
        tls_current_pool = nullptr;
    }
};

compute_pool::
compute_pool()
    : compute_pool(std::size_t(0))
{
}

compute_pool::
compute_pool(compute_pool_options const& opt)
    : compute_pool(opt.threads)
{
}

compute_pool::
compute_pool(std::size_t threads)
{
    if(threads == 0)
        threads = std::thread::hardware_concurrency() != 0
            ? std::thread::hardware_concurrency() : 4;
    impl_.reset(new impl(this, threads));
    try
    {
        impl_->threads.reserve(threads);
        for(std::size_t i = 0; i < threads; ++i)
        {
            impl* p = impl_.get();
            impl_->threads.emplace_back([p, i]{ p->run_worker(i); });
        }
    }
    catch(...)
    {
        join();
        throw;
    }
}

compute_pool::
~compute_pool()
{
    join();
    // Shut down and destroy Asio services (strands etc.) while the pool's
    // state is still alive.
    execution_context::shutdown();
    execution_context::destroy();
}

void
compute_pool::
submit(
    detail::task_node* n,
    task_priority p,
    error_code& ec)
{
    impl& s = *impl_;
    auto const i = static_cast<std::size_t>(p);
    BOOST_ASSERT(i < task_priority_count);
    auto& pc = s.stats.prio[i];
    pc.submitted.fetch_add(1, std::memory_order_seq_cst);
    if(s.stopped.load(std::memory_order_seq_cst) &&
        tls_current_pool != this)
    {
        pc.submitted.fetch_sub(1, std::memory_order_seq_cst);
        n->destroy();
        BOOST_MILLIO_FAIL(ec, error::shut_down);
        return;
    }
    if(! s.queue(i, s.submit_lane()).push(n))
    {
        pc.submitted.fetch_sub(1, std::memory_order_seq_cst);
        n->destroy();
        throw std::bad_alloc();
    }
    // See run_worker: the fence orders the push before the read of
    // `sleepers`.
    std::atomic_thread_fence(std::memory_order_seq_cst);
    if(std::uint32_t const sleeping =
        s.sleepers.load(std::memory_order_relaxed))
        s.maybe_wake_one(sleeping);
}

compute_metrics
compute_pool::
metrics() const noexcept
{
    return detail::access::construct<compute_metrics>(&impl_->stats);
}

void
compute_pool::
set_exception_handler(std::function<void(std::exception_ptr)> h)
{
    std::lock_guard<std::mutex> lock(impl_->handler_mutex);
    impl_->handler = std::move(h);
}

void
compute_pool::
stop() noexcept
{
    impl_->stopped.store(true, std::memory_order_seq_cst);
    {
        std::lock_guard<std::mutex> lock(impl_->mutex);
        impl_->wake_all = true;
    }
    impl_->cv.notify_all();
}

bool
compute_pool::
stopped() const noexcept
{
    return impl_->stopped.load(std::memory_order_acquire);
}

void
compute_pool::
join()
{
    BOOST_ASSERT(! running_in_this_thread());
    stop();
    std::lock_guard<std::mutex> lock(impl_->join_mutex);
    for(auto& t : impl_->threads)
        if(t.joinable())
            t.join();
}

std::size_t
compute_pool::
thread_count() const noexcept
{
    return impl_->stats.worker_count;
}

bool
compute_pool::
running_in_this_thread() const noexcept
{
    return tls_current_pool == this;
}

} // millio
} // boost

#endif
