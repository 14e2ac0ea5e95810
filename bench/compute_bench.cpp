//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Compute pool benchmark.
//
// Contenders, run interleaved for several rounds, the order rotated each
// round (A B C D, B C D A, ...):
//   A  boost::millio::compute_pool
//   B  boost::asio::thread_pool           (no priorities)
//   C  mutex + std::priority_queue pool   (the seed's design, heap_pool.hpp)
//   D  a plain sketch of lock-free queues per priority (sketch_pool.hpp)
//
// Scenarios:
//   throughput: 1,000,000 empty tasks, 2 workers, 1 and 2 submitting
//     threads, and 2 submitting threads beside a thread that spins (a CPU
//     hog: more runnable threads than cores)
//   paced critical latency: 1 worker busy with 100,000 queued low tasks of
//     about 1 us, then critical tasks submitted 50 us apart (submitter and
//     worker pinned to different CPUs); submit -> start latency
//   priority latency: start latency of a critical task submitted behind
//     100,000 queued low tasks (the workers are held while the backlog is
//     queued, released, and the critical task is submitted at once;
//     p50, p99 over all samples)
//   wake latency: start latency of one task submitted to an idle pool
//
// Each scenario of each round is framed by two timings of a cache-line
// round trip between CPU 0 and CPU 1: the two virtual CPUs of a small
// machine may sit near each other (one core, or a shared cache) or far,
// and move between the two for minutes, which changes every figure 3-5x.
// A scenario whose placement changed between its two probes is run again
// (up to three attempts, the repetitions reported). The ratios printed
// are per round (contenders measured in the same placement), with their
// median and range.
//
// Usage: compute_bench [--rounds N] [--tasks N] [--samples N]
//                      [--critical N] [--only a,b,...]
//   --only takes scenario names: tp1 tp2 hog paced prio wake

#include <boost/millio/compute_pool.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include "heap_pool.hpp"
#include "sketch_pool.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#if defined(__linux__)
# include <pthread.h>
# include <time.h>
# include <sched.h>
#endif

namespace millio = boost::millio;
namespace asio = boost::asio;
using clock_type = std::chrono::steady_clock;
using millio::task_priority;

namespace {

constexpr std::size_t workers = 2;

// Pins the calling thread to one CPU (where supported).
void
pin_to(int cpu)
{
#if defined(__linux__)
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu % std::max(1u, std::thread::hardware_concurrency()), &set);
    pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
#else
    (void)cpu;
#endif
}

// Lets the calling thread run on every CPU again.
void
unpin()
{
#if defined(__linux__)
    cpu_set_t set;
    CPU_ZERO(&set);
    for(unsigned i = 0; i < std::max(1u, std::thread::hardware_concurrency()); ++i)
        CPU_SET(i, &set);
    pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
#endif
}

//------------------------------------------------------------------------------
// Adapters: construct a pool and submit a task with a priority.

struct millio_pool
{
    static char const* name() { return "millio::compute_pool"; }
    millio::compute_pool pool;

    explicit
    millio_pool(std::size_t n = workers)
        : pool(n)
    {
    }

    template<class F>
    void
    post(F&& f, task_priority p)
    {
        pool.post(std::forward<F>(f), p);
    }
};

struct asio_pool
{
    static char const* name() { return "asio::thread_pool"; }
    asio::thread_pool pool;

    explicit
    asio_pool(std::size_t n = workers)
        : pool(n)
    {
    }

    template<class F>
    void
    post(F&& f, task_priority)
    {
        asio::post(pool, std::forward<F>(f));
    }

    ~asio_pool()
    {
        pool.join();
    }
};

struct heap_pool
{
    static char const* name() { return "mutex+heap pool"; }
    bench::heap_pool pool;

    explicit
    heap_pool(std::size_t n = workers)
        : pool(n)
    {
    }

    template<class F>
    void
    post(F&& f, task_priority p)
    {
        pool.post(std::forward<F>(f), p);
    }
};

struct sketch_pool
{
    static char const* name() { return "lock-free sketch"; }
    bench::sketch_pool pool;

    explicit
    sketch_pool(std::size_t n = workers)
        : pool(n)
    {
    }

    template<class F>
    void
    post(F&& f, task_priority p)
    {
        pool.post(std::forward<F>(f), p);
    }
};

// Counts finished tasks and wakes the waiter when the last one ends.
struct completion
{
    std::atomic<std::size_t> count{0};
    std::size_t target;
    std::mutex m;
    std::condition_variable cv;
    bool done = false;

    explicit
    completion(std::size_t n)
        : target(n)
    {
    }

    void
    one()
    {
        if(count.fetch_add(1, std::memory_order_acq_rel) + 1 == target)
        {
            std::lock_guard<std::mutex> lock(m);
            done = true;
            cv.notify_all();
        }
    }

    void
    wait()
    {
        std::unique_lock<std::mutex> lock(m);
        cv.wait(lock, [this]{ return done; });
    }
};

//------------------------------------------------------------------------------

// Returns tasks per second.
// Processor time of the process and of one thread, in ns (Linux; 0
// elsewhere).
double
process_cpu_ns()
{
#if defined(__linux__)
    timespec ts{};
    ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return double(ts.tv_sec) * 1e9 + double(ts.tv_nsec);
#else
    return 0;
#endif
}

double
thread_cpu_ns(std::thread& t)
{
#if defined(__linux__)
    clockid_t id;
    timespec ts{};
    if(! t.joinable() || ::pthread_getcpuclockid(t.native_handle(), &id) != 0 ||
            ::clock_gettime(id, &ts) != 0)
        return 0;
    return double(ts.tv_sec) * 1e9 + double(ts.tv_nsec);
#else
    (void)t;
    return 0;
#endif
}

struct throughput_result
{
    double rate;        // tasks per second
    double cpu_per_task; // processor time of the process per task (ns),
                         // the hog's excepted
};

template<class Pool>
throughput_result
run_throughput(std::size_t tasks, std::size_t submitters, bool hog = false)
{
    std::atomic<bool> hog_stop{false};
    std::thread hog_thread;
    if(hog)
        hog_thread = std::thread([&hog_stop]
        {
            while(! hog_stop.load(std::memory_order_relaxed))
            {
            }
        });
    struct hog_guard
    {
        std::atomic<bool>& stop;
        std::thread& t;
        ~hog_guard()
        {
            stop.store(true);
            if(t.joinable())
                t.join();
        }
    } hg{hog_stop, hog_thread};
    Pool pool;
    completion c(tasks);
    double const cpu0 = process_cpu_ns();
    double const hog0 = thread_cpu_ns(hog_thread);
    auto const t0 = clock_type::now();
    std::vector<std::thread> threads;
    for(std::size_t s = 0; s < submitters; ++s)
        threads.emplace_back([&, s]
        {
            std::size_t const n = tasks / submitters +
                (s < tasks % submitters ? 1 : 0);
            for(std::size_t i = 0; i < n; ++i)
                pool.post([&c]{ c.one(); }, task_priority::normal);
        });
    for(auto& t : threads)
        t.join();
    c.wait();
    auto const t1 = clock_type::now();
    double const cpu = process_cpu_ns() - cpu0 - (thread_cpu_ns(hog_thread) - hog0);
    return {double(tasks) / std::chrono::duration<double>(t1 - t0).count(),
        cpu / double(tasks)};
}

// A low task: a little work.
inline
void
spin_work()
{
    static std::atomic<unsigned> sink{0};
    unsigned x = 1;
    for(int i = 0; i < 50; ++i)
        x = x * 1664525u + 1013904223u;
    sink.fetch_add(x & 1, std::memory_order_relaxed);
}

// A low task of about 1 us: `spin_iters` is calibrated once.
std::size_t spin_iters = 1000;

inline
void
spin_us()
{
    static std::atomic<unsigned> sink{0};
    unsigned x = 1;
    for(std::size_t i = 0; i < spin_iters; ++i)
        x = x * 1664525u + 1013904223u;
    sink.fetch_add(x & 1, std::memory_order_relaxed);
}

void
calibrate_spin()
{
    std::size_t const n = 1000;
    auto const t0 = clock_type::now();
    for(std::size_t i = 0; i < n; ++i)
        spin_us();
    double const ns = std::chrono::duration<double, std::nano>(
        clock_type::now() - t0).count() / double(n);
    spin_iters = std::max<std::size_t>(1,
        std::size_t(double(spin_iters) * 1000.0 / ns));
}

// Appends latencies (ns) from submit to start of `count` critical tasks
// submitted 50 us apart to a 1-worker pool busy with `backlog` queued low
// tasks of about 1 us. The submitter runs on CPU 0, the worker on CPU 1.
template<class Pool>
void
run_paced_latency(
    std::size_t backlog,
    std::size_t count,
    std::vector<double>& out)
{
    pin_to(0);
    {
        Pool pool(1);
        {
            completion pinned(1);
            pool.post([&pinned]{ pin_to(1); pinned.one(); }, task_priority::critical);
            pinned.wait();
        }
        completion c(backlog + count);
        for(std::size_t i = 0; i < backlog; ++i)
            pool.post([&c]{ spin_us(); c.one(); }, task_priority::low);
        std::vector<std::int64_t> lat(count, 0);
        for(std::size_t k = 0; k < count; ++k)
        {
            auto const due = clock_type::now() + std::chrono::microseconds(50);
            while(clock_type::now() < due)
            {
            }
            auto const t0 = clock_type::now();
            std::int64_t* slot = &lat[k];
            pool.post([&c, slot, t0]
            {
                *slot = std::chrono::duration_cast<std::chrono::nanoseconds>(
                    clock_type::now() - t0).count();
                c.one();
            }, task_priority::critical);
        }
        c.wait();
        for(auto v : lat)
            out.push_back(double(v));
    }
    unpin();
}

// Round trip (ns, median of many) of a cache line between CPU 0 and CPU 1.
double
placement_probe()
{
    alignas(64) std::atomic<int> flag{0};
    std::size_t const n = 20000;
    std::thread t([&]
    {
        pin_to(1);
        for(std::size_t i = 0; i < n; ++i)
        {
            while(flag.load(std::memory_order_acquire) != 1)
            {
            }
            flag.store(0, std::memory_order_release);
        }
    });
    pin_to(0);
    auto const t0 = clock_type::now();
    for(std::size_t i = 0; i < n; ++i)
    {
        flag.store(1, std::memory_order_release);
        while(flag.load(std::memory_order_acquire) != 0)
        {
        }
    }
    auto const t1 = clock_type::now();
    t.join();
    unpin();
    return std::chrono::duration<double, std::nano>(t1 - t0).count() / double(n);
}

// Occupies every worker until opened.
struct gate
{
    std::mutex m;
    std::condition_variable cv;
    bool open_ = false;
    std::size_t started = 0;

    template<class Pool>
    void
    block(Pool& pool)
    {
        for(std::size_t i = 0; i < workers; ++i)
            pool.post([this]
            {
                std::unique_lock<std::mutex> lock(m);
                ++started;
                cv.notify_all();
                cv.wait(lock, [this]{ return open_; });
            }, task_priority::critical);
        std::unique_lock<std::mutex> lock(m);
        cv.wait(lock, [this]{ return started == workers; });
    }

    void
    open()
    {
        {
            std::lock_guard<std::mutex> lock(m);
            open_ = true;
        }
        cv.notify_all();
    }
};

// Appends latencies (ns) of critical tasks submitted behind `backlog`
// queued low tasks: the workers are held while the backlog is queued,
// released, and the critical task is submitted at once.
template<class Pool>
void
run_priority_latency(
    std::size_t backlog,
    std::size_t samples,
    std::vector<double>& out)
{
    Pool pool;
    for(std::size_t s = 0; s < samples; ++s)
    {
        completion c(backlog + 1);
        gate g;
        g.block(pool);
        for(std::size_t i = 0; i < backlog; ++i)
            pool.post([&c]{ spin_work(); c.one(); }, task_priority::low);
        std::atomic<std::int64_t> started{0};
        g.open();
        auto const t0 = clock_type::now();
        pool.post([&c, &started, t0]
        {
            started.store((clock_type::now() - t0).count());
            c.one();
        }, task_priority::critical);
        c.wait();
        out.push_back(double(std::chrono::duration_cast<std::chrono::nanoseconds>(
            clock_type::duration(started.load())).count()));
    }
}

// Appends latencies (ns) of a task submitted to an idle pool.
template<class Pool>
void
run_wake_latency(
    std::size_t samples,
    std::vector<double>& out)
{
    Pool pool;
    for(std::size_t s = 0; s < samples; ++s)
    {
        // Let the workers finish spinning and fall asleep.
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
        completion c(1);
        std::atomic<std::int64_t> started{0};
        auto const t0 = clock_type::now();
        pool.post([&c, &started, t0]
        {
            started.store((clock_type::now() - t0).count());
            c.one();
        }, task_priority::normal);
        c.wait();
        out.push_back(double(std::chrono::duration_cast<std::chrono::nanoseconds>(
            clock_type::duration(started.load())).count()));
    }
}

//------------------------------------------------------------------------------

double
percentile(std::vector<double> v, double p)
{
    if(v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    std::size_t i = std::size_t(p * double(v.size() - 1) + 0.5);
    return v[(std::min)(i, v.size() - 1)];
}

double
median(std::vector<double> const& v)
{
    return percentile(v, 0.5);
}

struct result
{
    std::string name;
    std::vector<double> values; // per round, or per sample for latency
    std::vector<double> cpu;    // throughput: processor ns per task, per round
};

// The ratio of contender `a` to contender `b` in each round (measured in
// the same placement): its median and range.
std::string
round_ratio(result const& a, result const& b)
{
    std::vector<double> q;
    for(std::size_t i = 0; i < a.values.size() && i < b.values.size(); ++i)
        q.push_back(a.values[i] / b.values[i]);
    if(q.empty())
        return "-";
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%.2fx (%.2f-%.2f)", median(q),
        *std::min_element(q.begin(), q.end()), *std::max_element(q.begin(), q.end()));
    return buf;
}

void
print_throughput(
    char const* title,
    result const (&r)[4])
{
    std::printf("\n%s (tasks/s, higher is better; median of %zu rounds; ratios: "
        "median and range of the per-round ratios)\n", title, r[0].values.size());
    std::printf("  %-22s %9s %15s %22s %22s %16s\n", "contender", "median",
        "spread", "vs asio", "vs heap", "cpu ns/task");
    for(auto const& x : r)
    {
        double const m = median(x.values);
        char spread[64];
        std::snprintf(spread, sizeof(spread), "%.2fM-%.2fM",
            *std::min_element(x.values.begin(), x.values.end()) / 1e6,
            *std::max_element(x.values.begin(), x.values.end()) / 1e6);
        std::printf("  %-22s %8.2fM %15s %22s %22s %16.0f\n",
            x.name.c_str(), m / 1e6, spread, round_ratio(x, r[1]).c_str(),
            round_ratio(x, r[2]).c_str(), x.cpu.empty() ? 0.0 : median(x.cpu));
    }
}

// Per-round p99 of a latency scenario (values appended round by round,
// `per_round` per round).
void
print_round_p99(
    char const* title,
    result const (&r)[4],
    std::size_t per_round)
{
    std::printf("\n%s: p99 per round (microseconds)\n", title);
    for(auto const& x : r)
    {
        std::printf("  %-22s", x.name.c_str());
        for(std::size_t i = 0; i + per_round <= x.values.size(); i += per_round)
        {
            std::vector<double> v(x.values.begin() + std::ptrdiff_t(i),
                x.values.begin() + std::ptrdiff_t(i + per_round));
            std::printf(" %8.1f", percentile(v, 0.99) / 1e3);
        }
        std::printf("\n");
    }
}

void
print_latency(
    char const* title,
    result const (&r)[4])
{
    std::printf("\n%s (microseconds, lower is better; %zu samples each)\n",
        title, r[0].values.size());
    std::printf("  %-22s %10s %10s %10s %10s %14s %14s %14s\n", "contender",
        "p50", "p99", "min", "max", "p50 asio/this", "p50 heap/this",
        "p99 best/this");
    double const asio_m = percentile(r[1].values, 0.5);
    double const heap_m = percentile(r[2].values, 0.5);
    double best99 = 1e300;
    for(std::size_t i = 1; i < 4; ++i)
        best99 = std::min(best99, percentile(r[i].values, 0.99));
    for(auto const& x : r)
    {
        double const p50 = percentile(x.values, 0.5);
        double const p99 = percentile(x.values, 0.99);
        std::printf("  %-22s %10.1f %10.1f %10.1f %10.1f %13.1fx %13.1fx %13.2fx\n",
            x.name.c_str(), p50 / 1e3, p99 / 1e3,
            *std::min_element(x.values.begin(), x.values.end()) / 1e3,
            *std::max_element(x.values.begin(), x.values.end()) / 1e3,
            asio_m / p50, heap_m / p50, best99 / p99);
    }
}

} // (anon)

int
main(int argc, char** argv)
{
    int rounds = 5;
    std::size_t tasks = 1000000;
    std::size_t samples = 10;
    std::size_t critical = 1000;
    std::string only = "tp1,tp2,hog,paced,prio,wake";
    for(int i = 1; i + 1 < argc; i += 2)
    {
        if(! std::strcmp(argv[i], "--rounds"))
            rounds = std::atoi(argv[i + 1]);
        else if(! std::strcmp(argv[i], "--tasks"))
            tasks = std::strtoull(argv[i + 1], nullptr, 10);
        else if(! std::strcmp(argv[i], "--samples"))
            samples = std::strtoull(argv[i + 1], nullptr, 10);
        else if(! std::strcmp(argv[i], "--critical"))
            critical = std::strtoull(argv[i + 1], nullptr, 10);
        else if(! std::strcmp(argv[i], "--only"))
            only = argv[i + 1];
    }
    auto const want = [&only](char const* s)
    {
        std::string const key = "," + only + ",";
        return key.find("," + std::string(s) + ",") != std::string::npos;
    };
    calibrate_spin();
    std::printf("compute_bench: %zu workers, %zu tasks, %d rounds, "
        "%u hardware threads\n", workers, tasks, rounds,
        std::thread::hardware_concurrency());

#define BOOST_MILLIO_BENCH_RESULTS {{millio_pool::name(), {}, {}}, \
        {asio_pool::name(), {}, {}}, {heap_pool::name(), {}, {}}, \
        {sketch_pool::name(), {}, {}}}
    result tp1[4] = BOOST_MILLIO_BENCH_RESULTS;
    result tp2[4] = BOOST_MILLIO_BENCH_RESULTS;
    result hog[4] = BOOST_MILLIO_BENCH_RESULTS;
    result paced[4] = BOOST_MILLIO_BENCH_RESULTS;
    result prio[4] = BOOST_MILLIO_BENCH_RESULTS;
    result wake[4] = BOOST_MILLIO_BENCH_RESULTS;
    std::vector<double> probes;
    // Round trips below this: the two CPUs are "near" (two hyperthreads
    // of one core, or cores sharing a cache); above: "far".
    double const near_ns = 350;
    std::size_t near_blocks = 0;
    std::size_t all_blocks = 0;
    std::map<std::string, std::array<int, 3>> repeats;

    // One scenario of one round: the four contenders, in an order rotated
    // each round (so that none always runs first or last), between two
    // placement probes. If the placement of the two CPUs changed meanwhile
    // (near on one side of the threshold, far on the other), the figures
    // of the four are not comparable: the block is run again (at most
    // twice) and the repetition reported.
    auto const block = [&](char const* name, int r, result (&res)[4], auto&& run_one)
    {
        for(int attempt = 0; ; ++attempt)
        {
            std::size_t sizes[4];
            std::size_t cpu_sizes[4];
            for(int c = 0; c < 4; ++c)
            {
                sizes[c] = res[c].values.size();
                cpu_sizes[c] = res[c].cpu.size();
            }
            double const before = placement_probe();
            for(int k = 0; k < 4; ++k)
                run_one((k + r) % 4, res[(k + r) % 4]);
            double const after = placement_probe();
            probes.push_back(before);
            probes.push_back(after);
            bool const changed = (before < near_ns) != (after < near_ns);
            std::fprintf(stderr, "round %d %s: CPU 0 <-> 1 round trip %.0f ns before, "
                "%.0f ns after%s\n", r + 1, name, before, after,
                changed ? (attempt < 2 ? ": placement changed, repeated" :
                    ": placement changed, kept (third attempt)") : "");
            if(! changed || attempt == 2)
            {
                near_blocks += before < near_ns;
                ++all_blocks;
                ++repeats[name][attempt];
                return;
            }
            for(int c = 0; c < 4; ++c)
            {
                res[c].values.resize(sizes[c]);
                res[c].cpu.resize(cpu_sizes[c]);
            }
        }
    };
    auto const throughput = [&](std::size_t submitters, bool with_hog)
    {
        return [=](int c, result& out)
        {
            throughput_result t;
            switch(c)
            {
            case 0: t = run_throughput<millio_pool>(tasks, submitters, with_hog); break;
            case 1: t = run_throughput<asio_pool>(tasks, submitters, with_hog); break;
            case 2: t = run_throughput<heap_pool>(tasks, submitters, with_hog); break;
            default: t = run_throughput<sketch_pool>(tasks, submitters, with_hog); break;
            }
            out.values.push_back(t.rate);
            out.cpu.push_back(t.cpu_per_task);
        };
    };

    for(int r = 0; r < rounds; ++r)
    {
        if(want("tp1"))
            block("tp1", r, tp1, throughput(1, false));
        if(want("tp2"))
            block("tp2", r, tp2, throughput(2, false));
        if(want("hog"))
            block("hog", r, hog, throughput(2, true));
        if(want("paced"))
            block("paced", r, paced, [&](int c, result& res_c)
            {
                switch(c)
                {
                case 0: run_paced_latency<millio_pool>(100000, critical, res_c.values); break;
                case 1: run_paced_latency<asio_pool>(100000, critical, res_c.values); break;
                case 2: run_paced_latency<heap_pool>(100000, critical, res_c.values); break;
                default: run_paced_latency<sketch_pool>(100000, critical, res_c.values); break;
                }
            });
        if(want("prio"))
            block("prio", r, prio, [&](int c, result& res_c)
            {
                switch(c)
                {
                case 0: run_priority_latency<millio_pool>(100000, samples, res_c.values); break;
                case 1: run_priority_latency<asio_pool>(100000, samples, res_c.values); break;
                case 2: run_priority_latency<heap_pool>(100000, samples, res_c.values); break;
                default: run_priority_latency<sketch_pool>(100000, samples, res_c.values); break;
                }
            });
        if(want("wake"))
            block("wake", r, wake, [&](int c, result& res_c)
            {
                switch(c)
                {
                case 0: run_wake_latency<millio_pool>(samples * 10, res_c.values); break;
                case 1: run_wake_latency<asio_pool>(samples * 10, res_c.values); break;
                case 2: run_wake_latency<heap_pool>(samples * 10, res_c.values); break;
                default: run_wake_latency<sketch_pool>(samples * 10, res_c.values); break;
                }
            });
    }

    std::printf("CPU 0 <-> CPU 1 cache-line round trips (ns), before and after each "
        "scenario of each round:");
    for(double p : probes)
        std::printf(" %.0f", p);
    std::printf("\n%zu of %zu scenario runs with the CPUs near (round trip < %.0f ns); "
        "runs repeated because the placement changed:", near_blocks, all_blocks, near_ns);
    for(auto const& x : repeats)
        std::printf(" %s %d/%d/%d", x.first.c_str(), x.second[0], x.second[1], x.second[2]);
    std::printf(" (first/second/third attempt kept)\n");
    if(want("tp1"))
        print_throughput("Throughput, 1 submitting thread", tp1);
    if(want("tp2"))
        print_throughput("Throughput, 2 submitting threads", tp2);
    if(want("hog"))
        print_throughput("Throughput, 2 submitting threads beside a CPU hog", hog);
    if(want("paced"))
    {
        print_latency("Start latency of critical tasks 50 us apart, 1 worker "
            "busy with 100,000 low tasks of 1 us", paced);
        print_round_p99("Paced critical tasks", paced, critical);
    }
    if(want("prio"))
        print_latency("Start latency of a critical task behind 100,000 low tasks", prio);
    if(want("wake"))
        print_latency("Start latency of one task on an idle pool", wake);
    return 0;
}
