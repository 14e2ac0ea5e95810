//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// The examples of the reference of the network classes (and of
// buffer_pool, which reads from a socket), run as tests on loopback. Each
// example is the code between two `//! [name]` markers, shown in the
// header by `@snippet doc_reference_net.cpp name`.

#include <boost/millio/buffer_pool.hpp>
#include <boost/millio/net.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#define BOOST_TEST_MODULE millio_doc_reference_net
#include <boost/test/unit_test.hpp>

#include "net_test_util.hpp"

#include <chrono>
#include <mutex>
#include <string>
#include <thread>

using namespace boost::millio;
namespace net = boost::millio::net;
namespace asio = boost::asio;

namespace {

// The echo server of the tcp_server example.
//! [ref_tcp_server_handler]
struct echo : net::network_handler
{
    void on_data(net::server_context& ctx, net::connection_id id,
        asio::const_buffer b) override
    {
        ctx.send_to(id, b);
    }
};
//! [ref_tcp_server_handler]

// What the client of the tcp_client example receives.
std::mutex received_mutex;
std::string received;
test::latch* echoed = nullptr;

struct my_handler : net::client_handler
{
    void on_data(net::tcp_client&, asio::const_buffer bytes) override
    {
        std::lock_guard<std::mutex> lk(received_mutex);
        received.append(static_cast<char const*>(bytes.data()), bytes.size());
        if(received.size() >= 5)
            echoed->count_down();
    }
};

// Sends "hello" to `ep` over a blocking socket and returns the reply's
// first five bytes.
std::string
echo_of_hello(asio::ip::tcp::endpoint ep)
{
    asio::io_context ioc;
    asio::ip::tcp::socket s(ioc);
    s.connect(ep);
    asio::write(s, asio::buffer("hello", 5));
    char reply[5];
    asio::read(s, asio::buffer(reply));
    return std::string(reply, 5);
}

} // (anon)

BOOST_AUTO_TEST_SUITE(doc_reference_net)

BOOST_AUTO_TEST_CASE(tcp_server_example, *boost::unit_test::timeout(30))
{
    //! [ref_tcp_server]
    event_loop loop;
    net::tcp_server server(net::tcp_server_config::builder()
        .address("127.0.0.1:0").build(), echo());   // port 0: any free port
    server.start(loop, token(1));
    std::thread io([&] { loop.run(); });            // or loop.run() on this thread
    //! [ref_tcp_server]
    std::string const reply = echo_of_hello(server.local_endpoint());
    loop.stop();
    io.join();
    BOOST_TEST(reply == "hello");
}

BOOST_AUTO_TEST_CASE(tcp_client_example, *boost::unit_test::timeout(30))
{
    event_loop loop;
    test::loop_runner runner(loop);
    net::tcp_server server(net::tcp_server_config::builder()
        .address("127.0.0.1:0").build(), echo());
    server.start(loop, token(1));
    unsigned short const port = server.local_endpoint().port();
    test::latch done(1);
    echoed = &done;
    received.clear();
    //! [ref_tcp_client]
    net::tcp_client_config cfg;
    cfg.connect_timeout = std::chrono::seconds(5);
    net::tcp_client c(cfg);
    c.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), my_handler());
    c.start(loop, token(7));
    c.send(asio::buffer("hello", 5));               // queued until connected
    //! [ref_tcp_client]
    BOOST_REQUIRE(done.wait_for(std::chrono::seconds(20)));
    std::lock_guard<std::mutex> lk(received_mutex);
    BOOST_TEST(received == "hello");
}

BOOST_AUTO_TEST_CASE(tcp_client_config_example, *boost::unit_test::timeout(30))
{
    //! [ref_tcp_client_config]
    net::tcp_client_config cfg;
    cfg.buffer_size = 16384;
    cfg.connect_timeout = std::chrono::seconds(5);
    net::tcp_client c(cfg);
    //! [ref_tcp_client_config]
    BOOST_TEST(!c.is_connected());
}

BOOST_AUTO_TEST_CASE(tcp_server_config_example, *boost::unit_test::timeout(30))
{
    using net::tcp_server_config;
    //! [ref_tcp_server_config]
    auto cfg = tcp_server_config::builder()
        .address("127.0.0.1:0")
        .buffer_size(16384)
        .max_connections(1000)
        .build();
    //! [ref_tcp_server_config]
    BOOST_TEST(cfg.address().address().to_string() == "127.0.0.1");
    BOOST_TEST(cfg.buffer_size() == 16384u);
    BOOST_TEST(cfg.max_connections().value() == 1000u);
}

BOOST_AUTO_TEST_CASE(tcp_server_config_builder_example, *boost::unit_test::timeout(30))
{
    using net::tcp_server_config;
    //! [ref_tcp_server_config_builder]
    auto cfg = tcp_server_config::builder().address("[::1]:0").build();
    //! [ref_tcp_server_config_builder]
    BOOST_TEST(cfg.address().address().is_v6());
    BOOST_TEST(cfg.address().port() == 0u);
}

BOOST_AUTO_TEST_CASE(buffer_pool_example, *boost::unit_test::timeout(30))
{
    asio::io_context ioc;
    asio::ip::tcp::acceptor acceptor(ioc,
        asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    asio::ip::tcp::socket peer(ioc);
    peer.connect(acceptor.local_endpoint());
    asio::ip::tcp::socket socket = acceptor.accept();
    asio::write(peer, asio::buffer("hello", 5));
    //! [ref_buffer_pool]
    buffer_pool pool(8192);
    pooled_buffer b = pool.acquire();
    std::size_t n = socket.read_some(b.buffer());
    //! [ref_buffer_pool]
    BOOST_TEST(n >= 1u);
    BOOST_TEST(n <= 5u);
    BOOST_TEST(std::string(reinterpret_cast<char const*>(b.data()), n) == std::string("hello", n));
    BOOST_TEST(b.size() == 8192u);
}

BOOST_AUTO_TEST_SUITE_END()
