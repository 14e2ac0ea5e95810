//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef BOOST_MILLIO_TEST_TEST_UTIL_HPP
#define BOOST_MILLIO_TEST_TEST_UTIL_HPP

#include <boost/millio/event_loop.hpp>
#include <boost/millio/event_loop_options.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <string>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

namespace test {

// A flag that one thread sets and others wait for.
class latch
{
    std::mutex m_;
    std::condition_variable cv_;
    std::size_t count_;

public:
    explicit latch(std::size_t n = 1) : count_(n) {}

    void count_down(std::size_t n = 1)
    {
        std::lock_guard<std::mutex> lk(m_);
        count_ = count_ > n ? count_ - n : 0;
        if(count_ == 0)
            cv_.notify_all();
    }

    bool try_wait()
    {
        std::lock_guard<std::mutex> lk(m_);
        return count_ == 0;
    }

    // Returns false on timeout.
    bool wait_for(std::chrono::milliseconds d)
    {
        std::unique_lock<std::mutex> lk(m_);
        return cv_.wait_for(lk, d, [this]{ return count_ == 0; });
    }
};

inline char const* backend_name(boost::millio::backend_type b)
{
    using boost::millio::backend_type;
    switch(b)
    {
    case backend_type::epoll: return "epoll";
    case backend_type::poll: return "poll";
    case backend_type::io_uring: return "io_uring";
    default: return "automatic";
    }
}

// True if a loop asking for io_uring gets it (built in, and the kernel
// allows it). Says so once in the test log when it does not.
inline bool io_uring_available()
{
    static bool const ok = []{
        boost::millio::event_loop_options o;
        o.backend = boost::millio::backend_type::io_uring;
        o.mode = boost::millio::dispatch_mode::direct;
        o.compute_threads = 1;
        boost::millio::event_loop loop(o);
        bool const got = loop.backend() == boost::millio::backend_type::io_uring;
        if(!got)
            BOOST_TEST_MESSAGE("io_uring backend unavailable (not built, or refused by the kernel): "
                "its configurations are skipped");
        return got;
    }();
    return ok;
}

struct loop_config
{
    boost::millio::backend_type backend;
    boost::millio::dispatch_mode mode;

    std::string name() const
    {
        std::string s = backend_name(backend);
        s += mode == boost::millio::dispatch_mode::pool ? "/pool" : "/direct";
        return s;
    }

    boost::millio::event_loop_options options(std::size_t threads = 2) const
    {
        boost::millio::event_loop_options o;
        o.backend = backend;
        o.mode = mode;
        o.io_threads = threads;
        o.compute_threads = 1;
        return o;
    }
};

inline std::vector<loop_config> all_configs()
{
    using namespace boost::millio;
    std::vector<loop_config> v;
#if defined(__linux__)
    v.push_back({backend_type::epoll, dispatch_mode::pool});
    v.push_back({backend_type::epoll, dispatch_mode::direct});
#endif
    v.push_back({backend_type::poll, dispatch_mode::pool});
    v.push_back({backend_type::poll, dispatch_mode::direct});
    if(io_uring_available())
    {
        v.push_back({backend_type::io_uring, dispatch_mode::pool});
        v.push_back({backend_type::io_uring, dispatch_mode::direct});
    }
    // MILLIO_TEST_CONFIGS=io_uring/pool (a substring of the names) runs
    // only the matching configurations.
    if(char const* only = std::getenv("MILLIO_TEST_CONFIGS"))
    {
        std::vector<loop_config> w;
        for(auto const& c : v)
            if(c.name().find(only) != std::string::npos)
                w.push_back(c);
        v.swap(w);
    }
    return v;
}

inline void set_nonblocking(int fd)
{
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
}

// Scale factor for heavy tests (MILLIO_TEST_SCALE, default 1.0).
inline double scale()
{
    char const* s = std::getenv("MILLIO_TEST_SCALE");
    if(!s)
        return 1.0;
    double d = std::atof(s);
    return d > 0 ? d : 1.0;
}

struct fd_guard
{
    int fd = -1;
    explicit fd_guard(int f = -1) : fd(f) {}
    ~fd_guard() { if(fd >= 0) ::close(fd); }
    fd_guard(fd_guard const&) = delete;
    fd_guard& operator=(fd_guard const&) = delete;
};

} // test

#endif
