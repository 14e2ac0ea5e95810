//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_BASIC_EXECUTOR_HPP
#define BOOST_MILLIO_BASIC_EXECUTOR_HPP

#include <boost/millio/detail/config.hpp>
#include <boost/millio/task_priority.hpp>
#include <boost/asio/execution.hpp>
#include <boost/core/empty_value.hpp>
#include <cstdint>
#include <memory>
#include <type_traits>
#include <utility>

namespace boost {
namespace millio {

/** A standard Asio executor submitting work to an @ref event_loop or a @ref compute_pool.

    This is the class of `event_loop::executor_type` and
    `compute_pool::executor_type` (with `std::allocator<void>`), the
    counterpart of `asio::thread_pool::basic_executor_type`. It is a small
    value type: a pointer to the context, 32 bits of properties and an
    (usually empty) allocator, so it fits the small buffer of
    `asio::any_io_executor`. Objects are obtained from
    `event_loop::get_executor()` and `compute_pool::get_executor()`.

    @par Properties
    @li `execution::blocking.possibly` (the default): `execute` runs the
        function inline when called from a thread of the context, as
        `asio::dispatch` does; `execution::blocking.never` (what
        `asio::post` and `asio::defer` ask for) never does.
    @li `execution::relationship.fork` / `continuation`: a hint, recorded
        and returned by `query`.
    @li `execution::outstanding_work.untracked` / `tracked`: recorded and
        returned; the context's threads run until it is shut down, so no
        work count is needed to keep them alive.
    @li `execution::allocator`: recorded and returned; task storage always
        comes from the library's node pool.
    @li `execution::occupancy` (the number of threads running work),
        `execution::mapping.thread` and `execution::context` (the
        context) can be queried.
    @li `millio::priority` (`millio::priority.high` and so on): the
        `task_priority` given to submitted work. A @ref compute_pool
        honours it; an @ref event_loop accepts and ignores it (its queue is
        FIFO).

    @par Example
    @snippet doc_reference.cpp ref_basic_executor

    @par Thread Safety
    Distinct objects: safe. Shared objects: safe for the `const` member
    functions, which are all of them except assignment.

    @tparam Context @ref event_loop or @ref compute_pool.
    @tparam Allocator The allocator property value.
*/
template<class Context, class Allocator = std::allocator<void>>
class basic_executor
#ifndef BOOST_MILLIO_DOCS
    : private boost::empty_value<Allocator>
#endif
{
#ifndef BOOST_MILLIO_DOCS
    template<class, class> friend class basic_executor;

    enum : std::uint32_t
    {
        never_bit = 1u,
        continuation_bit = 2u,
        tracked_bit = 4u,
        priority_shift = 8u,
        priority_mask = 0xffu << priority_shift
    };

    Context* ctx_;
    std::uint32_t bits_;

    basic_executor(
        Context* ctx,
        std::uint32_t bits,
        Allocator const& a) noexcept
        : boost::empty_value<Allocator>(boost::empty_init_t(), a)
        , ctx_(ctx)
        , bits_(bits)
    {
    }

    basic_executor
    with_bits(std::uint32_t bits) const noexcept
    {
        return basic_executor(ctx_, bits, this->get());
    }
#endif

public:
    /// The context type (`event_loop` or `compute_pool`).
    using context_type = Context;

    /// The allocator type (the value of the `execution::allocator` property).
    using allocator_type = Allocator;

    /** Construct an executor for `ctx` with the given priority.

        The contexts' `get_executor()` is the usual way to obtain one.

        @param ctx The context; it must outlive the executor's use.
        @param p The priority given to submitted work.
    */
    explicit
    basic_executor(
        Context& ctx,
        task_priority p = task_priority::normal) noexcept
        : boost::empty_value<Allocator>(boost::empty_init_t())
        , ctx_(&ctx)
        , bits_(static_cast<std::uint32_t>(p) << priority_shift)
    {
    }

    /// Returns the context.
    Context&
    context() const noexcept
    {
        return *ctx_;
    }

    /// Returns true if the calling thread runs tasks of the context.
    bool
    running_in_this_thread() const noexcept
    {
        return ctx_->running_in_this_thread();
    }

    /// Returns the priority given to submitted work.
    task_priority
    priority() const noexcept
    {
        return static_cast<task_priority>(
            (bits_ & priority_mask) >> priority_shift);
    }

    /** Submit a function object.

        With `blocking.possibly`, when called from a thread of the context,
        the function runs inline before `execute` returns (exceptions
        propagate to the caller). Otherwise it is given to the context at
        this executor's priority and never runs inside this call.

        @throws system_error with `error::shut_down` if the context was
        stopped and the caller is not one of its threads.
    */
    template<class Function>
    void
    execute(Function&& f) const
    {
        if(!(bits_ & never_bit) && ctx_->running_in_this_thread())
        {
            typename std::decay<Function>::type tmp(
                std::forward<Function>(f));
            std::move(tmp)();
            return;
        }
        ctx_->post(std::forward<Function>(f), priority());
    }

    /** Return an executor with the given property.

        Called by `asio::require` and `asio::prefer`; each overload
        changes one property and keeps the others.
    */
    /** @{ */
    basic_executor
    require(asio::execution::blocking_t::possibly_t) const noexcept
    {
        return with_bits(bits_ & ~never_bit);
    }

    basic_executor
    require(asio::execution::blocking_t::never_t) const noexcept
    {
        return with_bits(bits_ | never_bit);
    }

    basic_executor
    require(asio::execution::relationship_t::fork_t) const noexcept
    {
        return with_bits(bits_ & ~continuation_bit);
    }

    basic_executor
    require(asio::execution::relationship_t::continuation_t) const noexcept
    {
        return with_bits(bits_ | continuation_bit);
    }

    basic_executor
    require(asio::execution::outstanding_work_t::tracked_t) const noexcept
    {
        return with_bits(bits_ | tracked_bit);
    }

    basic_executor
    require(asio::execution::outstanding_work_t::untracked_t) const noexcept
    {
        return with_bits(bits_ & ~tracked_bit);
    }

    template<class OtherAllocator>
    basic_executor<Context, OtherAllocator>
    require(asio::execution::allocator_t<OtherAllocator> a) const noexcept
    {
        return basic_executor<Context, OtherAllocator>(
            ctx_, bits_, a.value());
    }

    basic_executor<Context, std::allocator<void>>
    require(asio::execution::allocator_t<void>) const noexcept
    {
        return basic_executor<Context, std::allocator<void>>(
            ctx_, bits_, std::allocator<void>());
    }

    basic_executor
    require(priority_t p) const noexcept
    {
        return with_bits((bits_ & ~priority_mask) |
            (static_cast<std::uint32_t>(p.value()) << priority_shift));
    }
    /** @} */

    /** Return the value of a property.

        Called by `asio::query`.
    */
    /** @{ */
    static constexpr asio::execution::mapping_t
    query(asio::execution::mapping_t) noexcept
    {
        return asio::execution::mapping.thread;
    }

    Context&
    query(asio::execution::context_t) const noexcept
    {
        return *ctx_;
    }

    asio::execution::blocking_t
    query(asio::execution::blocking_t) const noexcept
    {
        return (bits_ & never_bit)
            ? asio::execution::blocking_t(asio::execution::blocking.never)
            : asio::execution::blocking_t(asio::execution::blocking.possibly);
    }

    asio::execution::relationship_t
    query(asio::execution::relationship_t) const noexcept
    {
        return (bits_ & continuation_bit)
            ? asio::execution::relationship_t(
                asio::execution::relationship.continuation)
            : asio::execution::relationship_t(
                asio::execution::relationship.fork);
    }

    asio::execution::outstanding_work_t
    query(asio::execution::outstanding_work_t) const noexcept
    {
        return (bits_ & tracked_bit)
            ? asio::execution::outstanding_work_t(
                asio::execution::outstanding_work.tracked)
            : asio::execution::outstanding_work_t(
                asio::execution::outstanding_work.untracked);
    }

    template<class OtherAllocator>
    Allocator
    query(asio::execution::allocator_t<OtherAllocator>) const noexcept
    {
        return this->get();
    }

    Allocator
    query(asio::execution::allocator_t<void>) const noexcept
    {
        return this->get();
    }

    std::size_t
    query(asio::execution::occupancy_t) const noexcept
    {
        return ctx_->thread_count();
    }

    task_priority
    query(priority_t) const noexcept
    {
        return priority();
    }
    /** @} */

    /// Returns true if both submit to the same context the same way.
    friend
    bool
    operator==(
        basic_executor const& a,
        basic_executor const& b) noexcept
    {
        return a.ctx_ == b.ctx_ && a.bits_ == b.bits_ &&
            a.get() == b.get();
    }

    /// Returns true unless `a == b`.
    friend
    bool
    operator!=(
        basic_executor const& a,
        basic_executor const& b) noexcept
    {
        return !(a == b);
    }
};

} // millio
} // boost

#endif
