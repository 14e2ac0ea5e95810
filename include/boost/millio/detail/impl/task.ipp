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
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <limits>
#include <mutex>
#include <new>
#include <vector>

#if defined(_WIN32)
# include <boost/millio/detail/win32.hpp>
# define BOOST_MILLIO_TASK_BLOCKS_VIRTUAL
#elif defined(__unix__) || defined(__APPLE__)
# include <sys/mman.h>
# define BOOST_MILLIO_TASK_BLOCKS_MAPPED
#endif

namespace boost {
namespace millio {
namespace detail {

namespace {

// A block of nodes, aligned to its size. Where the system maps memory,
// blocks are mapped and unmapped directly, so that the memory of a burst
// goes back to the system when its blocks are freed (from the heap it
// would stay with the allocator, behind longer-lived allocations).
void*
allocate_block(std::size_t bytes)
{
#if defined(BOOST_MILLIO_TASK_BLOCKS_MAPPED)
    // Map twice the size and cut an aligned block out of it.
    void* const m = ::mmap(nullptr, 2 * bytes, PROT_READ | PROT_WRITE,
        MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if(m == MAP_FAILED)
        throw std::bad_alloc();
    auto const base = reinterpret_cast<std::uintptr_t>(m);
    auto const first = (base + bytes - 1) & ~static_cast<std::uintptr_t>(bytes - 1);
    if(first != base)
        ::munmap(m, first - base);
    if(first + bytes != base + 2 * bytes)
        ::munmap(reinterpret_cast<void*>(first + bytes), base + bytes - first);
    return reinterpret_cast<void*>(first);
#elif defined(BOOST_MILLIO_TASK_BLOCKS_VIRTUAL)
    // Reservations start on the allocation granularity (64 KiB on every
    // Windows), which aligns blocks of up to that size.
    void* const p = ::VirtualAlloc(nullptr, bytes, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    if(! p)
        throw std::bad_alloc();
    if(reinterpret_cast<std::uintptr_t>(p) % bytes != 0)
    {
        ::VirtualFree(p, 0, MEM_RELEASE);
        throw std::bad_alloc();
    }
    return p;
#else
    return ::operator new(bytes, std::align_val_t(bytes));
#endif
}

void
free_block(void* p, std::size_t bytes) noexcept
{
#if defined(BOOST_MILLIO_TASK_BLOCKS_MAPPED)
    ::munmap(p, bytes);
#elif defined(BOOST_MILLIO_TASK_BLOCKS_VIRTUAL)
    (void)bytes;
    ::VirtualFree(p, 0, MEM_RELEASE);
#else
    ::operator delete(p, std::align_val_t(bytes));
#endif
}

// The process-wide node store: blocks of `block_nodes` nodes and a stack of
// full batches of free nodes, behind one spin lock. Threads keep free nodes
// in a thread-local array of pointers and trade whole batches with the
// store, so the lock is taken about once per `batch` allocations or
// releases, and neither path reads or writes the nodes themselves (which
// would be a cache miss: nodes usually come back from the worker that ran
// them).
//
// Every step of take() and give() is bounded, whatever the number of nodes
// in use: the store grows by one block at a time (allocated outside the
// lock), and the full batches are records in a linked stack, recycled, so
// that trading a batch never copies the others.
//
// Memory goes back after a burst by trim_step(), which idle threads call
// (see trim_task_nodes_when_idle): it takes a bounded window of batches
// from the top of the stack, frees the blocks whose nodes are all in the
// window, and puts the other nodes back at the bottom, so that successive
// windows go through the whole stack. Blocks are aligned to their size,
// so a node's block is found from its address without touching it.
class task_node_store
{
public:
    static constexpr std::size_t batch = 64;
    static constexpr std::size_t block_nodes = 4 * batch;
    static constexpr std::size_t block_bytes = block_nodes * sizeof(task_node);
    static_assert(block_bytes <= 65536, "blocks are aligned to their size by VirtualAlloc's granularity on Windows");
    // Free batches kept by trimming (4,096 nodes, 512 KiB).
    static constexpr std::size_t keep_batches = 64;
    // Batches looked at by one trim step (16,384 nodes: about a
    // millisecond of sorting).
    static constexpr std::size_t trim_window = 256;

    static_assert((block_bytes & (block_bytes - 1)) == 0, "");

    // Fill `out` with `batch` free nodes.
    void
    take(task_node** out)
    {
        task_node* carved = nullptr;
        {
            std::lock_guard<spin_mutex> lock(mutex_);
            if(batch_record* b = full_)
            {
                full_ = b->next;
                if(! full_)
                    tail_ = nullptr;
                full_count_.store(full_count_.load(
                    std::memory_order_relaxed) - 1, std::memory_order_relaxed);
                std::copy(b->items, b->items + batch, out);
                b->next = spare_;
                spare_ = b;
                return;
            }
            if(loose_count_ >= batch)
            {
                for(std::size_t i = 0; i < batch; ++i)
                {
                    out[i] = loose_;
                    loose_ = loose_->next_;
                }
                loose_count_ -= batch;
                return;
            }
            if(fresh_left_ != 0)
                carved = carve();
        }
        if(! carved)
            carved = grow();
        // The nodes of a new block are touched outside the lock.
        for(std::size_t i = 0; i < batch; ++i)
            out[i] = ::new(static_cast<void*>(carved + i)) task_node;
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
                push_top(b, in);
                ++gen_;
                return;
            }
        }
        // No spare record: make one outside the lock.
        b = new(std::nothrow) batch_record;
        std::lock_guard<spin_mutex> lock(mutex_);
        ++gen_;
        if(! b)
        {
            give_some_locked(in, batch);
            return;
        }
        push_top(b, in);
    }

    // Take back fewer than `batch` free nodes.
    void
    give_some(task_node* const* in, std::size_t n) noexcept
    {
        std::lock_guard<spin_mutex> lock(mutex_);
        ++gen_;
        give_some_locked(in, n);
    }

    // One step of trimming: frees the blocks whose nodes are all free in
    // one window of batches. A rotation is the sequence of steps that goes
    // once through the stack without freeing anything; after one, steps do
    // nothing until nodes were given back again (and at most one rotation
    // starts per second), so that idle threads do not sort the same
    // fragmented nodes over and over. `force` ignores both limits.
    trim_result
    trim_step(bool force) noexcept
    {
        if(full_count_.load(std::memory_order_relaxed) <= keep_batches)
            return trim_result::none;
        std::unique_lock<spin_mutex> trimming(trim_mutex_, std::try_to_lock);
        if(! trimming.owns_lock())
            return trim_result::none;
        std::int64_t const now = std::chrono::duration_cast<
            std::chrono::milliseconds>(std::chrono::steady_clock::now().
                time_since_epoch()).count();
        if(! in_rotation_ || force)
        {
            std::uint64_t gen;
            {
                std::lock_guard<spin_mutex> lock(mutex_);
                gen = gen_;
            }
            if(! force)
            {
                if(gen == stale_gen_)
                    return trim_result::none;
                if(now - rotation_end_ < 1000)
                    return trim_result::later;
            }
            if(! in_rotation_)
            {
                in_rotation_ = true;
                examined_ = 0;
            }
        }
        window_result r;
        try
        {
            r = trim_window_of_batches();
        }
        catch(std::bad_alloc const&)
        {
            return trim_result::later;
        }
        if(r.freed)
        {
            examined_ = 0;
            return trim_result::again;
        }
        examined_ += r.examined;
        if(r.examined == 0 || examined_ >= full_count_.load(std::memory_order_relaxed))
        {
            in_rotation_ = false;
            rotation_end_ = now;
            std::lock_guard<spin_mutex> lock(mutex_);
            stale_gen_ = gen_;
            return trim_result::none;
        }
        return trim_result::again;
    }

    std::size_t
    blocks() const noexcept
    {
        return blocks_.load(std::memory_order_relaxed);
    }

    std::size_t
    free_batches() const noexcept
    {
        return full_count_.load(std::memory_order_relaxed);
    }

private:
    struct batch_record
    {
        task_node* items[batch];
        batch_record* next;
    };

    static std::uintptr_t
    block_of(task_node const* n) noexcept
    {
        return reinterpret_cast<std::uintptr_t>(n) &
            ~static_cast<std::uintptr_t>(block_bytes - 1);
    }

    // Grows the store by one block (allocated outside the lock) and
    // returns the first `batch` nodes of the block being carved.
    task_node*
    grow()
    {
        void* p = allocate_block(block_bytes);
        blocks_.fetch_add(1, std::memory_order_relaxed);
        std::lock_guard<spin_mutex> lock(mutex_);
        if(fresh_left_ != 0)
        {
            // Another thread grew meanwhile: keep this block for later.
            *static_cast<void**>(p) = next_fresh_;
            next_fresh_ = p;
        }
        else
        {
            fresh_ = static_cast<task_node*>(p);
            fresh_left_ = block_nodes / batch;
        }
        return carve();
    }

    // With the lock: the next `batch` nodes of the fresh block, not
    // constructed.
    task_node*
    carve() noexcept
    {
        task_node* const first = fresh_;
        fresh_ += batch;
        if(--fresh_left_ == 0 && next_fresh_)
        {
            fresh_ = static_cast<task_node*>(next_fresh_);
            next_fresh_ = *static_cast<void**>(next_fresh_);
            fresh_left_ = block_nodes / batch;
        }
        return first;
    }

    void
    push_top(batch_record* b, task_node* const* in) noexcept
    {
        std::copy(in, in + batch, b->items);
        b->next = full_;
        full_ = b;
        if(! tail_)
            tail_ = b;
        full_count_.store(full_count_.load(
            std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    }

    void
    give_some_locked(task_node* const* in, std::size_t n) noexcept
    {
        for(std::size_t i = 0; i < n; ++i)
        {
            in[i]->next_ = loose_;
            loose_ = in[i];
        }
        loose_count_ += n;
    }

    struct window_result
    {
        bool freed = false;         // a block or a record was freed
        std::size_t examined = 0;   // batches looked at
    };

    window_result
    trim_window_of_batches()
    {
        // Take a window from the top, and the spare records beyond as many.
        batch_record* window = nullptr;
        batch_record* spares = nullptr;
        std::size_t n = 0;
        std::vector<task_node*> nodes;
        nodes.reserve(trim_window * batch);
        {
            std::lock_guard<spin_mutex> lock(mutex_);
            std::size_t const count = full_count_.load(std::memory_order_relaxed);
            if(count <= keep_batches)
                return {};
            std::size_t const want = (std::min)(trim_window, count - keep_batches);
            while(n < want)
            {
                batch_record* b = full_;
                full_ = b->next;
                b->next = window;
                window = b;
                ++n;
            }
            if(! full_)
                tail_ = nullptr;
            full_count_.store(count - n, std::memory_order_relaxed);
            // Records for full batches come back with every take(): keep
            // as many spares as there are full batches.
            for(std::size_t i = 0; i < n && spare_; ++i)
            {
                batch_record* b = spare_;
                spare_ = b->next;
                b->next = spares;
                spares = b;
            }
        }
        bool freed = spares != nullptr;
        while(spares)
        {
            batch_record* b = spares;
            spares = b->next;
            delete b;
        }
        for(batch_record* b = window; b; b = b->next)
            nodes.insert(nodes.end(), b->items, b->items + batch);

        // Free the blocks that are whole in the window; the survivors
        // stay in `nodes`, in address order.
        std::sort(nodes.begin(), nodes.end());
        std::size_t kept = 0;
        for(std::size_t i = 0; i < nodes.size();)
        {
            std::uintptr_t const blk = block_of(nodes[i]);
            std::size_t j = i;
            while(j < nodes.size() && block_of(nodes[j]) == blk)
                ++j;
            if(j - i == block_nodes)
            {
                free_block(reinterpret_cast<void*>(blk), block_bytes);
                blocks_.fetch_sub(1, std::memory_order_relaxed);
                freed = true;
            }
            else
            {
                std::copy(nodes.begin() + i, nodes.begin() + j,
                    nodes.begin() + kept);
                kept += j - i;
            }
            i = j;
        }

        // Refill records with the survivors; the rest of the records die.
        batch_record* back = nullptr;
        batch_record* back_tail = nullptr;
        std::size_t back_count = 0;
        std::size_t used = 0;
        while(window)
        {
            batch_record* b = window;
            window = b->next;
            if(kept - used >= batch)
            {
                std::copy(nodes.begin() + used, nodes.begin() + used + batch,
                    b->items);
                used += batch;
                b->next = nullptr;
                if(back_tail)
                    back_tail->next = b;
                else
                    back = b;
                back_tail = b;
                ++back_count;
            }
            else
            {
                delete b;
            }
        }
        std::lock_guard<spin_mutex> lock(mutex_);
        if(back)
        {
            // At the bottom: the next windows look at other batches.
            if(tail_)
                tail_->next = back;
            else
                full_ = back;
            tail_ = back_tail;
            full_count_.store(full_count_.load(
                std::memory_order_relaxed) + back_count,
                std::memory_order_relaxed);
        }
        if(used < kept)
            give_some_locked(nodes.data() + used, kept - used);
        return {freed, n};
    }

    spin_mutex mutex_;
    spin_mutex trim_mutex_;             // one trimmer at a time
    batch_record* full_ = nullptr;      // batches of free nodes: top
    batch_record* tail_ = nullptr;      // and bottom
    batch_record* spare_ = nullptr;     // empty records, for reuse
    task_node* loose_ = nullptr;        // free nodes not in a batch
    std::size_t loose_count_ = 0;
    task_node* fresh_ = nullptr;        // the block being carved
    std::size_t fresh_left_ = 0;        // its batches not carved yet
    void* next_fresh_ = nullptr;        // blocks not carved at all
    std::atomic<std::size_t> full_count_{0}; // written under mutex_
    std::atomic<std::size_t> blocks_{0};
    std::uint64_t gen_ = 0;             // nodes given back (under mutex_)

    // Guarded by trim_mutex_.
    bool in_rotation_ = false;
    std::size_t examined_ = 0;          // batches since the last progress
    std::uint64_t stale_gen_ = ~std::uint64_t(0); // gen_ at the last rotation's end
    std::int64_t rotation_end_ = (std::numeric_limits<std::int64_t>::min)() / 2; // ms
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

trim_result
trim_task_nodes_when_idle() noexcept
{
    return node_store().trim_step(false);
}

void
trim_task_nodes() noexcept
{
    while(node_store().trim_step(true) == trim_result::again)
    {
    }
}

task_node_stats
get_task_node_stats() noexcept
{
    task_node_stats st;
    st.blocks = node_store().blocks();
    st.block_nodes = task_node_store::block_nodes;
    st.free_batches = node_store().free_batches();
    st.batch = task_node_store::batch;
    return st;
}

} // detail
} // millio
} // boost

#endif
