//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_MILLIO_DETAIL_IMPL_POOL_CORE_IPP
#define BOOST_MILLIO_DETAIL_IMPL_POOL_CORE_IPP

#include <boost/millio/detail/pool_core.hpp>
#include <boost/throw_exception.hpp>

#include <algorithm>
#include <atomic>
#include <limits>
#include <mutex>
#include <new>
#include <thread>

#if defined(__unix__) || defined(__APPLE__)
# include <sys/mman.h>
# define BOOST_MILLIO_POOL_HAS_MMAP
#endif

#if defined(__MINGW32__)
# ifndef WIN32_LEAN_AND_MEAN
#  define WIN32_LEAN_AND_MEAN
# endif
# ifndef NOMINMAX
#  define NOMINMAX
# endif
# include <windows.h>
#endif

#if defined(__linux__)
# include <linux/membarrier.h>
# include <sys/syscall.h>
# include <unistd.h>
#endif

namespace boost {
namespace millio {
namespace detail {

namespace {

// Blocks of at least this size are mapped from the system.
constexpr std::size_t map_threshold = std::size_t(64) << 10;

// The size of a cache line (as a constant: std::hardware_destructive_
// interference_size varies with compiler options).
constexpr std::size_t cache_line = 64;

// In front of every block: its size and how it was made, padded to a
// cache line. Blocks start on a cache line, so that chunks whose size is
// a multiple of it (64 bytes, 8 KiB buffers...) never share a line with
// their neighbours, which other threads may be writing.
struct alignas(cache_line) block_header
{
    std::size_t bytes; // including the header
    bool mapped;
};

// Chunks in the first arena: what the caller asked for, at least 8.
std::size_t
first_chunks(std::size_t initial) noexcept
{
    return (std::max)(initial, std::size_t(8));
}

// Chunks in the largest arena: about 1 MiB of them.
std::size_t
max_chunks(std::size_t chunk_size, std::size_t initial) noexcept
{
    std::size_t const by_bytes = (std::size_t(1) << 20) / (std::max)(chunk_size, std::size_t(1));
    return (std::max)({by_bytes, first_chunks(initial), std::size_t(8)});
}

} // (anon)

namespace {

// Asymmetric barriers. A thread cache is entered by its owner thread on
// every pop and push, and only rarely by another thread (a trim, a query,
// the pool's end). The owner announces itself with a plain store and a
// compiler barrier; the other thread announces itself, then makes every
// running thread of the process execute a full barrier (Linux
// membarrier), and then looks at the owner's flag: one of the two sees
// the other (Dekker's argument). Without membarrier both sides use a full
// fence.
bool
make_heavy_barrier_ready() noexcept
{
#if defined(__linux__) && defined(__NR_membarrier) && \
    ! defined(BOOST_MILLIO_POOL_CACHE_LOCKED)
    return ::syscall(__NR_membarrier,
        MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0;
#else
    return false;
#endif
}

bool
asymmetric() noexcept
{
    static bool const ready = make_heavy_barrier_ready();
    return ready;
}

// (Unused where the caches are guarded by their locks alone.)
[[maybe_unused]]
void
heavy_barrier(bool asym) noexcept
{
#if defined(__linux__) && defined(__NR_membarrier)
    if(asym && ::syscall(__NR_membarrier,
        MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0) == 0)
        return;
    // Registered, so it cannot fail; if it did, the owners' compiler
    // barriers would not be enough, so this must not be reached.
    BOOST_ASSERT(! asym);
#endif
    (void)asym;
    std::atomic_thread_fence(std::memory_order_seq_cst);
}

} // (anon)

namespace {

void
remove_entry(pool_core_cache_table& t, std::size_t i) noexcept
{
    for(std::size_t j = i + 1; j < t.count && j < pool_core_cache_table::size; ++j)
        t.items[j - 1] = t.items[j];
    --t.count;
    if(t.count == 0)
        t.items[0] = {nullptr, nullptr};
}

#if defined(__MINGW32__)
// mingw-w64 keeps thread_local objects in emulated TLS, which a thread's
// exit may free before the destructors of other thread_local objects
// run (each is a pthread key of winpthreads, destroyed in no fixed
// order): a destructor reading this thread's table would find a new,
// empty one, and the caches would never go back to their pools. The
// caches a thread's table holds are therefore also listed in a
// fiber-local slot, whose callback gives them back at the thread's exit
// (after the keys: the table is not read there).
struct exit_list
{
    void* caches[pool_core_cache_table::size + 1];
    std::size_t count = 0;
};

void WINAPI
release_exit_list(void* p) noexcept
{
    auto* l = static_cast<exit_list*>(p);
    while(l->count > 0)
        pool_core::release_cache(
            static_cast<pool_core::thread_cache*>(l->caches[--l->count]));
    delete l;
}

// Null if out of memory or of slots.
exit_list*
this_thread_exit_list() noexcept
{
    static DWORD const slot = ::FlsAlloc(&release_exit_list);
    if(slot == FLS_OUT_OF_INDEXES)
        return nullptr;
    if(void* p = ::FlsGetValue(slot))
        return static_cast<exit_list*>(p);
    auto* l = new(std::nothrow) exit_list;
    if(l && !::FlsSetValue(slot, l))
    {
        delete l;
        l = nullptr;
    }
    return l;
}

void
exit_list_remove(void* c) noexcept
{
    exit_list* l = this_thread_exit_list();
    if(!l)
        return;
    for(std::size_t i = 0; i < l->count; ++i)
    {
        if(l->caches[i] == c)
        {
            l->caches[i] = l->caches[--l->count];
            return;
        }
    }
}
#endif

// Removes entry i of this thread's table (its cache is released or
// unreferenced by the caller).
void
forget_entry(pool_core_cache_table& t, std::size_t i) noexcept
{
#if defined(__MINGW32__)
    exit_list_remove(t.items[i].cache);
#endif
    remove_entry(t, i);
}

// Gives this thread's caches back when it exits.
struct cache_table_guard
{
    bool armed = false;

    ~cache_table_guard()
    {
#if !defined(__MINGW32__) // (there, the fiber-local exit list does it)
        pool_core_cache_table& t = tls_pool_caches;
        t.gone = true;
        while(t.count > 0)
        {
            auto* c = static_cast<pool_core::thread_cache*>(t.items[t.count - 1].cache);
            remove_entry(t, t.count - 1);
            pool_core::release_cache(c);
        }
#endif
    }
};

thread_local cache_table_guard tls_cache_guard;

} // (anon)

static_assert(pool_core::thread_cache::slots / 2 + 1 <= pool_core::max_flush,
    "a flush hands back at most half a cache and the chunk returned");

void
pool_core::thread_cache::
lock_remote() noexcept
{
    mutex.lock();
#if ! defined(BOOST_MILLIO_POOL_CACHE_LOCKED)
    remote.store(true, std::memory_order_relaxed);
    heavy_barrier(asym);
    while(busy.load(std::memory_order_acquire))
        std::this_thread::yield();
#endif
}

void
pool_core::thread_cache::
unlock_remote() noexcept
{
#if ! defined(BOOST_MILLIO_POOL_CACHE_LOCKED)
    remote.store(false, std::memory_order_release);
#endif
    mutex.unlock();
}

char*
block_allocator::
malloc(size_type bytes)
{
    if(bytes > (std::numeric_limits<size_type>::max)() - sizeof(block_header))
        return nullptr;
    std::size_t const total = bytes + sizeof(block_header);
    void* p = nullptr;
    bool mapped = false;
#if defined(BOOST_MILLIO_POOL_HAS_MMAP)
    if(total >= map_threshold)
    {
        p = ::mmap(nullptr, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if(p == MAP_FAILED)
            return nullptr;
        mapped = true;
    }
#endif
    if(! mapped)
    {
        p = ::operator new(total, std::align_val_t(cache_line), std::nothrow);
        if(! p)
            return nullptr;
    }
    auto* h = ::new(p) block_header{total, mapped};
    return reinterpret_cast<char*>(h + 1);
}

void
block_allocator::
free(char* block)
{
    auto* h = reinterpret_cast<block_header*>(block) - 1;
#if defined(BOOST_MILLIO_POOL_HAS_MMAP)
    if(h->mapped)
    {
        ::munmap(h, h->bytes);
        return;
    }
#endif
    ::operator delete(h, std::align_val_t(cache_line));
}

pool_core::
pool_core(
    std::size_t chunk_size,
    std::size_t initial_chunks,
    std::size_t max_idle)
    : first_chunks_(first_chunks(initial_chunks))
    , max_chunks_(max_chunks(chunk_size, initial_chunks))
    , chunk_size_(chunk_size)
    , max_idle_(max_idle)
{
    // The distance between two chunks of a Boost.Pool block.
    std::size_t const a = sizeof(void*) > sizeof(std::size_t) ? sizeof(void*) : sizeof(std::size_t);
    stride_ = (std::max)(chunk_size, a);
    stride_ = (stride_ + a - 1) / a * a;
    // Reserve up front so that pushing rarely allocates.
    idle_.reserve((std::min)(max_idle, (std::max)(initial_chunks, std::size_t(64))));
}

pool_core::
~pool_core() = default;

void*
pool_core::
take_locked()
{
    if(! current_ || current_->in_use == current_->capacity)
    {
        // The arena at the lowest address with room, so that chunks
        // gather in few arenas and the others can empty.
        current_ = nullptr;
        for(auto& a : arenas_)
        {
            if(a->in_use < a->capacity)
            {
                current_ = a.get();
                break;
            }
        }
        if(! current_)
        {
            // A new arena doubles the capacity, within bounds.
            std::size_t n = (std::max)(capacity_, first_chunks_);
            n = (std::min)(n, max_chunks_);
            std::unique_ptr<arena> a(new arena(chunk_size_, n));
            void* p = a->storage.malloc();
            if(! p)
                boost::throw_exception(std::bad_alloc());
            // Boost.Pool hands out a new block's chunks in address order.
            a->begin = static_cast<char*>(p);
            a->in_use = 1;
            a->last_used = epoch_;
            arena* const raw = a.get();
            auto it = std::upper_bound(arenas_.begin(), arenas_.end(), raw->begin,
                [](char* b, std::unique_ptr<arena> const& x) { return b < x->begin; });
            try
            {
                arenas_.insert(it, std::move(a));
            }
            catch(...)
            {
                raw->storage.free(p);
                throw;
            }
            capacity_ += n;
            current_ = raw;
            return p;
        }
    }
    void* p = current_->storage.malloc();
    BOOST_ASSERT(p);
    ++current_->in_use;
    current_->last_used = epoch_;
    return p;
}

void
pool_core::
give_locked(void* p) noexcept
{
    char* const c = static_cast<char*>(p);
    auto it = std::upper_bound(arenas_.begin(), arenas_.end(), c,
        [](char* b, std::unique_ptr<arena> const& x) { return b < x->begin; });
    BOOST_ASSERT(it != arenas_.begin());
    arena& a = **--it;
    BOOST_ASSERT(c < a.begin + a.capacity * stride_);
    BOOST_ASSERT(a.storage.is_from(p));
    a.storage.free(p);
    --a.in_use;
}

std::size_t
pool_core::
release_empty_locked(std::vector<std::unique_ptr<arena>>& dead, bool all) noexcept
{
    std::size_t bytes = 0;
    for(auto it = arenas_.begin(); it != arenas_.end();)
    {
        // Not all: keep an arena that gave a chunk since the previous
        // trim, so that a recurring load does not map it again each time.
        if((*it)->in_use != 0 || (! all && (*it)->last_used + 1 >= epoch_))
        {
            ++it;
            continue;
        }
        try
        {
            dead.push_back(std::move(*it));
        }
        catch(std::bad_alloc const&)
        {
            break; // keep the rest for a later trim
        }
        if(current_ == dead.back().get())
            current_ = nullptr;
        capacity_ -= dead.back()->capacity;
        bytes += dead.back()->capacity * stride_;
        it = arenas_.erase(it);
    }
    return bytes;
}

void
pool_core::
destroy(std::vector<std::unique_ptr<arena>>& dead) noexcept
{
    dead.clear(); // frees the blocks: no lock held
}

// The cache of this thread for this core, entered (see thread_cache);
// nullptr if none.
pool_core::thread_cache*
pool_core::
find_cache(bool& locked) noexcept
{
    pool_core_cache_table& t = tls_pool_caches;
    if(max_idle_ < min_cached_idle || t.gone)
        return nullptr;
    for(std::size_t i = 0; i < t.count; ++i)
    {
        if(t.items[i].core != this)
            continue;
        auto* c = static_cast<thread_cache*>(t.items[i].cache);
        locked = c->enter();
        if(c->core == this)
        {
            // To the front, where the inline fast path looks.
            for(std::size_t j = i; j > 0; --j)
                t.items[j] = t.items[j - 1];
            t.items[0] = {this, c};
            return c;
        }
        // Detached: its pool is gone (another may live at its address).
        c->leave(locked);
        forget_entry(t, i);
        c->unref();
        break;
    }
    return attach_cache(locked);
}

// Makes a cache for this thread, entered; nullptr if the pool keeps none.
pool_core::thread_cache*
pool_core::
attach_cache(bool& locked) noexcept
{
    if(max_idle_ < min_cached_idle || ! is_open())
        return nullptr;
    // Arms the release of this thread's caches at its exit.
    tls_cache_guard.armed = true;
#if defined(__MINGW32__)
    exit_list* const exits = this_thread_exit_list();
    if(! exits)
        return nullptr;
#endif
    thread_cache* c = new(std::nothrow) thread_cache;
    if(! c)
        return nullptr;
    c->asym = asymmetric();
    c->target = (std::min)(thread_cache::slots,
        (std::max)(std::size_t(4), (std::size_t(128) << 10) / (std::max)(chunk_size_, std::size_t(1))));
    c->target = (std::min)(c->target, max_idle_ / 8);
    // Nobody else can see it yet: entering takes the fast way.
    locked = c->enter();
    {
        std::lock_guard<mutex_type> lock(mutex_);
        bool ok = open_;
        if(ok)
        {
            try
            {
                caches_.push_back(c);
            }
            catch(std::bad_alloc const&)
            {
                ok = false;
            }
        }
        if(! ok)
        {
            c->leave(locked);
            delete c;
            return nullptr;
        }
        c->core = this;
        grant_locked(*c);
    }
    pool_core_cache_table& t = tls_pool_caches;
    if(t.count == pool_core_cache_table::size)
    {
        // Evict the least recently attached cache.
        auto* old = static_cast<thread_cache*>(t.items[t.count - 1].cache);
        forget_entry(t, t.count - 1);
        release_cache(old);
    }
#if defined(__MINGW32__)
    exits->caches[exits->count++] = c;
#endif
    for(std::size_t j = t.count; j > 0; --j)
        t.items[j] = t.items[j - 1];
    t.items[0] = {this, c};
    ++t.count;
    return c;
}

// Raises a cache's credit towards its target, within the room the
// shared stack and the other caches leave under the cap.
void
pool_core::
grant_locked(thread_cache& c) noexcept
{
    if(c.cap >= c.target || ! open_)
        return;
    std::size_t const used = idle_.size() + credits_;
    std::size_t const room = max_idle_ > used ? max_idle_ - used : 0;
    std::size_t const half = max_idle_ / 2;
    std::size_t const share = half > credits_ ? half - credits_ : 0;
    std::size_t const more = (std::min)({c.target - c.cap, room, share});
    c.cap += more;
    credits_ += more;
}

// The cache is empty: takes up to half its credit from the shared stack,
// returns one chunk (counted outstanding), or nullptr.
void*
pool_core::
refill(thread_cache& c) noexcept
{
    std::lock_guard<mutex_type> lock(mutex_);
    grant_locked(c);
    if(idle_.empty())
        return nullptr;
    std::size_t const n = (std::min)(idle_.size(), c.cap / 2 + 1);
    // The most recently returned chunk is the caller's.
    void* p = idle_.back();
    idle_.pop_back();
    for(std::size_t i = 1; i < n; ++i)
    {
        c.items[n - 1 - i] = idle_.back();
        idle_.pop_back();
    }
    c.count = n - 1;
    outstanding_ += n;
    if(idle_.size() < min_idle_)
        min_idle_ = idle_.size();
    return p;
}

// The cache is full (or keeps nothing): moves its older half and `p` to
// the shared stack, as far as the cap allows; the rest goes to `out`.
std::size_t
pool_core::
flush(thread_cache& c, void* p, void** out) noexcept
{
    std::size_t const half = c.count / 2;
    std::size_t n = 0;
    std::lock_guard<mutex_type> lock(mutex_);
    grant_locked(c);
    if(c.count < c.cap)
    {
        c.items[c.count++] = p;
        return 0;
    }
    auto keep = [&](void* q)
    {
        if(open_ && idle_.size() + credits_ < max_idle_)
        {
            try
            {
                idle_.push_back(q);
                --outstanding_;
                return;
            }
            catch(std::bad_alloc const&)
            {
            }
        }
        out[n++] = q;
    };
    for(std::size_t i = 0; i < half; ++i)
        keep(c.items[i]);
    for(std::size_t i = half; i < c.count; ++i)
        c.items[i - half] = c.items[i];
    c.count -= half;
    if(c.low > c.count)
        c.low = c.count;
    if(c.count < c.cap)
        c.items[c.count++] = p;
    else
        keep(p);
    return n;
}

void*
pool_core::
pop_slow() noexcept
{
    bool locked;
    thread_cache* c = find_cache(locked);
    if(! c)
        return try_pop();
    void* p;
    if(c->count > 0)
    {
        p = c->items[--c->count];
        if(c->count < c->low)
            c->low = c->count;
    }
    else
    {
        c->low = 0;
        p = refill(*c);
    }
    c->leave(locked);
    return p;
}

std::size_t
pool_core::
push_slow(void* p, void** out) noexcept
{
    bool locked;
    thread_cache* c = find_cache(locked);
    if(! c)
    {
        if(try_push(p))
            return 0;
        out[0] = p;
        return 1;
    }
    std::size_t n = 0;
    if(c->count < c->cap)
        c->items[c->count++] = p;
    else
        n = flush(*c, p, out);
    c->leave(locked);
    return n;
}

void
pool_core::
release_cache(thread_cache* c) noexcept
{
    bool listed = false;
    bool const locked = c->enter();
    if(pool_core* core = c->core)
    {
        std::lock_guard<mutex_type> lock(core->mutex_);
        if(core->open_)
        {
            bool room = true;
            try
            {
                core->idle_.reserve(core->idle_.size() + c->count);
            }
            catch(std::bad_alloc const&)
            {
                // Stay listed: a trim or the pool's end empties it.
                room = false;
            }
            if(room)
            {
                auto it = std::find(core->caches_.begin(), core->caches_.end(), c);
                if(it != core->caches_.end())
                {
                    core->caches_.erase(it);
                    listed = true;
                }
                // The credit kept room for these under the cap.
                for(std::size_t i = 0; i < c->count; ++i)
                    core->idle_.push_back(c->items[i]);
                core->outstanding_ -= c->count;
                core->credits_ -= c->cap;
                c->count = 0;
                c->cap = 0;
                c->core = nullptr;
            }
        }
        // Else close() is under way and will empty this cache.
    }
    c->leave(locked);
    if(listed)
        c->unref();
    c->unref();
}

// Pins the attached caches (the caller unrefs them).
std::vector<pool_core::thread_cache*>
pool_core::
pin_caches() const
{
    std::vector<thread_cache*> v;
    std::lock_guard<mutex_type> lock(mutex_);
    v = caches_;
    for(thread_cache* c : v)
        c->refs.fetch_add(1, std::memory_order_relaxed);
    return v;
}

std::size_t
pool_core::
cached_count() const noexcept
{
    std::vector<thread_cache*> v;
    try
    {
        v = pin_caches();
    }
    catch(std::bad_alloc const&)
    {
        return 0;
    }
    std::size_t n = 0;
    for(thread_cache* c : v)
    {
        c->lock_remote();
        if(c->core == this)
            n += c->count;
        c->unlock_remote();
        c->unref();
    }
    return n;
}

void*
pool_core::
try_pop() noexcept
{
    std::lock_guard<mutex_type> lock(mutex_);
    if(idle_.empty())
        return nullptr;
    void* p = idle_.back();
    idle_.pop_back();
    if(idle_.size() < min_idle_)
        min_idle_ = idle_.size();
    ++outstanding_;
    return p;
}

void*
pool_core::
allocate()
{
    std::lock_guard<mutex_type> lock(mutex_);
    void* p = take_locked();
    ++outstanding_;
    ++created_;
    return p;
}

void
pool_core::
unallocate(void* p) noexcept
{
    std::lock_guard<mutex_type> lock(mutex_);
    give_locked(p);
    --outstanding_;
    --created_;
}

bool
pool_core::
try_push(void* p) noexcept
{
    std::lock_guard<mutex_type> lock(mutex_);
    if(! open_ || idle_.size() >= max_idle_)
        return false;
    try
    {
        idle_.push_back(p);
    }
    catch(std::bad_alloc const&)
    {
        return false;
    }
    --outstanding_;
    return true;
}

bool
pool_core::
free_chunk(void* p) noexcept
{
    std::lock_guard<mutex_type> lock(mutex_);
    give_locked(p);
    --outstanding_;
    return ! owned_ && outstanding_ == 0;
}

std::vector<void*>
pool_core::
close() noexcept
{
    std::vector<void*> idle;
    std::vector<thread_cache*> caches;
    {
        std::lock_guard<mutex_type> lock(mutex_);
        open_ = false;
        open_hint_.store(false, std::memory_order_release);
        idle.swap(idle_);
        caches.swap(caches_);
        // The caches hold at most their credits: make room for them now,
        // so that emptying them cannot fail.
        try
        {
            idle.reserve(idle.size() + credits_);
        }
        catch(std::bad_alloc const&)
        {
            // Their chunks stay out; the core is then never freed.
        }
    }
    // Each cache's lock is taken without the core's (see the class).
    std::size_t taken = 0;
    for(thread_cache* c : caches)
    {
        c->lock_remote();
        if(c->core == this)
        {
            std::size_t const n = (std::min)(c->count, idle.capacity() - idle.size());
            idle.insert(idle.end(), c->items + (c->count - n), c->items + c->count);
            taken += n;
            c->count -= n;
            if(c->count == 0)
                c->core = nullptr;
        }
        c->unlock_remote();
        c->unref();
    }
    {
        std::lock_guard<mutex_type> lock(mutex_);
        outstanding_ -= taken;
        credits_ = 0;
    }
    return idle;
}

bool
pool_core::
finish_close(std::vector<void*>& idle) noexcept
{
    std::vector<std::unique_ptr<arena>> dead;
    bool last;
    {
        std::lock_guard<mutex_type> lock(mutex_);
        for(void* p : idle)
            give_locked(p);
        idle.clear();
        owned_ = false;
        last = outstanding_ == 0;
        if(! last)
            release_empty_locked(dead, true);
    }
    destroy(dead);
    return last;
}

std::vector<void*>
pool_core::
take_trim(bool all)
{
    std::vector<void*> out;
    // First the caches, each without the core's lock: the chunks each
    // kept idle since the previous trim (all of them when `all`), oldest
    // first. They stay counted outstanding until finish_trim.
    std::vector<thread_cache*> caches = pin_caches();
    struct unpin
    {
        std::vector<thread_cache*>& v;
        ~unpin()
        {
            for(thread_cache* c : v)
                c->unref();
        }
    } guard{caches};
    out.reserve(caches.size() * thread_cache::slots);
    for(thread_cache* c : caches)
    {
        c->lock_remote();
        if(c->core == this)
        {
            std::size_t const n = all ? c->count : (std::min)(c->low, c->count);
            out.insert(out.end(), c->items, c->items + n);
            for(std::size_t i = n; i < c->count; ++i)
                c->items[i - n] = c->items[i];
            c->count -= n;
            c->low = c->count;
        }
        c->unlock_remote();
    }
    std::lock_guard<mutex_type> lock(mutex_);
    std::size_t const n = all ? idle_.size() : (std::min)(min_idle_, idle_.size());
    // The oldest idle chunks (bottom of the stack) go first.
    out.insert(out.end(), idle_.begin(), idle_.begin() + static_cast<std::ptrdiff_t>(n));
    idle_.erase(idle_.begin(), idle_.begin() + static_cast<std::ptrdiff_t>(n));
    outstanding_ += n; // the caller holds them until finish_trim
    min_idle_ = idle_.size();
    ++epoch_;
    return out;
}

std::size_t
pool_core::
finish_trim(std::vector<void*>& chunks, bool all) noexcept
{
    std::vector<std::unique_ptr<arena>> dead;
    std::size_t bytes;
    {
        std::lock_guard<mutex_type> lock(mutex_);
        for(void* p : chunks)
            give_locked(p);
        outstanding_ -= chunks.size();
        chunks.clear();
        bytes = release_empty_locked(dead, all);
    }
    destroy(dead);
    return bytes;
}

std::size_t
pool_core::
reserved_bytes() const noexcept
{
    std::lock_guard<mutex_type> lock(mutex_);
    return capacity_ * stride_;
}

std::size_t
pool_core::
idle_count() const noexcept
{
    std::size_t const cached = cached_count();
    std::lock_guard<mutex_type> lock(mutex_);
    return idle_.size() + cached;
}

std::size_t
pool_core::
outstanding_count() const noexcept
{
    std::size_t const cached = cached_count();
    std::lock_guard<mutex_type> lock(mutex_);
    return outstanding_ > cached ? outstanding_ - cached : 0;
}

std::size_t
pool_core::
created_count() const noexcept
{
    std::lock_guard<mutex_type> lock(mutex_);
    return created_;
}

} // detail
} // millio
} // boost

#endif
