//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

/*
    Boost.MillIO and Boost.Asio together:

    1. asio::post and asio::dispatch to the event loop's executor;
    2. an asio::strand over the loop serialising work from many threads;
    3. asio::use_future to get a result (or an exception) from the loop
       and from the compute pool;
    4. an Asio socket registered with the reactor by its native handle;
    5. asio::co_spawn of a coroutine that hops between the compute pool
       and the event loop (C++20 builds).

    Bounded: every part runs to completion and the program exits 0 when
    every check held.
*/

#include <boost/millio.hpp>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/write.hpp>
#if defined(BOOST_ASIO_HAS_CO_AWAIT)
# include <boost/asio/co_spawn.hpp>
# include <boost/asio/this_coro.hpp>
# include <boost/asio/use_awaitable.hpp>
#endif

#include <atomic>
#include <future>
#include <iostream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace millio = boost::millio;
namespace asio = boost::asio;

static int failures = 0;
static void check(bool ok, char const* what)
{
    std::cout << (ok ? "ok:   " : "FAIL: ") << what << std::endl;
    if(!ok)
        ++failures;
}

int main()
{
    millio::event_loop_options opt;
    opt.io_threads = 2;
    opt.compute_threads = 2;
    millio::event_loop loop(opt);
    std::thread reactor([&]{ loop.run(); });

    //[example_asio_interop_post
    // 1. The loop's executor is a standard Asio executor.
    auto ex = loop.get_executor();
    std::promise<bool> ran;
    asio::post(ex, [&] { ran.set_value(loop.running_in_this_thread()); });
    check(ran.get_future().get(), "asio::post runs on an io worker of the loop");
    //]

    //[example_asio_interop_strand
    // 2. A strand over the loop: 4 threads post 10,000 increments each to
    // a plain int, with no lock and no lost update.
    auto strand = asio::make_strand(ex);
    int counter = 0;
    std::vector<std::thread> posters;
    std::atomic<int> done{0};
    std::promise<void> all_done;
    for(int t = 0; t < 4; ++t)
        posters.emplace_back([&] {
            for(int i = 0; i < 10000; ++i)
                asio::post(strand, [&] {
                    ++counter;
                    if(++done == 40000)
                        all_done.set_value();
                });
        });
    for(auto& t : posters)
        t.join();
    all_done.get_future().wait();
    check(counter == 40000, "a strand serialises 40,000 posts from 4 threads");
    //]

    //[example_asio_interop_future
    // 3. Results and exceptions through asio::use_future, from the loop
    // and from the compute pool (at high priority).
    std::future<int> answer = asio::post(ex, asio::use_future([] { return 6 * 7; }));
    check(answer.get() == 42, "use_future returns the loop's result");
    auto compute_ex = asio::require(loop.compute().get_executor(), millio::priority.high);
    std::future<int> failing = asio::post(compute_ex,
        asio::use_future([]() -> int { throw std::runtime_error("no"); }));
    bool thrown = false;
    try { failing.get(); } catch(std::runtime_error const&) { thrown = true; }
    check(thrown, "use_future carries an exception from the compute pool");
    //]

    //[example_asio_interop_socket
    // 4. An Asio socket registered with the reactor through native_handle().
    // Asio I/O objects need an io_context of their own; the reactor only
    // watches the descriptor.
    asio::io_context ioc;
    asio::ip::tcp::acceptor acceptor(ioc, {asio::ip::address_v4::loopback(), 0});
    asio::ip::tcp::socket client(ioc), server(ioc);
    client.connect(acceptor.local_endpoint());
    acceptor.accept(server);
    server.non_blocking(true);
    std::promise<std::string> received;
    std::string buffer;
    loop.register_source(server, millio::token(1), millio::interest::readable,
        [&](millio::event const&) {
            char data[64];
            boost::system::error_code ec;
            for(;;)
            {
                std::size_t n = server.read_some(asio::buffer(data), ec);
                if(ec)
                    break; // would_block: drained
                buffer.append(data, n);
            }
            if(buffer.size() >= 5)
                received.set_value(buffer);
        });
    asio::write(client, asio::buffer("hello", 5));
    check(received.get_future().get() == "hello", "an Asio socket's readiness reaches a reactor handler");
    loop.deregister_source(server, millio::token(1));
    //]

#if defined(BOOST_ASIO_HAS_CO_AWAIT)
    //[example_asio_interop_co_spawn
    // 5. A coroutine on the loop offloads to the compute pool and comes back.
    auto result = asio::co_spawn(ex,
        [&]() -> asio::awaitable<bool> {
            co_await asio::post(asio::bind_executor(loop.compute().get_executor(),
                asio::use_awaitable));
            bool on_compute = loop.compute().running_in_this_thread();
            co_await asio::post(asio::bind_executor(ex, asio::use_awaitable));
            co_return on_compute && loop.running_in_this_thread();
        },
        asio::use_future);
    check(result.get(), "co_spawn hops from the loop to the compute pool and back");
    //]
#else
    std::cout << "skip: co_spawn needs C++20 coroutines" << std::endl;
#endif

    loop.stop();
    reactor.join();
    std::cout << (failures == 0 ? "all interop checks passed" : "interop checks FAILED") << std::endl;
    return failures == 0 ? 0 : 1;
}
