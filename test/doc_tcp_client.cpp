//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// The snippets of doc/qbk/tcp_client.qbk, run as tests against an echo
// server on loopback, on every backend in both dispatch modes.

#include <boost/millio/net.hpp>

#define BOOST_TEST_MODULE millio_doc_tcp_client
#include <boost/test/unit_test.hpp>

#include "net_test_util.hpp"

#include <atomic>
#include <memory>
#include <string>
#include <vector>

namespace millio = boost::millio;
namespace net = boost::millio::net;
namespace asio = boost::asio;

namespace {

//[doc_tcp_client_handler
// Sends a greeting (see below), collects the echo, then closes.
struct greeter : net::client_handler
{
    std::string received;   // used by the callbacks only, which never overlap
    //<-
    test::latch done{1};
    std::atomic<int> connects{0};
    std::atomic<int> errors{0};
    //->

    void on_connect(net::tcp_client& c) override
    {
        // established: c.remote_endpoint() is the peer
        //<-
        (void)c;
        ++connects;
        //->
    }

    void on_data(net::tcp_client& c, asio::const_buffer bytes) override
    {
        received.append(static_cast<char const*>(bytes.data()), bytes.size());
        if(received == "hello")
            c.disconnect();             // graceful: flush, FIN, wait for the peer's
    }

    void on_disconnect(net::tcp_client&) override
    {
        // called once, after on_connect
        //<-
        done.count_down();
        //->
    }

    void on_error(net::tcp_client&, millio::error_code ec) override
    {
        // a failed or timed-out connect, or an error of the connection
        //<-
        (void)ec;
        ++errors;
        done.count_down();
        //->
    }
};
//]

//[doc_tcp_client_backpressure
// Uploads `left` bytes as fast as the peer takes them.
struct uploader : net::client_handler
{
    std::size_t left;
    std::vector<char> chunk = std::vector<char>(64 * 1024, 'x');
    //<-
    std::atomic<int> refused{0};
    std::atomic<bool> all_queued{false};
    explicit uploader(std::size_t n) : left(n) {}
    //->

    void pump(net::tcp_client& c)
    {
        while(left > 0)
        {
            std::size_t const n = std::min(left, chunk.size());
            millio::error_code ec;
            c.send(asio::buffer(chunk.data(), n), ec);
            if(ec == millio::error::send_queue_full)
            {
                //<-
                ++refused;
                //->
                return;                 // nothing of it was queued: on_writable resumes
            }
            if(ec)
                return;                 // the connection is closing; on_error tells why
            left -= n;
        }
        c.disconnect();                 // flushes the queue first
        //<-
        all_queued = true;
        //->
    }

    void on_connect(net::tcp_client& c) override { pump(c); }
    void on_writable(net::tcp_client& c) override { pump(c); }
    void on_data(net::tcp_client&, asio::const_buffer) override {}
};
//]

// The server's side of the upload: counts what it receives.
struct sink : net::network_handler
{
    std::atomic<std::size_t> bytes{0};
    std::atomic<int> disconnects{0};

    void on_data(net::server_context&, net::connection_id, asio::const_buffer b) override
    {
        bytes.fetch_add(b.size());
    }

    void on_disconnect(net::server_context&, net::connection_id) override
    {
        ++disconnects;
    }
};

//[doc_tcp_client_destroy
// Waits for one reply, then destroys its own client.
struct one_reply : net::client_handler
{
    std::unique_ptr<net::tcp_client>* owner = nullptr;
    //<-
    std::atomic<int> disconnects{0};
    std::atomic<int> data_calls{0};
    test::latch done{1};
    //->

    void on_data(net::tcp_client&, asio::const_buffer) override
    {
        //<-
        ++data_calls;
        //->
        owner->reset();     // on_disconnect runs within this call; nothing follows
        // the client is gone: do not use the tcp_client& argument from here
        //<-
        done.count_down();
        //->
    }

    void on_disconnect(net::tcp_client&) override
    {
        //<-
        ++disconnects;
        //->
    }
};
//]

} // namespace

// The test cases (data test cases are classes) capture the helpers of the
// anonymous namespace: they are there too (-Wsubobject-linkage).
namespace {

BOOST_AUTO_TEST_SUITE(doc_tcp_client)

BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(120))
BOOST_DATA_TEST_CASE(connect_send_disconnect, test::configs_dataset(), cfg)
{
    millio::event_loop loop(cfg.options());
    net::tcp_server server(test::local_config(), std::make_shared<test::echo_handler>());
    server.start(loop, millio::token(1));
    auto const server_endpoint = test::loopback(server.local_endpoint());
    test::loop_runner r(loop);

    //[doc_tcp_client_connect
    net::tcp_client_config conf;
    conf.connect_timeout = std::chrono::seconds(5);    // from start() to on_connect
    conf.close_timeout = std::chrono::seconds(5);      // from disconnect() to the peer's FIN
    conf.write_timeout = std::chrono::seconds(30);     // a peer that stopped reading
    net::tcp_client c(conf);
    auto handler = std::make_shared<greeter>();
    c.connect(server_endpoint, handler);
    c.start(loop, millio::token(7));        // the connect time-out starts here
    c.send(asio::buffer("hello", 5));       // queued until connected
    //]

    BOOST_TEST(handler->done.wait_for(std::chrono::seconds(20)));
    BOOST_TEST(handler->connects.load() == 1);
    BOOST_TEST(handler->errors.load() == 0);
    BOOST_TEST(handler->received == "hello");
    BOOST_TEST(!c.is_connected());
}

BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(120))
BOOST_DATA_TEST_CASE(back_pressure, test::configs_dataset(), cfg)
{
    // Not scaled down in slow builds: more than the kernel's buffers of
    // the connection may hold, so that the queue fills in the direct mode.
    std::size_t const total = 16 * 1024 * 1024;
    millio::event_loop loop(cfg.options());
    auto counter = std::make_shared<sink>();
    net::tcp_server server(net::tcp_server_config::builder()
        .address("127.0.0.1:0")
        .receive_buffer_size(64 * 1024)     // no growth by the kernel
        .build(), counter);
    server.start(loop, millio::token(1));
    test::loop_runner r(loop);

    net::tcp_client_config conf;
    conf.write_high_water_mark = 256 * 1024;
    conf.write_low_water_mark = 64 * 1024;
    net::tcp_client c(conf);
    auto h = std::make_shared<uploader>(total);
    c.connect(test::loopback(server.local_endpoint()), h);
    c.start(loop, millio::token(7));

    // every byte arrives, and the client's disconnect (after the
    // flush) reaches the server
    BOOST_TEST(test::eventually([&] { return counter->disconnects.load() == 1; },
        std::chrono::seconds(60)));
    BOOST_TEST(counter->bytes.load() == total);
    BOOST_TEST(h->all_queued.load());
    BOOST_TEST_MESSAGE(cfg.name() << ": send refused " << h->refused.load() << " times");
    if(cfg.mode == millio::dispatch_mode::direct)
    {
        // the thread that would read on the server's side is busy
        // in pump(): the sockets fill up and the queue reaches the
        // high-water mark
        BOOST_TEST(h->refused.load() > 0);
    }
}

BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(120))
BOOST_DATA_TEST_CASE(destroyed_from_own_callback, test::configs_dataset(), cfg)
{
    millio::event_loop loop(cfg.options());
    net::tcp_server server(test::local_config(), std::make_shared<test::echo_handler>());
    server.start(loop, millio::token(1));
    test::loop_runner r(loop);

    auto client = std::make_unique<net::tcp_client>();
    auto h = std::make_shared<one_reply>();
    h->owner = &client;
    client->connect(test::loopback(server.local_endpoint()), h);
    client->start(loop, millio::token(7));
    client->send(asio::buffer("ping", 4));

    BOOST_TEST(h->done.wait_for(std::chrono::seconds(20)));
    BOOST_TEST(!client);
    BOOST_TEST(h->disconnects.load() == 1);
    // no callback after the destructor returned, even if the
    // server echoes again
    BOOST_TEST(h->data_calls.load() == 1);
}

BOOST_AUTO_TEST_SUITE_END()

} // (anon)
