//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_SRC_HPP
#define BOOST_MILLIO_SRC_HPP

/*
    This file is meant to be included once, in a translation unit of the
    program, with the macro BOOST_MILLIO_SOURCE defined. It lets a program
    use the library without building and linking it.
*/

#ifndef BOOST_MILLIO_SOURCE
#define BOOST_MILLIO_SOURCE
#endif

#include <boost/millio/detail/config.hpp>

#include <boost/millio/detail/impl/task.ipp>
#include <boost/millio/impl/compute_metrics.ipp>
#include <boost/millio/impl/compute_pool.ipp>
#include <boost/millio/impl/error.ipp>
#include <boost/millio/detail/impl/pool_core.ipp>
#include <boost/millio/impl/buffer_pool.ipp>
#include <boost/millio/impl/event_loop.ipp>
#include <boost/millio/impl/signal_set.ipp>
#include <boost/millio/net/detail/impl/connection.ipp>
#include <boost/millio/net/impl/tcp_client.ipp>
#include <boost/millio/net/impl/tcp_client_config.ipp>
#include <boost/millio/net/impl/tcp_server.ipp>
#include <boost/millio/net/impl/tcp_server_config.ipp>

#endif
