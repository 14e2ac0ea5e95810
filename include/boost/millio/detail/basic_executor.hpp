//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_DETAIL_BASIC_EXECUTOR_HPP
#define BOOST_MILLIO_DETAIL_BASIC_EXECUTOR_HPP

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
namespace detail {

/*  A standard Asio executor over a Boost.MillIO execution context.

    Context must derive from asio::execution_context and provide

        bool running_in_this_thread() const noexcept;
        std::size_t thread_count() const noexcept;
        template<class F> void post(F&& f, task_priority p);   // throws

    The executor is a pointer, 32 bits of properties and an (usually
    empty) allocator, so it fits any_io_executor's small buffer.

    Properties: blocking.possibly (default; execute() runs the function
    inline when called from a thread of the context) or blocking.never;
    relationship.fork/continuation (a hint, recorded); outstanding_work
    tracked/untracked (recorded: the context's threads run until it is
    shut down, so no work count is needed to keep them alive); allocator
    (recorded and returned; task storage always comes from the node pool);
    millio::priority (the priority passed to Context::post).
*/
template<class Context, class Allocator = std::allocator<void>>
class basic_executor
    : private boost::empty_value<Allocator>
{
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

public:
    /// Construct an executor for `ctx` with the given priority.
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

    /// @{ Return an executor with the given property (`asio::require`).
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
    /// @}

    /// @{ Return the value of a property (`asio::query`).
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
    /// @}

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

} // detail
} // millio
} // boost

#endif
