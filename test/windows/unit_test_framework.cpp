//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// The cross build for Windows has no compiled Boost.Test: this file
// holds the framework and main() in their header-only form, linked with
// each test program (whose own file defines BOOST_TEST_MODULE).
#include <boost/test/included/unit_test.hpp>
