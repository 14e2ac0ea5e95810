//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef BOOST_MILLIO_TEST_TEST_UTIL_HPP
#define BOOST_MILLIO_TEST_TEST_UTIL_HPP

#include <boost/millio/event_loop.hpp>
#include <boost/millio/event_loop_options.hpp>
#include <boost/test/unit_test.hpp>
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#if defined(_WIN32)
# include <winsock2.h>
# include <ws2tcpip.h>
# include <windows.h>
# include <psapi.h>
#else
# include <fcntl.h>
# include <sys/socket.h>
# include <unistd.h>
#endif

// A test that cannot apply on this platform: registered disabled, with
// the reason as its description, so that the report lists it as skipped
// (and --list_content shows why).
#define MILLIO_TEST_NOT_ON_THIS_PLATFORM(name, reason) \
    BOOST_AUTO_TEST_CASE(name, *boost::unit_test::disabled() \
        * boost::unit_test::description("not on this platform: " reason)) \
    { \
        BOOST_TEST_MESSAGE(#name " does not apply on this platform: " reason); \
    }

// A test that cannot run under Wine: skipped there (its precondition
// fails, with the reason), run everywhere else, Windows included.
#define MILLIO_TEST_NOT_UNDER_WINE(reason) \
    boost::unit_test::precondition([](boost::unit_test::test_unit_id) { \
        boost::test_tools::assertion_result r(!test::under_wine()); \
        r.message() << "not under Wine: " << reason; \
        return r; \
    })

// Defined under AddressSanitizer or ThreadSanitizer, which keep freed
// memory on purpose and slow every wake-up: the tests that bound a
// resident set or a latency say so.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
# define MILLIO_TEST_SANITIZED 1
#elif defined(__has_feature)
# if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#  define MILLIO_TEST_SANITIZED 1
# endif
#endif

namespace test {

// A flag that one thread sets and others wait for.
class latch
{
    std::mutex m_;
    std::condition_variable cv_;
    std::size_t count_;

public:
    explicit latch(std::size_t n = 1) : count_(n) {}

    void count_down(std::size_t n = 1)
    {
        std::lock_guard<std::mutex> lk(m_);
        count_ = count_ > n ? count_ - n : 0;
        if(count_ == 0)
            cv_.notify_all();
    }

    bool try_wait()
    {
        std::lock_guard<std::mutex> lk(m_);
        return count_ == 0;
    }

    // Returns false on timeout.
    bool wait_for(std::chrono::milliseconds d)
    {
        std::unique_lock<std::mutex> lk(m_);
        return cv_.wait_for(lk, d, [this]{ return count_ == 0; });
    }
};

inline char const* backend_name(boost::millio::backend_type b)
{
    using boost::millio::backend_type;
    switch(b)
    {
    case backend_type::epoll: return "epoll";
    case backend_type::poll: return "poll";
    case backend_type::io_uring: return "io_uring";
    case backend_type::afd: return "afd";
    default: return "automatic";
    }
}

// True if a loop asking for io_uring gets it (built in, and the kernel
// allows it). Says so once in the test log when it does not.
inline bool io_uring_available()
{
    static bool const ok = []{
        boost::millio::event_loop_options o;
        o.backend = boost::millio::backend_type::io_uring;
        o.mode = boost::millio::dispatch_mode::direct;
        o.compute_threads = 1;
        boost::millio::event_loop loop(o);
        bool const got = loop.backend() == boost::millio::backend_type::io_uring;
        if(!got)
            BOOST_TEST_MESSAGE("io_uring backend unavailable (not built, or refused by the kernel): "
                "its configurations are skipped");
        return got;
    }();
    return ok;
}

struct loop_config
{
    boost::millio::backend_type backend;
    boost::millio::dispatch_mode mode;

    std::string name() const
    {
        std::string s = backend_name(backend);
        s += mode == boost::millio::dispatch_mode::pool ? "/pool" : "/direct";
        return s;
    }

    boost::millio::event_loop_options options(std::size_t threads = 2) const
    {
        boost::millio::event_loop_options o;
        o.backend = backend;
        o.mode = mode;
        o.io_threads = threads;
        o.compute_threads = 1;
        return o;
    }
};

// Shown as the sample of a data test case ("cfg = epoll/pool").
inline std::ostream& operator<<(std::ostream& os, loop_config const& c)
{
    return os << c.name();
}

// Every backend x dispatch-mode combination of this platform, in a fixed
// order: the samples of the data test cases (configs_dataset), named _0,
// _1, ... in this order. On Linux: epoll/pool, epoll/direct, poll/pool,
// poll/direct, io_uring/pool, io_uring/direct. Whether io_uring is
// usable is known only at run time (see config_enabled).
inline std::vector<loop_config> const& platform_configs()
{
    using namespace boost::millio;
    static std::vector<loop_config> const v = []{
        std::vector<loop_config> w;
#if defined(_WIN32)
        w.push_back({backend_type::afd, dispatch_mode::pool});
        w.push_back({backend_type::afd, dispatch_mode::direct});
#else
#if defined(__linux__)
        w.push_back({backend_type::epoll, dispatch_mode::pool});
        w.push_back({backend_type::epoll, dispatch_mode::direct});
#endif
        w.push_back({backend_type::poll, dispatch_mode::pool});
        w.push_back({backend_type::poll, dispatch_mode::direct});
#if defined(__linux__)
        w.push_back({backend_type::io_uring, dispatch_mode::pool});
        w.push_back({backend_type::io_uring, dispatch_mode::direct});
#endif
#endif
        return w;
    }();
    return v;
}

// True if MILLIO_TEST_CONFIGS (a substring of the names, such as
// "io_uring/pool" or "direct") selects the configuration, or is not set.
inline bool config_selected(loop_config const& c)
{
    char const* only = std::getenv("MILLIO_TEST_CONFIGS");
    return !only || c.name().find(only) != std::string::npos;
}

// The configurations to test: selected, and usable here.
inline std::vector<loop_config> all_configs()
{
    std::vector<loop_config> v;
    for(auto const& c : platform_configs())
        if(config_selected(c) &&
            (c.backend != boost::millio::backend_type::io_uring || io_uring_available()))
            v.push_back(c);
    return v;
}

// The configurations of one dispatch mode (all of them if none is given).
inline std::vector<loop_config> platform_configs(std::optional<boost::millio::dispatch_mode> mode)
{
    std::vector<loop_config> v;
    for(auto const& c : platform_configs())
        if(!mode || c.mode == *mode)
            v.push_back(c);
    return v;
}

// The data set of the test cases run once per configuration:
//
//     BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(60))
//     BOOST_DATA_TEST_CASE(name, test::configs_dataset(), cfg)
//
// Each configuration is its own test case (suite/name/_0, _1, ... in the
// order of platform_configs), reported on its own and runnable alone:
// `--run_test=suite/name/_3`. The list is the same on every run of a
// platform; the ones that cannot run (io_uring refused by the kernel)
// or that MILLIO_TEST_CONFIGS leaves out are reported as skipped, with
// the reason, by the precondition if_config_enabled.
//
// With a mode, only the configurations of that mode (numbered among
// themselves); the precondition must be given the same mode. With a
// list (some of platform_configs(), the same on every run), only those;
// the precondition must be given the same list.
inline auto configs_dataset(std::optional<boost::millio::dispatch_mode> mode = std::nullopt)
{
    return boost::unit_test::data::make(platform_configs(mode));
}

// (The data set holds the list: a vector given by reference would be
// held by reference.)
inline auto configs_dataset(std::vector<loop_config> configs)
{
    return boost::unit_test::data::make(std::move(configs));
}

// The precondition of a data test case over configs_dataset(configs):
// finds the configuration of the test case from its name (_<index>) and
// skips it if it is not selected or not usable.
struct config_enabled
{
    std::vector<loop_config> configs;

    boost::test_tools::assertion_result operator()(boost::unit_test::test_unit_id id) const
    {
        std::string const name =
            boost::unit_test::framework::get(id, boost::unit_test::TUT_ANY).p_name;
        auto const& v = configs;
        std::size_t const i = name.size() > 1 && name[0] == '_'
            ? static_cast<std::size_t>(std::strtoul(name.c_str() + 1, nullptr, 10)) : v.size();
        if(i >= v.size())
            return true; // not a sample of configs_dataset
        boost::test_tools::assertion_result r(true);
        if(!config_selected(v[i]))
        {
            r = false;
            r.message() << v[i].name() << " is not selected by MILLIO_TEST_CONFIGS";
        }
        else if(v[i].backend == boost::millio::backend_type::io_uring && !io_uring_available())
        {
            r = false;
            r.message() << v[i].name() << ": io_uring backend unavailable (not built, "
                "or refused by the kernel)";
        }
        return r;
    }
};

inline boost::unit_test::decorator::precondition
if_config_enabled(std::optional<boost::millio::dispatch_mode> mode = std::nullopt)
{
    return boost::unit_test::decorator::precondition(config_enabled{platform_configs(mode)});
}

inline boost::unit_test::decorator::precondition
if_config_enabled(std::vector<loop_config> configs)
{
    return boost::unit_test::decorator::precondition(config_enabled{std::move(configs)});
}

// The precondition of a test that runs on one configuration, the first
// of all_configs(): skipped, with the reason, when MILLIO_TEST_CONFIGS
// selects no configuration usable here (the list is then empty).
inline boost::unit_test::decorator::precondition
if_any_config()
{
    return boost::unit_test::decorator::precondition(
        [](boost::unit_test::test_unit_id) {
            boost::test_tools::assertion_result r(!all_configs().empty());
            if(!r)
                r.message() << "MILLIO_TEST_CONFIGS selects no configuration usable here";
            return r;
        });
}

#if defined(_WIN32)
// A socket as the library's descriptor (handle values fit in an int).
inline SOCKET to_socket(int fd)
{
    return static_cast<SOCKET>(static_cast<std::intptr_t>(fd));
}
#endif

inline void set_nonblocking(int fd)
{
#if defined(_WIN32)
    u_long on = 1;
    ::ioctlsocket(to_socket(fd), FIONBIO, &on);
#else
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
#endif
}

inline void close_fd(int fd)
{
#if defined(_WIN32)
    ::closesocket(to_socket(fd));
#else
    ::close(fd);
#endif
}

// write(2) and read(2) on a stream socket (or a pipe on POSIX): the
// number of bytes, or -1.
inline long write_fd(int fd, void const* p, std::size_t n)
{
#if defined(_WIN32)
    return ::send(to_socket(fd), static_cast<char const*>(p), static_cast<int>(n), 0);
#else
    return static_cast<long>(::write(fd, p, n));
#endif
}

inline long read_fd(int fd, void* p, std::size_t n)
{
#if defined(_WIN32)
    return ::recv(to_socket(fd), static_cast<char*>(p), static_cast<int>(n), 0);
#else
    return static_cast<long>(::read(fd, p, n));
#endif
}

// A connected pair of stream sockets: socketpair(2) on POSIX, a
// loopback TCP connection on Windows (which has no socketpair). Both
// ends blocking. Returns false on failure.
inline bool socket_pair(int sv[2])
{
#if defined(_WIN32)
    sv[0] = sv[1] = -1;
    static bool const started = []{
        WSADATA d;
        return ::WSAStartup(MAKEWORD(2, 2), &d) == 0;
    }();
    if(!started)
        return false;
    SOCKET l = ::socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    if(l == INVALID_SOCKET)
        return false;
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int len = sizeof(a);
    SOCKET c = INVALID_SOCKET;
    SOCKET s = INVALID_SOCKET;
    bool ok = ::bind(l, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0 &&
        ::listen(l, 1) == 0 &&
        ::getsockname(l, reinterpret_cast<sockaddr*>(&a), &len) == 0;
    if(ok)
    {
        c = ::socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
        ok = c != INVALID_SOCKET &&
            ::connect(c, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0;
    }
    if(ok)
    {
        s = ::accept(l, nullptr, nullptr);
        ok = s != INVALID_SOCKET;
    }
    ::closesocket(l);
    if(!ok)
    {
        if(c != INVALID_SOCKET)
            ::closesocket(c);
        return false;
    }
    // small writes go out at once, as on a local socket
    BOOL one = TRUE;
    ::setsockopt(c, IPPROTO_TCP, TCP_NODELAY, reinterpret_cast<char const*>(&one), sizeof(one));
    ::setsockopt(s, IPPROTO_TCP, TCP_NODELAY, reinterpret_cast<char const*>(&one), sizeof(one));
    sv[0] = static_cast<int>(static_cast<std::intptr_t>(c));
    sv[1] = static_cast<int>(static_cast<std::intptr_t>(s));
    return true;
#else
    return ::socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0;
#endif
}

// The resident set of this process in bytes (the working set on Windows);
// 0 if it cannot be read.
inline std::size_t rss_bytes()
{
#if defined(_WIN32)
    PROCESS_MEMORY_COUNTERS pmc{};
    pmc.cb = sizeof(pmc);
    if(!::GetProcessMemoryInfo(::GetCurrentProcess(), &pmc, sizeof(pmc)))
        return 0;
    return pmc.WorkingSetSize;
#else
    unsigned long size = 0, res = 0;
    if(std::FILE* f = std::fopen("/proc/self/statm", "r"))
    {
        if(std::fscanf(f, "%lu %lu", &size, &res) != 2)
            res = 0;
        std::fclose(f);
    }
    return res * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
#endif
}

// True when the test runs under Wine (whose ntdll exports
// wine_get_version), where some socket behaviour differs from Windows.
inline bool under_wine()
{
#if defined(_WIN32)
    HMODULE m = ::GetModuleHandleA("ntdll.dll");
    return m && ::GetProcAddress(m, "wine_get_version") != nullptr;
#else
    return false;
#endif
}

// Scale factor for heavy tests (MILLIO_TEST_SCALE, default 1.0).
inline double scale()
{
    char const* s = std::getenv("MILLIO_TEST_SCALE");
    if(!s)
        return 1.0;
    double d = std::atof(s);
    return d > 0 ? d : 1.0;
}

struct fd_guard
{
    int fd = -1;
    explicit fd_guard(int f = -1) : fd(f) {}
    ~fd_guard() { if(fd >= 0) close_fd(fd); }
    fd_guard(fd_guard const&) = delete;
    fd_guard& operator=(fd_guard const&) = delete;
};

} // test

#endif
