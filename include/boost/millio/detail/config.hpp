//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_DETAIL_CONFIG_HPP
#define BOOST_MILLIO_DETAIL_CONFIG_HPP

#include <boost/config.hpp>
#include <boost/assert.hpp>

#if defined(BOOST_NO_CXX17_IF_CONSTEXPR) || (__cplusplus < 201703L && !defined(_MSVC_LANG))
# error Boost.MillIO requires C++17
#endif

#if defined(BOOST_MILLIO_DOCS)
# define BOOST_MILLIO_DECL
#else
# if (defined(BOOST_MILLIO_DYN_LINK) || defined(BOOST_ALL_DYN_LINK)) && !defined(BOOST_MILLIO_STATIC_LINK)
#  if defined(BOOST_MILLIO_SOURCE)
#   define BOOST_MILLIO_DECL BOOST_SYMBOL_EXPORT
#  else
#   define BOOST_MILLIO_DECL BOOST_SYMBOL_IMPORT
#  endif
# endif
# ifndef BOOST_MILLIO_DECL
#  define BOOST_MILLIO_DECL
# endif
# if !defined(BOOST_MILLIO_SOURCE) && !defined(BOOST_ALL_NO_LIB) && !defined(BOOST_MILLIO_NO_LIB)
#  define BOOST_LIB_NAME boost_millio
#  if defined(BOOST_ALL_DYN_LINK) || defined(BOOST_MILLIO_DYN_LINK)
#   define BOOST_DYN_LINK
#  endif
#  include <boost/config/auto_link.hpp>
# endif
#endif

#if !defined(_WIN32)
# define BOOST_MILLIO_POSIX 1
#endif

#if defined(__linux__)
# define BOOST_MILLIO_HAS_EPOLL 1
#endif

// Windows: IOCP + \Device\Afd poll, Winsock.
#if defined(_WIN32)
# define BOOST_MILLIO_HAS_AFD 1
#endif

// A platform with no event backend fails here, with a message, rather than
// at a missing system header. Outside Windows the backends need poll(2)
// (epoll and io_uring are Linux's).
#if !defined(_WIN32) && !defined(BOOST_MILLIO_DOCS) && defined(__has_include)
# if !__has_include(<poll.h>)
#  error "Boost.MillIO has no event backend for this platform: it needs poll(2) (<poll.h>), epoll or io_uring"
# endif
#endif

/// The size of a destructive-interference region (a cache line).
#define BOOST_MILLIO_CACHELINE 64

#endif
