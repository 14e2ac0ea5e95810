//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

/*
    Watches a directory with inotify, registered with the reactor like
    any other descriptor, and reports created, modified and deleted files.
    Linux only (inotify); the build files leave it out elsewhere.

    Usage: file_watcher [--threads N] [DIRECTORY]
           file_watcher --self-test

    Runs until SIGINT or SIGTERM. --self-test watches a new temporary
    directory, creates, modifies and deletes a file in it, checks that the
    three events were reported in that order and exits (0 on success).
*/

#if !defined(__linux__)
# error "file_watcher is Linux-only: it watches directories with inotify"
#endif

#include <boost/millio/event_loop.hpp>
#include <boost/millio/signal_set.hpp>

#include <atomic>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <sys/inotify.h>
#include <unistd.h>

namespace millio = boost::millio;

//[example_file_watcher_handler
// Reads every pending inotify record; the handler is edge-triggered, so it
// reads until the descriptor would block.
class watcher : public millio::event_handler
{
    int fd_;
    std::function<void(std::string const&, std::string const&)> report_;

public:
    watcher(int fd, std::function<void(std::string const&, std::string const&)> report)
        : fd_(fd), report_(std::move(report)) {}

    void handle_event(millio::event const&) override
    {
        alignas(inotify_event) char buf[8192];
        for(;;)
        {
            ssize_t n = ::read(fd_, buf, sizeof(buf));
            if(n <= 0)
                return; // EAGAIN: everything read
            for(char* p = buf; p < buf + n;)
            {
                auto* ev = reinterpret_cast<inotify_event*>(p);
                std::string name = ev->len ? ev->name : "";
                if(ev->mask & IN_CREATE)
                    report_("created", name);
                if(ev->mask & IN_CLOSE_WRITE)
                    report_("modified", name);
                if(ev->mask & (IN_DELETE | IN_MOVED_FROM))
                    report_("deleted", name);
                p += sizeof(inotify_event) + ev->len;
            }
        }
    }
};
//]

int main(int argc, char** argv)
{
    std::size_t threads = 0;
    bool self_test = false;
    std::string dir = ".";
    for(int i = 1; i < argc; ++i)
    {
        std::string a = argv[i];
        if(a == "--threads" && i + 1 < argc) threads = std::stoul(argv[++i]);
        else if(a == "--self-test") self_test = true;
        else if(!a.empty() && a[0] != '-') dir = a;
        else
        {
            std::cerr << "usage: file_watcher [--threads N] [DIRECTORY] | --self-test\n";
            return 2;
        }
    }
    if(self_test)
    {
        char tmpl[] = "/tmp/millio_watch_XXXXXX";
        if(!::mkdtemp(tmpl))
        {
            std::perror("mkdtemp");
            return 1;
        }
        dir = tmpl;
    }

    millio::event_loop_options opt;
    opt.io_threads = threads;
    millio::event_loop loop(opt);
    millio::signal_set signals(loop, {SIGINT, SIGTERM});
    signals.stop_loop_on_signal();

    //[example_file_watcher_register
    int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if(fd < 0 || ::inotify_add_watch(fd, dir.c_str(),
        IN_CREATE | IN_CLOSE_WRITE | IN_DELETE | IN_MOVED_FROM) < 0)
    {
        std::perror("inotify");
        return 1;
    }
    std::mutex m;
    std::condition_variable cv;
    std::vector<std::string> seen;
    loop.register_source(fd, millio::token(1), millio::interest::readable,
        watcher(fd, [&](std::string const& what, std::string const& name) {
            std::cout << what << ": " << name << std::endl;
            std::lock_guard<std::mutex> lk(m);
            seen.push_back(what + " " + name);
            cv.notify_all();
        }));
    std::cout << "watching " << dir << std::endl;
    //]

    if(!self_test)
    {
        loop.run();
        loop.deregister_source(fd, millio::token(1));
        ::close(fd);
        return 0;
    }

    std::thread t([&]{ loop.run(); });
    std::string const file = dir + "/hello.txt";
    auto wait_for = [&](std::string const& what) {
        std::unique_lock<std::mutex> lk(m);
        return cv.wait_for(lk, std::chrono::seconds(5), [&]{
            for(auto const& s : seen)
                if(s == what)
                    return true;
            return false;
        });
    };
    bool ok = true;
    {
        int f = ::open(file.c_str(), O_CREAT | O_WRONLY, 0600);
        ok = ok && f >= 0 && wait_for("created hello.txt");
        ok = ok && ::write(f, "data", 4) == 4;
        ::close(f);
        ok = ok && wait_for("modified hello.txt");
        ::unlink(file.c_str());
        ok = ok && wait_for("deleted hello.txt");
    }
    loop.stop();
    t.join();
    loop.deregister_source(fd, millio::token(1));
    ::close(fd);
    ::rmdir(dir.c_str());
    std::cout << (ok ? "self-test passed" : "self-test FAILED") << std::endl;
    return ok ? 0 : 1;
}
