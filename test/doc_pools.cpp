//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// The snippets of doc/qbk/pools.qbk, run as tests.

#include <boost/millio/buffer_pool.hpp>
#include <boost/millio/object_pool.hpp>

#define BOOST_TEST_MODULE millio_doc_pools
#include <boost/test/unit_test.hpp>

#include <cstring>
#include <string>
#include <vector>

BOOST_AUTO_TEST_SUITE(doc_pools)

BOOST_AUTO_TEST_CASE(object_pool_acquire, *boost::unit_test::timeout(10))
{
    //[doc_pools_acquire
    boost::millio::object_pool<std::vector<char>> pool(
        16,                                         // made up front
        [] { return std::vector<char>(8192); });    // the factory
    {
        auto v = pool.acquire();                    // pooled<std::vector<char>>
        v->push_back('x');
    }                                               // back in the pool
    //]
    BOOST_TEST(pool.outstanding_count() == 0u);
    BOOST_TEST(pool.idle_count() == 16u);
    // the vector came back as it was left: no reset hook
    auto v = pool.acquire();
    BOOST_TEST(v->size() == 8193u);
}

BOOST_AUTO_TEST_CASE(object_pool_options, *boost::unit_test::timeout(10))
{
    //[doc_pools_options
    boost::millio::object_pool_options<std::vector<char>> opt;
    opt.max_idle = 64;                              // idle objects kept, at most
    opt.reset = [](std::vector<char>& v) {          // run on every return
        v.clear();
        v.resize(8192);
    };
    boost::millio::object_pool<std::vector<char>> pool(
        16, [] { return std::vector<char>(8192); }, opt);
    //]
    {
        auto v = pool.acquire();
        v->push_back('x');
    }
    auto v = pool.acquire();
    BOOST_TEST(v->size() == 8192u);
    std::vector<boost::millio::pooled<std::vector<char>>> many;
    for(int i = 0; i < 100; ++i)
        many.push_back(pool.acquire());
    v.reset();
    many.clear();
    BOOST_TEST(pool.idle_count() <= 64u);
}

BOOST_AUTO_TEST_CASE(buffer_pool_read, *boost::unit_test::timeout(10))
{
    //[doc_pools_buffer
    boost::millio::buffer_pool buffers(8192);
    boost::millio::pooled_buffer b = buffers.acquire();
    boost::asio::mutable_buffer space = b;          // 8192 bytes to read into
    std::memcpy(space.data(), "hello", 5);
    boost::asio::const_buffer filled(b.data(), 5);
    //]
    BOOST_TEST(space.size() == 8192u);
    BOOST_TEST(std::string(static_cast<char const*>(filled.data()), filled.size()) == "hello");
    BOOST_TEST(buffers.outstanding_count() == 1u);
    b.reset();
    BOOST_TEST(buffers.outstanding_count() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
