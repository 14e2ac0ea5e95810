//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_DETAIL_IMPL_AFD_BACKEND_IPP
#define BOOST_MILLIO_DETAIL_IMPL_AFD_BACKEND_IPP

#include <boost/millio/detail/afd_backend.hpp>
#include <boost/millio/detail/except.hpp>

#if defined(BOOST_MILLIO_HAS_AFD)

#include <winternl.h>

#include <chrono>
#include <cstddef>
#include <new>

namespace boost {
namespace millio {
namespace detail {

namespace afd {

// The interface of the AFD driver's poll request (undocumented, stable
// since Windows XP; the same definitions as wepoll, mio and libuv).
constexpr unsigned long poll_receive = 0x0001;
constexpr unsigned long poll_receive_expedited = 0x0002;
constexpr unsigned long poll_send = 0x0004;
constexpr unsigned long poll_disconnect = 0x0008;
constexpr unsigned long poll_abort = 0x0010;
constexpr unsigned long poll_local_close = 0x0020;
constexpr unsigned long poll_accept = 0x0080;
constexpr unsigned long poll_connect_fail = 0x0100;

constexpr unsigned long ioctl_poll = 0x00012024;

constexpr unsigned long read_events =
    poll_receive | poll_receive_expedited | poll_accept | poll_disconnect;
constexpr unsigned long write_events = poll_send;
// Always asked for: reported whatever the interest.
constexpr unsigned long final_events = poll_abort | poll_connect_fail | poll_local_close;

constexpr NTSTATUS status_success = 0;
constexpr NTSTATUS status_pending = 0x00000103;
constexpr NTSTATUS status_cancelled = static_cast<NTSTATUS>(0xC0000120);
constexpr NTSTATUS status_not_found = static_cast<NTSTATUS>(0xC0000225);

struct poll_handle_info
{
    HANDLE handle;
    ULONG events;
    NTSTATUS status;
};

struct poll_info
{
    LARGE_INTEGER timeout;
    ULONG number_of_handles;
    ULONG exclusive;
    poll_handle_info handles[1];
};

#ifndef SIO_BASE_HANDLE
# define SIO_BASE_HANDLE _WSAIOR(IOC_WS2, 34)
#endif
#ifndef SIO_BSP_HANDLE_POLL
# define SIO_BSP_HANDLE_POLL _WSAIOR(IOC_WS2, 29)
#endif

// The native API, from ntdll (loaded at run time: no import library).
struct nt_api
{
    using create_file_fn = NTSTATUS (NTAPI*)(PHANDLE, ACCESS_MASK, POBJECT_ATTRIBUTES,
        PIO_STATUS_BLOCK, PLARGE_INTEGER, ULONG, ULONG, ULONG, ULONG, PVOID, ULONG);
    using device_io_control_file_fn = NTSTATUS (NTAPI*)(HANDLE, HANDLE, PIO_APC_ROUTINE,
        PVOID, PIO_STATUS_BLOCK, ULONG, PVOID, ULONG, PVOID, ULONG);
    using cancel_io_file_ex_fn = NTSTATUS (NTAPI*)(HANDLE, PIO_STATUS_BLOCK, PIO_STATUS_BLOCK);
    using status_to_dos_error_fn = ULONG (NTAPI*)(NTSTATUS);

    create_file_fn create_file = nullptr;
    device_io_control_file_fn device_io_control_file = nullptr;
    cancel_io_file_ex_fn cancel_io_file_ex = nullptr;
    status_to_dos_error_fn status_to_dos_error = nullptr;

    template<class F>
    static void load(HMODULE m, char const* name, F& f) noexcept
    {
        // GetProcAddress returns a generic function pointer: cast through
        // void* to the real signature.
        f = reinterpret_cast<F>(reinterpret_cast<void*>(::GetProcAddress(m, name)));
    }

    nt_api() noexcept
    {
        HMODULE m = ::GetModuleHandleW(L"ntdll.dll");
        if(!m)
            return;
        load(m, "NtCreateFile", create_file);
        load(m, "NtDeviceIoControlFile", device_io_control_file);
        load(m, "NtCancelIoFileEx", cancel_io_file_ex);
        load(m, "RtlNtStatusToDosError", status_to_dos_error);
    }

    bool ok() const noexcept
    {
        return create_file && device_io_control_file && cancel_io_file_ex && status_to_dos_error;
    }

    static nt_api const& get() noexcept
    {
        static nt_api const api;
        return api;
    }
};

constexpr NTSTATUS status_invalid_handle = static_cast<NTSTATUS>(0xC0000008);
constexpr NTSTATUS status_object_type_mismatch = static_cast<NTSTATUS>(0xC0000024);

inline
void
assign_status(error_code& ec, NTSTATUS st) noexcept
{
    // A closed socket, or a handle that is no socket (the value of a
    // closed socket taken by another object since, an event or a thread:
    // seen under Wine, whose SIO_BASE_HANDLE did not refuse it): what
    // EBADF says on POSIX.
    if(st == status_invalid_handle || st == status_object_type_mismatch)
        ec = make_error_code(system::errc::bad_file_descriptor);
    else
        assign_win32(ec, nt_api::get().status_to_dos_error(st));
}

inline
unsigned long
to_afd(interest i) noexcept
{
    unsigned long e = 0;
    if(has_interest(i, interest::readable))
        e |= read_events;
    if(has_interest(i, interest::writable))
        e |= write_events;
    return e;
}

// The socket the AFD driver knows: below any layered service provider.
inline
HANDLE
base_handle(SOCKET s, error_code& ec) noexcept
{
    SOCKET base = INVALID_SOCKET;
    DWORD bytes = 0;
    // A provider that intercepts polling answers SIO_BSP_HANDLE_POLL
    // with a handle other than its own.
    if(::WSAIoctl(s, SIO_BSP_HANDLE_POLL, nullptr, 0, &base, sizeof(base),
            &bytes, nullptr, nullptr) != SOCKET_ERROR && base != INVALID_SOCKET && base != s)
        return reinterpret_cast<HANDLE>(base);
    if(::WSAIoctl(s, SIO_BASE_HANDLE, nullptr, 0, &base, sizeof(base),
            &bytes, nullptr, nullptr) == SOCKET_ERROR || base == INVALID_SOCKET)
    {
        int const e = ::WSAGetLastError();
        // Not a socket (closed, or never one): what EBADF says on POSIX.
        if(e == WSAENOTSOCK || e == ERROR_INVALID_HANDLE || e == WSAEBADF)
            ec = make_error_code(system::errc::bad_file_descriptor);
        else
            assign_win32(ec, static_cast<unsigned long>(e));
        return nullptr;
    }
    return reinterpret_cast<HANDLE>(base);
}

// The current writability of a socket: a zero-timeout select() of one
// socket, a level probe (the waiting is done by the poll requests).
inline
bool
writable_now(SOCKET s) noexcept
{
    fd_set w;
    FD_ZERO(&w);
    FD_SET(s, &w);
    timeval tv{0, 0};
    return ::select(0, nullptr, &w, nullptr, &tv) == 1;
}

} // afd

struct afd_backend::entry
{
    // First: a completion's lpOverlapped is the address of the status
    // block given with its request, which is this entry's address.
    IO_STATUS_BLOCK iosb;
    afd::poll_info info;
    IO_STATUS_BLOCK cancel_iosb;
    std::uint64_t key;
    SOCKET sock;
    HANDLE base;
    unsigned long want;         // the events of the interest
    unsigned long armed;        // asked for: want minus reported and parked
    unsigned long submitted = 0;// asked for by the request in flight
    bool pending = false;       // a request is in flight
    bool cancelling = false;    // ... and was cancelled
    bool hung = false;          // a reset or failed connect was reported
    bool gone = false;          // closed while registered
    bool read_done = false;     // the peer's shutdown was reported
    bool removed = false;       // owned by its request now
};

static_assert(offsetof(afd_backend::entry, iosb) == 0,
    "the status block is the entry's address");

afd_backend::
afd_backend(std::size_t cap)
    : buf_(cap + 1)
{
    error_code ec;
    if(int const e = winsock_init::instance().result())
    {
        assign_win32(ec, static_cast<unsigned long>(e));
        throw_system_error(ec);
    }
    afd::nt_api const& nt = afd::nt_api::get();
    if(!nt.ok())
        throw_system_error(make_error_code(system::errc::function_not_supported));
    iocp_ = ::CreateIoCompletionPort(INVALID_HANDLE_VALUE, nullptr, 0, 1);
    if(!iocp_)
    {
        assign_win32(ec, ::GetLastError());
        throw_system_error(ec);
    }
    // Any name below \Device\Afd opens the driver.
    wchar_t name[] = L"\\Device\\Afd\\MillIO";
    UNICODE_STRING us;
    us.Length = static_cast<USHORT>((sizeof(name) - sizeof(wchar_t)));
    us.MaximumLength = static_cast<USHORT>(sizeof(name));
    us.Buffer = name;
    OBJECT_ATTRIBUTES attr;
    InitializeObjectAttributes(&attr, &us, 0, nullptr, nullptr);
    IO_STATUS_BLOCK iosb{};
    HANDLE h = nullptr;
    NTSTATUS st = nt.create_file(&h, SYNCHRONIZE, &attr, &iosb, nullptr, 0,
        FILE_SHARE_READ | FILE_SHARE_WRITE, FILE_OPEN, 0, nullptr, 0);
    if(st != afd::status_success)
    {
        afd::assign_status(ec, st);
        ::CloseHandle(iocp_);
        throw_system_error(ec);
    }
    afd_ = h;
    if(!::CreateIoCompletionPort(afd_, iocp_, 1, 0) ||
        !::SetFileCompletionNotificationModes(afd_, FILE_SKIP_SET_EVENT_ON_HANDLE))
    {
        assign_win32(ec, ::GetLastError());
        ::CloseHandle(afd_);
        ::CloseHandle(iocp_);
        throw_system_error(ec);
    }
}

afd_backend::
~afd_backend()
{
    // The driver writes into the entries of requests in flight until
    // their completions: cancel them and dequeue those completions.
    {
        std::lock_guard<std::mutex> lk(m_);
        for(auto& kv : entries_)
        {
            entry& e = *kv.second;
            if(e.pending && !e.cancelling)
            {
                e.cancelling = true;
                afd::nt_api::get().cancel_io_file_ex(afd_, &e.iosb, &e.cancel_iosb);
            }
            if(e.pending)
            {
                e.removed = true;
                kv.second.release();    // owned by its request
            }
        }
        entries_.clear();
    }
    auto const deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    for(;;)
    {
        {
            std::lock_guard<std::mutex> lk(m_);
            if(in_flight_ == 0)
                break;
        }
        if(std::chrono::steady_clock::now() > deadline)
            break;  // leak what the driver may still write into
        ULONG n = 0;
        if(!::GetQueuedCompletionStatusEx(iocp_, buf_.data(),
                static_cast<ULONG>(buf_.size()), &n, 100, FALSE))
            continue;
        std::lock_guard<std::mutex> lk(m_);
        for(ULONG i = 0; i < n; ++i)
            if(buf_[i].lpOverlapped)
                dequeued(reinterpret_cast<entry*>(buf_[i].lpOverlapped), nullptr);
    }
    ::CloseHandle(afd_);
    ::CloseHandle(iocp_);
}

// Issues a poll request for `events`. On failure the entry is left
// without one (a closed socket: `gone`).
bool
afd_backend::
submit(entry& e, unsigned long events, error_code& ec) noexcept
{
    e.info.timeout.QuadPart = INT64_MAX;
    e.info.number_of_handles = 1;
    e.info.exclusive = FALSE;
    e.info.handles[0].handle = e.base;
    e.info.handles[0].events = events;
    e.info.handles[0].status = 0;
    e.iosb.Status = afd::status_pending;
    e.iosb.Information = 0;
    NTSTATUS const st = afd::nt_api::get().device_io_control_file(
        afd_, nullptr, nullptr, &e.iosb, &e.iosb, afd::ioctl_poll,
        &e.info, sizeof(e.info), &e.info, sizeof(e.info));
    if(st != afd::status_pending && st != afd::status_success)
    {
        // No completion follows a request that failed at once.
        afd::assign_status(ec, st);
        return false;
    }
    // Completed at once or not: the completion is queued to the port.
    e.pending = true;
    e.cancelling = false;
    e.submitted = events;
    ++in_flight_;
    return true;
}

// Makes the request in flight ask for what the entry wants.
void
afd_backend::
update(entry& e) noexcept
{
    if(e.removed || e.hung || e.gone)
        return;
    unsigned long const events = e.armed | afd::final_events;
    if(e.pending)
    {
        // A request asking for less is replaced: its cancelled
        // completion issues the new one. One asking for more has its
        // extra conditions filtered out when it completes.
        if((events & ~e.submitted) != 0 && !e.cancelling)
        {
            e.cancelling = true;
            afd::nt_api::get().cancel_io_file_ex(afd_, &e.iosb, &e.cancel_iosb);
        }
        return;
    }
    error_code ec;
    if(!submit(e, events, ec))
        e.gone = true;
}

// A request of `e` completed. Returns the event flags to report.
unsigned
afd_backend::
complete(entry& e) noexcept
{
    NTSTATUS const st = e.iosb.Status;
    if(st == afd::status_cancelled)
        return 0;
    if(st < 0)
    {
        // the socket is not valid any more (closed while registered)
        e.gone = true;
        return 0;
    }
    unsigned long const ev = e.info.number_of_handles != 0 ? e.info.handles[0].events : 0;
    if(ev & afd::poll_local_close)
    {
        e.gone = true;
        return 0;
    }
    unsigned long const fired = ev & e.armed;
    unsigned b = 0;
    if(fired & (afd::poll_receive | afd::poll_receive_expedited | afd::poll_accept))
        b |= event::flag_readable;
    if(fired & afd::poll_disconnect)
        b |= event::flag_readable | event::flag_read_closed;
    if(fired & afd::poll_send)
        b |= event::flag_writable;
    if(ev & afd::poll_abort)
        b |= event::flag_error | event::flag_read_closed | event::flag_write_closed;
    if(ev & afd::poll_connect_fail)
    {
        b |= event::flag_error | event::flag_write_closed;
        if(e.want & afd::write_events)
            b |= event::flag_writable;
    }
    // A direction that fired is asked for no more until rearm (asking
    // again for its other conditions would only mean cancelling that
    // request when the handler returns).
    if(fired & afd::read_events)
        e.armed &= ~afd::read_events;
    if(fired & afd::write_events)
        e.armed &= ~afd::write_events;
    if(fired & afd::poll_disconnect)
    {
        // nothing can arrive after the peer's shutdown
        e.read_done = true;
        e.armed &= ~afd::read_events;
    }
    if(ev & (afd::poll_abort | afd::poll_connect_fail))
        e.hung = true;
    return b;
}

// With m_ held: the completion of a request of `e` was dequeued.
void
afd_backend::
dequeued(entry* e, std::vector<ready_event>* out) noexcept
{
    --in_flight_;
    e->pending = false;
    e->cancelling = false;
    if(e->removed)
    {
        delete e;
        return;
    }
    unsigned const bits = complete(*e);
    if(bits != 0 && out)
        out->push_back({e->key, bits});
    // What is still asked for is asked for again at once; after a
    // report with nothing left, rearm() does it when the handler has
    // returned.
    if(bits == 0 || e->armed != 0)
        update(*e);
}

void
afd_backend::
add(int fd, std::uint64_t key, interest i, error_code& ec)
{
    SOCKET const s = to_socket(fd);
    HANDLE const base = afd::base_handle(s, ec);
    if(ec)
        return;
    std::unique_ptr<entry> p;
    try
    {
        p.reset(new entry());
    }
    catch(std::bad_alloc const&)
    {
        ec = make_error_code(system::errc::not_enough_memory);
        return;
    }
    p->key = key;
    p->sock = s;
    p->base = base;
    p->want = afd::to_afd(i);
    p->armed = p->want;
    std::lock_guard<std::mutex> lk(m_);
    try
    {
        entries_.reserve(entries_.size() + 1);
    }
    catch(std::bad_alloc const&)
    {
        ec = make_error_code(system::errc::not_enough_memory);
        return;
    }
    if(!submit(*p, p->armed | afd::final_events, ec))
        return;
    entries_.emplace(key, std::move(p));
}

void
afd_backend::
modify(int, std::uint64_t key, interest i, error_code& ec)
{
    std::lock_guard<std::mutex> lk(m_);
    auto it = entries_.find(key);
    if(it == entries_.end())
    {
        ec = make_error_code(error::not_registered);
        return;
    }
    // Every condition of the new interest is asked for afresh.
    entry& e = *it->second;
    e.want = afd::to_afd(i);
    e.armed = e.want;
    e.hung = false;
    e.gone = false;
    e.read_done = false;
    update(e);
}

void
afd_backend::
remove(int, std::uint64_t key) noexcept
{
    std::lock_guard<std::mutex> lk(m_);
    auto it = entries_.find(key);
    if(it == entries_.end())
        return;
    entry* e = it->second.get();
    if(e->pending)
    {
        // Owned by its request from now on; freed when dequeued.
        e->removed = true;
        if(!e->cancelling)
        {
            e->cancelling = true;
            afd::nt_api::get().cancel_io_file_ex(afd_, &e->iosb, &e->cancel_iosb);
        }
        it->second.release();
    }
    entries_.erase(it);
}

void
afd_backend::
wait(std::vector<ready_event>& out, std::size_t cap, std::int64_t timeout_ns, error_code& ec)
{
    if(cap > buf_.size())
        cap = buf_.size();
    // The port is waited on in whole milliseconds. Rounded up, a
    // deadline 1.1 ms away would be met 0.9 ms late, and the wait itself
    // ends some time after its timeout (under Wine, a few hundred
    // microseconds). Rounded to the nearest millisecond instead: a wait
    // that ends before the deadline is followed by one for the rest
    // (the loop computes the timeout again from the timers), and a rest
    // below half a millisecond is polled until it is over or a
    // completion arrives. A timer never runs early, and the rounding
    // makes it at most half a millisecond late.
    using clock = std::chrono::steady_clock;
    std::int64_t const half_ms = 500000;
    bool const poll_rest = timeout_ns > 0 && timeout_ns < half_ms;
    clock::time_point const end = poll_rest ?
        clock::now() + std::chrono::nanoseconds(timeout_ns) : clock::time_point();
    DWORD const ms = timeout_ns < 0 ? INFINITE : static_cast<DWORD>(
        timeout_ns >= 0x7fffffffLL * 1000000 ? 0x7fffffff : (timeout_ns + half_ms) / 1000000);
    ULONG n = 0;
    for(;;)
    {
        if(::GetQueuedCompletionStatusEx(iocp_, buf_.data(), static_cast<ULONG>(cap), &n,
                ms, FALSE))
            break;
        DWORD const err = ::GetLastError();
        if(err != WAIT_TIMEOUT)
        {
            assign_win32(ec, err);
            return;
        }
        if(!poll_rest || clock::now() >= end)
            return;
    }
    std::lock_guard<std::mutex> lk(m_);
    for(ULONG i = 0; i < n; ++i)
    {
        OVERLAPPED_ENTRY const& c = buf_[i];
        if(!c.lpOverlapped)
        {
            // the waker; a wake() from now on posts again
            wake_pending_.store(false, std::memory_order_seq_cst);
            out.push_back({0, 0});
            continue;
        }
        dequeued(reinterpret_cast<entry*>(c.lpOverlapped), &out);
    }
}

void
afd_backend::
wake() noexcept
{
    // One packet in the port at a time is enough to end a wait.
    if(wake_pending_.exchange(true, std::memory_order_seq_cst))
        return;
    if(!::PostQueuedCompletionStatus(iocp_, 0, 0, nullptr))
        wake_pending_.store(false, std::memory_order_seq_cst);
}

void
afd_backend::
rearm(std::uint64_t key) noexcept
{
    std::lock_guard<std::mutex> lk(m_);
    auto it = entries_.find(key);
    if(it == entries_.end())
        return;
    entry& e = *it->second;
    if(e.gone || e.hung)
        return;
    // Readability again: bytes left unread, or that arrived after the
    // handler read until WSAEWOULDBLOCK, are reported again.
    if(!e.read_done)
        e.armed |= e.want & afd::read_events;
    // Writability that is low was consumed (the handler filled the send
    // buffer): its return is the next edge. High, it stays parked.
    unsigned long const parked = e.want & afd::write_events & ~e.armed;
    if(parked != 0 && !afd::writable_now(e.sock))
        e.armed |= parked;
    update(e);
}

void
afd_backend::
would_block(std::uint64_t key, interest i) noexcept
{
    std::lock_guard<std::mutex> lk(m_);
    auto it = entries_.find(key);
    if(it == entries_.end())
        return;
    entry& e = *it->second;
    if(e.gone || e.hung)
        return;
    unsigned long add = afd::to_afd(i) & e.want & ~e.armed;
    if(e.read_done)
        add &= ~afd::read_events;
    if(add == 0)
        return;
    e.armed |= add;
    update(e);
}

} // detail
} // millio
} // boost

#endif

#endif
