//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_DETAIL_IMPL_TASK_IPP
#define BOOST_MILLIO_DETAIL_IMPL_TASK_IPP

#include <boost/millio/detail/task.hpp>
#include <boost/pool/pool.hpp>
#include <mutex>

namespace boost {
namespace millio {
namespace detail {

namespace {

// The process-wide node store: a Boost.Pool of task_node-sized chunks
// plus a free list of returned nodes, behind one mutex. Threads talk to
// it in batches through their node_cache, so the mutex is taken about
// once per `refill_batch` allocations or `spill_batch` releases.
class task_node_store
{
public:
    // Move up to `want` nodes into a list; returns its head.
    task_node*
    take(std::size_t want, std::size_t& got)
    {
        std::lock_guard<std::mutex> lock(mutex_);
        task_node* head = nullptr;
        got = 0;
        while(got < want && free_)
        {
            task_node* n = free_;
            free_ = n->next_;
            n->next_ = head;
            head = n;
            ++got;
        }
        while(got < want)
        {
            void* p = pool_.malloc();
            if(! p)
                break;
            task_node* n = ::new(p) task_node;
            n->next_ = head;
            head = n;
            ++got;
        }
        if(! head)
            throw std::bad_alloc();
        return head;
    }

    void
    give(task_node* head, task_node* tail) noexcept
    {
        std::lock_guard<std::mutex> lock(mutex_);
        tail->next_ = free_;
        free_ = head;
    }

private:
    std::mutex mutex_;
    boost::pool<> pool_{sizeof(task_node), 256};
    task_node* free_ = nullptr;
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
    static constexpr std::size_t refill_batch = 64;
    static constexpr std::size_t spill_batch = 256;

    task_node* head = nullptr;
    std::size_t count = 0;

    void
    spill() noexcept
    {
        task_node* tail = head;
        while(tail->next_)
            tail = tail->next_;
        node_store().give(head, tail);
        head = nullptr;
        count = 0;
    }

    ~node_cache()
    {
        if(head)
            spill();
    }
};

thread_local node_cache tls_node_cache;

} // (anon)

task_node*
allocate_task_node()
{
    node_cache& c = tls_node_cache;
    if(! c.head)
        c.head = node_store().take(node_cache::refill_batch, c.count);
    task_node* n = c.head;
    c.head = n->next_;
    --c.count;
    return n;
}

void
deallocate_task_node(task_node* n) noexcept
{
    node_cache& c = tls_node_cache;
    n->next_ = c.head;
    c.head = n;
    if(++c.count >= node_cache::spill_batch)
        c.spill();
}

} // detail
} // millio
} // boost

#endif
