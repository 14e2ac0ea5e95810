//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_DETAIL_WIN32_HPP
#define BOOST_MILLIO_DETAIL_WIN32_HPP

#include <boost/millio/detail/config.hpp>
#include <boost/millio/error.hpp>

#if defined(_WIN32)

#ifndef WIN32_LEAN_AND_MEAN
# define WIN32_LEAN_AND_MEAN
#endif
#ifndef NOMINMAX
# define NOMINMAX
#endif
#include <winsock2.h>
#include <ws2tcpip.h>
#include <mswsock.h>
#include <windows.h>

#include <cstdint>

namespace boost {
namespace millio {
namespace detail {

/*  What differs on Windows, for the rest of the library.

    Sources are Winsock SOCKETs. The library's descriptor type stays an
    int: a SOCKET is a kernel handle, and Windows guarantees that handle
    values fit in 32 bits (they are sign-extended when widened, so that
    INVALID_SOCKET becomes -1 and back).
*/

using native_socket = SOCKET;

inline
SOCKET
to_socket(int fd) noexcept
{
    return static_cast<SOCKET>(static_cast<std::intptr_t>(fd));
}

inline
int
from_socket(SOCKET s) noexcept
{
    return static_cast<int>(static_cast<std::intptr_t>(s));
}

// A Win32 or Winsock error code. Boost.System's system category maps
// them to the portable conditions (WSAEWOULDBLOCK compares equal to
// errc::operation_would_block, and so on).
inline
void
assign_win32(error_code& ec, unsigned long e) noexcept
{
    ec.assign(static_cast<int>(e), system::system_category());
}

inline
void
assign_last_wsa_error(error_code& ec) noexcept
{
    assign_win32(ec, static_cast<unsigned long>(::WSAGetLastError()));
}

// Winsock is started once per process, by the first loop or socket of
// the library, and cleaned up at exit.
class winsock_init
{
    int result_;

public:
    winsock_init() noexcept
    {
        WSADATA d;
        result_ = ::WSAStartup(MAKEWORD(2, 2), &d);
    }

    ~winsock_init()
    {
        if(result_ == 0)
            ::WSACleanup();
    }

    winsock_init(winsock_init const&) = delete;
    winsock_init& operator=(winsock_init const&) = delete;

    // The error of WSAStartup, or 0.
    int result() const noexcept { return result_; }

    static winsock_init const& instance() noexcept
    {
        static winsock_init const w;
        return w;
    }
};

} // detail
} // millio
} // boost

#endif

#endif
