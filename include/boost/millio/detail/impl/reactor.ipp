//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_DETAIL_IMPL_REACTOR_IPP
#define BOOST_MILLIO_DETAIL_IMPL_REACTOR_IPP

#include <boost/millio/detail/reactor.hpp>
#include <boost/millio/detail/impl/backend.ipp>
#include <boost/millio/detail/except.hpp>
#include <boost/lockfree/queue.hpp>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

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

inline
std::size_t
default_thread_count() noexcept
{
    unsigned n = std::thread::hardware_concurrency();
    return n == 0 ? 4 : n;
}

class reactor_impl;

// Runs one firing of a timer.
class timer_op final : public operation
{
public:
    reactor_impl& impl;
    std::shared_ptr<void> entry;    // reactor_impl::timer_entry

    timer_op(reactor_impl& r, std::shared_ptr<void> e) noexcept
        : operation(&timer_op::do_complete)
        , impl(r)
        , entry(std::move(e))
    {
    }

    static void do_complete(operation* op, bool destroy);
};

class reactor_impl
{
public:
    reactor& owner;
    event_loop_options opt;
    std::unique_ptr<backend> be;
    bool direct;
    bool rearm;

    // registration tables
    std::mutex table_mutex;
    std::unordered_map<std::size_t, registration*> users;
    std::unordered_map<std::uint64_t, registration*> keys;
    std::unordered_map<int, registration*> fds;
    std::uint64_t next_key = 0;

    // run state
    std::atomic<bool> stop_requested{false};
    std::atomic<bool> running{false};
    std::atomic<std::thread::id> reactor_thread{};
    std::mutex run_mutex;
    std::condition_variable run_cv;
    std::vector<ready_event> ready;
    std::vector<operation*> batch;
    bool running_pool = false;          // guarded by idle_mutex
    bool poller_active = false;         // guarded by idle_mutex
    std::atomic<bool> poller_blocked{false};

    // work queues
    boost::lockfree::queue<operation*> queue{1024};
    boost::lockfree::queue<operation*> direct_queue{256};
    std::atomic<std::size_t> direct_pending{0};

    // io workers
    std::vector<std::thread> workers;
    std::mutex idle_mutex;
    std::condition_variable idle_cv;
    std::atomic<std::size_t> sleepers{0};
    std::size_t permits = 0;
    bool shutdown = false;

    // waiting for a running handler
    std::mutex wait_mutex;
    std::condition_variable wait_cv;

    std::function<void(std::exception_ptr)> on_exception;

    // timers
    using tclock = std::chrono::steady_clock;
    struct timer_entry
    {
        std::function<void()> fn;
        tclock::time_point deadline;
        tclock::duration period;    // zero for one-shot timers
        std::uint64_t id;
    };
    struct heap_item
    {
        tclock::time_point deadline;
        std::uint64_t id;
        bool operator>(heap_item const& o) const noexcept
        {
            return deadline > o.deadline || (deadline == o.deadline && id > o.id);
        }
    };
    std::mutex timer_mutex;
    std::unordered_map<std::uint64_t, std::shared_ptr<timer_entry>> timers;
    std::vector<heap_item> heap;
    std::uint64_t next_timer_id = 0;
    // The deadline of the current wait for readiness: max while a wait
    // has no deadline, min while no wait is in progress (a new timer
    // then needs no wake-up: the next wait sees it).
    tclock::time_point poll_deadline = tclock::time_point::min();
    std::vector<operation*> due;

    explicit reactor_impl(reactor& r, event_loop_options const& o, backend_type bt)
        : owner(r)
        , opt(o)
        , direct(o.mode == dispatch_mode::direct)
    {
#if defined(BOOST_MILLIO_HAS_EPOLL)
        if(bt == backend_type::epoll)
            be.reset(new epoll_backend(o.events_capacity));
        else
#endif
            be.reset(new poll_backend(!direct));
        rearm = be->needs_rearm();
        ready.reserve(o.events_capacity + 1);
        batch.reserve(o.events_capacity);
    }

    static thread_local reactor_impl const* current;

    void start_workers(std::size_t n)
    {
        workers.reserve(n);
        try
        {
            for(std::size_t i = 0; i < n; ++i)
                workers.emplace_back([this]{ worker_loop(); });
        }
        catch(...)
        {
            stop_workers();
            throw;
        }
    }

    void stop_workers() noexcept
    {
        {
            std::lock_guard<std::mutex> lk(idle_mutex);
            shutdown = true;
        }
        idle_cv.notify_all();
        be->wake();
        for(auto& t : workers)
            t.join();
        workers.clear();
    }

    // Queued items are operations, or task nodes tagged in the low bit.
    static operation* tag(task_node* n) noexcept
    {
        return reinterpret_cast<operation*>(reinterpret_cast<std::uintptr_t>(n) | 1u);
    }

    static task_node* as_task(operation* op) noexcept
    {
        auto v = reinterpret_cast<std::uintptr_t>(op);
        return (v & 1u) ? reinterpret_cast<task_node*>(v & ~std::uintptr_t(1)) : nullptr;
    }

    static void destroy_op(operation* op) noexcept
    {
        if(task_node* n = as_task(op))
            n->destroy();
        else
            op->destroy();
    }

    void run_op(operation* op) noexcept
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

    void report_exception(std::exception_ptr ep) noexcept
    {
        if(on_exception)
        {
            try { on_exception(ep); } catch(...) {}
        }
    }

    // Pool mode is leader/follower: the io workers take turns at
    // waiting for readiness. The worker holding the poller role waits,
    // queues all but one of the ready registrations, hands the role on
    // (waking an idle worker if there is one) and runs the remaining
    // registration itself, so a lone event costs no thread hand-off.
    // The thread in run() only waits for stop().

    // Called with idle_mutex held.
    bool can_poll() const noexcept
    {
        return running_pool && !poller_active && !shutdown;
    }

    void wake_one_locked() noexcept
    {
        if(sleepers.load(std::memory_order_relaxed) > permits)
        {
            ++permits;
            idle_cv.notify_one();
        }
    }

    void worker_loop()
    {
        current = this;
        operation* op = nullptr;
        for(;;)
        {
            if(queue.pop(op))
            {
                run_op(op);
                continue;
            }
            bool got = false;
            for(int i = 0; i < 8; ++i)
            {
                cpu_relax();
                if(queue.pop(op))
                {
                    got = true;
                    break;
                }
            }
            if(got)
            {
                run_op(op);
                continue;
            }
            std::unique_lock<std::mutex> lk(idle_mutex);
            for(;;)
            {
                if(shutdown)
                {
                    lk.unlock();
                    while(queue.pop(op))
                        destroy_op(op);
                    return;
                }
                if(can_poll())
                {
                    poller_active = true;
                    lk.unlock();
                    poll_and_dispatch();
                    break;
                }
                sleepers.fetch_add(1, std::memory_order_seq_cst);
                std::atomic_thread_fence(std::memory_order_seq_cst);
                if(queue.pop(op))
                {
                    sleepers.fetch_sub(1, std::memory_order_relaxed);
                    lk.unlock();
                    run_op(op);
                    break;
                }
                idle_cv.wait(lk, [this]{ return permits > 0 || shutdown || can_poll(); });
                sleepers.fetch_sub(1, std::memory_order_relaxed);
                if(permits > 0)
                    --permits;
            }
        }
    }

    // The worker holding the poller role: wait, queue, hand on, run one.
    void poll_and_dispatch()
    {
        std::int64_t timeout = wait_timeout(timeout_ns());
        poller_blocked.store(true, std::memory_order_seq_cst);
        std::atomic_thread_fence(std::memory_order_seq_cst);
        operation* op = nullptr;
        bool have_op = queue.pop(op);
        if(have_op || stop_requested.load(std::memory_order_acquire))
            timeout = 0;
        error_code ec;
        ready.clear();
        be->wait(ready, opt.events_capacity, timeout, ec);
        poller_blocked.store(false, std::memory_order_relaxed);
        collect(ready, batch);
        collect_due(batch);
        if(stop_requested.load(std::memory_order_acquire))
        {
            std::lock_guard<std::mutex> lk(run_mutex);
            run_cv.notify_all();
        }
        operation* first = have_op ? op : nullptr;
        std::size_t i = 0;
        if(!first && !batch.empty())
            first = batch[i++];
        std::size_t queued = 0;
        for(; i < batch.size(); ++i, ++queued)
            queue.push(batch[i]);
        {
            std::lock_guard<std::mutex> lk(idle_mutex);
            poller_active = false;
            // one idle worker takes over the poller role, more run what was queued
            std::size_t wake = queued + 1;
            while(wake-- > 0 && sleepers.load(std::memory_order_relaxed) > permits)
            {
                ++permits;
                idle_cv.notify_one();
            }
        }
        if(first)
            run_op(first);
    }

    // Look up the registrations of ready events; those that must be
    // dispatched are appended to `out` with a reference each.
    void collect(std::vector<ready_event> const& in, std::vector<operation*>& out)
    {
        out.clear();
        if(in.empty())
            return;
        std::lock_guard<std::mutex> lk(table_mutex);
        for(auto const& e : in)
        {
            if(e.key == 0)
                continue;
            auto it = keys.find(e.key);
            if(it == keys.end())
                continue;
            registration* r = it->second;
            if(r->post_events(e.bits))
            {
                r->add_ref();
                out.push_back(r);
            }
        }
    }

    void post(operation* op)
    {
        if(direct)
        {
            direct_pending.fetch_add(1, std::memory_order_relaxed);
            direct_queue.push(op);
            if(reactor_thread.load(std::memory_order_relaxed) != std::this_thread::get_id())
                be->wake();
            return;
        }
        queue.push(op);
        std::atomic_thread_fence(std::memory_order_seq_cst);
        if(sleepers.load(std::memory_order_seq_cst) > 0)
        {
            std::lock_guard<std::mutex> lk(idle_mutex);
            wake_one_locked();
        }
        else if(poller_blocked.load(std::memory_order_seq_cst))
        {
            // every worker is busy and one is blocked waiting for
            // readiness: interrupt it so that it runs the work
            be->wake();
        }
    }

    // The wait timeout for readiness, shortened to the next timer
    // deadline (rounded up: timers never fire early).
    std::int64_t wait_timeout(std::int64_t base)
    {
        std::lock_guard<std::mutex> lk(timer_mutex);
        while(!heap.empty() && timers.count(heap.front().id) == 0)
        {
            std::pop_heap(heap.begin(), heap.end(), std::greater<heap_item>());
            heap.pop_back();
        }
        auto const now = tclock::now();
        std::int64_t t = base;
        if(!heap.empty())
        {
            std::int64_t d = std::chrono::duration_cast<std::chrono::nanoseconds>(
                heap.front().deadline - now).count();
            if(d < 0)
                d = 0;
            if(base < 0 || d < base)
                t = d;
        }
        poll_deadline = t < 0 ? tclock::time_point::max() : now + std::chrono::nanoseconds(t);
        return t;
    }

    // Moves the operations of due timers to `out`.
    void collect_due(std::vector<operation*>& out)
    {
        std::lock_guard<std::mutex> lk(timer_mutex);
        poll_deadline = tclock::time_point::min();
        if(heap.empty())
            return;
        auto const now = tclock::now();
        while(!heap.empty() && heap.front().deadline <= now)
        {
            std::uint64_t id = heap.front().id;
            std::pop_heap(heap.begin(), heap.end(), std::greater<heap_item>());
            heap.pop_back();
            auto it = timers.find(id);
            if(it == timers.end())
                continue;
            std::shared_ptr<timer_entry> e = it->second;
            if(e->period.count() == 0)
                timers.erase(it);   // a one-shot timer can no longer be cancelled
            out.push_back(new timer_op(*this, std::move(e)));
        }
    }

    // Schedules `e` (timer_mutex held). Returns true if the current
    // wait must be interrupted.
    bool schedule_locked(std::shared_ptr<timer_entry> const& e)
    {
        heap.push_back({e->deadline, e->id});
        std::push_heap(heap.begin(), heap.end(), std::greater<heap_item>());
        return e->deadline < poll_deadline;
    }

    void compact_locked()
    {
        if(heap.size() <= 2 * timers.size() + 64)
            return;
        heap.clear();
        for(auto const& kv : timers)
            heap.push_back({kv.second->deadline, kv.first});
        std::make_heap(heap.begin(), heap.end(), std::greater<heap_item>());
    }

    void run_registration(registration* r) noexcept
    {
        // Direct mode: run until no more events are pending.
        while(r->run_pending()) {}
        r->release();
    }

    void drain_direct() noexcept
    {
        if(direct_pending.load(std::memory_order_relaxed) == 0)
            return;
        operation* op;
        while(direct_queue.pop(op))
        {
            direct_pending.fetch_sub(1, std::memory_order_relaxed);
            run_op(op);
        }
    }

    // One wait for readiness and the dispatch of what it found.
    // Returns the number of registrations dispatched.
    std::size_t run_once(std::int64_t timeout_ns, error_code& ec)
    {
        ready.clear();
        if(direct && direct_pending.load(std::memory_order_relaxed) != 0)
            timeout_ns = 0;
        timeout_ns = wait_timeout(timeout_ns);
        be->wait(ready, opt.events_capacity, timeout_ns, ec);
        if(ec)
            return 0;
        collect(ready, batch);
        collect_due(batch);
        for(operation* op : batch)
        {
            if(direct)
                run_op(op);
            else
                post(op);
        }
        if(direct)
            drain_direct();
        return batch.size();
    }

    std::int64_t timeout_ns() const noexcept
    {
        auto t = opt.poll_timeout.count();
        if(t < 0)
            return -1;
        if(t > 1000LL * 1000 * 1000 * 1000)
            t = 1000LL * 1000 * 1000 * 1000;
        return static_cast<std::int64_t>(t) * 1000000;
    }

    bool enter_run(error_code& ec) noexcept
    {
        if(running.exchange(true, std::memory_order_acq_rel))
        {
            BOOST_MILLIO_FAIL(ec, error::already_running);
            return false;
        }
        reactor_thread.store(std::this_thread::get_id(), std::memory_order_relaxed);
        return true;
    }

    void leave_run() noexcept
    {
        reactor_thread.store(std::thread::id(), std::memory_order_relaxed);
        // Notify under the lock: the destructor may be waiting, and
        // destroys the condition variable as soon as it can lock.
        std::lock_guard<std::mutex> lk(run_mutex);
        running.store(false, std::memory_order_release);
        run_cv.notify_all();
    }
};

inline thread_local reactor_impl const* reactor_impl::current = nullptr;

//------------------------------------------------------------------------------

registration::
registration(
    reactor& r,
    int fd,
    millio::token t,
    bool user,
    std::uint64_t key,
    interest i,
    std::unique_ptr<event_handler> h) noexcept
    : operation(&registration::do_complete)
    , reactor_(r)
    , fd_(fd)
    , token_(t)
    , user_(user)
    , key_(key)
    , interest_(i)
    , handler_(std::move(h))
{
}

bool
registration::
run_pending()
{
    unsigned bits = pending_.exchange(0, std::memory_order_seq_cst);
    if(bits != 0)
    {
        unsigned s = state_.fetch_or(running, std::memory_order_seq_cst);
        if((s & closed) == 0)
        {
            runner_.store(std::this_thread::get_id(), std::memory_order_relaxed);
            try
            {
                handler_->handle_event(event(token_, bits));
            }
            catch(...)
            {
                reactor_.impl_->report_exception(std::current_exception());
            }
            runner_.store(std::thread::id(), std::memory_order_relaxed);
        }
        s = state_.fetch_and(~running, std::memory_order_seq_cst);
        if(s & waiter)
            reactor_.notify_waiters();
    }
    state_.fetch_and(~scheduled, std::memory_order_seq_cst);
    if(pending_.load(std::memory_order_seq_cst) != 0 &&
        (state_.fetch_or(scheduled, std::memory_order_seq_cst) & scheduled) == 0)
        return true;
    return false;
}

void
registration::
close_and_wait() noexcept
{
    unsigned s = state_.fetch_or(closed, std::memory_order_seq_cst);
    if((s & running) == 0)
        return;
    if(runner_.load(std::memory_order_relaxed) == std::this_thread::get_id())
        return;
    reactor_.wait_not_running(state_);
}

void
registration::
do_complete(operation* op, bool destroy)
{
    auto* r = static_cast<registration*>(op);
    if(destroy)
    {
        r->release();
        return;
    }
    if(r->run_pending())
    {
        // More events arrived while the handler ran: queue again
        // (rather than loop) so that other registrations get a turn.
        r->reactor_.impl_->post(r);
        return;
    }
    if(r->reactor_.impl_->rearm && !r->is_closed())
        r->reactor_.rearm(r);
    r->release();
}

void
timer_op::
do_complete(operation* op, bool destroy)
{
    auto* self = static_cast<timer_op*>(op);
    std::unique_ptr<timer_op> guard(self);
    if(destroy)
        return;
    auto* e = static_cast<reactor_impl::timer_entry*>(self->entry.get());
    reactor_impl& impl = self->impl;
    if(e->period.count() != 0)
    {
        // a periodic timer cancelled after this firing was queued
        std::lock_guard<std::mutex> lk(impl.timer_mutex);
        if(impl.timers.count(e->id) == 0)
            return;
    }
    try
    {
        e->fn();
    }
    catch(...)
    {
        impl.report_exception(std::current_exception());
    }
    if(e->period.count() == 0)
        return;
    // A periodic timer is scheduled again after its callback returned,
    // so that its callbacks never overlap; missed periods are skipped.
    bool wake = false;
    {
        std::lock_guard<std::mutex> lk(impl.timer_mutex);
        if(impl.timers.count(e->id) == 0)
            return; // cancelled meanwhile
        auto const now = reactor_impl::tclock::now();
        e->deadline += e->period;
        if(e->deadline < now)
            e->deadline = now + e->period;
        wake = impl.schedule_locked(
            std::static_pointer_cast<reactor_impl::timer_entry>(self->entry));
    }
    if(wake)
        impl.be->wake();
}

//------------------------------------------------------------------------------

std::uint64_t
reactor::
add_timer(
    std::chrono::nanoseconds delay,
    std::chrono::nanoseconds period,
    std::function<void()> f,
    error_code& ec)
{
    ec = {};
    if(period.count() < 0 || !f)
    {
        BOOST_MILLIO_FAIL(ec, error::invalid_argument);
        return 0;
    }
    if(delay.count() < 0)
        delay = std::chrono::nanoseconds(0);
    auto e = std::make_shared<reactor_impl::timer_entry>();
    e->fn = std::move(f);
    e->period = std::chrono::duration_cast<reactor_impl::tclock::duration>(period);
    e->deadline = reactor_impl::tclock::now() +
        std::chrono::duration_cast<reactor_impl::tclock::duration>(delay);
    bool wake;
    {
        std::lock_guard<std::mutex> lk(impl_->timer_mutex);
        e->id = ++impl_->next_timer_id;
        impl_->timers.emplace(e->id, e);
        wake = impl_->schedule_locked(e);
    }
    if(wake && !running_in_reactor_thread())
        impl_->be->wake();
    return e->id;
}

bool
reactor::
cancel_timer(std::uint64_t id) noexcept
{
    std::lock_guard<std::mutex> lk(impl_->timer_mutex);
    auto it = impl_->timers.find(id);
    if(it == impl_->timers.end())
        return false;
    impl_->timers.erase(it);
    impl_->compact_locked();
    return true;
}

std::size_t
reactor::
pending_timers() const noexcept
{
    std::lock_guard<std::mutex> lk(impl_->timer_mutex);
    return impl_->timers.size();
}

//------------------------------------------------------------------------------

reactor::
reactor(event_loop_options const& opt)
    : opt_(opt)
{
    if(opt.events_capacity == 0)
        throw_system_error(make_error_code(error::invalid_argument));
    if(opt.events_capacity > 0x7fffffff)
        throw_system_error(make_error_code(error::invalid_argument));
    backend_ = opt.backend;
    if(backend_ == backend_type::automatic)
    {
#if defined(BOOST_MILLIO_HAS_EPOLL)
        backend_ = backend_type::epoll;
#else
        backend_ = backend_type::poll;
#endif
    }
#if !defined(BOOST_MILLIO_HAS_EPOLL)
    if(backend_ == backend_type::epoll)
        throw_system_error(make_error_code(system::errc::function_not_supported));
#endif
    threads_ = 0;
    if(opt.mode == dispatch_mode::pool)
        threads_ = opt.io_threads == 0 ? default_thread_count() : opt.io_threads;
    opt_.backend = backend_;
    opt_.io_threads = threads_;
    impl_.reset(new reactor_impl(*this, opt_, backend_));
    impl_->start_workers(threads_);
}

reactor::
~reactor()
{
    stop();
    {
        std::unique_lock<std::mutex> lk(impl_->run_mutex);
        impl_->run_cv.wait(lk, [this]{ return !impl_->running.load(); });
    }
    impl_->stop_workers();
    operation* op;
    while(impl_->direct_queue.pop(op))
        reactor_impl::destroy_op(op);
    while(impl_->queue.pop(op))
        reactor_impl::destroy_op(op);
    std::vector<registration*> regs;
    {
        std::lock_guard<std::mutex> lk(impl_->table_mutex);
        for(auto& kv : impl_->keys)
            regs.push_back(kv.second);
        impl_->keys.clear();
        impl_->users.clear();
        impl_->fds.clear();
    }
    for(auto* r : regs)
    {
        impl_->be->remove(r->fd(), r->key());
        r->close_and_wait();
        r->release();
    }
}

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
    std::lock_guard<std::mutex> lk(impl_->table_mutex);
    if(user && impl_->users.count(t.value()) != 0)
    {
        BOOST_MILLIO_FAIL(ec, error::token_in_use);
        return nullptr;
    }
    if(impl_->fds.count(fd) != 0)
    {
        BOOST_MILLIO_FAIL(ec, system::errc::file_exists);
        return nullptr;
    }
    std::uint64_t key = ++impl_->next_key;
    auto* r = new registration(*this, fd, t, user, key, i, std::move(h));
    impl_->be->add(fd, key, i, ec);
    if(ec)
    {
        r->release();
        return nullptr;
    }
    try
    {
        impl_->keys.emplace(key, r);
        impl_->fds.emplace(fd, r);
        if(user)
            impl_->users.emplace(t.value(), r);
    }
    catch(...)
    {
        impl_->keys.erase(key);
        impl_->fds.erase(fd);
        impl_->be->remove(fd, key);
        r->release();
        throw;
    }
    return r;
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
    std::lock_guard<std::mutex> lk(impl_->table_mutex);
    r->set_interest(i);
    impl_->be->modify(r->fd(), r->key(), i, ec);
}

void
reactor::
remove(registration* r, error_code& ec)
{
    ec = {};
    {
        std::lock_guard<std::mutex> lk(impl_->table_mutex);
        auto it = impl_->keys.find(r->key());
        if(it == impl_->keys.end())
        {
            BOOST_MILLIO_FAIL(ec, error::not_registered);
            return;
        }
        impl_->keys.erase(it);
        impl_->fds.erase(r->fd());
        if(r->is_user())
            impl_->users.erase(r->token().value());
        impl_->be->remove(r->fd(), r->key());
    }
    r->close_and_wait();
    r->release();
}

void
reactor::
notify(registration* r, unsigned bits)
{
    if(r->post_events(bits))
    {
        r->add_ref();
        impl_->post(r);
    }
}

void
reactor::
modify_user(int fd, millio::token t, interest i, error_code& ec)
{
    registration* r;
    {
        std::lock_guard<std::mutex> lk(impl_->table_mutex);
        auto it = impl_->users.find(t.value());
        if(it == impl_->users.end() || it->second->fd() != fd)
        {
            BOOST_MILLIO_FAIL(ec, error::not_registered);
            return;
        }
        r = it->second;
        r->add_ref();
    }
    modify(r, i, ec);
    r->release();
}

void
reactor::
remove_user(int fd, millio::token t, error_code& ec)
{
    registration* r;
    {
        std::lock_guard<std::mutex> lk(impl_->table_mutex);
        auto it = impl_->users.find(t.value());
        if(it == impl_->users.end() || it->second->fd() != fd)
        {
            BOOST_MILLIO_FAIL(ec, error::not_registered);
            return;
        }
        r = it->second;
        r->add_ref();
    }
    // A concurrent remove of the same token may win the race; this
    // call then fails with error::not_registered.
    remove(r, ec);
    r->release();
}

void
reactor::
run(error_code& ec)
{
    ec = {};
    if(!impl_->enter_run(ec))
        return;
    if(impl_->direct)
    {
        auto* prev = reactor_impl::current;
        reactor_impl::current = impl_.get();
        std::int64_t const timeout = impl_->timeout_ns();
        while(!impl_->stop_requested.load(std::memory_order_acquire))
        {
            impl_->run_once(timeout, ec);
            if(ec)
                break;
        }
        reactor_impl::current = prev;
    }
    else
    {
        // The io workers take turns at polling while running_pool is set.
        {
            std::lock_guard<std::mutex> lk(impl_->idle_mutex);
            impl_->running_pool = true;
        }
        impl_->idle_cv.notify_all();
        {
            std::unique_lock<std::mutex> lk(impl_->run_mutex);
            impl_->run_cv.wait(lk, [this]{
                return impl_->stop_requested.load(std::memory_order_acquire); });
        }
        std::lock_guard<std::mutex> lk(impl_->idle_mutex);
        impl_->running_pool = false;
    }
    impl_->stop_requested.store(false, std::memory_order_release);
    impl_->leave_run();
}

std::size_t
reactor::
poll(error_code& ec)
{
    ec = {};
    if(!impl_->enter_run(ec))
        return 0;
    std::size_t n = 0;
    if(impl_->direct)
    {
        auto* prev = reactor_impl::current;
        reactor_impl::current = impl_.get();
        n = impl_->run_once(0, ec);
        reactor_impl::current = prev;
    }
    else
    {
        {
            std::lock_guard<std::mutex> lk(impl_->idle_mutex);
            if(impl_->poller_active)
            {
                impl_->leave_run();
                return 0;
            }
            impl_->poller_active = true;
        }
        n = impl_->run_once(0, ec);
        std::lock_guard<std::mutex> lk(impl_->idle_mutex);
        impl_->poller_active = false;
    }
    impl_->stop_requested.store(false, std::memory_order_release);
    impl_->leave_run();
    return n;
}

void
reactor::
stop() noexcept
{
    impl_->stop_requested.store(true, std::memory_order_release);
    impl_->be->wake();
}

bool
reactor::
stopped() const noexcept
{
    return impl_->stop_requested.load(std::memory_order_acquire);
}

void
reactor::
set_exception_handler(std::function<void(std::exception_ptr)> f)
{
    impl_->on_exception = std::move(f);
}

void
reactor::
wake() noexcept
{
    impl_->be->wake();
}

void
reactor::
post(operation* op)
{
    impl_->post(op);
}

void
reactor::
post_task(task_node* n)
{
    impl_->post(reactor_impl::tag(n));
}

bool
reactor::
running_in_this_thread() const noexcept
{
    return reactor_impl::current == impl_.get();
}

bool
reactor::
running_in_reactor_thread() const noexcept
{
    return impl_->reactor_thread.load(std::memory_order_relaxed) == std::this_thread::get_id();
}

void
reactor::
rearm(registration* r) noexcept
{
    impl_->be->rearm(r->key());
}

void
reactor::
notify_waiters() noexcept
{
    std::lock_guard<std::mutex> lk(impl_->wait_mutex);
    impl_->wait_cv.notify_all();
}

void
reactor::
wait_not_running(std::atomic<unsigned>& state) noexcept
{
    std::unique_lock<std::mutex> lk(impl_->wait_mutex);
    for(;;)
    {
        unsigned s = state.fetch_or(registration::waiter, std::memory_order_seq_cst);
        if((s & registration::running) == 0)
            return;
        impl_->wait_cv.wait(lk);
    }
}

} // detail
} // millio
} // boost

#endif
