//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_EVENT_HANDLER_HPP
#define BOOST_MILLIO_EVENT_HANDLER_HPP

#include <boost/millio/detail/config.hpp>
#include <boost/millio/event.hpp>
#include <memory>
#include <type_traits>
#include <utility>

namespace boost {
namespace millio {

/** Base class of readiness handlers.

    A handler registered with @ref event_loop::register_source receives
    the events of its registration. The library guarantees that one
    registration's handler is never called concurrently with itself, and
    that it is never called after @ref event_loop::deregister_source
    returned.

    Readiness is edge-triggered: a handler is called when its source
    becomes ready, and must consume the readiness (read or write until
    the operation would block) or it may not be called again for that
    readiness. Any callable `void(event const&)` can be registered
    instead of a class derived from `event_handler`.
*/
class event_handler
{
public:
    /// Destructor.
    virtual ~event_handler() = default;

    /** Called with the events of the registration.

        Exceptions thrown from this function are caught by the event loop
        and discarded; handlers should handle their own errors.
    */
    virtual void handle_event(event const& ev) = 0;
};

namespace detail {

template<class F>
class callable_handler final : public event_handler
{
    F f_;

public:
    template<class U>
    explicit callable_handler(U&& u)
        : f_(std::forward<U>(u))
    {
    }

    void handle_event(event const& ev) override
    {
        f_(ev);
    }
};

template<class H>
class shared_handler final : public event_handler
{
    std::shared_ptr<H> h_;

public:
    explicit shared_handler(std::shared_ptr<H> h) noexcept
        : h_(std::move(h))
    {
    }

    void handle_event(event const& ev) override
    {
        h_->handle_event(ev);
    }
};

template<class T>
struct is_shared_ptr : std::false_type {};
template<class T>
struct is_shared_ptr<std::shared_ptr<T>> : std::true_type {};

// Turn any accepted handler into an owned event_handler.
template<class Handler>
std::unique_ptr<event_handler>
make_event_handler(Handler&& h)
{
    using H = typename std::decay<Handler>::type;
    if constexpr(is_shared_ptr<H>::value)
    {
        using T = typename H::element_type;
        static_assert(std::is_base_of<event_handler, T>::value,
            "a shared_ptr handler must point to a class derived from event_handler");
        return std::unique_ptr<event_handler>(new shared_handler<T>(std::forward<Handler>(h)));
    }
    else if constexpr(std::is_base_of<event_handler, H>::value)
    {
        return std::unique_ptr<event_handler>(new H(std::forward<Handler>(h)));
    }
    else
    {
        static_assert(std::is_invocable<H&, event const&>::value,
            "a handler must derive from event_handler or be callable as void(event const&)");
        return std::unique_ptr<event_handler>(new callable_handler<H>(std::forward<Handler>(h)));
    }
}

} // detail

} // millio
} // boost

#endif
