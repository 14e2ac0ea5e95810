//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_NET_DETAIL_CONNECTION_HPP
#define BOOST_MILLIO_NET_DETAIL_CONNECTION_HPP

#include <boost/millio/detail/config.hpp>
#include <boost/millio/buffer_pool.hpp>
#include <boost/millio/detail/reactor.hpp>
#include <boost/millio/error.hpp>
#include <boost/millio/event.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>

namespace boost {
namespace millio {
namespace net {
namespace detail {

class connection;
class uring_io;

// Synthetic event flag: "look at your state" (close requests, errors).
constexpr unsigned flag_wake = 1u << 8;

// Event flag of the completion path (io_uring): a receive or a send of
// the connection completed.
constexpr unsigned flag_complete = 1u << 9;

// What a connection reports to its server or client.
class connection_owner
{
public:
    // The connection is established; calls on_event + on_connect (may throw).
    virtual void conn_connected(connection& c) = 0;
    // Received bytes (may throw).
    virtual void conn_data(connection& c, asio::const_buffer b) = 0;
    // The queue drained below the low-water mark after a refusal (may throw).
    virtual void conn_writable(connection& c) = 0;
    // An error of the connection (swallows exceptions).
    virtual void conn_error(connection& c, error_code ec) noexcept = 0;
    // The connection closed; `notified` is true if conn_connected ran.
    // Called exactly once, last (swallows exceptions).
    virtual void conn_closed(connection& c, bool notified) noexcept = 0;

protected:
    ~connection_owner() = default;
};

// One TCP connection: a non-blocking socket, its send queue and its
// registration. The registration's handler (connection::handle) is the
// only place that reads, flushes the queue and closes, so all of that
// is serialized; send() and close() may be called from any thread.
class connection
    : public std::enable_shared_from_this<connection>
{
public:
    using endpoint_type = asio::ip::tcp::endpoint;

    struct limits
    {
        std::size_t buffer_size;
        std::size_t high_water;
        std::size_t low_water;
        // Bytes read per readiness event before yielding to other work
        // (at least one read is made).
        std::size_t read_budget = 256 * 1024;
        // Larger read buffers, used while reads fill the small ones; null:
        // reads use the small buffers only.
        buffer_pool* bulk_pool = nullptr;
        // Deadlines in nanoseconds, 0: none (see check_deadlines). The
        // owner calls check_deadlines from a periodic timer.
        std::int64_t close_timeout = 0;    // closing started -> reset
        std::int64_t write_timeout = 0;    // queued bytes, no progress -> reset
        // Stop reading while the send queue is near the high-water mark
        // (a server's connection: its writes answer its reads). A client
        // reads whatever its own queue holds: its writes are the user's,
        // refused above the mark, and a peer that also stops reading
        // while its queue to the client is full would wait for it.
        bool pause_reads = true;
        // On the completion path (io_uring), write at once while nothing
        // is queued or in flight, as the readiness path does, instead of
        // through the ring (a client: a refused send then means a full
        // socket, from which its write time-out counts).
        bool eager_send = false;
    };

    BOOST_MILLIO_DECL
    connection(
        connection_owner& owner,
        millio::detail::reactor& r,
        buffer_pool& pool,
        int fd,
        std::uint64_t id,
        endpoint_type const& peer,
        limits const& lim,
        bool connecting) noexcept;

    BOOST_MILLIO_DECL
    ~connection();

    connection(connection const&) = delete;
    connection& operator=(connection const&) = delete;

    // Register with the reactor. On failure the socket stays open (the
    // caller closes it by destroying the connection).
    BOOST_MILLIO_DECL
    void
    open(millio::token t, bool user, error_code& ec);

    BOOST_MILLIO_DECL
    void
    send(asio::const_buffer b, error_code& ec);

    // Graceful close from any thread.
    BOOST_MILLIO_DECL
    void
    close() noexcept;

    // Close because the idle timeout expired, from any thread: the
    // handler reports error::idle_timeout and closes at once.
    void expire_idle() noexcept
    {
        expire(error::idle_timeout);
    }

    // Close because a deadline expired, from any thread: the handler
    // reports `e` and closes at once; for close_timeout and
    // write_timeout it resets the connection (SO_LINGER 0) so that the
    // kernel drops what it still holds for the peer. The first
    // expiry wins.
    BOOST_MILLIO_DECL
    void
    expire(error e) noexcept;

    // The deadline of this connection that has passed at `now` (see
    // now_ns), if any: error::close_timeout, error::write_timeout or
    // (idle_limit > 0) error::idle_timeout; error{} if none. Reads
    // atomics only: callable from any thread, under the owner's lock.
    BOOST_MILLIO_DECL
    error
    check_deadlines(std::int64_t now, std::int64_t idle_limit) const noexcept;

    // Nanoseconds on the steady clock of the last byte read or written.
    std::int64_t last_active() const noexcept
    {
        return last_active_.load(std::memory_order_relaxed);
    }

    static std::int64_t now_ns() noexcept
    {
        return std::chrono::duration_cast<std::chrono::nanoseconds>(
            std::chrono::steady_clock::now().time_since_epoch()).count();
    }

    void touch() noexcept
    {
        last_active_.store(now_ns(), std::memory_order_relaxed);
    }

    // Immediate close, without flushing. From a thread outside the loop:
    // returns after the connection was closed and reported (by this call
    // or by its handler). From a thread of the loop: does not wait; the
    // handler is not called again, and a call of it running meanwhile on
    // another thread closes and reports the connection when it returns
    // (from the handler itself, this call closes and reports at once).
    BOOST_MILLIO_DECL
    void
    close_now() noexcept;

    // The registration's handler.
    BOOST_MILLIO_DECL
    void
    handle(unsigned bits) noexcept;

    // Keep `p` (what the owner lent: itself, its buffer pool) alive as
    // long as the connection. Set before open(), or by the owner when it
    // stops waiting for the connection (its destructor on a loop thread).
    void keep_alive(std::shared_ptr<void> p) noexcept
    {
        keep_ = std::move(p);
    }

    // Give up the socket after a failed open().
    int release_fd() noexcept
    {
        int f = fd_;
        fd_ = -1;
        return f;
    }

    std::uint64_t id() const noexcept { return id_; }
    endpoint_type const& peer() const noexcept { return peer_; }
    connection_owner& owner() const noexcept { return owner_; }

    // True from on_connect until closing starts.
    bool is_open() const noexcept
    {
        return open_.load(std::memory_order_acquire);
    }

    // The connection whose handler runs on this thread, if any.
    BOOST_MILLIO_DECL
    static
    connection*
    current() noexcept;

private:
    struct chunk
    {
        pooled_buffer buf;
        std::size_t begin;
        std::size_t end;
    };

    void handle_events(unsigned bits) noexcept;
    void append(unsigned char const* p, std::size_t n);
    void update_interest() noexcept;   // m_ held; poll backend only
    bool flush(error_code& ec);        // m_ not held; returns "notify writable"
    void finish(error_code ec) noexcept;
    void start_closing() noexcept;     // m_ held
    void finish_removed(error_code ec) noexcept;
    bool do_read(unsigned bits, error_code& ec);
    // The completion path (io_uring; see uring_io): set up by open(),
    // replacing do_read and the sends of flush and send.
    bool uring_open() noexcept;        // m_ held: use it?
    void uring_start(std::uint64_t key) noexcept; // m_ held, registered
    bool can_resume() const noexcept;
    bool uring_read(error_code& ec);
    bool uring_flush(error_code& ec);  // m_ held
    int uring_take_send() noexcept;    // m_ held; an errno
    void uring_adapt(bool bulk, std::size_t got) noexcept;
    void uring_start_send() noexcept;  // m_ held
    int uring_send(unsigned char const* p, std::size_t n); // m_ held; an errno
    void uring_close() noexcept;

    std::shared_ptr<void> keep_;   // destroyed last
    connection_owner& owner_;
    millio::detail::reactor& reactor_;
    buffer_pool& pool_;
    int fd_;
    std::uint64_t id_;
    endpoint_type peer_;
    limits lim_;
    bool et_;

    millio::detail::registration* reg_ = nullptr;
    uring_io* uio_ = nullptr;    // the completion path, if used
    // The completion path: set while the handler delivers received
    // buffers, so that the sends they cause go out as one, started by
    // the flush that follows (read by send() on any thread).
    std::atomic<bool> rx_cork_{false};

    // handler-only state
    bool notified_ = false;
    bool read_eof_ = false;
    bool paused_ = false;
    bool shut_wr_ = false;
    bool bulk_ = false;       // reads use bulk_pool buffers
    // The completion path's receive ring (see uring_read): bulk or small,
    // and the run of full small buffers, or of bulk ones that a small
    // buffer would have held.
    bool uring_bulk_ = false;
    unsigned uring_run_ = 0;
    bool yielded_ = false;    // the read budget ran out with bytes left
    bool peer_closed_ = false; // an event reported the peer's close or an error

    // state shared with other threads, under m_
    std::mutex m_;
    bool connecting_;
    std::atomic<bool> closing_{false};
    bool want_read_ = true;
    bool closed_ = false;
    bool refused_ = false;
    int error_ = 0;
    error expired_{};                   // a deadline passed (expire)
    std::atomic<std::int64_t> last_active_{now_ns()};
    // When closing started (0: not closing), and when the send queue
    // last made progress or became non-empty.
    std::atomic<std::int64_t> closing_since_{0};
    std::atomic<std::int64_t> write_since_{0};
    interest interest_;
    std::deque<chunk> queue_;
    std::atomic<std::size_t> queued_{0};
    std::atomic<bool> open_{false};
    // The completion path: the received buffer being delivered, whose
    // bytes a send may borrow instead of copying (see uring_send), and
    // whether one did.
    unsigned char const* rx_lend_ = nullptr;
    std::size_t rx_lend_size_ = 0;
    unsigned rx_lend_bid_ = 0;
    bool rx_lent_ = false;

    // A close_now() from a thread of the loop leaves closing and reporting
    // to a call of the handler that is running (see close_now).
    std::atomic<bool> in_handle_{false};
    std::atomic<bool> handoff_{false};

    // close_now() waits for the handler to finish closing
    std::condition_variable done_cv_;
    bool done_ = false;
};

} // detail
} // net
} // millio
} // boost

#endif
