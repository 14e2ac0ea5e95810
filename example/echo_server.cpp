//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

/*
    An echo server written directly against the reactor.

    Usage: echo_server [--port N] [--threads N] [--direct]
                       [--demo [--connections N] [--messages N]]

    The server prints "listening on <address>:<port>" and echoes until
    SIGINT or SIGTERM (on Windows: Ctrl+C, Ctrl+Break or the console
    closing). The sockets are the operating system's own, POSIX or
    Winsock, through the small layer of native_socket.hpp. With --demo
    it also starts the load client of echo_load_client.cpp, which loads
    the server over loopback, verifies every echoed byte, prints what
    happened and stops the server by itself.
*/

#include <boost/millio/event_loop.hpp>
#include <boost/millio/signal_set.hpp>

#include "echo_load_client.hpp"
#include "native_socket.hpp"

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace millio = boost::millio;

//[example_echo_server_connection
// One accepted connection. Its handler runs on one thread at a time, so
// the connection needs no lock of its own.
struct connection
{
    native::socket_type fd;         // an int on POSIX, a SOCKET on Windows
    std::string pending;            // bytes the socket did not take yet
    static constexpr std::size_t high_water = 1 << 20;

    explicit connection(native::socket_type f) : fd(f) {}

    // Write what is pending; returns false on a fatal error.
    bool flush()
    {
        while(!pending.empty())
        {
            long n = native::send_some(fd, pending.data(), pending.size());
            if(n < 0)
                return native::would_block(native::last_error());
            pending.erase(0, static_cast<std::size_t>(n));
        }
        return true;
    }

    // Handle readiness; returns false when the connection is finished.
    bool on_event(millio::event const& ev)
    {
        if(!flush())
            return false;
        // Readiness is edge-triggered: read until the socket is empty,
        // unless too much is waiting to be written back.
        char buf[16384];
        while(pending.size() < high_water)
        {
            long n = native::recv_some(fd, buf, sizeof(buf));
            if(n == 0)
                return false;                       // orderly close
            if(n < 0)
                return native::would_block(native::last_error());
            pending.append(buf, static_cast<std::size_t>(n));
            if(!flush())
                return false;
        }
        return !ev.is_error();
    }
};
//]

class echo_server
{
    millio::event_loop& loop_;
    native::socket_type listen_fd_ = native::invalid_socket;
    std::mutex m_;
    std::unordered_map<std::size_t, native::socket_type> fds_;  // token -> socket
    std::atomic<std::size_t> next_token_{2};
    std::atomic<std::size_t> accepted_{0};

public:
    explicit echo_server(millio::event_loop& loop) : loop_(loop) {}

    ~echo_server()
    {
        // deregister_source waits for a running handler to return, so it
        // must not be called while holding a lock that handlers take.
        millio::error_code ec;
        if(listen_fd_ != native::invalid_socket)
        {
            loop_.deregister_source(listen_fd_, millio::token(1), ec);
            native::close(listen_fd_);
        }
        std::unordered_map<std::size_t, native::socket_type> fds;
        {
            std::lock_guard<std::mutex> lk(m_);
            fds.swap(fds_);
        }
        for(auto& kv : fds)
        {
            loop_.deregister_source(kv.second, millio::token(kv.first), ec);
            native::close(kv.second);
        }
    }

    std::size_t accepted() const { return accepted_; }

    //[example_echo_server_listen
    // Bind, listen and register the listening socket with token 1. The
    // loop takes the native socket itself: a descriptor on POSIX, a
    // SOCKET on Windows (native_socket.hpp hides the differences).
    sockaddr_in listen(unsigned short port)
    {
        listen_fd_ = native::open_nonblocking();
        native::set_reuse_address(listen_fd_);
        sockaddr_in sa = native::loopback(port);
        if(::bind(listen_fd_, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) != 0 ||
            ::listen(listen_fd_, 1024) != 0)
            throw std::runtime_error("bind/listen: " + native::error_message(native::last_error()));
        native::address_length len = sizeof(sa);
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&sa), &len);
        loop_.register_source(listen_fd_, millio::token(1), millio::interest::readable,
            [this](millio::event const&) { accept_all(); });
        return sa;
    }
    //]

private:
    //[example_echo_server_accept
    void accept_all()
    {
        for(;;)
        {
            native::socket_type fd = native::accept_nonblocking(listen_fd_);
            if(fd == native::invalid_socket)
                return; // EAGAIN: accepted everything; other errors: try next time
            native::set_no_delay(fd);
            millio::token t(next_token_++);
            {
                std::lock_guard<std::mutex> lk(m_);
                fds_.emplace(t.value(), fd);
            }
            ++accepted_;
            auto c = std::make_shared<connection>(fd);
            loop_.register_source(fd, t,
                millio::interest::readable | millio::interest::writable,
                [this, c, t](millio::event const& ev) {
                    if(!c->on_event(ev))
                        close(t, c->fd);
                });
        }
    }
    //]

    void close(millio::token t, native::socket_type fd)
    {
        // Called from the connection's own handler: deregistering is
        // allowed there, and the handler is not called again. Whoever
        // removes the connection from the table closes the descriptor.
        bool mine;
        {
            std::lock_guard<std::mutex> lk(m_);
            mine = fds_.erase(t.value()) != 0;
        }
        if(!mine)
            return;
        millio::error_code ec;
        loop_.deregister_source(fd, t, ec);
        native::close(fd);
    }
};

char const* backend_name(millio::backend_type b)
{
    switch(b)
    {
    case millio::backend_type::epoll: return "epoll";
    case millio::backend_type::poll: return "poll";
    case millio::backend_type::io_uring: return "io_uring";
    case millio::backend_type::afd: return "afd";
    default: return "automatic";
    }
}

int main(int argc, char** argv)
{
    unsigned short port = 8080;
    std::size_t threads = 0;
    bool direct = false;
    millio::backend_type backend = millio::backend_type::automatic;
    bool demo = false;
    std::size_t connections = 16;
    std::size_t messages = 5000;
    for(int i = 1; i < argc; ++i)
    {
        std::string a = argv[i];
        auto next = [&]() -> std::string {
            if(i + 1 >= argc) { std::cerr << a << " needs a value\n"; std::exit(2); }
            return argv[++i];
        };
        if(a == "--port") port = static_cast<unsigned short>(std::stoul(next()));
        else if(a == "--threads") threads = std::stoul(next());
        else if(a == "--direct") direct = true;
        else if(a == "--backend")
        {
            std::string const b = next();
            if(b == "epoll") backend = millio::backend_type::epoll;
            else if(b == "poll") backend = millio::backend_type::poll;
            else if(b == "io_uring") backend = millio::backend_type::io_uring;
            else if(b == "automatic") backend = millio::backend_type::automatic;
#if defined(_WIN32)
            else if(b == "afd") backend = millio::backend_type::afd;
#endif
            else { std::cerr << "unknown backend: " << b << "\n"; return 2; }
        }
        else if(a == "--demo") demo = true;
        else if(a == "--connections") connections = std::stoul(next());
        else if(a == "--messages") messages = std::stoul(next());
        else
        {
            (a == "--help" ? std::cout : std::cerr) << "usage: echo_server [--port N] [--threads N] [--direct] "
#if defined(_WIN32)
                         "[--backend afd] "
                         "[--demo [--connections N] [--messages N]]\n"
                         "  --backend  the readiness API (afd, the only one on Windows;\n"
                         "             io_uring falls back to it)\n";
#else
                         "[--backend epoll|poll|io_uring] "
                         "[--demo [--connections N] [--messages N]]\n"
                         "  --backend  the readiness API (default: the library's, epoll on Linux);\n"
                         "             io_uring falls back to epoll where the kernel refuses it\n";
#endif
            return a == "--help" ? 0 : 2;
        }
    }
    if(demo && port == 8080)
        port = 0; // the demo picks a free port unless told otherwise

    //[example_echo_server_main
    millio::event_loop_options opt;
    opt.io_threads = threads;
    opt.mode = direct ? millio::dispatch_mode::direct : millio::dispatch_mode::pool;
    opt.backend = backend;
    millio::event_loop loop(opt);

    millio::signal_set signals(loop, {SIGINT, SIGTERM});
    signals.stop_loop_on_signal();

    echo_server server(loop);
    sockaddr_in sa = server.listen(port);
    std::cout << "listening on 127.0.0.1:" << ntohs(sa.sin_port) << std::endl;
    //]

    if(!demo)
    {
        loop.run();
        std::cout << "stopped after " << server.accepted() << " connections" << std::endl;
        return 0;
    }

    // The load client (echo_load_client.cpp) runs on threads of its own.
    std::thread reactor([&]{ loop.run(); });
    echo_load_result const total = run_echo_load(sa, connections, messages);
    loop.stop();
    reactor.join();

    std::cout
        << "mode:          " << (direct ? "direct" : "pool") << " dispatch, "
            << loop.io_threads() << " io threads, " << backend_name(loop.backend()) << "\n"
        << "connections:   " << connections << "\n"
        << "messages:      " << total.messages << " of " << connections * messages << " (1 B - 4 KiB each, ping-pong)\n"
        << "bytes echoed:  " << total.bytes << "\n"
        << "elapsed:       " << total.seconds << " s\n"
        << "messages/s:    " << static_cast<std::size_t>(total.messages / total.seconds) << "\n"
        << "MB/s:          " << total.bytes / total.seconds / 1e6 << "\n"
        << "verification:  " << (total.mismatches == 0 && total.failures == 0 &&
               total.messages == connections * messages ? "every echoed byte matched" : "FAILED")
        << " (" << total.mismatches << " mismatched, " << total.failures << " failed connections)"
        << std::endl;
    return total.mismatches == 0 && total.failures == 0 &&
        total.messages == connections * messages ? 0 : 1;
}
