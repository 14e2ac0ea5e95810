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
    std::vector<registration*> batch;

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
        for(auto& t : workers)
            t.join();
        workers.clear();
    }

    void run_op(operation* op) noexcept
    {
        try
        {
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
            for(int i = 0; i < 256; ++i)
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
            sleepers.fetch_add(1, std::memory_order_seq_cst);
            std::atomic_thread_fence(std::memory_order_seq_cst);
            if(queue.pop(op))
            {
                sleepers.fetch_sub(1, std::memory_order_relaxed);
                lk.unlock();
                run_op(op);
                continue;
            }
            idle_cv.wait(lk, [this]{ return permits > 0 || shutdown; });
            sleepers.fetch_sub(1, std::memory_order_relaxed);
            if(permits > 0)
                --permits;
            else if(shutdown)
            {
                lk.unlock();
                // drain what is left, then exit
                while(queue.pop(op))
                    op->destroy();
                return;
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
            {
                std::lock_guard<std::mutex> lk(idle_mutex);
                ++permits;
            }
            idle_cv.notify_one();
        }
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
    std::size_t run_once(int timeout_ms, error_code& ec)
    {
        ready.clear();
        if(direct && direct_pending.load(std::memory_order_relaxed) != 0)
            timeout_ms = 0;
        be->wait(ready, opt.events_capacity, timeout_ms, ec);
        if(ec)
            return 0;
        batch.clear();
        if(!ready.empty())
        {
            std::lock_guard<std::mutex> lk(table_mutex);
            for(auto const& e : ready)
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
                    batch.push_back(r);
                }
            }
        }
        for(registration* r : batch)
        {
            if(direct)
                run_registration(r);
            else
                post(r);
        }
        if(direct)
            drain_direct();
        return batch.size();
    }

    int timeout_ms() const noexcept
    {
        auto t = opt.poll_timeout.count();
        if(t < 0)
            return -1;
        return t > 0x7fffffff ? 0x7fffffff : static_cast<int>(t);
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
        op->destroy();
    while(impl_->queue.pop(op))
        op->destroy();
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
    auto* prev = reactor_impl::current;
    reactor_impl::current = impl_.get();
    int const timeout = impl_->timeout_ms();
    while(!impl_->stop_requested.load(std::memory_order_acquire))
    {
        impl_->run_once(timeout, ec);
        if(ec)
            break;
    }
    impl_->stop_requested.store(false, std::memory_order_release);
    reactor_impl::current = prev;
    impl_->leave_run();
}

std::size_t
reactor::
poll(error_code& ec)
{
    ec = {};
    if(!impl_->enter_run(ec))
        return 0;
    auto* prev = reactor_impl::current;
    reactor_impl::current = impl_.get();
    std::size_t n = impl_->run_once(0, ec);
    reactor_impl::current = prev;
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
