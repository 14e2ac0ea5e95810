//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef BOOST_MILLIO_IMPL_EVENT_LOOP_IPP
#define BOOST_MILLIO_IMPL_EVENT_LOOP_IPP

#include <boost/millio/event_loop.hpp>
#include <boost/millio/detail/impl/reactor.ipp>

namespace boost {
namespace millio {

namespace detail {

inline
event_loop_options
make_options(
    std::size_t workers,
    std::size_t events_capacity,
    std::chrono::milliseconds poll_timeout)
{
    // 0 io workers means hardware threads, as in event_loop_options;
    // a capacity of 0 is refused by the reactor.
    event_loop_options opt;
    opt.io_threads = workers;
    opt.events_capacity = events_capacity;
    opt.poll_timeout = poll_timeout;
    return opt;
}

} // detail

event_loop::
event_loop()
    : impl_(event_loop_options())
{
}

event_loop::
event_loop(
    std::size_t workers,
    std::size_t events_capacity,
    std::chrono::milliseconds poll_timeout)
    : impl_(detail::make_options(workers, events_capacity, poll_timeout))
{
}

event_loop::
event_loop(event_loop_options const& opt)
    : impl_(opt)
{
}

event_loop_options
event_loop::
low_latency_options(
    std::size_t events_capacity,
    std::chrono::milliseconds poll_timeout)
{
    event_loop_options opt;
    opt.mode = dispatch_mode::direct;
    opt.events_capacity = events_capacity;
    opt.poll_timeout = poll_timeout;
    return opt;
}

event_loop::
~event_loop()
{
    // Asio's order: stop and join the io workers; destroy, without
    // running it, every pending handler, timer and task while everything
    // they may reference still exists; join the compute pool (its tasks
    // may use the loop's services; what they submit to the loop is
    // destroyed at once); then the services; the reactor and the pool
    // themselves go with the members.
    impl_.shutdown();
    impl_.destroy_pending();
    if(compute_)
        compute_->join();
    shutdown();
    destroy();
}

void
event_loop::
run(error_code& ec)
{
    impl_.run(ec);
}

void
event_loop::
run()
{
    error_code ec;
    impl_.run(ec);
    detail::throw_if(ec);
}

std::size_t
event_loop::
poll(error_code& ec)
{
    return impl_.poll(ec);
}

std::size_t
event_loop::
poll()
{
    error_code ec;
    auto n = impl_.poll(ec);
    detail::throw_if(ec);
    return n;
}

void
event_loop::
stop() noexcept
{
    impl_.stop();
}

bool
event_loop::
stopped() const noexcept
{
    return impl_.stopped();
}

bool
event_loop::
running_in_this_thread() const noexcept
{
    return impl_.running_in_this_thread();
}

compute_pool&
event_loop::
compute()
{
    std::call_once(compute_once_, [this] {
        std::size_t n = impl_.options().compute_threads;
        compute_.reset(new compute_pool(n));
        compute_stats_.store(
            detail::access::stats(compute_->metrics()),
            std::memory_order_release);
    });
    return *compute_;
}

compute_metrics
event_loop::
get_compute_metrics() const noexcept
{
    return detail::access::construct<compute_metrics>(&compute_stats_);
}

void
event_loop::
set_exception_handler(std::function<void(std::exception_ptr)> f)
{
    impl_.set_exception_handler(std::move(f));
}

} // millio
} // boost

#endif
