//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_OBJECT_POOL_HPP
#define BOOST_MILLIO_OBJECT_POOL_HPP

#include <boost/millio/detail/config.hpp>
#include <boost/millio/detail/pool_core.hpp>
#include <boost/millio/error.hpp>

#include <cstddef>
#include <functional>
#include <type_traits>

namespace boost {
namespace millio {

#ifndef BOOST_MILLIO_DOCS
template<class T>
class object_pool;

namespace detail {

template<class T>
class object_pool_state;

} // detail
#endif

/** Options for constructing an @ref object_pool.

    @par Example
    @snippet doc_reference.cpp ref_object_pool_options

    @tparam T The pooled type.
*/
template<class T>
struct object_pool_options
{
    /// The default cap on idle objects.
    static constexpr std::size_t default_max_idle = 1024;

    /** The most idle objects the pool keeps.

        An object returned while this many objects are idle is destroyed
        instead of being kept, so the pool cannot grow without bound.
        Zero disables caching: every returned object is destroyed.
        It must not be less than the pool's initial size.
    */
    std::size_t max_idle = default_max_idle;

    /** A hook run on every object returned to the pool, or empty.

        It runs on the thread that returns the object, without the pool's
        lock held, before the object becomes idle. It replaces the seed's
        special case that cleared a `Vec<u8>` and resized it to 8192.
        If it throws, the object is destroyed instead of being pooled and
        the exception is swallowed. It may run on a handle returned while
        (or after) the pool is being destroyed, so it must not refer to
        objects that die with the pool.
    */
    std::function<void(T&)> reset;
};

/** A move-only handle to an object borrowed from an @ref object_pool.

    While a `pooled<T>` owns an object, nobody else uses it. When the
    handle is destroyed (or @ref reset is called) the object goes back
    to its pool, after the pool's reset hook has run.

    A handle may safely outlive the pool that produced it: the pool's
    shared state lives until the last outstanding handle is gone, and an
    object returned to a destroyed pool is simply destroyed.

    @par Thread Safety
    Distinct handles may be used and destroyed concurrently on any
    threads, also concurrently with the pool's destruction. One handle
    is not safe to use from two threads at once.

    @tparam T The pooled type.
*/
template<class T>
class pooled
{
public:
    /// The type of the pooled object.
    using element_type = T;

    /// Constructs an empty handle.
    pooled() noexcept = default;

    /** Move constructor.

        @param other The handle to take the object from. It becomes empty.
    */
    pooled(pooled&& other) noexcept
        : state_(other.state_)
        , p_(other.p_)
    {
        other.state_ = nullptr;
        other.p_ = nullptr;
    }

    /** Move assignment.

        Returns the object owned by `*this` (if any) to its pool, then
        takes the object of `other`. Self-assignment does nothing.

        @param other The handle to take the object from. It becomes empty.
        @return `*this`.
    */
    pooled&
    operator=(pooled&& other) noexcept
    {
        if(this != &other)
        {
            reset();
            state_ = other.state_;
            p_ = other.p_;
            other.state_ = nullptr;
            other.p_ = nullptr;
        }
        return *this;
    }

    pooled(pooled const&) = delete;
    pooled& operator=(pooled const&) = delete;

    /// Destructor. Returns the object, if any, to its pool.
    ~pooled()
    {
        reset();
    }

    /// Returns a pointer to the object, or `nullptr` if empty.
    T*
    get() const noexcept
    {
        return p_;
    }

    /** Returns a reference to the object.

        @par Preconditions
        `*this` is not empty.
    */
    T&
    operator*() const noexcept
    {
        BOOST_ASSERT(p_);
        return *p_;
    }

    /** Returns a pointer to the object.

        @par Preconditions
        `*this` is not empty.
    */
    T*
    operator->() const noexcept
    {
        BOOST_ASSERT(p_);
        return p_;
    }

    /// Returns `true` if the handle owns an object.
    explicit
    operator bool() const noexcept
    {
        return p_ != nullptr;
    }

    /** Returns the object to its pool now.

        As `std::unique_ptr::reset()` hands the object to its deleter,
        this gives the object back: the pool's reset hook runs and the
        object becomes idle (or is destroyed when the idle cap is reached
        or the pool is gone). Afterwards the handle is empty. Does nothing
        on an empty handle. (@ref detach is the counterpart of
        `std::unique_ptr::release`.)

        @par Exception Safety
        No-throw guarantee (an exception of the reset hook destroys the
        object instead of returning it).

        @par Complexity
        Constant, plus the reset hook.
    */
    void
    reset() noexcept;

    /** Takes the object out of the pool for good.

        The object is moved out into the return value and the pooled
        copy is destroyed; its storage goes back to the pool and it no
        longer counts as outstanding. The reset hook does not run.
        Afterwards the handle is empty.

        @par Preconditions
        `*this` is not empty.

        @par Exception Safety
        Strong guarantee: if moving `T` throws, the exception propagates
        and the handle still owns the (possibly moved-from) object.

        @return The object, by move.
    */
    T
    detach();

private:
#ifndef BOOST_MILLIO_DOCS
    friend class object_pool<T>;

    pooled(detail::object_pool_state<T>* state, T* p) noexcept
        : state_(state)
        , p_(p)
    {
    }

    static
    void
    destroy(detail::object_pool_state<T>* state, T* p) noexcept;

    detail::object_pool_state<T>* state_ = nullptr;
    T* p_ = nullptr;
#endif
};

/** A thread-safe pool of reusable objects.

    Objects are made by a factory, borrowed with @ref acquire through a
    move-only @ref pooled handle, and go back to the pool when the handle
    is destroyed. Returned objects are reused, most recently returned
    first. The storage of the objects comes from Boost.Pool; the idle
    objects are capped by @ref object_pool_options::max_idle.

    Each thread keeps a few idle objects in a cache of its own (at most
    64 and about 128 KiB, within the cap; none when the cap is below 16),
    so that threads sharing a pool do not contend. They count as idle;
    they go back to the pool when the thread exits, are reached by
    @ref trim and @ref shrink_to_fit, and are destroyed with the pool.

    Objects whose size is a multiple of 64 bytes start on a 64-byte
    boundary, so that two of them, used by two threads, never share a
    cache line.

    Memory held by Boost.Pool for objects destroyed past the cap is kept
    for reuse by later objects; @ref trim and @ref shrink_to_fit give the
    blocks that hold no object back to the system, and the rest goes
    when the pool's shared state goes away (the pool and all its handles
    are gone).

    @par Thread Safety
    All member functions may be called concurrently.

    @par Example
    @snippet doc_reference.cpp ref_pooled

    @tparam T The pooled type. It must be destructible without throwing
    and no more aligned than `std::max_align_t`.
*/
template<class T>
class object_pool
{
    static_assert(alignof(T) <= alignof(std::max_align_t),
        "over-aligned types are not supported by object_pool");
    static_assert(std::is_nothrow_destructible<T>::value,
        "T must be nothrow destructible");

public:
    /// The type of the pooled objects.
    using value_type = T;

    /// The handle type returned by @ref acquire.
    using handle_type = pooled<T>;

    /// The type of the factory making new objects.
    using factory_type = std::function<T()>;

    /// The type of the hook run on returned objects.
    using reset_type = std::function<void(T&)>;

    /// The options type.
    using options_type = object_pool_options<T>;

    /** Constructor.

        Creates `initial_size` objects with `factory` and keeps them idle.
        The idle cap is the larger of `initial_size` and
        @ref object_pool_options::default_max_idle; there is no reset hook.

        @par Exception Safety
        Strong guarantee: if `factory` throws, the objects made so far
        are destroyed and the exception propagates.

        @par Complexity
        Linear in `initial_size`.

        @param initial_size The number of objects made up front.
        @param factory Makes a new object; called with no lock held.

        @throws system_error `error::invalid_argument` if `factory` is empty.
        @throws std::bad_alloc
    */
    object_pool(
        std::size_t initial_size,
        factory_type factory);

    /** Constructor.

        @par Exception Safety
        Strong guarantee: if `factory` throws, the objects made so far
        are destroyed and the exception propagates.

        @par Complexity
        Linear in `initial_size`.

        @param initial_size The number of objects made up front.
        @param factory Makes a new object; called with no lock held.
        @param options The idle cap and the reset hook.

        @throws system_error `error::invalid_argument` if `factory` is
        empty or `initial_size > options.max_idle`.
        @throws std::bad_alloc
    */
    object_pool(
        std::size_t initial_size,
        factory_type factory,
        options_type options);

    /** Destructor.

        Destroys the idle objects. Outstanding handles stay valid; their
        objects are destroyed when they are returned.
    */
    ~object_pool();

    object_pool(object_pool const&) = delete;
    object_pool& operator=(object_pool const&) = delete;

    /** Borrows an object.

        Returns the most recently returned idle object, or makes a new one
        with the factory (outside the pool's lock) if none is idle.

        @par Exception Safety
        Strong guarantee. If the factory throws, its storage is given back
        and the exception propagates; the pool stays usable.

        @par Complexity
        Constant, plus one call of the factory when no object is idle.

        @return A handle owning the object.
        @throws std::bad_alloc
    */
    pooled<T>
    acquire();

    /** Gives memory back to the system, keeping what is in use.

        Destroys the idle objects that were not needed since the previous
        call to `trim` (the fewest objects that were idle at any time
        meanwhile), then frees the blocks of memory that hold no object in use
        or idle and gave none out since the previous call. Called periodically, it returns what a
        burst took once the burst is over, while a steady load keeps its
        objects.

        Must not be called concurrently with the destructor.

        @par Complexity
        Linear in the number of idle objects and of blocks.

        @return The number of bytes of blocks freed.
        @throws std::bad_alloc
    */
    std::size_t
    trim();

    /** Gives back every idle object and every block that is free.

        As @ref trim, but destroys all idle objects and frees every block
        that holds no object.

        @par Complexity
        Linear in the number of idle objects and of blocks.

        @return The number of bytes of blocks freed.
        @throws std::bad_alloc
    */
    std::size_t
    shrink_to_fit();

    /** Returns the bytes of memory held in blocks.

        Counts the blocks the objects in use and idle live in, and their
        free room.
    */
    std::size_t
    reserved_bytes() const noexcept
    {
        return state_->reserved_bytes();
    }

    /// Returns the number of idle objects.
    std::size_t
    idle_count() const noexcept
    {
        return state_->idle_count();
    }

    /** Returns the number of objects handed out and not yet returned.

        Objects taken with @ref pooled::detach no longer count.
    */
    std::size_t
    outstanding_count() const noexcept
    {
        return state_->outstanding_count();
    }

    /// Returns the number of objects the factory has made.
    std::size_t
    created_count() const noexcept
    {
        return state_->created_count();
    }

    /// Returns the cap on idle objects.
    std::size_t
    max_idle() const noexcept
    {
        return state_->max_idle();
    }

private:
#ifndef BOOST_MILLIO_DOCS
    static
    void
    close(detail::object_pool_state<T>* state) noexcept;

    detail::object_pool_state<T>* state_;
#endif
};

} // millio
} // boost

#include <boost/millio/impl/object_pool.hpp>

#endif
