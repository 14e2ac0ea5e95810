//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef BOOST_MILLIO_FUZZ_FUZZ_UTIL_HPP
#define BOOST_MILLIO_FUZZ_FUZZ_UTIL_HPP

#include <boost/millio/event_loop.hpp>
#include <boost/millio/net.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>

#include <cerrno>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace fuzz {

namespace millio = boost::millio;
namespace net = boost::millio::net;

// Stops the fuzzer with a message; libFuzzer saves the input.
[[noreturn]] inline void fail(char const* what)
{
    std::fprintf(stderr, "fuzz check failed: %s\n", what);
    std::abort();
}

// An event loop running a tcp_server on 127.0.0.1 on its own thread, for
// the whole fuzzing session.
class server
{
    millio::event_loop loop_;
    std::shared_ptr<net::network_handler> handler_;
    net::tcp_server srv_;
    std::thread t_;
    std::size_t inputs_ = 0;

public:
    server(std::shared_ptr<net::network_handler> h, net::tcp_server_config const& cfg)
        : loop_([]{
            millio::event_loop_options o;
            o.io_threads = 2;
            o.compute_threads = 1;
            return o;
        }())
        , handler_(std::move(h))
        , srv_(cfg, handler_)
    {
        srv_.start(loop_, millio::token(1));
        t_ = std::thread([this]{ loop_.run(); });
    }

    ~server()
    {
        loop_.stop();
        t_.join();
    }

    // A blocking client connected to the server.
    int connect()
    {
        auto ep = srv_.local_endpoint();
        int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if(fd < 0)
            fail("socket");
        sockaddr_in sa{};
        sa.sin_family = AF_INET;
        sa.sin_port = htons(ep.port());
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if(::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) != 0)
            fail("connect");
        int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        return fd;
    }

    // Every 256 inputs, all connections must have closed (no leak).
    void after_input()
    {
        if(++inputs_ % 256 != 0)
            return;
        auto end = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while(srv_.connection_count() != 0)
        {
            if(std::chrono::steady_clock::now() > end)
                fail("connections did not close");
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
    }
};

// Closes without leaving a TIME_WAIT socket behind (the fuzzer opens
// connections faster than TIME_WAIT expires).
inline void reset_close(int fd)
{
    linger lg{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
    ::close(fd);
}

inline bool write_all(int fd, char const* p, std::size_t n)
{
    while(n > 0)
    {
        ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
        if(w < 0 && errno == EINTR)
            continue;
        if(w <= 0)
            return false;
        p += w;
        n -= static_cast<std::size_t>(w);
    }
    return true;
}

// Reads until EOF, an error, `limit` bytes or 10 s; sets eof on EOF.
inline std::string read_upto(int fd, std::size_t limit, bool& eof)
{
    std::string s;
    char buf[65536];
    eof = false;
    auto end = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while(s.size() < limit)
    {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            end - std::chrono::steady_clock::now()).count();
        pollfd p{fd, POLLIN, 0};
        if(left <= 0 || ::poll(&p, 1, static_cast<int>(left)) <= 0)
            fail("timeout waiting for the server");
        ssize_t r = ::recv(fd, buf, std::min(sizeof(buf), limit - s.size()), 0);
        if(r < 0 && errno == EINTR)
            continue;
        if(r == 0)
        {
            eof = true;
            break;
        }
        if(r < 0)
            break;
        s.append(buf, static_cast<std::size_t>(r));
    }
    return s;
}

} // fuzz

#endif
