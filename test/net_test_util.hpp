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
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace test {

namespace net = boost::millio::net;
using endpoint = boost::asio::ip::tcp::endpoint;

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
    int fd = ::socket(ep.protocol().family(), SOCK_STREAM | SOCK_CLOEXEC, 0);
    if(fd < 0)
        return -1;
    if(rcvbuf > 0)
        ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
    if(::connect(fd, ep.data(), static_cast<socklen_t>(ep.size())) != 0)
    {
        ::close(fd);
        return -1;
    }
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
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
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, static_cast<int>(d.count())) > 0;
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
        ssize_t r = ::recv(fd, p + got, n - got, 0);
        if(r <= 0)
        {
            if(r < 0 && errno == EINTR)
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
        ssize_t r = ::recv(fd, buf, sizeof(buf), 0);
        if(r < 0 && errno == EINTR)
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
        ssize_t w = ::send(fd, c, n, MSG_NOSIGNAL);
        if(w < 0)
        {
            if(errno == EINTR)
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
            err = "connect failed: " + std::string(std::strerror(errno));
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
            pfds.push_back({c.fd, ev, 0});
            idx.push_back(k);
        }
        int r = ::poll(pfds.data(), static_cast<nfds_t>(pfds.size()), 100);
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
                ssize_t w = ::send(c.fd, wbuf.data(), len, MSG_NOSIGNAL);
                if(w > 0)
                {
                    c.sent += static_cast<std::size_t>(w);
                    if(static_cast<std::size_t>(w) == len)
                        c.next = dist(rng);
                    else
                        c.next -= static_cast<std::size_t>(w);
                }
                else if(w < 0 && errno != EAGAIN && errno != EINTR &&
                    !(allow_eof && (errno == EPIPE || errno == ECONNRESET)))
                    err = "send: " + std::string(std::strerror(errno));
            }
            if(pfds[j].revents & (POLLIN | POLLHUP | POLLERR))
            {
                ssize_t rr = ::recv(c.fd, rbuf.data(), rbuf.size(), 0);
                if(rr > 0)
                {
                    for(ssize_t i = 0; i < rr; ++i)
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
                    ::close(c.fd);
                    c.fd = -1;
                    ++done;
                }
                else if(rr == 0)
                    err = "unexpected EOF on connection " + std::to_string(k) +
                        " after " + std::to_string(c.recvd);
                else if(allow_eof && (errno == ECONNRESET || errno == EPIPE))
                {
                    ::close(c.fd);
                    c.fd = -1;
                    ++done;
                }
                else if(errno != EAGAIN && errno != EINTR)
                    err = "recv: " + std::string(std::strerror(errno));
            }
        }
    }
    for(auto& c : cs)
        if(c.fd >= 0)
            ::close(c.fd);
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
