//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

/*
    A JSON-RPC 2.0 server over TCP, one request (or batch) per line, on
    net::tcp_server with Boost.JSON.

    jsonrpc_server [--port N] [--threads N] [--self-test]

    Methods:
      add(a, b)        the sum of two numbers (params [a, b] or {"a":..,"b":..})
      echo(...)        its params
      fib(n)           the n-th Fibonacci number, computed slowly on the
                       compute pool (0 <= n <= 35)

    Errors are the specification's: -32700 parse error, -32600 invalid
    request, -32601 method not found, -32602 invalid params. A request may
    arrive split across TCP segments, and one segment may hold several.
    Prints "listening on <address>:<port>" first and serves until SIGINT or
    SIGTERM, then prints the compute pool's task counts and exits 0, also
    with calls still in flight. --self-test starts the server on a free
    port, runs a client through every case above over loopback, prints the
    result and exits.
*/

#include <boost/millio.hpp>
#include <boost/millio/net.hpp>

// One translation unit of a program compiles Boost.JSON in where the
// build says so (BOOST_MILLIO_EXAMPLE_JSON_SRC: on Windows, whose cross
// build has no Boost.JSON library); elsewhere the program links it.
#if defined(BOOST_MILLIO_EXAMPLE_JSON_SRC)
# include <boost/json/src.hpp>
#else
# include <boost/json.hpp>
#endif

#include "native_socket.hpp"

#include <atomic>
#include <csignal>
#include <cstring>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace millio = boost::millio;
namespace net = boost::millio::net;
namespace asio = boost::asio;
namespace json = boost::json;

namespace {

json::value error_response(json::value const& id, int code, char const* message)
{
    return json::object{{"jsonrpc", "2.0"},
        {"error", json::object{{"code", code}, {"message", message}}}, {"id", id}};
}

json::value result_response(json::value const& id, json::value result)
{
    return json::object{{"jsonrpc", "2.0"}, {"result", std::move(result)}, {"id", id}};
}

std::uint64_t slow_fib(int n)
{
    return n < 2 ? static_cast<std::uint64_t>(n) : slow_fib(n - 1) + slow_fib(n - 2);
}

bool as_number(json::value const& v, double& out)
{
    if(v.is_int64()) { out = static_cast<double>(v.get_int64()); return true; }
    if(v.is_uint64()) { out = static_cast<double>(v.get_uint64()); return true; }
    if(v.is_double()) { out = v.get_double(); return true; }
    return false;
}

// Collects the responses of one line (a request or a batch) and sends
// them when the last one is known; slow calls complete on the compute pool.
// It holds a copy of the context, not a pointer: the copy keeps the
// server's state alive, so a call still running when the server stops
// has its send refused instead of using freed memory.
struct reply
{
    reply(net::server_context const& c, net::connection_id i)
        : ctx(c)
        , id(i)
    {
    }

    net::server_context ctx;
    net::connection_id id;
    bool batch = false;
    std::mutex m;
    std::vector<json::value> responses;
    std::size_t pending = 0;

    void add(json::value v)
    {
        std::lock_guard<std::mutex> lk(m);
        if(!v.is_null())
            responses.push_back(std::move(v));
        if(--pending == 0)
            send_locked();
    }

    void send_locked()
    {
        if(responses.empty())
            return; // notifications only: nothing is sent
        std::string out;
        if(batch)
        {
            json::array a;
            for(auto& r : responses)
                a.push_back(std::move(r));
            out = json::serialize(a);
        }
        else
            out = json::serialize(responses.front());
        out += '\n';
        millio::error_code ec;
        ctx.send_to(id, asio::buffer(out), ec);
    }
};

class rpc_handler : public net::network_handler
{
    millio::event_loop& loop_;
    std::mutex m_;
    std::unordered_map<net::connection_id, std::string> partial_; // bytes of an unfinished line

    //[example_jsonrpc_dispatch
    // Calls one request; `done` receives its response (null for a
    // notification), at once or later from the compute pool.
    void call(json::value const& req, std::function<void(json::value)> done)
    {
        if(!req.is_object())
            return done(error_response(nullptr, -32600, "Invalid Request"));
        auto const& o = req.get_object();
        json::value id = nullptr;
        bool notification = true;
        if(auto const* p = o.if_contains("id"))
        {
            if(!p->is_null() && !p->is_string() && !p->is_number())
                return done(error_response(nullptr, -32600, "Invalid Request"));
            id = *p;
            notification = false;
        }
        auto const* ver = o.if_contains("jsonrpc");
        auto const* method = o.if_contains("method");
        auto const* params = o.if_contains("params");
        if(!ver || *ver != "2.0" || !method || !method->is_string() ||
            (params && !params->is_array() && !params->is_object()))
            return done(error_response(id, -32600, "Invalid Request"));
        auto answer = [done, id, notification](json::value v) {
            done(notification ? json::value(nullptr) : std::move(v));
        };
        std::string_view name = method->get_string();
        if(name == "echo")
            return answer(result_response(id, params ? *params : json::value(nullptr)));
        if(name == "add")
        {
            double a, b;
            bool ok = false;
            if(params && params->is_array() && params->get_array().size() == 2)
                ok = as_number(params->get_array()[0], a) && as_number(params->get_array()[1], b);
            else if(params && params->is_object() && params->get_object().size() == 2 &&
                params->get_object().contains("a") && params->get_object().contains("b"))
                ok = as_number(params->get_object().at("a"), a) &&
                    as_number(params->get_object().at("b"), b);
            if(!ok)
                return answer(error_response(id, -32602, "Invalid params"));
            double s = a + b;
            if(s == static_cast<double>(static_cast<std::int64_t>(s)))
                return answer(result_response(id, static_cast<std::int64_t>(s)));
            return answer(result_response(id, s));
        }
        if(name == "fib")
        {
            if(!params || !params->is_array() || params->get_array().size() != 1 ||
                !params->get_array()[0].is_int64() || params->get_array()[0].get_int64() < 0 ||
                params->get_array()[0].get_int64() > 35)
                return answer(error_response(id, -32602, "Invalid params"));
            int n = static_cast<int>(params->get_array()[0].get_int64());
            loop_.spawn_compute([answer, id, n] {
                answer(result_response(id, slow_fib(n)));
            }, millio::task_priority::normal);
            return;
        }
        answer(error_response(id, -32601, "Method not found"));
    }
    //]

    void handle_line(net::server_context& ctx, net::connection_id cid, std::string const& line)
    {
        if(line.find_first_not_of(" \t\r") == std::string::npos)
            return;
        auto r = std::make_shared<reply>(ctx, cid);
        json::error_code ec;
        json::value v = json::parse(line, ec);
        if(ec)
        {
            r->batch = false;
            r->pending = 1;
            return r->add(error_response(nullptr, -32700, "Parse error"));
        }
        if(v.is_array())
        {
            auto const& a = v.get_array();
            if(a.empty())
            {
                r->batch = false;
                r->pending = 1;
                return r->add(error_response(nullptr, -32600, "Invalid Request"));
            }
            r->batch = true;
            r->pending = a.size();
            for(auto const& e : a)
                call(e, [r](json::value resp) { r->add(std::move(resp)); });
            return;
        }
        r->batch = false;
        r->pending = 1;
        call(v, [r](json::value resp) { r->add(std::move(resp)); });
    }

public:
    explicit rpc_handler(millio::event_loop& loop) : loop_(loop) {}

    //[example_jsonrpc_framing
    // Newline-delimited framing: bytes up to a newline are kept per
    // connection until the rest of the line arrives.
    void on_data(net::server_context& ctx, net::connection_id id, asio::const_buffer bytes) override
    {
        std::string buf;
        {
            std::lock_guard<std::mutex> lk(m_);
            buf.swap(partial_[id]);
        }
        buf.append(static_cast<char const*>(bytes.data()), bytes.size());
        std::size_t start = 0;
        for(std::size_t nl; (nl = buf.find('\n', start)) != std::string::npos; start = nl + 1)
            handle_line(ctx, id, buf.substr(start, nl - start));
        if(buf.size() - start > 1024 * 1024)
        {
            // a line longer than 1 MiB is refused and the connection closed
            millio::error_code ec;
            std::string e = json::serialize(error_response(nullptr, -32600, "Invalid Request")) + "\n";
            ctx.send_to(id, asio::buffer(e), ec);
            ctx.close_connection(id, ec);
            return;
        }
        std::lock_guard<std::mutex> lk(m_);
        partial_[id] = buf.substr(start);
    }
    //]

    void on_disconnect(net::server_context&, net::connection_id id) override
    {
        std::lock_guard<std::mutex> lk(m_);
        partial_.erase(id);
    }
};

//------------------------------------------------------------------------------
// --self-test: a loopback client checks every case.

// A blocking socket of the operating system (native_socket.hpp): POSIX
// or Winsock.
struct client
{
    native::socket_type fd = native::invalid_socket;
    std::string in;

    explicit client(unsigned short port)
    {
        fd = native::open_blocking();
        if(fd == native::invalid_socket)
            throw std::runtime_error("socket failed");
        sockaddr_in sa = native::loopback(port);
        native::set_receive_timeout(fd, 10);
        if(::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) != 0)
        {
            native::close(fd);
            throw std::runtime_error("connect failed");
        }
    }
    ~client() { native::close(fd); }

    void write(std::string const& s)
    {
        if(native::send_some(fd, s.data(), s.size()) != static_cast<long>(s.size()))
            throw std::runtime_error("send failed");
    }

    json::value read_line()
    {
        for(;;)
        {
            auto nl = in.find('\n');
            if(nl != std::string::npos)
            {
                std::string line = in.substr(0, nl);
                in.erase(0, nl + 1);
                return json::parse(line);
            }
            char buf[4096];
            long n = native::recv_some(fd, buf, sizeof(buf));
            if(n <= 0)
                throw std::runtime_error("no response");
            in.append(buf, static_cast<std::size_t>(n));
        }
    }
};

int self_test(unsigned short port)
{
    int failures = 0;
    auto check = [&](bool ok, std::string const& what) {
        std::cout << (ok ? "ok:   " : "FAIL: ") << what << std::endl;
        if(!ok) ++failures;
    };
    auto code = [](json::value const& v) -> std::int64_t {
        auto const* e = v.as_object().if_contains("error");
        return e ? e->as_object().at("code").as_int64() : 0;
    };
    client c(port);
    c.write("{\"jsonrpc\":\"2.0\",\"method\":\"add\",\"params\":[2,3],\"id\":1}\n");
    auto r = c.read_line();
    check(r.at("result") == 5 && r.at("id") == 1, "add [2,3] = 5");
    c.write("{\"jsonrpc\":\"2.0\",\"method\":\"add\",\"params\":{\"a\":1.5,\"b\":2},\"id\":\"x\"}\n");
    r = c.read_line();
    check(r.at("result") == 3.5 && r.at("id") == "x", "add by name");
    // one request split across segments
    c.write("{\"jsonrpc\":\"2.0\",\"meth");
    c.write("od\":\"echo\",\"params\":[\"split\"],\"id\":2}");
    c.write("\n");
    r = c.read_line();
    check(r.at("result").at(0) == "split", "request split across three segments");
    // several requests in one segment
    c.write("{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":[1],\"id\":10}\n"
            "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":[2],\"id\":11}\n"
            "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":[3],\"id\":12}\n");
    auto a = c.read_line(), b = c.read_line(), d = c.read_line();
    check(a.at("id") == 10 && b.at("id") == 11 && d.at("id") == 12, "three requests in one segment");
    c.write("{bad json\n");
    r = c.read_line();
    check(code(r) == -32700 && r.at("id").is_null(), "parse error -32700");
    c.write("{\"jsonrpc\":\"1.0\",\"method\":\"echo\",\"id\":3}\n");
    r = c.read_line();
    check(code(r) == -32600, "invalid request -32600");
    c.write("[]\n");
    r = c.read_line();
    check(code(r) == -32600, "empty batch -32600");
    c.write("{\"jsonrpc\":\"2.0\",\"method\":\"nope\",\"id\":4}\n");
    r = c.read_line();
    check(code(r) == -32601, "method not found -32601");
    c.write("{\"jsonrpc\":\"2.0\",\"method\":\"add\",\"params\":[1],\"id\":5}\n");
    r = c.read_line();
    check(code(r) == -32602, "invalid params -32602");
    c.write("{\"jsonrpc\":\"2.0\",\"method\":\"fib\",\"params\":[25],\"id\":6}\n");
    r = c.read_line();
    check(r.at("result") == 75025, "fib(25) on the compute pool");
    // a batch with a notification, a slow call, an error and an invalid element
    c.write("[{\"jsonrpc\":\"2.0\",\"method\":\"add\",\"params\":[1,1],\"id\":20},"
            "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":[0]},"
            "{\"jsonrpc\":\"2.0\",\"method\":\"fib\",\"params\":[20],\"id\":21},"
            "{\"jsonrpc\":\"2.0\",\"method\":\"nope\",\"id\":22},"
            "1]\n");
    r = c.read_line();
    bool batch_ok = r.is_array() && r.as_array().size() == 4;
    if(batch_ok)
    {
        std::map<std::string, json::value> by_id;
        for(auto const& e : r.as_array())
            by_id[json::serialize(e.at("id"))] = e;
        batch_ok = by_id["20"].at("result") == 2 && by_id["21"].at("result") == 6765 &&
            code(by_id["22"]) == -32601 && code(by_id["null"]) == -32600;
    }
    check(batch_ok, "batch: 4 responses, the notification answered by none");
    // a notification alone gets no response: the next answer is for id 7
    c.write("{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":[\"quiet\"]}\n"
            "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":[\"loud\"],\"id\":7}\n");
    r = c.read_line();
    check(r.at("id") == 7, "notification alone: no response");
    std::cout << (failures == 0 ? "self-test passed" : "self-test FAILED") << std::endl;
    return failures == 0 ? 0 : 1;
}

} // namespace

int main(int argc, char** argv)
{
    unsigned short port = 8080;
    std::size_t threads = 0;
    bool test = false;
    for(int i = 1; i < argc; ++i)
    {
        std::string a = argv[i];
        if(a == "--port" && i + 1 < argc) port = static_cast<unsigned short>(std::stoul(argv[++i]));
        else if(a == "--threads" && i + 1 < argc) threads = std::stoul(argv[++i]);
        else if(a == "--self-test") test = true;
        else
        {
            std::cerr << "usage: jsonrpc_server [--port N] [--threads N] [--self-test]\n";
            return 2;
        }
    }
    if(test)
        port = 0;
    millio::event_loop_options opt;
    opt.io_threads = threads;
    millio::event_loop loop(opt);
    millio::signal_set signals(loop, {SIGINT, SIGTERM});
    signals.stop_loop_on_signal();

    net::tcp_server server(net::tcp_server_config::builder()
        .address(asio::ip::tcp::endpoint(asio::ip::address_v4::loopback(), port))
        .build(), std::make_shared<rpc_handler>(loop));
    server.start(loop, millio::token(1));
    auto ep = server.local_endpoint();
    std::cout << "listening on " << ep.address().to_string() << ":" << ep.port() << std::endl;
    if(!test)
    {
        loop.run();
        server.stop();
        // Calls still on the compute pool finish while the loop is
        // destroyed, after the server: their replies hold the server's
        // state (see reply) and are refused.
        auto m = loop.get_compute_metrics();
        std::cout << "stopped; compute tasks submitted " << m.tasks_submitted()
            << ", completed " << m.tasks_completed() << std::endl;
        return 0;
    }
    std::thread t([&]{ loop.run(); });
    int rc = 1;
    try
    {
        rc = self_test(ep.port());
    }
    catch(std::exception const& e)
    {
        std::cout << "self-test FAILED: " << e.what() << std::endl;
    }
    loop.stop();
    t.join();
    server.stop();
    return rc;
}
