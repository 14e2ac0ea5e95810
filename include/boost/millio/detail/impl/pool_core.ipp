//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_DETAIL_IMPL_POOL_CORE_IPP
#define BOOST_MILLIO_DETAIL_IMPL_POOL_CORE_IPP

#include <boost/millio/detail/pool_core.hpp>
#include <boost/throw_exception.hpp>

#include <algorithm>
#include <limits>
#include <new>

#if defined(__unix__) || defined(__APPLE__)
# include <sys/mman.h>
# define BOOST_MILLIO_POOL_HAS_MMAP
#endif

namespace boost {
namespace millio {
namespace detail {

namespace {

// Blocks of at least this size are mapped from the system.
constexpr std::size_t map_threshold = std::size_t(64) << 10;

// In front of every block: its size and how it was made, padded so
// that the block keeps the fundamental alignment.
struct alignas(std::max_align_t) block_header
{
    std::size_t bytes; // including the header
    bool mapped;
};

// Chunks in the first arena: what the caller asked for, at least 8.
std::size_t
first_chunks(std::size_t initial) noexcept
{
    return (std::max)(initial, std::size_t(8));
}

// Chunks in the largest arena: about 1 MiB of them.
std::size_t
max_chunks(std::size_t chunk_size, std::size_t initial) noexcept
{
    std::size_t const by_bytes = (std::size_t(1) << 20) / (std::max)(chunk_size, std::size_t(1));
    return (std::max)({by_bytes, first_chunks(initial), std::size_t(8)});
}

} // (anon)

char*
block_allocator::
malloc(size_type bytes)
{
    if(bytes > (std::numeric_limits<size_type>::max)() - sizeof(block_header))
        return nullptr;
    std::size_t const total = bytes + sizeof(block_header);
    void* p = nullptr;
    bool mapped = false;
#if defined(BOOST_MILLIO_POOL_HAS_MMAP)
    if(total >= map_threshold)
    {
        p = ::mmap(nullptr, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if(p == MAP_FAILED)
            return nullptr;
        mapped = true;
    }
#endif
    if(! mapped)
    {
        p = ::operator new(total, std::nothrow);
        if(! p)
            return nullptr;
    }
    auto* h = ::new(p) block_header{total, mapped};
    return reinterpret_cast<char*>(h + 1);
}

void
block_allocator::
free(char* block)
{
    auto* h = reinterpret_cast<block_header*>(block) - 1;
#if defined(BOOST_MILLIO_POOL_HAS_MMAP)
    if(h->mapped)
    {
        ::munmap(h, h->bytes);
        return;
    }
#endif
    ::operator delete(h);
}

pool_core::
pool_core(
    std::size_t chunk_size,
    std::size_t initial_chunks,
    std::size_t max_idle)
    : first_chunks_(first_chunks(initial_chunks))
    , max_chunks_(max_chunks(chunk_size, initial_chunks))
    , chunk_size_(chunk_size)
    , max_idle_(max_idle)
{
    // The distance between two chunks of a Boost.Pool block.
    std::size_t const a = sizeof(void*) > sizeof(std::size_t) ? sizeof(void*) : sizeof(std::size_t);
    stride_ = (std::max)(chunk_size, a);
    stride_ = (stride_ + a - 1) / a * a;
    // Reserve up front so that pushing rarely allocates.
    idle_.reserve((std::min)(max_idle, (std::max)(initial_chunks, std::size_t(64))));
}

pool_core::
~pool_core() = default;

void*
pool_core::
take_locked()
{
    if(! current_ || current_->in_use == current_->capacity)
    {
        // The arena at the lowest address with room, so that chunks
        // gather in few arenas and the others can empty.
        current_ = nullptr;
        for(auto& a : arenas_)
        {
            if(a->in_use < a->capacity)
            {
                current_ = a.get();
                break;
            }
        }
        if(! current_)
        {
            // A new arena doubles the capacity, within bounds.
            std::size_t n = (std::max)(capacity_, first_chunks_);
            n = (std::min)(n, max_chunks_);
            std::unique_ptr<arena> a(new arena(chunk_size_, n));
            void* p = a->storage.malloc();
            if(! p)
                boost::throw_exception(std::bad_alloc());
            // Boost.Pool hands out a new block's chunks in address order.
            a->begin = static_cast<char*>(p);
            a->in_use = 1;
            a->last_used = epoch_;
            arena* const raw = a.get();
            auto it = std::upper_bound(arenas_.begin(), arenas_.end(), raw->begin,
                [](char* b, std::unique_ptr<arena> const& x) { return b < x->begin; });
            try
            {
                arenas_.insert(it, std::move(a));
            }
            catch(...)
            {
                raw->storage.free(p);
                throw;
            }
            capacity_ += n;
            current_ = raw;
            return p;
        }
    }
    void* p = current_->storage.malloc();
    BOOST_ASSERT(p);
    ++current_->in_use;
    current_->last_used = epoch_;
    return p;
}

void
pool_core::
give_locked(void* p) noexcept
{
    char* const c = static_cast<char*>(p);
    auto it = std::upper_bound(arenas_.begin(), arenas_.end(), c,
        [](char* b, std::unique_ptr<arena> const& x) { return b < x->begin; });
    BOOST_ASSERT(it != arenas_.begin());
    arena& a = **--it;
    BOOST_ASSERT(c < a.begin + a.capacity * stride_);
    BOOST_ASSERT(a.storage.is_from(p));
    a.storage.free(p);
    --a.in_use;
}

std::size_t
pool_core::
release_empty_locked(std::vector<std::unique_ptr<arena>>& dead, bool all) noexcept
{
    std::size_t bytes = 0;
    for(auto it = arenas_.begin(); it != arenas_.end();)
    {
        // Not all: keep an arena that gave a chunk since the previous
        // trim, so that a recurring load does not map it again each time.
        if((*it)->in_use != 0 || (! all && (*it)->last_used + 1 >= epoch_))
        {
            ++it;
            continue;
        }
        try
        {
            dead.push_back(std::move(*it));
        }
        catch(std::bad_alloc const&)
        {
            break; // keep the rest for a later trim
        }
        if(current_ == dead.back().get())
            current_ = nullptr;
        capacity_ -= dead.back()->capacity;
        bytes += dead.back()->capacity * stride_;
        it = arenas_.erase(it);
    }
    return bytes;
}

void
pool_core::
destroy(std::vector<std::unique_ptr<arena>>& dead) noexcept
{
    dead.clear(); // frees the blocks: no lock held
}

void*
pool_core::
try_pop() noexcept
{
    std::lock_guard<mutex_type> lock(mutex_);
    if(idle_.empty())
        return nullptr;
    void* p = idle_.back();
    idle_.pop_back();
    if(idle_.size() < min_idle_)
        min_idle_ = idle_.size();
    ++outstanding_;
    return p;
}

void*
pool_core::
allocate()
{
    std::lock_guard<mutex_type> lock(mutex_);
    void* p = take_locked();
    ++outstanding_;
    ++created_;
    return p;
}

void
pool_core::
unallocate(void* p) noexcept
{
    std::lock_guard<mutex_type> lock(mutex_);
    give_locked(p);
    --outstanding_;
    --created_;
}

bool
pool_core::
try_push(void* p) noexcept
{
    std::lock_guard<mutex_type> lock(mutex_);
    if(! open_ || idle_.size() >= max_idle_)
        return false;
    try
    {
        idle_.push_back(p);
    }
    catch(std::bad_alloc const&)
    {
        return false;
    }
    --outstanding_;
    return true;
}

bool
pool_core::
free_chunk(void* p) noexcept
{
    std::lock_guard<mutex_type> lock(mutex_);
    give_locked(p);
    --outstanding_;
    return ! owned_ && outstanding_ == 0;
}

std::vector<void*>
pool_core::
close() noexcept
{
    std::lock_guard<mutex_type> lock(mutex_);
    open_ = false;
    open_hint_.store(false, std::memory_order_release);
    std::vector<void*> idle;
    idle.swap(idle_);
    return idle;
}

bool
pool_core::
finish_close(std::vector<void*>& idle) noexcept
{
    std::vector<std::unique_ptr<arena>> dead;
    bool last;
    {
        std::lock_guard<mutex_type> lock(mutex_);
        for(void* p : idle)
            give_locked(p);
        idle.clear();
        owned_ = false;
        last = outstanding_ == 0;
        if(! last)
            release_empty_locked(dead, true);
    }
    destroy(dead);
    return last;
}

std::vector<void*>
pool_core::
take_trim(bool all)
{
    std::vector<void*> out;
    std::lock_guard<mutex_type> lock(mutex_);
    std::size_t const n = all ? idle_.size() : (std::min)(min_idle_, idle_.size());
    // The oldest idle chunks (bottom of the stack) go first.
    out.assign(idle_.begin(), idle_.begin() + static_cast<std::ptrdiff_t>(n));
    idle_.erase(idle_.begin(), idle_.begin() + static_cast<std::ptrdiff_t>(n));
    outstanding_ += n; // the caller holds them until finish_trim
    min_idle_ = idle_.size();
    ++epoch_;
    return out;
}

std::size_t
pool_core::
finish_trim(std::vector<void*>& chunks, bool all) noexcept
{
    std::vector<std::unique_ptr<arena>> dead;
    std::size_t bytes;
    {
        std::lock_guard<mutex_type> lock(mutex_);
        for(void* p : chunks)
            give_locked(p);
        outstanding_ -= chunks.size();
        chunks.clear();
        bytes = release_empty_locked(dead, all);
    }
    destroy(dead);
    return bytes;
}

std::size_t
pool_core::
reserved_bytes() const noexcept
{
    std::lock_guard<mutex_type> lock(mutex_);
    return capacity_ * stride_;
}

std::size_t
pool_core::
idle_count() const noexcept
{
    std::lock_guard<mutex_type> lock(mutex_);
    return idle_.size();
}

std::size_t
pool_core::
outstanding_count() const noexcept
{
    std::lock_guard<mutex_type> lock(mutex_);
    return outstanding_;
}

std::size_t
pool_core::
created_count() const noexcept
{
    std::lock_guard<mutex_type> lock(mutex_);
    return created_;
}

} // detail
} // millio
} // boost

#endif
