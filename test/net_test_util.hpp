//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef BOOST_MILLIO_TEST_NET_TEST_UTIL_HPP
#define BOOST_MILLIO_TEST_NET_TEST_UTIL_HPP

#include "test_util.hpp"

#include <boost/millio/event_loop.hpp>
#include <boost/millio/net.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <cerrno>
#if defined(_WIN32)
#include <winsock2.h>
#include <ws2tcpip.h>
#else
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#endif

namespace test {

namespace net = boost::millio::net;
using endpoint = boost::asio::ip::tcp::endpoint;

//------------------------------------------------------------------------------
// The tests' side of the sockets, on POSIX and on Winsock (where a
// SOCKET is held in an int, as the library does). Errors are errno
// values on both: socket_errno() translates Winsock's.

#if defined(_WIN32)
using socket_len = int;
#else
using socket_len = socklen_t;
#endif

// errno after a failed socket call (Winsock's error translated).
inline int socket_errno()
{
#if defined(_WIN32)
    switch(::WSAGetLastError())
    {
    case WSAEWOULDBLOCK: return EAGAIN;
    case WSAEINTR: return EINTR;
    case WSAEINPROGRESS: return EINPROGRESS;
    case WSAECONNRESET: return ECONNRESET;
    case WSAECONNABORTED: return ECONNABORTED;
    case WSAECONNREFUSED: return ECONNREFUSED;
    case WSAESHUTDOWN: return EPIPE;
    case WSAENOTCONN: return ENOTCONN;
    case WSAETIMEDOUT: return ETIMEDOUT;
    case WSAEMFILE: return EMFILE;
    case WSAENOBUFS: return ENOBUFS;
    case WSAEADDRINUSE: return EADDRINUSE;
    case WSAEADDRNOTAVAIL: return EADDRNOTAVAIL;
    default: return EIO;
    }
#else
    return errno;
#endif
}

inline std::string socket_strerror(int e)
{
    return std::strerror(e);
}

// A stream socket, blocking unless asked (-1 on failure).
inline int tcp_socket(int family, bool nonblocking = false)
{
#if defined(_WIN32)
    static bool const started = []{
        WSADATA d;
        return ::WSAStartup(MAKEWORD(2, 2), &d) == 0;
    }();
    if(!started)
        return -1;
    SOCKET s = ::socket(family, SOCK_STREAM, IPPROTO_TCP);
    if(s == INVALID_SOCKET)
        return -1;
    int fd = static_cast<int>(static_cast<std::intptr_t>(s));
    if(nonblocking)
        set_nonblocking(fd);
    return fd;
#else
    return ::socket(family, SOCK_STREAM | SOCK_CLOEXEC | (nonblocking ? SOCK_NONBLOCK : 0), 0);
#endif
}

inline void set_int_option(int fd, int level, int name, int v)
{
#if defined(_WIN32)
    ::setsockopt(to_socket(fd), level, name, reinterpret_cast<char const*>(&v), sizeof(v));
#else
    ::setsockopt(fd, level, name, &v, sizeof(v));
#endif
}

inline void set_receive_buffer(int fd, int size)
{
    set_int_option(fd, SOL_SOCKET, SO_RCVBUF, size);
}

inline void set_no_delay(int fd)
{
    set_int_option(fd, IPPROTO_TCP, TCP_NODELAY, 1);
}

// close() then sends a reset.
inline void set_reset_on_close(int fd)
{
    linger lg{1, 0};
#if defined(_WIN32)
    ::setsockopt(to_socket(fd), SOL_SOCKET, SO_LINGER, reinterpret_cast<char const*>(&lg), sizeof(lg));
#else
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
#endif
}

// 0, or -1 (socket_errno(): EINPROGRESS for a non-blocking connect
// under way, on both).
inline int connect_fd(int fd, endpoint const& ep)
{
#if defined(_WIN32)
    if(::connect(to_socket(fd), ep.data(), static_cast<int>(ep.size())) == 0)
        return 0;
    if(::WSAGetLastError() == WSAEWOULDBLOCK)
        ::WSASetLastError(WSAEINPROGRESS);
    return -1;
#else
    return ::connect(fd, ep.data(), static_cast<socklen_t>(ep.size()));
#endif
}

// Binds `fd` to a free port of the loopback address of its family
// (`v6`: ::1, else 127.0.0.1); the endpoint it got in `ep`. False on
// failure.
inline bool bind_loopback(int fd, endpoint& ep, bool v6 = false)
{
    endpoint want(v6
        ? boost::asio::ip::address(boost::asio::ip::address_v6::loopback())
        : boost::asio::ip::address(boost::asio::ip::address_v4::loopback()), 0);
    sockaddr_storage ss{};
    socket_len len = sizeof(ss);
#if defined(_WIN32)
    SOCKET s = to_socket(fd);
#else
    int s = fd;
#endif
    if(::bind(s, want.data(), static_cast<socket_len>(want.size())) != 0 ||
        ::getsockname(s, reinterpret_cast<sockaddr*>(&ss), &len) != 0)
        return false;
    std::memcpy(ep.data(), &ss, static_cast<std::size_t>(len));
    ep.resize(static_cast<std::size_t>(len));
    return true;
}

inline bool listen_fd(int fd, int backlog)
{
#if defined(_WIN32)
    return ::listen(to_socket(fd), backlog) == 0;
#else
    return ::listen(fd, backlog) == 0;
#endif
}

// A connection of the backlog, non-blocking (-1 if none).
inline int accept_fd(int listen_fd)
{
#if defined(_WIN32)
    SOCKET s = ::accept(to_socket(listen_fd), nullptr, nullptr);
    if(s == INVALID_SOCKET)
        return -1;
    int fd = static_cast<int>(static_cast<std::intptr_t>(s));
    set_nonblocking(fd);
    return fd;
#else
    return ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
#endif
}

// send(2) without SIGPIPE, recv(2).
inline long send_fd(int fd, void const* p, std::size_t n)
{
#if defined(_WIN32)
    return ::send(to_socket(fd), static_cast<char const*>(p), static_cast<int>(n), 0);
#else
    return static_cast<long>(::send(fd, p, n, MSG_NOSIGNAL));
#endif
}

inline long recv_fd(int fd, void* p, std::size_t n)
{
#if defined(_WIN32)
    return ::recv(to_socket(fd), static_cast<char*>(p), static_cast<int>(n), 0);
#else
    return static_cast<long>(::recv(fd, p, n, 0));
#endif
}

// recv(2) of what has arrived, without blocking (-1 with EAGAIN if
// nothing has).
inline long recv_now(int fd, void* p, std::size_t n)
{
#if defined(_WIN32)
    u_long avail = 0;
    if(::ioctlsocket(to_socket(fd), FIONREAD, &avail) != 0 || avail == 0)
    {
        ::WSASetLastError(WSAEWOULDBLOCK);
        return -1;
    }
    return recv_fd(fd, p, (std::min)(n, static_cast<std::size_t>(avail)));
#else
    return static_cast<long>(::recv(fd, p, n, MSG_DONTWAIT));
#endif
}

inline int shutdown_write(int fd)
{
#if defined(_WIN32)
    return ::shutdown(to_socket(fd), SD_SEND);
#else
    return ::shutdown(fd, SHUT_WR);
#endif
}

inline int shutdown_both(int fd)
{
#if defined(_WIN32)
    return ::shutdown(to_socket(fd), SD_BOTH);
#else
    return ::shutdown(fd, SHUT_RDWR);
#endif
}

// poll(2) of sockets (WSAPoll on Windows).
inline pollfd make_pollfd(int fd, short events)
{
    pollfd p{};
#if defined(_WIN32)
    p.fd = to_socket(fd);
#else
    p.fd = fd;
#endif
    p.events = events;
    return p;
}

inline int poll_fds(pollfd* p, std::size_t n, int timeout_ms)
{
#if defined(_WIN32)
    return ::WSAPoll(p, static_cast<ULONG>(n), timeout_ms);
#else
    return ::poll(p, static_cast<nfds_t>(n), timeout_ms);
#endif
}

// Checks that a peer saw the connection reset (`end`: the errno with
// which its reading ended, 0 at the end of stream). Wine (8.0) closes a
// socket whose SO_LINGER is {1, 0} with a FIN, dropping the unsent
// bytes: there the peer sees the end of stream, which is said, and
// accepted in place of the reset.
inline void check_reset_seen(int end)
{
    if(under_wine())
    {
        BOOST_TEST_MESSAGE("Wine: a socket closed with SO_LINGER {1, 0} sends a FIN, "
            "not a reset; the peer's end (" << end << ") is checked as an end of stream");
        BOOST_TEST((end == 0 || end == ECONNRESET));
        return;
    }
    BOOST_TEST(end == ECONNRESET);
}

// A pipe whose ends the loop can watch: a pair of connected sockets on
// Windows. Blocking ends; false on failure.
inline bool make_pipe(int p[2])
{
#if defined(_WIN32)
    return socket_pair(p);
#else
    return ::pipe(p) == 0;
#endif
}

// Runs a loop on a thread; stops and joins on destruction.
struct loop_runner
{
    boost::millio::event_loop& loop;
    std::thread t;

    explicit loop_runner(boost::millio::event_loop& l)
        : loop(l)
        , t([this]{ loop.run(); })
    {
    }

    ~loop_runner()
    {
        loop.stop();
        t.join();
    }
};

// The byte at offset i of stream k.
inline unsigned char pattern(std::uint64_t k, std::uint64_t i)
{
    std::uint64_t x = (i + 1) * 0x9E3779B97F4A7C15ull + k * 0xBF58476D1CE4E5B9ull;
    return static_cast<unsigned char>((x >> 29) ^ (x >> 47) ^ i);
}

inline void fill_pattern(unsigned char* p, std::size_t n, std::uint64_t k, std::uint64_t off)
{
    for(std::size_t i = 0; i < n; ++i)
        p[i] = pattern(k, off + i);
}

// A blocking client socket connected to ep (-1 on failure). A non-zero
// rcvbuf fixes the socket's receive buffer (set before connecting, so
// that the window scale follows it; the kernel does not grow it then).
inline int connect_to(endpoint const& ep, int rcvbuf = 0)
{
    int fd = tcp_socket(ep.protocol().family());
    if(fd < 0)
        return -1;
    if(rcvbuf > 0)
        set_receive_buffer(fd, rcvbuf);
    if(connect_fd(fd, ep) != 0)
    {
        close_fd(fd);
        return -1;
    }
    set_no_delay(fd);
    return fd;
}

inline endpoint loopback(endpoint const& server)
{
    if(server.address().is_v6())
        return endpoint(boost::asio::ip::address_v6::loopback(), server.port());
    return endpoint(boost::asio::ip::address_v4::loopback(), server.port());
}

// Wait until fd is readable (or the deadline). Returns false on timeout.
inline bool wait_readable(int fd, std::chrono::milliseconds d)
{
    pollfd p = make_pollfd(fd, POLLIN);
    return poll_fds(&p, 1, static_cast<int>(d.count())) > 0;
}

// Wait until fd is writable (or the deadline). Returns false on timeout.
inline bool wait_writable(int fd, std::chrono::milliseconds d)
{
    pollfd p = make_pollfd(fd, POLLOUT);
    return poll_fds(&p, 1, static_cast<int>(d.count())) > 0;
}

// Read exactly n bytes, or until EOF/error/timeout. Returns bytes read.
inline std::size_t read_n(int fd, unsigned char* p, std::size_t n,
    std::chrono::milliseconds d = std::chrono::seconds(20))
{
    auto end = std::chrono::steady_clock::now() + d;
    std::size_t got = 0;
    while(got < n)
    {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            end - std::chrono::steady_clock::now());
        if(left.count() <= 0 || !wait_readable(fd, left))
            break;
        long r = recv_fd(fd, p + got, n - got);
        if(r <= 0)
        {
            if(r < 0 && socket_errno() == EINTR)
                continue;
            break;
        }
        got += static_cast<std::size_t>(r);
    }
    return got;
}

// Read until EOF; returns the bytes (stops at the deadline).
inline std::string read_to_eof(int fd, std::chrono::milliseconds d = std::chrono::seconds(20),
    bool* eof = nullptr)
{
    std::string s;
    char buf[65536];
    auto end = std::chrono::steady_clock::now() + d;
    if(eof)
        *eof = false;
    for(;;)
    {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            end - std::chrono::steady_clock::now());
        if(left.count() <= 0 || !wait_readable(fd, left))
            break;
        long r = recv_fd(fd, buf, sizeof(buf));
        if(r < 0 && socket_errno() == EINTR)
            continue;
        if(r <= 0)
        {
            if(eof)
                *eof = true;
            break;
        }
        s.append(buf, static_cast<std::size_t>(r));
    }
    return s;
}

inline bool write_all(int fd, void const* p, std::size_t n)
{
    auto c = static_cast<char const*>(p);
    while(n > 0)
    {
        long w = send_fd(fd, c, n);
        if(w < 0)
        {
            if(socket_errno() == EINTR)
                continue;
            return false;
        }
        c += w;
        n -= static_cast<std::size_t>(w);
    }
    return true;
}

// Drive `n` connections that each send `total` bytes in random-size
// writes (1..max_write) while reading the echo, verifying every byte.
// Returns an empty string on success, else a description.
inline std::string echo_clients(endpoint const& ep, std::size_t n, std::size_t total,
    std::size_t max_write, std::chrono::seconds deadline, unsigned seed = 1,
    bool allow_eof = false, std::atomic<std::uint64_t>* progress = nullptr)
{
    struct conn
    {
        int fd = -1;
        std::size_t sent = 0;
        std::size_t recvd = 0;
        std::size_t next = 0;
    };
    std::mt19937 rng(seed);
    std::uniform_int_distribution<std::size_t> dist(1, max_write);
    std::vector<conn> cs(n);
    std::string err;
    for(std::size_t k = 0; k < n; ++k)
    {
        cs[k].fd = connect_to(ep);
        if(cs[k].fd < 0)
        {
            err = "connect failed: " + socket_strerror(socket_errno());
            break;
        }
        set_nonblocking(cs[k].fd);
        cs[k].next = dist(rng);
    }
    std::vector<unsigned char> wbuf(max_write);
    std::vector<unsigned char> rbuf(1 << 16);
    std::vector<pollfd> pfds;
    std::vector<std::size_t> idx;
    auto end = std::chrono::steady_clock::now() + deadline;
    std::size_t done = 0;
    while(err.empty() && done < n)
    {
        if(std::chrono::steady_clock::now() > end)
        {
            err = "timeout: " + std::to_string(done) + " of " + std::to_string(n) + " done";
            break;
        }
        pfds.clear();
        idx.clear();
        for(std::size_t k = 0; k < n; ++k)
        {
            auto& c = cs[k];
            if(c.recvd == total || c.fd < 0)
                continue;
            short ev = POLLIN;
            if(c.sent < total)
                ev |= POLLOUT;
            pfds.push_back(make_pollfd(c.fd, ev));
            idx.push_back(k);
        }
        int r = poll_fds(pfds.data(), pfds.size(), 100);
        if(r <= 0)
            continue;
        for(std::size_t j = 0; j < pfds.size() && err.empty(); ++j)
        {
            auto& c = cs[idx[j]];
            std::uint64_t k = idx[j];
            if(pfds[j].revents & POLLOUT)
            {
                std::size_t len = (std::min)(c.next, total - c.sent);
                fill_pattern(wbuf.data(), len, k, c.sent);
                long w = send_fd(c.fd, wbuf.data(), len);
                int const we = w < 0 ? socket_errno() : 0;
                if(w > 0)
                {
                    c.sent += static_cast<std::size_t>(w);
                    if(static_cast<std::size_t>(w) == len)
                        c.next = dist(rng);
                    else
                        c.next -= static_cast<std::size_t>(w);
                }
                else if(w < 0 && we != EAGAIN && we != EINTR &&
                    !(allow_eof && (we == EPIPE || we == ECONNRESET)))
                    err = "send: " + socket_strerror(we);
            }
            if(pfds[j].revents & (POLLIN | POLLHUP | POLLERR))
            {
                long rr = recv_fd(c.fd, rbuf.data(), rbuf.size());
                int const re = rr < 0 ? socket_errno() : 0;
                if(rr > 0)
                {
                    for(long i = 0; i < rr; ++i)
                    {
                        if(rbuf[static_cast<std::size_t>(i)] != pattern(k, c.recvd + static_cast<std::size_t>(i)))
                        {
                            err = "mismatch on connection " + std::to_string(k) +
                                " at byte " + std::to_string(c.recvd + static_cast<std::size_t>(i));
                            break;
                        }
                    }
                    c.recvd += static_cast<std::size_t>(rr);
                    if(progress)
                        progress->fetch_add(static_cast<std::size_t>(rr));
                    if(c.recvd > total)
                        err = "too many bytes";
                    else if(c.recvd == total)
                        ++done;
                }
                else if(rr == 0 && allow_eof)
                {
                    close_fd(c.fd);
                    c.fd = -1;
                    ++done;
                }
                else if(rr == 0)
                    err = "unexpected EOF on connection " + std::to_string(k) +
                        " after " + std::to_string(c.recvd);
                else if(allow_eof && (re == ECONNRESET || re == EPIPE))
                {
                    close_fd(c.fd);
                    c.fd = -1;
                    ++done;
                }
                else if(re != EAGAIN && re != EINTR)
                    err = "recv: " + socket_strerror(re);
            }
        }
    }
    for(auto& c : cs)
        if(c.fd >= 0)
            close_fd(c.fd);
    return err;
}

// A handler that echoes and counts.
struct echo_handler : net::network_handler
{
    std::atomic<int> connects{0};
    std::atomic<int> disconnects{0};
    std::atomic<int> errors{0};
    std::atomic<int> rejected{0};
    std::atomic<int> send_failures{0};
    std::atomic<int> active{0};
    std::atomic<int> max_active{0};
    std::atomic<std::uint64_t> bytes{0};
    std::mutex m;
    std::vector<boost::millio::error_code> error_list;
    latch* connected = nullptr;
    latch* disconnected = nullptr;

    // Checks that one connection's callbacks never overlap.
    bool check_overlap = false;
    std::atomic<int> overlaps{0};
    std::mutex om;
    std::unordered_map<std::uint64_t, int> inside;

    struct scope
    {
        echo_handler& h;
        std::uint64_t id;
        scope(echo_handler& x, net::connection_id i) : h(x), id(i.value())
        {
            if(!h.check_overlap)
                return;
            std::lock_guard<std::mutex> lk(h.om);
            if(h.inside[id]++ != 0)
                ++h.overlaps;
        }
        ~scope()
        {
            if(!h.check_overlap)
                return;
            std::lock_guard<std::mutex> lk(h.om);
            --h.inside[id];
        }
    };

    void on_connect(net::server_context&, net::connection_id id) override
    {
        scope sc(*this, id);
        ++connects;
        int a = ++active;
        int m0 = max_active.load();
        while(a > m0 && !max_active.compare_exchange_weak(m0, a)) {}
        if(connected)
            connected->count_down();
    }

    void on_data(net::server_context& ctx, net::connection_id id, boost::asio::const_buffer b) override
    {
        scope sc(*this, id);
        bytes.fetch_add(b.size(), std::memory_order_relaxed);
        boost::millio::error_code ec;
        ctx.send_to(id, b, ec);
        if(ec)
            ++send_failures;
    }

    void on_disconnect(net::server_context&, net::connection_id id) override
    {
        scope sc(*this, id);
        --active;
        ++disconnects;
        if(disconnected)
            disconnected->count_down();
    }

    void on_error(net::server_context&, std::optional<net::connection_id>,
        boost::millio::error_code ec) override
    {
        ++errors;
        std::lock_guard<std::mutex> lk(m);
        error_list.push_back(ec);
    }

    void on_event(net::server_context&, net::network_event const& ev) override
    {
        if(ev.type == net::network_event::kind::connection_rejected)
            ++rejected;
    }
};

inline net::tcp_server_config local_config(std::size_t buffer = 8192)
{
    return net::tcp_server_config::builder()
        .address("127.0.0.1:0")
        .buffer_size(buffer)
        .build();
}

// Poll a condition until true or timeout (the condition is the
// synchronisation; the loop only bounds the wait).
template<class F>
bool eventually(F f, std::chrono::milliseconds d = std::chrono::seconds(20))
{
    auto end = std::chrono::steady_clock::now() + d;
    while(!f())
    {
        if(std::chrono::steady_clock::now() > end)
            return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return true;
}

} // test

#endif
