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
#include <boost/assert.hpp>
#include <boost/core/bit.hpp>

#include <algorithm>

namespace boost {
namespace millio {
namespace detail {

namespace timer_detail {

constexpr std::int64_t never = (std::numeric_limits<std::int64_t>::max)();

// a + b for b >= 0, saturating at `never`.
inline
std::int64_t
add_sat(std::int64_t a, std::int64_t b) noexcept
{
    return a > never - b ? never : a + b;
}

// The deadline after `d` for a timer of period `p` > 0: d + p, or the
// first later deadline of the same phase if that one is already past
// (the periods missed meanwhile are skipped).
inline
std::int64_t
next_deadline(std::int64_t d, std::int64_t p, std::int64_t now) noexcept
{
    std::int64_t next = add_sat(d, p);
    if(next < now)
    {
        // next < now bounds both terms: no overflow
        std::int64_t const k = (now - next) / p + 1;
        next = add_sat(next, k * p);
    }
    return next;
}

// A hint that `p` is written soon: the nodes of a large queue are cold.
inline
void
prefetch(void const* p) noexcept
{
#if defined(__GNUC__) || defined(__clang__)
    __builtin_prefetch(p, 1);
#else
    (void)p;
#endif
}

} // timer_detail

void
timer_node::
on_complete(operation* op, bool destroy)
{
    auto* n = static_cast<timer_node*>(op);
    n->queue_->fire(n, destroy);
}

timer_queue::
timer_queue(owner& o) noexcept
    : owner_(o)
{
}

timer_queue::
~timer_queue()
{
    // Queued firings belong to the scheduler, which is gone by now.
    shutdown();
}

std::int64_t
timer_queue::
now_ns() noexcept
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
        clock::now().time_since_epoch()).count();
}

//------------------------------------------------------------------------------
// nodes

// Chunk k holds the indices [64 * (2^k - 1), 64 * (2^(k+1) - 1)). The
// chunk of an index that was handed out exists and does not move: any
// thread may look it up.
timer_node*
timer_queue::
node_at(std::uint32_t i) const noexcept
{
    std::uint64_t const q = (std::uint64_t(i) / first_chunk) + 1;
    int const k = 63 - boost::core::countl_zero(q);
    std::uint64_t const base = first_chunk * ((std::uint64_t(1) << k) - 1);
    return &chunks_[k][i - base];
}

std::atomic<std::uint32_t>&
timer_queue::
link_at(std::uint32_t i) const noexcept
{
    std::uint64_t const q = (std::uint64_t(i) / first_chunk) + 1;
    int const k = 63 - boost::core::countl_zero(q);
    std::uint64_t const base = first_chunk * ((std::uint64_t(1) << k) - 1);
    return links_[k][i - base];
}

// Gives the node a new generation, so that its id names no timer any
// more; returns 0 if the generation would wrap (the node is retired for
// good: its ids stay unique), else 1. The caller holds the node.
std::uint32_t
timer_queue::
retire(timer_node* n) noexcept
{
    std::uint32_t const gen = (n->word_.load(std::memory_order_relaxed) >> timer_node::gen_shift) + 1;
    if(gen == (std::uint32_t(1) << (32 - timer_node::gen_shift)))
    {
        n->word_.store(timer_node::unused, std::memory_order_release);
        return 0;
    }
    n->word_.store(gen << timer_node::gen_shift, std::memory_order_release);
    return 1;
}

// Pushes the free nodes `first` ... `last` (linked, the link of `last`
// overwritten) on `stack`.
void
timer_queue::
push(std::atomic<std::uint64_t>& stack, std::uint32_t first, std::uint32_t last) noexcept
{
    std::atomic<std::uint32_t>& link = link_at(last);
    std::uint64_t h = stack.load(std::memory_order_relaxed);
    for(;;)
    {
        link.store(static_cast<std::uint32_t>(h), std::memory_order_relaxed);
        std::uint64_t const next = (((h >> 32) + 1) << 32) | (std::uint64_t(first) + 1);
        if(stack.compare_exchange_weak(h, next, std::memory_order_release, std::memory_order_relaxed))
            return;
    }
}

// Frees a node that is out of the heap and whose id names no timer:
// destroys its callable (user code: never with the mutex held) and
// returns the node unless it is retired.
void
timer_queue::
release(timer_node* n) noexcept
{
    n->manage_(n, false);
    if(n->word_.load(std::memory_order_relaxed) != timer_node::unused)
        push(returned_, n->index_, n->index_);
}

// Moves the returned nodes to the free stack; false if there were none.
bool
timer_queue::
take_returned() noexcept
{
    std::uint64_t r = returned_.load(std::memory_order_relaxed);
    for(;;)
    {
        if(static_cast<std::uint32_t>(r) == 0)
            return false;
        if(returned_.compare_exchange_weak(r, ((r >> 32) + 1) << 32,
            std::memory_order_acquire, std::memory_order_relaxed))
            break;
    }
    std::uint32_t const first = static_cast<std::uint32_t>(r) - 1;
    // The chain ends with a link of 0: it becomes the free stack if that
    // is still empty, else it goes on top.
    std::uint64_t h = free_.load(std::memory_order_relaxed);
    if(static_cast<std::uint32_t>(h) == 0 &&
        free_.compare_exchange_strong(h, (((h >> 32) + 1) << 32) | (std::uint64_t(first) + 1),
            std::memory_order_release, std::memory_order_relaxed))
        return true;
    std::uint32_t last = first;
    for(std::uint32_t j; (j = link_at(last).load(std::memory_order_relaxed)) != 0;)
        last = j - 1;
    push(free_, first, last);
    return true;
}

timer_node*
timer_queue::
allocate()
{
    for(;;)
    {
        std::uint64_t h = free_.load(std::memory_order_acquire);
        while(static_cast<std::uint32_t>(h) != 0)
        {
            std::uint32_t const i = static_cast<std::uint32_t>(h) - 1;
            // Another thread may pop i and push it again meanwhile: then
            // the tag of the head changed, and the exchange fails.
            std::uint32_t j = link_at(i).load(std::memory_order_relaxed);
            std::uint64_t const next = (((h >> 32) + 1) << 32) | j;
            if(free_.compare_exchange_weak(h, next, std::memory_order_acquire, std::memory_order_acquire))
            {
                // The nodes of the next allocations: the links may be
                // stale (another thread may pop meanwhile), they are
                // only hints, checked to name nodes.
                std::uint32_t const limit = node_limit_.load(std::memory_order_acquire);
                for(int d = 0; d < 3 && j != 0 && j - 1 < limit; ++d)
                {
                    timer_detail::prefetch(node_at(j - 1));
                    j = link_at(j - 1).load(std::memory_order_relaxed);
                }
                return node_at(i);
            }
        }
        if(take_returned())
            continue;
        std::lock_guard<std::mutex> lk(mutex_);
        if(static_cast<std::uint32_t>(free_.load(std::memory_order_acquire)) == 0 &&
            static_cast<std::uint32_t>(returned_.load(std::memory_order_acquire)) == 0)
            grow_locked();
    }
}

void
timer_queue::
deallocate(timer_node* n) noexcept
{
    push(returned_, n->index_, n->index_);
}

// The next chunk of free nodes. Throws std::bad_alloc.
void
timer_queue::
grow_locked()
{
    std::size_t k = 0;
    while(k < max_chunks && chunks_[k])
        ++k;
    if(k == max_chunks)
        throw std::bad_alloc();
    std::size_t const size = first_chunk << k;
    // pos_ never allocates elsewhere
    pos_.resize(node_count_ + size);
    std::unique_ptr<timer_node[]> c(new timer_node[size]);
    std::unique_ptr<std::atomic<std::uint32_t>[]> l(new std::atomic<std::uint32_t>[size]);
    for(std::size_t j = 0; j < size; ++j)
    {
        c[j].queue_ = this;
        c[j].index_ = static_cast<std::uint32_t>(node_count_ + j);
        l[j].store(static_cast<std::uint32_t>(node_count_ + j + 2), std::memory_order_relaxed);
    }
    chunks_[k] = std::move(c);
    links_[k] = std::move(l);
    std::uint32_t const first = static_cast<std::uint32_t>(node_count_);
    node_count_ += size;
    node_limit_.store(static_cast<std::uint32_t>(node_count_), std::memory_order_release);
    push(free_, first, static_cast<std::uint32_t>(node_count_ - 1));
}

//------------------------------------------------------------------------------

std::uint64_t
timer_queue::
add(clock::time_point start,
    std::chrono::nanoseconds delay,
    std::chrono::nanoseconds period,
    timer_node* n,
    bool& wake,
    error_code& ec)
{
    ec = {};
    wake = false;
    if(period.count() < 0)
    {
        release(n);
        BOOST_MILLIO_FAIL(ec, error::invalid_argument);
        return 0;
    }
    if(shut_down_.load(std::memory_order_acquire))
    {
        release(n);
        BOOST_MILLIO_FAIL(ec, error::shut_down);
        return 0;
    }
    n->period_ = period.count();
    n->deadline_ = timer_detail::add_sat(
        std::chrono::duration_cast<std::chrono::nanoseconds>(start.time_since_epoch()).count(),
        (std::max)(delay.count(), std::int64_t(0)));
    std::uint32_t const i = n->index_;
    std::uint32_t w = timer_node::with_state(
        n->word_.load(std::memory_order_relaxed), timer_node::incoming);
    if(period.count() != 0)
        w |= timer_node::periodic;
    n->word_.store(w, std::memory_order_relaxed);
    std::int64_t const deadline = n->deadline_;
    // Straight into the heap if the mutex is free (the node is still in
    // the cache), else through the incoming stack: never wait for the
    // poller.
    if(mutex_.try_lock())
    {
        std::lock_guard<std::mutex> lk(mutex_, std::adopt_lock);
        if(heap_.capacity() >= live_ + 1)
        {
            n->word_.store(timer_node::with_state(w, timer_node::pending), std::memory_order_relaxed);
            ++live_;
            push_locked(i, deadline, period.count() != 0);
            wake = publish_earliest_locked() &&
                deadline < poll_deadline_.load(std::memory_order_seq_cst);
            return (std::uint64_t(w >> timer_node::gen_shift) << 32) | i;
        }
    }
    // From the push on, the timer may be merged, fired and its node
    // reused: n is not read again.
    std::atomic<std::uint32_t>& link = link_at(i);
    std::uint32_t h = incoming_.load(std::memory_order_relaxed);
    do
        link.store(h, std::memory_order_relaxed);
    while(!incoming_.compare_exchange_weak(h, i + 1,
        std::memory_order_seq_cst, std::memory_order_relaxed));
    // Pairs with wait_timeout: the poller sees the push, or this sees
    // the poller's wait.
    wake = deadline < poll_deadline_.load(std::memory_order_seq_cst);
    // A shutdown that drained the incoming timers before the push leaves
    // this one to the destructor.
    return (std::uint64_t(w >> timer_node::gen_shift) << 32) | i;
}

// Moves the incoming timers into the heap. Returns the cancelled ones,
// chained by their links (index + 1, 0 if none), for release_chain once
// the mutex is released.
std::uint32_t
timer_queue::
merge_locked() noexcept
{
    if(incoming_.load(std::memory_order_relaxed) == 0)
        return 0;
    std::uint32_t const top = incoming_.exchange(0, std::memory_order_acquire);
    std::size_t count = 0;
    for(std::uint32_t j = top; j != 0; j = link_at(j - 1).load(std::memory_order_relaxed))
        ++count;
    // Every timer that may enter the heap has room in it: a periodic
    // timer going back after its callback allocates nothing.
    if(heap_.capacity() < live_ + count)
    {
        try
        {
            heap_.reserve((std::max)(heap_.capacity() * 2, live_ + count));
        }
        catch(...)
        {
            // out of memory: leave them incoming
            std::uint32_t last = top;
            while(std::uint32_t j = link_at(last - 1).load(std::memory_order_relaxed))
                last = j;
            std::uint32_t h = incoming_.load(std::memory_order_relaxed);
            do
                link_at(last - 1).store(h, std::memory_order_relaxed);
            while(!incoming_.compare_exchange_weak(h, top,
                std::memory_order_seq_cst, std::memory_order_relaxed));
            return 0;
        }
    }
    std::uint32_t dead = 0;
    // the nodes are cold: prefetch a few ahead along the dense links
    std::uint32_t ahead = top;
    for(int d = 0; d < 4 && ahead != 0; ++d)
    {
        timer_detail::prefetch(node_at(ahead - 1));
        ahead = link_at(ahead - 1).load(std::memory_order_relaxed);
    }
    for(std::uint32_t j = top; j != 0;)
    {
        std::uint32_t const i = j - 1;
        std::atomic<std::uint32_t>& link = link_at(i);
        j = link.load(std::memory_order_relaxed);
        if(ahead != 0)
        {
            timer_detail::prefetch(node_at(ahead - 1));
            ahead = link_at(ahead - 1).load(std::memory_order_relaxed);
        }
        timer_node* n = node_at(i);
        std::uint32_t const w = n->word_.load(std::memory_order_relaxed);
        if(timer_node::state_of(w) == timer_node::cancelled)
        {
            link.store(dead, std::memory_order_relaxed);
            dead = i + 1;
            continue;
        }
        n->word_.store(timer_node::with_state(w, timer_node::pending), std::memory_order_relaxed);
        ++live_;
        push_locked(i, n->deadline_, (w & timer_node::periodic) != 0);
    }
    publish_earliest_locked();
    return dead;
}

// Releases the nodes chained by merge_locked.
void
timer_queue::
release_chain(std::uint32_t dead) noexcept
{
    while(dead != 0)
    {
        timer_node* n = node_at(dead - 1);
        dead = link_at(dead - 1).load(std::memory_order_relaxed);
        retire(n);
        release(n);
    }
}

bool
timer_queue::
cancel(std::uint64_t id) noexcept
{
    std::uint32_t const i = static_cast<std::uint32_t>(id);
    std::uint32_t const gen = static_cast<std::uint32_t>(id >> 32);
    timer_node* dead = nullptr;
    std::uint32_t merged_dead = 0;
    bool result = false;
    {
        std::lock_guard<std::mutex> lk(mutex_);
        if(gen == 0 || i >= node_count_)
            return false;
        timer_node* n = node_at(i);
        std::uint32_t w = n->word_.load(std::memory_order_relaxed);
        if((w >> timer_node::gen_shift) != gen)
            return false;
        // an incoming timer is cancelled in the heap
        if(timer_node::state_of(w) == timer_node::incoming)
        {
            merged_dead = merge_locked();
            w = n->word_.load(std::memory_order_relaxed);
        }
        bool const periodic = (w & timer_node::periodic) != 0;
        switch(timer_node::state_of(w))
        {
        case timer_node::pending:
            if(in_heap_locked(i))
            {
                remove_locked(pos_[i]);
                publish_earliest_locked();
                --live_;
                retire(n);
                dead = n;
                result = true;
                break;
            }
            // Collected: its firing is queued. The firing sees the state
            // and frees the node.
            if(n->word_.compare_exchange_strong(w,
                timer_node::with_state(w, timer_node::cancelled),
                std::memory_order_acq_rel, std::memory_order_relaxed))
            {
                if(periodic)
                    --live_;
                result = true;
                break;
            }
            // The firing started meanwhile (w is running), or it was
            // destroyed at shutdown, or it is over (another generation).
            BOOST_FALLTHROUGH;

        case timer_node::running:
            // A one-shot timer that started is gone for good. A periodic
            // one leaves running only under the mutex: after this
            // invocation, its firing sees the state.
            if(timer_node::state_of(w) != timer_node::running || !periodic)
                break;
            n->word_.store(timer_node::with_state(w, timer_node::cancelled),
                std::memory_order_relaxed);
            --live_;
            result = true;
            break;

        default:
            // incoming, if the heap had no room for it (out of memory)
            if(timer_node::state_of(w) == timer_node::incoming &&
                n->word_.compare_exchange_strong(w,
                    timer_node::with_state(w, timer_node::cancelled),
                    std::memory_order_relaxed, std::memory_order_relaxed))
                result = true;
            break;
        }
    }
    release_chain(merged_dead);
    if(dead)
        release(dead);
    return result;
}

std::size_t
timer_queue::
size() const noexcept
{
    std::lock_guard<std::mutex> lk(mutex_);
    // the incoming timers are not merged here: counted (their links do
    // not change while the mutex is held; only the top moves)
    std::size_t n = live_;
    for(std::uint32_t j = incoming_.load(std::memory_order_acquire); j != 0;
        j = link_at(j - 1).load(std::memory_order_relaxed))
        if(timer_node::state_of(node_at(j - 1)->word_.load(std::memory_order_relaxed)) ==
            timer_node::incoming)
            ++n;
    return n;
}

std::int64_t
timer_queue::
wait_timeout(std::int64_t base)
{
    // A wait for a deadline further than this returns early and is
    // computed again: keeps the backends far from overflow.
    constexpr std::int64_t max_wait = 3600LL * 1000000000;
    // Until the deadline is known, any new timer interrupts the wait.
    poll_deadline_.store(timer_detail::never, std::memory_order_seq_cst);
    if(incoming_.load(std::memory_order_seq_cst) != 0)
    {
        std::uint32_t dead;
        {
            std::lock_guard<std::mutex> lk(mutex_);
            dead = merge_locked();
        }
        release_chain(dead);
    }
    std::int64_t const e = earliest_.load(std::memory_order_seq_cst);
    std::int64_t const now = now_ns();
    std::int64_t t = base;
    if(e != timer_detail::never)
    {
        std::int64_t d = e - now;
        if(d < 0)
            d = 0;
        else if(d > max_wait)
            d = max_wait;
        if(base < 0 || d < base)
            t = d;
    }
    if(t >= 0)
        poll_deadline_.store(timer_detail::add_sat(now, t), std::memory_order_seq_cst);
    return t;
}

void
timer_queue::
collect_due(std::vector<operation*>& out)
{
    poll_deadline_.store((std::numeric_limits<std::int64_t>::min)(), std::memory_order_relaxed);
    // A timer added meanwhile is seen by the next wait.
    std::int64_t const now = now_ns();
    if(earliest_.load(std::memory_order_acquire) > now &&
        incoming_.load(std::memory_order_relaxed) == 0)
        return;
    std::uint32_t dead;
    {
        std::lock_guard<std::mutex> lk(mutex_);
        dead = merge_locked();
        // The nodes are not touched here: a collected timer stays
        // pending, out of the heap, until its firing starts it.
        for(std::size_t k = 0; k < max_collect && !heap_.empty() &&
            heap_.front().deadline <= now; ++k)
        {
            heap_entry const e = heap_.front();
            timer_node* n = node_at(e.node);
            out.push_back(n);
            remove_locked(0);
            // for the firing, if it runs on this thread
            timer_detail::prefetch(n);
            if(!e.periodic)
                --live_;
        }
        publish_earliest_locked();
    }
    release_chain(dead);
}

void
timer_queue::
shutdown() noexcept
{
    std::vector<heap_entry> dead;
    std::uint32_t incoming;
    {
        std::lock_guard<std::mutex> lk(mutex_);
        shut_down_.store(true, std::memory_order_seq_cst);
        for(heap_entry const& e : heap_)
        {
            --live_;
            retire(node_at(e.node));
        }
        dead.swap(heap_);
        publish_earliest_locked();
        // Incoming timers die unmerged; one added after this is left to
        // the destructor's call.
        incoming = incoming_.exchange(0, std::memory_order_acquire);
    }
    // the callables die here, outside the lock
    for(heap_entry const& e : dead)
        release(node_at(e.node));
    release_chain(incoming);
}

// Runs (or, at shutdown, destroys) the firing of `n`.
void
timer_queue::
fire(timer_node* n, bool destroy) noexcept
{
    bool const periodic = n->period_ != 0;
    // The generation does not change while the firing is queued.
    std::uint32_t w = n->word_.load(std::memory_order_relaxed);
    if(!destroy && timer_node::state_of(w) == timer_node::pending &&
        n->word_.compare_exchange_strong(w, timer_node::with_state(w, timer_node::running),
            std::memory_order_acq_rel, std::memory_order_relaxed))
    {
        // The invocation has started.
        try
        {
            n->manage_(n, true);
        }
        catch(...)
        {
            owner_.report_exception(std::current_exception());
        }
        if(periodic)
        {
            std::unique_lock<std::mutex> lk(mutex_);
            w = n->word_.load(std::memory_order_relaxed);
            if(timer_node::state_of(w) != timer_node::cancelled && !shut_down_)
            {
                // Back into the heap now that the callback returned, so
                // that the invocations never overlap.
                n->deadline_ = timer_detail::next_deadline(n->deadline_, n->period_, now_ns());
                n->word_.store(timer_node::with_state(w, timer_node::pending), std::memory_order_relaxed);
                push_locked(n->index_, n->deadline_, true);
                bool const wake = publish_earliest_locked() &&
                    n->deadline_ < poll_deadline_.load(std::memory_order_seq_cst);
                lk.unlock();
                if(wake)
                    owner_.interrupt_wait();
                return;
            }
        }
    }
    // Done with the timer: run, cancelled, or destroyed unrun.
    if(periodic)
    {
        {
            std::lock_guard<std::mutex> lk(mutex_);
            if(timer_node::state_of(n->word_.load(std::memory_order_relaxed)) != timer_node::cancelled)
                --live_;
            retire(n);
        }
        release(n);
    }
    else
    {
        // The node is the firing's alone: a cancel only reads it now
        // (and then sees another generation).
        retire(n);
        release(n);
    }
}

//------------------------------------------------------------------------------
// the heap

void
timer_queue::
push_locked(std::uint32_t i, std::int64_t deadline, bool periodic) noexcept
{
    BOOST_ASSERT(heap_.size() < heap_.capacity());
    heap_.push_back({deadline, i, periodic});
    up_locked(heap_.size() - 1, heap_.back());
}

// True if the pending timer of node `i` is in the heap, not collected.
bool
timer_queue::
in_heap_locked(std::uint32_t i) const noexcept
{
    std::uint32_t const p = pos_[i];
    return p < heap_.size() && heap_[p].node == i;
}

// Stores the earliest deadline for the poller if it changed; returns
// true if it did.
bool
timer_queue::
publish_earliest_locked() noexcept
{
    std::int64_t const e = heap_.empty() ? timer_detail::never : heap_.front().deadline;
    // a private copy: an add reads no line that the poller writes
    if(earliest_seen_ == e)
        return false;
    earliest_seen_ = e;
    earliest_.store(e, std::memory_order_seq_cst);
    return true;
}

void
timer_queue::
remove_locked(std::size_t i) noexcept
{
    std::size_t const last = heap_.size() - 1;
    heap_entry const e = heap_[last];
    heap_.pop_back();
    if(i == last)
        return;
    if(i > 0 && e.deadline < heap_[(i - 1) / arity].deadline)
        up_locked(i, e);
    else
        down_locked(i, e);
}

// Places `e` at `i` or above.
void
timer_queue::
up_locked(std::size_t i, heap_entry e) noexcept
{
    while(i > 0)
    {
        std::size_t const parent = (i - 1) / arity;
        if(!(e.deadline < heap_[parent].deadline))
            break;
        heap_[i] = heap_[parent];
        pos_[heap_[i].node] = static_cast<std::uint32_t>(i);
        i = parent;
    }
    heap_[i] = e;
    pos_[e.node] = static_cast<std::uint32_t>(i);
}

// Places `e` at `i` or below, where e is not less than the parent of
// `i`. The hole goes down to a leaf along the least children, then `e`
// rises from there (Floyd): `e` comes from the end of the heap and is
// large, so it rises little, and the way down compares children only.
void
timer_queue::
down_locked(std::size_t i, heap_entry e) noexcept
{
    std::size_t const n = heap_.size();
    for(;;)
    {
        std::size_t const first = i * arity + 1;
        if(first >= n)
            break;
        std::size_t const end = (std::min)(first + arity, n);
        std::size_t c = first;
        for(std::size_t k = first + 1; k < end; ++k)
            if(heap_[k].deadline < heap_[c].deadline)
                c = k;
        heap_[i] = heap_[c];
        pos_[heap_[i].node] = static_cast<std::uint32_t>(i);
        i = c;
    }
    up_locked(i, e);
}

} // detail
} // millio
} // boost

#endif
