//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_COMPUTE_POOL_OPTIONS_HPP
#define BOOST_MILLIO_COMPUTE_POOL_OPTIONS_HPP

#include <boost/millio/detail/config.hpp>
#include <cstddef>

namespace boost {
namespace millio {

/** Options for constructing a @ref compute_pool.

    An aggregate like @ref event_loop_options; set the members to
    change and keep the defaults of the others. Every value is valid.

    @par Example
    @snippet doc_reference.cpp ref_compute_pool_options
*/
struct compute_pool_options
{
    /** Number of worker threads; 0 means hardware threads (4 if unknown).

        The same rule as `event_loop_options::compute_threads`, which
        sizes the compute pool of an @ref event_loop.
    */
    std::size_t threads = 0;
};

} // millio
} // boost

#endif
