// peers/thread_registration.hpp — per-thread set-up for peer libraries that
// need it (libcds' hazard-pointer domain, liburcu's reader registry), done by
// the adapter itself so that the harness needs no hook.
//
// Contract
//  - `registration_scope<Library>` is an RAII object an adapter creates at the
//    top of every operation. It costs one thread_local load and a branch once
//    the thread is registered.
//  - First use on a thread: `Library::attach()` runs, and a thread_local exit
//    guard is armed whose destructor runs `Library::detach()` when the thread
//    ends (std::thread, the harness's runspaces and the main thread at exit()
//    alike: C++ thread_local destructors run before the thread's storage goes).
//  - Thread exit ordering: thread_local destructors run in the reverse order
//    of their construction. A thread_local of someone else's that was
//    constructed BEFORE this thread's first operation on the library is
//    destroyed AFTER our exit guard. If its destructor uses the structure, the
//    state is `exiting` and the scope attaches for that one operation and
//    detaches again when the operation ends (a transient registration), so
//    nothing is left registered with the library once the thread is gone.
//    The state word itself is a trivially destructible thread_local, readable
//    for as long as the thread runs.
//  - The same holds for the main thread: its thread_local destructors run at
//    exit() before static destructors; a static structure destroyed later
//    gets a transient registration.
//  - attach() may throw (e.g. the libcds domain is full); the state is then
//    unchanged and the exception leaves the adapter's operation untouched.
//
// Library requirements: `static void attach()` and `static void detach() noexcept`.
#pragma once

namespace rsb::peers::detail {

enum class registration_state : unsigned char {
    unregistered,  ///< the thread has not used the library yet
    registered,    ///< attached; the exit guard will detach it
    exiting,       ///< the exit guard has run; further uses attach transiently
};

template <class Library>
class registration_scope {
public:
    registration_scope() {
        switch (state()) {
            case registration_state::registered:
                return;
            case registration_state::unregistered:
                Library::attach();
                state() = registration_state::registered;
                arm_exit_guard();
                return;
            case registration_state::exiting:
                Library::attach();
                transient_ = true;
                return;
        }
    }
    ~registration_scope() {
        if (transient_) Library::detach();
    }
    registration_scope(const registration_scope&) = delete;
    registration_scope& operator=(const registration_scope&) = delete;

    /// For tests: this thread's state.
    [[nodiscard]] static registration_state current() noexcept { return state(); }

private:
    struct exit_guard {
        exit_guard() = default;
        exit_guard(const exit_guard&) = delete;
        exit_guard& operator=(const exit_guard&) = delete;
        ~exit_guard() {
            state() = registration_state::exiting;
            Library::detach();
        }
    };
    /// Trivially destructible, constant-initialised: valid during the whole
    /// thread-exit sequence (no destructor of its own can run before ours).
    static registration_state& state() noexcept {
        static thread_local registration_state s = registration_state::unregistered;
        return s;
    }
    /// The guard's destructor is registered with the C++ runtime when control
    /// first passes here, i.e. right after the thread's first attach.
    static void arm_exit_guard() {
        static thread_local exit_guard guard;
        static_cast<void>(guard);
    }

    bool transient_ = false;
};

}  // namespace rsb::peers::detail
