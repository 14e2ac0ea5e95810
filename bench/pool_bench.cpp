//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

/*
    Acquire+release pairs per second: Boost.MillIO's object_pool and
    buffer_pool against new/delete and std::make_unique of the same
    objects (64-byte objects and 8 KiB buffers, 1 and 2 threads).

    Every contender touches what it gets the way a reader would: it writes
    the first and the last byte (so an allocator cannot hand out memory it
    never maps, and the pools cannot win by never touching memory), and
    the pointer escapes so the compiler cannot drop the allocation.
    std::make_unique value-initialises, i.e. zeroes the object: that is
    what it costs, and it is measured as such.

    Contenders run interleaved (A B C D A B C D ...) for several rounds;
    the table shows medians, the spread (min-max) and ratios.

    Usage: pool_bench [rounds] [pairs-per-thread]
*/

#include <boost/millio/buffer_pool.hpp>
#include <boost/millio/object_pool.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#if defined(__GLIBC__)
#include <gnu/libc-version.h>
#endif

namespace millio = boost::millio;

namespace {

template<class P>
inline
void
escape(P* p) noexcept
{
#if defined(__GNUC__)
    asm volatile("" : : "g"(p) : "memory");
#else
    static std::atomic<void*> sink;
    sink.store(p, std::memory_order_relaxed);
#endif
}

template<std::size_t N>
struct blob
{
    unsigned char bytes[N];
};

template<std::size_t N>
inline
void
touch(unsigned char* p) noexcept
{
    p[0] = 1;
    p[N - 1] = 2;
    escape(p);
}

// Runs `body(pairs)` on `threads` threads started together and returns
// pairs per second over all threads.
double
run_threads(
    std::size_t threads,
    std::size_t pairs,
    std::function<void(std::size_t)> const& body)
{
    std::atomic<std::size_t> ready{0};
    std::atomic<bool> go{false};
    std::vector<std::thread> v;
    for(std::size_t t = 0; t < threads; ++t)
    {
        v.emplace_back([&]
        {
            ready.fetch_add(1);
            while(! go.load(std::memory_order_acquire))
                std::this_thread::yield();
            body(pairs);
        });
    }
    while(ready.load() != threads)
        std::this_thread::yield();
    auto const t0 = std::chrono::steady_clock::now();
    go.store(true, std::memory_order_release);
    for(auto& th : v)
        th.join();
    auto const t1 = std::chrono::steady_clock::now();
    double const s = std::chrono::duration<double>(t1 - t0).count();
    return static_cast<double>(threads * pairs) / s;
}

struct contender
{
    std::string name;
    // Makes a fresh run for a given thread count: returns pairs/s.
    std::function<double(std::size_t threads, std::size_t pairs)> run;
    std::vector<double> results;
};

template<std::size_t N>
std::vector<contender>
make_contenders()
{
    using object = blob<N>;
    std::vector<contender> c;
    c.push_back({"object_pool", [](std::size_t threads, std::size_t pairs)
    {
        millio::object_pool<object> pool(threads, []{ return object(); });
        return run_threads(threads, pairs, [&](std::size_t n)
        {
            for(std::size_t i = 0; i < n; ++i)
            {
                auto h = pool.acquire();
                touch<N>(h->bytes);
            }
        });
    }, {}});
    c.push_back({"buffer_pool", [](std::size_t threads, std::size_t pairs)
    {
        millio::buffer_pool pool(N, threads, millio::buffer_pool::default_max_idle);
        return run_threads(threads, pairs, [&](std::size_t n)
        {
            for(std::size_t i = 0; i < n; ++i)
            {
                auto b = pool.acquire();
                touch<N>(b.data());
            }
        });
    }, {}});
    c.push_back({"new/delete", [](std::size_t threads, std::size_t pairs)
    {
        return run_threads(threads, pairs, [](std::size_t n)
        {
            for(std::size_t i = 0; i < n; ++i)
            {
                object* p = new object;
                touch<N>(p->bytes);
                delete p;
            }
        });
    }, {}});
    c.push_back({"make_unique", [](std::size_t threads, std::size_t pairs)
    {
        return run_threads(threads, pairs, [](std::size_t n)
        {
            for(std::size_t i = 0; i < n; ++i)
            {
                auto p = std::make_unique<object>();
                touch<N>(p->bytes);
            }
        });
    }, {}});
    return c;
}

double
median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    std::size_t const n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

void
bench(
    char const* workload,
    std::vector<contender> cs,
    std::size_t threads,
    int rounds,
    std::size_t pairs)
{
    // warm up once each, untimed
    for(auto& c : cs)
        c.run(threads, pairs / 10 + 1);
    for(int r = 0; r < rounds; ++r)
        for(auto& c : cs)
            c.results.push_back(c.run(threads, pairs));

    std::vector<double> med;
    for(auto& c : cs)
        med.push_back(median(c.results));
    for(std::size_t i = 0; i < cs.size(); ++i)
    {
        auto const mm = std::minmax_element(
            cs[i].results.begin(), cs[i].results.end());
        std::printf("| %-6s | %zu | %-11s | %8.2f | %7.2f-%-7.2f |",
            workload, threads, cs[i].name.c_str(),
            med[i] / 1e6, *mm.first / 1e6, *mm.second / 1e6);
        for(std::size_t j = 0; j < cs.size(); ++j)
        {
            if(i == j)
                std::printf("     -  |");
            else
                std::printf(" %6.2fx |", med[i] / med[j]);
        }
        std::printf("\n");
    }
    std::fflush(stdout);
}

} // (anon)

int
main(int argc, char** argv)
{
    int const rounds = argc > 1 ? std::atoi(argv[1]) : 5;
    std::size_t const pairs = argc > 2
        ? static_cast<std::size_t>(std::atoll(argv[2])) : 1000000;

    std::printf("pool_bench: %d rounds, %zu acquire+release pairs per thread per run\n",
        rounds, pairs);
#if defined(__GLIBC__)
    std::printf("allocator: glibc %s malloc; hardware threads: %u\n",
        gnu_get_libc_version(), std::thread::hardware_concurrency());
#endif
    std::printf("every contender writes the first and last byte of what it gets\n\n");
    std::printf("| what   | thr | contender   | Mpairs/s | spread (min-max) |"
        " vs object_pool | vs buffer_pool | vs new/delete | vs make_unique |\n");
    std::printf("|--------|-----|-------------|----------|------------------|"
        "---|---|---|---|\n");
    for(std::size_t threads : {1u, 2u})
    {
        bench("64 B", make_contenders<64>(), threads, rounds, pairs);
        bench("8 KiB", make_contenders<8192>(), threads, rounds, pairs);
    }
    return 0;
}
