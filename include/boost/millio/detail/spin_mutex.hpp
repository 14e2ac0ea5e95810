//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_DETAIL_SPIN_MUTEX_HPP
#define BOOST_MILLIO_DETAIL_SPIN_MUTEX_HPP

#include <boost/millio/detail/config.hpp>

#include <atomic>
#include <thread>

#if defined(_MSC_VER) && (defined(_M_X64) || defined(_M_IX86))
# include <immintrin.h>
#endif

namespace boost {
namespace millio {
namespace detail {

/*  A test-and-test-and-set lock for very short critical sections.

    Taking it is one atomic exchange and releasing it a plain store, half
    the atomic read-modify-writes of a futex mutex. A waiter backs off
    exponentially, then yields its time slice, so a preempted holder does
    not make the others burn their quantum. Meets the Lockable requirements.
*/
class spin_mutex
{
public:
    spin_mutex() noexcept = default;
    spin_mutex(spin_mutex const&) = delete;
    spin_mutex& operator=(spin_mutex const&) = delete;

    bool
    try_lock() noexcept
    {
        return ! locked_.load(std::memory_order_relaxed) &&
            ! locked_.exchange(true, std::memory_order_acquire);
    }

    void
    lock() noexcept
    {
        if(! locked_.exchange(true, std::memory_order_acquire))
            return;
        lock_slow();
    }

    void
    unlock() noexcept
    {
        locked_.store(false, std::memory_order_release);
    }

private:
    static
    void
    pause() noexcept
    {
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
        __builtin_ia32_pause();
#elif defined(_MSC_VER) && (defined(_M_X64) || defined(_M_IX86))
        _mm_pause();
#elif defined(__GNUC__) && defined(__aarch64__)
        asm volatile("yield" ::: "memory");
#endif
    }

    void
    lock_slow() noexcept
    {
        // Exponential backoff: a waiter stays off the cache line for
        // longer and longer, so the holder keeps it for a batch of
        // operations instead of handing it over on every one.
        unsigned spins = 1;
        for(;;)
        {
            for(unsigned i = 0; i < spins; ++i)
                pause();
            if(try_lock())
                return;
            if(spins < 1024)
                spins *= 2;
            else
                std::this_thread::yield();
        }
    }

    std::atomic<bool> locked_{false};
};

} // detail
} // millio
} // boost

#endif
