//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// The idiomatic Boost.Asio echo server of the benchmarks, included by
// net_bench (Asio on epoll) and by net_bench_asio_uring (Asio built with
// BOOST_ASIO_HAS_IO_URING and BOOST_ASIO_DISABLE_EPOLL: its io_uring
// mode). The macros change Asio for a whole program, so each mode is a
// program of its own.

#ifndef BOOST_MILLIO_BENCH_ASIO_ECHO_SERVER_HPP
#define BOOST_MILLIO_BENCH_ASIO_ECHO_SERVER_HPP

#include <boost/asio.hpp>

#include <cstdio>
#include <memory>
#include <thread>
#include <vector>

#include <unistd.h>

namespace bench_asio {

namespace asio = boost::asio;

// The line the benchmark driver waits for.
inline void announce(unsigned short port)
{
    std::printf("listening on 127.0.0.1:%u pid %d\n", static_cast<unsigned>(port),
        static_cast<int>(::getpid()));
    std::fflush(stdout);
}

class session : public std::enable_shared_from_this<session>
{
    asio::ip::tcp::socket s_;
    std::vector<char> buf_ = std::vector<char>(65536);

public:
    explicit session(asio::ip::tcp::socket s) : s_(std::move(s)) {}

    void start() { do_read(); }

private:
    void do_read()
    {
        auto self = shared_from_this();
        s_.async_read_some(asio::buffer(buf_),
            [this, self](boost::system::error_code ec, std::size_t n)
            {
                if(!ec)
                    do_write(n);
            });
    }

    void do_write(std::size_t n)
    {
        auto self = shared_from_this();
        asio::async_write(s_, asio::buffer(buf_, n),
            [this, self](boost::system::error_code ec, std::size_t)
            {
                if(!ec)
                    do_read();
            });
    }
};

inline void accept(asio::ip::tcp::acceptor& acc)
{
    acc.async_accept([&acc](boost::system::error_code ec, asio::ip::tcp::socket s)
    {
        if(!ec)
        {
            s.set_option(asio::ip::tcp::no_delay(true));
            std::make_shared<session>(std::move(s))->start();
        }
        accept(acc);
    });
}

// Serves on 127.0.0.1 (an ephemeral port, announced) with `threads`
// threads running one io_context, until killed.
inline int serve(std::size_t threads)
{
    asio::io_context ioc(static_cast<int>(threads));
    asio::ip::tcp::acceptor acc(ioc,
        asio::ip::tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    accept(acc);
    announce(acc.local_endpoint().port());
    std::vector<std::thread> ts;
    for(std::size_t i = 1; i < threads; ++i)
        ts.emplace_back([&]{ ioc.run(); });
    ioc.run();
    for(auto& t : ts)
        t.join();
    return 0;
}

} // bench_asio

#endif
