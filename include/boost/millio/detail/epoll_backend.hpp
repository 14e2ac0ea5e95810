//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_DETAIL_EPOLL_BACKEND_HPP
#define BOOST_MILLIO_DETAIL_EPOLL_BACKEND_HPP

#include <boost/millio/detail/backend.hpp>

#include <cstdint>
#include <vector>

#if defined(BOOST_MILLIO_HAS_EPOLL)
# include <sys/epoll.h>
# if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 35))
#  define BOOST_MILLIO_HAS_EPOLL_PWAIT2 1
# endif
#endif

namespace boost {
namespace millio {
namespace detail {

// Edge-triggered epoll; the waker is an eventfd.
#if defined(BOOST_MILLIO_HAS_EPOLL)
class epoll_backend final : public backend
{
#if defined(BOOST_MILLIO_HAS_EPOLL_PWAIT2)
    bool has_pwait2_ = true;
#endif
    int epfd_ = -1;
    int efd_ = -1;
    std::vector<epoll_event> buf_;

    static std::uint32_t to_epoll(interest i) noexcept;
    static unsigned from_epoll(std::uint32_t e) noexcept;

public:
    explicit epoll_backend(std::size_t cap);
    ~epoll_backend();

    void add(int fd, std::uint64_t key, interest i, error_code& ec) override;
    void modify(int fd, std::uint64_t key, interest i, error_code& ec) override;
    void remove(int fd, std::uint64_t key) noexcept override;
    void wait(std::vector<ready_event>& out, std::size_t cap, std::int64_t timeout_ns, error_code& ec) override;
    void wake() noexcept override;

    // The kernel reports every edge: nothing to rearm.
    bool needs_rearm() const noexcept override { return false; }
    void rearm(std::uint64_t) noexcept override {}
    void would_block(std::uint64_t, interest) noexcept override {}
};
#endif

} // detail
} // millio
} // boost

#endif
