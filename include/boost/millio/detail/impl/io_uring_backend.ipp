//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_DETAIL_IMPL_IO_URING_BACKEND_IPP
#define BOOST_MILLIO_DETAIL_IMPL_IO_URING_BACKEND_IPP

#include <boost/millio/detail/io_uring_backend.hpp>
#include <boost/millio/detail/uring_hooks.hpp>
#include <boost/millio/detail/except.hpp>

#if defined(BOOST_MILLIO_HAS_IO_URING)

#include <cerrno>
#include <new>

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/mman.h>

namespace boost {
namespace millio {
namespace detail {

namespace {

// The largest key that fits above the generation; the loop's keys count
// up from 1 and never get near it.
constexpr std::uint64_t io_uring_max_key = (std::uint64_t(1) << 48) - 2;

// Submission queue entries: the sends and receives of the connections
// are queued until the next wait, and a full queue costs a submission
// of its own.
constexpr unsigned io_uring_sq_entries = 1024;

} // (anon)

void
io_uring_backend::
thread_begin() noexcept
{
    // One registration per thread: a loop run from another loop's
    // handler waits with the plain descriptor.
    uring_thread_ring& tr = uring_this_thread();
    if(tr.owner != 0 || ring_fd_refused_.load(std::memory_order_relaxed))
        return;
    io_uring_rsrc_update u{};
    u.offset = ~0u;     // any free index
    u.data = static_cast<std::uint64_t>(ring_.ring_fd);
    if(::io_uring_register(static_cast<unsigned>(ring_.ring_fd), IORING_REGISTER_RING_FDS, &u, 1) != 1)
    {
        // Before 5.18, or the thread's table is full.
        ring_fd_refused_.store(true, std::memory_order_relaxed);
        return;
    }
    tr.owner = id_;
    tr.index = u.offset;
    uring_stats().ring_fds_registered.fetch_add(1, std::memory_order_relaxed);
}

void
io_uring_backend::
thread_end() noexcept
{
    // The registration holds the ring open: it goes with the turn.
    uring_thread_ring& tr = uring_this_thread();
    if(tr.owner != id_)
        return;
    io_uring_rsrc_update u{};
    u.offset = tr.index;
    ::io_uring_register(static_cast<unsigned>(ring_.ring_fd), IORING_UNREGISTER_RING_FDS, &u, 1);
    tr = uring_thread_ring{};
    uring_stats().ring_fds_unregistered.fetch_add(1, std::memory_order_relaxed);
}

unsigned
io_uring_backend::
to_poll(interest i) noexcept
{
    unsigned e = POLLRDHUP;
    if(has_interest(i, interest::readable))
        e |= POLLIN | POLLPRI;
    if(has_interest(i, interest::writable))
        e |= POLLOUT;
    return e;
}

unsigned
io_uring_backend::
from_poll(unsigned e) noexcept
{
    unsigned b = 0;
    if(e & (POLLIN | POLLPRI))
        b |= event::flag_readable;
    if(e & POLLOUT)
        b |= event::flag_writable;
    if(e & (POLLERR | POLLNVAL))
        b |= event::flag_error | event::flag_write_closed;
    if(e & POLLHUP)
        b |= event::flag_read_closed | event::flag_write_closed;
    if(e & POLLRDHUP)
        b |= event::flag_read_closed;
    return b;
}

unsigned
io_uring_backend::
probe_features() noexcept
{
    // A ring of its own (the loop's completion queue belongs to the
    // thread in wait()): register a ring of one buffer, then arm a
    // multishot receive on a socket pair and send it a byte. Kernels
    // before 5.19 refuse the registration (EINVAL); before 6.0 the
    // receive fails with EINVAL (an unknown flag) or ends at once.
    static unsigned const probed = [] {
        unsigned f = 0;
        io_uring r;
        if(::io_uring_queue_init(4, &r, 0) < 0)
            return f;
        long const page = ::sysconf(_SC_PAGESIZE);
        std::size_t const len = page > 0 ? static_cast<std::size_t>(page) : 4096;
        void* mem = ::mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
        if(mem != MAP_FAILED)
        {
            auto* br = static_cast<io_uring_buf_ring*>(mem);
            ::io_uring_buf_ring_init(br);
            io_uring_buf_reg reg{};
            reg.ring_addr = reinterpret_cast<std::uintptr_t>(mem);
            reg.ring_entries = 1;
            reg.bgid = 0;
            if(::io_uring_register_buf_ring(&r, &reg, 0) == 0)
            {
                // Multishot accept came with the buffer rings (5.19).
                f |= uring_feature_buf_ring | uring_feature_accept_multishot;
                static_assert(sizeof(io_uring_buf) <= 64, "the buffer below fits the page");
                unsigned char* buf = static_cast<unsigned char*>(mem) + len / 2;
                ::io_uring_buf_ring_add(br, buf, 64, 0, ::io_uring_buf_ring_mask(1), 0);
                ::io_uring_buf_ring_advance(br, 1);
                int sv[2];
                if(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) == 0)
                {
                    if(io_uring_sqe* sqe = ::io_uring_get_sqe(&r))
                    {
                        ::io_uring_prep_recv_multishot(sqe, sv[0], nullptr, 0, 0);
                        sqe->flags |= IOSQE_BUFFER_SELECT;
                        sqe->buf_group = 0;
                        ::io_uring_sqe_set_data64(sqe, 1);
                        if(::io_uring_submit(&r) == 1)
                        {
                            char const one = 1;
                            ssize_t const w = ::write(sv[1], &one, 1);
                            io_uring_cqe* cqe = nullptr;
                            __kernel_timespec ts{1, 0};
                            if(w == 1 && ::io_uring_wait_cqe_timeout(&r, &cqe, &ts) == 0 && cqe)
                            {
                                if(cqe->res == 1 && (cqe->flags & IORING_CQE_F_MORE) != 0)
                                    f |= uring_feature_recv_multishot;
                                ::io_uring_cqe_seen(&r, cqe);
                            }
                        }
                    }
                    // Closing the ring below cancels the receive.
                    ::close(sv[0]);
                    ::close(sv[1]);
                }
                ::io_uring_queue_exit(&r);
                ::munmap(mem, len);
                return f;
            }
            ::munmap(mem, len);
        }
        ::io_uring_queue_exit(&r);
        return f;
    }();
    return probed;
}

io_uring_backend::
io_uring_backend(std::size_t cap)
    : id_(uring_next_backend_id())
    , cap_(cap)
    , features_(uring_features())
{
    io_uring_params p{};
    // Completions that do not fit are kept by the kernel (IORING_FEAT_NODROP)
    // and flushed by the next io_uring_enter; a queue larger than the
    // batch keeps that rare.
    std::size_t const cq = cap * 2 < 4096 ? 4096 : cap * 2;
    auto const init = [&](unsigned flags) {
        p = io_uring_params{};
        p.flags = IORING_SETUP_CQSIZE | IORING_SETUP_CLAMP | flags;
        p.cq_entries = static_cast<unsigned>(cq > 65536 ? 65536 : cq);
        return ::io_uring_queue_init_params(io_uring_sq_entries, &ring_, &p);
    };
    // Cooperative task work (5.19; see the class's notes), else without.
    int r = init(IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG);
    if(r == -EINVAL)
        r = init(0);
    if(r < 0)
        throw_system_error(error_code(-r, system::system_category()));
    // Multishot polls (5.13, announced by IORING_FEAT_RSRC_TAGS), waits
    // with a timeout and no submission (IORING_FEAT_EXT_ARG, 5.11), no
    // lost completions (IORING_FEAT_NODROP, 5.5).
    unsigned const need = IORING_FEAT_NODROP | IORING_FEAT_EXT_ARG | IORING_FEAT_RSRC_TAGS;
    if((p.features & need) != need)
    {
        ::io_uring_queue_exit(&ring_);
        throw_system_error(make_error_code(system::errc::function_not_supported));
    }
    efd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if(efd_ < 0)
    {
        error_code ec;
        assign_errno(ec, errno);
        ::io_uring_queue_exit(&ring_);
        throw_system_error(ec);
    }
    try
    {
        entries_.reserve(64);
    }
    catch(...)
    {
        ::close(efd_);
        ::io_uring_queue_exit(&ring_);
        throw;
    }
    // Submitted by the first wait, whose thread then runs its wake-ups.
    // A wake before that leaves the counter non-zero, which the poll
    // reports as soon as it is armed.
    std::lock_guard<std::mutex> lk(m_);
    arm_waker();
}

io_uring_backend::
~io_uring_backend()
{
    // The threads that ran the loop have ended their turns (each gave
    // back its registration); this one too, should it hold one.
    thread_end();
    // The kernel may write into the buffers of a request in flight (and
    // read those of a send) until its last completion: cancel them and
    // wait for those completions before anything is freed.
    drain_inflight();
    {
        std::vector<ready_event> ignored;
        for(uring_completion* c = take_starved(true); c;)
        {
            uring_completion* next = c->next_;
            c->next_ = nullptr;
            c->buffers_available(ignored);
            c = next;
        }
    }
    if(buf_ring_)
    {
        ::io_uring_unregister_buf_ring(&ring_, 0);
        ::munmap(buf_ring_, buf_count_ * sizeof(io_uring_buf));
    }
    if(bulk_ring_)
    {
        ::io_uring_unregister_buf_ring(&ring_, 1);
        ::munmap(bulk_ring_, bulk_count_ * sizeof(io_uring_buf));
    }
    // Closing the ring cancels every armed poll.
    ::io_uring_queue_exit(&ring_);
    ::close(efd_);
    delete[] slab_;
    delete[] bulk_slab_;
}

void
io_uring_backend::
drain_inflight() noexcept
{
    std::vector<ready_event> ignored;
    std::lock_guard<std::mutex> lk(m_);
    if(!inflight_)
        return;
    if(io_uring_sqe* sqe = get_sqe())
    {
        ::io_uring_prep_cancel64(sqe, 0, IORING_ASYNC_CANCEL_ANY);
        ::io_uring_sqe_set_data64(sqe, ignore_tag);
    }
    submit();
    // Bounded: a cancelled request completes at once.
    for(int i = 0; inflight_ && i < 1000; ++i)
    {
        __kernel_timespec ts{0, 1000000};
        io_uring_cqe* cqe = nullptr;
        int r = ::io_uring_wait_cqe_timeout(&ring_, &cqe, &ts);
        if(r < 0 && r != -ETIME && r != -EINTR)
            break;
        unsigned head;
        unsigned seen = 0;
        io_uring_for_each_cqe(&ring_, head, cqe)
        {
            ignored.clear();
            std::uint64_t const ud = cqe->user_data;
            if(ud != ignore_tag && (ud & op_bit) != 0)
                process(*cqe, ignored);
            ++seen;
        }
        ::io_uring_cq_advance(&ring_, seen);
    }
    // What did not complete in time is given up: its owner is released
    // as if it had been cancelled (the ring's exit cancels it for good).
    while(inflight_)
    {
        uring_completion* c = inflight_;
        inflight_ = c->next_;
        if(inflight_)
            inflight_->prev_ = nullptr;
        c->next_ = nullptr;
        ignored.clear();
        c->complete(-ECANCELED, 0, ignored);
    }
}

namespace {

// A provided buffer ring of `n` buffers of `size` bytes from `slab`,
// registered as group `group`; null if the kernel refuses it.
io_uring_buf_ring*
make_buffer_ring(io_uring& ring, unsigned n, std::size_t size, unsigned char* slab, unsigned group) noexcept
{
    // Page-aligned memory shared with the kernel
    // (IORING_REGISTER_PBUF_RING, 5.19).
    void* mem = ::mmap(nullptr, n * sizeof(io_uring_buf), PROT_READ | PROT_WRITE,
        MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
    if(mem == MAP_FAILED)
        return nullptr;
    auto* br = static_cast<io_uring_buf_ring*>(mem);
    ::io_uring_buf_ring_init(br);
    io_uring_buf_reg reg{};
    reg.ring_addr = reinterpret_cast<std::uintptr_t>(mem);
    reg.ring_entries = n;
    reg.bgid = static_cast<std::uint16_t>(group);
    if(::io_uring_register_buf_ring(&ring, &reg, 0) != 0)
    {
        ::munmap(mem, n * sizeof(io_uring_buf));
        return nullptr;
    }
    unsigned const mask = static_cast<unsigned>(::io_uring_buf_ring_mask(n));
    for(unsigned i = 0; i < n; ++i)
        ::io_uring_buf_ring_add(br, slab + std::size_t(i) * size,
            static_cast<unsigned>(size), static_cast<unsigned short>(i), mask, static_cast<int>(i));
    ::io_uring_buf_ring_advance(br, static_cast<int>(n));
    return br;
}

} // (anon)

bool
io_uring_backend::
setup_buffers() noexcept
{
    if(buf_ring_)
        return true;
    if(buf_failed_)
        return false;
    // About half a batch of completions in buffers, a power of two, and
    // no more than fit in a core's second-level cache (64 x 8 KiB): the
    // kernel takes the ring's buffers in turn, so each buffer of the
    // slab is written once per turn, and a larger slab makes every
    // receive's copy a cache miss (measured: bench/net_cpu.sh, 4 x 64 KiB).
    unsigned n = 16;
    while(n < cap_ / 2 && n < 64)
        n *= 2;
    // The bulk ring: 8 buffers of 64 KiB (the same 512 KiB), for the
    // connections that receive streams: a large message then arrives in
    // one completion and leaves in one segment of a send.
    unsigned const nb = 8;
    unsigned char* slab = new(std::nothrow) unsigned char[n * buf_size_];
    if(!slab)
        return false;
    try
    {
        buf_meta_.assign(2 * std::size_t(n + nb), 0);
    }
    catch(...)
    {
        delete[] slab;
        return false;
    }
    io_uring_buf_ring* br = make_buffer_ring(ring_, n, buf_size_, slab, 0);
    if(!br)
    {
        delete[] slab;
        buf_failed_ = true;
        return false;
    }
    // Without the bulk ring, every receive uses group 0.
    unsigned char* bulk = new(std::nothrow) unsigned char[nb * bulk_size_];
    io_uring_buf_ring* bbr = bulk ? make_buffer_ring(ring_, nb, bulk_size_, bulk, 1) : nullptr;
    if(!bbr)
    {
        delete[] bulk;
        bulk = nullptr;
    }
    slab_ = slab;
    buf_count_ = n;
    bulk_slab_ = bulk;
    bulk_count_ = bbr ? nb : 0;
    {
        std::lock_guard<std::mutex> blk(buf_m_);
        in_ring_ = n;
        bulk_in_ring_ = bulk_count_;
    }
    bulk_ring_ = bbr;
    buf_ring_ = br;
    return true;
}

bool
io_uring_backend::
buffers_ready() noexcept
{
    unsigned const need = uring_feature_buf_ring | uring_feature_recv_multishot;
    if((features_ & need) != need)
        return false;
    std::lock_guard<std::mutex> lk(m_);
    return setup_buffers();
}

bool
io_uring_backend::
accept_ready() const noexcept
{
    return (features_ & uring_feature_accept_multishot) != 0;
}

void
io_uring_backend::
give_back(unsigned bid) noexcept
{
    bool wake_loop = false;
    {
        std::lock_guard<std::mutex> lk(buf_m_);
        if(is_bulk(bid))
        {
            // Nobody waits for bulk buffers: a receive that finds the
            // bulk ring empty goes on with group 0.
            ::io_uring_buf_ring_add(bulk_ring_, buffer(bid), static_cast<unsigned>(bulk_size_),
                static_cast<unsigned short>(bid - buf_count_), ::io_uring_buf_ring_mask(bulk_count_), 0);
            ::io_uring_buf_ring_advance(bulk_ring_, 1);
            ++bulk_in_ring_;
            return;
        }
        ::io_uring_buf_ring_add(buf_ring_, buffer(bid), static_cast<unsigned>(buf_size_),
            static_cast<unsigned short>(bid), ::io_uring_buf_ring_mask(buf_count_), 0);
        ::io_uring_buf_ring_advance(buf_ring_, 1);
        ++in_ring_;
        if(starved_ && !starved_woken_)
        {
            // The thread in wait() hands the buffers to those waiting;
            // it may be blocked.
            starved_woken_ = true;
            wake_loop = true;
        }
    }
    if(wake_loop)
        wake();
}

unsigned
io_uring_backend::
buffers_in_ring(bool bulk) noexcept
{
    std::lock_guard<std::mutex> lk(buf_m_);
    return bulk ? bulk_in_ring_ : in_ring_;
}

void
io_uring_backend::
wait_for_buffers(uring_completion* c) noexcept
{
    // Newest first: all are armed again in one submission, in this order,
    // and the first take the buffers. The connection that ran dry first
    // is usually the one that emptied the ring (a stream); those that
    // ran dry after it (small messages) then go before it.
    std::lock_guard<std::mutex> lk(buf_m_);
    c->prev_ = nullptr;
    c->next_ = starved_;
    if(starved_)
        starved_->prev_ = c;
    starved_ = c;
    c->starved_ = true;
}

bool
io_uring_backend::
forget_starved(uring_completion* c) noexcept
{
    std::lock_guard<std::mutex> lk(buf_m_);
    if(!c->starved_)
        return false;
    if(c->prev_)
        c->prev_->next_ = c->next_;
    else
        starved_ = c->next_;
    if(c->next_)
        c->next_->prev_ = c->prev_;
    c->prev_ = c->next_ = nullptr;
    c->starved_ = false;
    return true;
}

// The requests waiting for buffers, as a list through next_, if the ring
// holds a buffer again (or `all`); they wait no longer.
uring_completion*
io_uring_backend::
take_starved(bool all) noexcept
{
    std::lock_guard<std::mutex> lk(buf_m_);
    starved_woken_ = false;
    if(!starved_ || (!all && in_ring_ == 0))
        return nullptr;
    uring_completion* list = starved_;
    starved_ = nullptr;
    for(uring_completion* c = list; c; c = c->next_)
    {
        c->prev_ = nullptr;
        c->starved_ = false;
    }
    return list;
}

// Called with m_ held: an entry for `c`, which is then in flight.
io_uring_sqe*
io_uring_backend::
op_sqe(uring_completion* c) noexcept
{
    io_uring_sqe* sqe = get_sqe();
    if(!sqe)
        return nullptr;
    c->prev_ = nullptr;
    c->next_ = inflight_;
    if(inflight_)
        inflight_->prev_ = c;
    inflight_ = c;
    return sqe;
}

bool
io_uring_backend::
accept_multishot(int fd, uring_completion* c) noexcept
{
    std::lock_guard<std::mutex> lk(m_);
    io_uring_sqe* sqe = op_sqe(c);
    if(!sqe)
        return false;
    ::io_uring_prep_multishot_accept(sqe, fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    ::io_uring_sqe_set_data64(sqe, reinterpret_cast<std::uintptr_t>(c) | op_bit);
    queued();
    return true;
}

bool
io_uring_backend::
recv_multishot(int fd, uring_completion* c, bool bulk) noexcept
{
    std::lock_guard<std::mutex> lk(m_);
    io_uring_sqe* sqe = op_sqe(c);
    if(!sqe)
        return false;
    ::io_uring_prep_recv_multishot(sqe, fd, nullptr, 0, 0);
    sqe->flags |= IOSQE_BUFFER_SELECT;
    sqe->buf_group = (bulk && bulk_ring_) ? 1 : 0;
    ::io_uring_sqe_set_data64(sqe, reinterpret_cast<std::uintptr_t>(c) | op_bit);
    queued();
    return true;
}

bool
io_uring_backend::
send(int fd, void const* p, std::size_t n, uring_completion* c) noexcept
{
    std::lock_guard<std::mutex> lk(m_);
    io_uring_sqe* sqe = op_sqe(c);
    if(!sqe)
        return false;
    ::io_uring_prep_send(sqe, fd, p, n, MSG_NOSIGNAL);
    ::io_uring_sqe_set_data64(sqe, reinterpret_cast<std::uintptr_t>(c) | op_bit);
    queued();
    return true;
}

bool
io_uring_backend::
sendmsg(int fd, ::msghdr const* m, uring_completion* c) noexcept
{
    std::lock_guard<std::mutex> lk(m_);
    io_uring_sqe* sqe = op_sqe(c);
    if(!sqe)
        return false;
    ::io_uring_prep_sendmsg(sqe, fd, m, MSG_NOSIGNAL);
    ::io_uring_sqe_set_data64(sqe, reinterpret_cast<std::uintptr_t>(c) | op_bit);
    queued();
    return true;
}

void
io_uring_backend::
cancel(uring_completion* c) noexcept
{
    std::lock_guard<std::mutex> lk(m_);
    if(io_uring_sqe* sqe = get_sqe())
    {
        ::io_uring_prep_cancel64(sqe, reinterpret_cast<std::uintptr_t>(c) | op_bit, 0);
        ::io_uring_sqe_set_data64(sqe, ignore_tag);
    }
    submit();
}

// Called with m_ held. Null only if the queue stays full after a submit.
io_uring_sqe*
io_uring_backend::
get_sqe() noexcept
{
    io_uring_sqe* sqe = ::io_uring_get_sqe(&ring_);
    for(int i = 0; !sqe && i < 4; ++i)
    {
        submit();
        sqe = ::io_uring_get_sqe(&ring_);
    }
    return sqe;
}

// Called with m_ held. A submission the kernel did not take (EBUSY,
// EAGAIN) stays in the queue; wait() submits it again.
int
io_uring_backend::
submit() noexcept
{
    for(;;)
    {
        int r = ::io_uring_submit(&ring_);
        if(r != -EINTR)
            return r < 0 ? r : 0;
    }
}

// Called with m_ held: publishes the prepared requests to the kernel
// without entering it, and returns how many it has not taken yet.
unsigned
io_uring_backend::
flush() noexcept
{
    io_uring_sq& sq = ring_.sq;
    unsigned const tail = sq.sqe_tail;
    if(sq.sqe_head != tail)
    {
        sq.sqe_head = tail;
        io_uring_smp_store_release(sq.ktail, tail);
    }
    return tail - io_uring_smp_load_acquire(sq.khead);
}

// Called with m_ held after requests were queued: the next wait()
// submits them; a thread blocked in wait() must wake up to do so.
void
io_uring_backend::
queued() noexcept
{
    if(in_wait_ && !woken_)
    {
        woken_ = true;
        wake();
    }
}

// Called with m_ held.
void
io_uring_backend::
arm(int fd, std::uint64_t key, unsigned events, std::uint16_t gen, io_uring_sqe* sqe) noexcept
{
    ::io_uring_prep_poll_multishot(sqe, fd, events);
    ::io_uring_sqe_set_data64(sqe, tag(key, gen));
}

// Called with m_ held.
void
io_uring_backend::
arm_waker() noexcept
{
    if(io_uring_sqe* sqe = get_sqe())
        arm(efd_, 0, POLLIN, waker_gen_, sqe);
}

void
io_uring_backend::
add(int fd, std::uint64_t key, interest i, error_code& ec)
{
    // A poll on a bad descriptor fails in its completion, which the
    // caller never sees: check it here, as epoll_ctl does.
    if(::fcntl(fd, F_GETFD) < 0)
    {
        assign_errno(ec, errno);
        return;
    }
    if(key > io_uring_max_key)
    {
        ec = make_error_code(system::errc::value_too_large);
        return;
    }
    std::lock_guard<std::mutex> lk(m_);
    entry* e;
    try
    {
        e = &entries_.emplace(key, entry{fd, to_poll(i), 0, true}).first->second;
    }
    catch(std::bad_alloc const&)
    {
        ec = make_error_code(system::errc::not_enough_memory);
        return;
    }
    io_uring_sqe* sqe = get_sqe();
    if(!sqe)
    {
        entries_.erase(key);
        ec = make_error_code(system::errc::resource_unavailable_try_again);
        return;
    }
    arm(fd, key, e->events, e->gen, sqe);
    queued();
}

void
io_uring_backend::
modify(int fd, std::uint64_t key, interest i, error_code& ec)
{
    if(::fcntl(fd, F_GETFD) < 0)
    {
        assign_errno(ec, errno);
        return;
    }
    std::lock_guard<std::mutex> lk(m_);
    auto it = entries_.find(key);
    if(it == entries_.end())
    {
        ec = make_error_code(error::not_registered);
        return;
    }
    entry& e = it->second;
    if(e.armed)
    {
        io_uring_sqe* sqe = get_sqe();
        if(!sqe)
        {
            ec = make_error_code(system::errc::resource_unavailable_try_again);
            return;
        }
        ::io_uring_prep_cancel64(sqe, tag(key, e.gen), 0);
        ::io_uring_sqe_set_data64(sqe, ignore_tag);
        e.armed = false;
    }
    // A new generation: what the old poll still posts is dropped. The
    // new poll reads the current levels when armed, so the readiness
    // that holds is reported afresh (as EPOLL_CTL_MOD does).
    ++e.gen;
    e.fd = fd;
    e.events = to_poll(i);
    io_uring_sqe* sqe = get_sqe();
    if(!sqe)
    {
        queued();
        ec = make_error_code(system::errc::resource_unavailable_try_again);
        return;
    }
    arm(fd, key, e.events, e.gen, sqe);
    e.armed = true;
    queued();
}

void
io_uring_backend::
remove(int, std::uint64_t key) noexcept
{
    std::lock_guard<std::mutex> lk(m_);
    auto it = entries_.find(key);
    if(it == entries_.end())
        return;
    if(it->second.armed)
    {
        // IORING_OP_ASYNC_CANCEL, not IORING_OP_POLL_REMOVE: a poll whose
        // wake-up is being processed refuses a removal (-EALREADY) and
        // would stay armed; a cancellation marks it, and the processing
        // ends it. Submitted at once: the cancelled poll drops its
        // reference to the file, so that the caller's close() closes it.
        if(io_uring_sqe* sqe = get_sqe())
        {
            ::io_uring_prep_cancel64(sqe, tag(key, it->second.gen), 0);
            ::io_uring_sqe_set_data64(sqe, ignore_tag);
        }
    }
    // Later completions of this key find no entry and are dropped.
    entries_.erase(it);
    submit();
}

// Called with m_ held, by the thread in wait().
void
io_uring_backend::
process(io_uring_cqe const& cqe, std::vector<ready_event>& out) noexcept
{
    std::uint64_t const ud = cqe.user_data;
    if(ud == ignore_tag)
        return;
    if(ud & op_bit)
    {
        auto* c = reinterpret_cast<uring_completion*>(static_cast<std::uintptr_t>(ud & ~op_bit));
        if((cqe.flags & IORING_CQE_F_MORE) == 0)
        {
            // The request's last completion: unlinked before complete(),
            // which may destroy `c`.
            if(c->prev_)
                c->prev_->next_ = c->next_;
            else
                inflight_ = c->next_;
            if(c->next_)
                c->next_->prev_ = c->prev_;
            c->prev_ = c->next_ = nullptr;
        }
        c->complete(cqe.res, cqe.flags, out);
        return;
    }
    std::uint64_t const key = ud >> key_shift;
    auto const gen = static_cast<std::uint16_t>(ud & 0xffff);
    bool const more = (cqe.flags & IORING_CQE_F_MORE) != 0;
    int const res = cqe.res;
    if(key == 0)
    {
        if(gen != waker_gen_)
            return;
        out.push_back({0, 0});
        if(!more)
        {
            ++waker_gen_;
            arm_waker();
        }
        return;
    }
    auto it = entries_.find(key);
    if(it == entries_.end())
        return; // removed
    entry& e = it->second;
    if(!e.armed || gen != e.gen)
        return; // an earlier arming (modified since)
    if(res > 0)
    {
        unsigned const bits = from_poll(static_cast<unsigned>(res));
        if(bits != 0)
            out.push_back({key, bits});
    }
    if(more)
        return;
    if(res >= 0 || res == -ECANCELED)
    {
        // The poll ended by itself (its completion could not be posted,
        // or the thread that armed it exited): arm it again. It reads
        // the current levels, so no readiness is lost.
        if(io_uring_sqe* sqe = get_sqe())
        {
            ++e.gen;
            arm(e.fd, key, e.events, e.gen, sqe);
        }
        else
            e.armed = false;
        return;
    }
    // The poll could not be armed (a descriptor closed before it was):
    // reported once, then left out until modified.
    e.armed = false;
    out.push_back({key, event::flag_error | event::flag_write_closed});
}

void
io_uring_backend::
wait(std::vector<ready_event>& out, std::size_t cap, std::int64_t timeout_ns, error_code& ec)
{
    std::size_t const first = out.size();
    // The requests that found the buffer ring empty, if it has buffers
    // again: their owners submit them again (not before: they would fail
    // at once, again and again).
    bool woke = false;
    for(uring_completion* c = take_starved(false); c;)
    {
        uring_completion* next = c->next_;
        c->next_ = nullptr;
        c->buffers_available(out);
        woke = true;
        c = next;
    }
    unsigned to_submit;
    bool block;
    {
        std::lock_guard<std::mutex> lk(m_);
        to_submit = flush();
        // The completion queue's head moves on this thread only.
        block = !woke && timeout_ns != 0 && ::io_uring_cq_ready(&ring_) == 0;
        in_wait_ = block;
        woken_ = false;
    }
    if(to_submit != 0 || ::io_uring_cq_ready(&ring_) == 0 || ::io_uring_cq_has_overflow(&ring_)
        || (IO_URING_READ_ONCE(*ring_.sq.kflags) & IORING_SQ_TASKRUN) != 0)
    {
        __kernel_timespec ts{};
        io_uring_getevents_arg arg{};
        if(timeout_ns >= 0)
        {
            ts.tv_sec = timeout_ns / 1000000000;
            ts.tv_nsec = timeout_ns % 1000000000;
            arg.ts = reinterpret_cast<std::uint64_t>(&ts);
        }
        // Submits the queued requests (and those another thread queued
        // meanwhile are submitted by it or by the next wait), then waits.
        unsigned fd = static_cast<unsigned>(ring_.ring_fd);
        unsigned flags = IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG;
        uring_thread_ring const& tr = uring_this_thread();
        if(tr.owner == id_)
        {
            fd = tr.index;
            flags |= IORING_ENTER_REGISTERED_RING;
        }
        int const r = ::io_uring_enter2(fd, to_submit, block ? 1 : 0, flags,
            reinterpret_cast<sigset_t*>(&arg), sizeof(arg));
        if(r < 0 && r != -EINTR && r != -ETIME && r != -EBUSY && r != -EAGAIN)
        {
            std::lock_guard<std::mutex> lk(m_);
            in_wait_ = false;
            assign_errno(ec, -r);
            return;
        }
    }
    std::lock_guard<std::mutex> lk(m_);
    in_wait_ = false;
    unsigned head;
    unsigned seen = 0;
    io_uring_cqe* cqe;
    io_uring_for_each_cqe(&ring_, head, cqe)
    {
        // stop when the batch is full: the rest is read by the next wait
        std::size_t n = out.size() - first;
        if(n >= cap)
            break;
        process(*cqe, out);
        ++seen;
    }
    ::io_uring_cq_advance(&ring_, seen);
    // Polls armed again are submitted by the next wait.
}

void
io_uring_backend::
wake() noexcept
{
    std::uint64_t one = 1;
    // write() is async-signal-safe; EAGAIN (a counter at its maximum)
    // means a wake is pending anyway.
    ssize_t r = ::write(efd_, &one, sizeof(one));
    (void)r;
}

} // detail
} // millio
} // boost

#endif

#endif
