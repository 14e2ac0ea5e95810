//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Test that header file is self-contained.
#include <boost/millio/object_pool.hpp>

#define BOOST_TEST_MODULE millio_object_pool
#include <boost/test/unit_test.hpp>

#include <type_traits>
#include <utility>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <stdexcept>
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
static_assert(!has_release<millio::pooled<int>>::value, "");
static_assert(has_reset<millio::pooled<int>>::value, "");

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

// Counts its constructions and destructions.
struct counted
{
    static std::atomic<long> constructed;
    static std::atomic<long> destroyed;

    static
    long
    live() noexcept
    {
        return constructed.load() - destroyed.load();
    }

    static
    void
    zero() noexcept
    {
        constructed = 0;
        destroyed = 0;
    }

    std::atomic<bool> busy{false};
    int value = 0;

    counted() noexcept
    {
        ++constructed;
    }

    explicit
    counted(int v) noexcept
        : value(v)
    {
        ++constructed;
    }

    counted(counted&& other) noexcept
        : value(other.value)
    {
        ++constructed;
    }

    ~counted()
    {
        ++destroyed;
    }
};

std::atomic<long> counted::constructed{0};
std::atomic<long> counted::destroyed{0};

struct fixture
{
    fixture()
    {
        counted::zero();
    }

    ~fixture()
    {
        BOOST_TEST(counted::live() == 0);
    }
};

using pool_type = millio::object_pool<counted>;

pool_type::factory_type
make_counted()
{
    return []{ return counted(); };
}

} // (anon)

BOOST_FIXTURE_TEST_SUITE(object_pool, fixture)

BOOST_AUTO_TEST_CASE(reused_after_release)
{
    pool_type pool(0, make_counted());
    BOOST_TEST(pool.created_count() == 0u);
    void const* addr;
    {
        auto a = pool.acquire();
        BOOST_TEST(static_cast<bool>(a));
        addr = a.get();
        a->value = 42;
        BOOST_TEST(pool.outstanding_count() == 1u);
        BOOST_TEST(pool.idle_count() == 0u);
    }
    BOOST_TEST(pool.outstanding_count() == 0u);
    BOOST_TEST(pool.idle_count() == 1u);
    auto b = pool.acquire();
    BOOST_TEST(b.get() == addr);
    BOOST_TEST(b->value == 42); // no reset hook: untouched
    BOOST_TEST(pool.created_count() == 1u);
    BOOST_TEST(counted::live() == 1);
}

BOOST_AUTO_TEST_CASE(initial_size_made_up_front)
{
    pool_type pool(4, make_counted());
    BOOST_TEST(pool.created_count() == 4u);
    BOOST_TEST(pool.idle_count() == 4u);
    BOOST_TEST(pool.max_idle() == 1024u);
    BOOST_TEST(counted::live() == 4);
    std::vector<millio::pooled<counted>> v;
    for(int i = 0; i < 4; ++i)
        v.push_back(pool.acquire());
    BOOST_TEST(pool.created_count() == 4u);
    v.push_back(pool.acquire());
    BOOST_TEST(pool.created_count() == 5u);
    v.clear();
    BOOST_TEST(pool.idle_count() == 5u);

    pool_type big(2000, make_counted());
    BOOST_TEST(big.max_idle() == 2000u);
}

BOOST_AUTO_TEST_CASE(reset_returns_early)
{
    pool_type pool(0, make_counted());
    auto a = pool.acquire();
    a.reset();
    BOOST_TEST(! a);
    BOOST_TEST(a.get() == nullptr);
    BOOST_TEST(pool.idle_count() == 1u);
    a.reset(); // no-op on an empty handle
    BOOST_TEST(pool.idle_count() == 1u);
}

BOOST_AUTO_TEST_CASE(moves)
{
    pool_type pool(0, make_counted());
    millio::pooled<counted> empty;
    BOOST_TEST(! empty);

    auto a = pool.acquire();
    counted* pa = a.get();
    millio::pooled<counted> b(std::move(a));
    BOOST_TEST(! a);
    BOOST_TEST(b.get() == pa);
    BOOST_TEST(&*b == pa);
    BOOST_TEST(pool.outstanding_count() == 1u);

    auto c = pool.acquire();
    counted* pc = c.get();
    BOOST_TEST(pc != pa);
    c = std::move(b); // c's object goes back
    BOOST_TEST(! b);
    BOOST_TEST(c.get() == pa);
    BOOST_TEST(pool.outstanding_count() == 1u);
    BOOST_TEST(pool.idle_count() == 1u);

    // self-move is harmless
    auto& alias = c;
    c = std::move(alias);
    BOOST_TEST(c.get() == pa);
    BOOST_TEST(pool.outstanding_count() == 1u);

    // move-assign into an empty handle, and from an empty handle
    empty = std::move(c);
    BOOST_TEST(empty.get() == pa);
    empty = millio::pooled<counted>();
    BOOST_TEST(! empty);
    BOOST_TEST(pool.outstanding_count() == 0u);
    BOOST_TEST(pool.idle_count() == 2u);
    BOOST_TEST(counted::live() == 2);
}

BOOST_AUTO_TEST_CASE(reset_hook_runs)
{
    // The seed's special case, as a hook: clear and resize to 8192.
    using bytes = std::vector<unsigned char>;
    millio::object_pool_options<bytes> opt;
    int resets = 0;
    opt.reset = [&resets](bytes& b)
    {
        ++resets;
        b.clear();
        b.resize(8192);
    };
    millio::object_pool<bytes> pool(1, []{ return bytes(8192); }, opt);
    BOOST_TEST(resets == 0);
    {
        auto b = pool.acquire();
        BOOST_TEST(b->size() == 8192u);
        (*b)[0] = 7;
        b->resize(3);
    }
    BOOST_TEST(resets == 1);
    auto b = pool.acquire();
    BOOST_TEST(b->size() == 8192u);
    BOOST_TEST((*b)[0] == 0);
    b.reset();
    BOOST_TEST(resets == 2);
}

BOOST_AUTO_TEST_CASE(reset_hook_throwing_destroys_object)
{
    pool_type::options_type opt;
    opt.reset = [](counted& c)
    {
        if(c.value == 1)
            throw std::runtime_error("bad");
        c.value = 0;
    };
    pool_type pool(0, make_counted(), opt);
    {
        auto a = pool.acquire();
        a->value = 1;
    }
    BOOST_TEST(pool.idle_count() == 0u);
    BOOST_TEST(pool.outstanding_count() == 0u);
    BOOST_TEST(counted::live() == 0);
    {
        auto a = pool.acquire();
        a->value = 2;
    }
    BOOST_TEST(pool.idle_count() == 1u);
    BOOST_TEST(pool.acquire()->value == 0);
}

BOOST_AUTO_TEST_CASE(idle_cap_respected)
{
    pool_type::options_type opt;
    opt.max_idle = 2;
    pool_type pool(1, make_counted(), opt);
    BOOST_TEST(pool.max_idle() == 2u);
    {
        std::vector<millio::pooled<counted>> v;
        for(int i = 0; i < 5; ++i)
            v.push_back(pool.acquire());
        BOOST_TEST(pool.created_count() == 5u);
        BOOST_TEST(pool.outstanding_count() == 5u);
        BOOST_TEST(counted::live() == 5);
    }
    BOOST_TEST(pool.idle_count() == 2u);
    BOOST_TEST(pool.outstanding_count() == 0u);
    BOOST_TEST(counted::live() == 2);

    // Over and over: the pool never holds more than the cap.
    for(int round = 0; round < 10; ++round)
    {
        std::vector<millio::pooled<counted>> v;
        for(int i = 0; i < 10; ++i)
            v.push_back(pool.acquire());
    }
    BOOST_TEST(pool.idle_count() == 2u);
    BOOST_TEST(counted::live() == 2);
}

BOOST_AUTO_TEST_CASE(zero_idle_cap_caches_nothing)
{
    pool_type::options_type opt;
    opt.max_idle = 0;
    pool_type pool(0, make_counted(), opt);
    pool.acquire();
    pool.acquire();
    BOOST_TEST(pool.idle_count() == 0u);
    BOOST_TEST(pool.created_count() == 2u);
    BOOST_TEST(counted::live() == 0);
}

BOOST_AUTO_TEST_CASE(invalid_arguments)
{
    auto is_invalid = [](millio::system_error const& e)
    {
        return e.code() == make_error_code(millio::error::invalid_argument);
    };
    BOOST_CHECK_EXCEPTION(pool_type(0, pool_type::factory_type()),
        millio::system_error, is_invalid);
    pool_type::options_type opt;
    opt.max_idle = 3;
    BOOST_CHECK_EXCEPTION(pool_type(4, make_counted(), opt),
        millio::system_error, is_invalid);
    BOOST_TEST(counted::live() == 0);
}

BOOST_AUTO_TEST_CASE(detach_takes_ownership)
{
    pool_type pool(1, make_counted());
    auto a = pool.acquire();
    a->value = 9;
    counted c = a.detach();
    BOOST_TEST(! a);
    BOOST_TEST(c.value == 9);
    BOOST_TEST(pool.outstanding_count() == 0u);
    BOOST_TEST(pool.idle_count() == 0u);
    BOOST_TEST(counted::live() == 1); // only c

    // A unique_ptr when that is what the caller wants.
    auto u = std::make_unique<counted>(pool.acquire().detach());
    BOOST_TEST(counted::live() == 2);
}

BOOST_AUTO_TEST_CASE(factory_throwing)
{
    int calls = 0;
    bool fail = false;
    pool_type pool(0, [&]
    {
        ++calls;
        if(fail)
            throw std::runtime_error("factory");
        return counted(calls);
    });
    auto a = pool.acquire();
    fail = true;
    BOOST_CHECK_THROW(pool.acquire(), std::runtime_error);
    BOOST_CHECK_THROW(pool.acquire(), std::runtime_error);
    BOOST_TEST(pool.outstanding_count() == 1u);
    BOOST_TEST(pool.created_count() == 1u);
    BOOST_TEST(counted::live() == 1);

    // Still works: reuse, then make again.
    a.reset();
    auto b = pool.acquire();
    BOOST_TEST(b->value == 1);
    fail = false;
    auto c = pool.acquire();
    BOOST_TEST(c->value == 4);
    BOOST_TEST(pool.created_count() == 2u);
    BOOST_TEST(counted::live() == 2);
}

BOOST_AUTO_TEST_CASE(factory_throwing_in_constructor)
{
    int calls = 0;
    BOOST_CHECK_THROW(pool_type(5, [&]
    {
        if(++calls == 3)
            throw std::runtime_error("factory");
        return counted();
    }), std::runtime_error);
    BOOST_TEST(calls == 3);
    BOOST_TEST(counted::live() == 0);
}

BOOST_AUTO_TEST_CASE(handle_outlives_pool)
{
    pool_type::options_type opt;
    int resets = 0;
    opt.reset = [&resets](counted&) { ++resets; };
    auto pool = std::make_unique<pool_type>(3, make_counted(), opt);
    auto a = pool->acquire();
    auto b = pool->acquire();
    a->value = 5;
    pool.reset();
    BOOST_TEST(counted::live() == 2); // idle one destroyed
    BOOST_TEST(a->value == 5);
    millio::pooled<counted> c(std::move(a));
    c.reset();
    BOOST_TEST(counted::live() == 1);
    BOOST_TEST(resets == 0); // not run once the pool is gone
    // b is destroyed at the end of the scope; the shared state goes with it
}

BOOST_AUTO_TEST_CASE(detach_after_pool_gone)
{
    auto pool = std::make_unique<pool_type>(0, make_counted());
    auto a = pool->acquire();
    pool.reset();
    counted c = a.detach();
    BOOST_TEST(counted::live() == 1);
}

// Objects whose size is a multiple of a cache line start on one, as
// documented: two of them never share a line (the first objects of a pool
// are neighbours in one block, and are handed to different threads).
BOOST_AUTO_TEST_CASE(line_sized_objects_start_on_a_cache_line)
{
    struct line { unsigned char bytes[64]; };
    struct lines { unsigned char bytes[192]; };
    millio::object_pool<line> a(4, []{ return line(); });
    millio::object_pool<lines> b(0, []{ return lines(); });
    std::vector<millio::pooled<line>> va;
    std::vector<millio::pooled<lines>> vb;
    // more than the first block of each, and reused ones too
    for(int round = 0; round < 2; ++round)
    {
        for(int i = 0; i < 40; ++i)
        {
            va.push_back(a.acquire());
            vb.push_back(b.acquire());
        }
        for(auto const& h : va)
            BOOST_TEST(reinterpret_cast<std::uintptr_t>(h.get()) % 64 == 0u);
        for(auto const& h : vb)
            BOOST_TEST(reinterpret_cast<std::uintptr_t>(h.get()) % 64 == 0u);
        va.clear();
        vb.clear();
    }
}

namespace {

void
hammer(
    std::size_t threads,
    std::size_t max_idle,
    std::size_t iterations)
{
    pool_type::options_type opt;
    opt.max_idle = max_idle;
    std::atomic<std::size_t> resets{0};
    opt.reset = [&resets](counted& c)
    {
        c.value = 0;
        resets.fetch_add(1, std::memory_order_relaxed);
    };
    std::atomic<std::size_t> collisions{0};
    {
        pool_type pool(0, make_counted(), opt);
        std::vector<std::thread> v;
        for(std::size_t t = 0; t < threads; ++t)
        {
            v.emplace_back([&, t]
            {
                int const me = static_cast<int>(t) + 1;
                for(std::size_t i = 0; i < iterations; ++i)
                {
                    auto h = pool.acquire();
                    // Nobody else may hold this object.
                    if(h->busy.exchange(true) || h->value != 0)
                        collisions.fetch_add(1);
                    h->value = me;
                    if(h->value != me)
                        collisions.fetch_add(1);
                    h->busy.store(false);
                }
            });
        }
        for(auto& th : v)
            th.join();
        BOOST_TEST(collisions.load() == 0u);
        BOOST_TEST(pool.outstanding_count() == 0u);
        BOOST_TEST(pool.idle_count() <= (std::min)(max_idle, threads));
        BOOST_TEST(pool.created_count() >= pool.idle_count());
        BOOST_TEST(counted::live() ==
            static_cast<long>(pool.idle_count()));
        BOOST_TEST(resets.load() <= threads * iterations);
        if(max_idle >= threads)
            BOOST_TEST(pool.created_count() <= threads);
    }
    BOOST_TEST(counted::live() == 0);
}

} // (anon)

BOOST_AUTO_TEST_CASE(two_threads, *boost::unit_test::timeout(120))
{
    hammer(2, 1024, scaled(1000000));
}

BOOST_AUTO_TEST_CASE(four_threads, *boost::unit_test::timeout(120))
{
    hammer(4, 1024, scaled(1000000));
}

BOOST_AUTO_TEST_CASE(four_threads_tiny_cap, *boost::unit_test::timeout(120))
{
    // Objects are destroyed and made all the time.
    hammer(4, 1, scaled(1000000) / 4);
}

BOOST_AUTO_TEST_CASE(handles_outlive_pool_across_threads, *boost::unit_test::timeout(60))
{
    for(int round = 0; round < 50; ++round)
    {
        auto pool = std::make_unique<pool_type>(2, make_counted());
        std::vector<millio::pooled<counted>> hs;
        for(int i = 0; i < 8; ++i)
            hs.push_back(pool->acquire());
        std::thread th([&hs]
        {
            for(auto& h : hs)
                h.reset();
        });
        pool.reset(); // races with the returns
        th.join();
        BOOST_TEST(counted::live() == 0);
    }
}

// trim() destroys the idle objects a whole interval did not need and
// frees the blocks left empty; shrink_to_fit() destroys every idle one.
BOOST_AUTO_TEST_CASE(trim_destroys_unused_idle_objects)
{
    pool_type pool(0, make_counted(), pool_type::options_type{});
    {
        std::vector<millio::pooled<counted>> v;
        for(int i = 0; i < 300; ++i)
            v.push_back(pool.acquire());
    }
    BOOST_TEST(pool.idle_count() == 300u);
    BOOST_TEST(counted::live() == 300);
    std::size_t const held = pool.reserved_bytes();
    BOOST_TEST(held >= 300u * sizeof(counted));
    BOOST_TEST(pool.trim() == 0u); // the burst used them all
    BOOST_TEST(counted::live() == 300);
    BOOST_TEST(pool.trim() == held);
    BOOST_TEST(counted::live() == 0);
    BOOST_TEST(pool.reserved_bytes() == 0u);

    auto keep = pool.acquire();
    keep->value = 7;
    {
        std::vector<millio::pooled<counted>> v;
        for(int i = 0; i < 300; ++i)
            v.push_back(pool.acquire());
    }
    pool.shrink_to_fit();
    BOOST_TEST(pool.idle_count() == 0u);
    BOOST_TEST(counted::live() == 1);
    BOOST_TEST(keep->value == 7);
    BOOST_TEST(pool.reserved_bytes() > 0u);
}

// A thread keeps recently returned objects in a cache of its own; they
// still count as idle, and go back to the pool when the thread exits.
BOOST_AUTO_TEST_CASE(thread_exit_returns_cached_objects, *boost::unit_test::timeout(60))
{
    pool_type pool(0, make_counted(), pool_type::options_type{});
    std::thread th([&pool]
    {
        std::vector<millio::pooled<counted>> v;
        for(int i = 0; i < 20; ++i)
            v.push_back(pool.acquire());
    });
    th.join();
    BOOST_TEST(pool.idle_count() == 20u);
    BOOST_TEST(pool.outstanding_count() == 0u);
    BOOST_TEST(counted::live() == 20);
    // Reused from the shared store by another thread.
    {
        std::vector<millio::pooled<counted>> v;
        for(int i = 0; i < 20; ++i)
            v.push_back(pool.acquire());
        BOOST_TEST(pool.created_count() == 20u);
    }
    pool.shrink_to_fit();
    BOOST_TEST(counted::live() == 0);
    BOOST_TEST(pool.reserved_bytes() == 0u);
}

// trim() and shrink_to_fit() reach the caches of threads that are alive
// and idle.
BOOST_AUTO_TEST_CASE(trim_reaches_other_threads_caches, *boost::unit_test::timeout(60))
{
    pool_type pool(0, make_counted(), pool_type::options_type{});
    std::atomic<int> step{0};
    std::thread th([&]
    {
        {
            std::vector<millio::pooled<counted>> v;
            for(int i = 0; i < 40; ++i)
                v.push_back(pool.acquire());
        }
        step.store(1);
        while(step.load() != 2)
            std::this_thread::yield();
        // The cache was emptied meanwhile: the pool makes new objects.
        auto h = pool.acquire();
        h->value = 3;
    });
    while(step.load() != 1)
        std::this_thread::yield();
    BOOST_TEST(pool.idle_count() == 40u);
    BOOST_TEST(pool.trim() == 0u); // the burst used them all
    BOOST_TEST(counted::live() == 40);
    BOOST_TEST(pool.trim() > 0u);  // none used since
    BOOST_TEST(counted::live() == 0);
    BOOST_TEST(pool.idle_count() == 0u);
    BOOST_TEST(pool.reserved_bytes() == 0u);
    step.store(2);
    th.join();
    BOOST_TEST(pool.idle_count() == 1u);
    pool.shrink_to_fit();
    BOOST_TEST(counted::live() == 0);
}

// A pool destroyed while other threads hold objects in their caches
// destroys those objects at once; the threads carry on and exit cleanly,
// also when new pools are made at the same address meanwhile.
BOOST_AUTO_TEST_CASE(pool_destroyed_while_threads_cache, *boost::unit_test::timeout(120))
{
    for(int round = 0; round < 50; ++round)
    {
        auto pool = std::make_unique<pool_type>(0, make_counted(), pool_type::options_type{});
        std::atomic<int> ready{0};
        std::atomic<bool> gone{false};
        std::vector<std::thread> threads;
        for(int t = 0; t < 2; ++t)
        {
            threads.emplace_back([&]
            {
                millio::pooled<counted> kept;
                {
                    std::vector<millio::pooled<counted>> v;
                    for(int i = 0; i < 10; ++i)
                        v.push_back(pool->acquire());
                    kept = std::move(v.back());
                    v.pop_back();
                }
                ready.fetch_add(1);
                while(! gone.load())
                    std::this_thread::yield();
                // Returned to a destroyed pool: destroyed here.
                kept.reset();
            });
        }
        while(ready.load() != 2)
            std::this_thread::yield();
        BOOST_TEST(counted::live() == 20);
        pool.reset();
        BOOST_TEST(counted::live() == 2); // the two kept ones
        // A new pool, maybe at the same address, used by this thread.
        pool = std::make_unique<pool_type>(1, make_counted(), pool_type::options_type{});
        {
            auto h = pool->acquire();
        }
        gone.store(true);
        for(auto& th : threads)
            th.join();
        BOOST_TEST(counted::live() == 1);
        pool.reset();
        BOOST_TEST(counted::live() == 0);
    }
}

// A thread that uses more pools than its cache table holds keeps working.
BOOST_AUTO_TEST_CASE(many_pools_on_one_thread, *boost::unit_test::timeout(60))
{
    std::vector<std::unique_ptr<pool_type>> pools;
    for(int i = 0; i < 20; ++i)
        pools.push_back(std::make_unique<pool_type>(0, make_counted(), pool_type::options_type{}));
    for(int round = 0; round < 3; ++round)
        for(auto& p : pools)
        {
            std::vector<millio::pooled<counted>> v;
            for(int i = 0; i < 5; ++i)
                v.push_back(p->acquire());
        }
    for(auto& p : pools)
    {
        BOOST_TEST(p->idle_count() == 5u);
        BOOST_TEST(p->created_count() == 5u);
        BOOST_TEST(p->outstanding_count() == 0u);
    }
    pools.clear();
    BOOST_TEST(counted::live() == 0);
}

BOOST_AUTO_TEST_SUITE_END()
