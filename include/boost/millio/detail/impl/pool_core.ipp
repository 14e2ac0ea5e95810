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
#include <new>

namespace boost {
namespace millio {
namespace detail {

namespace {

// Chunks per Boost.Pool block: start with what the caller asked for, and
// let blocks grow (Boost.Pool doubles them) up to about 1 MiB.
std::size_t
first_block_chunks(std::size_t initial) noexcept
{
    return (std::max)(initial, std::size_t(8));
}

std::size_t
max_block_chunks(std::size_t chunk_size, std::size_t initial) noexcept
{
    std::size_t const by_bytes = (std::size_t(1) << 20) / (std::max)(chunk_size, std::size_t(1));
    return (std::max)({by_bytes, first_block_chunks(initial), std::size_t(8)});
}

} // (anon)

pool_core::
pool_core(
    std::size_t chunk_size,
    std::size_t initial_chunks,
    std::size_t max_idle)
    : storage_(
        chunk_size,
        first_block_chunks(initial_chunks),
        max_block_chunks(chunk_size, initial_chunks))
    , chunk_size_(chunk_size)
    , max_idle_(max_idle)
{
    // Reserve up front so that pushing rarely allocates.
    idle_.reserve((std::min)(max_idle, (std::max)(initial_chunks, std::size_t(64))));
}

pool_core::
~pool_core() = default;

void*
pool_core::
try_pop() noexcept
{
    std::lock_guard<std::mutex> lock(mutex_);
    if(idle_.empty())
        return nullptr;
    void* p = idle_.back();
    idle_.pop_back();
    ++outstanding_;
    return p;
}

void*
pool_core::
allocate()
{
    std::lock_guard<std::mutex> lock(mutex_);
    void* p = storage_.malloc();
    if(! p)
        boost::throw_exception(std::bad_alloc());
    ++outstanding_;
    ++created_;
    return p;
}

void
pool_core::
unallocate(void* p) noexcept
{
    std::lock_guard<std::mutex> lock(mutex_);
    storage_.free(p);
    --outstanding_;
    --created_;
}

bool
pool_core::
try_push(void* p) noexcept
{
    std::lock_guard<std::mutex> lock(mutex_);
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
    std::lock_guard<std::mutex> lock(mutex_);
    storage_.free(p);
    --outstanding_;
    return ! owned_ && outstanding_ == 0;
}

std::vector<void*>
pool_core::
close() noexcept
{
    std::lock_guard<std::mutex> lock(mutex_);
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
    std::lock_guard<std::mutex> lock(mutex_);
    for(void* p : idle)
        storage_.free(p);
    idle.clear();
    owned_ = false;
    return outstanding_ == 0;
}

std::size_t
pool_core::
idle_count() const noexcept
{
    std::lock_guard<std::mutex> lock(mutex_);
    return idle_.size();
}

std::size_t
pool_core::
outstanding_count() const noexcept
{
    std::lock_guard<std::mutex> lock(mutex_);
    return outstanding_;
}

std::size_t
pool_core::
created_count() const noexcept
{
    std::lock_guard<std::mutex> lock(mutex_);
    return created_;
}

} // detail
} // millio
} // boost

#endif
