//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_DETAIL_IMPL_TIMER_QUEUE_IPP
#define BOOST_MILLIO_DETAIL_IMPL_TIMER_QUEUE_IPP

#include <boost/millio/detail/timer_queue.hpp>
#include <boost/millio/detail/except.hpp>

#include <algorithm>

namespace boost {
namespace millio {
namespace detail {

// t + d, or the largest time point if that overflows: a huge delay
// never fires instead of firing at once.
inline
timer_queue::clock::time_point
saturating_add(timer_queue::clock::time_point t, std::chrono::nanoseconds d) noexcept
{
    using tp = timer_queue::clock::time_point;
    auto const dd = std::chrono::duration_cast<timer_queue::clock::duration>(d);
    if(dd.count() > 0 && t > tp::max() - dd)
        return tp::max();
    return t + dd;
}

struct timer_queue::entry
{
    bool in_heap = false;   // guarded by the queue's mutex
    std::function<void()> fn;
    clock::time_point deadline;
    clock::duration period;    // zero for one-shot timers
    std::uint64_t id;
};

// Runs one firing of a timer.
class timer_queue::firing final : public operation
{
public:
    timer_queue& q;
    std::shared_ptr<entry> e;

    firing(timer_queue& tq, std::shared_ptr<entry> p) noexcept
        : operation(&firing::do_complete)
        , q(tq)
        , e(std::move(p))
    {
    }

    static void do_complete(operation* op, bool destroy)
    {
        auto* self = static_cast<firing*>(op);
        std::unique_ptr<firing> guard(self);
        if(destroy)
            return;
        entry* e = self->e.get();
        timer_queue& q = self->q;
        if(e->period.count() != 0)
        {
            // a periodic timer cancelled after this firing was queued
            std::lock_guard<std::mutex> lk(q.mutex_);
            if(q.timers_.count(e->id) == 0)
                return;
        }
        try
        {
            e->fn();
        }
        catch(...)
        {
            q.owner_.report_exception(std::current_exception());
        }
        if(e->period.count() == 0)
            return;
        // A periodic timer is scheduled again after its callback returned,
        // so that its callbacks never overlap; missed periods are skipped.
        bool wake = false;
        {
            std::lock_guard<std::mutex> lk(q.mutex_);
            if(q.timers_.count(e->id) == 0)
                return; // cancelled meanwhile
            auto const now = clock::now();
            e->deadline = saturating_add(e->deadline, e->period);
            if(e->deadline < now)
                e->deadline = saturating_add(now, e->period);
            wake = q.schedule_locked(self->e);
        }
        if(wake)
            q.owner_.interrupt_wait();
    }
};

timer_queue::
timer_queue(owner& o) noexcept
    : owner_(o)
{
}

timer_queue::
~timer_queue()
{
    shutdown();
}

std::uint64_t
timer_queue::
add(std::chrono::nanoseconds delay,
    std::chrono::nanoseconds period,
    std::function<void()> f,
    bool& wake,
    error_code& ec)
{
    ec = {};
    wake = false;
    if(period.count() < 0 || !f)
    {
        BOOST_MILLIO_FAIL(ec, error::invalid_argument);
        return 0;
    }
    if(delay.count() < 0)
        delay = std::chrono::nanoseconds(0);
    auto e = std::make_shared<entry>();
    e->fn = std::move(f);
    e->period = std::chrono::duration_cast<clock::duration>(period);
    e->deadline = saturating_add(clock::now(), delay);
    std::lock_guard<std::mutex> lk(mutex_);
    if(shut_down_)
    {
        BOOST_MILLIO_FAIL(ec, error::shut_down);
        return 0;
    }
    e->id = ++next_id_;
    timers_.emplace(e->id, e);
    wake = schedule_locked(e);
    return e->id;
}

bool
timer_queue::
cancel(std::uint64_t id) noexcept
{
    std::shared_ptr<entry> dead;
    {
        std::lock_guard<std::mutex> lk(mutex_);
        auto it = timers_.find(id);
        if(it == timers_.end())
            return false;
        dead = std::move(it->second);
        timers_.erase(it);
        compact_locked();
    }
    // the callable dies here, outside the lock
    return true;
}

std::size_t
timer_queue::
size() const noexcept
{
    std::lock_guard<std::mutex> lk(mutex_);
    return timers_.size();
}

std::int64_t
timer_queue::
wait_timeout(std::int64_t base)
{
    std::lock_guard<std::mutex> lk(mutex_);
    while(!heap_.empty() && timers_.count(heap_.front().id) == 0)
    {
        std::pop_heap(heap_.begin(), heap_.end(), std::greater<heap_item>());
        heap_.pop_back();
    }
    auto const now = clock::now();
    std::int64_t t = base;
    if(!heap_.empty())
    {
        std::int64_t d = std::chrono::duration_cast<std::chrono::nanoseconds>(
            heap_.front().deadline - now).count();
        if(d < 0)
            d = 0;
        if(base < 0 || d < base)
            t = d;
    }
    poll_deadline_ = t < 0 ? clock::time_point::max() : now + std::chrono::nanoseconds(t);
    return t;
}

void
timer_queue::
collect_due(std::vector<operation*>& out)
{
    std::lock_guard<std::mutex> lk(mutex_);
    poll_deadline_ = clock::time_point::min();
    if(heap_.empty())
        return;
    auto const now = clock::now();
    while(!heap_.empty() && heap_.front().deadline <= now)
    {
        std::uint64_t id = heap_.front().id;
        std::pop_heap(heap_.begin(), heap_.end(), std::greater<heap_item>());
        heap_.pop_back();
        auto it = timers_.find(id);
        if(it == timers_.end())
            continue;
        std::shared_ptr<entry> e = it->second;
        e->in_heap = false;
        if(e->period.count() == 0)
            timers_.erase(it);   // a one-shot timer can no longer be cancelled
        out.push_back(new firing(*this, std::move(e)));
    }
}

void
timer_queue::
shutdown() noexcept
{
    std::unordered_map<std::uint64_t, std::shared_ptr<entry>> dead;
    {
        std::lock_guard<std::mutex> lk(mutex_);
        shut_down_ = true;
        dead.swap(timers_);
        heap_.clear();
    }
    // the callables die here, outside the lock
}

bool
timer_queue::
schedule_locked(std::shared_ptr<entry> const& e)
{
    heap_.push_back({e->deadline, e->id});
    std::push_heap(heap_.begin(), heap_.end(), std::greater<heap_item>());
    e->in_heap = true;
    return e->deadline < poll_deadline_;
}

void
timer_queue::
compact_locked()
{
    if(heap_.size() <= 2 * timers_.size() + 64)
        return;
    heap_.clear();
    // A periodic timer whose firing is queued or running is not in the
    // heap: it is scheduled again when its callback returns.
    for(auto const& kv : timers_)
        if(kv.second->in_heap)
            heap_.push_back({kv.second->deadline, kv.first});
    std::make_heap(heap_.begin(), heap_.end(), std::greater<heap_item>());
}

} // detail
} // millio
} // boost

#endif
