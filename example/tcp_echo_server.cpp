//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

/*
    An echo server on net::tcp_server (the seed's mill-net echo example).

    tcp_echo_server [--port N] [--threads N] [--direct] [--verbose]

    --port N     port to listen on, 0 picks a free one (default 8080)
    --threads N  io worker threads (default: hardware threads)
    --direct     low-latency dispatch: handlers run on the reactor thread
    --verbose    log connects and disconnects to stderr

    Prints "listening on <address>:<port>" as its first line, serves
    until SIGINT or SIGTERM, then exits with status 0.
*/

//[example_tcp_echo_server
#include <boost/millio.hpp>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>

namespace millio = boost::millio;
namespace net = boost::millio::net;
namespace asio = boost::asio;

//[example_tcp_echo_server_handler
struct echo_handler : net::network_handler
{
    bool verbose = false;

    void on_connect(net::server_context& ctx, net::connection_id id) override
    {
        if(verbose)
            std::cerr << "client connected: " << id << " from " << ctx.peer_endpoint(id) << "\n";
    }

    void on_data(net::server_context& ctx, net::connection_id id, asio::const_buffer data) override
    {
        // Echo the data back. Never refused: reading pauses while the
        // connection's send queue is near its high-water mark.
        ctx.send_to(id, data);
    }

    void on_disconnect(net::server_context&, net::connection_id id) override
    {
        if(verbose)
            std::cerr << "client disconnected: " << id << "\n";
    }

    void on_error(net::server_context&, std::optional<net::connection_id> id,
        millio::error_code ec) override
    {
        if(verbose)
            std::cerr << "error on " << (id ? std::to_string(id->value()) : "listener")
                << ": " << ec.message() << "\n";
    }
};
//]

bool parse_backend(std::string const& s, millio::backend_type& b)
{
    if(s == "epoll") b = millio::backend_type::epoll;
    else if(s == "poll") b = millio::backend_type::poll;
    else if(s == "io_uring") b = millio::backend_type::io_uring;
    else if(s == "automatic") b = millio::backend_type::automatic;
    else return false;
    return true;
}

char const* backend_name(millio::backend_type b)
{
    switch(b)
    {
    case millio::backend_type::epoll: return "epoll";
    case millio::backend_type::poll: return "poll";
    case millio::backend_type::io_uring: return "io_uring";
    default: return "automatic";
    }
}

int main(int argc, char** argv)
{
    unsigned short port = 8080;
    std::size_t threads = 0;
    bool direct = false;
    millio::backend_type backend = millio::backend_type::automatic;
    auto handler = std::make_shared<echo_handler>();
    for(int i = 1; i < argc; ++i)
    {
        std::string a = argv[i];
        if(a == "--port" && i + 1 < argc)
            port = static_cast<unsigned short>(std::atoi(argv[++i]));
        else if(a == "--threads" && i + 1 < argc)
            threads = static_cast<std::size_t>(std::atoi(argv[++i]));
        else if(a == "--direct")
            direct = true;
        else if(a == "--backend" && i + 1 < argc && parse_backend(argv[i + 1], backend))
            ++i;
        else if(a == "--verbose")
            handler->verbose = true;
        else
        {
            (a == "--help" ? std::cout : std::cerr) << "usage: " << argv[0]
                << " [--port N] [--threads N] [--direct] [--backend epoll|poll|io_uring] [--verbose]\n"
                   "  --backend  the readiness API (default: the library's, epoll on Linux);\n"
                   "             io_uring falls back to epoll where the kernel refuses it\n";
            return a == "--help" ? 0 : 2;
        }
    }

    try
    {
        millio::event_loop_options opt;
        opt.io_threads = threads;
        opt.compute_threads = 1;
        opt.mode = direct ? millio::dispatch_mode::direct : millio::dispatch_mode::pool;
        opt.backend = backend;
        millio::event_loop loop(opt);

        //[example_tcp_echo_server_start
        net::tcp_server server(net::tcp_server_config::builder()
            .address(asio::ip::tcp::endpoint(asio::ip::address_v4::loopback(), port))
            .buffer_size(8192)
            .max_connections(1000)
            .no_delay(true)
            .build(), handler);
        server.start(loop, millio::token(1));
        //]

        // SIGINT and SIGTERM stop the loop: the library's signal_set runs
        // its function in the loop, never in signal context.
        millio::signal_set signals(loop, {SIGINT, SIGTERM});
        signals.stop_loop_on_signal();

        auto ep = server.local_endpoint();
        std::printf("listening on %s:%u\n", ep.address().to_string().c_str(),
            static_cast<unsigned>(ep.port()));
        std::printf("backend: %s\n", backend_name(loop.backend()));
        std::fflush(stdout);

        loop.run();
        server.stop();
    }
    catch(std::exception const& e)
    {
        std::cerr << "tcp_echo_server: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
//]
