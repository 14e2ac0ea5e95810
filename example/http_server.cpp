//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

/*
    An HTTP/1.1 server on net::tcp_server that offloads work to the
    compute pool (the seed's compute demo over HTTP).

    http_server [--port N] [--threads N] [--compute-threads N]

      GET /                the index page (served on the io worker)
      GET /hash            iterated hashing, high priority
      GET /process-image   a blur over a synthetic image, normal priority
      GET /analytics       statistics over a synthetic series, low priority
      GET /burst           twelve tasks of mixed priorities
      GET /metrics         the compute pool's metrics as JSON

    Requests are parsed with Boost.Beast's HTTP parser; keep-alive and
    pipelining work (responses leave in request order even when the work
    finishes out of order); a malformed request gets 400 and its
    connection is closed, the server keeps serving. Prints
    "listening on <address>:<port>" first, runs until SIGINT or SIGTERM,
    then prints the compute pool's task counts and exits 0, also with
    requests still in flight.

    Boost.Beast does the parsing because a correct HTTP/1.1 parser
    (chunked bodies, header limits, obs-fold) is a library's worth of
    code; Boost.JSON writes the metrics.
*/

#include <boost/millio.hpp>
#include <boost/millio/net.hpp>

#include <boost/beast/http.hpp>
// One translation unit of a program compiles Boost.JSON in where the
// build says so (BOOST_MILLIO_EXAMPLE_JSON_SRC: on Windows, whose cross
// build has no Boost.JSON library); elsewhere the program links it.
#if defined(BOOST_MILLIO_EXAMPLE_JSON_SRC)
# include <boost/json/src.hpp>
#else
# include <boost/json.hpp>
#endif

#include <atomic>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <numeric>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

namespace millio = boost::millio;
namespace net = boost::millio::net;
namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;

namespace {

// The CPU-bound work of the endpoints.
std::uint64_t hash_work(std::string const& data, int rounds)
{
    std::uint64_t h = 1469598103934665603ull;
    for(int r = 0; r < rounds; ++r)
        for(unsigned char c : data)
            h = (h ^ c) * 1099511628211ull;
    return h;
}

double image_work(int size)
{
    std::vector<float> img(static_cast<std::size_t>(size * size)), out(img.size());
    for(std::size_t i = 0; i < img.size(); ++i)
        img[i] = static_cast<float>((i * 2654435761u) % 256);
    for(int y = 1; y < size - 1; ++y)
        for(int x = 1; x < size - 1; ++x)
        {
            float s = 0;
            for(int dy = -1; dy <= 1; ++dy)
                for(int dx = -1; dx <= 1; ++dx)
                    s += img[static_cast<std::size_t>((y + dy) * size + x + dx)];
            out[static_cast<std::size_t>(y * size + x)] = s / 9;
        }
    return std::accumulate(out.begin(), out.end(), 0.0) / static_cast<double>(out.size());
}

json::object analytics_work(std::size_t n)
{
    std::vector<double> v(n);
    for(std::size_t i = 0; i < n; ++i)
        v[i] = std::sin(static_cast<double>(i) * 0.001) * 100;
    double mean = std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(n);
    double var = 0;
    for(double x : v)
        var += (x - mean) * (x - mean);
    return json::object{{"samples", n}, {"mean", mean}, {"stddev", std::sqrt(var / static_cast<double>(n))}};
}

//[example_http_server_connection
// Per-connection state. on_data runs for one connection at a time, but a
// response may be completed by a compute worker, so the response queue
// has its own lock.
struct connection
{
    std::unique_ptr<http::request_parser<http::string_body>> parser;
    std::string input;                              // bytes the parser has not taken yet
    std::mutex m;
    std::uint64_t next_seq = 0;                     // next request number
    std::uint64_t next_to_send = 0;                 // responses leave in order
    std::map<std::uint64_t, std::pair<std::string, bool>> ready; // seq -> (bytes, close)

    connection() { reset(); }

    void reset()
    {
        parser.reset(new http::request_parser<http::string_body>);
        parser->header_limit(16 * 1024);
        parser->body_limit(1024 * 1024);
    }
};
//]

class http_handler : public net::network_handler
{
    millio::event_loop& loop_;
    std::mutex m_;
    std::unordered_map<net::connection_id, std::shared_ptr<connection>> conns_;

    std::shared_ptr<connection> find(net::connection_id id)
    {
        std::lock_guard<std::mutex> lk(m_);
        auto it = conns_.find(id);
        return it == conns_.end() ? nullptr : it->second;
    }

    static std::string render(http::status st, std::string const& type, std::string body,
        unsigned version, bool keep_alive)
    {
        http::response<http::string_body> res{st, version};
        res.set(http::field::server, "Boost.MillIO http_server");
        res.set(http::field::content_type, type);
        res.keep_alive(keep_alive);
        res.body() = std::move(body);
        res.prepare_payload();
        std::ostringstream os;
        os << res;
        return os.str();
    }

    // Completes response `seq` of a connection and sends every response
    // that is now next in line. Callable from any thread.
    static void complete(net::server_context& ctx, net::connection_id id,
        std::shared_ptr<connection> const& c, std::uint64_t seq, std::string bytes, bool close)
    {
        std::lock_guard<std::mutex> lk(c->m);
        c->ready.emplace(seq, std::make_pair(std::move(bytes), close));
        for(auto it = c->ready.find(c->next_to_send); it != c->ready.end();
            it = c->ready.find(c->next_to_send))
        {
            millio::error_code ec;
            ctx.send_to(id, asio::buffer(it->second.first), ec);
            bool const last = it->second.second;
            c->ready.erase(it);
            ++c->next_to_send;
            if(ec || last)
            {
                ctx.close_connection(id, ec); // flushes first
                return;
            }
        }
    }

    //[example_http_server_offload
    // Runs `work` on the compute pool at priority `p`; its result becomes
    // response `seq`. The task holds a copy of the context, never a
    // pointer or reference to `ctx`: the copy keeps the server's state
    // alive, so a task still queued when the server stops has its send
    // refused instead of using freed memory.
    template<class Work>
    void offload(net::server_context& ctx, net::connection_id id, std::shared_ptr<connection> c,
        std::uint64_t seq, unsigned version, bool keep_alive, millio::task_priority p, Work work)
    {
        loop_.spawn_compute([ctx, id, c, seq, version, keep_alive, work]() mutable {
            json::value v = work();
            complete(ctx, id, c, seq, render(http::status::ok, "application/json",
                json::serialize(v) + "\n", version, keep_alive), !keep_alive);
        }, p);
    }
    //]

    void handle(net::server_context& ctx, net::connection_id id, std::shared_ptr<connection> const& c,
        http::request<http::string_body> const& req)
    {
        std::uint64_t const seq = c->next_seq++;
        bool const ka = req.keep_alive();
        unsigned const ver = req.version();
        std::string target(req.target());
        auto q = target.find('?');
        std::string path = target.substr(0, q);
        if(req.method() != http::verb::get && req.method() != http::verb::head)
            return complete(ctx, id, c, seq, render(http::status::method_not_allowed, "text/plain",
                "only GET\n", ver, ka), !ka);
        if(path == "/")
            return complete(ctx, id, c, seq, render(http::status::ok, "text/html",
                "<html><body><h1>Boost.MillIO http_server</h1><ul>"
                "<li><a href=\"/hash\">/hash</a> (high priority)</li>"
                "<li><a href=\"/process-image\">/process-image</a> (normal)</li>"
                "<li><a href=\"/analytics\">/analytics</a> (low)</li>"
                "<li><a href=\"/burst\">/burst</a> (mixed)</li>"
                "<li><a href=\"/metrics\">/metrics</a></li></ul></body></html>\n", ver, ka), !ka);
        if(path == "/metrics")
        {
            auto m = loop_.get_compute_metrics();
            json::object o{
                {"tasks_submitted", m.tasks_submitted()},
                {"tasks_completed", m.tasks_completed()},
                {"tasks_failed", m.tasks_failed()},
                {"active_workers", m.active_workers()},
                {"queue_depth", json::object{
                    {"low", m.queue_depth_low()}, {"normal", m.queue_depth_normal()},
                    {"high", m.queue_depth_high()}, {"critical", m.queue_depth_critical()}}},
                {"total_execution_time_ns", m.total_execution_time_ns()}};
            return complete(ctx, id, c, seq, render(http::status::ok, "application/json",
                json::serialize(o) + "\n", ver, ka), !ka);
        }
        std::string data = q == std::string::npos ? "millio" : target.substr(q + 1);
        if(path == "/hash")
            return offload(ctx, id, c, seq, ver, ka, millio::task_priority::high, [data] {
                return json::value(json::object{{"hash", std::to_string(hash_work(data, 20000))}});
            });
        if(path == "/process-image")
            return offload(ctx, id, c, seq, ver, ka, millio::task_priority::normal, [] {
                return json::value(json::object{{"mean_after_blur", image_work(256)}});
            });
        if(path == "/analytics")
            return offload(ctx, id, c, seq, ver, ka, millio::task_priority::low, [] {
                return json::value(analytics_work(200000));
            });
        if(path == "/burst")
        {
            // twelve tasks; the response is sent when the last one finished
            // (each task holds a copy of the context, as in offload)
            auto left = std::make_shared<std::atomic<int>>(12);
            static millio::task_priority const ps[] = {millio::task_priority::low,
                millio::task_priority::normal, millio::task_priority::high, millio::task_priority::critical};
            for(int i = 0; i < 12; ++i)
                loop_.spawn_compute([ctx, id, c, seq, ver, ka, left]() mutable {
                    hash_work("burst", 2000);
                    if(--*left == 0)
                        complete(ctx, id, c, seq, render(http::status::ok, "application/json",
                            "{\"tasks\":12}\n", ver, ka), !ka);
                }, ps[i % 4]);
            return;
        }
        complete(ctx, id, c, seq, render(http::status::not_found, "text/plain",
            "not found\n", ver, ka), !ka);
    }

public:
    explicit http_handler(millio::event_loop& loop) : loop_(loop) {}

    void on_connect(net::server_context&, net::connection_id id) override
    {
        std::lock_guard<std::mutex> lk(m_);
        conns_.emplace(id, std::make_shared<connection>());
    }

    void on_disconnect(net::server_context&, net::connection_id id) override
    {
        std::lock_guard<std::mutex> lk(m_);
        conns_.erase(id);
    }

    //[example_http_server_on_data
    void on_data(net::server_context& ctx, net::connection_id id, asio::const_buffer bytes) override
    {
        auto c = find(id);
        if(!c)
            return;
        // Feed the parser. One segment may hold several pipelined
        // requests, or a part of one: the parser takes only whole
        // headers, so bytes it did not take wait for the next segment.
        c->input.append(static_cast<char const*>(bytes.data()), bytes.size());
        std::size_t pos = 0;
        while(pos < c->input.size())
        {
            boost::beast::error_code ec;
            std::size_t used = c->parser->put(
                asio::buffer(c->input.data() + pos, c->input.size() - pos), ec);
            pos += used;
            if(ec == http::error::need_more)
                break;
            if(ec)
            {
                // malformed: answer 400 after the responses already owed
                std::uint64_t seq = c->next_seq++;
                complete(ctx, id, c, seq, render(http::status::bad_request, "text/plain",
                    "bad request: " + ec.message() + "\n", 11, false), true);
                c->input.clear();
                return;
            }
            if(c->parser->is_done())
            {
                http::request<http::string_body> req = c->parser->release();
                c->reset();
                handle(ctx, id, c, req);
            }
        }
        c->input.erase(0, pos);
    }
    //]
};

} // namespace

int main(int argc, char** argv)
{
    unsigned short port = 8080;
    std::size_t threads = 0, compute_threads = 0;
    for(int i = 1; i < argc; ++i)
    {
        std::string a = argv[i];
        if(a == "--port" && i + 1 < argc) port = static_cast<unsigned short>(std::stoul(argv[++i]));
        else if(a == "--threads" && i + 1 < argc) threads = std::stoul(argv[++i]);
        else if(a == "--compute-threads" && i + 1 < argc) compute_threads = std::stoul(argv[++i]);
        else
        {
            std::cerr << "usage: http_server [--port N] [--threads N] [--compute-threads N]\n";
            return 2;
        }
    }
    millio::event_loop_options opt;
    opt.io_threads = threads;
    opt.compute_threads = compute_threads;
    millio::event_loop loop(opt);
    millio::signal_set signals(loop, {SIGINT, SIGTERM});
    signals.stop_loop_on_signal();

    auto handler = std::make_shared<http_handler>(loop);
    net::tcp_server server(net::tcp_server_config::builder()
        .address(asio::ip::tcp::endpoint(asio::ip::address_v4::loopback(), port))
        .build(), handler);
    server.start(loop, millio::token(1));
    auto ep = server.local_endpoint();
    std::cout << "listening on " << ep.address().to_string() << ":" << ep.port() << std::endl;
    loop.run();
    server.stop();
    auto m = loop.get_compute_metrics();
    std::cout << "stopped; compute tasks submitted " << m.tasks_submitted()
        << ", completed " << m.tasks_completed() << std::endl;
    return 0;
}
