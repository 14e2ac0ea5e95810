//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_DETAIL_POOL_CORE_HPP
#define BOOST_MILLIO_DETAIL_POOL_CORE_HPP

#include <boost/millio/detail/config.hpp>
#include <boost/millio/detail/spin_mutex.hpp>
#include <boost/pool/pool.hpp>

#include <atomic>
#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

namespace boost {
namespace millio {
namespace detail {

// Memory for the blocks of the pools: large blocks are mapped from the
// system directly, so that freeing them gives the memory back at once
// (a heap keeps freed memory below its top); small ones come from the
// heap. A Boost.Pool UserAllocator.
struct block_allocator
{
    using size_type = std::size_t;
    using difference_type = std::ptrdiff_t;

    BOOST_MILLIO_DECL static char* malloc(size_type bytes);
    BOOST_MILLIO_DECL static void free(char* block);
};

/*  The shared state of a pool of fixed-size chunks.

    Chunks come from blocks ("arenas"), each one Boost.Pool `pool<>`
    holding a single block of a bounded size: the first arenas are small,
    later ones double the pool's capacity up to about 1 MiB. The core
    keeps a LIFO stack of idle chunks (at most `max_idle`) and counts the
    chunks handed out; a chunk returned beyond the cap goes back to its
    arena. `take_trim()`/`finish_trim()` give idle chunks back to their
    arenas and free the arenas that hold no chunk in use, which returns
    their memory to the system.

    The core (deliberately without virtual functions: the typed pools
    delete their own derived type) is owned jointly by the pool object and by every outstanding
    chunk. `close()`/`finish_close()` end the owner's share; after that,
    returned chunks are never pooled, and whoever frees the last outstanding
    chunk deletes the core (`free_chunk()` returns true).

    The core knows nothing about what lives in a chunk: constructing and
    destroying objects is the caller's job, done outside the lock.

    Thread caches. In front of the shared idle stack, each thread that
    uses the pool keeps a small stack of idle chunks of its own (a
    `thread_cache`, reached through a thread-local table). `pop()` and
    `push()` work on it under its own lock, which only trims, queries and
    the pool's shutdown take from another thread, so two threads using one
    pool do not share a cache line in the common case. An empty cache is
    refilled from the shared stack, a full one gives half of its chunks
    back, and the chunks of a thread's cache go back to the shared stack
    when the thread exits (or the table evicts it). Each cache has a
    credit: the shared stack keeps room for what the caches may hold, so
    that the idle chunks of the pool never exceed `max_idle`; the caches
    together get at most half of it, and none when `max_idle` is below
    `min_cached_idle`.

    Locks: a cache's lock is taken before the core's, never after. The
    core lists its caches; a trim or a query pins them (a reference
    count), drops the core's lock and then locks each one. `close()`
    detaches every cache before the owner's reference is dropped, so a
    cache that still names its core (read under the cache's lock) names
    a live one.
*/
class pool_core
{
public:
    BOOST_MILLIO_DECL
    pool_core(
        std::size_t chunk_size,
        std::size_t initial_chunks,
        std::size_t max_idle);

    pool_core(pool_core const&) = delete;
    pool_core& operator=(pool_core const&) = delete;

    BOOST_MILLIO_DECL
    ~pool_core();

    // The most chunks push() hands back for destruction at once.
    static constexpr std::size_t max_flush = 33;

    // Pools with a smaller cap on idle chunks keep no thread caches.
    static constexpr std::size_t min_cached_idle = 16;

    // Pops an idle chunk and counts it outstanding; nullptr if none.
    // The shared stack only.
    BOOST_MILLIO_DECL
    void*
    try_pop() noexcept;

    // Pops an idle chunk, from this thread's cache first, and counts it
    // outstanding; nullptr if none.
    BOOST_MILLIO_DECL
    void*
    pop() noexcept;

    // Makes an outstanding chunk idle, in this thread's cache first.
    // Chunks that cannot be kept (the pool is closed, or over the cap)
    // are written to `out`: their number is returned, `p` may be among
    // them, and the caller destroys their objects and calls
    // free_chunk() on each.
    BOOST_MILLIO_DECL
    std::size_t
    push(void* p, void** out) noexcept;

    // Allocates a fresh chunk and counts it outstanding and created.
    // Throws std::bad_alloc.
    BOOST_MILLIO_DECL
    void*
    allocate();

    // Undoes allocate() after constructing into the chunk failed.
    BOOST_MILLIO_DECL
    void
    unallocate(void* p) noexcept;

    // Makes an outstanding chunk idle. Returns false, changing nothing,
    // when the pool is closed or the idle stack is full: the caller then
    // destroys the object and calls free_chunk().
    BOOST_MILLIO_DECL
    bool
    try_push(void* p) noexcept;

    // Frees an outstanding chunk whose object was destroyed. Returns true
    // when the caller must delete the core (last reference gone).
    BOOST_MILLIO_DECL
    bool
    free_chunk(void* p) noexcept;

    // First step of the owner's shutdown: stop pooling and hand the idle
    // chunks to the caller, who destroys their objects.
    BOOST_MILLIO_DECL
    std::vector<void*>
    close() noexcept;

    // Second step: free the chunks returned by close() and drop the owner's
    // reference. Returns true when the caller must delete the core.
    BOOST_MILLIO_DECL
    bool
    finish_close(std::vector<void*>& idle) noexcept;

    // First step of a trim: takes the idle chunks that were not needed
    // since the previous trim (the fewest idle at any time meanwhile,
    // all of them when `all`), for the caller to destroy their objects.
    BOOST_MILLIO_DECL
    std::vector<void*>
    take_trim(bool all);

    // Second step: returns those chunks to their arenas and frees the
    // arenas with no chunk in use (unless `all`: only those
    // from which no chunk was taken since the trim before). Returns the
    // bytes given back.
    BOOST_MILLIO_DECL
    std::size_t
    finish_trim(std::vector<void*>& chunks, bool all) noexcept;

    // Bytes of memory held in arenas.
    BOOST_MILLIO_DECL
    std::size_t
    reserved_bytes() const noexcept;

    // A hint, read without the lock: false once close() began.
    bool
    is_open() const noexcept
    {
        return open_hint_.load(std::memory_order_acquire);
    }

    std::size_t
    chunk_size() const noexcept
    {
        return chunk_size_;
    }

    std::size_t
    max_idle() const noexcept
    {
        return max_idle_;
    }

    BOOST_MILLIO_DECL
    std::size_t
    idle_count() const noexcept;

    BOOST_MILLIO_DECL
    std::size_t
    outstanding_count() const noexcept;

    BOOST_MILLIO_DECL
    std::size_t
    created_count() const noexcept;

    struct thread_cache;

    // Detaches a cache from its core when its thread exits.
    BOOST_MILLIO_DECL
    static
    void
    release_cache(thread_cache* c) noexcept;

private:
    // The critical sections are a few instructions (Boost.Pool's block
    // refill aside), so a spin lock beats std::mutex: see bench/pool_bench.
#ifdef BOOST_MILLIO_POOL_STD_MUTEX
    using mutex_type = std::mutex;
#else
    using mutex_type = spin_mutex;
#endif
    struct arena
    {
        boost::pool<block_allocator> storage;
        std::size_t capacity;   // chunks in its block
        std::size_t in_use = 0; // taken from it: outstanding or idle
        std::size_t last_used = 0; // trim epoch of its last take
        char* begin = nullptr;  // the block's first chunk, once made

        arena(std::size_t chunk_size, std::size_t n)
            : storage(chunk_size, n, n)
            , capacity(n)
        {
        }
    };

    thread_cache* find_cache(bool& locked) noexcept;
    thread_cache* attach_cache(bool& locked) noexcept;
    void grant_locked(thread_cache& c) noexcept;
    void* refill(thread_cache& c) noexcept;
    std::size_t flush(thread_cache& c, void* p, void** out) noexcept;
    std::vector<thread_cache*> pin_caches() const;
    std::size_t cached_count() const noexcept;

    void* take_locked();                      // may throw bad_alloc
    void give_locked(void* p) noexcept;       // back to its arena
    std::size_t release_empty_locked(
        std::vector<std::unique_ptr<arena>>& dead, bool all) noexcept;
    static void destroy(std::vector<std::unique_ptr<arena>>& dead) noexcept;

    mutable mutex_type mutex_;
    std::vector<std::unique_ptr<arena>> arenas_; // by address of their block
    arena* current_ = nullptr;                   // where chunks come from
    std::size_t capacity_ = 0;                   // chunks in all arenas
    std::size_t const first_chunks_;
    std::size_t const max_chunks_;
    std::size_t stride_;                         // a chunk's size in its block
    std::vector<void*> idle_;
    std::size_t min_idle_ = 0;                   // fewest idle since the last trim
    std::size_t epoch_ = 0;                      // trims so far
    std::size_t const chunk_size_;
    std::size_t const max_idle_;
    std::size_t outstanding_ = 0;   // out of the shared store: in use or cached
    std::vector<thread_cache*> caches_; // attached caches
    std::size_t credits_ = 0;       // room kept for them
    std::size_t created_ = 0;
    bool open_ = true;
    bool owned_ = true;
    std::atomic<bool> open_hint_{true};
};

} // detail
} // millio
} // boost

#endif
