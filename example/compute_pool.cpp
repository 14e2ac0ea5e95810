//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// The compute pool demo: CPU-bound work of mixed priorities (hashing is
// critical, image processing normal, analytics low) runs on a
// boost::millio::compute_pool; the metrics are printed at the end.
//
// Usage: compute_pool [--threads N] [--tasks N]

#include <boost/millio/compute_pool.hpp>

#include <boost/asio/post.hpp>
#include <boost/asio/use_future.hpp>

#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <numeric>
#include <string>
#include <vector>

namespace millio = boost::millio;
namespace asio = boost::asio;

namespace {

// FNV-1a, iterated: a stand-in for a cryptographic hash.
std::uint64_t
hash_block(std::uint64_t seed, int rounds)
{
    std::uint64_t h = 1469598103934665603ull ^ seed;
    for(int r = 0; r < rounds; ++r)
        for(int i = 0; i < 64; ++i)
        {
            h ^= static_cast<std::uint8_t>(h >> (i % 56));
            h *= 1099511628211ull;
        }
    return h;
}

// A 3x3 box blur over a synthetic greyscale image.
double
blur_image(unsigned seed, int size)
{
    std::vector<float> img(static_cast<std::size_t>(size) * static_cast<std::size_t>(size));
    for(std::size_t i = 0; i < img.size(); ++i)
        img[i] = float((i * 2654435761u + seed) % 256);
    std::vector<float> out(img.size());
    for(int y = 1; y < size - 1; ++y)
        for(int x = 1; x < size - 1; ++x)
        {
            float s = 0;
            for(int dy = -1; dy <= 1; ++dy)
                for(int dx = -1; dx <= 1; ++dx)
                    s += img[std::size_t((y + dy) * size + x + dx)];
            out[std::size_t(y * size + x)] = s / 9;
        }
    return std::accumulate(out.begin(), out.end(), 0.0) / double(out.size());
}

// Mean and standard deviation of a generated series.
double
analyse(unsigned seed, int n)
{
    std::vector<double> v(static_cast<std::size_t>(n));
    double x = seed;
    for(auto& e : v)
    {
        x = std::fmod(x * 1.618033988749 + 0.5, 1000.0);
        e = x;
    }
    double const mean = std::accumulate(v.begin(), v.end(), 0.0) / n;
    double var = 0;
    for(double e : v)
        var += (e - mean) * (e - mean);
    return std::sqrt(var / n);
}

} // (anon)

int
main(int argc, char** argv)
{
    std::size_t threads = 0;
    int tasks = 200;
    for(int i = 1; i + 1 < argc; i += 2)
    {
        if(std::strcmp(argv[i], "--threads") == 0)
            threads = std::strtoul(argv[i + 1], nullptr, 10);
        else if(std::strcmp(argv[i], "--tasks") == 0)
            tasks = std::atoi(argv[i + 1]);
    }

    //[example_compute_pool
    millio::compute_pool_options opt;
    opt.threads = threads;              // 0: one worker per hardware thread
    millio::compute_pool pool(opt);
    std::cout << "compute pool with " << pool.thread_count() << " workers\n";

    std::atomic<std::uint64_t> hashes{0};
    std::atomic<int> images{0};
    std::atomic<int> reports{0};

    for(int i = 0; i < tasks; ++i)
    {
        // Analytics: background work.
        pool.post([&reports, i]
        {
            if(analyse(unsigned(i), 20000) >= 0)
                ++reports;
        }, millio::task_priority::low);

        // Image processing: the default priority.
        pool.post([&images, i]
        {
            if(blur_image(unsigned(i), 96) >= 0)
                ++images;
        });

        // Hashing: latency-sensitive, so it overtakes everything waiting.
        if(i % 4 == 0)
            pool.post([&hashes, i]
            {
                hashes ^= hash_block(std::uint64_t(i), 200);
            }, millio::task_priority::critical);
    }
    //]

    // Through Asio: a high-priority executor and a future for the result.
    auto high = asio::require(pool.get_executor(), millio::priority.high);
    std::future<double> answer = asio::post(high,
        asio::use_future([]{ return analyse(42, 100000); }));
    std::cout << "high-priority analysis: " << answer.get() << "\n";

    // A task that fails is counted and does not stop the worker.
    pool.set_exception_handler([](std::exception_ptr ep)
    {
        try
        {
            std::rethrow_exception(ep);
        }
        catch(std::exception const& e)
        {
            std::cout << "task failed: " << e.what() << "\n";
        }
    });
    pool.post([]{ throw std::runtime_error("corrupt input"); },
        millio::task_priority::low);

    //[example_compute_pool_metrics
    millio::compute_metrics m = pool.metrics();
    std::cout << "Queue depths - Low: " << m.queue_depth_low()
              << ", Normal: " << m.queue_depth_normal()
              << ", High: " << m.queue_depth_high()
              << ", Critical: " << m.queue_depth_critical() << "\n";
    pool.join(); // runs everything queued, then joins the workers
    std::cout << "Tasks submitted: " << m.tasks_submitted() << "\n"
              << "Tasks completed: " << m.tasks_completed() << "\n"
              << "Tasks failed: " << m.tasks_failed() << "\n"
              << "Active workers: " << m.active_workers() << "\n"
              << "Total execution time: "
              << m.total_execution_time_ns() / 1000000 << "ms\n";
    //]

    std::cout << "images " << images << ", reports " << reports
              << ", hash " << std::hex << hashes.load() << std::dec << "\n";

    bool const ok = images == tasks && reports == tasks &&
        m.tasks_failed() == 1 &&
        m.tasks_submitted() == m.tasks_completed() + m.tasks_failed();
    return ok ? EXIT_SUCCESS : EXIT_FAILURE;
}
