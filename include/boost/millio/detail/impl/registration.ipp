//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_DETAIL_IMPL_REGISTRATION_IPP
#define BOOST_MILLIO_DETAIL_IMPL_REGISTRATION_IPP

#include <boost/millio/detail/registration.hpp>
#include <boost/millio/detail/except.hpp>

namespace boost {
namespace millio {
namespace detail {

registration::
registration(
    registration_owner& o,
    int fd,
    millio::token t,
    bool user,
    std::uint64_t key,
    interest i,
    std::unique_ptr<event_handler> h) noexcept
    : operation(&registration::do_complete)
    , owner_(o)
    , fd_(fd)
    , token_(t)
    , user_(user)
    , key_(key)
    , interest_(i)
    , handler_(std::move(h))
{
}

bool
registration::
run_pending()
{
    unsigned bits = pending_.exchange(0, std::memory_order_seq_cst);
    if(bits != 0)
    {
        unsigned s = state_.fetch_or(running, std::memory_order_seq_cst);
        if((s & closed) == 0)
        {
            runner_.store(std::this_thread::get_id(), std::memory_order_relaxed);
            try
            {
                handler_->handle_event(event(token_, bits));
            }
            catch(...)
            {
                owner_.report_exception(std::current_exception());
            }
            runner_.store(std::thread::id(), std::memory_order_relaxed);
        }
        s = state_.fetch_and(~running, std::memory_order_seq_cst);
        if(s & waiter)
            owner_.notify_waiters();
    }
    state_.fetch_and(~scheduled, std::memory_order_seq_cst);
    if(pending_.load(std::memory_order_seq_cst) != 0 &&
        (state_.fetch_or(scheduled, std::memory_order_seq_cst) & scheduled) == 0)
        return true;
    return false;
}

void
registration::
close(bool wait) noexcept
{
    unsigned s = state_.fetch_or(closed, std::memory_order_seq_cst);
    if(!wait || (s & running) == 0)
        return;
    if(running_in_this_thread())
        return;
    owner_.wait_not_running(state_);
}

void
registration::
do_complete(operation* op, bool destroy)
{
    auto* r = static_cast<registration*>(op);
    if(destroy)
    {
        r->release();
        return;
    }
    if(r->run_pending())
    {
        // More events arrived while the handler ran: queue again
        // (rather than loop) so that other work gets a turn.
        r->owner_.requeue(r);
        return;
    }
    if(!r->is_closed())
        r->owner_.rearm(r);
    r->release();
}

//------------------------------------------------------------------------------

registration*
registration_table::
add(registration_owner& o, int fd, millio::token t, bool user,
    interest i, std::unique_ptr<event_handler> h, error_code& ec)
{
    ec = {};
    registration* r = nullptr;
    {
        std::lock_guard<std::mutex> lk(mutex_);
        if(shut_down_)
            BOOST_MILLIO_FAIL(ec, error::shut_down);
        else if(user && users_.count(t.value()) != 0)
            BOOST_MILLIO_FAIL(ec, error::token_in_use);
        else if(fds_.count(fd) != 0)
            BOOST_MILLIO_FAIL(ec, error::source_in_use);
        else
        {
            std::uint64_t key = ++next_key_;
            r = new registration(o, fd, t, user, key, i, std::move(h));
            be_.add(fd, key, i, ec);
            if(!ec)
            {
                try
                {
                    keys_.emplace(key, r);
                    fds_.emplace(fd, r);
                    if(user)
                        users_.emplace(t.value(), r);
                    return r;
                }
                catch(...)
                {
                    keys_.erase(key);
                    fds_.erase(fd);
                    be_.remove(fd, key);
                    BOOST_MILLIO_FAIL(ec, system::errc::not_enough_memory);
                }
            }
        }
    }
    // the handler dies outside the lock
    if(r)
        r->release();
    return nullptr;
}

void
registration_table::
modify(registration* r, interest i, error_code& ec)
{
    ec = {};
    std::lock_guard<std::mutex> lk(mutex_);
    auto it = keys_.find(r->key());
    if(it == keys_.end() || it->second != r)
    {
        BOOST_MILLIO_FAIL(ec, error::not_registered);
        return;
    }
    r->set_interest(i);
    be_.modify(r->fd(), r->key(), i, ec);
}

bool
registration_table::
remove(registration* r) noexcept
{
    std::lock_guard<std::mutex> lk(mutex_);
    auto it = keys_.find(r->key());
    if(it == keys_.end())
        return false;
    keys_.erase(it);
    fds_.erase(r->fd());
    if(r->is_user())
        users_.erase(r->token().value());
    be_.remove(r->fd(), r->key());
    return true;
}

registration*
registration_table::
find_user(int fd, millio::token t) noexcept
{
    std::lock_guard<std::mutex> lk(mutex_);
    auto it = users_.find(t.value());
    if(it == users_.end() || it->second->fd() != fd)
        return nullptr;
    it->second->add_ref();
    return it->second;
}

void
registration_table::
collect(std::vector<ready_event> const& in, std::vector<operation*>& out)
{
    if(in.empty())
        return;
    std::lock_guard<std::mutex> lk(mutex_);
    for(auto const& e : in)
    {
        if(e.key == 0)
            continue;
        auto it = keys_.find(e.key);
        if(it == keys_.end())
            continue;
        registration* r = it->second;
        if(r->post_events(e.bits))
        {
            r->add_ref();
            out.push_back(r);
        }
    }
}

std::vector<registration*>
registration_table::
shutdown() noexcept
{
    std::vector<registration*> regs;
    std::lock_guard<std::mutex> lk(mutex_);
    shut_down_ = true;
    try
    {
        regs.reserve(keys_.size());
    }
    catch(...)
    {
    }
    for(auto& kv : keys_)
    {
        be_.remove(kv.second->fd(), kv.first);
        regs.push_back(kv.second);
    }
    keys_.clear();
    users_.clear();
    fds_.clear();
    return regs;
}

std::size_t
registration_table::
size() const noexcept
{
    std::lock_guard<std::mutex> lk(mutex_);
    return keys_.size();
}

} // detail
} // millio
} // boost

#endif
