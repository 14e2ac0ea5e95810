//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

//[example_quick_start
// An echo server: quick_start [--port N] (0 picks a free port), until Ctrl+C.
#include <boost/millio.hpp>
#include <csignal>
#include <iostream>
#include <string>

namespace millio = boost::millio;
namespace net = boost::millio::net;

struct echo_handler : net::network_handler
{
    void on_connect(net::server_context&, net::connection_id id) override
    {
        std::cerr << "client connected: " << id << "\n";
    }
    void on_data(net::server_context& ctx, net::connection_id id,
        boost::asio::const_buffer data) override
    {
        ctx.send_to(id, data);                          // echo the data back
    }
    void on_disconnect(net::server_context&, net::connection_id id) override
    {
        std::cerr << "client disconnected: " << id << "\n";
    }
};

int main(int argc, char** argv)
{
    std::string port = argc == 3 && std::string(argv[1]) == "--port" ? argv[2] : "8080";
    millio::event_loop loop;                            // io workers: one per core
    net::tcp_server server(net::tcp_server_config::builder()
        .address("127.0.0.1:" + port)
        .buffer_size(8192)
        .max_connections(1000)
        .no_delay(true)
        .build(), echo_handler());
    server.start(loop, millio::token(0));
    millio::signal_set signals(loop, {SIGINT, SIGTERM});
    signals.stop_loop_on_signal();                      // Ctrl+C ends run()
    std::cout << "listening on " << server.local_endpoint() << std::endl;
    loop.run();
}
//]
