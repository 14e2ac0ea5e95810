//
// Copyright (c) 2026 The Boost.MillIO authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef BOOST_MILLIO_SIGNAL_SET_HPP
#define BOOST_MILLIO_SIGNAL_SET_HPP

#include <boost/millio/detail/config.hpp>
#include <boost/millio/error.hpp>
#include <boost/millio/event_loop.hpp>
#include <functional>
#include <initializer_list>
#include <memory>

namespace boost {
namespace millio {

/** Delivers signals to an event loop.

    A signal set installs a handler for each of its signals. The
    operating-system handler only writes the signal number to a pipe
    (which is async-signal-safe); the event loop then calls the
    user's function for it, like any other handler, on an io worker
    (or on the reactor thread in direct mode). Calls for one set never
    overlap. A signal number can belong to at most one signal set at a
    time in the process.

    On Windows the signals are those of the C runtime (`SIGINT`,
    `SIGBREAK`, `SIGTERM`, ...), installed with `signal()` for `raise()`.
    A set holding `SIGINT`, `SIGBREAK` or `SIGTERM` also installs a
    console control handler (`SetConsoleCtrlHandler`), as Asio does:
    Ctrl+C is `SIGINT`, Ctrl+Break is `SIGBREAK`, and the closing of the
    console (or a logoff or shutdown, for a service) is `SIGTERM`. A
    console event whose signal no set holds goes on to the next handler.
    After a close event the system ends the process a few seconds after
    the handler returned. The handlers count the signal and queue one
    delivery to the loop (no pipe).

    The set's function is never called, copied or destroyed while the
    library holds a lock, so it may use the set: call @ref count, replace
    itself with @ref on_signal, or destroy the set.

    @par Not asio::signal_set
    This class belongs to an @ref event_loop and calls one function
    (set with @ref on_signal) for every signal, until it is destroyed.
    `boost::asio::signal_set` is an I/O object of an `asio::io_context`
    that completes one `async_wait` per signal. Code that uses both
    spells them `millio::signal_set` and `asio::signal_set` (with
    namespace aliases) rather than bringing both into scope with
    `using namespace`. Do not give one signal number to both at once:
    each installs a process-wide handler.

    @par Example
    Stop a server on Ctrl+C or `kill`:
    @snippet doc_reference.cpp ref_signal_set
*/
class signal_set
{
public:
    /** Install handlers for `signals` and register with `loop`.

        @par Exception Safety
        Strong guarantee: on failure no handler is installed and nothing
        is registered.

        @par Complexity
        Linear in the number of signals.

        @throws system_error with `error::signal_in_use` (equal to
        `errc::device_or_resource_busy`) if a signal belongs to another
        signal set, or `error::invalid_argument` (equal to
        `errc::invalid_argument`) for an invalid signal number or one
        that cannot be caught (`SIGKILL`, `SIGSTOP`). A set that fails
        leaves every signal as it was.
    */
    BOOST_MILLIO_DECL
    signal_set(event_loop& loop, std::initializer_list<int> signals);

    /// Overload taking an error code instead of throwing.
    BOOST_MILLIO_DECL
    signal_set(event_loop& loop, std::initializer_list<int> signals, error_code& ec);

    /** Destructor.

        Restores the previous disposition of each signal and deregisters
        from the loop. Once it returned, the function set with
        @ref on_signal is not called again, and no signal handler writes
        to the set's pipe any more.

        The destructor may be called from any thread while the loop
        runs: a thread of the program, another handler or timer of the
        loop, or the set's own function.

        @li If the function is running on another thread, the destructor
        waits for it to return (so the function must not wait for the
        thread destroying the set).
        @li Called from the function itself, it does not wait: the
        function goes on after the destructor returned, and must not use
        the set any more.
        @li It also waits, briefly, for operating-system signal handlers
        that are writing to the set's pipe on other threads.

        The function is destroyed by the destructor, or, if it is running
        on this thread, when it returns.

        @par Complexity
        Linear in the number of signals, plus the waits described above.
    */
    BOOST_MILLIO_DECL
    ~signal_set();

    signal_set(signal_set const&) = delete;
    signal_set& operator=(signal_set const&) = delete;

    /** Set the function called with the number of each signal received.

        The function runs in the event loop, never in the signal handler.
        It replaces the previous function; a call of the previous one
        that is running completes. The previous function is destroyed
        outside of any lock of the library: here, or on the thread
        running it when that call returns. Its destructor may therefore
        call @ref on_signal and @ref count.

        This function may be called from any thread, including from the
        set's function. It has no effect once the destructor started.

        @par Complexity
        Constant.

        @param f The function, or an empty function for none (signals
        are then only counted).
    */
    BOOST_MILLIO_DECL
    void
    on_signal(std::function<void(int)> f);

    /// Make every signal of the set stop the loop.
    BOOST_MILLIO_DECL
    void
    stop_loop_on_signal();

    /// Return the number of signals received so far.
    BOOST_MILLIO_DECL
    std::size_t
    count() const noexcept;

private:
    struct impl;

    void init(std::initializer_list<int> signals, error_code& ec);
    event_loop& loop_;
    std::shared_ptr<impl> impl_;
};

} // millio
} // boost

#endif
