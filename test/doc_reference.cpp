//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// The examples of the reference (the Doxygen comments of the headers),
// run as tests. Each example is the code between two `//! [name]`
// markers, shown in the header by `@snippet doc_reference.cpp name`.
// The network classes' examples are in doc_reference_net.cpp.

#include <boost/millio/basic_executor.hpp>
#include <boost/millio/compute_metrics.hpp>
#include <boost/millio/compute_pool.hpp>
#include <boost/millio/compute_pool_options.hpp>
#include <boost/millio/event.hpp>
#include <boost/millio/event_handler.hpp>
#include <boost/millio/event_loop.hpp>
#include <boost/millio/event_loop_options.hpp>
#include <boost/millio/object_pool.hpp>
#include <boost/millio/signal_set.hpp>
#include <boost/millio/task_priority.hpp>

#include <boost/asio/post.hpp>
#include <boost/asio/query.hpp>
#include <boost/asio/require.hpp>

#define BOOST_TEST_MODULE millio_doc_reference
#include <boost/test/unit_test.hpp>

#include "test_util.hpp"

#include <atomic>
#include <chrono>
#include <csignal>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace millio = boost::millio;

namespace {

std::atomic<int> crunched{0};

// The work of the examples.
void crunch()
{
    ++crunched;
}

// Reads what is available on a non-blocking socket; true at the end of
// the stream.
std::string drained;
bool drain(int fd)
{
    char buf[256];
    for(;;)
    {
        long const n = test::read_fd(fd, buf, sizeof(buf));
        if(n == 0)
            return true;
        if(n < 0)
            return false;
        drained.append(buf, static_cast<std::size_t>(n));
    }
}

// Tells that its source is writable (a copy is registered).
struct counting_handler : millio::event_handler
{
    test::latch* writable;
    explicit counting_handler(test::latch& w) : writable(&w) {}
    void handle_event(millio::event const& ev) override
    {
        if(ev.is_writable())
            writable->count_down();
    }
};

} // (anon)

BOOST_AUTO_TEST_SUITE(doc_reference)

BOOST_AUTO_TEST_CASE(compute_pool_example, *boost::unit_test::timeout(30))
{
    using namespace boost::millio;
    crunched = 0;
    //! [ref_compute_pool]
    boost::millio::compute_pool pool(4);
    pool.post([]{ crunch(); }, boost::millio::task_priority::high);
    pool.join();
    //! [ref_compute_pool]
    BOOST_TEST(crunched.load() == 1);
    BOOST_TEST(pool.metrics().tasks_completed() == 1u);
}

BOOST_AUTO_TEST_CASE(compute_pool_options_example, *boost::unit_test::timeout(30))
{
    using namespace boost::millio;
    //! [ref_compute_pool_options]
    compute_pool_options opt;
    opt.threads = 2;
    compute_pool pool(opt);
    //! [ref_compute_pool_options]
    BOOST_TEST(pool.thread_count() == 2u);
}

BOOST_AUTO_TEST_CASE(compute_metrics_example, *boost::unit_test::timeout(30))
{
    using namespace boost::millio;
    compute_pool pool(1);
    pool.post([]{ crunch(); });
    pool.post([]{ crunch(); });
    pool.join();
    std::ostringstream out;
    //! [ref_compute_metrics]
    compute_metrics m = pool.metrics();
    out << m.tasks_completed() << " done\n";
    //! [ref_compute_metrics]
    BOOST_TEST(out.str() == "2 done\n");
}

BOOST_AUTO_TEST_CASE(executor_priority_example, *boost::unit_test::timeout(30))
{
    using namespace boost::millio;
    crunched = 0;
    {
        //! [ref_basic_executor]
        compute_pool pool;
        auto ex = boost::asio::require(pool.get_executor(), millio::priority.high);
        task_priority p = boost::asio::query(ex, millio::priority); // high
        boost::asio::post(ex, []{ crunch(); });
        //! [ref_basic_executor]
        BOOST_TEST((p == task_priority::high));
        pool.join();
    }
    BOOST_TEST(crunched.load() == 1);
}

BOOST_AUTO_TEST_CASE(priority_property_example, *boost::unit_test::timeout(30))
{
    using namespace boost::millio;
    compute_pool pool(1);
    //! [ref_priority]
    auto ex = boost::asio::require(pool.get_executor(), millio::priority.high);
    task_priority p = boost::asio::query(ex, millio::priority); // task_priority::high
    //! [ref_priority]
    BOOST_TEST((p == task_priority::high));
    BOOST_TEST((boost::asio::query(pool.get_executor(), millio::priority) ==
        task_priority::normal));
}

BOOST_AUTO_TEST_CASE(event_loop_options_example, *boost::unit_test::timeout(30))
{
    using namespace boost::millio;
    //! [ref_event_loop_options]
    event_loop_options opt;
    opt.io_threads = 4;         // handlers run on 4 io workers
    opt.compute_threads = 2;    // the loop's compute pool
    event_loop loop(opt);
    //! [ref_event_loop_options]
    BOOST_TEST(loop.thread_count() == 4u);
    BOOST_TEST((loop.mode() == dispatch_mode::pool));
    BOOST_TEST(loop.compute().thread_count() == 2u);
}

BOOST_AUTO_TEST_CASE(low_latency_example, *boost::unit_test::timeout(30))
{
    using namespace boost::millio;
    //! [ref_low_latency]
    event_loop loop(event_loop::low_latency_options());
    //! [ref_low_latency]
    BOOST_TEST((loop.mode() == dispatch_mode::direct));
}

BOOST_AUTO_TEST_CASE(event_loop_example, *boost::unit_test::timeout(30))
{
    using namespace boost::millio;
    int sv[2];
    BOOST_REQUIRE(test::socket_pair(sv));
    test::fd_guard a(sv[0]);
    test::fd_guard b(sv[1]);
    test::set_nonblocking(sv[0]);
    BOOST_REQUIRE(test::write_fd(sv[1], "hello", 5) == 5);
    test::close_fd(b.fd);
    b.fd = -1; // the end of the stream
    int const fd = sv[0];
    drained.clear();
    //! [ref_event_loop]
    event_loop loop;
    loop.register_source(fd, token(1), interest::readable,
        [&](event const& ev) { if(ev.is_readable() && drain(fd)) loop.stop(); });
    loop.run(); // until loop.stop()
    //! [ref_event_loop]
    // waits for the handler's invocation to return: its writes are seen
    loop.deregister_source(fd, token(1));
    BOOST_TEST(drained == "hello");
}

BOOST_AUTO_TEST_CASE(interest_example, *boost::unit_test::timeout(30))
{
    using namespace boost::millio;
    int sv[2];
    BOOST_REQUIRE(test::socket_pair(sv));
    test::fd_guard a(sv[0]);
    test::fd_guard b(sv[1]);
    int const fd = sv[0];
    test::latch writable(1);
    counting_handler h(writable);
    event_loop loop;
    //! [ref_interest]
    loop.register_source(fd, token(1), interest::readable | interest::writable, h);
    //! [ref_interest]
    std::thread io([&]{ loop.run(); });
    // an idle socket is writable at once
    bool const told = writable.wait_for(std::chrono::seconds(10));
    loop.deregister_source(fd, token(1));
    loop.stop();
    io.join();
    BOOST_TEST(told);
}

BOOST_AUTO_TEST_CASE(signal_set_example, *boost::unit_test::timeout(30))
{
    using namespace boost::millio;
    event_loop loop;
    // the signal, once run() is in progress (timers fire only then;
    // posted work may run on an io worker at once, before the set exists)
    loop.run_after(std::chrono::milliseconds(0), []{ std::raise(SIGTERM); });
    //! [ref_signal_set]
    signal_set signals(loop, {SIGINT, SIGTERM});
    signals.stop_loop_on_signal();
    loop.run(); // returns after SIGINT or SIGTERM
    //! [ref_signal_set]
    // run() returned: the signal stopped the loop
    BOOST_TEST(signals.count() >= 1u);
}

BOOST_AUTO_TEST_CASE(object_pool_options_example, *boost::unit_test::timeout(30))
{
    using namespace boost::millio;
    //! [ref_object_pool_options]
    object_pool_options<std::vector<char>> opt;
    opt.max_idle = 64;
    opt.reset = [](std::vector<char>& v) { v.clear(); v.resize(8192); };
    object_pool<std::vector<char>> pool(16, []{ return std::vector<char>(8192); }, opt);
    //! [ref_object_pool_options]
    {
        auto v = pool.acquire();
        v->push_back('x');
    }
    BOOST_TEST(pool.acquire()->size() == 8192u); // reset on return
}

BOOST_AUTO_TEST_CASE(pooled_example, *boost::unit_test::timeout(30))
{
    using namespace boost::millio;
    //! [ref_pooled]
    object_pool<std::string> pool(4, []{ return std::string(); });
    {
        pooled<std::string> s = pool.acquire();
        s->append("hello");
    } // back in the pool
    //! [ref_pooled]
    BOOST_TEST(pool.outstanding_count() == 0u);
    BOOST_TEST(pool.idle_count() == 4u);
}

BOOST_AUTO_TEST_SUITE_END()
