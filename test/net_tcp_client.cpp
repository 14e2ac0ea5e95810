//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Test that header file is self-contained.
#include <boost/millio/net/tcp_client.hpp>

#define BOOST_TEST_MODULE millio_net_tcp_client
#include <boost/test/unit_test.hpp>

#include "net_test_util.hpp"

#include <optional>

namespace millio = boost::millio;
namespace net = boost::millio::net;
namespace asio = boost::asio;
using millio::event_loop;
using millio::token;
using millio::error_code;
using namespace std::chrono_literals;

namespace {

// Collects what it receives; counts callbacks.
struct collect : net::client_handler
{
    std::mutex m;
    std::string data;
    std::atomic<int> connects{0};
    std::atomic<int> disconnects{0};
    std::atomic<int> errors{0};
    error_code last_error;
    test::latch done{1};
    std::size_t expect = 0;

    void on_connect(net::tcp_client&) override { ++connects; }

    void on_data(net::tcp_client&, asio::const_buffer b) override
    {
        std::lock_guard<std::mutex> lk(m);
        data.append(static_cast<char const*>(b.data()), b.size());
        if(data.size() >= expect)
            done.count_down();
    }

    void on_disconnect(net::tcp_client&) override
    {
        ++disconnects;
        done.count_down();
    }

    void on_error(net::tcp_client&, error_code ec) override
    {
        {
            std::lock_guard<std::mutex> lk(m);
            last_error = ec;
        }
        ++errors;
        done.count_down();
    }
};

bool have_ipv6()
{
    int fd = test::tcp_socket(AF_INET6);
    if(fd < 0)
        return false;
    test::endpoint ep;
    bool ok = test::bind_loopback(fd, ep, true);
    test::close_fd(fd);
    return ok;
}

void echo_roundtrip(test::loop_config const& cfg, char const* address)
{
    event_loop loop(cfg.options());
    net::tcp_server srv(net::tcp_server_config::builder().address(address).build(),
        std::make_shared<test::echo_handler>());
    srv.start(loop, token(1));
    test::loop_runner run(loop);

    auto h = std::make_shared<collect>();
    std::string msg(300000, 'x');
    for(std::size_t i = 0; i < msg.size(); ++i)
        msg[i] = static_cast<char>(test::pattern(3, i));
    h->expect = msg.size();
    {
        net::tcp_client c;
        c.connect(test::loopback(srv.local_endpoint()), h);
        c.start(loop, token(2));
        // Sent before the connection is established: queued.
        c.send(asio::buffer(msg));
        BOOST_TEST(h->done.wait_for(20s));
        {
            std::lock_guard<std::mutex> lk(h->m);
            BOOST_TEST((h->data == msg));
        }
        BOOST_TEST(c.is_connected());
        BOOST_TEST(h->connects.load() == 1);
        test::latch gone;
        h->done.count_down();
        c.disconnect();
        BOOST_TEST(test::eventually([&]{ return h->disconnects.load() == 1; }));
        BOOST_TEST(!c.is_connected());
        error_code ec;
        c.send(asio::buffer("x", 1), ec);
        BOOST_TEST(ec == make_error_code(millio::error::not_connected));
    }
    BOOST_TEST(h->disconnects.load() == 1);
    BOOST_TEST(h->errors.load() == 0);
}

// A loopback listener with a small receive buffer, so that a peer that
// does not read fills the client's socket quickly; blocking accept.
struct raw_listener
{
    test::fd_guard fd;
    test::endpoint ep;

    raw_listener()
        : fd(test::tcp_socket(AF_INET))
    {
        int sz = 16384;
        test::set_receive_buffer(fd.fd, sz);
        BOOST_REQUIRE(test::bind_loopback(fd.fd, ep));
        BOOST_REQUIRE(test::listen_fd(fd.fd, 4));
    }

    int accept_one()
    {
        test::wait_readable(fd.fd, 10s);
        return test::accept_fd(fd.fd);
    }
};

// The back-pressure limits of the test client: the marks are above what
// a loopback socket's send buffer holds (4 MiB at most by default), so
// the queue drains in several steps and an on_writable fired above the
// low-water mark would be seen by the probe below.
std::size_t const bp_buffer = 4096;
std::size_t const bp_high = 8 * 1024 * 1024;
std::size_t const bp_low = 2 * 1024 * 1024;

// Counts on_writable and the bytes accepted by send. The
// first on_writable sends `probe` (high - low + 1 bytes, continuing the
// stream): the queue takes it only if it is below the low-water mark.
struct writer : net::client_handler
{
    test::latch connected;
    test::latch writable;
    test::latch disconnected;
    std::atomic<int> writables{0};
    std::atomic<int> errors{0};
    std::atomic<std::size_t> sent{0};   // bytes accepted by send
    error_code probe_error;              // of the send in on_writable
    bool probed = false;

    void on_connect(net::tcp_client&) override { connected.count_down(); }

    void on_data(net::tcp_client&, asio::const_buffer) override {}

    void on_writable(net::tcp_client& c) override
    {
        if(++writables == 1)
        {
            std::size_t const at = sent.load();
            std::vector<unsigned char> probe(bp_high - bp_low + 1);
            test::fill_pattern(probe.data(), probe.size(), 5, at);
            c.send(asio::buffer(probe), probe_error);
            if(!probe_error)
                sent += probe.size();
            probed = true;
        }
        writable.count_down();
    }

    void on_disconnect(net::tcp_client&) override { disconnected.count_down(); }

    void on_error(net::tcp_client&, error_code ec) override
    {
        BOOST_TEST_MESSAGE("on_error: " << ec.message());
        ++errors;
    }
};

void back_pressure(test::loop_config const& cfg)
{
    event_loop loop(cfg.options());
    test::loop_runner run(loop);
    raw_listener peer_listener;
    auto h = std::make_shared<writer>();
    net::tcp_client c(bp_buffer, bp_high, bp_low);
    c.connect(peer_listener.ep, h);
    c.start(loop, token(1));
    test::fd_guard peer(peer_listener.accept_one());
    BOOST_REQUIRE(peer.fd >= 0);
    BOOST_REQUIRE(h->connected.wait_for(10s));

    // The peer does not read: the socket fills, then the send queue,
    // until a send would lift the queue above the high-water mark.
    std::vector<unsigned char> block(8192);
    bool refused = false;
    while(h->sent.load() < (64u << 20))
    {
        std::size_t const at = h->sent.load();
        test::fill_pattern(block.data(), block.size(), 5, at);
        error_code ec;
        c.send(asio::buffer(block), ec);
        if(ec == make_error_code(millio::error::send_queue_full))
        {
            refused = true;
            break;
        }
        BOOST_REQUIRE_MESSAGE(!ec, ec.message());
        h->sent += block.size();
    }
    BOOST_REQUIRE(refused);
    // Still full while the peer does not read; the refused calls carry
    // bytes that are not in the stream (a queued one would show below).
    std::fill(block.begin(), block.end(), static_cast<unsigned char>(0xEE));
    error_code ec;
    c.send(asio::buffer(block), ec);
    BOOST_TEST(ec == make_error_code(millio::error::send_queue_full));
    c.send(asio::buffer(block.data(), 1), ec);
    BOOST_TEST(ec == make_error_code(millio::error::send_queue_full));
    BOOST_TEST(h->writables.load() == 0);
    std::size_t const before = h->sent.load();

    // The peer reads; the queue drains below the low-water mark and
    // on_writable fires, whose probe the queue accepts.
    std::string got;
    char buf[65536];
    auto const deadline = std::chrono::steady_clock::now() + 20s;
    bool eof = false;
    bool disconnecting = false;
    while(!eof && std::chrono::steady_clock::now() < deadline)
    {
        if(!disconnecting && h->writable.try_wait())
        {
            // Everything is sent: close gracefully (flushes, then EOF).
            c.disconnect();
            disconnecting = true;
        }
        if(!test::wait_readable(peer.fd, 100ms))
            continue;
        ssize_t r = test::recv_fd(peer.fd, buf, sizeof(buf));
        if(r > 0)
            got.append(buf, static_cast<std::size_t>(r));
        else if(r == 0)
            eof = true;
        else if(test::socket_errno() != EAGAIN && test::socket_errno() != EINTR)
        {
            BOOST_TEST_MESSAGE("the peer's recv: " << test::socket_strerror(test::socket_errno()));
            break;
        }
    }
    BOOST_TEST(eof);
    bool const wrote = h->writable.try_wait();
    BOOST_TEST(wrote);
    if(wrote)
    {
        BOOST_TEST(h->probed);
        BOOST_TEST(!h->probe_error, h->probe_error.message());
    }
    BOOST_TEST(h->writables.load() == 1);
    std::size_t const total = h->sent.load();
    BOOST_TEST(total == before + (bp_high - bp_low + 1));
    // Every byte accepted arrived, in order; none of the refused calls.
    BOOST_TEST(got.size() == total);
    std::size_t mismatch = got.size();
    for(std::size_t i = 0; i < (std::min)(got.size(), total); ++i)
        if(static_cast<unsigned char>(got[i]) != test::pattern(5, i))
        {
            mismatch = i;
            break;
        }
    BOOST_TEST(mismatch == got.size(), "first wrong byte at " << mismatch << " of " << total);
    // The peer closes its side too: the client's close completes.
    test::close_fd(peer.fd);
    peer.fd = -1;
    BOOST_TEST(h->disconnected.wait_for(10s));
    BOOST_TEST(h->errors.load() == 0);
}

// A loopback listener that never accepts, its accept queue filled by
// raw connects: a connect to it stays pending (its SYN is dropped and
// retried) while nobody accepts. `accept_for` accepts (and closes) for a
// while, letting the pending connects complete on their next retry.
struct black_hole
{
    test::fd_guard fd;
    test::endpoint ep;
    std::vector<int> fillers;

    black_hole()
        : fd(test::tcp_socket(AF_INET))
    {
        BOOST_REQUIRE(test::bind_loopback(fd.fd, ep));
        BOOST_REQUIRE(test::listen_fd(fd.fd, 0));
        // Connect until one connect does not complete: the queue is full.
        bool full = false;
        for(int i = 0; i < 16 && !full; ++i)
        {
            int s = test::tcp_socket(AF_INET, true);
            BOOST_REQUIRE(s >= 0);
            fillers.push_back(s);
            if(test::connect_fd(s, ep) == 0)
                continue;
            BOOST_REQUIRE(test::socket_errno() == EINPROGRESS);
            pollfd p = test::make_pollfd(s, POLLOUT);
            full = test::poll_fds(&p, 1, 200) == 0;
        }
        BOOST_REQUIRE_MESSAGE(full, "could not fill the accept queue of a loopback listener");
    }

    ~black_hole()
    {
        for(int s : fillers)
            test::close_fd(s);
    }

    // Accept and close connections until `stop` or the deadline; returns
    // the number accepted.
    int accept_for(std::atomic<bool>& stop, std::chrono::milliseconds d)
    {
        int n = 0;
        auto const end = std::chrono::steady_clock::now() + d;
        while(!stop.load() && std::chrono::steady_clock::now() < end)
        {
            if(!test::wait_readable(fd.fd, 20ms))
                continue;
            int s = test::accept_fd(fd.fd);
            if(s >= 0)
            {
                ++n;
                test::close_fd(s);
            }
        }
        return n;
    }
};

// Records every callback; on_connect notes whether disconnect() had
// returned before it started.
struct recorder : net::client_handler
{
    std::atomic<int> connects{0};
    std::atomic<int> disconnects{0};
    std::atomic<int> errors{0};
    std::atomic<int> late_connects{0};
    std::atomic<bool> disconnect_returned{false};
    std::mutex m;
    error_code last_error;
    test::latch connected{1};
    test::latch errored{1};
    test::latch disconnected{1};

    void on_connect(net::tcp_client&) override
    {
        if(disconnect_returned.load())
            ++late_connects;
        ++connects;
        connected.count_down();
    }

    void on_data(net::tcp_client&, asio::const_buffer) override {}

    void on_disconnect(net::tcp_client&) override
    {
        ++disconnects;
        disconnected.count_down();
    }

    void on_error(net::tcp_client&, error_code ec) override
    {
        {
            std::lock_guard<std::mutex> lk(m);
            last_error = ec;
        }
        ++errors;
        errored.count_down();
    }
};

// Only the connect time-out (the timer counts below are its own).
net::tcp_client_config timeout_config(std::chrono::milliseconds d)
{
    net::tcp_client_config cfg;
    cfg.connect_timeout = d;
    cfg.close_timeout = 0ms;
    cfg.write_timeout = 0ms;
    return cfg;
}

// disconnect() while the connect is pending (black-holed): the socket is
// closed at once and on_connect never fires, even when the listener
// starts accepting and a control client's equal connect completes.
void disconnect_pending(test::loop_config const& cfg)
{
    event_loop loop(cfg.options());
    test::loop_runner run(loop);
    black_hole hole;
    auto cancelled = std::make_shared<recorder>();
    auto control = std::make_shared<recorder>();
    net::tcp_client c(timeout_config(0ms));
    net::tcp_client k(timeout_config(0ms));
    c.connect(hole.ep, cancelled);
    k.connect(hole.ep, control);
    c.start(loop, token(1));
    k.start(loop, token(2));
    BOOST_TEST(!cancelled->connected.wait_for(100ms));  // pending indeed
    c.disconnect();
    cancelled->disconnect_returned = true;
    BOOST_TEST(!c.is_connected());
    // The listener accepts: the control client's SYN retry gets through
    // (after about 1 s); a cancelled connect would complete with it.
    std::atomic<bool> stop{false};
    int accepted = 0;
    std::thread acceptor([&]{ accepted = hole.accept_for(stop, 15s); });
    BOOST_TEST(control->connected.wait_for(15s));
    // One more SYN retry period for the cancelled one, had it survived.
    BOOST_TEST(!cancelled->connected.wait_for(2500ms));
    stop = true;
    acceptor.join();
    BOOST_TEST(cancelled->connects.load() == 0);
    BOOST_TEST(cancelled->disconnects.load() == 0);
    BOOST_TEST(cancelled->errors.load() == 0);
    // The filler that was pending, and the control client; not the
    // cancelled client.
    BOOST_TEST(accepted <= static_cast<int>(hole.fillers.size()) + 1);
    error_code ec;
    c.send(asio::buffer("x", 1), ec);
    BOOST_TEST(!!ec);
}

// disconnect() from the test thread races the connect completing on the
// loop: on_connect never starts after disconnect() returned, and every
// on_connect is followed by exactly one on_disconnect.
void disconnect_race(test::loop_config const& cfg)
{
    event_loop loop(cfg.options());
    auto sh = std::make_shared<test::echo_handler>();
    net::tcp_server srv(test::local_config(), sh);
    srv.start(loop, token(1));
    test::loop_runner run(loop);
    int connected = 0;
    int const rounds = 200;
    for(int i = 0; i < rounds; ++i)
    {
        auto h = std::make_shared<recorder>();
        {
            net::tcp_client c;
            c.connect(test::loopback(srv.local_endpoint()), h);
            c.start(loop, token(100 + static_cast<std::uint64_t>(i)));
            // Vary the moment of the disconnect around the connect's end.
            for(int spin = 0; spin < (i % 20) * 500; ++spin)
                std::atomic_signal_fence(std::memory_order_seq_cst);
            if(i % 7 == 0)
                std::this_thread::yield();
            c.disconnect();
            h->disconnect_returned = true;
            if(h->connects.load() == 1)
            {
                // Established before: a graceful close, the server echoes
                // the FIN.
                BOOST_TEST(h->disconnected.wait_for(10s));
            }
        }
        BOOST_TEST(h->late_connects.load() == 0);
        BOOST_TEST(h->errors.load() == 0);
        BOOST_TEST(h->disconnects.load() == h->connects.load());
        connected += h->connects.load();
    }
    BOOST_TEST_MESSAGE(cfg.name() << ": " << connected << " of " << rounds <<
        " connections were established before disconnect()");
    BOOST_TEST(test::eventually([&]{ return srv.connection_count() == 0; }));
}

// A connect that does not complete in time fails with timed_out, via
// on_error only; the time-out counts from start().
void connect_timeout(test::loop_config const& cfg)
{
    event_loop loop(cfg.options());
    test::loop_runner run(loop);
    black_hole hole;
    auto h = std::make_shared<recorder>();
    net::tcp_client c(timeout_config(300ms));
    c.connect(hole.ep, h);
    auto const t0 = std::chrono::steady_clock::now();
    c.start(loop, token(1));
    BOOST_TEST(h->errored.wait_for(10s));
    auto const took = std::chrono::steady_clock::now() - t0;
    BOOST_TEST((took >= 300ms));
    BOOST_TEST((took < 5s));
    {
        std::lock_guard<std::mutex> lk(h->m);
        BOOST_TEST(h->last_error == asio::error::timed_out, h->last_error.message());
        BOOST_TEST((h->last_error == std::errc::timed_out));
    }
    BOOST_TEST(h->errors.load() == 1);
    BOOST_TEST(h->connects.load() == 0);
    BOOST_TEST(h->disconnects.load() == 0);
    BOOST_TEST(!c.is_connected());
    BOOST_TEST(loop.pending_timers() == 0u);
    // Nothing more, even once the listener accepts.
    std::atomic<bool> stop{false};
    hole.accept_for(stop, 1500ms);
    BOOST_TEST(h->errors.load() == 1);
    BOOST_TEST(h->connects.load() == 0);
}

// The time-out timer goes once connected, with no effect; with a zero
// time-out there is no timer; destroying a client with a pending connect
// cancels its timer and calls nothing.
void connect_timeout_lifetime(test::loop_config const& cfg)
{
    event_loop loop(cfg.options());
    auto sh = std::make_shared<test::echo_handler>();
    net::tcp_server srv(test::local_config(), sh);
    srv.start(loop, token(1));
    test::loop_runner run(loop);
    // The server's own periodic timers (deadline sweep, memory trims).
    std::size_t const base = loop.pending_timers();
    {
        auto h = std::make_shared<recorder>();
        net::tcp_client c(timeout_config(200ms));
        c.connect(test::loopback(srv.local_endpoint()), h);
        c.start(loop, token(2));
        BOOST_TEST(h->connected.wait_for(10s));
        BOOST_TEST(loop.pending_timers() == base);
        BOOST_TEST(c.is_connected());
        BOOST_TEST(h->errors.load() == 0);
    }
    black_hole hole;
    {
        auto h = std::make_shared<recorder>();
        net::tcp_client c(timeout_config(0ms));
        c.connect(hole.ep, h);
        c.start(loop, token(3));
        BOOST_TEST(loop.pending_timers() == base);
    }
    {
        auto h = std::make_shared<recorder>();
        {
            net::tcp_client c(timeout_config(200ms));
            c.connect(hole.ep, h);
            c.start(loop, token(4));
            BOOST_TEST(loop.pending_timers() == base + 1);
        }
        BOOST_TEST(loop.pending_timers() == base);
        // The handler is released with the client: nothing holds it.
        BOOST_TEST(test::eventually([&]{ return h.use_count() == 1; }));
        BOOST_TEST(h->errors.load() + h->connects.load() + h->disconnects.load() == 0);
    }
}

// Where a client destroys itself from one of its callbacks.
enum class die_in { on_connect, on_data, on_disconnect, on_error };

char const* name_of(die_in w)
{
    switch(w)
    {
    case die_in::on_connect: return "on_connect";
    case die_in::on_data: return "on_data";
    case die_in::on_disconnect: return "on_disconnect";
    default: return "on_error";
    }
}

struct self_destroyer : net::client_handler
{
    die_in where;
    std::unique_ptr<net::tcp_client>* holder = nullptr;
    std::atomic<int> connects{0};
    std::atomic<int> datas{0};
    std::atomic<int> disconnects{0};
    std::atomic<int> errors{0};
    std::atomic<int> after{0};   // callbacks after the destruction
    std::atomic<bool> dead{false};
    test::latch gone{1};
    test::latch connected{1};

    explicit self_destroyer(die_in w) : where(w) {}

    void die()
    {
        holder->reset();
        dead = true;
        gone.count_down();
    }

    void note()
    {
        if(dead.load())
            ++after;
    }

    void on_connect(net::tcp_client& c) override
    {
        note();
        ++connects;
        if(where == die_in::on_connect)
            die();
        else
        {
            c.send(asio::buffer("ping", 4));
            connected.count_down();
        }
    }

    void on_data(net::tcp_client&, asio::const_buffer) override
    {
        note();
        ++datas;
        if(where == die_in::on_data && !dead.load())
            die();
    }

    void on_disconnect(net::tcp_client&) override
    {
        note();
        ++disconnects;
        if(where == die_in::on_disconnect)
            die();
    }

    void on_error(net::tcp_client&, error_code) override
    {
        note();
        ++errors;
        if(where == die_in::on_error)
            die();
    }
};

void destroy_in_callback(test::loop_config const& cfg, die_in where)
{
    event_loop loop(cfg.options());
    auto sh = std::make_shared<test::echo_handler>();
    net::tcp_server srv(test::local_config(), sh);
    srv.start(loop, token(1));
    test::loop_runner run(loop);
    auto h = std::make_shared<self_destroyer>(where);
    auto holder = std::make_unique<std::unique_ptr<net::tcp_client>>(
        std::make_unique<net::tcp_client>());
    h->holder = holder.get();
    test::endpoint ep = test::loopback(srv.local_endpoint());
    if(where == die_in::on_error)
    {
        // A port with no listener.
        test::fd_guard s(test::tcp_socket(AF_INET));
        BOOST_REQUIRE(test::bind_loopback(s.fd, ep));
    }
    (*holder)->connect(ep, h);
    (*holder)->start(loop, token(2));
    if(where == die_in::on_disconnect)
    {
        BOOST_REQUIRE(h->connected.wait_for(10s));
        BOOST_REQUIRE(test::eventually([&]{ return h->datas.load() > 0; }));
        (*holder)->disconnect();
    }
    BOOST_REQUIRE(h->gone.wait_for(10s));
    BOOST_TEST(!*holder);
    // The socket is closed: the server sees the connection end.
    BOOST_TEST(test::eventually([&]{ return srv.connection_count() == 0; }));
    // The handler is released once nothing can call it.
    BOOST_TEST(test::eventually([&]{ return h.use_count() == 1; }));
    BOOST_TEST(h->after.load() == 0);
    if(where == die_in::on_error)
    {
        BOOST_TEST(h->errors.load() == 1);
        BOOST_TEST(h->connects.load() == 0);
        BOOST_TEST(h->disconnects.load() == 0);
    }
    else
    {
        BOOST_TEST(h->connects.load() == 1);
        // The destructor called on_disconnect (nested), or it was the
        // callback that destroyed the client.
        BOOST_TEST(h->disconnects.load() == 1);
        BOOST_TEST(h->errors.load() == 0);
    }
}

// Two clients whose on_data run at the same time on two io threads each
// destroy the other client. Destruction on a thread of the loop does not
// wait for the other's handler, so neither waits for the other.
struct cross_destroyer : net::client_handler
{
    std::unique_ptr<net::tcp_client>* other = nullptr;
    std::atomic<int>* inside = nullptr;   // shared by the pair
    std::atomic<int> datas{0};
    std::atomic<int> disconnects{0};
    std::atomic<int> errors{0};
    std::atomic<bool> met{false};
    test::latch connected{1};
    test::latch done{1};
    bool rendezvous = true;

    void on_connect(net::tcp_client&) override { connected.count_down(); }

    void on_data(net::tcp_client&, asio::const_buffer) override
    {
        if(datas++ != 0)
            return;
        if(rendezvous)
        {
            // Wait (bounded) until the other on_data runs too.
            ++*inside;
            auto const end = std::chrono::steady_clock::now() + 10s;
            while(inside->load() < 2 && std::chrono::steady_clock::now() < end)
                std::this_thread::yield();
            met = inside->load() >= 2;
        }
        other->reset();
        done.count_down();
    }

    void on_disconnect(net::tcp_client&) override { ++disconnects; }
    void on_error(net::tcp_client&, error_code) override { ++errors; }
};

// Keeps the server's connections, so that the test sends a byte to both
// clients at once, once both are started (a connect completes in the
// kernel before start).
struct pair_trigger : net::network_handler
{
    std::mutex m;
    std::vector<net::connection_id> ids;
    std::optional<net::server_context> ctx;

    void on_connect(net::server_context& c, net::connection_id id) override
    {
        std::lock_guard<std::mutex> lk(m);
        ids.push_back(id);
        if(!ctx)
            ctx.emplace(c);
    }

    void on_data(net::server_context&, net::connection_id, asio::const_buffer) override {}

    bool fire()
    {
        std::lock_guard<std::mutex> lk(m);
        if(ids.size() < 2)
            return false;
        for(auto i : ids)
        {
            // In direct mode the first byte may already have made its
            // client destroy the other one, whose connection is gone.
            millio::error_code ec;
            ctx->send_to(i, asio::buffer("x", 1), ec);
        }
        ctx.reset();    // the copy holds the server (which holds this)
        return true;
    }
};

void destroy_each_other(test::loop_config const& cfg, int rounds)
{
    bool const concurrent = cfg.mode == millio::dispatch_mode::pool;
    event_loop loop(cfg.options(2));
    test::loop_runner run(loop);
    int met = 0;
    for(int r = 0; r < rounds; ++r)
    {
        // A server per round: a connection of an earlier round that the
        // server accepts late must not pair with one of this round.
        auto sh = std::make_shared<pair_trigger>();
        net::tcp_server srv(test::local_config(), sh);
        srv.start(loop, token(1));
        std::atomic<int> inside{0};
        auto ha = std::make_shared<cross_destroyer>();
        auto hb = std::make_shared<cross_destroyer>();
        auto a = std::make_unique<net::tcp_client>();
        auto b = std::make_unique<net::tcp_client>();
        ha->other = &b;
        hb->other = &a;
        ha->inside = hb->inside = &inside;
        // In direct mode the callbacks run one after the other: the first
        // destroys the other client, whose on_data then never runs.
        ha->rendezvous = hb->rendezvous = concurrent;
        a->connect(test::loopback(srv.local_endpoint()), ha);
        b->connect(test::loopback(srv.local_endpoint()), hb);
        a->start(loop, token(10));
        b->start(loop, token(11));
        BOOST_REQUIRE(test::eventually([&]{ return sh->fire(); }));
        if(concurrent)
        {
            BOOST_REQUIRE(ha->done.wait_for(20s));
            BOOST_REQUIRE(hb->done.wait_for(20s));
            met += ha->met && hb->met;
        }
        else
        {
            BOOST_REQUIRE(test::eventually([&]{
                return ha->done.try_wait() || hb->done.try_wait(); }));
            BOOST_TEST((!a || !b));
            // The survivor (if it connected at all) is destroyed here.
            a.reset();
            b.reset();
        }
        BOOST_TEST(!a);
        BOOST_TEST(!b);
        // on_disconnect once for every on_connect.
        BOOST_TEST(ha->disconnects.load() == (ha->connected.try_wait() ? 1 : 0));
        BOOST_TEST(hb->disconnects.load() == (hb->connected.try_wait() ? 1 : 0));
        if(concurrent)
            BOOST_TEST(ha->disconnects.load() + hb->disconnects.load() == 2);
        BOOST_TEST(ha->errors.load() + hb->errors.load() == 0);
        BOOST_TEST(test::eventually([&]{ return ha.use_count() == 1 && hb.use_count() == 1; }));
        BOOST_TEST(test::eventually([&]{ return srv.connection_count() == 0; }));
    }
    if(concurrent)
    {
        BOOST_TEST_MESSAGE(cfg.name() << ": the two on_data ran concurrently in "
            << met << " of " << rounds << " rounds");
        BOOST_TEST(met == rounds);
    }
}

// Destroyed from a thread outside the loop while on_data runs: the
// destructor waits for it, then calls on_disconnect.
struct slow_reader : net::client_handler
{
    std::atomic<bool> in_data{false};
    std::atomic<bool> overlap{false};
    std::atomic<int> disconnects{0};
    test::latch connected{1};
    test::latch entered{1};
    test::latch release{1};

    void on_connect(net::tcp_client&) override { connected.count_down(); }

    void on_data(net::tcp_client&, asio::const_buffer) override
    {
        in_data = true;
        entered.count_down();
        release.wait_for(300ms);    // keeps running while the destructor starts
        in_data = false;
    }

    void on_disconnect(net::tcp_client&) override
    {
        if(in_data.load())
            overlap = true;
        ++disconnects;
    }
};

void destroy_outside_while_running(test::loop_config const& cfg)
{
    event_loop loop(cfg.options());
    auto sh = std::make_shared<test::echo_handler>();
    net::tcp_server srv(test::local_config(), sh);
    srv.start(loop, token(1));
    test::loop_runner run(loop);
    auto h = std::make_shared<slow_reader>();
    auto c = std::make_unique<net::tcp_client>();
    c->connect(test::loopback(srv.local_endpoint()), h);
    c->start(loop, token(2));
    BOOST_REQUIRE(h->connected.wait_for(10s));
    c->send(asio::buffer("x", 1));
    BOOST_REQUIRE(h->entered.wait_for(10s));
    c.reset();
    // The destructor returned after on_data did, and called on_disconnect
    // after it.
    BOOST_TEST(!h->in_data.load());
    BOOST_TEST(!h->overlap.load());
    BOOST_TEST(h->disconnects.load() == 1);
    BOOST_TEST(test::eventually([&]{ return srv.connection_count() == 0; }));
}

// disconnect() flushes, sends the FIN and waits for the peer's: a peer
// that never closes is reset after the close time-out, reported with
// error::close_timeout, then on_disconnect; a peer that closes is not.
// The check's timer lives as long as the connection.
// Uploads `total` bytes as fast as the client takes them (resuming in
// on_writable after a refusal) and checks what comes back.
struct uploader : net::client_handler
{
    std::size_t total = 0;
    std::size_t sent = 0;                   // only touched by the handler
    std::atomic<std::size_t> received{0};
    std::atomic<std::size_t> bad{0};        // echoed bytes that differ
    std::atomic<int> errors{0};
    test::latch done;

    void pump(net::tcp_client& c)
    {
        std::vector<unsigned char> block(65536);
        while(sent < total)
        {
            std::size_t const n = (std::min)(block.size(), total - sent);
            test::fill_pattern(block.data(), n, 9, sent);
            error_code ec;
            c.send(asio::buffer(block.data(), n), ec);
            if(ec == make_error_code(millio::error::send_queue_full))
                return;     // on_writable resumes
            if(ec)
            {
                ++errors;
                return;
            }
            sent += n;
        }
    }

    void on_connect(net::tcp_client& c) override { pump(c); }
    void on_writable(net::tcp_client& c) override { pump(c); }

    void on_data(net::tcp_client&, asio::const_buffer b) override
    {
        auto const* p = static_cast<unsigned char const*>(b.data());
        std::size_t const at = received.load(std::memory_order_relaxed);
        for(std::size_t i = 0; i < b.size(); ++i)
            if(p[i] != test::pattern(9, at + i))
                bad.fetch_add(1, std::memory_order_relaxed);
        if(received.fetch_add(b.size()) + b.size() == total)
            done.count_down();
    }

    void on_error(net::tcp_client&, error_code) override { ++errors; }
};

// The client reads what its peer sends whatever its own send queue holds:
// against a server that echoes (and stops reading while its own queue to
// the client is full), an upload that keeps the client's queue at its
// high-water mark stalled when the client stopped reading too.
void upload_to_echo(test::loop_config const& cfg)
{
    event_loop loop(cfg.options());
    net::tcp_server srv(net::tcp_server_config::builder().address("127.0.0.1:0").build(),
        std::make_shared<test::echo_handler>());
    srv.start(loop, token(1));
    test::loop_runner run(loop);

    auto h = std::make_shared<uploader>();
    h->total = static_cast<std::size_t>((16u << 20) * (std::max)(test::scale(), 0.25));
    net::tcp_client c;
    c.connect(test::loopback(srv.local_endpoint()), h);
    c.start(loop, token(2));
    bool const ok = h->done.wait_for(60s);
    BOOST_TEST(ok, "echoed " << h->received.load() << " of " << h->total << " bytes");
    BOOST_TEST(h->bad.load() == 0u);
    BOOST_TEST(h->errors.load() == 0);
}

void close_timeout_case(test::loop_config const& cfg)
{
    auto const close_to = 300ms;
    event_loop loop(cfg.options());
    test::loop_runner run(loop);
    raw_listener peer_listener;
    for(bool peer_closes : {true, false})
    {
        BOOST_TEST_CONTEXT("peer closes: " << peer_closes)
        {
            std::size_t const base = loop.pending_timers();
            auto h = std::make_shared<recorder>();
            net::tcp_client_config ccfg;
            ccfg.close_timeout = close_to;
            ccfg.write_timeout = 0ms;
            net::tcp_client c(ccfg);
            c.connect(peer_listener.ep, h);
            c.start(loop, token(1));
            test::fd_guard peer(peer_listener.accept_one());
            BOOST_REQUIRE(peer.fd >= 0);
            BOOST_REQUIRE(h->connected.wait_for(10s));
            BOOST_TEST(loop.pending_timers() == base + 1);
            auto const t0 = std::chrono::steady_clock::now();
            c.disconnect();
            // The peer sees the FIN.
            bool eof = false;
            test::read_to_eof(peer.fd, 10s, &eof);
            BOOST_TEST(eof);
            if(peer_closes)
            {
                test::close_fd(peer.fd);
                peer.fd = -1;
            }
            BOOST_REQUIRE(h->disconnected.wait_for(10s));
            auto const took = std::chrono::steady_clock::now() - t0;
            if(peer_closes)
            {
                BOOST_TEST(h->errors.load() == 0);
                BOOST_TEST((took < close_to));
            }
            else
            {
                BOOST_TEST((took >= close_to));
                BOOST_TEST((took < close_to + 3s));
                BOOST_TEST(h->errors.load() == 1);
                std::lock_guard<std::mutex> lk(h->m);
                BOOST_TEST(h->last_error == millio::error::close_timeout);
            }
            BOOST_TEST(h->disconnects.load() == 1);
            BOOST_TEST(test::eventually([&]{ return loop.pending_timers() == base; }));
            if(!peer_closes)
            {
                // Reset: a write of the peer soon fails. (Not at once: with
                // io_uring the socket is released, and the reset sent, when
                // the ring drops its reference, just after the close.)
                char b = 'x';
                int err = 0;
                BOOST_TEST(test::eventually([&]{
                    if(test::send_fd(peer.fd, &b, 1) < 0)
                        err = test::socket_errno();
                    return err != 0;
                }, 10s));
                BOOST_TEST((err == ECONNRESET || err == EPIPE), std::strerror(err));
            }
        }
    }
}

// A peer that stops reading: the send queue fills and makes no progress;
// the connection is reset after the write time-out (not before, counted
// from the moment the queue filled up), reported with
// error::write_timeout, then on_disconnect.
void write_timeout_case(test::loop_config const& cfg)
{
    auto const write_to = 500ms;
    event_loop loop(cfg.options());
    test::loop_runner run(loop);
    raw_listener peer_listener;
    auto h = std::make_shared<recorder>();
    net::tcp_client_config ccfg;
    ccfg.write_timeout = write_to;
    ccfg.write_high_water_mark = 256 * 1024;
    ccfg.write_low_water_mark = 64 * 1024;
    net::tcp_client c(ccfg);
    c.connect(peer_listener.ep, h);
    c.start(loop, token(1));
    test::fd_guard peer(peer_listener.accept_one()); // never reads
    BOOST_REQUIRE(peer.fd >= 0);
    BOOST_REQUIRE(h->connected.wait_for(10s));
    std::vector<unsigned char> chunk(16384, 'w');
    error_code ec;
    // Fill the socket's buffers and the queue until refused. The queue
    // is empty before: no deadline starts before `t0`.
    auto const t0 = std::chrono::steady_clock::now();
    for(int guard = 0; guard < 100000; ++guard)
    {
        c.send(asio::buffer(chunk), ec);
        if(ec)
            break;
    }
    auto const refused = std::chrono::steady_clock::now();
    BOOST_REQUIRE(ec == millio::error::send_queue_full);
    BOOST_REQUIRE(h->disconnected.wait_for(20s));
    auto const now = std::chrono::steady_clock::now();
    BOOST_TEST((now - t0 >= write_to));
    // (The socket stops taking bytes soon after the refusal.)
    BOOST_TEST((now - refused < write_to + 3s));
    BOOST_TEST(h->errors.load() == 1);
    {
        std::lock_guard<std::mutex> lk(h->m);
        BOOST_TEST(h->last_error == millio::error::write_timeout, h->last_error.message());
    }
    BOOST_TEST(h->disconnects.load() == 1);
    BOOST_TEST(!c.is_connected());
}


} // (anon)

// The test cases (data test cases are classes) capture the helpers of the
// anonymous namespace: they are there too (-Wsubobject-linkage).
namespace {

BOOST_AUTO_TEST_SUITE(net_tcp_client)

BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(30))
BOOST_DATA_TEST_CASE(echo_ipv4, test::configs_dataset(), cfg)
{
    echo_roundtrip(cfg, "127.0.0.1:0");
}

BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(30))
BOOST_DATA_TEST_CASE(echo_ipv6, test::configs_dataset(), cfg)
{
    if(!have_ipv6())
    {
        BOOST_TEST_MESSAGE("::1 is not available; skipping the IPv6 test");
        return;
    }
    echo_roundtrip(cfg, "[::1]:0");
}

BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(30))
BOOST_DATA_TEST_CASE(connect_refused, test::configs_dataset(), cfg)
{
    // A port with no listener: bind one, and close it.
    int fd = test::tcp_socket(AF_INET);
    test::endpoint ep;
    BOOST_REQUIRE(test::bind_loopback(fd, ep));
    test::close_fd(fd);
    event_loop loop(cfg.options());
    test::loop_runner run(loop);
    auto h = std::make_shared<collect>();
    net::tcp_client c;
    c.connect(ep, h);
    c.start(loop, token(1));
    BOOST_TEST(h->done.wait_for(10s));
    BOOST_TEST(h->errors.load() == 1);
    BOOST_TEST(h->connects.load() == 0);
    BOOST_TEST(h->disconnects.load() == 0);
}

BOOST_AUTO_TEST_CASE(misuse, *test::if_any_config() * boost::unit_test::timeout(30))
{
    event_loop loop(test::all_configs()[0].options());
    error_code ec;
    {
        net::tcp_client c;
        c.start(loop, token(1), ec);
        BOOST_TEST(ec == make_error_code(millio::error::not_connected));
        c.send(asio::buffer("x", 1), ec);
        BOOST_TEST(ec == make_error_code(millio::error::not_connected));
        BOOST_CHECK_THROW(c.send(asio::buffer("x", 1)), millio::system_error);
    }
    BOOST_CHECK_THROW(net::tcp_client(0), millio::system_error);
    BOOST_CHECK_THROW(net::tcp_client(8192, 100, 100), millio::system_error);
    {
        // token collision with a user registration
        int p[2];
        BOOST_REQUIRE(test::make_pipe(p));
        loop.register_source(p[0], token(5), millio::interest::readable, [](millio::event const&){});
        net::tcp_client c;
        c.connect(test::endpoint(asio::ip::address_v4::loopback(), 9), std::make_shared<collect>());
        c.start(loop, token(5), ec);
        BOOST_TEST(ec == make_error_code(millio::error::token_in_use));
        c.start(loop, token(6), ec);
        BOOST_TEST(!ec);
        c.start(loop, token(7), ec);
        BOOST_TEST(ec == make_error_code(millio::error::already_started));
        loop.deregister_source(p[0], token(5));
        test::close_fd(p[0]);
        test::close_fd(p[1]);
    }
}

// A peer that does not read: send fails with send_queue_full once the
// queue would exceed the high-water mark, and queues nothing of that
// call; when the peer reads, on_writable fires once the queue is below
// the low-water mark, and every accepted byte arrives in order.
BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(90))
BOOST_DATA_TEST_CASE(send_queue_full_then_on_writable, test::configs_dataset(), cfg)
{
    back_pressure(cfg);
}

BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(90))
BOOST_DATA_TEST_CASE(disconnect_cancels_pending_connect, test::configs_dataset(), cfg)
{
    disconnect_pending(cfg);
}

BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(60))
BOOST_DATA_TEST_CASE(disconnect_races_connect, test::configs_dataset(), cfg)
{
    disconnect_race(cfg);
}

BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(60))
BOOST_DATA_TEST_CASE(connect_timeout_fires, test::configs_dataset(), cfg)
{
    connect_timeout(cfg);
}

BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(60))
BOOST_DATA_TEST_CASE(connect_timeout_timer_lifetime, test::configs_dataset(), cfg)
{
    connect_timeout_lifetime(cfg);
}

BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(60))
BOOST_DATA_TEST_CASE(destroyed_from_own_callbacks, test::configs_dataset(), cfg)
{
    for(auto where : {die_in::on_connect, die_in::on_data, die_in::on_disconnect, die_in::on_error})
    {
        BOOST_TEST_CONTEXT(name_of(where))
        destroy_in_callback(cfg, where);
    }
}

BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(90))
BOOST_DATA_TEST_CASE(clients_destroy_each_other, test::configs_dataset(), cfg)
{
    destroy_each_other(cfg, 20);
}

BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(30))
BOOST_DATA_TEST_CASE(destroyed_outside_the_loop_waits, test::configs_dataset(), cfg)
{
    destroy_outside_while_running(cfg);
}

BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(300))
BOOST_DATA_TEST_CASE(upload_to_an_echoing_server_does_not_stall, test::configs_dataset(), cfg)
{
    for(int i = 0; i < 3; ++i)
        upload_to_echo(cfg);
}

BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(60))
BOOST_DATA_TEST_CASE(close_timeout_resets_a_peer_that_never_closes, test::configs_dataset(), cfg)
{
    close_timeout_case(cfg);
}

BOOST_TEST_DECORATOR(*test::if_config_enabled() * boost::unit_test::timeout(90))
BOOST_DATA_TEST_CASE(write_timeout_resets_a_peer_that_stops_reading, test::configs_dataset(), cfg)
{
    write_timeout_case(cfg);
}

BOOST_AUTO_TEST_SUITE_END()

} // (anon)
