//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_TASK_PRIORITY_HPP
#define BOOST_MILLIO_TASK_PRIORITY_HPP

#include <boost/millio/detail/config.hpp>
#include <boost/asio/execution/executor.hpp>
#include <cstddef>

namespace boost {
namespace millio {

/** The priority of a compute task.

    A waiting task of higher priority starts before any waiting task of
    lower priority; tasks of one priority start in submission order.

    @see compute_pool, priority_t
*/
enum class task_priority : unsigned char
{
    /// Background work, run when nothing else waits.
    low = 0,

    /// The default priority.
    normal = 1,

    /// Important work.
    high = 2,

    /// Urgent work, run before everything else.
    critical = 3
};

/// The number of distinct `task_priority` values.
constexpr std::size_t task_priority_count = 4;

/** The type of the Asio executor property selecting the priority of submitted work.

    Use it through the object `millio::priority`, as Asio's own properties
    (`execution::blocking` and its values `blocking.never`, ...) are used:

    @snippet doc_reference.cpp ref_priority

    The static members `low`, `normal`, `high` and `critical` are the
    values given to `asio::require` and `asio::prefer`; a
    default-constructed object (such as `millio::priority` itself) names the
    property in `asio::query` and holds `task_priority::normal`.
    Executors of @ref compute_pool honour the property; executors of
    @ref event_loop accept it and ignore it.

    @see priority, task_priority, basic_executor
*/
struct priority_t
{
    /// Whether `asio::require` accepts the property.
    static constexpr bool is_requirable = true;

    /// Whether `asio::prefer` accepts the property.
    static constexpr bool is_preferable = true;

    /// The type returned when querying a polymorphic executor.
    using polymorphic_query_result_type = task_priority;

    /// The property applies to every Asio executor.
    template<class T>
    static constexpr bool is_applicable_property_v =
        boost::asio::execution::is_executor<T>::value;

    /// Construct the property object used for queries (value `normal`).
    constexpr
    priority_t() noexcept = default;

    /// Construct the property value for `p`.
    constexpr
    explicit
    priority_t(task_priority p) noexcept
        : value_(p)
    {
    }

    /// Returns the priority held by this property value.
    constexpr
    task_priority
    value() const noexcept
    {
        return value_;
    }

    /// Returns true if both hold the same priority.
    friend
    constexpr
    bool
    operator==(priority_t a, priority_t b) noexcept
    {
        return a.value_ == b.value_;
    }

    /// Returns true if they hold different priorities.
    friend
    constexpr
    bool
    operator!=(priority_t a, priority_t b) noexcept
    {
        return a.value_ != b.value_;
    }

    /// The value for `task_priority::low`.
    static priority_t const low;

    /// The value for `task_priority::normal`.
    static priority_t const normal;

    /// The value for `task_priority::high`.
    static priority_t const high;

    /// The value for `task_priority::critical`.
    static priority_t const critical;

private:
    task_priority value_ = task_priority::normal;
};

inline constexpr priority_t const priority_t::low{task_priority::low};
inline constexpr priority_t const priority_t::normal{task_priority::normal};
inline constexpr priority_t const priority_t::high{task_priority::high};
inline constexpr priority_t const priority_t::critical{task_priority::critical};

/** The priority property object.

    `millio::priority.high` (and `low`, `normal`, `critical`) are values
    for `asio::require` and `asio::prefer`; `asio::query(ex,
    millio::priority)` returns the executor's `task_priority`. Its type
    is @ref priority_t.
*/
inline constexpr priority_t priority{};

} // millio
} // boost

#endif
