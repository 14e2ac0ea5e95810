//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Test that header file is self-contained.
#include <boost/millio/buffer_pool.hpp>

#define BOOST_TEST_MODULE millio_buffer_pool
#include <boost/test/unit_test.hpp>

#include <boost/asio/buffer.hpp>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace millio = boost::millio;
namespace asio = boost::asio;

namespace {

// Iterations of the threaded tests: 1,000,000 unless MILLIO_TEST_SCALE=N
// divides them (for slow sanitizer builds).
std::size_t
scaled(std::size_t n)
{
    char const* s = std::getenv("MILLIO_TEST_SCALE");
    long const d = s ? std::atol(s) : 1;
    return d > 1 ? n / static_cast<std::size_t>(d) : n;
}

} // (anon)

BOOST_AUTO_TEST_SUITE(buffer_pool)

BOOST_AUTO_TEST_CASE(invalid_construction)
{
    auto is_invalid = [](millio::system_error const& e)
    {
        return e.code() == make_error_code(millio::error::invalid_argument);
    };
    BOOST_CHECK_EXCEPTION(millio::buffer_pool(0),
        millio::system_error, is_invalid);
    BOOST_CHECK_EXCEPTION(millio::buffer_pool(0, 0, 4),
        millio::system_error, is_invalid);
    BOOST_CHECK_EXCEPTION(millio::buffer_pool(64, 5, 4),
        millio::system_error, is_invalid);
}

BOOST_AUTO_TEST_CASE(fixed_size_and_reuse)
{
    millio::buffer_pool pool(8192);
    BOOST_TEST(pool.buffer_size() == 8192u);
    BOOST_TEST(pool.max_idle() == millio::buffer_pool::default_max_idle);
    BOOST_TEST(pool.created_count() == 0u);
    void* addr;
    {
        auto b = pool.acquire();
        BOOST_TEST(static_cast<bool>(b));
        BOOST_TEST(b.size() == 8192u);
        BOOST_TEST(b.data() != nullptr);
        BOOST_TEST(reinterpret_cast<std::uintptr_t>(b.data())
            % alignof(std::max_align_t) == 0u);
        std::memset(b.data(), 0xab, b.size());
        addr = b.data();
        BOOST_TEST(pool.outstanding_count() == 1u);
    }
    BOOST_TEST(pool.idle_count() == 1u);
    BOOST_TEST(pool.outstanding_count() == 0u);
    auto b = pool.acquire();
    BOOST_TEST(static_cast<void*>(b.data()) == addr);
    BOOST_TEST(pool.created_count() == 1u);
}

// Every buffer of every size is aligned to alignof(std::max_align_t), as
// documented; buffers do not overlap and keep the size asked for. Twenty
// buffers per size span more than one Boost.Pool block (the first holds 8).
BOOST_AUTO_TEST_CASE(alignment_of_every_buffer, *boost::unit_test::timeout(120))
{
    std::size_t const align = alignof(std::max_align_t);
    std::vector<std::size_t> sizes;
    for(std::size_t n = 1; n <= 4096; ++n)
        sizes.push_back(n);
    for(std::size_t n : {4097u, 4100u, 5000u, 8191u, 8192u, 8200u, 65535u,
            65537u, 100003u, (1u << 20) - 8u, (1u << 20) + 24u, 3u * (1u << 20) + 1u})
        sizes.push_back(n);

    std::size_t misaligned = 0;
    std::size_t overlapping = 0;
    std::size_t wrong_size = 0;
    for(std::size_t n : sizes)
    {
        // Half of the sizes also make buffers up front.
        std::size_t const initial = n % 2 ? 0 : 3;
        millio::buffer_pool pool(n, initial, 64);
        if(pool.buffer_size() != n)
            ++wrong_size;
        std::vector<millio::pooled_buffer> v;
        for(int round = 0; round < 2; ++round)
        {
            // The second round takes the buffers back from the idle stack.
            for(int i = 0; i < 20; ++i)
                v.push_back(pool.acquire());
            std::vector<unsigned char*> addr;
            for(auto const& b : v)
            {
                if(b.size() != n)
                    ++wrong_size;
                if(reinterpret_cast<std::uintptr_t>(b.data()) % align != 0)
                {
                    if(misaligned == 0)
                        BOOST_TEST_MESSAGE("size " << n << ": buffer at "
                            << static_cast<void*>(b.data()) << " is misaligned");
                    ++misaligned;
                }
                addr.push_back(b.data());
            }
            std::sort(addr.begin(), addr.end());
            for(std::size_t i = 1; i < addr.size(); ++i)
                if(addr[i - 1] + n > addr[i])
                    ++overlapping;
            // The whole buffer is usable (ASan checks the bounds).
            for(auto& b : v)
            {
                b.data()[0] = 1;
                b.data()[n - 1] = 2;
            }
            v.clear();
        }
    }
    BOOST_TEST(misaligned == 0u);
    BOOST_TEST(overlapping == 0u);
    BOOST_TEST(wrong_size == 0u);
}

BOOST_AUTO_TEST_CASE(initial_count)
{
    millio::buffer_pool pool(100, 3, 3);
    BOOST_TEST(pool.idle_count() == 3u);
    BOOST_TEST(pool.created_count() == 3u);
    auto a = pool.acquire();
    BOOST_TEST(a.size() == 100u);
    BOOST_TEST(pool.idle_count() == 2u);
}

BOOST_AUTO_TEST_CASE(asio_views)
{
    millio::buffer_pool pool(16);
    auto b = pool.acquire();

    asio::mutable_buffer mb = b.buffer();
    BOOST_TEST(mb.data() == static_cast<void*>(b.data()));
    BOOST_TEST(mb.size() == 16u);
    BOOST_TEST(asio::buffer_size(b.buffer()) == 16u);
    BOOST_TEST(asio::buffer_size(b.const_buffer()) == 16u);

    std::string const hello = "hello, world";
    std::size_t n = asio::buffer_copy(b.buffer(), asio::buffer(hello));
    BOOST_TEST(n == hello.size());
    BOOST_TEST(std::string(reinterpret_cast<char*>(b.data()), n) == hello);

    // implicit conversions
    asio::mutable_buffer m2 = b;
    asio::const_buffer c2 = b;
    BOOST_TEST(m2.size() == 16u);
    BOOST_TEST(c2.data() == static_cast<void const*>(b.data()));

    // read back through a const view, then a prefix view as a reader would
    char out[32] = {};
    n = asio::buffer_copy(asio::buffer(out), b.const_buffer() + 7);
    BOOST_TEST(n == 9u);
    BOOST_TEST(std::string(out, 5) == "world");
    BOOST_TEST(asio::buffer_size(asio::buffer(b.buffer(), 5)) == 5u);

    // a sequence of pooled buffers
    auto b2 = pool.acquire();
    std::vector<asio::const_buffer> seq{b, b2};
    BOOST_TEST(asio::buffer_size(seq) == 32u);

    millio::pooled_buffer empty;
    BOOST_TEST(asio::buffer_size(empty.buffer()) == 0u);
    BOOST_TEST(empty.size() == 0u);
}

BOOST_AUTO_TEST_CASE(moves)
{
    millio::buffer_pool pool(32);
    millio::pooled_buffer empty;
    BOOST_TEST(! empty);
    auto a = pool.acquire();
    unsigned char* pa = a.data();
    millio::pooled_buffer b(std::move(a));
    BOOST_TEST(! a);
    BOOST_TEST(a.size() == 0u);
    BOOST_TEST(b.data() == pa);
    BOOST_TEST(b.size() == 32u);

    auto c = pool.acquire();
    c = std::move(b); // c's buffer goes back
    BOOST_TEST(c.data() == pa);
    BOOST_TEST(pool.idle_count() == 1u);
    BOOST_TEST(pool.outstanding_count() == 1u);

    auto& alias = c;
    c = std::move(alias);
    BOOST_TEST(c.data() == pa);
    BOOST_TEST(pool.outstanding_count() == 1u);

    c.release();
    BOOST_TEST(! c);
    c.release();
    BOOST_TEST(pool.idle_count() == 2u);
    BOOST_TEST(pool.outstanding_count() == 0u);
}

BOOST_AUTO_TEST_CASE(idle_cap_respected)
{
    millio::buffer_pool pool(64, 0, 2);
    for(int round = 0; round < 5; ++round)
    {
        std::vector<millio::pooled_buffer> v;
        for(int i = 0; i < 6; ++i)
            v.push_back(pool.acquire());
        BOOST_TEST(pool.outstanding_count() == 6u);
    }
    BOOST_TEST(pool.idle_count() == 2u);
    BOOST_TEST(pool.outstanding_count() == 0u);
}

BOOST_AUTO_TEST_CASE(handle_outlives_pool)
{
    auto pool = std::make_unique<millio::buffer_pool>(128, 2, 4);
    auto a = pool->acquire();
    auto b = pool->acquire();
    pool.reset();
    std::memset(a.data(), 1, a.size()); // still ours (ASan would tell)
    a.release();
    BOOST_TEST(b.size() == 128u);
    b.data()[127] = 2;
}

BOOST_AUTO_TEST_CASE(two_threads, *boost::unit_test::timeout(120))
{
    std::size_t const iterations = scaled(1000000);
    std::atomic<std::size_t> collisions{0};
    {
        millio::buffer_pool pool(8192, 0, 1);
        std::vector<std::thread> v;
        for(int t = 0; t < 2; ++t)
        {
            v.emplace_back([&, t]
            {
                unsigned char const me = static_cast<unsigned char>(t + 1);
                for(std::size_t i = 0; i < iterations; ++i)
                {
                    auto b = pool.acquire();
                    b.data()[0] = me;
                    b.data()[b.size() - 1] = me;
                    if(b.data()[0] != me || b.data()[b.size() - 1] != me)
                        collisions.fetch_add(1);
                }
            });
        }
        for(auto& th : v)
            th.join();
        BOOST_TEST(collisions.load() == 0u);
        BOOST_TEST(pool.outstanding_count() == 0u);
        BOOST_TEST(pool.idle_count() <= 1u);
    }
}

BOOST_AUTO_TEST_SUITE_END()
