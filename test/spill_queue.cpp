//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// The queue behind the compute pool's and the event loop's posted work:
// a Boost.Lockfree queue of fixed room that spills into a locked list.

// Test that header file is self-contained.
#include <boost/millio/detail/spill_queue.hpp>

#define BOOST_TEST_MODULE millio_spill_queue
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <thread>
#include <vector>

using boost::millio::detail::spill_queue;

namespace {

// MILLIO_TEST_SCALE scales the sizes of the concurrent runs.
std::size_t
scaled(std::size_t n)
{
    char const* s = std::getenv("MILLIO_TEST_SCALE");
    double const d = s ? std::atof(s) : 1.0;
    std::size_t const m = static_cast<std::size_t>(static_cast<double>(n) * (d > 0 ? d : 1.0));
    return m < 1000 ? 1000 : m;
}

} // (anon)

BOOST_AUTO_TEST_SUITE(spill_queue_tests)

BOOST_AUTO_TEST_CASE(fifo_through_the_spill_and_back)
{
    spill_queue<std::uintptr_t> q(16);
    std::uintptr_t v = 0;
    BOOST_TEST(! q.pop(v));
    BOOST_TEST(! q.spilled());
    // within the room: nothing spills
    for(std::uintptr_t i = 0; i < 16; ++i)
        BOOST_TEST(q.push(i));
    BOOST_TEST(! q.spilled());
    // beyond it
    for(std::uintptr_t i = 16; i < 10000; ++i)
        BOOST_TEST(q.push(i));
    BOOST_TEST(q.spilled());
    // half out, then more in: the order holds across the two parts
    for(std::uintptr_t i = 0; i < 5000; ++i)
    {
        BOOST_TEST_REQUIRE(q.pop(v));
        BOOST_TEST(v == i);
    }
    for(std::uintptr_t i = 10000; i < 12000; ++i)
        BOOST_TEST(q.push(i));
    for(std::uintptr_t i = 5000; i < 12000; ++i)
    {
        BOOST_TEST_REQUIRE(q.pop(v));
        BOOST_TEST(v == i);
    }
    BOOST_TEST(! q.pop(v));
    BOOST_TEST(! q.spilled());
    // drained, it takes values in its room again
    BOOST_TEST(q.push(7u));
    BOOST_TEST(! q.spilled());
    BOOST_TEST(q.pop(v));
    BOOST_TEST(v == 7u);
}

// Two producers and two consumers on a small room, so that values go back
// and forth between the lock-free part and the spill list all along:
// every value comes out once, and each consumer sees the values of each
// producer in the order they were pushed.
BOOST_AUTO_TEST_CASE(producers_and_consumers, *boost::unit_test::timeout(120))
{
    std::size_t const per_producer = scaled(200000);
    std::size_t const producers = 2;
    std::size_t const consumers = 2;
    spill_queue<std::uintptr_t> q(8);
    std::vector<std::atomic<unsigned char>> seen(producers * per_producer);
    std::atomic<std::size_t> taken{0};
    std::atomic<std::size_t> duplicates{0};
    std::atomic<std::size_t> out_of_order{0};
    std::atomic<std::size_t> spills{0};

    std::vector<std::thread> threads;
    for(std::size_t p = 0; p < producers; ++p)
        threads.emplace_back([&, p]
        {
            for(std::size_t i = 0; i < per_producer; ++i)
            {
                // value: producer in the low bit, sequence above
                while(! q.push((i << 1) | p))
                    std::this_thread::yield();
                if(q.spilled())
                    spills.fetch_add(1, std::memory_order_relaxed);
            }
        });
    for(std::size_t c = 0; c < consumers; ++c)
        threads.emplace_back([&]
        {
            std::vector<long long> last(producers, -1);
            std::uintptr_t v = 0;
            while(taken.load(std::memory_order_relaxed) < producers * per_producer)
            {
                if(! q.pop(v))
                {
                    std::this_thread::yield();
                    continue;
                }
                taken.fetch_add(1, std::memory_order_relaxed);
                std::size_t const p = v & 1;
                auto const i = static_cast<long long>(v >> 1);
                if(i <= last[p])
                    out_of_order.fetch_add(1, std::memory_order_relaxed);
                last[p] = i;
                if(seen[static_cast<std::size_t>(i) * producers + p].exchange(1))
                    duplicates.fetch_add(1, std::memory_order_relaxed);
            }
        });
    for(auto& t : threads)
        t.join();

    std::size_t missing = 0;
    for(auto const& s : seen)
        missing += s.load() == 0;
    BOOST_TEST_MESSAGE(producers * per_producer << " values; a producer found the queue "
        "spilled after " << spills.load() << " of its pushes");
    BOOST_TEST(taken.load() == producers * per_producer);
    BOOST_TEST(missing == 0u);
    BOOST_TEST(duplicates.load() == 0u);
    BOOST_TEST(out_of_order.load() == 0u);
    BOOST_TEST(spills.load() > 0u); // the spill path was taken
    std::uintptr_t v = 0;
    BOOST_TEST(! q.pop(v));
    BOOST_TEST(! q.spilled());
}

BOOST_AUTO_TEST_SUITE_END()
