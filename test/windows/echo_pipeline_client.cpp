//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

/*
    A pipelining echo client for POSIX systems: the Linux side of
    test/windows/echo_traffic.sh, which loads the Windows build of
    example/tcp_echo_server (run by Wine) over loopback.

    echo_pipeline_client --port N [--host A] [--connections N] [--depth N]
                         [--size BYTES] [--messages N] [--timeout SECONDS]

    Each of the connections sends `messages` messages of `size` bytes,
    keeping up to `depth` of them in flight (sent, not yet echoed whole).
    Message m of connection k starts with m (8 bytes, little endian),
    followed by bytes that depend on k, m and the offset: every echoed
    byte is compared with what was sent, so the order of the messages is
    verified too. Prints a summary and exits with 0 when every connection
    got all its bytes back, 1 on a mismatch or a socket error, 2 at the
    time-out.
*/

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

struct options
{
    std::string host = "127.0.0.1";
    int port = 0;
    std::size_t connections = 50;
    std::size_t depth = 8;
    std::size_t size = 1 << 20;
    std::size_t messages = 16;
    double timeout = 300;
};

// The byte at offset `j` of message `m` of connection `k`.
unsigned char expected(std::size_t k, std::uint64_t m, std::size_t j)
{
    if(j < 8)
        return static_cast<unsigned char>(m >> (8 * j));
    std::uint64_t x = (j + 1) * 0x9E3779B97F4A7C15ull ^ (m + 1) * 0xC2B2AE3D27D4EB4Full ^
        (k + 1) * 0x165667B19E3779F9ull;
    return static_cast<unsigned char>((x >> 32) ^ (x >> 53));
}

struct connection
{
    int fd = -1;
    std::size_t sent = 0;       // bytes
    std::size_t received = 0;   // bytes echoed back, verified
    bool done = false;
};

[[noreturn]] void usage(char const* argv0)
{
    std::fprintf(stderr, "usage: %s --port N [--host A] [--connections N] [--depth N] "
        "[--size BYTES] [--messages N] [--timeout SECONDS]\n", argv0);
    std::exit(64);
}

options parse(int argc, char** argv)
{
    options o;
    for(int i = 1; i < argc; ++i)
    {
        std::string a = argv[i];
        if(i + 1 >= argc)
            usage(argv[0]);
        char const* v = argv[++i];
        if(a == "--host") o.host = v;
        else if(a == "--port") o.port = std::atoi(v);
        else if(a == "--connections") o.connections = std::strtoul(v, nullptr, 10);
        else if(a == "--depth") o.depth = std::strtoul(v, nullptr, 10);
        else if(a == "--size") o.size = std::strtoul(v, nullptr, 10);
        else if(a == "--messages") o.messages = std::strtoul(v, nullptr, 10);
        else if(a == "--timeout") o.timeout = std::atof(v);
        else usage(argv[0]);
    }
    if(o.port <= 0 || o.connections == 0 || o.depth == 0 || o.size < 8 || o.messages == 0)
        usage(argv[0]);
    return o;
}

} // (anon)

int main(int argc, char** argv)
{
    options const o = parse(argc, argv);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(static_cast<unsigned short>(o.port));
    if(::inet_pton(AF_INET, o.host.c_str(), &sa.sin_addr) != 1)
        usage(argv[0]);

    auto const t0 = std::chrono::steady_clock::now();
    auto const deadline = t0 + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(o.timeout));
    std::size_t const total = o.size * o.messages;
    std::vector<connection> cs(o.connections);
    for(auto& c : cs)
    {
        c.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if(c.fd < 0 || ::connect(c.fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) != 0)
        {
            std::fprintf(stderr, "connect: %s\n", std::strerror(errno));
            return 1;
        }
        int one = 1;
        ::setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        if(::fcntl(c.fd, F_SETFL, ::fcntl(c.fd, F_GETFL) | O_NONBLOCK) != 0)
            return 1;
    }

    std::size_t const chunk = 256 * 1024;
    std::vector<unsigned char> wbuf(chunk), rbuf(chunk);
    std::vector<pollfd> pfds;
    std::vector<std::size_t> idx;
    std::size_t done = 0;
    // Messages written in part or whole and not echoed whole, at most
    // (the kernel's buffers and the server's back-pressure bound it).
    std::size_t max_in_flight = 0;
    int status = 0;
    while(done < cs.size() && status == 0)
    {
        if(std::chrono::steady_clock::now() > deadline)
        {
            std::fprintf(stderr, "time-out: %zu of %zu connections done\n", done, cs.size());
            status = 2;
            break;
        }
        pfds.clear();
        idx.clear();
        for(std::size_t k = 0; k < cs.size(); ++k)
        {
            auto const& c = cs[k];
            if(c.done)
                continue;
            // Up to `depth` messages beyond those echoed whole.
            std::size_t const limit = (std::min)(total, (c.received / o.size + o.depth) * o.size);
            short ev = POLLIN;
            if(c.sent < limit)
                ev |= POLLOUT;
            pfds.push_back(pollfd{c.fd, ev, 0});
            idx.push_back(k);
        }
        if(::poll(pfds.data(), pfds.size(), 100) <= 0)
            continue;
        for(std::size_t i = 0; i < pfds.size() && status == 0; ++i)
        {
            std::size_t const k = idx[i];
            auto& c = cs[k];
            if(pfds[i].revents & POLLOUT)
            {
                std::size_t const limit = (std::min)(total, (c.received / o.size + o.depth) * o.size);
                std::size_t const n = (std::min)(chunk, limit - c.sent);
                for(std::size_t b = 0; b < n; ++b)
                {
                    std::size_t const off = c.sent + b;
                    wbuf[b] = expected(k, off / o.size, off % o.size);
                }
                ssize_t w = ::send(c.fd, wbuf.data(), n, MSG_NOSIGNAL);
                if(w > 0)
                {
                    c.sent += static_cast<std::size_t>(w);
                    std::size_t const started = (c.sent + o.size - 1) / o.size;
                    max_in_flight = (std::max)(max_in_flight, started - c.received / o.size);
                }
                else if(w < 0 && errno != EAGAIN && errno != EINTR)
                {
                    std::fprintf(stderr, "connection %zu: send: %s\n", k, std::strerror(errno));
                    status = 1;
                }
            }
            if(status == 0 && (pfds[i].revents & (POLLIN | POLLHUP | POLLERR)))
            {
                ssize_t r = ::recv(c.fd, rbuf.data(), rbuf.size(), 0);
                if(r > 0)
                {
                    std::size_t const n = static_cast<std::size_t>(r);
                    if(c.received + n > c.sent)
                    {
                        std::fprintf(stderr, "connection %zu: more echoed than sent\n", k);
                        status = 1;
                        break;
                    }
                    for(std::size_t b = 0; b < n; ++b)
                    {
                        std::size_t const off = c.received + b;
                        if(rbuf[b] != expected(k, off / o.size, off % o.size))
                        {
                            std::fprintf(stderr, "connection %zu: message %zu differs at byte %zu\n",
                                k, off / o.size, off % o.size);
                            status = 1;
                            break;
                        }
                    }
                    c.received += n;
                    if(status == 0 && c.received == total)
                    {
                        c.done = true;
                        ::close(c.fd);
                        c.fd = -1;
                        ++done;
                    }
                }
                else if(r == 0)
                {
                    std::fprintf(stderr, "connection %zu: closed by the server after %zu of %zu bytes\n",
                        k, c.received, total);
                    status = 1;
                }
                else if(errno != EAGAIN && errno != EINTR)
                {
                    std::fprintf(stderr, "connection %zu: recv: %s\n", k, std::strerror(errno));
                    status = 1;
                }
            }
        }
    }
    for(auto& c : cs)
        if(c.fd >= 0)
            ::close(c.fd);
    double const secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::size_t bytes = 0;
    for(auto const& c : cs)
        bytes += c.received;
    std::printf("%zu of %zu connections echoed %zu messages of %zu bytes each, in order, "
        "%zu in flight on each (issued, not echoed whole; at most %zu of them written "
        "in part or whole at once), %.1f MiB in %.1f s\n",
        done, cs.size(), done == cs.size() ? o.messages : 0, o.size, o.depth, max_in_flight,
        static_cast<double>(bytes) / 1048576.0, secs);
    if(status == 0)
        std::printf("every echoed byte matched\n");
    return status;
}
