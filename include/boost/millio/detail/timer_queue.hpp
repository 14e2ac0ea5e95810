//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_DETAIL_TIMER_QUEUE_HPP
#define BOOST_MILLIO_DETAIL_TIMER_QUEUE_HPP

#include <boost/millio/detail/config.hpp>
#include <boost/millio/detail/operation.hpp>
#include <boost/millio/error.hpp>

#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace boost {
namespace millio {
namespace detail {

/*  The timers of one event loop.

    The poller asks for the time until the next deadline before it waits
    (wait_timeout) and collects the firings that are due after the wait
    (collect_due): each is an operation that the scheduler runs where
    handlers run.
*/
class timer_queue
{
public:
    using clock = std::chrono::steady_clock;

    // What a timer needs from the loop that owns it.
    class owner
    {
    public:
        // A deadline earlier than the current wait's was scheduled.
        virtual void interrupt_wait() noexcept = 0;
        virtual void report_exception(std::exception_ptr) noexcept = 0;

    protected:
        ~owner() = default;
    };

    explicit timer_queue(owner& o) noexcept;
    ~timer_queue();

    timer_queue(timer_queue const&) = delete;
    timer_queue& operator=(timer_queue const&) = delete;

    // Schedule `f` after `delay`, then every `period` (zero: once).
    // Returns the timer's id (never 0), or 0 with `ec` set. Sets `wake`
    // if the current wait must be interrupted.
    std::uint64_t
    add(std::chrono::nanoseconds delay,
        std::chrono::nanoseconds period,
        std::function<void()> f,
        bool& wake,
        error_code& ec);

    // Returns true if the timer was pending: no invocation starts after
    // this returns.
    bool cancel(std::uint64_t id) noexcept;

    std::size_t size() const noexcept;

    // The wait timeout for readiness in nanoseconds (negative: none),
    // `base` shortened to the next deadline.
    std::int64_t wait_timeout(std::int64_t base);

    // Appends the operations of due timers to `out`.
    void collect_due(std::vector<operation*>& out);

    // Destroys every pending timer without running it; later calls to
    // add fail with error::shut_down.
    void shutdown() noexcept;

private:
    struct entry;
    class firing;
    struct heap_item
    {
        clock::time_point deadline;
        std::uint64_t id;
        bool operator>(heap_item const& o) const noexcept
        {
            return deadline > o.deadline || (deadline == o.deadline && id > o.id);
        }
    };

    bool schedule_locked(std::shared_ptr<entry> const& e);
    void compact_locked();

    owner& owner_;
    mutable std::mutex mutex_;
    std::unordered_map<std::uint64_t, std::shared_ptr<entry>> timers_;
    std::vector<heap_item> heap_;
    std::uint64_t next_id_ = 0;
    bool shut_down_ = false;
    // The deadline of the current wait for readiness: max while a wait
    // has no deadline, min while no wait is in progress (a new timer
    // then needs no wake-up: the next wait sees it).
    clock::time_point poll_deadline_ = clock::time_point::min();
};

} // detail
} // millio
} // boost

#endif
