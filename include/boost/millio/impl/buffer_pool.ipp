//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_IMPL_BUFFER_POOL_IPP
#define BOOST_MILLIO_IMPL_BUFFER_POOL_IPP

#include <boost/millio/buffer_pool.hpp>
#include <boost/millio/detail/except.hpp>
#include <boost/millio/detail/pool_core.hpp>
#include <boost/throw_exception.hpp>

#include <cstddef>
#include <limits>
#include <memory>
#include <new>

namespace boost {
namespace millio {

void
pooled_buffer::
give_back_slow(detail::pool_core* core, void* p) noexcept
{
    // Over the idle cap, or the pool is gone.
    if(core->free_chunk(p))
        delete core;
}

buffer_pool::
buffer_pool(std::size_t buffer_size)
    : buffer_pool(buffer_size, 0, default_max_idle)
{
}

buffer_pool::
buffer_pool(
    std::size_t buffer_size,
    std::size_t initial_count,
    std::size_t max_idle)
    : core_(nullptr)
    , size_(buffer_size)
{
    if(buffer_size == 0 || initial_count > max_idle)
    {
        error_code ec;
        BOOST_MILLIO_FAIL(ec, error::invalid_argument);
        detail::throw_system_error(ec);
    }
    // Boost.Pool places chunks back to back from a block aligned for any
    // object, rounding their size up only to a multiple of a pointer's
    // size: a stride that is a multiple of the fundamental alignment
    // keeps every buffer aligned, as documented.
    std::size_t const align = alignof(std::max_align_t);
    if(buffer_size > (std::numeric_limits<std::size_t>::max)() - (align - 1))
        boost::throw_exception(std::bad_alloc());
    std::size_t const stride = (buffer_size + align - 1) / align * align;
    std::unique_ptr<detail::pool_core> core(
        new detail::pool_core(stride, initial_count, max_idle));
    for(std::size_t i = 0; i < initial_count; ++i)
    {
        // The core frees its Boost.Pool blocks when deleted,
        // so an exception here leaks nothing.
        void* p = core->allocate();
        bool const pushed = core->try_push(p);
        BOOST_ASSERT(pushed);
        (void)pushed;
    }
    core_ = core.release();
}

buffer_pool::
~buffer_pool()
{
    std::vector<void*> idle = core_->close();
    if(core_->finish_close(idle))
        delete core_;
}

std::size_t
buffer_pool::
trim()
{
    std::vector<void*> chunks = core_->take_trim(false);
    return core_->finish_trim(chunks, false);
}

std::size_t
buffer_pool::
shrink_to_fit()
{
    std::vector<void*> chunks = core_->take_trim(true);
    return core_->finish_trim(chunks, true);
}

std::size_t
buffer_pool::
reserved_bytes() const noexcept
{
    return core_->reserved_bytes();
}

std::size_t
buffer_pool::
buffer_size() const noexcept
{
    return size_;
}

std::size_t
buffer_pool::
max_idle() const noexcept
{
    return core_->max_idle();
}

std::size_t
buffer_pool::
idle_count() const noexcept
{
    return core_->idle_count();
}

std::size_t
buffer_pool::
outstanding_count() const noexcept
{
    return core_->outstanding_count();
}

std::size_t
buffer_pool::
created_count() const noexcept
{
    return core_->created_count();
}

} // millio
} // boost

#endif
