//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_DETAIL_TIMER_QUEUE_HPP
#define BOOST_MILLIO_DETAIL_TIMER_QUEUE_HPP

#include <boost/millio/detail/config.hpp>
#include <boost/millio/detail/operation.hpp>
#include <boost/millio/error.hpp>

#include <chrono>
#include <cstdint>
#include <atomic>
#include <exception>
#include <functional>
#include <memory>
#include <limits>
#include <mutex>
#include <new>
#include <ratio>
#include <type_traits>
#include <utility>
#include <vector>

namespace boost {
namespace millio {
namespace detail {

/*  Converts `d` to nanoseconds, saturating at nanoseconds::min() and
    max() instead of overflowing (a delay of hours::max() must not wrap
    to a negative one). Returns false, leaving `out` alone, if `d` is not
    a number.
*/
template<class Rep, class Period>
bool
to_nanoseconds_saturated(
    std::chrono::duration<Rep, Period> d,
    std::chrono::nanoseconds& out) noexcept
{
    using ns = std::chrono::nanoseconds;
    using cf = std::ratio_divide<Period, std::nano>;
    using rep = ns::rep;
    // The value in nanoseconds, exact enough to compare with the limits.
    long double const x = static_cast<long double>(d.count()) *
        static_cast<long double>(cf::num) / static_cast<long double>(cf::den);
    if(x != x)
        return false;
    // A little inside the range of rep, so that the exact conversion
    // below cannot overflow; what lies beyond is hundreds of years.
    constexpr long double limit = 9.2e18L;
    if(x >= limit)
    {
        out = ns::max();
        return true;
    }
    if(x <= -limit)
    {
        out = ns::min();
        return true;
    }
    if constexpr(std::chrono::treat_as_floating_point<Rep>::value)
        out = ns(static_cast<rep>(x));
    else if constexpr(cf::den == 1)
        out = ns(static_cast<rep>(d.count()) * static_cast<rep>(cf::num));
    else if constexpr(cf::num == 1)
        out = ns(static_cast<rep>(d.count() / static_cast<Rep>(cf::den)));
    else
        out = ns(static_cast<rep>(x));
    return true;
}

class timer_queue;

/*  One timer: its callable, deadline and period, its state, and, while
    its firing is queued or runs, that firing (the operation the
    scheduler runs). Nodes belong to their queue, which keeps them in
    chunks and reuses them: a timer id is the index of its node and the
    node's generation. The callable lives in the node when it fits
    `buffer_size` bytes (the first 16 share the cache line of the other
    fields), else in an allocation the node owns.

    `word_` (generation, state, periodic flag) is the field a cancel
    reads and a firing writes without the queue's mutex: a firing takes
    its collected timer from pending to running, a cancel takes it to
    cancelled, and the compare-and-swap of each decides which came
    first. The node, and its
    other fields, belong to whoever holds it in turn: the adder, the
    queue (under its mutex), the firing, the free stack.
*/
struct alignas(64) timer_node : operation
{
    // call == true: invoke the callable; false: destroy it.
    using manage_type = void (*)(timer_node*, bool call);

    enum : std::uint32_t
    {
        unused = 0,     // free, or about to be
        incoming,       // added, not yet in the heap
        pending,        // in the heap, or collected: its firing is queued
        running,        // the firing started
        cancelled,      // cancelled while queued, incoming or running

        state_mask = 0x7f,
        periodic = 0x80,
        gen_shift = 8   // generations 1 to 2^24 - 1; 0: retired
    };

    timer_queue* queue_ = nullptr;
    manage_type manage_ = nullptr;
    std::int64_t deadline_ = 0;     // nanoseconds of timer_queue::clock
    std::int64_t period_ = 0;       // zero for a one-shot timer
    std::atomic<std::uint32_t> word_{1u << gen_shift};
    std::uint32_t index_ = 0;

    static constexpr std::size_t buffer_size = 80;
    alignas(16) unsigned char buf_[buffer_size];

    timer_node() noexcept
        : operation(&timer_node::on_complete)
    {
    }

    static std::uint32_t state_of(std::uint32_t w) noexcept { return w & state_mask; }

    static std::uint32_t with_state(std::uint32_t w, std::uint32_t st) noexcept
    {
        return (w & ~std::uint32_t(state_mask)) | st;
    }

private:
    BOOST_MILLIO_DECL static void on_complete(operation* op, bool destroy);
};

static_assert(sizeof(timer_node) == 128, "");

template<class F>
void
timer_inline_manage(timer_node* n, bool call)
{
    F* f = std::launder(reinterpret_cast<F*>(n->buf_));
    if(call)
        (*f)();
    else
        f->~F();
}

template<class F>
void
timer_heap_manage(timer_node* n, bool call)
{
    F* f = *std::launder(reinterpret_cast<F**>(n->buf_));
    if(call)
        (*f)();
    else
        delete f;
}

/*  Constructs the callable of `n` from `f`.

    @throws std::bad_alloc, or what the callable's constructor throws
    (`n` is then left without a callable).
*/
template<class F>
void
emplace_timer_callable(timer_node* n, F&& f)
{
    using D = typename std::decay<F>::type;
    if constexpr(sizeof(D) <= timer_node::buffer_size && alignof(D) <= 16)
    {
        ::new(static_cast<void*>(n->buf_)) D(std::forward<F>(f));
        n->manage_ = &timer_inline_manage<D>;
    }
    else
    {
        D* p = new D(std::forward<F>(f));
        ::new(static_cast<void*>(n->buf_)) D*(p);
        n->manage_ = &timer_heap_manage<D>;
    }
}

template<class T>
struct is_std_function : std::false_type {};

template<class R, class... A>
struct is_std_function<std::function<R(A...)>> : std::true_type {};

// True for a null function pointer and an empty std::function.
template<class F>
bool
is_null_callable(F const& f) noexcept
{
    using D = typename std::decay<F>::type;
    if constexpr(std::is_pointer<D>::value)
        return static_cast<D>(f) == nullptr;
    else if constexpr(is_std_function<D>::value)
        return !f;
    else
        return false;
}

/*  The timers of one event loop.

    The poller asks for the time until the next deadline before it waits
    (wait_timeout) and collects the firings that are due after the wait
    (collect_due): each is the timer's node, an operation that the
    scheduler runs where handlers run.

    Pending timers sit in a 4-ary heap of (deadline, node index); a
    dense array holds each node's position, so a cancel removes its entry
    in O(log n): no lazy deletion, no rebuilds. A timer leaves the heap
    when it is collected; a periodic timer goes back when its callback
    returned, so its invocations never overlap.

    An add never waits for the mutex: it pops a free node, builds the
    callable in it, and inserts it into the heap if the mutex is free
    (try_lock), else pushes it on a lock-free stack of incoming timers,
    which the next holder of the mutex (the poller before it waits or
    collects, a cancel of one of them) moves into the heap. Collecting a
    due timer does not touch its node: the timer stays pending, out of
    the heap. Its firing takes it from pending to running with one
    compare-and-swap on the node; a cancel under the mutex takes it (or
    an incoming one) to cancelled with another.
    A one-shot firing takes no lock either: it gives the node a new
    generation, so that the id of the timer names nothing, and returns
    it. The poller takes the mutex only when timers are incoming or due.
    No user code (a callback or a callable's constructor or destructor)
    runs with the mutex held.
*/
class timer_queue
{
public:
    using clock = std::chrono::steady_clock;

    // What a timer needs from the loop that owns it.
    class owner
    {
    public:
        // A deadline earlier than the current wait's was scheduled.
        virtual void interrupt_wait() noexcept = 0;
        virtual void report_exception(std::exception_ptr) noexcept = 0;

    protected:
        ~owner() = default;
    };

    explicit timer_queue(owner& o) noexcept;
    ~timer_queue();

    timer_queue(timer_queue const&) = delete;
    timer_queue& operator=(timer_queue const&) = delete;

    // A free node, for emplace_timer_callable and then add.
    // Throws std::bad_alloc.
    BOOST_MILLIO_DECL timer_node* allocate();

    // Gives back a node from allocate() that has no callable.
    BOOST_MILLIO_DECL void deallocate(timer_node* n) noexcept;

    // Schedule the callable of `n` `delay` after `start` (negative:
    // `start`; a deadline beyond the clock's range: never), then every
    // `period` (zero: once). Takes ownership of `n`. Returns the timer's
    // id (never 0), or 0 with `ec` set, `n` destroyed. Sets `wake` if the
    // current wait must be interrupted.
    // @throws std::bad_alloc (`n` destroyed).
    std::uint64_t
    add(clock::time_point start,
        std::chrono::nanoseconds delay,
        std::chrono::nanoseconds period,
        timer_node* n,
        bool& wake,
        error_code& ec);

    // Returns true if the timer was active: for a one-shot timer, its
    // callback had not started and never will; for a periodic one, no
    // invocation starts after this returns (one may be running).
    bool cancel(std::uint64_t id) noexcept;

    // One-shot timers not yet collected nor cancelled, and periodic
    // timers not cancelled.
    std::size_t size() const noexcept;

    // The wait timeout for readiness in nanoseconds (negative: none),
    // `base` shortened to the next deadline.
    std::int64_t wait_timeout(std::int64_t base);

    // Appends the firings of due timers to `out` (at most max_collect).
    void collect_due(std::vector<operation*>& out);

    // Destroys every pending timer without running it; later calls to
    // add fail with error::shut_down. Queued firings are left to the
    // scheduler, which runs or destroys them.
    void shutdown() noexcept;

private:
    friend struct timer_node;

    static constexpr std::size_t arity = 4;

    // At most this many firings per collect_due: their nodes are still
    // in the cache when they run, and a burst of due timers alternates
    // with readiness. The rest is due at the next wait, which then does
    // not block.
    static constexpr std::size_t max_collect = 256;

    // Nodes come in chunks of 64 << k for k = 0, 1, ...: chunk k starts
    // at index 64 * (2^k - 1), and 26 chunks hold 2^32 - 64 nodes.
    static constexpr std::size_t first_chunk = 64;
    static constexpr std::size_t max_chunks = 26;

    struct heap_entry
    {
        std::int64_t deadline;
        std::uint32_t node;
        bool periodic;
    };

    static std::int64_t now_ns() noexcept;
    void fire(timer_node* n, bool destroy) noexcept;

    timer_node* node_at(std::uint32_t i) const noexcept;
    std::atomic<std::uint32_t>& link_at(std::uint32_t i) const noexcept;
    static std::uint32_t retire(timer_node* n) noexcept;
    void push(std::atomic<std::uint64_t>& stack, std::uint32_t first, std::uint32_t last) noexcept;
    bool take_returned() noexcept;
    void release(timer_node* n) noexcept;
    void grow_locked();
    std::uint32_t merge_locked() noexcept;
    void release_chain(std::uint32_t dead) noexcept;
    void push_locked(std::uint32_t i, std::int64_t deadline, bool periodic) noexcept;
    bool in_heap_locked(std::uint32_t i) const noexcept;
    bool publish_earliest_locked() noexcept;
    void remove_locked(std::size_t i) noexcept;
    void up_locked(std::size_t i, heap_entry e) noexcept;
    void down_locked(std::size_t i, heap_entry e) noexcept;

    owner& owner_;
    mutable std::mutex mutex_;
    std::vector<heap_entry> heap_;
    std::vector<std::uint32_t> pos_;        // heap position of each pending node
    std::unique_ptr<timer_node[]> chunks_[max_chunks];
    // The links of the free stack (the next free node's index + 1), by
    // node: a dense array, which a pop reads to prefetch the nodes of
    // the next ones.
    std::unique_ptr<std::atomic<std::uint32_t>[]> links_[max_chunks];
    std::size_t node_count_ = 0;
    std::atomic<std::uint32_t> node_limit_{0};  // node_count_, for allocate
    // Timers that may enter the heap, but the incoming ones; the heap
    // always has room for all of them.
    std::size_t live_ = 0;
    std::atomic<bool> shut_down_{false};
    std::int64_t earliest_seen_ = (std::numeric_limits<std::int64_t>::max)();

    // The free nodes: two stacks of (tag << 32 | index + 1), pushed and
    // popped without the mutex; the tag changes on each change. Adders
    // pop `free_`; firings and cancels push `returned_`, which an adder
    // takes whole when `free_` is empty. The adder then owns the line of
    // `free_`, and the firings contend only among themselves.
    alignas(BOOST_MILLIO_CACHELINE)
    std::atomic<std::uint64_t> free_{0};
    alignas(BOOST_MILLIO_CACHELINE)
    std::atomic<std::uint64_t> returned_{0};

    // Added timers not yet in the heap: a stack (index + 1) that adders
    // push when the mutex is taken, and that a holder of the mutex takes
    // whole into the heap (merge_locked). So an add never waits for the
    // poller, which holds the mutex while it collects due timers.
    alignas(BOOST_MILLIO_CACHELINE)
    std::atomic<std::uint32_t> incoming_{0};

    // Read without the mutex by the poller, which takes the mutex only
    // when timers are incoming or due. A wait publishes its deadline
    // before it reads the incoming stack and the earliest deadline; an
    // add pushes its timer (or publishes a new earliest deadline) before
    // it reads the wait's deadline: one of the two sees the other.
    alignas(BOOST_MILLIO_CACHELINE)
    std::atomic<std::int64_t> earliest_{(std::numeric_limits<std::int64_t>::max)()};
    // The deadline of the current wait for readiness: max while a wait
    // has no deadline (or is computing it), min while no wait is in
    // progress (a new timer then needs no wake-up: the next wait sees it).
    std::atomic<std::int64_t> poll_deadline_{(std::numeric_limits<std::int64_t>::min)()};
};

} // detail
} // millio
} // boost

#endif
