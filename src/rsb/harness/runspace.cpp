// runspace.cpp — the non-template half of the runspace harness (runspace.hpp).
#include <rsb/harness/runspace.hpp>

#include <cxxabi.h>

#include <barrier>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <sstream>

namespace rsb {

std::string type_name(const std::type_info& type) {
    int status = 0;
    std::unique_ptr<char, void (*)(void*)> demangled(
        abi::__cxa_demangle(type.name(), nullptr, nullptr, &status), std::free);
    return status == 0 && demangled ? std::string(demangled.get()) : std::string(type.name());
}

// ---------------------------------------------------------------------------
// host
// ---------------------------------------------------------------------------

host::host(std::ostream& out) : out_(&out) {}

void host::write_line(std::string_view line) {
    std::lock_guard lock(mutex_);
    *out_ << line << '\n';
    out_->flush();
    ++lines_;
}

std::size_t host::lines_written() const {
    std::lock_guard lock(mutex_);
    return lines_;
}

// ---------------------------------------------------------------------------
// session_state
// ---------------------------------------------------------------------------

std::vector<std::string> session_state::variable_names() const {
    std::vector<std::string> names;
    names.reserve(vars_.size());
    for (const auto& [name, e] : vars_) names.push_back(name);
    return names;
}

namespace {
std::string list_names(const std::vector<std::string>& names) {
    if (names.empty()) return "none";
    std::string out;
    for (const auto& n : names) {
        if (!out.empty()) out += ", ";
        out += '$' + n;
    }
    return out;
}
}  // namespace

const session_state::entry& session_state::find(std::string_view name, const std::type_info& wanted) const {
    auto it = vars_.find(name);
    if (it == vars_.end()) {
        throw runspace_error("variable $" + std::string(name) + " (wanted as " + type_name(wanted) +
                             ") was never shared with this runspace (set_variable); shared variables: " +
                             list_names(variable_names()));
    }
    return it->second;
}

runspace_error session_state::type_mismatch(std::string_view name, const std::type_info& wanted,
                                            const std::type_info& held) const {
    return runspace_error("variable $" + std::string(name) + " holds a " + type_name(held) +
                          ", not the " + type_name(wanted) + " the script asked for");
}

runspace_error session_state::const_mismatch(std::string_view name, const std::type_info& wanted) const {
    return runspace_error("variable $" + std::string(name) + " was shared read-only; ask for const " +
                          type_name(wanted));
}

// ---------------------------------------------------------------------------
// shared run state
// ---------------------------------------------------------------------------

namespace detail {

struct record_start {
    run_shared* run;
    void operator()() noexcept;
};

struct run_shared {
    rsb::host* host = nullptr;
    /// Continue. (C1) release-stored false by stop_all / a failing runspace /
    /// the deadline; acquire-loaded (C2) by keep_going, so a loop that sees
    /// false also sees what the stopper wrote before stopping.
    std::atomic<bool> keep_going{true};
    std::unique_ptr<std::barrier<record_start>> gate;
    /// Written by the barrier's completion step before any runspace is released.
    std::chrono::steady_clock::time_point start{};
    bool started = false;
    std::mutex mutex;
    std::condition_variable changed;
    std::size_t finished = 0;  // guarded by mutex
    /// pool_options::inject_yields scaled to 2^32; written before any runspace starts.
    std::uint64_t yield_threshold = 0;
    /// pool_options::backoff; written before any runspace starts.
    backoff_policy backoff{};
};

void record_start::operator()() noexcept {
    run->start = std::chrono::steady_clock::now();
    run->started = true;
}

struct runspace_core {
    explicit runspace_core(std::string n) : name(std::move(n)) {}
    std::string name;
    session_state state;
    cache_padded<runspace_slot> slot;
    run_shared own_run;  // the run of a runspace used on its own (no pool)
    bool ever_started = false;
};

}  // namespace detail

namespace {
std::string describe_current_exception() {
    try {
        throw;
    } catch (const std::exception& e) {
        return type_name(typeid(e)) + ": " + e.what();
    } catch (...) {
        return "an exception that is not a std::exception";
    }
}
}  // namespace

// ---------------------------------------------------------------------------
// runspace_context
// ---------------------------------------------------------------------------

rsb::host& runspace_context::host() const {
    if (run_->host == nullptr) {
        throw runspace_error("runspace '" + *name_ +
                             "' has no host: a lone runspace reaches the console through a shared "
                             "variable, as the tutorial does with $Affichage = $host");
    }
    return *run_->host;
}

bool runspace_context::maybe_yield_slow() const noexcept {
    // xorshift64 (Marsaglia): cheap, and good enough to decide when to yield.
    yield_rng_ ^= yield_rng_ << 13;
    yield_rng_ ^= yield_rng_ >> 7;
    yield_rng_ ^= yield_rng_ << 17;
    if ((yield_rng_ >> 32) >= yield_threshold_) return false;
    std::this_thread::yield();
    return true;
}

bool runspace_context::keep_going() const noexcept {
    maybe_yield();
    return run_->keep_going.load(std::memory_order_acquire);  // (C2) pairs with C1
}

void runspace_context::stop_all() noexcept {
    run_->keep_going.store(false, std::memory_order_release);  // (C1) pairs with C2
    run_->changed.notify_all();
}

void runspace_context::sleep_for(std::chrono::nanoseconds d) const {
    const auto until = std::chrono::steady_clock::now() + d;
    constexpr auto slice = std::chrono::milliseconds(5);
    while (keep_going()) {
        const auto now = std::chrono::steady_clock::now();
        if (now >= until) return;
        std::this_thread::sleep_for(std::min<std::chrono::nanoseconds>(until - now, slice));
    }
}

// ---------------------------------------------------------------------------
// invoke_handle
// ---------------------------------------------------------------------------

invoke_handle& invoke_handle::operator=(invoke_handle&& other) noexcept {
    if (this != &other) {
        if (thread_.joinable()) thread_.join();
        thread_ = std::move(other.thread_);
        core_ = std::move(other.core_);
    }
    return *this;
}

invoke_handle::~invoke_handle() {
    if (thread_.joinable()) thread_.join();
}

void invoke_handle::end_invoke() {
    if (!thread_.joinable()) throw runspace_error("end_invoke on a handle that was already ended or never started");
    thread_.join();
    // join() synchronizes with the thread's end, so `error` is safe to read.
    if (core_->slot->error) std::rethrow_exception(core_->slot->error);
}

bool invoke_handle::is_completed() const noexcept {
    return core_ && core_->slot->finished.load(std::memory_order_acquire);  // (A1) pairs with R1
}

// ---------------------------------------------------------------------------
// runspace
// ---------------------------------------------------------------------------

runspace::runspace(std::string name) : core_(std::make_shared<detail::runspace_core>(std::move(name))) {}
runspace::runspace(runspace&&) noexcept = default;
runspace& runspace::operator=(runspace&&) noexcept = default;
runspace::~runspace() = default;

void runspace::open() { open_ = true; }

session_state& runspace::session_state_proxy() noexcept { return core_->state; }
const std::string& runspace::name() const noexcept { return core_->name; }
std::uint64_t runspace::ops() const noexcept { return core_->slot->ops.load(std::memory_order_relaxed); }
std::uint64_t runspace::failed_ops() const noexcept {
    return core_->slot->failed_ops.load(std::memory_order_relaxed);
}
const char* runspace::activity() const noexcept { return core_->slot->activity.load(std::memory_order_relaxed); }

invoke_handle runspace::begin_invoke(runspace_script script) {
    return start(std::move(script), nullptr, 0);
}

invoke_handle runspace::start(runspace_script script, detail::run_shared* run, std::size_t index) {
    auto& core = *core_;
    if (!open_) {
        throw runspace_error("runspace '" + core.name + "' was not opened: call open() before begin_invoke()");
    }
    if (!script) throw runspace_error("runspace '" + core.name + "': begin_invoke() was given an empty script");
    detail::runspace_slot& slot = *core.slot;
    if (core.ever_started && !slot.finished.load(std::memory_order_acquire)) {  // (A1) pairs with R1
        throw runspace_error("runspace '" + core.name +
                             "' is still running its previous script; end_invoke() it first");
    }
    if (run == nullptr) {
        run = &core.own_run;
        run->keep_going.store(true, std::memory_order_relaxed);  // no thread of this runspace runs now
    }
    core.ever_started = true;
    slot.ops.store(0, std::memory_order_relaxed);
    slot.failed_ops.store(0, std::memory_order_relaxed);
    slot.activity.store("starting", std::memory_order_relaxed);
    slot.error = nullptr;
    slot.error_message.clear();
    slot.finished.store(false, std::memory_order_relaxed);  // published by the thread start below

    std::thread t([core = core_, run, index, script = std::move(script)]() mutable {
        detail::runspace_slot& s = *core->slot;
        runspace_context ctx(&core->name, index, &core->state, &s, run);
        ctx.yield_threshold_ = run->yield_threshold;
        ctx.backoff_ = run->backoff;
        ctx.yield_rng_ = 0x9E3779B97F4A7C15ULL * (index + 1);  // never 0: xorshift's fixed point
        s.before = witness::sample_this_thread();  // outside the timed region: before the barrier
        if (run->gate) {
            s.activity.store("at the start barrier", std::memory_order_relaxed);
            run->gate->arrive_and_wait();
        }
        s.activity.store("running", std::memory_order_relaxed);
        try {
            script(ctx);
            s.activity.store("finished", std::memory_order_relaxed);
        } catch (...) {
            s.error = std::current_exception();
            s.error_message = describe_current_exception();
            s.activity.store("failed", std::memory_order_relaxed);
            // A failed runspace stops the run: its partners would wait forever.
            run->keep_going.store(false, std::memory_order_release);  // (C1) pairs with C2
        }
        s.end = std::chrono::steady_clock::now();
        s.after = witness::sample_this_thread();  // after `end`: outside the timed region
        s.finished.store(true, std::memory_order_release);  // (R1) pairs with A1
        {
            std::lock_guard lock(run->mutex);
            ++run->finished;
        }
        run->changed.notify_all();
    });
    return invoke_handle(std::move(t), core_);
}

// ---------------------------------------------------------------------------
// runspace_pool
// ---------------------------------------------------------------------------

runspace_pool::runspace_pool(rsb::host& host, pool_options options)
    : host_(&host), options_(options), run_(std::make_unique<detail::run_shared>()) {
    run_->host = host_;
    const double p = options_.inject_yields > 0.0 ? std::min(options_.inject_yields, 1.0) : 0.0;  // NaN: off
    run_->yield_threshold = p >= 1.0 ? (std::uint64_t{1} << 32)
                                     : static_cast<std::uint64_t>(p * 4294967296.0);
    run_->backoff = options_.backoff;
}

runspace_pool::~runspace_pool() = default;

runspace& runspace_pool::add(std::string name, runspace_script script) {
    if (invoked_) throw runspace_error("runspace_pool::add after invoke(): a pool runs once");
    for (const auto& m : runspaces_) {
        if (m.rs.name() == name) throw runspace_error("runspace_pool: two runspaces named '" + name + "'");
    }
    member m{runspace(std::move(name)), std::move(script)};
    m.rs.core_->state = shared_;  // every variable shared with the pool so far
    runspaces_.push_back(std::move(m));
    return runspaces_.back().rs;
}

namespace {
std::string seconds_text(std::chrono::milliseconds ms) {
    std::ostringstream out;
    out << static_cast<double>(ms.count()) / 1000.0 << " s";
    return out.str();
}
}  // namespace

run_report runspace_pool::invoke() {
    if (invoked_) throw runspace_error("runspace_pool::invoke called twice: a pool runs once");
    if (runspaces_.empty()) throw runspace_error("runspace_pool::invoke: the pool has no runspaces");
    invoked_ = true;

    const std::size_t n = runspaces_.size();
    run_->gate = std::make_unique<std::barrier<detail::record_start>>(static_cast<std::ptrdiff_t>(n),
                                                                      detail::record_start{run_.get()});
    run_report report;
    // Before any runspace exists: the runnable threads now are the machine's, not ours.
    const witness::machine_sample machine_before = witness::sample_machine();
    const auto begin = std::chrono::steady_clock::now();
    report.foreign_runnable = machine_before.foreign_runnable;

    std::vector<invoke_handle> handles;
    handles.reserve(n);
    std::string start_failure;
    for (std::size_t i = 0; i < n; ++i) {
        try {
            runspaces_[i].rs.open();
            handles.push_back(runspaces_[i].rs.start(runspaces_[i].script, run_.get(), i));
        } catch (...) {
            start_failure = "could not start runspace '" + runspaces_[i].rs.name() + "': " + describe_current_exception();
            run_->keep_going.store(false, std::memory_order_release);  // (C1) the started ones stop at once
            break;
        }
    }
    const std::size_t started = handles.size();
    for (std::size_t i = started; i < n; ++i) run_->gate->arrive_and_drop();  // release the ones waiting

    std::vector<std::size_t> stuck;
    {
        std::unique_lock lock(run_->mutex);
        auto all_finished = [&] { return run_->finished == started; };
        if (!run_->changed.wait_until(lock, begin + options_.deadline, all_finished)) {
            report.deadline_exceeded = true;
            for (std::size_t i = 0; i < started; ++i) {
                if (!runspaces_[i].rs.core_->slot->finished.load(std::memory_order_acquire)) stuck.push_back(i);
            }
            run_->keep_going.store(false, std::memory_order_release);  // (C1)
            std::string still_running;
            for (std::size_t i : stuck) {
                const auto& rs = runspaces_[i].rs;
                if (!still_running.empty()) still_running += ", ";
                still_running += "'" + rs.name() + "' (" + rs.activity() + ", " + std::to_string(rs.ops()) + " ops done)";
            }
            report.failure = "deadline of " + seconds_text(options_.deadline) +
                             " exceeded, run stopped; still running: " + still_running;
            if (!run_->changed.wait_until(lock, std::chrono::steady_clock::now() + options_.grace, all_finished)) {
                lock.unlock();
                std::fprintf(stderr,
                             "runspace-bench: %s\nrunspace-bench: runspaces did not stop within %s of Continue "
                             "turning false: they are blocked outside the harness (inside a structure?). "
                             "Threads cannot be killed safely; exiting with status 124.\n",
                             report.failure.c_str(), seconds_text(options_.grace).c_str());
                std::fflush(nullptr);
                std::_Exit(124);
            }
        }
    }
    for (auto& h : handles) {
        try {
            h.end_invoke();
        } catch (...) {
            // recorded in the slot's error_message below
        }
    }
    const witness::machine_sample machine_after = witness::sample_machine();
    report.window_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
    if (machine_before.steal_seconds >= 0 && machine_after.steal_seconds >= 0)
        report.steal_seconds = machine_after.steal_seconds - machine_before.steal_seconds;

    auto last_end = run_->start;
    for (std::size_t i = 0; i < n; ++i) {
        auto& rs = runspaces_[i].rs;
        const auto& slot = *rs.core_->slot;
        runspace_report r;
        r.name = rs.name();
        r.ops = slot.ops.load(std::memory_order_relaxed);
        r.failed_ops = slot.failed_ops.load(std::memory_order_relaxed);
        r.activity = slot.activity.load(std::memory_order_relaxed);
        if (i < started) {
            r.error = slot.error_message;
            if (slot.end > last_end) last_end = slot.end;
            // The join (end_invoke) orders the thread's samples before these reads.
            if (slot.before.cpu_ns >= 0 && slot.after.cpu_ns >= 0)
                r.cpu_seconds = static_cast<double>(slot.after.cpu_ns - slot.before.cpu_ns) * 1e-9;
            if (slot.before.involuntary_switches >= 0 && slot.after.involuntary_switches >= 0)
                r.involuntary_switches = slot.after.involuntary_switches - slot.before.involuntary_switches;
            if (slot.before.migrations >= 0 && slot.after.migrations >= 0)
                r.migrations = slot.after.migrations - slot.before.migrations;
        } else {
            r.activity = "never started";
        }
        if (!r.error.empty()) {
            report.failure += (report.failure.empty() ? "" : "; ") + ("runspace '" + r.name + "' failed: " + r.error);
        }
        report.runspaces.push_back(std::move(r));
    }
    if (!start_failure.empty()) report.failure = start_failure + (report.failure.empty() ? "" : "; " + report.failure);
    if (run_->started) report.wall_seconds = std::chrono::duration<double>(last_end - run_->start).count();
    return report;
}

}  // namespace rsb
