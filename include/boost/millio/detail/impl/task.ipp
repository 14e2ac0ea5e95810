//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_DETAIL_IMPL_TASK_IPP
#define BOOST_MILLIO_DETAIL_IMPL_TASK_IPP

#include <boost/millio/detail/task.hpp>
#include <boost/millio/detail/spin_mutex.hpp>
#include <boost/pool/pool.hpp>
#include <algorithm>
#include <mutex>
#include <new>

#if defined(__MINGW32__)
# include <boost/millio/detail/win32.hpp>
#endif

namespace boost {
namespace millio {
namespace detail {

namespace {

// The process-wide node store: a Boost.Pool of task_node-sized chunks and
// a stack of full batches of free nodes, behind one spin lock. Threads keep
// free nodes in a thread-local array of pointers and trade whole batches
// with the store, so the lock is taken about once per `batch` allocations
// or releases, and neither path reads or writes the nodes themselves
// (which would be a cache miss: nodes usually come back from the worker
// that ran them).
//
// Every step is bounded, whatever the number of nodes in use: the pool
// grows by blocks of `block_nodes` nodes at most (Boost.Pool builds a
// block's free list through the whole block, so a block that doubled with
// the pool's size would cost a submitter time and page faults in
// proportion to it), and the full batches are records in a linked stack,
// recycled, so that trading a batch never copies the others.
class task_node_store
{
public:
    static constexpr std::size_t batch = 64;
    static constexpr std::size_t block_nodes = 4 * batch;

    // Fill `out` with `batch` free nodes.
    void
    take(task_node** out)
    {
        std::lock_guard<spin_mutex> lock(mutex_);
        if(batch_record* b = full_)
        {
            full_ = b->next;
            std::copy(b->items, b->items + batch, out);
            b->next = spare_;
            spare_ = b;
            return;
        }
        for(std::size_t i = 0; i < batch; ++i)
        {
            void* p = pool_.malloc();
            if(! p)
            {
                while(i-- > 0)
                    pool_.free(out[i]);
                throw std::bad_alloc();
            }
            out[i] = ::new(p) task_node;
        }
    }

    // Take back `batch` free nodes.
    void
    give(task_node* const* in) noexcept
    {
        batch_record* b;
        {
            std::lock_guard<spin_mutex> lock(mutex_);
            b = spare_;
            if(b)
            {
                spare_ = b->next;
                std::copy(in, in + batch, b->items);
                b->next = full_;
                full_ = b;
                return;
            }
        }
        // No spare record: make one outside the lock.
        b = new(std::nothrow) batch_record;
        std::lock_guard<spin_mutex> lock(mutex_);
        if(! b)
        {
            for(std::size_t i = 0; i < batch; ++i)
                pool_.free(in[i]);
            return;
        }
        std::copy(in, in + batch, b->items);
        b->next = full_;
        full_ = b;
    }

    // Take back fewer than `batch` free nodes.
    void
    give_some(task_node* const* in, std::size_t n) noexcept
    {
        std::lock_guard<spin_mutex> lock(mutex_);
        for(std::size_t i = 0; i < n; ++i)
            pool_.free(in[i]);
    }

private:
    struct batch_record
    {
        task_node* items[batch];
        batch_record* next;
    };

    spin_mutex mutex_;
    // Blocks of exactly `block_nodes` nodes: the next and the largest
    // block size are both bounded.
    boost::pool<> pool_{sizeof(task_node), block_nodes, block_nodes};
    batch_record* full_ = nullptr;  // batches of free nodes
    batch_record* spare_ = nullptr; // empty records, for reuse
};

task_node_store&
node_store()
{
    // Never destroyed: threads may return nodes after static destruction.
    static task_node_store* s = new task_node_store;
    return *s;
}

struct node_cache
{
    static constexpr std::size_t batch = task_node_store::batch;

    task_node* items[2 * batch];
    std::size_t count = 0;

    ~node_cache()
    {
        if(count >= batch)
        {
            node_store().give(items);
            std::copy(items + batch, items + count, items);
            count -= batch;
        }
        if(count > 0)
            node_store().give_some(items, count);
    }
};

#if defined(__MINGW32__)
// mingw-w64 keeps thread_local objects in emulated TLS, which a thread's
// exit may free before it runs their destructors (the two are pthread
// keys of winpthreads, destroyed in no fixed order): the cache is held in
// a fiber-local slot instead, whose callback receives it at thread exit.
void WINAPI
free_node_cache(void* p) noexcept
{
    delete static_cast<node_cache*>(p);
}

// Null if out of memory or of slots.
node_cache*
this_thread_node_cache() noexcept
{
    static DWORD const slot = ::FlsAlloc(&free_node_cache);
    if(void* p = ::FlsGetValue(slot))
        return static_cast<node_cache*>(p);
    auto* c = new(std::nothrow) node_cache;
    if(c && !::FlsSetValue(slot, c))
    {
        delete c;
        c = nullptr;
    }
    return c;
}
#else
thread_local node_cache tls_node_cache;

node_cache*
this_thread_node_cache() noexcept
{
    return &tls_node_cache;
}
#endif

} // (anon)

task_node*
allocate_task_node()
{
    node_cache* pc = this_thread_node_cache();
    if(!pc)
        throw std::bad_alloc();
    node_cache& c = *pc;
    if(c.count == 0)
    {
        node_store().take(c.items);
        c.count = node_cache::batch;
    }
    return c.items[--c.count];
}

void
deallocate_task_node(task_node* n) noexcept
{
    node_cache* pc = this_thread_node_cache();
    if(!pc)
    {
        node_store().give_some(&n, 1);
        return;
    }
    node_cache& c = *pc;
    if(c.count == 2 * node_cache::batch)
    {
        node_store().give(c.items + node_cache::batch);
        c.count = node_cache::batch;
    }
    c.items[c.count++] = n;
}

} // detail
} // millio
} // boost

#endif
