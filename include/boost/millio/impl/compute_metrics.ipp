//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_IMPL_COMPUTE_METRICS_IPP
#define BOOST_MILLIO_IMPL_COMPUTE_METRICS_IPP

#include <boost/millio/compute_metrics.hpp>
#include <boost/millio/detail/compute_stats.hpp>

namespace boost {
namespace millio {

namespace {

template<class Member>
std::uint64_t
sum_workers(
    detail::compute_stats const* s,
    Member m) noexcept
{
    std::uint64_t n = 0;
    if(! s)
        return n;
    for(std::size_t i = 0; i < s->worker_count; ++i)
        n += (s->workers[i].*m).load(std::memory_order_relaxed);
    return n;
}

} // (anon)

std::uint64_t
compute_metrics::
tasks_submitted() const noexcept
{
    detail::compute_stats const* const s = stats();
    std::uint64_t n = 0;
    if(s)
        for(auto const& p : s->prio)
            n += p.submitted.load(std::memory_order_relaxed);
    return n;
}

std::uint64_t
compute_metrics::
tasks_completed() const noexcept
{
    detail::compute_stats const* const s = stats();
    return sum_workers(s, &detail::worker_counters::completed);
}

std::uint64_t
compute_metrics::
tasks_failed() const noexcept
{
    detail::compute_stats const* const s = stats();
    return sum_workers(s, &detail::worker_counters::failed);
}

std::size_t
compute_metrics::
active_workers() const noexcept
{
    detail::compute_stats const* const s = stats();
    std::size_t n = 0;
    if(s)
        for(std::size_t i = 0; i < s->worker_count; ++i)
            n += s->workers[i].busy.load(std::memory_order_relaxed);
    return n;
}

std::size_t
compute_metrics::
queue_depth(task_priority p) const noexcept
{
    detail::compute_stats const* const s = stats();
    auto const i = static_cast<std::size_t>(p);
    if(! s || i >= task_priority_count)
        return 0;
    return static_cast<std::size_t>(s->depth(i));
}

std::size_t
compute_metrics::
queue_depth_low() const noexcept
{
    return queue_depth(task_priority::low);
}

std::size_t
compute_metrics::
queue_depth_normal() const noexcept
{
    return queue_depth(task_priority::normal);
}

std::size_t
compute_metrics::
queue_depth_high() const noexcept
{
    return queue_depth(task_priority::high);
}

std::size_t
compute_metrics::
queue_depth_critical() const noexcept
{
    return queue_depth(task_priority::critical);
}

std::chrono::nanoseconds
compute_metrics::
total_execution_time() const noexcept
{
    return std::chrono::nanoseconds(
        static_cast<std::chrono::nanoseconds::rep>(total_execution_time_ns()));
}

std::uint64_t
compute_metrics::
total_execution_time_ns() const noexcept
{
    detail::compute_stats const* const s = stats();
    if(! s)
        return 0;
    return s->clock.to_ns(
        sum_workers(s, &detail::worker_counters::exec_ticks));
}

} // millio
} // boost

#endif
