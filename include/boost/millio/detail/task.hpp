//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_DETAIL_TASK_HPP
#define BOOST_MILLIO_DETAIL_TASK_HPP

#include <boost/millio/detail/config.hpp>
#include <cstddef>
#include <new>
#include <type_traits>
#include <utility>

namespace boost {
namespace millio {
namespace detail {

/*  A type-erased, move-only nullary task in a fixed-size node.

    Nodes come from a process-wide store of blocks (see allocate_task_node)
    with a per-thread cache, so submitting a callable that fits the small buffer
    (task_node::buffer_size bytes, alignment <= 16) performs no
    heap allocation in the steady state. Larger callables live in a separate
    allocation owned by the node.

    The node is reusable by any queue that moves work between threads (the
    compute pool, and the event loop's hand-off queues).
*/
struct task_node
{
    /// Total size of a node, in bytes.
    static constexpr std::size_t node_size = 128;

    /// Bytes available for an inline callable.
    static constexpr std::size_t buffer_size = node_size - 16;

    // invoke == true: move the callable out, free the node, call it.
    // invoke == false: destroy the callable and free the node.
    using func_type = void (*)(task_node*, bool invoke);

    func_type func_ = nullptr;
    task_node* next_ = nullptr;
    alignas(16) unsigned char buf_[buffer_size];

    /// Run the task and release the node. Exceptions propagate.
    void
    complete()
    {
        func_(this, true);
    }

    /// Destroy the task without running it and release the node.
    void
    destroy() noexcept
    {
        func_(this, false);
    }
};

static_assert(sizeof(task_node) == task_node::node_size, "");

/// Returns raw storage for one node (throws std::bad_alloc).
BOOST_MILLIO_DECL
task_node*
allocate_task_node();

/// Returns a node's storage to the pool.
BOOST_MILLIO_DECL
void
deallocate_task_node(task_node* n) noexcept;

enum class trim_result
{
    none,   // nothing to do: wait for work
    again,  // a step was done: look for work, then call again
    later   // call again in about a second (wait for work until then)
};

/** Gives memory back after a burst; called by threads that are idle.

    Frees the blocks of nodes that are all free in one bounded window of
    the shared store (about a millisecond of work), if the store holds more
    free nodes than it keeps.
*/
BOOST_MILLIO_DECL
trim_result
trim_task_nodes_when_idle() noexcept;

/// Frees every block of nodes that can be freed now (tests).
BOOST_MILLIO_DECL
void
trim_task_nodes() noexcept;

struct task_node_stats
{
    std::size_t blocks = 0;         // blocks allocated
    std::size_t block_nodes = 0;    // nodes per block
    std::size_t free_batches = 0;   // full batches in the shared store
    std::size_t batch = 0;          // nodes per batch
};

/// The shared store's figures (tests).
BOOST_MILLIO_DECL
task_node_stats
get_task_node_stats() noexcept;

template<class F>
struct task_fits
    : std::integral_constant<bool,
        sizeof(F) <= task_node::buffer_size &&
        alignof(F) <= 16>
{
};

template<class F>
void
task_inline_func(task_node* n, bool invoke)
{
    F* f = std::launder(reinterpret_cast<F*>(n->buf_));
    if(! invoke)
    {
        f->~F();
        deallocate_task_node(n);
        return;
    }
    // Move the callable out and free the node before the call, so that
    // the node can be reused by work the callable submits. If the move
    // throws, the original is destroyed and the exception propagates.
    struct guard
    {
        F* f;
        task_node* n;
        ~guard()
        {
            f->~F();
            deallocate_task_node(n);
        }
    };
    F tmp = [&]
    {
        guard g{f, n};
        return F(std::move(*f));
    }();
    std::move(tmp)();
}

template<class F>
void
task_heap_func(task_node* n, bool invoke)
{
    F* f = *std::launder(reinterpret_cast<F**>(n->buf_));
    deallocate_task_node(n);
    struct guard
    {
        F* f;
        ~guard() { delete f; }
    } g{f};
    if(invoke)
        std::move(*f)();
}

/** Wrap a callable in a task node.

    @throws std::bad_alloc, or what the callable's constructor throws.
*/
template<class F>
task_node*
make_task(F&& f)
{
    using D = typename std::decay<F>::type;
    task_node* n = allocate_task_node();
    if constexpr(task_fits<D>::value)
    {
        try
        {
            ::new(static_cast<void*>(n->buf_)) D(std::forward<F>(f));
        }
        catch(...)
        {
            deallocate_task_node(n);
            throw;
        }
        n->func_ = &task_inline_func<D>;
    }
    else
    {
        D* p;
        try
        {
            p = new D(std::forward<F>(f));
        }
        catch(...)
        {
            deallocate_task_node(n);
            throw;
        }
        ::new(static_cast<void*>(n->buf_)) D*(p);
        n->func_ = &task_heap_func<D>;
    }
    return n;
}

} // detail
} // millio
} // boost

#endif
