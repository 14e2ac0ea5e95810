//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// The operating system's TCP sockets, on POSIX and on Winsock, for the
// examples that use them directly: echo_server (a raw socket registered
// with the event loop), its load client and the self-test client of
// jsonrpc_server. Only what those need: IPv4, blocking or non-blocking.

#ifndef BOOST_MILLIO_EXAMPLE_NATIVE_SOCKET_HPP
#define BOOST_MILLIO_EXAMPLE_NATIVE_SOCKET_HPP

#include <climits>
#include <cstddef>
#include <string>

#if defined(_WIN32)
# ifndef WIN32_LEAN_AND_MEAN
#  define WIN32_LEAN_AND_MEAN
# endif
# ifndef NOMINMAX
#  define NOMINMAX
# endif
# include <winsock2.h>
# include <ws2tcpip.h>
# include <system_error>
#else
# include <arpa/inet.h>
# include <cerrno>
# include <cstring>
# include <netinet/in.h>
# include <netinet/tcp.h>
# include <sys/socket.h>
# include <sys/time.h>
# include <unistd.h>
#endif

namespace native {

#if defined(_WIN32)

// A SOCKET: what the event loop takes as the native handle on Windows.
using socket_type = SOCKET;
constexpr socket_type invalid_socket = INVALID_SOCKET;
using address_length = int;

// Winsock is started once, before the first socket of the process.
inline bool start()
{
    static int const result = [] {
        WSADATA data;
        return ::WSAStartup(MAKEWORD(2, 2), &data);
    }();
    return result == 0;
}

inline int last_error() { return ::WSAGetLastError(); }
inline bool would_block(int e) { return e == WSAEWOULDBLOCK; }
inline std::string error_message(int e) { return std::system_category().message(e); }

inline void close(socket_type s) { ::closesocket(s); }

// Bytes sent or received, or -1 (see last_error()).
inline long send_some(socket_type s, void const* p, std::size_t n)
{
    int const k = n > INT_MAX ? INT_MAX : static_cast<int>(n);
    return ::send(s, static_cast<char const*>(p), k, 0);
}

inline long recv_some(socket_type s, void* p, std::size_t n)
{
    int const k = n > INT_MAX ? INT_MAX : static_cast<int>(n);
    return ::recv(s, static_cast<char*>(p), k, 0);
}

inline bool set_nonblocking(socket_type s)
{
    u_long on = 1;
    return ::ioctlsocket(s, FIONBIO, &on) == 0;
}

// A blocking receive gives up after `seconds`.
inline void set_receive_timeout(socket_type s, int seconds)
{
    DWORD ms = static_cast<DWORD>(seconds) * 1000;
    ::setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, reinterpret_cast<char const*>(&ms), sizeof(ms));
}

// A non-blocking TCP socket.
inline socket_type open_nonblocking()
{
    if(!start())
        return invalid_socket;
    socket_type s = ::socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    if(s != invalid_socket && !set_nonblocking(s))
    {
        ::closesocket(s);
        return invalid_socket;
    }
    return s;
}

// Windows lets SO_REUSEADDR bind a port that another socket listens on:
// a listener does without it.
inline void set_reuse_address(socket_type) {}

// A connection of the listener's backlog, non-blocking.
inline socket_type accept_nonblocking(socket_type listener)
{
    socket_type s = ::accept(listener, nullptr, nullptr);
    if(s != invalid_socket && !set_nonblocking(s))
    {
        ::closesocket(s);
        return invalid_socket;
    }
    return s;
}

#else

using socket_type = int;
constexpr socket_type invalid_socket = -1;
using address_length = socklen_t;

inline bool start() { return true; }

inline int last_error() { return errno; }
inline bool would_block(int e) { return e == EAGAIN || e == EWOULDBLOCK; }
inline std::string error_message(int e) { return std::strerror(e); }

inline void close(socket_type s) { ::close(s); }

// Bytes sent or received, or -1 (see last_error()). A peer that is gone
// makes send fail with EPIPE, not raise SIGPIPE.
inline long send_some(socket_type s, void const* p, std::size_t n)
{
    return ::send(s, p, n, MSG_NOSIGNAL);
}

inline long recv_some(socket_type s, void* p, std::size_t n)
{
    return ::recv(s, p, n, 0);
}

// A blocking receive gives up after `seconds`.
inline void set_receive_timeout(socket_type s, int seconds)
{
    timeval tv{seconds, 0};
    ::setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

// A non-blocking TCP socket, not inherited across exec.
inline socket_type open_nonblocking()
{
    return ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
}

inline void set_reuse_address(socket_type s)
{
    int one = 1;
    ::setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
}

// A connection of the listener's backlog, non-blocking.
inline socket_type accept_nonblocking(socket_type listener)
{
    return ::accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
}

#endif

// A blocking TCP socket.
inline socket_type open_blocking()
{
    if(!start())
        return invalid_socket;
    return ::socket(AF_INET, SOCK_STREAM, 0);
}

// Small writes leave at once.
inline void set_no_delay(socket_type s)
{
    int one = 1;
    ::setsockopt(s, IPPROTO_TCP, TCP_NODELAY, reinterpret_cast<char const*>(&one), sizeof(one));
}

// 127.0.0.1:port
inline sockaddr_in loopback(unsigned short port)
{
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return sa;
}

} // native

#endif
