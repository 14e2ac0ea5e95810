//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Fuzzes the read path of net::tcp_server through a real loopback
// connection to an echo server. Input layout:
//
//   byte 0   how the client ends (low two bits):
//              0  reads the whole echo, then closes
//              1  half-closes after writing, reads the echo to EOF
//              2  resets right after the first part (no check)
//              3  closes after writing without reading (no check)
//   byte 1   where the payload is split into two writes (fraction of 255)
//   rest     the payload
//
// Where the client reads, the echo must equal the payload.

#include "fuzz_util.hpp"

#include <cstdint>
#include <cstring>

namespace {

struct echo : fuzz::net::network_handler
{
    void on_data(fuzz::net::server_context& ctx, fuzz::net::connection_id id,
        boost::asio::const_buffer b) override
    {
        fuzz::millio::error_code ec;
        ctx.send_to(id, b, ec);
        // Reading pauses near the high-water mark: an echo is never refused.
        if(ec == make_error_code(fuzz::millio::error::send_queue_full))
            fuzz::fail("echo refused with send_queue_full");
    }
};

fuzz::server& the_server()
{
    static fuzz::server s(std::make_shared<echo>(),
        fuzz::net::tcp_server_config::builder()
            .address("127.0.0.1:0")
            .buffer_size(512) // several reads per input
            .write_high_water_mark(8192)
            .write_low_water_mark(1024)
            .build());
    return s;
}

} // (anon)

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size)
{
    if(size < 2)
        return 0;
    auto& srv = the_server();
    int const mode = data[0] & 3;
    char const* p = reinterpret_cast<char const*>(data + 2);
    std::size_t const n = size - 2;
    std::size_t const split = n * data[1] / 255;

    int fd = srv.connect();
    if(!fuzz::write_all(fd, p, split))
        fuzz::fail("write");
    if(mode == 2)
    {
        fuzz::reset_close(fd);
        srv.after_input();
        return 0;
    }
    if(!fuzz::write_all(fd, p + split, n - split))
        fuzz::fail("write");
    if(mode == 3)
    {
        ::close(fd);
        srv.after_input();
        return 0;
    }
    if(mode == 1)
        ::shutdown(fd, SHUT_WR);
    bool eof = false;
    std::string got = fuzz::read_upto(fd, mode == 1 ? n + 1 : n, eof);
    if(got.size() != n || std::memcmp(got.data(), p, n) != 0)
        fuzz::fail("the echo differs from the input");
    if(mode == 1)
    {
        // After the echo, the server closes its side too.
        std::string more = fuzz::read_upto(fd, 1, eof);
        if(!more.empty() || !eof)
            fuzz::fail("no EOF after the echo of a half-closed connection");
    }
    fuzz::reset_close(fd);
    srv.after_input();
    return 0;
}
