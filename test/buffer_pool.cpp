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

#include <type_traits>
#include <utility>

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

// The handle returns its object with reset(), as unique_ptr's deleter
// gets it; it has no release() that would read as unique_ptr::release.
template<class T, class = void>
struct has_release : std::false_type {};
template<class T>
struct has_release<T, std::void_t<decltype(std::declval<T&>().release())>>
    : std::true_type {};
template<class T, class = void>
struct has_reset : std::false_type {};
template<class T>
struct has_reset<T, std::void_t<decltype(std::declval<T&>().reset())>>
    : std::true_type {};
static_assert(!has_release<millio::pooled_buffer>::value, "");
static_assert(has_reset<millio::pooled_buffer>::value, "");
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

// Every buffer of every size is aligned to alignof(std::max_align_t), and
// those whose size is a multiple of 64 to a cache line, as documented;
// buffers do not overlap and keep the size asked for. Twenty
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
    std::size_t off_line = 0;
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
                if(n % 64 == 0 && reinterpret_cast<std::uintptr_t>(b.data()) % 64 != 0)
                {
                    if(off_line == 0)
                        BOOST_TEST_MESSAGE("size " << n << ": buffer at "
                            << static_cast<void*>(b.data()) << " is not on a cache line");
                    ++off_line;
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
    BOOST_TEST(off_line == 0u);
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

    c.reset();
    BOOST_TEST(! c);
    c.reset();
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
    a.reset();
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

// trim() drops the idle buffers that a whole interval did not need and
// frees the blocks left without a buffer; a second trim after a burst
// gives everything back.
BOOST_AUTO_TEST_CASE(trim_after_a_burst)
{
    millio::buffer_pool pool(8192);
    BOOST_TEST(pool.reserved_bytes() == 0u);
    {
        std::vector<millio::pooled_buffer> v;
        for(int i = 0; i < 1000; ++i)
            v.push_back(pool.acquire());
        BOOST_TEST(pool.reserved_bytes() >= 1000u * 8192u);
    }
    BOOST_TEST(pool.idle_count() == 1000u);
    std::size_t const held = pool.reserved_bytes();
    // The burst needed every buffer: the first trim keeps them.
    BOOST_TEST(pool.trim() == 0u);
    BOOST_TEST(pool.idle_count() == 1000u);
    // None was needed since: the second one gives all back.
    BOOST_TEST(pool.trim() == held);
    BOOST_TEST(pool.idle_count() == 0u);
    BOOST_TEST(pool.reserved_bytes() == 0u);
    BOOST_TEST(pool.outstanding_count() == 0u);
    // And the pool works as before.
    auto b = pool.acquire();
    BOOST_TEST(b.size() == 8192u);
    std::memset(b.data(), 0x5a, b.size());
    BOOST_TEST(pool.reserved_bytes() > 0u);
}

// A burst on another thread, which stays alive: its memory, cached by
// that thread or shared, is given back by two trims.
BOOST_AUTO_TEST_CASE(trim_after_a_burst_on_another_thread, *boost::unit_test::timeout(60))
{
    millio::buffer_pool pool(8192);
    std::atomic<int> step{0};
    std::thread th([&]
    {
        {
            std::vector<millio::pooled_buffer> v;
            for(int i = 0; i < 1000; ++i)
                v.push_back(pool.acquire());
        }
        step.store(1);
        while(step.load() != 2)
            std::this_thread::yield();
    });
    while(step.load() != 1)
        std::this_thread::yield();
    BOOST_TEST(pool.idle_count() == 1000u);
    std::size_t const held = pool.reserved_bytes();
    BOOST_TEST(held >= 1000u * 8192u);
    BOOST_TEST(pool.trim() == 0u);
    BOOST_TEST(pool.trim() == held);
    BOOST_TEST(pool.reserved_bytes() == 0u);
    BOOST_TEST(pool.idle_count() == 0u);
    step.store(2);
    th.join();
    BOOST_TEST(pool.outstanding_count() == 0u);
}

// A steady load keeps its buffers: nothing is freed and made again.
BOOST_AUTO_TEST_CASE(trim_keeps_what_a_steady_load_uses)
{
    millio::buffer_pool pool(4096);
    auto cycle = [&] {
        std::vector<millio::pooled_buffer> v;
        for(int i = 0; i < 10; ++i)
            v.push_back(pool.acquire());
    };
    cycle();
    std::size_t const created = pool.created_count();
    for(int round = 0; round < 5; ++round)
    {
        cycle();
        pool.trim();
        BOOST_TEST(pool.idle_count() == 10u);
    }
    BOOST_TEST(pool.created_count() == created);
    // Surplus beyond what the load uses goes at the second trim.
    {
        std::vector<millio::pooled_buffer> v;
        for(int i = 0; i < 50; ++i)
            v.push_back(pool.acquire());
    }
    cycle();
    pool.trim(); // the burst took them all: kept
    cycle();
    pool.trim(); // 40 stayed idle for a whole interval: dropped
    BOOST_TEST(pool.idle_count() == 10u);
}

// Blocks that gave out buffers since the previous trim are kept: a load
// that comes back every period does not map its memory again each time.
BOOST_AUTO_TEST_CASE(trim_keeps_blocks_of_a_recurring_load)
{
    millio::buffer_pool pool(8192, 0, 0); // nothing idle: every return goes to its block
    auto cycle = [&] {
        std::vector<millio::pooled_buffer> v;
        for(int i = 0; i < 300; ++i)
            v.push_back(pool.acquire());
    };
    // Buffers come from the lowest blocks with room: after a period the
    // load settles in the blocks it needs and the others go.
    cycle();
    pool.trim();
    cycle();
    pool.trim();
    cycle();
    std::size_t const held = pool.reserved_bytes();
    BOOST_TEST(held >= 300u * 8192u);
    for(int round = 0; round < 4; ++round)
    {
        BOOST_TEST(pool.trim() == 0u);
        BOOST_TEST(pool.reserved_bytes() == held);
        cycle();
        BOOST_TEST(pool.reserved_bytes() == held); // nothing mapped again
    }
    BOOST_TEST(pool.trim() == 0u);   // used in the last period
    BOOST_TEST(pool.trim() == held); // not since
    BOOST_TEST(pool.reserved_bytes() == 0u);
}

// shrink_to_fit drops every idle buffer; blocks that still hold a buffer
// in use stay, with the buffer's bytes intact.
BOOST_AUTO_TEST_CASE(shrink_to_fit_keeps_buffers_in_use)
{
    millio::buffer_pool pool(8192, 0, 8);
    std::vector<millio::pooled_buffer> v;
    for(int i = 0; i < 600; ++i)
        v.push_back(pool.acquire());
    // keep every 100th, fill it with a pattern
    std::vector<millio::pooled_buffer> kept;
    for(std::size_t i = 0; i < v.size(); i += 100)
    {
        std::memset(v[i].data(), static_cast<int>(i & 0xff), v[i].size());
        kept.push_back(std::move(v[i]));
    }
    std::size_t const before = pool.reserved_bytes();
    v.clear(); // 8 idle, the rest back to their blocks
    BOOST_TEST(pool.idle_count() == 8u);
    std::size_t const freed = pool.shrink_to_fit();
    BOOST_TEST(pool.idle_count() == 0u);
    BOOST_TEST(freed > 0u);
    BOOST_TEST(pool.reserved_bytes() == before - freed);
    BOOST_TEST(pool.reserved_bytes() > 0u);
    BOOST_TEST(pool.outstanding_count() == kept.size());
    for(std::size_t k = 0; k < kept.size(); ++k)
    {
        auto const* p = static_cast<unsigned char const*>(kept[k].data());
        bool same = std::all_of(p, p + kept[k].size(),
            [k](unsigned char c) { return c == ((k * 100) & 0xff); });
        BOOST_TEST(same);
    }
    kept.clear();
    pool.shrink_to_fit();
    BOOST_TEST(pool.reserved_bytes() == 0u);
}

// Trims race acquisitions and returns on other threads.
BOOST_AUTO_TEST_CASE(trim_while_others_use_the_pool, *boost::unit_test::timeout(120))
{
    millio::buffer_pool pool(1024, 0, 64);
    std::atomic<bool> done{false};
    std::atomic<long> bad{0};
    auto user = [&](int seed) {
        std::vector<millio::pooled_buffer> v;
        unsigned x = static_cast<unsigned>(seed);
        while(! done.load())
        {
            x = x * 1103515245u + 12345u;
            if(v.size() < 200 && (x >> 16) % 3 != 0)
            {
                v.push_back(pool.acquire());
                std::memset(v.back().data(), seed, v.back().size());
            }
            else if(! v.empty())
            {
                auto const* p = static_cast<unsigned char const*>(v.back().data());
                if(p[0] != seed || p[v.back().size() - 1] != seed)
                    ++bad;
                v.pop_back();
            }
        }
    };
    std::thread a(user, 1), b(user, 2);
    for(int i = 0; i < 2000; ++i)
    {
        if(i % 2)
            pool.trim();
        else
            pool.shrink_to_fit();
        std::this_thread::yield();
    }
    done = true;
    a.join();
    b.join();
    BOOST_TEST(bad.load() == 0);
    BOOST_TEST(pool.outstanding_count() == 0u);
    pool.shrink_to_fit();
    BOOST_TEST(pool.reserved_bytes() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
