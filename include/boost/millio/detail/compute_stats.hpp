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
#include <cstddef>
#include <cstdint>
#include <memory>

namespace boost {
namespace millio {
namespace detail {

// Per-priority counters, one cache line each. `depth` is raised before a
// task is pushed and lowered after it is popped, so the number of tasks in
// the queue never exceeds it, and depth == 0 means the queue is empty.
struct alignas(BOOST_MILLIO_CACHELINE) priority_counters
{
    std::atomic<std::int64_t> depth{0};
    std::atomic<std::uint64_t> submitted{0};
};

// Per-worker counters, written only by their worker (plain load+store),
// summed by readers.
struct alignas(BOOST_MILLIO_CACHELINE) worker_counters
{
    std::atomic<std::uint64_t> completed{0};
    std::atomic<std::uint64_t> failed{0};
    std::atomic<std::uint64_t> exec_ns{0};
    std::atomic<std::uint32_t> busy{0};

    static
    void
    bump(std::atomic<std::uint64_t>& c, std::uint64_t n) noexcept
    {
        c.store(c.load(std::memory_order_relaxed) + n,
            std::memory_order_relaxed);
    }
};

struct compute_stats
{
    priority_counters prio[task_priority_count];
    std::unique_ptr<worker_counters[]> workers;
    std::size_t worker_count = 0;
};

} // detail
} // millio
} // boost

#endif
