//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_NET_DETAIL_URING_CONNECTION_HPP
#define BOOST_MILLIO_NET_DETAIL_URING_CONNECTION_HPP

#include <boost/millio/detail/config.hpp>

#if defined(BOOST_MILLIO_HAS_IO_URING)

#include <boost/millio/detail/io_uring_backend.hpp>
#include <boost/millio/detail/uring_hooks.hpp>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace boost {
namespace millio {
namespace net {
namespace detail {

/*  The completion path of a connection on the io_uring backend: one
    multishot receive into the backend's provided buffers and one send
    at a time, both submitted through the ring (the wait of the loop
    submits them; no system call of their own).

    A completion reaches the connection as an event of its registration
    (the bits given to the constructor), so that the connection's handler
    stays the only place that reads, flushes and closes, serialized as
    with readiness events. The completion only records its result here.

    Lifetime: the connection holds one reference, each request in flight
    one more. A request in flight may write into a provided buffer (a
    receive) or read this object's send buffer until its last completion,
    so the object lives until then, whatever happened to its connection:
    release() gives up the connection's reference (and the received
    buffers not delivered), cancel() asks the kernel to end the requests.

    Bytes of a received buffer that the handler sends back (an echo, a
    proxy) are not copied: the buffer is lent to the send and goes back
    to the ring when the send is done (or with this object).

    Threads: the received results are shared with the thread in the
    backend's wait() under lk_; the send state is used under the
    connection's mutex (send() and the handler).
*/
class uring_io
{
public:
    // A received result: res > 0 bytes in buffer `bid`; 0 the end of the
    // stream; < 0 an error (-errno).
    struct rx
    {
        int res;
        unsigned bid;
    };

    BOOST_MILLIO_DECL
    uring_io(millio::detail::io_uring_backend& be, int fd, std::uint64_t key, unsigned bits);

    uring_io(uring_io const&) = delete;
    uring_io& operator=(uring_io const&) = delete;

    // The connection's reference: received buffers not delivered go back
    // to the ring.
    BOOST_MILLIO_DECL
    void
    release() noexcept;

    // Cancel the requests in flight (the connection closes).
    BOOST_MILLIO_DECL
    void
    cancel() noexcept;

    //--------------------------------------------------------------------------
    // receiving (the connection's handler)

    // The oldest result not delivered, if any.
    BOOST_MILLIO_DECL
    bool
    front(rx& e) noexcept;

    // Remove the oldest result, giving its buffer back unless `keep`
    // (lent to a send: see lend()).
    BOOST_MILLIO_DECL
    void
    pop(bool keep = false) noexcept;

    unsigned char const* data(rx const& e) const noexcept
    {
        return be_.buffer(e.bid);
    }

    std::size_t buffer_size() const noexcept
    {
        return be_.buffer_size();
    }

    bool is_bulk(rx const& e) const noexcept
    {
        return be_.is_bulk(e.bid);
    }

    // Receive into the bulk ring's buffers (a stream) or the small ones,
    // from the next arming on (a receive armed on the other ring is
    // cancelled, and armed again by the handler). When the bulk ring is
    // empty the receive goes back to the small buffers.
    BOOST_MILLIO_DECL
    void
    set_bulk(bool on) noexcept;

    // Arm the multishot receive unless it is armed, waits for buffers, or
    // the stream ended. False if it could not be submitted.
    BOOST_MILLIO_DECL
    bool
    arm_recv() noexcept;

    // Stop receiving (back-pressure) until arm_recv().
    BOOST_MILLIO_DECL
    void
    pause_recv() noexcept;

    //--------------------------------------------------------------------------
    // sending (under the connection's mutex)

    bool send_busy() const noexcept
    {
        return tx_busy_;
    }

    // Nothing in flight and nothing lent waits to be sent.
    bool send_idle() const noexcept
    {
        return !tx_busy_ && lend_n_ == 0;
    }

    // Segments lent, not sent yet (start_lent_send()).
    bool lend_pending() const noexcept
    {
        return !tx_busy_ && lend_n_ > 0;
    }

    // Lend the bytes [p, p + n) of received buffer `bid` to the next
    // send, instead of copying them: the buffer goes back to the ring
    // once they are sent (and `first` says it is not lent yet: its
    // holder then keeps it, pop(true)). False if nothing more can be
    // lent (no send may be busy): too many segments, or the ring is low
    // on buffers, which the other connections need to receive.
    BOOST_MILLIO_DECL
    bool
    lend(unsigned bid, bool first, unsigned char const* p, std::size_t n) noexcept;

    // Send the segments lent, in one request. False if it could not be
    // submitted.
    BOOST_MILLIO_DECL
    bool
    start_lent_send() noexcept;

    // A buffer of `n` bytes for the next send, or null; not busy.
    BOOST_MILLIO_DECL
    unsigned char*
    send_buffer(std::size_t n);

    // Send the `n` first bytes of the send buffer. False if it could not
    // be submitted.
    BOOST_MILLIO_DECL
    bool
    start_send(std::size_t n) noexcept;

    // The result of the send, if it completed: the bytes sent, or
    // -errno. What the kernel did not take of the send buffer is sent
    // again at once (the send stays busy).
    BOOST_MILLIO_DECL
    bool
    take_send(int& res) noexcept;

private:
    struct op : millio::detail::uring_completion
    {
        uring_io* self;
        bool recv;
        void complete(int res, unsigned flags, std::vector<millio::detail::ready_event>& out) noexcept override;
        void buffers_available(std::vector<millio::detail::ready_event>& out) noexcept override;
    };

    // Send buffers up to this size come from the heap, larger ones are
    // mapped.
    static constexpr std::size_t tx_small = 16384;
    // Segments (and buffers) of one lent send at most.
    static constexpr unsigned lend_max = 16;

    BOOST_MILLIO_DECL ~uring_io();
    void drop() noexcept;
    void free_tx() noexcept;
    void end_lent() noexcept;
    bool submit_lent() noexcept;
    void on_recv(int res, unsigned flags, std::vector<millio::detail::ready_event>& out) noexcept;
    void on_send(int res, unsigned flags, std::vector<millio::detail::ready_event>& out) noexcept;
    void on_buffers(std::vector<millio::detail::ready_event>& out) noexcept;
    void push(unsigned bid, int len) noexcept;   // lk_ held
    bool take(rx& e) noexcept;  // lk_ held

    millio::detail::io_uring_backend& be_;
    int const fd_;
    std::uint64_t const key_;
    unsigned const bits_;
    std::atomic<int> refs_{1};
    op recv_op_;
    op send_op_;

    std::mutex lk_;
    // The buffers received and not delivered, oldest first, linked
    // through the backend's buffer_link; then the end of the stream or
    // an error, if end_pending_.
    static constexpr std::uint32_t none = ~std::uint32_t(0);
    std::uint32_t rx_head_ = none;
    std::uint32_t rx_tail_ = none;
    int end_res_ = 0;
    bool end_pending_ = false;
    bool recv_armed_ = false;
    bool recv_end_ = false;     // the end of the stream or an error came
    bool want_bulk_ = false;    // arm the receive on the bulk ring
    bool armed_bulk_ = false;   // the receive armed is on the bulk ring
    // The receive found the buffer ring empty: it waits for a buffer to
    // come back (the backend's wait_for_buffers) instead of being armed
    // again at once, which would fail at once while none is returned.
    bool starved_ = false;
    bool released_ = false;
    bool canceled_ = false;
    bool tx_done_ = false;
    int tx_res_ = 0;

    // under the connection's mutex
    unsigned char* tx_ = nullptr;
    std::size_t tx_cap_ = 0;
    std::size_t tx_off_ = 0;
    std::size_t tx_len_ = 0;
    bool tx_busy_ = false;
    // The send in flight is of lent segments (else of tx_).
    bool tx_lent_ = false;
    // Lent segments: [lend_first_, lend_n_) are not sent yet; the
    // buffers they lie in, given back when all are sent.
    ::iovec lend_iov_[lend_max];
    unsigned lend_first_ = 0;
    unsigned lend_n_ = 0;
    unsigned lend_bids_[lend_max];
    unsigned lend_nbids_ = 0;
    ::msghdr lend_msg_{};
};

/*  The multishot accept of a tcp_server's listener on the io_uring
    backend: one request accepts every peer of the backlog as it comes,
    without a readiness event and an accept4 call each. Its completions
    queue the accepted sockets (or the error that ended the request) and
    report an event of the listener's registration, whose handler takes
    them (serialized as the readiness path's accepts were) and arms the
    request again once it ended.

    Lifetime as uring_io: the server holds one reference, the request in
    flight one more; release() closes the sockets not taken.
*/
class uring_acceptor
{
public:
    BOOST_MILLIO_DECL
    uring_acceptor(millio::detail::io_uring_backend& be, int fd, std::uint64_t key, unsigned bits);

    uring_acceptor(uring_acceptor const&) = delete;
    uring_acceptor& operator=(uring_acceptor const&) = delete;

    // Arm the request unless it is armed or cancelled. False if it could
    // not be submitted.
    BOOST_MILLIO_DECL
    bool
    arm() noexcept;

    // The oldest accepted socket (fd >= 0), else the error that ended the
    // request (err > 0, once); false if neither.
    BOOST_MILLIO_DECL
    bool
    take(int& fd, int& err) noexcept;

    // Cancel the request (the server stops); it is not armed again.
    BOOST_MILLIO_DECL
    void
    cancel() noexcept;

    // The server's reference: the sockets not taken are closed.
    BOOST_MILLIO_DECL
    void
    release() noexcept;

private:
    struct op : millio::detail::uring_completion
    {
        uring_acceptor* self;
        void complete(int res, unsigned flags, std::vector<millio::detail::ready_event>& out) noexcept override;
    };

    BOOST_MILLIO_DECL ~uring_acceptor();
    void drop() noexcept;

    millio::detail::io_uring_backend& be_;
    int const fd_;
    std::uint64_t const key_;
    unsigned const bits_;
    std::atomic<int> refs_{1};
    op op_;

    std::mutex lk_;
    std::vector<int> fds_;      // accepted, not taken (oldest first)
    std::size_t head_ = 0;
    int err_ = 0;
    bool armed_ = false;
    bool canceled_ = false;
    bool released_ = false;
};

} // detail
} // net
} // millio
} // boost

#endif

#endif
