//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#include <boost/millio.hpp>
#include <iostream>

int main()
{
    boost::millio::error_code ec = boost::millio::error::token_in_use;
    std::cout << ec.message() << "\n";
    return ec.category().name() == std::string("boost.millio") ? 0 : 1;
}
