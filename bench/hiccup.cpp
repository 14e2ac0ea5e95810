//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

/*
    How long the machine takes a processor away from a thread that never
    blocks: one thread per CPU given on the command line, each pinned to
    its CPU, reads the steady clock in a loop and counts the gaps between
    two consecutive reads above 100 us, 1 ms and 5 ms.

    This is the floor under the tail of every latency benchmark here: a
    critical task cannot start sooner than its worker is given a
    processor again. Run it the way the benchmark runs (e.g. under
    `chrt -f 5` to see what real-time scheduling and its throttling do).

    Usage: hiccup [--seconds S] [CPU...]     (default: 10 s, CPUs 0 and 1)
*/

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

#if defined(__linux__)
#include <pthread.h>
#include <sched.h>
#endif

namespace {

struct gaps
{
    int cpu = 0;
    long over_100us = 0;
    long over_1ms = 0;
    long over_5ms = 0;
    double worst_us = 0;
    double total_over_1ms_us = 0;
};

void
spin(gaps& g, double seconds)
{
#if defined(__linux__)
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(g.cpu, &set);
    if(::pthread_setaffinity_np(::pthread_self(), sizeof(set), &set) != 0)
        std::fprintf(stderr, "hiccup: cannot pin to CPU %d\n", g.cpu);
#endif
    using clock = std::chrono::steady_clock;
    auto prev = clock::now();
    auto const end = prev + std::chrono::duration_cast<clock::duration>(
        std::chrono::duration<double>(seconds));
    for(;;)
    {
        auto const t = clock::now();
        double const us = std::chrono::duration<double, std::micro>(t - prev).count();
        prev = t;
        if(us > 100)
        {
            ++g.over_100us;
            if(us > 1000)
            {
                ++g.over_1ms;
                g.total_over_1ms_us += us;
            }
            if(us > 5000)
                ++g.over_5ms;
            if(us > g.worst_us)
                g.worst_us = us;
        }
        if(t >= end)
            break;
    }
}

} // namespace

int
main(int argc, char** argv)
{
    double seconds = 10;
    std::vector<gaps> all;
    for(int i = 1; i < argc; ++i)
    {
        if(!std::strcmp(argv[i], "--seconds") && i + 1 < argc)
            seconds = std::atof(argv[++i]);
        else
        {
            gaps g;
            g.cpu = std::atoi(argv[i]);
            all.push_back(g);
        }
    }
    if(all.empty())
    {
        all.resize(2);
        all[1].cpu = 1;
    }
    std::vector<std::thread> threads;
    for(auto& g : all)
        threads.emplace_back([&g, seconds] { spin(g, seconds); });
    for(auto& t : threads)
        t.join();
    std::printf("hiccup: %.0f s per CPU; gaps between two clock reads of a pinned thread that never blocks\n", seconds);
    std::printf("  cpu   > 100 us    > 1 ms    > 5 ms   worst (us)   time in gaps > 1 ms (ms)\n");
    for(auto const& g : all)
        std::printf("  %3d %10ld %9ld %9ld %12.0f %12.1f\n",
            g.cpu, g.over_100us, g.over_1ms, g.over_5ms, g.worst_us, g.total_over_1ms_us / 1000);
    return 0;
}
