//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_COMPUTE_METRICS_HPP
#define BOOST_MILLIO_COMPUTE_METRICS_HPP

#include <boost/millio/detail/config.hpp>
#include <boost/millio/task_priority.hpp>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>

namespace boost {
namespace millio {

#ifndef BOOST_MILLIO_DOCS
namespace detail {
struct compute_stats;
struct access;
} // detail
#endif

/** A live view of the counters of a @ref compute_pool.

    Every accessor reads the pool's counters at the time of the call; the
    values are updated with relaxed atomics, so a reading taken while tasks
    run is a consistent-enough snapshot of each counter but not of all of
    them together. Once the pool is quiescent (for example after
    `compute_pool::join()`), `tasks_submitted() == tasks_completed() +
    tasks_failed()` and every queue depth is 0.

    The view is cheap to copy. It refers to the pool that produced it and
    must not be used after that pool is destroyed.

    @par Example
    @snippet doc_reference.cpp ref_compute_metrics

    @see compute_pool::metrics
*/
class BOOST_MILLIO_DECL compute_metrics
{
public:
    /// Construct a view of no pool (every counter reads 0).
    compute_metrics() noexcept = default;

    /// Returns the number of tasks accepted by the pool.
    std::uint64_t
    tasks_submitted() const noexcept;

    /// Returns the number of tasks that returned normally.
    std::uint64_t
    tasks_completed() const noexcept;

    /// Returns the number of tasks that exited with an exception.
    std::uint64_t
    tasks_failed() const noexcept;

    /// Returns the number of workers running a task now.
    std::size_t
    active_workers() const noexcept;

    /** Returns the number of tasks of priority `p` waiting to start.

        @param p The priority to inspect.
    */
    std::size_t
    queue_depth(task_priority p) const noexcept;

    /// Returns `queue_depth(task_priority::low)`.
    std::size_t
    queue_depth_low() const noexcept;

    /// Returns `queue_depth(task_priority::normal)`.
    std::size_t
    queue_depth_normal() const noexcept;

    /// Returns `queue_depth(task_priority::high)`.
    std::size_t
    queue_depth_high() const noexcept;

    /// Returns `queue_depth(task_priority::critical)`.
    std::size_t
    queue_depth_critical() const noexcept;

    /** Returns the summed wall-clock running time of finished tasks.

        Each task is timed by its worker. On x86 with an invariant TSC the
        workers count TSC ticks (cheaper than two `steady_clock` reads per
        task) and the sum is converted to nanoseconds with the TSC rate
        observed against `steady_clock` since the pool was created, so two
        readings of a quiescent pool may differ by a few nanoseconds.
        Elsewhere `steady_clock` is used directly.
    */
    std::chrono::nanoseconds
    total_execution_time() const noexcept;

    /// Returns `total_execution_time()` as a count of nanoseconds.
    std::uint64_t
    total_execution_time_ns() const noexcept;

private:
#ifndef BOOST_MILLIO_DOCS
    friend struct detail::access;

    // A view of the counters of one pool.
    explicit
    compute_metrics(detail::compute_stats const* s) noexcept
        : stats_(s)
    {
    }

    // A view of the counters of a pool that may be created later
    // (event_loop::get_compute_metrics).
    explicit
    compute_metrics(
        std::atomic<detail::compute_stats const*> const* src) noexcept
        : src_(src)
    {
    }

    detail::compute_stats const*
    stats() const noexcept
    {
        return src_ ? src_->load(std::memory_order_acquire) : stats_;
    }

    detail::compute_stats const* stats_ = nullptr;
    std::atomic<detail::compute_stats const*> const* src_ = nullptr;
#endif
};

} // millio
} // boost

#endif
