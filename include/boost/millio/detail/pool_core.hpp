//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_DETAIL_POOL_CORE_HPP
#define BOOST_MILLIO_DETAIL_POOL_CORE_HPP

#include <boost/millio/detail/config.hpp>
#include <boost/pool/pool.hpp>

#include <atomic>
#include <cstddef>
#include <mutex>
#include <vector>

namespace boost {
namespace millio {
namespace detail {

/*  The shared state of a pool of fixed-size chunks.

    Chunks come from a Boost.Pool `pool<>`. The core keeps a LIFO stack
    of idle chunks (at most `max_idle`) and counts the chunks handed out.

    The core (deliberately without virtual functions: the typed pools
    delete their own derived type) is owned jointly by the pool object and by every outstanding
    chunk. `close()`/`finish_close()` end the owner's share; after that,
    returned chunks are never pooled, and whoever frees the last outstanding
    chunk deletes the core (`free_chunk()` returns true).

    The core knows nothing about what lives in a chunk: constructing and
    destroying objects is the caller's job, done outside the lock.
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

    // Pops an idle chunk and counts it outstanding; nullptr if none.
    BOOST_MILLIO_DECL
    void*
    try_pop() noexcept;

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

private:
    mutable std::mutex mutex_;
    boost::pool<> storage_;
    std::vector<void*> idle_;
    std::size_t const chunk_size_;
    std::size_t const max_idle_;
    std::size_t outstanding_ = 0;
    std::size_t created_ = 0;
    bool open_ = true;
    bool owned_ = true;
    std::atomic<bool> open_hint_{true};
};

} // detail
} // millio
} // boost

#endif
