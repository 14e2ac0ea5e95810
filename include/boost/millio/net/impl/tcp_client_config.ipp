//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_NET_IMPL_TCP_CLIENT_CONFIG_IPP
#define BOOST_MILLIO_NET_IMPL_TCP_CLIENT_CONFIG_IPP

#include <boost/millio/net/tcp_client_config.hpp>
#include <boost/millio/detail/except.hpp>

namespace boost {
namespace millio {
namespace net {

void
tcp_client_config::
validate(error_code& ec) const noexcept
{
    ec = {};
    if(buffer_size == 0 || write_high_water_mark == 0 ||
        write_low_water_mark >= write_high_water_mark ||
        connect_timeout.count() < 0 || close_timeout.count() < 0 ||
        write_timeout.count() < 0)
        BOOST_MILLIO_FAIL(ec, error::invalid_argument);
}

void
tcp_client_config::
validate() const
{
    error_code ec;
    validate(ec);
    millio::detail::throw_if(ec);
}

} // net
} // millio
} // boost

#endif
