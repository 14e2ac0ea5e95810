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
#include <climits>
#include <cstddef>
#include <cstring>

#if defined(_WIN32)
# include <boost/millio/detail/win32.hpp>
#else
# include <cerrno>
# include <fcntl.h>
# include <netinet/in.h>
# include <netinet/tcp.h>
# include <sys/socket.h>
# include <sys/uio.h>
# include <unistd.h>
#endif

namespace boost {
namespace millio {
namespace net {
namespace detail {

/*  The socket operations of the network layer, on POSIX sockets and on
    Winsock. A socket is an int on both (see millio/detail/win32.hpp: a
    SOCKET's value fits in 32 bits), -1 when there is none.

    The operations that fail return -1 (or false) and leave the error in
    last_error(): errno, or WSAGetLastError(). socket_error() makes an
    error_code of it in the system category, which on Windows maps the
    Winsock codes to the same portable conditions (WSAECONNRESET
    compares equal to errc::connection_reset and to
    asio::error::connection_reset, and so on). The predicates below
    classify an error where POSIX and Winsock spell it differently.
*/

inline
error_code
socket_error(int e) noexcept
{
    return error_code(e, system::system_category());
}

#if defined(_WIN32)

using socket_len = int;

// The error codes that the library reports itself.
constexpr int error_timed_out = WSAETIMEDOUT;
constexpr int error_connection_refused = WSAECONNREFUSED;

inline SOCKET as_socket(int fd) noexcept { return millio::detail::to_socket(fd); }

inline int last_error() noexcept { return ::WSAGetLastError(); }
inline bool is_would_block(int e) noexcept { return e == WSAEWOULDBLOCK; }
inline bool is_interrupted(int e) noexcept { return e == WSAEINTR; }
// a non-blocking connect under way
inline bool is_in_progress(int e) noexcept { return e == WSAEWOULDBLOCK || e == WSAEINPROGRESS; }
// an accept that failed for the peer only (it reset before it was accepted)
inline bool is_accept_retry(int e) noexcept
{
    return e == WSAEINTR || e == WSAECONNRESET || e == WSAECONNABORTED;
}
// out of descriptors (sockets, or the memory behind them)
inline bool is_out_of_descriptors(int e) noexcept { return e == WSAEMFILE || e == WSAENOBUFS; }

// Winsock is started once, by the first user of a socket.
inline
int
start_sockets() noexcept
{
    return millio::detail::winsock_init::instance().result();
}

inline
bool
set_nonblocking(int fd) noexcept
{
    u_long on = 1;
    return ::ioctlsocket(as_socket(fd), FIONBIO, &on) == 0;
}

// The library's descriptor of a new socket, made non-blocking; -1 (the
// socket closed, the error kept) if that fails.
inline
int
adopt_socket(SOCKET s) noexcept
{
    int const fd = millio::detail::from_socket(s);
    if(!set_nonblocking(fd))
    {
        int const e = last_error();
        ::closesocket(s);
        ::WSASetLastError(e);
        return -1;
    }
    return fd;
}

// A non-blocking stream socket, not inherited by child processes.
inline
int
open_socket(int family) noexcept
{
    if(int const e = start_sockets())
    {
        ::WSASetLastError(e);
        return -1;
    }
    SOCKET s = ::WSASocketW(family, SOCK_STREAM, IPPROTO_TCP, nullptr, 0,
        WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);
    if(s == INVALID_SOCKET)
        return -1;
    return adopt_socket(s);
}

inline
void
close_socket(int fd) noexcept
{
    ::closesocket(as_socket(fd));
}

// A connection of the listener's backlog, non-blocking.
inline
int
accept_socket(int listen_fd, sockaddr_storage& ss, socket_len& len) noexcept
{
    SOCKET s = ::accept(as_socket(listen_fd), reinterpret_cast<sockaddr*>(&ss), &len);
    if(s == INVALID_SOCKET)
        return -1;
    return adopt_socket(s);
}

// Bytes written or read, or -1.
inline
long
send_some(int fd, void const* p, std::size_t n) noexcept
{
    int const k = n > INT_MAX ? INT_MAX : static_cast<int>(n);
    return ::send(as_socket(fd), static_cast<char const*>(p), k, 0);
}

inline
long
recv_some(int fd, void* p, std::size_t n) noexcept
{
    int const k = n > INT_MAX ? INT_MAX : static_cast<int>(n);
    return ::recv(as_socket(fd), static_cast<char*>(p), k, 0);
}

// One buffer of a gathering write.
using io_slice = WSABUF;

inline
void
set_slice(io_slice& s, void* p, std::size_t n) noexcept
{
    s.buf = static_cast<char*>(p);
    s.len = n > ULONG_MAX ? ULONG_MAX : static_cast<ULONG>(n);
}

inline
long
send_slices(int fd, io_slice* s, int count) noexcept
{
    DWORD sent = 0;
    if(::WSASend(as_socket(fd), s, static_cast<DWORD>(count), &sent, 0, nullptr, nullptr) != 0)
        return -1;
    return static_cast<long>(sent);
}

inline
void
set_option(int fd, int level, int name, int value) noexcept
{
    ::setsockopt(as_socket(fd), level, name, reinterpret_cast<char const*>(&value), sizeof(value));
}

// Closing sends a reset, and drops what was not sent.
inline
void
set_reset_on_close(int fd) noexcept
{
    ::linger lg{1, 0};
    ::setsockopt(as_socket(fd), SOL_SOCKET, SO_LINGER, reinterpret_cast<char const*>(&lg), sizeof(lg));
}

// The pending error of a socket (SO_ERROR): that of a failed connect.
inline
int
pending_error(int fd) noexcept
{
    int err = 0;
    int len = sizeof(err);
    if(::getsockopt(as_socket(fd), SOL_SOCKET, SO_ERROR, reinterpret_cast<char*>(&err), &len) != 0)
        return last_error();
    return err;
}

inline
void
shutdown_send(int fd) noexcept
{
    ::shutdown(as_socket(fd), SD_SEND);
}

// 0, or the error of a connect that failed at once.
inline
int
start_connect(int fd, asio::ip::tcp::endpoint const& ep) noexcept
{
    if(::connect(as_socket(fd), ep.data(), static_cast<int>(ep.size())) == 0)
        return 0;
    int const e = last_error();
    return is_in_progress(e) ? 0 : e;
}

inline
int
bind_and_listen(int fd, asio::ip::tcp::endpoint const& ep, int backlog) noexcept
{
    if(::bind(as_socket(fd), ep.data(), static_cast<int>(ep.size())) != 0 ||
        ::listen(as_socket(fd), backlog) != 0)
        return last_error();
    return 0;
}

inline
bool
local_address(int fd, sockaddr_storage& ss, socket_len& len) noexcept
{
    return ::getsockname(as_socket(fd), reinterpret_cast<sockaddr*>(&ss), &len) == 0;
}

// The descriptor kept in reserve for a shortage of descriptors: Windows
// has no per-process limit on sockets to reserve against, and a
// listener out of sockets (WSAEMFILE, WSAENOBUFS) retries on a timer.
inline int open_reserve() noexcept { return -1; }
inline void close_reserve(int) noexcept {}

#else // POSIX

using socket_len = socklen_t;

constexpr int error_timed_out = ETIMEDOUT;
constexpr int error_connection_refused = ECONNREFUSED;

inline int last_error() noexcept { return errno; }
inline bool is_would_block(int e) noexcept { return e == EAGAIN || e == EWOULDBLOCK; }
inline bool is_interrupted(int e) noexcept { return e == EINTR; }
inline bool is_in_progress(int e) noexcept { return e == EINPROGRESS; }
inline bool is_accept_retry(int e) noexcept
{
    return e == EINTR || e == ECONNABORTED || e == EPROTO;
}
inline bool is_out_of_descriptors(int e) noexcept { return e == EMFILE || e == ENFILE; }

inline
int
open_socket(int family) noexcept
{
    return ::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
}

inline
void
close_socket(int fd) noexcept
{
    ::close(fd);
}

inline
int
accept_socket(int listen_fd, sockaddr_storage& ss, socket_len& len) noexcept
{
    return ::accept4(listen_fd, reinterpret_cast<sockaddr*>(&ss), &len,
        SOCK_NONBLOCK | SOCK_CLOEXEC);
}

inline
long
send_some(int fd, void const* p, std::size_t n) noexcept
{
    return static_cast<long>(::send(fd, p, n, MSG_NOSIGNAL));
}

inline
long
recv_some(int fd, void* p, std::size_t n) noexcept
{
    return static_cast<long>(::recv(fd, p, n, 0));
}

using io_slice = iovec;

inline
void
set_slice(io_slice& s, void* p, std::size_t n) noexcept
{
    s.iov_base = p;
    s.iov_len = n;
}

inline
long
send_slices(int fd, io_slice* s, int count) noexcept
{
    msghdr mh{};
    mh.msg_iov = s;
    mh.msg_iovlen = static_cast<decltype(mh.msg_iovlen)>(count);
    return static_cast<long>(::sendmsg(fd, &mh, MSG_NOSIGNAL));
}

inline
void
set_option(int fd, int level, int name, int value) noexcept
{
    ::setsockopt(fd, level, name, &value, sizeof(value));
}

inline
void
set_reset_on_close(int fd) noexcept
{
    ::linger lg{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
}

inline
int
pending_error(int fd) noexcept
{
    int err = 0;
    socklen_t len = sizeof(err);
    if(::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
        return errno;
    return err;
}

inline
void
shutdown_send(int fd) noexcept
{
    ::shutdown(fd, SHUT_WR);
}

inline
int
start_connect(int fd, asio::ip::tcp::endpoint const& ep) noexcept
{
    if(::connect(fd, ep.data(), static_cast<socklen_t>(ep.size())) == 0)
        return 0;
    int const e = errno;
    return e == EINPROGRESS ? 0 : e;
}

inline
int
bind_and_listen(int fd, asio::ip::tcp::endpoint const& ep, int backlog) noexcept
{
    if(::bind(fd, ep.data(), static_cast<socklen_t>(ep.size())) != 0 ||
        ::listen(fd, backlog) != 0)
        return errno;
    return 0;
}

inline
bool
local_address(int fd, sockaddr_storage& ss, socket_len& len) noexcept
{
    return ::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) == 0;
}

// A descriptor kept in reserve: closed to accept (and close) a peer
// when the process is out of descriptors.
inline
int
open_reserve() noexcept
{
    return ::open("/dev/null", O_RDONLY | O_CLOEXEC);
}

inline
void
close_reserve(int fd) noexcept
{
    ::close(fd);
}

#endif

// The kernel's side of a write time-out: bytes sent but not acknowledged
// (the send queue may be empty) for twice as long, and at least 5 s
// longer, so that a stalled queue is reported first, by the library's
// own check (with error::write_timeout). (A peer whose receive buffer is
// tiny drops segments and makes the kernel retransmit with back-off: its
// oldest unacknowledged segment can be older than the queue's last
// progress.) Zero leaves the system's default. (Linux only: elsewhere
// the library's own check alone applies.)
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
to_endpoint(sockaddr_storage const& ss, socket_len len) noexcept
{
    asio::ip::tcp::endpoint ep;
    // (a negative length, on Windows, converts to a huge one)
    if(static_cast<std::size_t>(len) > ep.capacity())
        return ep;
    std::memcpy(ep.data(), &ss, static_cast<std::size_t>(len));
    try
    {
        ep.resize(static_cast<std::size_t>(len));
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
