//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// The load client of echo_server --demo (see echo_load_client.hpp).

#include "echo_load_client.hpp"

#include <chrono>
#include <cstring>
#include <functional>
#include <random>
#include <thread>
#include <vector>

static bool write_all(native::socket_type fd, char const* p, std::size_t n)
{
    while(n > 0)
    {
        long w = native::send_some(fd, p, n);
        if(w <= 0)
            return false;
        p += w;
        n -= static_cast<std::size_t>(w);
    }
    return true;
}

static bool read_exact(native::socket_type fd, char* p, std::size_t n)
{
    while(n > 0)
    {
        long r = native::recv_some(fd, p, n);
        if(r <= 0)
            return false;
        p += r;
        n -= static_cast<std::size_t>(r);
    }
    return true;
}

static void demo_client(sockaddr_in sa, std::size_t id, std::size_t messages, echo_load_result& out)
{
    native::socket_type fd = native::open_blocking();
    if(fd == native::invalid_socket)
    {
        ++out.failures;
        return;
    }
    if(::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) != 0)
    {
        ++out.failures;
        native::close(fd);
        return;
    }
    native::set_no_delay(fd);
    std::mt19937 rng(static_cast<unsigned>(id * 7919 + 1));
    std::uniform_int_distribution<std::size_t> size(1, 4096);
    std::vector<char> msg, back;
    for(std::size_t m = 0; m < messages; ++m)
    {
        std::size_t n = size(rng);
        msg.resize(n);
        for(auto& c : msg)
            c = static_cast<char>(rng());
        back.resize(n);
        if(!write_all(fd, msg.data(), n) || !read_exact(fd, back.data(), n))
        {
            ++out.failures;
            break;
        }
        if(std::memcmp(msg.data(), back.data(), n) != 0)
            ++out.mismatches;
        ++out.messages;
        out.bytes += n;
    }
    native::close(fd);
}

echo_load_result
run_echo_load(sockaddr_in server, std::size_t connections, std::size_t messages)
{
    std::vector<echo_load_result> results(connections);
    std::vector<std::thread> clients;
    auto const t0 = std::chrono::steady_clock::now();
    for(std::size_t i = 0; i < connections; ++i)
        clients.emplace_back(demo_client, server, i, messages, std::ref(results[i]));
    for(auto& t : clients)
        t.join();
    echo_load_result total;
    total.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    for(auto const& r : results)
    {
        total.messages += r.messages;
        total.bytes += r.bytes;
        total.mismatches += r.mismatches;
        total.failures += r.failures;
    }
    return total;
}
