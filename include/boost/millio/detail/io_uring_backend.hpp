//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_DETAIL_IO_URING_BACKEND_HPP
#define BOOST_MILLIO_DETAIL_IO_URING_BACKEND_HPP

#include <boost/millio/detail/backend.hpp>

#if defined(BOOST_MILLIO_HAS_IO_URING)

#include <atomic>
#include <cstdint>
#include <mutex>
#include <unordered_map>
#include <vector>

#include <liburing.h>

namespace boost {
namespace millio {
namespace detail {

/*  A request submitted through the ring for its completion (a receive, a
    send), not for readiness. Its user_data is its address with the top
    bit set (the registrations' tags never reach that bit). The backend
    calls complete() for each of its completions, from the thread in
    wait() with the backend's lock held: complete() must be short, may
    take only locks of its own and runs no user code; it appends the
    events to deliver (a registration's key and bits) to `out`. The
    completion without IORING_CQE_F_MORE is the request's last: from
    then on the backend no longer refers to the object, which may then
    destroy itself (inside complete()).
*/
class uring_completion
{
public:
    virtual void complete(int res, unsigned flags, std::vector<ready_event>& out) noexcept = 0;

    // A request waiting for buffers (see wait_for_buffers): the ring has
    // buffers again. Called once, like complete(), by the thread in
    // wait(), without the backend's lock.
    virtual void buffers_available(std::vector<ready_event>& out) noexcept
    {
        (void)out;
    }

protected:
    ~uring_completion() = default;

private:
    friend class io_uring_backend;
    // The requests in flight, for the backend's destructor (under m_);
    // or the requests waiting for buffers (under buf_m_): never both.
    uring_completion* prev_ = nullptr;
    uring_completion* next_ = nullptr;
    bool starved_ = false;      // in the list of those waiting for buffers
};

// The ring whose descriptor the calling thread has registered (one per
// thread: a loop run inside another loop's handler uses the plain
// descriptor), by the id of its backend (0: none), and the index that
// io_uring_enter takes instead of the descriptor.
struct uring_thread_ring
{
    std::uint64_t owner = 0;
    unsigned index = 0;
};

inline
uring_thread_ring&
uring_this_thread() noexcept
{
    static thread_local uring_thread_ring r;
    return r;
}

// A new backend's id: never 0, never reused.
inline
std::uint64_t
uring_next_backend_id() noexcept
{
    static std::atomic<std::uint64_t> n{0};
    return n.fetch_add(1, std::memory_order_relaxed) + 1;
}

/*  io_uring, delivering like the edge-triggered epoll backend. The
    waker is an eventfd.

    Each registration is one multishot IORING_OP_POLL_ADD (edge mode, the
    default of the kernel): every wake-up of the descriptor's wait queue
    that matches the interest posts a completion carrying the poll mask,
    and the request stays armed. That is what EPOLLET delivers: a
    readiness present when the poll is armed is reported, and then each
    new edge. Nothing needs re-arming after a handler (needs_rearm() is
    false) and an EAGAIN needs no report (would_block() does nothing).

    - remove() cancels the poll (IORING_OP_ASYNC_CANCEL by user_data;
      IORING_OP_POLL_REMOVE fails with -EALREADY while a wake-up of the
      poll is being processed, and the poll would stay armed).

    - modify() cancels the armed poll and arms a new one with the new
      interest in the same submission. Arming polls the current levels,
      so a modification reports the readiness that holds, as
      EPOLL_CTL_MOD does.

    - A multishot poll may end by itself (a completion without
      IORING_CQE_F_MORE): when its completion could not be posted, or
      when the thread that armed it exited (the kernel cancels the
      requests of an exiting task). The backend then arms it again from
      the thread in wait(). A poll that ends with an error other than a
      cancellation (the descriptor was closed before the poll was armed)
      is reported once as an error and not armed again until modified.

    - Removal safety. The kernel may post completions of a poll after it
      was removed (the cancellation's own completion, or completions
      already in the queue). No completion carries a pointer: user_data
      is the registration's key (never reused by the loop) shifted left
      by 16 bits, with a 16-bit generation below it that changes with
      every arming. A completion whose key is no longer registered, or
      whose generation is not the current one, is dropped without
      touching anything of the removed registration, so removal frees
      its state at once and no completion needs to be awaited. A
      generation wraps after 65536 armings of the same registration;
      the completions of an arming that old are long consumed.

    - Submission. An io_uring has one submission queue, filled under a
      mutex. A request runs its wake-ups on the thread that submitted it
      (task work), so the backend lets the thread that waits submit: the
      requests of add() and modify() are queued, and the next wait()
      submits them in the io_uring_enter that waits (one system call for
      all of them, none of their own); if a thread is blocked in wait()
      already, it is woken to do so. remove() submits at once, so that
      the removed poll drops its reference to the descriptor's file
      before the caller closes it. The thread in wait() consumes the
      completion queue; it blocks in io_uring_enter with a timeout
      (IORING_ENTER_EXT_ARG), and does not enter the kernel at all when
      completions are waiting and nothing is to be submitted.

    - Task work without interrupts. The ring is set up with
      IORING_SETUP_COOP_TASKRUN and IORING_SETUP_TASKRUN_FLAG (Linux
      5.19; older kernels refuse them and get a ring without): a request
      woken on another CPU (a poll, a receive) no longer interrupts the
      thread that submitted it with an IPI to run its task work at once;
      the work runs when that thread next enters the kernel, and the
      kernel raises IORING_SQ_TASKRUN meanwhile, which makes wait() enter
      even when completions are waiting. On loopback the interrupt made a
      multishot receive take the socket's lock while the sender's CPU
      still held it (a fifth of the server's time spinning in
      bench/net_cpu.sh's 100-connection case).

    - The waker is an eventfd watched by a multishot poll; wake() writes
      to it (async-signal-safe). The counter is never read: each write
      wakes the poll, and the counter cannot overflow in practice.


    What differs from epoll: a completion carries the conditions of the
    wake-up that caused it (readable on arriving bytes, writable when
    space frees), where epoll reports every condition that holds. An
    armed poll holds a reference to the descriptor's file, so a
    descriptor closed while registered stays open in the kernel (a
    socket is not shut down) until it is deregistered; with epoll the
    close removes it.
*/
class io_uring_backend final : public backend
{
    struct entry
    {
        int fd;
        unsigned events;            // the poll mask of the interest
        std::uint16_t gen;          // generation of the armed poll
        bool armed;                 // false: ended with an error, left out
    };

    static constexpr int key_shift = 16;
    // user_data of a uring_completion: its address | op_bit
    static constexpr std::uint64_t op_bit = std::uint64_t(1) << 63;
    // user_data of requests whose completion is ignored (removals)
    static constexpr std::uint64_t ignore_tag = ~std::uint64_t(0);

    io_uring ring_{};
    int efd_ = -1;
    std::uint16_t waker_gen_ = 0;

    std::mutex m_;                  // the submission queue and what follows
    std::unordered_map<std::uint64_t, entry> entries_;
    uring_completion* inflight_ = nullptr; // requests submitted, not finished
    bool in_wait_ = false;          // a thread is (about to be) blocked in wait()
    bool woken_ = false;            // ... and was woken since
    // The ring's descriptor registered with the threads that wait on it
    // (IORING_REGISTER_RING_FDS, 5.18): their io_uring_enter skips the
    // lookup of the descriptor. id_ names this backend in a thread's
    // registration (see uring_thread_ring); a refusal is not retried.
    std::uint64_t const id_;
    std::atomic<bool> ring_fd_refused_{false};

    static unsigned to_poll(interest i) noexcept;
    static unsigned from_poll(unsigned mask) noexcept;
    static std::uint64_t tag(std::uint64_t key, std::uint16_t gen) noexcept
    {
        return (key << key_shift) | gen;
    }

    io_uring_sqe* get_sqe() noexcept;
    int submit() noexcept;
    unsigned flush() noexcept;
    void queued() noexcept;
    void arm(int fd, std::uint64_t key, unsigned events, std::uint16_t gen, io_uring_sqe* sqe) noexcept;
    void arm_waker() noexcept;
    void process(io_uring_cqe const& cqe, std::vector<ready_event>& out) noexcept;
    io_uring_sqe* op_sqe(uring_completion* c) noexcept;
    bool setup_buffers() noexcept;  // m_ held
    void drain_inflight() noexcept;
    uring_completion* take_starved(bool all) noexcept;

    // The provided buffer ring of the receives (group 0), created by the
    // first setup_buffers(): buf_count_ buffers of buf_size_ bytes in
    // one slab. Buffers are given back from any thread under buf_m_.
    std::mutex buf_m_;
    io_uring_buf_ring* buf_ring_ = nullptr;
    unsigned char* slab_ = nullptr;
    std::vector<std::uint32_t> buf_meta_;
    unsigned buf_count_ = 0;
    std::size_t const buf_size_ = 8192;
    std::size_t const cap_;
    bool buf_failed_ = false;
    // The bulk ring (group 1): bulk_count_ buffers of bulk_size_ bytes,
    // for the receives of streams; their ids follow those of group 0
    // (the kernel's id in group 1 plus buf_count_). None if the kernel
    // refused it.
    io_uring_buf_ring* bulk_ring_ = nullptr;
    unsigned char* bulk_slab_ = nullptr;
    unsigned bulk_count_ = 0;
    unsigned bulk_in_ring_ = 0;
    static constexpr std::size_t bulk_size_ = 65536;
    // The buffers in the ring, as the program counts them (the kernel
    // takes one out when a completion names it); the requests that found
    // it empty, waiting for a buffer to come back; whether the thread in
    // wait() was woken for them.
    unsigned in_ring_ = 0;
    uring_completion* starved_ = nullptr;
    bool starved_woken_ = false;
    // The completion features of the kernel (uring_feature bits), less
    // those hidden (uring_hide_features).
    unsigned const features_;

public:
    // Throws system_error if io_uring is unavailable (not built in the
    // kernel, disabled, refused by a seccomp filter or too old).
    explicit io_uring_backend(std::size_t cap);
    ~io_uring_backend();

    void add(int fd, std::uint64_t key, interest i, error_code& ec) override;
    void modify(int fd, std::uint64_t key, interest i, error_code& ec) override;
    void remove(int fd, std::uint64_t key) noexcept override;
    void wait(std::vector<ready_event>& out, std::size_t cap, std::int64_t timeout_ns, error_code& ec) override;
    void wake() noexcept override;
    void thread_begin() noexcept override;
    void thread_end() noexcept override;

    // Multishot polls report every edge: nothing to rearm.
    bool needs_rearm() const noexcept override { return false; }
    void rearm(std::uint64_t) noexcept override {}
    void would_block(std::uint64_t, interest) noexcept override {}

    //--------------------------------------------------------------------------
    // Completion requests (see uring_completion). The requests are queued
    // and submitted by the next wait(), in the io_uring_enter that waits
    // (a thread blocked in wait() is woken to do so). Each returns false
    // if no submission queue entry could be had.

    // The uring_feature bits of the kernel, probed once per process
    // with a ring of its own.
    static unsigned probe_features() noexcept;

    // The provided buffer ring exists (created on first use) and the
    // kernel has multishot receives; false if it refuses either.
    bool buffers_ready() noexcept;
    // The kernel has multishot accepts.
    bool accept_ready() const noexcept;
    std::size_t buffer_size() const noexcept { return buf_size_; }
    unsigned buffer_count() const noexcept { return buf_count_; }
    // The bulk ring: its buffers' size and number (0: no bulk ring), and
    // whether buffer `bid` is one of them.
    std::size_t bulk_buffer_size() const noexcept { return bulk_size_; }
    unsigned bulk_buffer_count() const noexcept { return bulk_count_; }
    bool is_bulk(unsigned bid) const noexcept { return bid >= buf_count_; }
    // The id of the buffer that a completion of a receive names.
    unsigned buffer_id(bool bulk, unsigned kernel_bid) const noexcept
    {
        return bulk ? buf_count_ + kernel_bid : kernel_bid;
    }
    unsigned char* buffer(unsigned bid) const noexcept
    {
        return is_bulk(bid) ? bulk_slab_ + std::size_t(bid - buf_count_) * bulk_size_ :
            slab_ + std::size_t(bid) * buf_size_;
    }
    // Per buffer, for the holder of a buffer taken from the ring: the
    // next buffer of a list, and a length.
    std::uint32_t& buffer_link(unsigned bid) noexcept { return buf_meta_[2 * std::size_t(bid)]; }
    std::uint32_t& buffer_length(unsigned bid) noexcept { return buf_meta_[2 * std::size_t(bid) + 1]; }
    // Give buffer `bid` back to the ring. Any thread.
    void give_back(unsigned bid) noexcept;
    // The buffers in the ring (the bulk ring if `bulk`) now (a hint: any
    // thread may take or give back one the next moment).
    unsigned buffers_in_ring(bool bulk = false) noexcept;
    // The last completion of request `c` said the ring was empty
    // (-ENOBUFS): c->buffers_available() is called once the ring holds a
    // buffer again, by the thread in wait(), so that the request is not
    // submitted again while it would fail at once. Called from complete().
    void wait_for_buffers(uring_completion* c) noexcept;
    // `c` no longer waits for buffers (its owner closes). True if it was
    // waiting: buffers_available() is then not called.
    bool forget_starved(uring_completion* c) noexcept;
    // Take buffer `bid`, which a completion names, with its length: the
    // kernel hands it out only after the give_back() that returned it,
    // and buf_m_ makes that order visible to the program (and to thread
    // sanitizers, which do not see the kernel).
    void
    take_buffer(unsigned bid, std::uint32_t len) noexcept
    {
        std::lock_guard<std::mutex> lk(buf_m_);
        buffer_link(bid) = 0xffffffffu;
        buffer_length(bid) = len;
        if(is_bulk(bid))
            --bulk_in_ring_;
        else
            --in_ring_;
    }

    // A multishot accept on the listening socket `fd` (accepted sockets
    // are non-blocking and close-on-exec).
    bool accept_multishot(int fd, uring_completion* c) noexcept;
    // A multishot receive on `fd` into the provided buffers (those of
    // the bulk ring if `bulk`).
    bool recv_multishot(int fd, uring_completion* c, bool bulk = false) noexcept;
    // A send of [p, p + n) on `fd` (MSG_NOSIGNAL); the bytes stay valid
    // until its completion.
    bool send(int fd, void const* p, std::size_t n, uring_completion* c) noexcept;
    // A send of the bytes `m` describes on `fd` (MSG_NOSIGNAL); `m`, its
    // segments and their bytes stay valid until its completion.
    bool sendmsg(int fd, ::msghdr const* m, uring_completion* c) noexcept;
    // Cancel the request of `c`, if in flight; submitted at once, so that
    // the request drops its reference to the descriptor's file soon.
    void cancel(uring_completion* c) noexcept;
};

} // detail
} // millio
} // boost

#endif

#endif
