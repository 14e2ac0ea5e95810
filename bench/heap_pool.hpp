//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_BENCH_HEAP_POOL_HPP
#define BOOST_MILLIO_BENCH_HEAP_POOL_HPP

// The seed's compute pool design, as a benchmark peer: one mutex around a
// binary heap of boxed tasks, and a condition variable to wake workers.
// A sequence number keeps FIFO order within a priority.

#include <boost/millio/task_priority.hpp>

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <queue>
#include <thread>
#include <vector>

namespace bench {

class heap_pool
{
    struct entry
    {
        int prio;
        std::uint64_t seq;
        std::function<void()> f;

        bool
        operator<(entry const& o) const noexcept
        {
            // std::priority_queue pops the greatest element.
            if(prio != o.prio)
                return prio < o.prio;
            return seq > o.seq;
        }
    };

    std::mutex m_;
    std::condition_variable cv_;
    std::priority_queue<entry> heap_;
    std::uint64_t seq_ = 0;
    bool stop_ = false;
    std::vector<std::thread> threads_;

    void
    run()
    {
        for(;;)
        {
            std::function<void()> f;
            {
                std::unique_lock<std::mutex> lock(m_);
                cv_.wait(lock, [this]{ return stop_ || ! heap_.empty(); });
                if(heap_.empty())
                    return;
                f = std::move(const_cast<entry&>(heap_.top()).f);
                heap_.pop();
            }
            f();
        }
    }

public:
    explicit
    heap_pool(std::size_t n)
    {
        for(std::size_t i = 0; i < n; ++i)
            threads_.emplace_back([this]{ run(); });
    }

    ~heap_pool()
    {
        {
            std::lock_guard<std::mutex> lock(m_);
            stop_ = true;
        }
        cv_.notify_all();
        for(auto& t : threads_)
            t.join();
    }

    template<class F>
    void
    post(F&& f, boost::millio::task_priority p)
    {
        {
            std::lock_guard<std::mutex> lock(m_);
            heap_.push(entry{static_cast<int>(p), seq_++,
                std::function<void()>(std::forward<F>(f))});
        }
        cv_.notify_one();
    }
};

} // bench

#endif
