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

#include <memory>

namespace boost {
namespace millio {

void
pooled_buffer::
release() noexcept
{
    if(! data_)
        return;
    detail::pool_core* const core = core_;
    void* const p = data_;
    core_ = nullptr;
    data_ = nullptr;
    size_ = 0;
    if(! core->try_push(p) && core->free_chunk(p))
        delete core;
}

constexpr std::size_t buffer_pool::default_max_idle;

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
{
    if(buffer_size == 0 || initial_count > max_idle)
    {
        error_code ec;
        BOOST_MILLIO_FAIL(ec, error::invalid_argument);
        detail::throw_system_error(ec);
    }
    std::unique_ptr<detail::pool_core> core(
        new detail::pool_core(buffer_size, initial_count, max_idle));
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

pooled_buffer
buffer_pool::
acquire()
{
    void* p = core_->try_pop();
    if(! p)
        p = core_->allocate();
    return pooled_buffer(core_, p, core_->chunk_size());
}

std::size_t
buffer_pool::
buffer_size() const noexcept
{
    return core_->chunk_size();
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
