// runspace.hpp — the runspace harness.
//
// The tutorial's vocabulary, as C++:
//
//   PowerShell                                   runspace-bench
//   ------------------------------------------   -------------------------------------------
//   [runspacefactory]::CreateRunspace(); Open()  runspace r("runspace1"); r.open();
//   SessionStateProxy.SetVariable("Queue", $Q)   r.set_variable("Queue", q);  (shared by reference)
//   $Queue inside the script                     ctx.variable<Q>("Queue")     (checked name and type)
//   $host.ui.WriteLine(...)                      ctx.host().write_line(...)   (whole lines, never interleaved)
//   $personnage.Continue                         ctx.keep_going() / ctx.stop_all()
//   $handle = $ps.BeginInvoke()                  auto handle = r.begin_invoke(script);
//   $ps.EndInvoke($handle)                       handle.end_invoke();  (joins, re-raises the script's exception)
//
// For measurements, a `runspace_pool` runs several runspaces as one *run*:
// they start together behind a barrier, the clock runs from the barrier's
// release to the last runspace's end (thread creation is never timed), a
// shared Continue flag stops every loop, and a deadline turns a stuck run into
// a reported failure that says what each runspace was doing.
//
// Waiting: scripts wait on full/empty structures with `ctx.wait_until`, which
// backs off (spin, yield, sleep: backoff.hpp) and gives up when Continue turns
// false, so every wait the harness knows about ends when a run is stopped.
//
// Per-runspace counters live on their own cache lines (`cache_padded`) and
// are written only by their runspace; other threads only read them (for the
// consumers' stop rule, the deadline report and the final tally).
#pragma once

#include <any>
#include <atomic>
#include <chrono>
#include <deque>
#include <cstdint>
#include <exception>
#include <functional>
#include <iosfwd>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <typeinfo>
#include <utility>
#include <vector>

#include <rsb/harness/backoff.hpp>
#include <rsb/harness/witness.hpp>
#include <rsb/structures/cache_padded.hpp>

namespace rsb {

/// Misuse of the harness: a missing or mistyped variable, invoking a runspace
/// that was not opened, invoking twice.
class runspace_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Human-readable (demangled) name of a type, for error messages.
[[nodiscard]] std::string type_name(const std::type_info& type);

// ---------------------------------------------------------------------------
// host: the parent console ($host.ui.WriteLine)
// ---------------------------------------------------------------------------

/// A line sink shared by all runspaces. Each `write_line` writes one whole
/// line under a mutex, so lines from different runspaces never interleave.
class host {
public:
    /// Writes to `out` (std::cout for the real console; a std::ostringstream in tests).
    explicit host(std::ostream& out);
    host(const host&) = delete;
    host& operator=(const host&) = delete;

    void write_line(std::string_view line);
    [[nodiscard]] std::size_t lines_written() const;

private:
    mutable std::mutex mutex_;
    std::ostream* out_;
    std::size_t lines_ = 0;
};

// ---------------------------------------------------------------------------
// session_state: variables shared by name (SessionStateProxy.SetVariable)
// ---------------------------------------------------------------------------

/// Variables a runspace can see, by name. A variable refers to an object the
/// caller owns (the tutorial shares the same synchronized Queue with both
/// runspaces); the caller keeps it alive until the runspace has ended.
class session_state {
public:
    /// Shares `value` under `name`, replacing any earlier variable of that name.
    template <class T>
    void set_variable(std::string name, T& value) {
        vars_.insert_or_assign(std::move(name),
                               entry{const_cast<void*>(static_cast<const void*>(&value)),
                                     &typeid(T), std::is_const_v<T>});
    }

    /// The variable `name` as a `T`. Throws runspace_error naming the variable,
    /// the type asked for, the type it holds, and the variables that exist.
    template <class T>
    [[nodiscard]] T& get_variable(std::string_view name) const {
        const entry& e = find(name, typeid(T));
        if (*e.type != typeid(T)) throw type_mismatch(name, typeid(T), *e.type);
        if (e.is_const && !std::is_const_v<T>) throw const_mismatch(name, typeid(T));
        return *static_cast<T*>(e.ptr);
    }

    [[nodiscard]] bool has_variable(std::string_view name) const { return vars_.find(name) != vars_.end(); }
    [[nodiscard]] std::vector<std::string> variable_names() const;

private:
    struct entry {
        void* ptr;
        const std::type_info* type;
        bool is_const;
    };
    const entry& find(std::string_view name, const std::type_info& wanted) const;
    [[nodiscard]] runspace_error type_mismatch(std::string_view name, const std::type_info& wanted,
                                               const std::type_info& held) const;
    [[nodiscard]] runspace_error const_mismatch(std::string_view name, const std::type_info& wanted) const;

    std::map<std::string, entry, std::less<>> vars_;
};

// ---------------------------------------------------------------------------
// runspace
// ---------------------------------------------------------------------------

namespace detail {
/// What one runspace publishes while it runs. Written only by its runspace
/// (relaxed stores: each value is a report, not a synchronization point, and
/// single-writer, so load+store cannot lose increments); read by others.
struct runspace_slot {
    std::atomic<std::uint64_t> ops{0};
    std::atomic<std::uint64_t> failed_ops{0};
    std::atomic<const char*> activity{"not started"};
    /// (R1) release-stored by the runspace after `end` and `error` are written;
    /// synchronizes-with the acquire-load (A1) in invoke_handle::is_completed
    /// and the pool's deadline watch.
    std::atomic<bool> finished{false};
    std::chrono::steady_clock::time_point end{};
    std::exception_ptr error;
    std::string error_message;
    /// The thread's witnesses just before the start barrier and just after
    /// its script (witness.hpp); written by the runspace, read after join.
    witness::thread_sample before{}, after{};
};
struct run_shared;
struct runspace_core;
}  // namespace detail

class runspace_context;

/// A runspace's script, run asynchronously by begin_invoke.
using runspace_script = std::function<void(runspace_context&)>;

/// Returned by begin_invoke. `end_invoke` waits for the script to end and
/// re-raises any exception it threw. Destroying an un-ended handle joins the
/// thread and discards the exception.
class invoke_handle {
public:
    invoke_handle() = default;
    invoke_handle(invoke_handle&&) noexcept = default;
    invoke_handle& operator=(invoke_handle&& other) noexcept;
    ~invoke_handle();

    /// Joins the runspace's thread; rethrows the script's exception, if any.
    void end_invoke();
    /// True once the script has returned or thrown (A1: acquire-load of R1).
    [[nodiscard]] bool is_completed() const noexcept;
    [[nodiscard]] bool valid() const noexcept { return thread_.joinable(); }

private:
    friend class runspace;
    invoke_handle(std::thread t, std::shared_ptr<detail::runspace_core> core)
        : thread_(std::move(t)), core_(std::move(core)) {}
    std::thread thread_;
    std::shared_ptr<detail::runspace_core> core_;
};

/// A named worker thread with its own session state.
class runspace {
public:
    explicit runspace(std::string name);
    runspace(runspace&&) noexcept;
    runspace& operator=(runspace&&) noexcept;
    ~runspace();

    /// Makes the runspace ready to run (the tutorial's `$runspace.Open()`).
    /// begin_invoke on a runspace that was not opened is a runspace_error.
    void open();
    [[nodiscard]] bool is_open() const noexcept { return open_; }

    [[nodiscard]] session_state& session_state_proxy() noexcept;
    template <class T>
    void set_variable(std::string name, T& value) {
        session_state_proxy().set_variable(std::move(name), value);
    }

    /// Starts `script` on the runspace's thread. A runspace runs one script
    /// at a time: invoking again before end_invoke is a runspace_error.
    [[nodiscard]] invoke_handle begin_invoke(runspace_script script);

    [[nodiscard]] const std::string& name() const noexcept;
    [[nodiscard]] std::uint64_t ops() const noexcept;
    [[nodiscard]] std::uint64_t failed_ops() const noexcept;
    [[nodiscard]] const char* activity() const noexcept;

private:
    friend class runspace_pool;
    invoke_handle start(runspace_script script, detail::run_shared* run, std::size_t index);

    // Shared with the runspace's thread, so a handle or thread that outlives
    // the runspace object never touches freed memory.
    std::shared_ptr<detail::runspace_core> core_;
    bool open_ = false;
};

/// What a script sees: its name, the shared variables, the host, the Continue
/// flag, and the counters it reports.
class runspace_context {
public:
    [[nodiscard]] const std::string& name() const noexcept { return *name_; }
    /// Position of this runspace in its pool (0 for a lone runspace).
    [[nodiscard]] std::size_t index() const noexcept { return index_; }

    /// The shared variable `name` ($Queue, $personnage): see session_state::get_variable.
    template <class T>
    [[nodiscard]] T& variable(std::string_view name) const {
        return state_->get_variable<T>(name);
    }

    [[nodiscard]] rsb::host& host() const;

    /// The run's Continue flag: false once anyone called stop_all(), a
    /// runspace failed, or the deadline passed. (Acquire: pairs with the
    /// release in stop_all, so whatever the stopper wrote before stopping is
    /// visible to a loop that sees Continue turn false.)
    [[nodiscard]] bool keep_going() const noexcept;
    /// Sets Continue to false for every runspace of the run.
    void stop_all() noexcept;

    /// What this runspace is doing, for the deadline report. Pass a string
    /// literal (the pointer is kept).
    void set_activity(const char* what) noexcept { slot_->activity.store(what, std::memory_order_relaxed); }

    /// Counts successful operations (single writer: load+store, no RMW needed).
    void count_ops(std::uint64_t n = 1) noexcept {
        slot_->ops.store(slot_->ops.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
    }
    void count_failed_ops(std::uint64_t n = 1) noexcept {
        slot_->failed_ops.store(slot_->failed_ops.load(std::memory_order_relaxed) + n,
                                std::memory_order_relaxed);
    }
    [[nodiscard]] std::uint64_t ops() const noexcept { return slot_->ops.load(std::memory_order_relaxed); }

    /// Calls `attempt()` until it returns true, backing off between failures
    /// (each failure is counted in failed_ops). Returns false, without
    /// success, when Continue turns false. `activity` is shown in the deadline
    /// report while waiting.
    template <class Attempt>
    bool wait_until(const char* activity, Attempt&& attempt) {
        maybe_yield();
        if (attempt()) return true;
        const char* before = slot_->activity.load(std::memory_order_relaxed);
        set_activity(activity);
        rsb::backoff pause(backoff_);
        std::uint64_t failures = 1;
        bool ok = false;
        while (keep_going()) {
            pause.pause();
            if (attempt()) {
                ok = true;
                break;
            }
            ++failures;
        }
        count_failed_ops(failures);
        set_activity(before);
        return ok;
    }

    /// How this runspace's wait_until backs off (the run's pool_options::backoff).
    [[nodiscard]] const backoff_policy& waiting_policy() const noexcept { return backoff_; }

    /// Yields the CPU with the run's pool_options::inject_yields probability;
    /// returns whether it did. A no-op returning false when injection is off.
    /// Each runspace draws from its own deterministic generator (seeded by its
    /// index), so no state is shared between runspaces.
    bool maybe_yield() const noexcept {
        if (yield_threshold_ == 0) return false;
        return maybe_yield_slow();
    }

    /// Sleeps up to `d`, waking early when Continue turns false (the tutorial's
    /// Start-Sleep inside a `while($personnage.Continue)` loop).
    void sleep_for(std::chrono::nanoseconds d) const;

private:
    friend class runspace;
    runspace_context(const std::string* name, std::size_t index, session_state* state,
                     detail::runspace_slot* slot, detail::run_shared* run) noexcept
        : name_(name), index_(index), state_(state), slot_(slot), run_(run) {}

    const std::string* name_;
    std::size_t index_;
    session_state* state_;
    detail::runspace_slot* slot_;
    detail::run_shared* run_;
    backoff_policy backoff_{};
    bool maybe_yield_slow() const noexcept;
    /// pool_options::inject_yields scaled to 2^32 (0: never; 2^32: always),
    /// set once before the script runs.
    std::uint64_t yield_threshold_ = 0;
    /// xorshift64 state of this runspace's yield draws (only its own thread
    /// touches it; mutable because keep_going() is const).
    mutable std::uint64_t yield_rng_ = 0;
};

// ---------------------------------------------------------------------------
// runspace_pool: one measured run
// ---------------------------------------------------------------------------

struct pool_options {
    /// A run still going after this long (counted from invoke()) is stopped
    /// through Continue and reported as failed.
    std::chrono::milliseconds deadline{30'000};
    /// After the deadline, how long runspaces get to notice Continue=false.
    /// A runspace still running after that is stuck outside the harness's
    /// waits (a deadlock inside a structure): the process prints the report
    /// and exits with status 124, since a thread cannot be killed safely.
    std::chrono::milliseconds grace{3'000};
    /// Stress testing only (tests/stress_test.cpp, tests/linearizability_test.cpp):
    /// the probability, from 0 to 1, that a runspace calls
    /// std::this_thread::yield() at each harness checkpoint — every
    /// keep_going(), the start of every wait_until(), and every
    /// runspace_context::maybe_yield() a script calls. Injected yields move
    /// preemption points into the middle of the scenarios' loops, which on an
    /// oversubscribed machine exposes interleavings a run at full speed rarely
    /// shows. 0 (the default, and always in measurements) costs one
    /// predictable branch per checkpoint.
    double inject_yields = 0.0;
    /// How every runspace's wait_until backs off (backoff.hpp). The default
    /// suits throughput runs and oversubscription; latency runs with one
    /// runspace per core use rsb::latency_backoff.
    backoff_policy backoff{};
};

/// What one runspace did during a run.
struct runspace_report {
    std::string name;
    std::uint64_t ops = 0;
    std::uint64_t failed_ops = 0;
    std::string activity;  ///< last activity (at the deadline, for a stuck run)
    std::string error;     ///< what its script threw, empty if nothing
    /// What the OS saw of its thread during the run (witness.hpp); -1: unknown.
    double cpu_seconds = -1;
    std::int64_t involuntary_switches = -1;
    std::int64_t migrations = -1;
};

/// The outcome of runspace_pool::invoke.
struct run_report {
    bool deadline_exceeded = false;
    /// Empty when every runspace ended on its own without throwing.
    std::string failure;
    /// Barrier release to the last runspace's end.
    double wall_seconds = 0.0;
    std::vector<runspace_report> runspaces;
    /// The machine during the run (witness.hpp), sampled by invoke() before
    /// it starts the runspaces and after it has joined them: CPU time stolen
    /// by the hypervisor over that window (-1: unknown), the window's length,
    /// and the runnable threads that were not ours at its start (-1: unknown).
    double steal_seconds = -1;
    double window_seconds = 0;
    std::int64_t foreign_runnable = -1;

    [[nodiscard]] bool ok() const noexcept { return failure.empty(); }
};

/// Several runspaces sharing variables, a host and a Continue flag, run once.
class runspace_pool {
public:
    explicit runspace_pool(rsb::host& host, pool_options options = {});
    runspace_pool(const runspace_pool&) = delete;
    runspace_pool& operator=(const runspace_pool&) = delete;
    ~runspace_pool();

    /// Adds a runspace that will run `script`. Names must be unique. The
    /// reference stays valid for the life of the pool.
    runspace& add(std::string name, runspace_script script);

    /// Shares `value` with every runspace of the pool (also ones added later).
    template <class T>
    void set_variable(std::string name, T& value) {
        shared_.set_variable(name, value);
        for (auto& r : runspaces_) r.rs.set_variable(name, value);
    }

    /// Opens every runspace, starts them together, waits for all of them (up
    /// to the deadline), and reports. A pool runs once.
    [[nodiscard]] run_report invoke();

    [[nodiscard]] std::size_t size() const noexcept { return runspaces_.size(); }

private:
    struct member {
        runspace rs;
        runspace_script script;
    };
    rsb::host* host_;
    pool_options options_;
    session_state shared_;
    std::deque<member> runspaces_;  // deque: add() hands out references that stay valid
    std::unique_ptr<detail::run_shared> run_;
    bool invoked_ = false;
};

}  // namespace rsb
