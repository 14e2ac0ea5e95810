//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_DETAIL_SPILL_QUEUE_HPP
#define BOOST_MILLIO_DETAIL_SPILL_QUEUE_HPP

#include <boost/millio/detail/config.hpp>
#include <boost/millio/detail/spin_mutex.hpp>
#include <boost/lockfree/queue.hpp>
#include <atomic>
#include <cstddef>
#include <deque>
#include <mutex>
#include <new>
#include <utility>

namespace boost {
namespace millio {
namespace detail {

/*  A multi-producer, multi-consumer FIFO queue of trivially copyable
    values with bounded memory at rest.

    The values go through a Boost.Lockfree queue whose nodes are all made
    up front (`room` of them): its pushes never allocate. A Boost.Lockfree
    queue keeps every node it ever made until it is destroyed, so a queue
    that grew with a burst of a million values would hold their nodes
    for ever; here, what does not fit spills into a list behind a lock,
    whose memory goes back as it drains.

    Order: while anything has spilled, pushes go to the spill list, and
    pops take from the lock-free queue first, then from the list (moving
    the next values of the list into the lock-free queue while there is
    room). So the values of one producer come out in the order they were
    pushed, and a value pushed after another was pushed (happens-before)
    comes out after it, as with one queue.

    Empty checks: a push stores `spilled_` before the value is in the list,
    a pop reads it after failing on the lock-free queue; callers that pair
    a push with a fence and a read of a sleepers count (and a consumer that
    raises that count, fences, and pops) see each other as with a single
    lock-free queue.
*/
template<class T>
class spill_queue
{
public:
    explicit
    spill_queue(std::size_t room)
        : q_(room)
        , room_(room)
    {
    }

    spill_queue(spill_queue const&) = delete;
    spill_queue& operator=(spill_queue const&) = delete;

    // False only if the spill list could not grow (out of memory).
    bool
    push(T const& v) noexcept
    {
        if(! spilled_.load(std::memory_order_acquire) && q_.bounded_push(v))
            return true;
        std::lock_guard<spin_mutex> lock(mutex_);
        if(! spilled_.load(std::memory_order_relaxed))
        {
            // Room may have come back since.
            if(q_.bounded_push(v))
                return true;
            spilled_.store(true, std::memory_order_relaxed);
        }
        try
        {
            list_.push_back(v);
        }
        catch(std::bad_alloc const&)
        {
            if(list_.empty())
                spilled_.store(false, std::memory_order_relaxed);
            return false;
        }
        if(list_.size() > peak_)
            peak_ = list_.size();
        return true;
    }

    bool
    pop(T& v) noexcept
    {
        if(q_.pop(v))
            return true;
        if(! spilled_.load(std::memory_order_acquire))
            return false;
        {
            std::lock_guard<spin_mutex> lock(mutex_);
            // Values moved into the lock-free queue by another consumer
            // come before the list's.
            if(q_.pop(v))
                return true;
            if(list_.empty())
                return false;
            v = list_.front();
            list_.pop_front();
            // The next values go to the lock-free queue, where consumers
            // take them without the lock: at most half its room, so that
            // the others keep some.
            for(std::size_t n = room_ / 2; n != 0 && ! list_.empty(); --n)
            {
                if(! q_.bounded_push(list_.front()))
                    break;
                list_.pop_front();
            }
            if(list_.empty())
            {
                spilled_.store(false, std::memory_order_release);
                // A drained deque gives its blocks back as they empty but
                // keeps their index: after a large spill, let it go.
                if(peak_ > spill_keep)
                    list_.shrink_to_fit();
                peak_ = 0;
            }
        }
        return true;
    }

    // True if anything has spilled and not been taken yet (tests).
    bool
    spilled() const noexcept
    {
        return spilled_.load(std::memory_order_acquire);
    }

private:
    // Spill lists up to this long keep their memory when they drain.
    static constexpr std::size_t spill_keep = 4096;

    boost::lockfree::queue<T> q_;
    std::size_t const room_;
    std::atomic<bool> spilled_{false};
    spin_mutex mutex_;
    std::deque<T> list_;
    std::size_t peak_ = 0;
};

} // detail
} // millio
} // boost

#endif
