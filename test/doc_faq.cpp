//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// The snippets of doc/qbk/faq.qbk, run as tests.

#include <boost/millio/event_loop.hpp>
#include <boost/millio/signal_set.hpp>

#define BOOST_TEST_MODULE millio_doc_faq
#include <boost/test/unit_test.hpp>

#include "test_util.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>

#include <atomic>
#include <chrono>
#include <csignal>

// The test cases (data test cases are classes) capture the helpers of the
// anonymous namespace: they are there too (-Wsubobject-linkage).
namespace {

BOOST_AUTO_TEST_SUITE(doc_faq)

BOOST_AUTO_TEST_CASE(choose_backend, *boost::unit_test::timeout(30))
{
    //[doc_faq_backend
    boost::millio::event_loop_options opt;
    opt.backend = boost::millio::backend_type::io_uring;  // a request, not a requirement
    boost::millio::event_loop loop(opt);
    if(loop.backend() != boost::millio::backend_type::io_uring)
    {
        // not built with liburing, or refused by the kernel: epoll instead
    }
    //]
#if defined(__linux__)
    BOOST_TEST((loop.backend() == boost::millio::backend_type::io_uring ||
        loop.backend() == boost::millio::backend_type::epoll));
    BOOST_TEST((loop.backend() == boost::millio::backend_type::io_uring) ==
        test::io_uring_available());
#endif
    BOOST_TEST((loop.options().backend == loop.backend()));
}

BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(60))
BOOST_DATA_TEST_CASE(run_stop_run, test::configs_dataset(), cfg)
{
    boost::millio::event_loop loop(cfg.options());
    std::atomic<int> stops{0};
    //[doc_faq_run_again
    using namespace std::chrono_literals;
    loop.run_after(10ms, [&] { /*<-*/++stops; /*->*/loop.stop(); });
    loop.run();                     // returns once stop() was called
    loop.run_after(10ms, [&] { /*<-*/++stops; /*->*/loop.stop(); });
    loop.run();                     // runs again: there is no restart()
    //]
    BOOST_TEST(stops.load() == 2);
}

BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(60))
BOOST_DATA_TEST_CASE(both_signal_sets, test::configs_dataset(), cfg)
{
    boost::millio::event_loop loop(cfg.options());
    int asio_got = 0;
    //[doc_faq_signal_sets
    namespace asio = boost::asio;
    namespace millio = boost::millio;

    asio::io_context io;
    asio::signal_set asio_signals(io, SIGINT);     // one async_wait, one signal
    asio_signals.async_wait([&](boost::system::error_code, int signo) {
        // Ctrl+C
        //<-
        asio_got = signo;
        //->
    });

    millio::signal_set loop_signals(loop, {SIGTERM}); // a function for every signal
    loop_signals.stop_loop_on_signal();
    //]
    std::raise(SIGTERM);
    loop.run();                     // returns: the loop's set stopped it
    BOOST_TEST(loop_signals.count() == 1u);
    std::raise(SIGINT);
    io.run_for(std::chrono::seconds(20));
    BOOST_TEST(asio_got == SIGINT);   // Asio's handler ran
}

BOOST_AUTO_TEST_SUITE_END()

} // (anon)
