//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_DETAIL_REGISTRATION_HPP
#define BOOST_MILLIO_DETAIL_REGISTRATION_HPP

#include <boost/millio/detail/config.hpp>
#include <boost/millio/detail/backend.hpp>
#include <boost/millio/detail/operation.hpp>
#include <boost/millio/error.hpp>
#include <boost/millio/event.hpp>
#include <boost/millio/event_handler.hpp>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

namespace boost {
namespace millio {
namespace detail {

class registration;

// What a registration needs from the loop that owns it.
class registration_owner
{
public:
    // Queue `r` again: events arrived while its handler ran.
    virtual void requeue(registration* r) noexcept = 0;
    // The handler of `r` finished and `r` is open (one-shot backends).
    virtual void rearm(registration* r) noexcept = 0;
    virtual void report_exception(std::exception_ptr) noexcept = 0;
    // Wake the threads waiting for some handler to finish.
    virtual void notify_waiters() noexcept = 0;
    // Wait until `running` is clear in `state`.
    virtual void wait_not_running(std::atomic<unsigned>& state) noexcept = 0;

protected:
    ~registration_owner() = default;
};

// One source registered with the reactor. Registrations are reference
// counted: the registration table holds one reference and every queued
// dispatch holds one more. The handler object is destroyed with the
// last reference, on whichever thread drops it, never under a lock of
// the library.
class registration final : public operation
{
public:
    enum : unsigned
    {
        scheduled = 1,  // queued or being run by a worker
        running = 2,    // the handler is executing
        closed = 4,     // deregistered: never call the handler again
        waiter = 8      // a thread waits for `running` to clear
    };

    registration(
        registration_owner& o,
        int fd,
        millio::token t,
        bool user,
        std::uint64_t key,
        interest i,
        std::unique_ptr<event_handler> h) noexcept;

    void add_ref() noexcept
    {
        refs_.fetch_add(1, std::memory_order_relaxed);
    }

    void release() noexcept
    {
        if(refs_.fetch_sub(1, std::memory_order_acq_rel) == 1)
            delete this;
    }

    int fd() const noexcept { return fd_; }
    millio::token token() const noexcept { return token_; }
    bool is_user() const noexcept { return user_; }
    std::uint64_t key() const noexcept { return key_; }
    interest get_interest() const noexcept { return interest_.load(std::memory_order_relaxed); }
    void set_interest(interest i) noexcept { interest_.store(i, std::memory_order_relaxed); }

    // Called when readiness `bits` was seen. Returns true if the
    // registration must be queued (the caller then owns one added
    // reference for the queue).
    bool
    post_events(unsigned bits) noexcept
    {
        pending_.fetch_or(bits, std::memory_order_seq_cst);
        return (state_.fetch_or(scheduled, std::memory_order_seq_cst) & scheduled) == 0;
    }

    // Run the handler with all pending events. Returns true if more
    // events arrived meanwhile and the registration stays scheduled (the
    // caller re-queues it).
    bool run_pending();

    // Mark closed: the handler is not called again. With `wait`, also
    // wait until a running invocation has returned, unless the caller is
    // the thread running it.
    void close(bool wait) noexcept;

    bool is_closed() const noexcept
    {
        return (state_.load(std::memory_order_acquire) & closed) != 0;
    }

    // True while the calling thread runs this registration's handler.
    bool running_in_this_thread() const noexcept
    {
        return runner_.load(std::memory_order_relaxed) == std::this_thread::get_id();
    }

private:
    ~registration() = default;
    static void do_complete(operation* op, bool destroy);

    registration_owner& owner_;
    int fd_;
    millio::token token_;
    bool user_;
    std::uint64_t key_;
    std::atomic<interest> interest_;
    std::unique_ptr<event_handler> handler_;
    std::atomic<int> refs_{1};
    std::atomic<unsigned> pending_{0};
    std::atomic<unsigned> state_{0};
    std::atomic<std::thread::id> runner_{};
};

/*  The registrations of one loop, by internal key (never reused), by
    descriptor and, for user registrations, by token. Lookups and changes
    to the backend's interest list happen under one mutex, so that a
    change never reaches a descriptor whose registration was removed
    (and which may have been reused since).
*/
class registration_table
{
public:
    explicit registration_table(backend& be) noexcept
        : be_(be)
    {
    }

    // Adds a registration. On success the table holds the returned
    // pointer's reference; on failure the handler is destroyed after the
    // table's mutex was released.
    registration*
    add(registration_owner& o, int fd, millio::token t, bool user,
        interest i, std::unique_ptr<event_handler> h, error_code& ec);

    // Changes the interest of `r` if it is still registered.
    void modify(registration* r, interest i, error_code& ec);

    // Removes `r` from the table and the backend. Returns false if it was
    // not registered. The caller then closes it and drops the table's
    // reference.
    bool remove(registration* r) noexcept;

    // The user registration of `t` for `fd`, with an added reference, or
    // nullptr.
    registration* find_user(int fd, millio::token t) noexcept;

    // Looks up the registrations of ready events; those that must be
    // dispatched are appended to `out` with a reference each.
    void collect(std::vector<ready_event> const& in, std::vector<operation*>& out);

    // Removes every registration from the backend and returns them, with
    // the table's reference each; later adds fail with error::shut_down.
    std::vector<registration*> shutdown() noexcept;

    std::size_t size() const noexcept;

private:
    backend& be_;
    mutable std::mutex mutex_;
    std::unordered_map<std::size_t, registration*> users_;
    std::unordered_map<std::uint64_t, registration*> keys_;
    std::unordered_map<int, registration*> fds_;
    std::uint64_t next_key_ = 0;
    bool shut_down_ = false;
};

} // detail
} // millio
} // boost

#endif
