//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef BOOST_MILLIO_BENCH_BENCH_UTIL_HPP
#define BOOST_MILLIO_BENCH_BENCH_UTIL_HPP

// Interleaved rounds, medians, spreads and ratio tables for the benchmarks.

#include <algorithm>
#include <cstdio>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace bench {

struct contender
{
    std::string name;
    std::function<double()> run;    // returns a rate (higher is better)
};

struct result
{
    std::string name;
    std::vector<double> samples;

    double median() const
    {
        std::vector<double> v = samples;
        std::sort(v.begin(), v.end());
        std::size_t n = v.size();
        return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }
    double min() const { return *std::min_element(samples.begin(), samples.end()); }
    double max() const { return *std::max_element(samples.begin(), samples.end()); }
};

// Runs the contenders A B C A B C ... for `rounds` rounds.
inline std::vector<result> interleave(std::vector<contender> const& cs, int rounds)
{
    std::vector<result> rs(cs.size());
    for(std::size_t i = 0; i < cs.size(); ++i)
        rs[i].name = cs[i].name;
    for(int r = 0; r < rounds; ++r)
        for(std::size_t i = 0; i < cs.size(); ++i)
            rs[i].samples.push_back(cs[i].run());
    return rs;
}

// Prints one table; ratios are against every contender whose name is in `peers`.
inline void print_table(
    std::string const& title,
    std::string const& unit,
    std::vector<result> const& rs,
    std::vector<std::string> const& peers)
{
    std::printf("\n%s\n", title.c_str());
    std::printf("  %-28s %14s %24s", "contender", ("median " + unit).c_str(), "spread (min - max)");
    for(auto const& p : peers)
        std::printf("  %12s", ("vs " + p).c_str());
    std::printf("\n");
    std::map<std::string, double> med;
    for(auto const& r : rs)
        med[r.name] = r.median();
    for(auto const& r : rs)
    {
        std::printf("  %-28s %14.0f %11.0f - %-11.0f", r.name.c_str(), r.median(), r.min(), r.max());
        for(auto const& p : peers)
            std::printf("  %11.2fx", r.median() / med[p]);
        std::printf("\n");
    }
    std::fflush(stdout);
}

} // bench

#endif
