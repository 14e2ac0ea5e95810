//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

/*
    Echo server benchmark: net::tcp_server (direct and pool dispatch)
    against an idiomatic Boost.Asio echo server and a minimal epoll echo
    server, driven by one load generator that verifies every byte.

    net_bench [--rounds N] [--seconds S] [--strace] [--only abcd]
        Runs every server in its own process (this binary, "serve"
        mode), alternates them in each round, prints medians, spread
        and ratios. --strace also counts syscalls per message of the
        servers with strace -c -f.

    net_bench serve <millio-direct|millio-pool|millio-uring-direct|
                     millio-uring-pool|asio|asio-uring|epoll> [--threads N]
        Runs one server; prints "listening on 127.0.0.1:<port> pid <pid>".
        asio-uring is Asio's own io_uring mode: the program
        net_bench_asio_uring beside this one (built where liburing is
        found), which this mode runs in place of itself.

    Scenarios: (a) 1 connection ping-pong, 64 B: p50/p99 latency;
    (b) 100 connections, 64 B, 1 in flight: msgs/s; (c) 8 connections,
    16 in flight, 512 B: msgs/s; (d1, d4) 4 connections, 64 KiB
    messages, 1 and 4 in flight: msgs/s and p99.9 latency. The client
    queues whole messages, reads 256 KiB at a time and checks every byte
    with memcmp, so that it stays cheaper than the servers it measures.
*/

#include <boost/millio.hpp>
#include "asio_echo_server.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

namespace millio = boost::millio;
namespace net = boost::millio::net;
namespace asio = boost::asio;
using clock_type = std::chrono::steady_clock;

namespace {

//------------------------------------------------------------------------------
// servers

using bench_asio::announce;

struct echo_handler : net::network_handler
{
    void on_data(net::server_context& ctx, net::connection_id id, asio::const_buffer b) override
    {
        ctx.send_to(id, b);
    }
};

int serve_millio(bool direct, std::size_t threads, bool uring = false)
{
    millio::event_loop_options opt;
    if(uring)
    {
        // The completion path of tcp_server (falls back to epoll where
        // io_uring is unavailable: the banner says which ran).
        opt.backend = millio::backend_type::io_uring;
    }
    opt.mode = direct ? millio::dispatch_mode::direct : millio::dispatch_mode::pool;
    opt.io_threads = threads;
    opt.compute_threads = 1;
    millio::event_loop loop(opt);
    net::tcp_server srv(net::tcp_server_config::builder()
        .address("127.0.0.1:0").build(), echo_handler());
    srv.start(loop, millio::token(1));
    announce(srv.local_endpoint().port());
    loop.run();
    return 0;
}

// Minimal hand-written epoll echo server: one thread, edge-triggered,
// read until EAGAIN, write back, buffer what the socket does not take.
int serve_epoll()
{
    int lfd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(lfd, reinterpret_cast<sockaddr*>(&a), sizeof(a));
    ::listen(lfd, SOMAXCONN);
    socklen_t len = sizeof(a);
    ::getsockname(lfd, reinterpret_cast<sockaddr*>(&a), &len);
    int ep = ::epoll_create1(EPOLL_CLOEXEC);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = lfd;
    ::epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
    announce(ntohs(a.sin_port));
    std::map<int, std::string> pending;
    std::vector<epoll_event> evs(256);
    static char buf[65536];
    auto drop = [&](int fd){ pending.erase(fd); ::close(fd); };
    for(;;)
    {
        int n = ::epoll_wait(ep, evs.data(), static_cast<int>(evs.size()), -1);
        for(int i = 0; i < n; ++i)
        {
            int fd = evs[static_cast<std::size_t>(i)].data.fd;
            if(fd == lfd)
            {
                for(;;)
                {
                    int c = ::accept4(lfd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
                    if(c < 0)
                        break;
                    ::setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
                    epoll_event cev{};
                    cev.events = EPOLLIN | EPOLLOUT | EPOLLET;
                    cev.data.fd = c;
                    ::epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev);
                }
                continue;
            }
            bool dead = false;
            auto it = pending.find(fd);
            if(it != pending.end())
            {
                // flush first
                ssize_t w = ::send(fd, it->second.data(), it->second.size(), MSG_NOSIGNAL);
                if(w > 0)
                    it->second.erase(0, static_cast<std::size_t>(w));
                else if(w < 0 && errno != EAGAIN)
                    dead = true;
                if(!dead && it->second.empty())
                    pending.erase(it);
            }
            while(!dead && pending.find(fd) == pending.end())
            {
                ssize_t r = ::recv(fd, buf, sizeof(buf), 0);
                if(r == 0 || (r < 0 && errno != EAGAIN))
                {
                    dead = true;
                    break;
                }
                if(r < 0)
                    break;
                ssize_t w = ::send(fd, buf, static_cast<std::size_t>(r), MSG_NOSIGNAL);
                if(w < 0 && errno != EAGAIN)
                {
                    dead = true;
                    break;
                }
                if(w < 0)
                    w = 0;
                if(w < r)
                    pending[fd].assign(buf + w, static_cast<std::size_t>(r - w));
                if(static_cast<std::size_t>(r) < sizeof(buf))
                    break;
            }
            if(dead)
                drop(fd);
        }
    }
}

//------------------------------------------------------------------------------
// load generator

struct server_proc
{
    std::string name;
    pid_t pid = -1;       // the process we started (maybe strace)
    pid_t server_pid = -1;
    unsigned short port = 0;
};

server_proc spawn(std::string const& name, std::string const& kind,
    std::vector<std::string> extra, std::string const& strace_out = {})
{
    int p[2];
    if(::pipe(p) != 0)
        std::abort();
    pid_t pid = ::fork();
    if(pid == 0)
    {
        ::dup2(p[1], 1);
        ::close(p[0]);
        ::close(p[1]);
        std::vector<std::string> args;
        if(!strace_out.empty())
        {
            args = {"strace", "-c", "-f", "-o", strace_out};
        }
        args.push_back("/proc/self/exe");
        if(!strace_out.empty())
        {
            char self[4096];
            ssize_t n = ::readlink("/proc/self/exe", self, sizeof(self) - 1);
            self[n > 0 ? n : 0] = 0;
            args.back() = self;
        }
        args.push_back("serve");
        args.push_back(kind);
        for(auto& e : extra)
            args.push_back(e);
        std::vector<char*> av;
        for(auto& s : args)
            av.push_back(&s[0]);
        av.push_back(nullptr);
        ::execvp(av[0], av.data());
        ::_exit(127);
    }
    ::close(p[1]);
    server_proc sp;
    sp.name = name;
    sp.pid = pid;
    std::string line;
    char c;
    while(::read(p[0], &c, 1) == 1 && c != '\n')
        line += c;
    ::close(p[0]);
    unsigned port = 0;
    int spid = 0;
    if(std::sscanf(line.c_str(), "listening on 127.0.0.1:%u pid %d", &port, &spid) != 2)
    {
        std::fprintf(stderr, "server %s did not start: '%s'\n", name.c_str(), line.c_str());
        std::exit(1);
    }
    sp.port = static_cast<unsigned short>(port);
    sp.server_pid = spid;
    return sp;
}

void terminate(server_proc const& sp, bool strace)
{
    if(strace)
    {
        // The server dies; strace then writes its summary and exits.
        ::kill(sp.server_pid, SIGTERM);
        int st;
        ::waitpid(sp.pid, &st, 0);
        return;
    }
    ::kill(sp.pid, SIGKILL);
    int st;
    ::waitpid(sp.pid, &st, 0);
}

inline unsigned char pat(std::uint64_t k, std::uint64_t i)
{
    std::uint64_t x = (i + 1) * 0x9E3779B97F4A7C15ull + k * 0xBF58476D1CE4E5B9ull;
    return static_cast<unsigned char>((x >> 29) ^ i);
}

// The byte stream of connection k repeats with a prime period, so that
// sending and checking are a pointer into a precomputed ring and a
// memcmp: the client must not be the bottleneck of large messages.
constexpr std::size_t pat_period = 4099;

std::vector<unsigned char> make_ring(std::uint64_t k, std::size_t extra)
{
    std::vector<unsigned char> v(pat_period + extra);
    for(std::size_t i = 0; i < v.size(); ++i)
        v[i] = pat(k, i % pat_period);
    return v;
}

struct result
{
    double msgs_per_s = 0;
    double mb_per_s = 0;
    double p50_us = 0;
    double p99_us = 0;
    double p999_us = 0;
    std::uint64_t msgs = 0;
    bool ok = true;
};

// Each connection keeps `inflight` messages of `size` bytes in flight,
// queued whole (each send takes as much as the socket accepts), and
// reads echoes 256 KiB at a time ; every byte is checked. Runs for `dur` or until
// `max_msgs` messages were echoed.
result drive(unsigned short port, int conns, int inflight, std::size_t size,
    std::chrono::duration<double> dur, std::uint64_t max_msgs = ~0ull)
{
    struct conn
    {
        int fd;
        std::uint64_t sent = 0;    // bytes handed to send
        std::uint64_t target = 0;  // bytes to be sent so far
        std::uint64_t recvd = 0;
        std::vector<clock_type::time_point> t0;
        std::vector<unsigned char> ring;
    };
    std::vector<conn> cs(static_cast<std::size_t>(conns));
    int ep = ::epoll_create1(EPOLL_CLOEXEC);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    for(int k = 0; k < conns; ++k)
    {
        auto& c = cs[static_cast<std::size_t>(k)];
        c.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        int one = 1;
        ::setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        if(::connect(c.fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0)
        {
            std::perror("connect");
            std::exit(1);
        }
        ::fcntl(c.fd, F_SETFL, O_NONBLOCK);
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u32 = static_cast<std::uint32_t>(k);
        ::epoll_ctl(ep, EPOLL_CTL_ADD, c.fd, &ev);
        c.t0.resize(static_cast<std::size_t>(inflight));
        c.ring = make_ring(static_cast<std::uint64_t>(k),
            (std::max)(size * static_cast<std::size_t>(inflight), std::size_t(1) << 18));
    }
    std::size_t const wmax = size * static_cast<std::size_t>(inflight);
    std::vector<unsigned char> rbuf(std::size_t(1) << 18);
    std::vector<double> lat;
    lat.reserve(1 << 20);
    result res;
    auto pump = [&](std::size_t k)
    {
        auto& c = cs[k];
        while(c.sent < c.target)
        {
            std::size_t len = static_cast<std::size_t>((std::min<std::uint64_t>)(c.target - c.sent, wmax));
            ssize_t w = ::send(c.fd, c.ring.data() + c.sent % pat_period, len, MSG_NOSIGNAL);
            if(w <= 0)
            {
                if(w < 0 && errno == EAGAIN)
                {
                    epoll_event ev{};
                    ev.events = EPOLLIN | EPOLLOUT;
                    ev.data.u32 = static_cast<std::uint32_t>(k);
                    ::epoll_ctl(ep, EPOLL_CTL_MOD, c.fd, &ev);
                    return;
                }
                res.ok = false;
                return;
            }
            c.sent += static_cast<std::uint64_t>(w);
        }
    };
    auto start = clock_type::now();
    for(std::size_t k = 0; k < cs.size(); ++k)
    {
        for(int m = 0; m < inflight; ++m)
            cs[k].t0[static_cast<std::size_t>(m)] = start;
        cs[k].target = size * static_cast<std::size_t>(inflight);
        pump(k);
    }
    auto end = start + std::chrono::duration_cast<clock_type::duration>(dur);
    std::vector<epoll_event> evs(256);
    std::uint64_t msgs = 0;
    bool stop = false;
    while(!stop && res.ok)
    {
        int n = ::epoll_wait(ep, evs.data(), static_cast<int>(evs.size()), 100);
        auto now = clock_type::now();
        if(now >= end || msgs >= max_msgs)
            break;
        for(int i = 0; i < n; ++i)
        {
            std::size_t k = evs[static_cast<std::size_t>(i)].data.u32;
            auto& c = cs[k];
            if(evs[static_cast<std::size_t>(i)].events & EPOLLOUT)
            {
                epoll_event ev{};
                ev.events = EPOLLIN;
                ev.data.u32 = static_cast<std::uint32_t>(k);
                ::epoll_ctl(ep, EPOLL_CTL_MOD, c.fd, &ev);
                pump(k);
            }
            if(!(evs[static_cast<std::size_t>(i)].events & EPOLLIN))
                continue;
            ssize_t r = ::recv(c.fd, rbuf.data(), rbuf.size(), 0);
            if(r <= 0)
            {
                if(r < 0 && errno == EAGAIN)
                    continue;
                res.ok = false;
                break;
            }
            if(std::memcmp(rbuf.data(), c.ring.data() + c.recvd % pat_period,
                static_cast<std::size_t>(r)) != 0)
            {
                res.ok = false;
                break;
            }
            std::uint64_t before = c.recvd / size;
            c.recvd += static_cast<std::uint64_t>(r);
            std::uint64_t after = c.recvd / size;
            if(after > before)
            {
                auto t = clock_type::now();
                for(std::uint64_t m = before; m < after; ++m)
                {
                    auto& slot = c.t0[static_cast<std::size_t>(m % static_cast<std::uint64_t>(inflight))];
                    lat.push_back(std::chrono::duration<double, std::micro>(t - slot).count());
                    slot = t;
                }
                msgs += after - before;
                c.target += (after - before) * size;
                pump(k);
            }
        }
    }
    double secs = std::chrono::duration<double>(clock_type::now() - start).count();
    for(auto& c : cs)
        ::close(c.fd);
    ::close(ep);
    res.msgs = msgs;
    res.msgs_per_s = static_cast<double>(msgs) / secs;
    res.mb_per_s = static_cast<double>(msgs) * static_cast<double>(size) / secs / 1e6;
    if(!lat.empty())
    {
        std::sort(lat.begin(), lat.end());
        res.p50_us = lat[lat.size() / 2];
        res.p99_us = lat[lat.size() * 99 / 100];
        res.p999_us = lat[lat.size() * 999 / 1000];
    }
    return res;
}

struct scenario
{
    char const* name;
    int conns;
    int inflight;
    std::size_t size;
    char const* unit;
};

scenario const scenarios[] = {
    {"(a) 1 conn ping-pong 64 B, p99 us", 1, 1, 64, "us"},
    {"(b) 100 conns 64 B, msgs/s", 100, 1, 64, "msg/s"},
    {"(c) 8 conns x16 in flight 512 B, msgs/s", 8, 16, 512, "msg/s"},
    {"(d1) 4 conns 64 KiB msgs, 1 in flight, msgs/s", 4, 1, 65536, "msg/s"},
    {"(d4) 4 conns 64 KiB msgs, 4 in flight, msgs/s", 4, 4, 65536, "msg/s"},
};

double metric(std::size_t s, result const& r)
{
    switch(s)
    {
    case 0: return r.p99_us;
    default: return r.msgs_per_s;
    }
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

struct contender
{
    char const* name;
    char const* kind;
    std::vector<std::string> args;
};

std::string asio_uring_path();

int run_bench(int rounds, double seconds, bool strace, std::string const& only)
{
    std::vector<contender> cons = {
        {"millio direct (1 thread)", "millio-direct", {}},
        {"millio pool (1 worker)", "millio-pool", {"--threads", "1"}},
        {"asio (1 thread)", "asio", {"--threads", "1"}},
        {"epoll (1 thread)", "epoll", {}},
        {"asio (2 threads)", "asio", {"--threads", "2"}},
        // the completion path of tcp_server (io_uring backend)
        {"millio io_uring direct", "millio-uring-direct", {}},
        {"millio io_uring pool (1 wk)", "millio-uring-pool", {"--threads", "1"}},
    };
    // Asio's own io_uring mode, where it was built.
    if(!asio_uring_path().empty())
        cons.push_back({"asio io_uring (1 thread)", "asio-uring", {"--threads", "1"}});
    std::vector<server_proc> procs;
    for(auto& c : cons)
        procs.push_back(spawn(c.name, c.kind, c.args));
    std::size_t const ns = sizeof(scenarios) / sizeof(scenarios[0]);
    // values[s][c] = per-round metric; p50 for (a) kept separately
    std::vector<std::vector<std::vector<double>>> values(ns,
        std::vector<std::vector<double>>(cons.size()));
    std::vector<std::vector<double>> p50(cons.size());
    auto p999 = values;
    bool all_ok = true;
    for(int r = 0; r < rounds; ++r)
    {
        for(std::size_t s = 0; s < ns; ++s)
        {
            if(!only.empty() && only.find(static_cast<char>(s < 3 ? 'a' + s : 'd')) == std::string::npos)
                continue;
            for(std::size_t i = 0; i < cons.size(); ++i)
            {
                // Alternate the order between rounds.
                std::size_t c = (r % 2 == 0) ? i : cons.size() - 1 - i;
                auto const& sc = scenarios[s];
                auto res = drive(procs[c].port, sc.conns, sc.inflight, sc.size,
                    std::chrono::duration<double>(seconds));
                if(!res.ok)
                {
                    std::fprintf(stderr, "VERIFY FAILED: %s, %s\n", cons[c].name, sc.name);
                    all_ok = false;
                }
                values[s][c].push_back(metric(s, res));
                p999[s][c].push_back(res.p999_us);
                if(s == 0)
                    p50[c].push_back(res.p50_us);
            }
        }
        std::fprintf(stderr, "round %d done\n", r + 1);
    }
    for(auto& p : procs)
        terminate(p, false);

    std::printf("\nEcho servers, %d rounds x %.1f s per cell, medians [min-max]; "
        "ratio = ours/asio and ours/epoll (for (a) p99: lower is better)\n\n", rounds, seconds);
    std::size_t const asio_i = 2, epoll_i = 3;
    for(std::size_t s = 0; s < ns; ++s)
    {
        if(values[s][0].empty())
            continue;
        std::printf("%s\n", scenarios[s].name);
        for(std::size_t c = 0; c < cons.size(); ++c)
        {
            auto& v = values[s][c];
            double med = median(v);
            double mn = *std::min_element(v.begin(), v.end());
            double mx = *std::max_element(v.begin(), v.end());
            std::printf("  %-26s %12.1f  [%.1f-%.1f]", cons[c].name, med, mn, mx);
            if(s == 0)
                std::printf("  p50 %.1f us", median(p50[c]));
            else
                std::printf("  p99.9 %.0f us", median(p999[s][c]));
            std::printf("  vs asio %.2fx  vs epoll %.2fx  vs asio-2t %.2fx\n",
                med / median(values[s][asio_i]), med / median(values[s][epoll_i]),
                med / median(values[s][4]));
        }
    }

    if(strace)
    {
        std::printf("\nSyscalls per message (strace -c -f on the server process, fixed message count)\n");
        for(std::size_t c = 0; c < cons.size(); ++c)
        {
            if(c == 4)
                continue; // thread count does not change the syscall profile much
            for(std::size_t s : {std::size_t(0), std::size_t(1)})
            {
                std::string out = "/tmp/net_bench_strace_" + std::string(cons[c].kind) + ".txt";
                auto sp = spawn(cons[c].name, cons[c].kind, cons[c].args, out);
                std::uint64_t const want = s == 0 ? 5000 : 20000;
                auto res = drive(sp.port, scenarios[s].conns, scenarios[s].inflight,
                    scenarios[s].size, std::chrono::seconds(60), want);
                terminate(sp, true);
                // total calls: the "total" line of strace -c
                FILE* f = std::fopen(out.c_str(), "r");
                long total = 0;
                std::string breakdown;
                char line[512];
                while(f && std::fgets(line, sizeof(line), f))
                {
                    double pct, secs;
                    long usecs, calls, errors;
                    char name[64];
                    if(std::strstr(line, "total"))
                    {
                        std::sscanf(line, "%lf %lf %*s %ld", &pct, &secs, &total);
                        continue;
                    }
                    int n = std::sscanf(line, "%lf %lf %ld %ld %ld %63s", &pct, &secs, &usecs, &calls, &errors, name);
                    if(n < 6)
                    {
                        n = std::sscanf(line, "%lf %lf %ld %ld %63s", &pct, &secs, &usecs, &calls, name);
                        if(n < 5)
                            continue;
                    }
                    if(calls * 20 >= static_cast<long>(res.msgs))
                        breakdown += " " + std::string(name) + "=" +
                            std::to_string(static_cast<double>(calls) / static_cast<double>(res.msgs)).substr(0, 4);
                }
                if(f)
                    std::fclose(f);
                std::printf("  %-26s %-28s %6llu msgs  %.2f syscalls/msg  (%s )\n", cons[c].name,
                    s == 0 ? "(a) ping-pong" : "(b) 100 conns",
                    static_cast<unsigned long long>(res.msgs),
                    res.msgs ? static_cast<double>(total) / static_cast<double>(res.msgs) : 0.0,
                    breakdown.c_str());
            }
        }
    }
    return all_ok ? 0 : 1;
}

// The program of Asio's io_uring mode, beside this one; empty if it was
// not built (no liburing).
std::string asio_uring_path()
{
    char self[4096];
    ssize_t n = ::readlink("/proc/self/exe", self, sizeof(self) - 1);
    if(n <= 0)
        return {};
    std::string p(self, static_cast<std::size_t>(n));
    p = p.substr(0, p.rfind('/') + 1) + "net_bench_asio_uring";
    return ::access(p.c_str(), X_OK) == 0 ? p : std::string();
}

// `serve asio-uring [--threads N]`: becomes net_bench_asio_uring.
int exec_asio_uring(int argc, char** argv)
{
    std::string p = asio_uring_path();
    if(p.empty())
    {
        std::fprintf(stderr, "net_bench_asio_uring was not built (liburing not found)\n");
        return 2;
    }
    std::vector<char*> av{&p[0]};
    for(int i = 3; i < argc; ++i)
        av.push_back(argv[i]);
    av.push_back(nullptr);
    ::execv(av[0], av.data());
    std::perror("execv net_bench_asio_uring");
    return 127;
}

} // (anon)

int main(int argc, char** argv)
{
    if(argc >= 3 && std::string(argv[1]) == "serve")
    {
        std::string kind = argv[2];
        std::size_t threads = 1;
        for(int i = 3; i + 1 < argc; ++i)
            if(std::string(argv[i]) == "--threads")
                threads = static_cast<std::size_t>(std::atoi(argv[i + 1]));
        if(kind == "millio-direct")
            return serve_millio(true, threads);
        if(kind == "millio-pool")
            return serve_millio(false, threads);
        if(kind == "millio-uring-direct")
            return serve_millio(true, threads, true);
        if(kind == "millio-uring-pool")
            return serve_millio(false, threads, true);
        if(kind == "asio")
            return bench_asio::serve(threads);
        if(kind == "asio-uring")
            return exec_asio_uring(argc, argv);
        if(kind == "epoll")
            return serve_epoll();
        return 2;
    }
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    int rounds = 3;
    double seconds = 1.0;
    bool strace = false;
    std::string only;
    for(int i = 1; i < argc; ++i)
    {
        std::string a = argv[i];
        if(a == "--only" && i + 1 < argc)
            only = argv[++i];
        if(a == "--rounds" && i + 1 < argc)
            rounds = std::atoi(argv[++i]);
        else if(a == "--seconds" && i + 1 < argc)
            seconds = std::atof(argv[++i]);
        else if(a == "--strace")
            strace = true;
    }
    return run_bench(rounds, seconds, strace, only);
}
