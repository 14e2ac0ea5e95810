//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_IMPL_ERROR_IPP
#define BOOST_MILLIO_IMPL_ERROR_IPP

#include <boost/millio/error.hpp>

namespace boost {
namespace millio {

namespace detail {

class BOOST_SYMBOL_VISIBLE millio_error_category final
    : public system::error_category
{
public:
    // A unique identifier, so that copies of the category in
    // different shared objects compare equal.
    BOOST_SYSTEM_CONSTEXPR
    millio_error_category() noexcept
        : system::error_category(0x6d696c6c696f3031ULL)
    {
    }

    char const*
    name() const noexcept override
    {
        return "boost.millio";
    }

    char const*
    message(int ev, char*, std::size_t) const noexcept override
    {
        switch(static_cast<error>(ev))
        {
        case error::token_in_use: return "token already registered";
        case error::not_registered: return "token not registered";
        case error::invalid_argument: return "invalid argument";
        case error::already_running: return "already running";
        case error::shut_down: return "shut down";
        case error::queue_full: return "queue full";
        case error::send_queue_full: return "send queue above high-water mark";
        case error::unknown_connection: return "unknown connection";
        case error::connection_limit: return "connection limit reached";
        case error::not_connected: return "not connected";
        case error::already_started: return "already started";
        case error::handler_exception: return "handler threw an exception";
        case error::idle_timeout: return "idle timeout";
        case error::timer_not_pending: return "timer not pending";
        case error::close_timeout: return "close timeout";
        case error::write_timeout: return "write timeout";
        case error::source_in_use: return "descriptor already registered";
        case error::signal_in_use: return "signal handled by another signal set";
        }
        return "unknown boost.millio error";
    }

    // The portable condition of each value that has one, so that
    // error::invalid_argument == errc::invalid_argument, and so on.
    system::error_condition
    default_error_condition(int ev) const noexcept override
    {
        using system::errc::make_error_condition;
        namespace errc = system::errc;
        switch(static_cast<error>(ev))
        {
        case error::token_in_use:
        case error::source_in_use:
            return make_error_condition(errc::file_exists);
        case error::not_registered:
            return make_error_condition(errc::no_such_file_or_directory);
        case error::invalid_argument:
            return make_error_condition(errc::invalid_argument);
        case error::queue_full:
        case error::send_queue_full:
            return make_error_condition(errc::resource_unavailable_try_again);
        case error::not_connected:
            return make_error_condition(errc::not_connected);
        case error::idle_timeout:
        case error::close_timeout:
        case error::write_timeout:
            return make_error_condition(errc::timed_out);
        case error::signal_in_use:
            return make_error_condition(errc::device_or_resource_busy);
        default:
            break;
        }
        return system::error_condition(ev, *this);
    }

    std::string
    message(int ev) const override
    {
        return message(ev, nullptr, 0);
    }
};

} // detail

system::error_category const&
millio_category() noexcept
{
    static detail::millio_error_category const cat;
    return cat;
}

error_code
make_error_code(error e) noexcept
{
    return error_code(static_cast<int>(e), millio_category());
}

} // millio
} // boost

#endif
