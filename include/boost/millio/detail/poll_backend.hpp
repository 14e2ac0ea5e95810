//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_DETAIL_POLL_BACKEND_HPP
#define BOOST_MILLIO_DETAIL_POLL_BACKEND_HPP

#include <boost/millio/detail/backend.hpp>

#include <cstdint>
#include <mutex>
#include <unordered_map>
#include <vector>

#include <poll.h>

namespace boost {
namespace millio {
namespace detail {

/*  poll(2), made to deliver like the edge-triggered epoll backend. The
    waker is a pipe.

    poll(2) reports levels: a writable socket is reported by every call
    for as long as it stays writable. Edges are emulated per condition of
    a registration:

    - A reported condition (readable, writable) is taken out of the
      descriptor's poll mask: it is not reported again while its handler
      runs.

    - When the handler has returned (rearm), one poll(2) of that
      descriptor with a zero timeout reads the current levels. A
      condition that is low was consumed and is watched again: its next
      rise is an edge. Readability that is high is watched again too:
      bytes may have arrived after the handler read until EAGAIN, and
      losing them would hang the reader (a handler that leaves bytes
      unread is therefore called again, as with a level-triggered API).
      Writability that is high stays out of the mask ("parked"): an idle
      socket is writable for ever, and reporting it again would spin.

    - A parked condition is watched again by the next rearm that finds
      it low, by modify() (which re-evaluates every level, as
      EPOLL_CTL_MOD does) and by would_block(), which the library's own
      I/O code calls when a write fails with EAGAIN (mio rearms on
      WouldBlock the same way).

    - A hang-up or error (POLLHUP, POLLERR) is reported once; the
      descriptor is then left out of poll(2), which would report it in
      every call whatever the mask, until a rearm finds it cleared or the
      registration is modified. The peer's shutdown (POLLRDHUP, Linux) is
      final too: readability is not watched again once it was reported.
      A closed descriptor (POLLNVAL) is reported once, then left out
      until modified or removed.

    What remains different from epoll: writability that drops and rises
    again while it is parked is not seen. That happens when a program
    writes until EAGAIN outside a handler, or when the buffer drains
    again before the handler that wrote it full has returned; the net
    code reports its EAGAINs (would_block), a program calls
    reregister_source. A report carries the conditions that rose, not
    every condition that holds. Without POLLRDHUP, end of file stays
    readable: a handler that keeps its registration after end of file is
    called again. Watching parked conditions by re-polling them in every wait
    was rejected: a zero-timeout poll(2) costs about 0.1 us per
    descriptor, a drop that happens while the loop sleeps is only seen
    with a bounded wait timeout (periodic wake-ups), and a drop and rise
    between two checks is missed all the same.
*/
class poll_backend final : public backend
{
    struct entry
    {
        int fd;
        std::size_t slot;       // index in pfds_
        short want;             // the events of the interest
        short armed;            // the events watched: want minus reported and parked
        bool hung = false;      // POLLHUP or POLLERR reported: left out
        bool gone = false;      // POLLNVAL reported: left out until modified
        bool read_done = false; // POLLRDHUP reported: the read side is final
    };

    int wake_rd_ = -1;
    int wake_wr_ = -1;

    // Guarded by m_.
    std::mutex m_;
    std::unordered_map<std::uint64_t, entry> entries_;
    std::vector<pollfd> pfds_;          // slot 0 is the waker
    std::vector<std::uint64_t> keys_;   // the key of each slot
    bool dirty_ = true;                 // pfds_ changed since the poller copied it
    bool in_wait_ = false;              // a thread is in poll(2) with a copy
    bool woken_ = false;                // ... and was woken since it copied

    // The poller's copy (used by the thread in wait() only).
    std::vector<pollfd> fds_;
    std::vector<std::uint64_t> fd_keys_;

    static short to_poll(interest i) noexcept;
    static unsigned from_poll(short e) noexcept;
    static void set_flags(int fd) noexcept;

    void update_slot(entry& e) noexcept;
    void changed(bool watch_more) noexcept;

public:
    poll_backend();
    ~poll_backend();

    void add(int fd, std::uint64_t key, interest i, error_code& ec) override;
    void modify(int fd, std::uint64_t key, interest i, error_code& ec) override;
    void remove(int fd, std::uint64_t key) noexcept override;
    void wait(std::vector<ready_event>& out, std::size_t cap, std::int64_t timeout_ns, error_code& ec) override;
    void wake() noexcept override;
    bool needs_rearm() const noexcept override { return true; }
    void rearm(std::uint64_t key) noexcept override;
    void would_block(std::uint64_t key, interest i) noexcept override;
};

} // detail
} // millio
} // boost

#endif
