//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_BENCH_SKETCH_POOL_HPP
#define BOOST_MILLIO_BENCH_SKETCH_POOL_HPP

// A plain sketch of a prioritised pool, as a benchmark peer: one
// Boost.Lockfree queue per priority polled from critical down to low,
// 64-byte nodes from a Boost.Pool behind a Boost.Lockfree free list, and
// idle workers that poll for about 2 microseconds and then sleep on a
// futex (Linux) or yield.

#include <boost/millio/task_priority.hpp>
#include <boost/lockfree/queue.hpp>
#include <boost/lockfree/stack.hpp>
#include <boost/pool/pool.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <new>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#if defined(__linux__)
# include <linux/futex.h>
# include <sys/syscall.h>
# include <unistd.h>
#endif

namespace bench {

class sketch_pool
{
    struct node
    {
        void (*call)(node*);
        sketch_pool* owner;
        alignas(16) unsigned char buf[48];
    };
    static_assert(sizeof(node) == 64, "");

    boost::lockfree::queue<node*> q_[4] = {
        boost::lockfree::queue<node*>(256), boost::lockfree::queue<node*>(256),
        boost::lockfree::queue<node*>(256), boost::lockfree::queue<node*>(256)};
    boost::lockfree::stack<node*> free_{1024};
    std::mutex pool_mutex_;
    boost::pool<> pool_{sizeof(node), 1024};
    std::atomic<std::uint32_t> seq_{0};
    std::atomic<std::uint32_t> sleepers_{0};
    std::atomic<bool> stop_{false};
    std::vector<std::thread> threads_;

    node*
    get()
    {
        node* n;
        if(free_.pop(n))
            return n;
        std::lock_guard<std::mutex> lock(pool_mutex_);
        void* p = pool_.malloc();
        if(! p)
            throw std::bad_alloc();
        return static_cast<node*>(p);
    }

    void
    put(node* n)
    {
        free_.push(n);
    }

    void
    futex_wait(std::uint32_t v)
    {
#if defined(__linux__)
        ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&seq_),
            FUTEX_WAIT_PRIVATE, v, nullptr, nullptr, 0);
#else
        (void)v;
        std::this_thread::yield();
#endif
    }

    void
    futex_wake()
    {
#if defined(__linux__)
        ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&seq_),
            FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0);
#endif
    }

    node*
    take()
    {
        node* n;
        for(int i = 4; i-- > 0;)
            if(q_[i].pop(n))
                return n;
        return nullptr;
    }

    void
    run()
    {
        for(;;)
        {
            if(node* n = take())
            {
                n->call(n);
                continue;
            }
            auto const t0 = std::chrono::steady_clock::now();
            bool found = false;
            while(std::chrono::steady_clock::now() - t0 < std::chrono::microseconds(2))
            {
                if(node* n = take())
                {
                    n->call(n);
                    found = true;
                    break;
                }
            }
            if(found)
                continue;
            std::uint32_t const v = seq_.load(std::memory_order_seq_cst);
            sleepers_.fetch_add(1, std::memory_order_seq_cst);
            if(node* n = take())
            {
                sleepers_.fetch_sub(1);
                n->call(n);
                continue;
            }
            if(stop_.load())
            {
                sleepers_.fetch_sub(1);
                return;
            }
            futex_wait(v);
            sleepers_.fetch_sub(1);
        }
    }

public:
    explicit
    sketch_pool(std::size_t n)
    {
        for(std::size_t i = 0; i < n; ++i)
            threads_.emplace_back([this]{ run(); });
    }

    ~sketch_pool()
    {
        stop_.store(true);
        seq_.fetch_add(1);
#if defined(__linux__)
        ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&seq_),
            FUTEX_WAKE_PRIVATE, 1 << 30, nullptr, nullptr, 0);
#endif
        for(auto& t : threads_)
            t.join();
    }

    template<class F>
    void
    post(F&& f, boost::millio::task_priority p)
    {
        using D = typename std::decay<F>::type;
        static_assert(sizeof(D) <= 48 && alignof(D) <= 16, "small callables only");
        node* n = get();
        ::new(static_cast<void*>(n->buf)) D(std::forward<F>(f));
        n->owner = this;
        n->call = [](node* m)
        {
            D* d = std::launder(reinterpret_cast<D*>(m->buf));
            D tmp(std::move(*d));
            d->~D();
            m->owner->put(m);
            tmp();
        };
        q_[static_cast<int>(p)].push(n);
        std::atomic_thread_fence(std::memory_order_seq_cst);
        if(sleepers_.load(std::memory_order_relaxed) != 0)
        {
            seq_.fetch_add(1, std::memory_order_seq_cst);
            futex_wake();
        }
    }
};

} // bench

#endif
