//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_BUFFER_POOL_HPP
#define BOOST_MILLIO_BUFFER_POOL_HPP

#include <boost/millio/detail/config.hpp>
#include <boost/millio/detail/pool_core.hpp>
#include <boost/millio/error.hpp>
#include <boost/asio/buffer.hpp>

#include <cstddef>

namespace boost {
namespace millio {

#ifndef BOOST_MILLIO_DOCS
class buffer_pool;
#endif

/** A move-only handle to a byte buffer borrowed from a @ref buffer_pool.

    The buffer has the pool's fixed size; its contents are unspecified
    when acquired (buffers are neither zeroed nor cleared on return).
    When the handle is destroyed (or @ref reset is called) the buffer
    goes back to its pool.

    A handle may safely outlive the pool that produced it: the pool's
    shared state lives until the last outstanding buffer is returned, and
    a buffer returned to a destroyed pool is simply freed.

    @par Thread Safety
    Distinct handles may be used and destroyed concurrently on any
    threads. One handle is not safe to use from two threads at once.

    @par Example
    @snippet doc_reference_net.cpp ref_buffer_pool
*/
class pooled_buffer
{
public:
    /// Constructs an empty handle.
    pooled_buffer() noexcept = default;

    /** Move constructor.

        @param other The handle to take the buffer from. It becomes empty.
    */
    pooled_buffer(pooled_buffer&& other) noexcept
        : core_(other.core_)
        , data_(other.data_)
        , size_(other.size_)
    {
        other.core_ = nullptr;
        other.data_ = nullptr;
        other.size_ = 0;
    }

    /** Move assignment.

        Returns the buffer owned by `*this` (if any) to its pool, then
        takes the buffer of `other`. Self-assignment does nothing.

        @param other The handle to take the buffer from. It becomes empty.
        @return `*this`.
    */
    pooled_buffer&
    operator=(pooled_buffer&& other) noexcept
    {
        if(this != &other)
        {
            reset();
            core_ = other.core_;
            data_ = other.data_;
            size_ = other.size_;
            other.core_ = nullptr;
            other.data_ = nullptr;
            other.size_ = 0;
        }
        return *this;
    }

    pooled_buffer(pooled_buffer const&) = delete;
    pooled_buffer& operator=(pooled_buffer const&) = delete;

    /// Destructor. Returns the buffer, if any, to its pool.
    ~pooled_buffer()
    {
        if(data_)
            reset();
    }

    /// Returns a pointer to the first byte, or `nullptr` if empty.
    unsigned char*
    data() const noexcept
    {
        return data_;
    }

    /// Returns the size of the buffer in bytes, or 0 if empty.
    std::size_t
    size() const noexcept
    {
        return size_;
    }

    /// Returns `true` if the handle owns a buffer.
    explicit
    operator bool() const noexcept
    {
        return data_ != nullptr;
    }

    /// Returns a modifiable Asio view of the whole buffer.
    asio::mutable_buffer
    buffer() const noexcept
    {
        return asio::mutable_buffer(data_, size_);
    }

    /// Returns a read-only Asio view of the whole buffer.
    asio::const_buffer
    const_buffer() const noexcept
    {
        return asio::const_buffer(data_, size_);
    }

    /// Converts to a modifiable Asio view of the whole buffer.
    operator asio::mutable_buffer() const noexcept
    {
        return buffer();
    }

    /// Converts to a read-only Asio view of the whole buffer.
    operator asio::const_buffer() const noexcept
    {
        return const_buffer();
    }

    /** Returns the buffer to its pool now.

        Afterwards the handle is empty. Does nothing on an empty handle.
        Named as `std::unique_ptr::reset()`, which it resembles.

        @par Exception Safety
        No-throw guarantee.

        @par Complexity
        Constant.
    */
    void
    reset() noexcept
    {
        if(! data_)
            return;
        detail::pool_core* const core = core_;
        void* const p = data_;
        core_ = nullptr;
        data_ = nullptr;
        size_ = 0;
        void* out[detail::pool_core::max_flush];
        std::size_t const n = core->push(p, out);
        for(std::size_t i = 0; i < n; ++i)
            give_back_slow(core, out[i]);
    }

private:
#ifndef BOOST_MILLIO_DOCS
    friend class buffer_pool;

    BOOST_MILLIO_DECL
    static
    void
    give_back_slow(detail::pool_core* core, void* p) noexcept;

    pooled_buffer(
        detail::pool_core* core,
        void* data,
        std::size_t size) noexcept
        : core_(core)
        , data_(static_cast<unsigned char*>(data))
        , size_(size)
    {
    }

    detail::pool_core* core_ = nullptr;
    unsigned char* data_ = nullptr;
    std::size_t size_ = 0;
#endif
};

/** A thread-safe pool of fixed-size byte buffers.

    Every buffer has the size chosen at construction. Buffers come from
    blocks of Boost.Pool storage (of at most about 1 MiB each; large
    blocks are mapped from the system), are reused most recently returned
    first, and at most @ref max_idle of them are kept idle; a buffer
    returned beyond the cap goes back to its block. @ref trim and
    @ref shrink_to_fit give the blocks that hold no buffer back to the
    system; otherwise they are kept until the pool and all its buffers
    are gone.

    Each thread keeps a few idle buffers in a cache of its own (at most
    64 and about 128 KiB, within the cap; none when the cap is below 16),
    so that threads sharing a pool do not contend. They count as idle;
    they go back to the pool when the thread exits, are reached by
    @ref trim and @ref shrink_to_fit, and are freed with the pool.

    Every buffer is aligned at least to `alignof(std::max_align_t)`: each
    one takes its size rounded up to a multiple of that alignment from
    Boost.Pool, though @ref buffer_size and `pooled_buffer::size` report
    the size asked for. Buffers whose size is a multiple of 64 bytes start
    on a 64-byte boundary, so that two of them, used by two threads, never
    share a cache line.

    @par Thread Safety
    All member functions may be called concurrently.
*/
class buffer_pool
{
public:
    /// The default cap on idle buffers.
    static constexpr std::size_t default_max_idle = 1024;

    /** Constructor.

        No buffers are made up front; at most @ref default_max_idle are
        kept idle.

        @param buffer_size The size of every buffer in bytes.

        @throws system_error `error::invalid_argument` if `buffer_size` is 0.
        @throws std::bad_alloc
    */
    BOOST_MILLIO_DECL
    explicit
    buffer_pool(std::size_t buffer_size);

    /** Constructor.

        @param buffer_size The size of every buffer in bytes.
        @param initial_count The number of buffers made up front.
        @param max_idle The most idle buffers kept; 0 disables caching.

        @throws system_error `error::invalid_argument` if `buffer_size` is 0
        or `initial_count > max_idle`.
        @throws std::bad_alloc
    */
    BOOST_MILLIO_DECL
    buffer_pool(
        std::size_t buffer_size,
        std::size_t initial_count,
        std::size_t max_idle);

    /** Destructor.

        Frees the idle buffers. Outstanding handles stay valid.
    */
    BOOST_MILLIO_DECL
    ~buffer_pool();

    buffer_pool(buffer_pool const&) = delete;
    buffer_pool& operator=(buffer_pool const&) = delete;

    /** Borrows a buffer.

        @par Exception Safety
        Strong guarantee.

        @par Complexity
        Constant.

        @return A handle owning a buffer of @ref buffer_size bytes.
        @throws std::bad_alloc
    */
    pooled_buffer
    acquire()
    {
        void* p = core_->pop();
        if(! p)
            p = core_->allocate();
        return pooled_buffer(core_, p, size_);
    }

    /** Gives memory back to the system, keeping what is in use.

        Drops the idle buffers that were not needed since the previous
        call to `trim` (the fewest buffers that were idle at any time
        meanwhile), then frees the blocks of memory that hold no buffer in use
        or idle and gave none out since the previous call. Called periodically (as
        `net::tcp_server` does), it returns what a burst took once the
        burst is over, while a steady load keeps its buffers.

        Must not be called concurrently with the destructor.

        @par Complexity
        Linear in the number of idle buffers and of blocks.

        @return The number of bytes of blocks freed.
        @throws std::bad_alloc
    */
    BOOST_MILLIO_DECL
    std::size_t
    trim();

    /** Gives back every idle buffer and every block that is free.

        As @ref trim, but drops all idle buffers and frees every block
        that holds no buffer.

        @par Complexity
        Linear in the number of idle buffers and of blocks.

        @return The number of bytes of blocks freed.
        @throws std::bad_alloc
    */
    BOOST_MILLIO_DECL
    std::size_t
    shrink_to_fit();

    /** Returns the bytes of memory held in blocks.

        Counts the blocks the buffers in use and idle live in, and their
        free room.
    */
    BOOST_MILLIO_DECL
    std::size_t
    reserved_bytes() const noexcept;

    /// Returns the size of every buffer in bytes.
    BOOST_MILLIO_DECL
    std::size_t
    buffer_size() const noexcept;

    /// Returns the cap on idle buffers.
    BOOST_MILLIO_DECL
    std::size_t
    max_idle() const noexcept;

    /// Returns the number of idle buffers.
    BOOST_MILLIO_DECL
    std::size_t
    idle_count() const noexcept;

    /// Returns the number of buffers handed out and not yet returned.
    BOOST_MILLIO_DECL
    std::size_t
    outstanding_count() const noexcept;

    /// Returns the number of buffers allocated so far.
    BOOST_MILLIO_DECL
    std::size_t
    created_count() const noexcept;

private:
#ifndef BOOST_MILLIO_DOCS
    detail::pool_core* core_;
    std::size_t size_; // as asked for; the core's chunks are rounded up
#endif
};

} // millio
} // boost

#endif
