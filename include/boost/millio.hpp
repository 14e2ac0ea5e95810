//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_HPP
#define BOOST_MILLIO_HPP

#include <boost/millio/basic_executor.hpp>
#include <boost/millio/buffer_pool.hpp>
#include <boost/millio/compute_metrics.hpp>
#include <boost/millio/compute_pool.hpp>
#include <boost/millio/compute_pool_options.hpp>
#include <boost/millio/error.hpp>
#include <boost/millio/event.hpp>
#include <boost/millio/event_handler.hpp>
#include <boost/millio/event_loop.hpp>
#include <boost/millio/event_loop_options.hpp>
#include <boost/millio/net.hpp>
#include <boost/millio/object_pool.hpp>
#include <boost/millio/signal_set.hpp>
#include <boost/millio/task_priority.hpp>

#endif
