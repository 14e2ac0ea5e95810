//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_NET_DETAIL_SOCKET_OPS_HPP
#define BOOST_MILLIO_NET_DETAIL_SOCKET_OPS_HPP

#include <boost/millio/detail/config.hpp>
#include <boost/millio/error.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstring>

#include <sys/socket.h>

namespace boost {
namespace millio {
namespace net {
namespace detail {

inline
error_code
socket_error(int e) noexcept
{
    return error_code(e, system::system_category());
}

inline
asio::ip::tcp::endpoint
to_endpoint(sockaddr_storage const& ss, socklen_t len) noexcept
{
    asio::ip::tcp::endpoint ep;
    if(len > static_cast<socklen_t>(ep.capacity()))
        return ep;
    std::memcpy(ep.data(), &ss, len);
    try
    {
        ep.resize(len);
    }
    catch(...)
    {
    }
    return ep;
}

} // detail
} // net
} // millio
} // boost

#endif
