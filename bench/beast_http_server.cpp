//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

/*
    The peer of example/http_server in bench/http_bench.sh: an HTTP/1.1
    server on Boost.Beast and Asio, in the style of Beast's fast server
    (one flat buffer and one parser per connection, keep-alive, N threads
    running one io_context), answering GET / with the same page.

    beast_http_server [--port N] [--threads N]
*/

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

static char const page[] =
    "<html><body><h1>Boost.MillIO http_server</h1><ul>"
    "<li><a href=\"/hash\">/hash</a> (high priority)</li>"
    "<li><a href=\"/process-image\">/process-image</a> (normal)</li>"
    "<li><a href=\"/analytics\">/analytics</a> (low)</li>"
    "<li><a href=\"/burst\">/burst</a> (mixed)</li>"
    "<li><a href=\"/metrics\">/metrics</a></li></ul></body></html>\n";

class session : public std::enable_shared_from_this<session>
{
    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    http::request<http::string_body> req_;
    http::response<http::string_body> res_;

public:
    explicit session(tcp::socket s) : stream_(std::move(s)) {}

    void read()
    {
        req_ = {};
        http::async_read(stream_, buffer_, req_,
            [self = shared_from_this()](beast::error_code ec, std::size_t) {
                if(ec)
                    return;
                self->respond();
            });
    }

    void respond()
    {
        bool const found = req_.target() == "/";
        res_ = http::response<http::string_body>(
            found ? http::status::ok : http::status::not_found, req_.version());
        res_.set(http::field::server, "Boost.Beast peer");
        res_.set(http::field::content_type, found ? "text/html" : "text/plain");
        res_.keep_alive(req_.keep_alive());
        res_.body() = found ? page : "not found\n";
        res_.prepare_payload();
        http::async_write(stream_, res_,
            [self = shared_from_this()](beast::error_code ec, std::size_t) {
                if(ec || !self->res_.keep_alive())
                {
                    beast::error_code ig;
                    self->stream_.socket().shutdown(tcp::socket::shutdown_send, ig);
                    return;
                }
                self->read();
            });
    }
};

static void accept(tcp::acceptor& a)
{
    a.async_accept([&a](beast::error_code ec, tcp::socket s) {
        if(!ec)
        {
            s.set_option(tcp::no_delay(true));
            std::make_shared<session>(std::move(s))->read();
        }
        accept(a);
    });
}

int main(int argc, char** argv)
{
    unsigned short port = 8081;
    int threads = 1;
    for(int i = 1; i + 1 < argc; i += 2)
    {
        std::string a = argv[i];
        if(a == "--port") port = static_cast<unsigned short>(std::stoi(argv[i + 1]));
        else if(a == "--threads") threads = std::stoi(argv[i + 1]);
    }
    asio::io_context ioc(threads);
    tcp::acceptor acceptor(ioc, {asio::ip::address_v4::loopback(), port});
    std::cout << "listening on 127.0.0.1:" << acceptor.local_endpoint().port() << std::endl;
    asio::signal_set signals(ioc, SIGINT, SIGTERM);
    signals.async_wait([&](beast::error_code, int) { ioc.stop(); });
    accept(acceptor);
    std::vector<std::thread> ts;
    for(int i = 1; i < threads; ++i)
        ts.emplace_back([&] { ioc.run(); });
    ioc.run();
    for(auto& t : ts)
        t.join();
    return 0;
}
