//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_DETAIL_AFD_BACKEND_HPP
#define BOOST_MILLIO_DETAIL_AFD_BACKEND_HPP

#include <boost/millio/detail/backend.hpp>

#if defined(BOOST_MILLIO_HAS_AFD)

#include <boost/millio/detail/win32.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace boost {
namespace millio {
namespace detail {

/*  Windows: an I/O completion port and the poll request of the AFD
    driver (the kernel side of Winsock), the mechanism under wepoll, mio
    and libuv's uv_poll.

    A poll request (IOCTL_AFD_POLL, issued on the socket's base handle
    through a handle of \Device\Afd associated with the port) completes
    once, with the conditions that hold among those asked for, and its
    completion is queued to the port. The waker is a completion packet
    without an I/O (PostQueuedCompletionStatus).

    Delivery follows the poll backend (edge emulation of one-shot
    requests):

    - A reported condition is not asked for again while the handler
      runs. Conditions of the interest that were not reported stay
      asked for (the request is re-issued at once with them).

    - When the handler has returned (rearm), readability is asked for
      again: unread bytes, or bytes that arrived after the handler read
      until WSAEWOULDBLOCK, are reported again. Writability that was
      reported is asked for again if it is low now (a zero-timeout
      select() of the socket reads the level: the handler filled the
      send buffer, and its draining is the next edge); high, it stays
      out ("parked"), since an idle socket is writable for ever. A
      parked writability is asked for again by would_block(), which the
      library's own I/O code calls when a send fails with
      WSAEWOULDBLOCK, and by modify() (reregister_source), which asks
      for every condition of the interest afresh.

    - A reset or a failed connect (AFD_POLL_ABORT, AFD_POLL_CONNECT_FAIL)
      is reported once, then nothing until modify(). The peer's shutdown
      (AFD_POLL_DISCONNECT) is reported with readability and ends the
      read side: readability is not asked for again. A socket closed
      while registered (AFD_POLL_LOCAL_CLOSE) is reported no more.

    A request is replaced, when it must ask for more, by cancelling it:
    the cancelled completion then issues the new one. An entry whose
    request is in flight outlives its removal until that completion is
    dequeued, since the driver writes into it.
*/
class afd_backend final : public backend
{
public:
    struct entry;

private:
    HANDLE iocp_ = nullptr;
    HANDLE afd_ = nullptr;      // a handle of \Device\Afd, on the port
    std::atomic<bool> wake_pending_{false};

    std::mutex m_;
    std::unordered_map<std::uint64_t, std::unique_ptr<entry>> entries_; // guarded by m_
    std::size_t in_flight_ = 0;     // requests not dequeued yet; guarded by m_
    std::vector<OVERLAPPED_ENTRY> buf_; // used by wait() only

    // With m_ held.
    bool submit(entry& e, unsigned long events, error_code& ec) noexcept;
    void update(entry& e) noexcept;
    unsigned complete(entry& e) noexcept;
    void dequeued(entry* e, std::vector<ready_event>* out) noexcept;

public:
    explicit afd_backend(std::size_t cap);
    ~afd_backend();

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

#endif
