//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_NET_DETAIL_SOCKET_OPS_HPP
#define BOOST_MILLIO_NET_DETAIL_SOCKET_OPS_HPP

#include <boost/millio/detail/config.hpp>
#include <boost/millio/error.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <algorithm>
#include <chrono>
#include <cstring>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

namespace boost {
namespace millio {
namespace net {
namespace detail {

inline
error_code
socket_error(int e) noexcept
{
    return error_code(e, system::system_category());
}

// The kernel's side of a write time-out: bytes sent but not acknowledged
// (the send queue may be empty) for twice as long, and at least 5 s
// longer, so that a stalled queue is reported first, by the library's
// own check (with error::write_timeout). (A peer whose receive buffer is
// tiny drops segments and makes the kernel retransmit with back-off: its
// oldest unacknowledged segment can be older than the queue's last
// progress.) Zero leaves the system's default.
inline
void
set_user_timeout(int fd, std::chrono::milliseconds write_timeout) noexcept
{
#ifdef TCP_USER_TIMEOUT
    using rep = std::chrono::milliseconds::rep;
    rep const wt = write_timeout.count();
    if(wt <= 0)
        return;
    rep const kt = wt + (std::max)(wt, rep(5000));
    unsigned ms = kt > 0x7fffffff ? 0x7fffffffu : static_cast<unsigned>(kt);
    ::setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &ms, sizeof(ms));
#else
    (void)fd;
    (void)write_timeout;
#endif
}

inline
asio::ip::tcp::endpoint
to_endpoint(sockaddr_storage const& ss, socklen_t len) noexcept
{
    asio::ip::tcp::endpoint ep;
    if(len > static_cast<socklen_t>(ep.capacity()))
        return ep;
    std::memcpy(ep.data(), &ss, len);
    try
    {
        ep.resize(len);
    }
    catch(...)
    {
    }
    return ep;
}

} // detail
} // net
} // millio
} // boost

#endif
