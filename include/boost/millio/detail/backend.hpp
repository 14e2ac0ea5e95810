//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_DETAIL_BACKEND_HPP
#define BOOST_MILLIO_DETAIL_BACKEND_HPP

#include <boost/millio/detail/config.hpp>
#include <boost/millio/error.hpp>
#include <boost/millio/event.hpp>
#include <boost/millio/event_loop_options.hpp>

#include <cstdint>
#include <vector>

namespace boost {
namespace millio {
namespace detail {

struct ready_event
{
    std::uint64_t key;
    unsigned bits;
};

inline
void
assign_errno(error_code& ec, int e) noexcept
{
    ec.assign(e, system::system_category());
}

// Milliseconds for APIs that take them, rounded up so that a timer
// never fires early.
inline
int
to_ms(std::int64_t ns) noexcept
{
    if(ns < 0)
        return -1;
    std::int64_t ms = (ns + 999999) / 1000000;
    return ms > 0x7fffffff ? 0x7fffffff : static_cast<int>(ms);
}

// Readiness API of the operating system. Key 0 is the waker.
class backend
{
public:
    virtual ~backend() = default;
    virtual void add(int fd, std::uint64_t key, interest i, error_code& ec) = 0;
    virtual void modify(int fd, std::uint64_t key, interest i, error_code& ec) = 0;
    virtual void remove(int fd, std::uint64_t key) noexcept = 0;
    // Wait up to timeout_ns nanoseconds (negative: forever). Appends at
    // most `cap` events.
    virtual void wait(std::vector<ready_event>& out, std::size_t cap, std::int64_t timeout_ns, error_code& ec) = 0;
    virtual void wake() noexcept = 0;
    // Backends that emulate edges (poll) take a reported condition out
    // of the watched set and need to hear when the handler of `key`
    // returned (the registration still open): rearm() then decides what
    // to watch again. needs_rearm() is false where rearm() does nothing.
    virtual bool needs_rearm() const noexcept = 0;
    virtual void rearm(std::uint64_t key) noexcept = 0;
    // I/O on the source of `key` for `i` failed with EAGAIN: report the
    // next readiness for `i`, even if it is back already. Callable from
    // any thread; an unknown key is ignored. Edge-triggered backends do
    // nothing: the kernel reports that edge.
    virtual void would_block(std::uint64_t key, interest i) noexcept = 0;
    // The calling thread is about to wait() repeatedly (a loop's run()
    // in the direct mode, a worker of the pool mode), and is done with
    // it: a backend may keep per-thread state between the two (io_uring
    // registers its ring's descriptor with the thread). Paired, on the
    // same thread.
    virtual void thread_begin() noexcept {}
    virtual void thread_end() noexcept {}
};

} // detail
} // millio
} // boost

#endif
