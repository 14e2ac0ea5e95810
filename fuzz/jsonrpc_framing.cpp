//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Fuzzes newline framing and JSON-RPC request validation, in the manner
// of example/jsonrpc_server.cpp, on a real net::tcp_server over loopback.
// The server answers each non-blank line with one line classifying it; the
// input is written in two parts (split at a position chosen by byte 0),
// the write side is shut down, and the answers read to EOF must equal
// those computed here from whole lines: any way the bytes arrive, the
// framing must see the same lines.

#include "fuzz_util.hpp"

#include <boost/json.hpp>
#include <boost/json/src.hpp>

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace {

namespace json = boost::json;

// A line (or an unterminated tail) longer than this is refused and the
// connection closed.
std::size_t const max_line = 4096;

// The answer to one line, without its newline; empty for a blank line.
std::string classify(std::string const& line)
{
    if(line.find_first_not_of(" \t\r") == std::string::npos)
        return {};
    json::error_code ec;
    json::value v = json::parse(line, ec);
    if(ec)
        return "parse error";
    auto valid = [](json::value const& r)
    {
        auto const* o = r.if_object();
        if(!o)
            return false;
        auto const* ver = o->if_contains("jsonrpc");
        auto const* m = o->if_contains("method");
        if(!ver || !ver->is_string() || ver->get_string() != "2.0")
            return false;
        if(!m || !m->is_string())
            return false;
        auto const* params = o->if_contains("params");
        if(params && !params->is_array() && !params->is_object())
            return false;
        auto const* id = o->if_contains("id");
        if(id && !id->is_string() && !id->is_number() && !id->is_null())
            return false;
        return true;
    };
    if(auto const* a = v.if_array())
    {
        if(a->empty())
            return "invalid";
        std::string s = "batch";
        for(auto const& e : *a)
            s += valid(e) ? " ok" : " invalid";
        return s;
    }
    return valid(v) ? "ok" : "invalid";
}

struct framing : fuzz::net::network_handler
{
    std::mutex m;
    std::unordered_map<fuzz::net::connection_id, std::string> partial;

    void on_data(fuzz::net::server_context& ctx, fuzz::net::connection_id id,
        boost::asio::const_buffer bytes) override
    {
        std::string buf;
        {
            std::lock_guard<std::mutex> lk(m);
            buf.swap(partial[id]);
        }
        buf.append(static_cast<char const*>(bytes.data()), bytes.size());
        std::string out;
        std::size_t start = 0;
        bool refuse = false;
        for(std::size_t nl; (nl = buf.find('\n', start)) != std::string::npos; start = nl + 1)
        {
            if(nl - start > max_line)
            {
                refuse = true;
                break;
            }
            std::string a = classify(buf.substr(start, nl - start));
            if(!a.empty())
                out += a + "\n";
        }
        if(refuse || buf.size() - start > max_line)
        {
            out += "line too long\n";
            fuzz::millio::error_code ec;
            ctx.send_to(id, boost::asio::buffer(out), ec);
            ctx.close_connection(id, ec);
            return;
        }
        if(!out.empty())
        {
            fuzz::millio::error_code ec;
            ctx.send_to(id, boost::asio::buffer(out), ec);
            if(ec == make_error_code(fuzz::millio::error::send_queue_full))
                fuzz::fail("answer refused with send_queue_full");
        }
        std::lock_guard<std::mutex> lk(m);
        partial[id] = buf.substr(start);
    }

    void on_disconnect(fuzz::net::server_context&, fuzz::net::connection_id id) override
    {
        std::lock_guard<std::mutex> lk(m);
        partial.erase(id);
    }
};

fuzz::server& the_server()
{
    static fuzz::server s(std::make_shared<framing>(),
        fuzz::net::tcp_server_config::builder()
            .address("127.0.0.1:0")
            .buffer_size(256) // lines span several reads
            .build());
    return s;
}

// The answers for the whole input, as the server must give them.
std::string expected(std::string const& in)
{
    std::string out;
    std::size_t start = 0;
    for(std::size_t nl; (nl = in.find('\n', start)) != std::string::npos; start = nl + 1)
    {
        if(nl - start > max_line)
            return out + "line too long\n";
        std::string a = classify(in.substr(start, nl - start));
        if(!a.empty())
            out += a + "\n";
    }
    if(in.size() - start > max_line)
        out += "line too long\n";
    return out;
}

} // (anon)

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size)
{
    if(size < 1)
        return 0;
    auto& srv = the_server();
    std::string in(reinterpret_cast<char const*>(data + 1), size - 1);
    std::size_t const split = in.size() * data[0] / 255;
    std::string const want = expected(in);

    int fd = srv.connect();
    // After a refusal the server may reset the rest of our bytes.
    bool const refused = want.size() >= 14 &&
        want.compare(want.size() - 14, 14, "line too long\n") == 0;
    if(!fuzz::write_all(fd, in.data(), split) && !refused)
        fuzz::fail("write");
    if(!fuzz::write_all(fd, in.data() + split, in.size() - split) && !refused)
        fuzz::fail("write");
    ::shutdown(fd, SHUT_WR);
    bool eof = false;
    std::string got = fuzz::read_upto(fd, want.size() + 1, eof);
    if(got != want || !eof)
    {
        std::fprintf(stderr, "want [%s]\ngot  [%s] eof %d\n", want.c_str(), got.c_str(), eof);
        fuzz::fail("the answers differ from the lines of the input");
    }
    fuzz::reset_close(fd);
    srv.after_input();
    return 0;
}
