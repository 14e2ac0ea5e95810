//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_DETAIL_COMPUTE_STATS_HPP
#define BOOST_MILLIO_DETAIL_COMPUTE_STATS_HPP

#include <boost/millio/detail/config.hpp>
#include <boost/millio/task_priority.hpp>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
# include <cpuid.h>
# include <x86intrin.h>
# define BOOST_MILLIO_HAS_TSC 1
#endif

namespace boost {
namespace millio {
namespace detail {

// Per-priority counters, one cache line each. `submitted` is raised
// (seq_cst) before a task is pushed and lowered again only if the
// submission fails; each worker counts the tasks it popped in its own
// `taken`. The queue depth is submitted - sum(taken): it never is less than
// the number of tasks in the queue, and 0 means the queue is empty.
struct alignas(BOOST_MILLIO_CACHELINE) priority_counters
{
    std::atomic<std::uint64_t> submitted{0};
};

// Per-worker counters, written only by their worker (plain load+store),
// summed by readers.
struct alignas(BOOST_MILLIO_CACHELINE) worker_counters
{
    std::atomic<std::uint64_t> taken[task_priority_count] = {};
    std::atomic<std::uint64_t> completed{0};
    std::atomic<std::uint64_t> failed{0};
    std::atomic<std::uint64_t> exec_ticks{0};
    std::atomic<std::uint32_t> busy{0};

    static
    void
    bump(std::atomic<std::uint64_t>& c, std::uint64_t n) noexcept
    {
        c.store(c.load(std::memory_order_relaxed) + n,
            std::memory_order_relaxed);
    }
};

// The clock that times tasks. Two steady_clock reads per task cost more
// than a tiny task, so on x86 with an invariant TSC the workers count TSC
// ticks, and readers convert ticks to nanoseconds with the ratio observed
// between the TSC and steady_clock since the pool was created.
class exec_clock
{
    bool tsc_ = false;
    std::uint64_t tick0_ = 0;
    std::chrono::steady_clock::time_point t0_;

    static
    bool
    has_invariant_tsc() noexcept
    {
#ifdef BOOST_MILLIO_HAS_TSC
        unsigned a = 0, b = 0, c = 0, d = 0;
        if(! __get_cpuid(0x80000007u, &a, &b, &c, &d))
            return false;
        return (d & (1u << 8)) != 0;
#else
        return false;
#endif
    }

public:
    exec_clock() noexcept
        : tsc_(has_invariant_tsc())
    {
        t0_ = std::chrono::steady_clock::now();
        tick0_ = now();
    }

    // Ticks: TSC cycles or steady_clock nanoseconds.
    std::uint64_t
    now() const noexcept
    {
#ifdef BOOST_MILLIO_HAS_TSC
        if(tsc_)
            return __rdtsc();
#endif
        return static_cast<std::uint64_t>(
            std::chrono::duration_cast<std::chrono::nanoseconds>(
                std::chrono::steady_clock::now().time_since_epoch()).count());
    }

    std::uint64_t
    to_ns(std::uint64_t ticks) const noexcept
    {
        if(! tsc_)
            return ticks;
        auto const ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
            std::chrono::steady_clock::now() - t0_).count();
        std::uint64_t const dt = now() - tick0_;
        if(ns <= 0 || dt == 0)
            return ticks;
        return static_cast<std::uint64_t>(
            static_cast<double>(ticks) * static_cast<double>(ns) /
            static_cast<double>(dt) + 0.5);
    }
};

struct compute_stats
{
    exec_clock clock;
    priority_counters prio[task_priority_count];
    std::unique_ptr<worker_counters[]> workers;
    std::size_t worker_count = 0;

    // Tasks of priority index `i` accepted but not yet taken by a worker.
    std::uint64_t
    depth(std::size_t i) const noexcept
    {
        std::uint64_t taken = 0;
        for(std::size_t w = 0; w < worker_count; ++w)
            taken += workers[w].taken[i].load(std::memory_order_acquire);
        std::uint64_t const sub =
            prio[i].submitted.load(std::memory_order_seq_cst);
        return sub > taken ? sub - taken : 0;
    }
};

} // detail
} // millio
} // boost

#endif
