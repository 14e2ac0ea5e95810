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

// Under ThreadSanitizer a thread cache of a pool is guarded by its lock
// alone: the tool does not model the process-wide barrier of the fast path.
#if defined(__SANITIZE_THREAD__)
# define BOOST_MILLIO_POOL_CACHE_LOCKED
#elif defined(__has_feature)
# if __has_feature(thread_sanitizer)
#  define BOOST_MILLIO_POOL_CACHE_LOCKED
# endif
#endif

namespace boost {
namespace millio {
namespace detail {

class pool_core;

// A thread's caches of pools, most recently attached first (trivial, so
// that reaching it costs no initialisation check).
struct pool_core_cache_table
{
    static constexpr std::size_t size = 8;

    struct entry
    {
        pool_core const* core;
        void* cache; // a pool_core::thread_cache
    };

    entry items[size];
    std::size_t count;
    bool gone; // the thread is exiting: no more caches
};

inline thread_local pool_core_cache_table tls_pool_caches{};

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
    void*
    pop() noexcept;

    // Makes an outstanding chunk idle, in this thread's cache first.
    // Chunks that cannot be kept (the pool is closed, or over the cap)
    // are written to `out`: their number is returned, `p` may be among
    // them, and the caller destroys their objects and calls
    // free_chunk() on each.
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

    // A thread's idle chunks of one pool. Owned jointly by its thread
    // (through the thread-local table) and by the core's list, counted in
    // `refs`. Its thread enters it with enter()/leave(), without an atomic
    // read-modify-write in the common case; any other thread with
    // lock_remote()/unlock_remote(), which waits for the owner to leave
    // and keeps it out meanwhile (the owner then waits on `mutex`).
    //
    // The owner announces itself with a plain store and a compiler
    // barrier; another thread announces itself, then makes every running
    // thread of the process execute a full barrier (Linux membarrier),
    // and then looks at the owner's flag: one of the two sees the other
    // (Dekker's argument). Without membarrier (`asym` false) both sides
    // use a full fence.
    struct thread_cache
    {
        static constexpr std::size_t slots = 64;

        std::atomic<bool> busy{false};   // the owner is inside
        std::atomic<bool> remote{false}; // another thread is, or wants in
        bool asym = false;
        spin_mutex mutex;                // among the others; owner's slow way in
        pool_core* core = nullptr;       // null once detached
        std::atomic<unsigned> refs{2};
        std::size_t count = 0;           // idle chunks in `items`
        std::size_t low = 0;             // fewest since the last trim
        std::size_t cap = 0;             // the credit: most chunks kept
        std::size_t target = 0;          // the credit asked for
        void* items[slots];

        void
        unref() noexcept
        {
            if(refs.fetch_sub(1, std::memory_order_acq_rel) == 1)
                delete this;
        }

        // The owner's fast way in: false if another thread is inside.
        bool
        try_enter() noexcept
        {
#if defined(BOOST_MILLIO_POOL_CACHE_LOCKED)
            return false;
#else
            busy.store(true, std::memory_order_relaxed);
            if(asym)
                std::atomic_signal_fence(std::memory_order_seq_cst);
            else
                std::atomic_thread_fence(std::memory_order_seq_cst);
            if(! remote.load(std::memory_order_acquire))
                return true;
            busy.store(false, std::memory_order_release);
            return false;
#endif
        }

        // Returns true when it took `mutex` (pass it to leave()).
        bool
        enter() noexcept
        {
            if(try_enter())
                return false;
            mutex.lock();
            return true;
        }

        void
        leave(bool locked) noexcept
        {
            if(locked)
                mutex.unlock();
            else
                busy.store(false, std::memory_order_release);
        }

        BOOST_MILLIO_DECL
        void
        lock_remote() noexcept;

        BOOST_MILLIO_DECL
        void
        unlock_remote() noexcept;
    };

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

    BOOST_MILLIO_DECL void* pop_slow() noexcept;
    BOOST_MILLIO_DECL std::size_t push_slow(void* p, void** out) noexcept;
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

inline
void*
pool_core::
pop() noexcept
{
    pool_core_cache_table& t = tls_pool_caches;
    if(t.items[0].core == this)
    {
        auto* c = static_cast<thread_cache*>(t.items[0].cache);
        if(c->try_enter())
        {
            if(c->core == this && c->count > 0)
            {
                void* p = c->items[--c->count];
                if(c->count < c->low)
                    c->low = c->count;
                c->busy.store(false, std::memory_order_release);
                return p;
            }
            c->busy.store(false, std::memory_order_release);
        }
    }
    return pop_slow();
}

inline
std::size_t
pool_core::
push(void* p, void** out) noexcept
{
    pool_core_cache_table& t = tls_pool_caches;
    if(t.items[0].core == this)
    {
        auto* c = static_cast<thread_cache*>(t.items[0].cache);
        if(c->try_enter())
        {
            if(c->core == this && c->count < c->cap)
            {
                c->items[c->count++] = p;
                c->busy.store(false, std::memory_order_release);
                return 0;
            }
            c->busy.store(false, std::memory_order_release);
        }
    }
    return push_slow(p, out);
}

} // detail
} // millio
} // boost

#endif
