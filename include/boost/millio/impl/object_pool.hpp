//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_IMPL_OBJECT_POOL_HPP
#define BOOST_MILLIO_IMPL_OBJECT_POOL_HPP

#include <boost/millio/detail/except.hpp>

#include <algorithm>
#include <new>
#include <utility>

namespace boost {
namespace millio {
namespace detail {

// The typed shared state: the chunk core plus the hooks, which must
// outlive the pool object for handles still out.
template<class T>
class object_pool_state
    : public pool_core
{
public:
    object_pool_state(
        std::size_t initial_size,
        std::size_t max_idle,
        std::function<T()> factory,
        std::function<void(T&)> reset)
        : pool_core(sizeof(T), initial_size, max_idle)
        , factory_(std::move(factory))
        , reset_(std::move(reset))
    {
    }

    // Makes a new object in a fresh chunk, counted outstanding.
    T*
    make()
    {
        void* raw = allocate();
        try
        {
            // Guaranteed copy elision: the factory's result is
            // constructed right in the chunk.
            return ::new(raw) T(factory_());
        }
        catch(...)
        {
            unallocate(raw);
            throw;
        }
    }

    std::function<T()> const factory_;
    std::function<void(T&)> const reset_;
};

} // detail

template<class T>
void
pooled<T>::
destroy(detail::object_pool_state<T>* state, T* p) noexcept
{
    p->~T();
    if(state->free_chunk(p))
        delete state;
}

template<class T>
void
pooled<T>::
reset() noexcept
{
    if(! p_)
        return;
    detail::object_pool_state<T>* const state = state_;
    T* const p = p_;
    state_ = nullptr;
    p_ = nullptr;
    if(state->reset_ && state->is_open())
    {
        try
        {
            state->reset_(*p);
        }
        catch(...)
        {
            destroy(state, p);
            return;
        }
    }
    // Chunks the pool cannot keep come back here, to be destroyed
    // outside its locks.
    void* out[detail::pool_core::max_flush];
    std::size_t const n = state->push(p, out);
    for(std::size_t i = 0; i < n; ++i)
        destroy(state, static_cast<T*>(out[i]));
}

template<class T>
T
pooled<T>::
detach()
{
    BOOST_ASSERT(p_);
    T result(std::move(*p_));
    detail::object_pool_state<T>* const state = state_;
    T* const p = p_;
    state_ = nullptr;
    p_ = nullptr;
    destroy(state, p);
    return result;
}

template<class T>
object_pool<T>::
object_pool(
    std::size_t initial_size,
    factory_type factory)
    : object_pool(
        initial_size,
        std::move(factory),
        [initial_size]
        {
            options_type opt;
            opt.max_idle = (std::max)(initial_size, opt.max_idle);
            return opt;
        }())
{
}

template<class T>
object_pool<T>::
object_pool(
    std::size_t initial_size,
    factory_type factory,
    options_type options)
{
    if(! factory || initial_size > options.max_idle)
    {
        error_code ec;
        BOOST_MILLIO_FAIL(ec, error::invalid_argument);
        detail::throw_system_error(ec);
    }
    state_ = new detail::object_pool_state<T>(
        initial_size, options.max_idle,
        std::move(factory), std::move(options.reset));
    try
    {
        for(std::size_t i = 0; i < initial_size; ++i)
        {
            T* p = state_->make();
            bool const pushed = state_->try_push(p);
            BOOST_ASSERT(pushed);
            (void)pushed;
        }
    }
    catch(...)
    {
        close(state_);
        throw;
    }
}

template<class T>
object_pool<T>::
~object_pool()
{
    close(state_);
}

template<class T>
void
object_pool<T>::
close(detail::object_pool_state<T>* state) noexcept
{
    std::vector<void*> idle = state->close();
    for(void* p : idle)
        static_cast<T*>(p)->~T();
    if(state->finish_close(idle))
        delete state;
}

template<class T>
std::size_t
object_pool<T>::
trim()
{
    std::vector<void*> chunks = state_->take_trim(false);
    for(void* p : chunks)
        static_cast<T*>(p)->~T();
    return state_->finish_trim(chunks, false);
}

template<class T>
std::size_t
object_pool<T>::
shrink_to_fit()
{
    std::vector<void*> chunks = state_->take_trim(true);
    for(void* p : chunks)
        static_cast<T*>(p)->~T();
    return state_->finish_trim(chunks, true);
}

template<class T>
pooled<T>
object_pool<T>::
acquire()
{
    void* p = state_->pop();
    if(p)
        return pooled<T>(state_, static_cast<T*>(p));
    return pooled<T>(state_, state_->make());
}

} // millio
} // boost

#endif
