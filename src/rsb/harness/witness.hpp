// witness.hpp — what the operating system saw of a run: the witnesses that
// say whether a measurement was disturbed, and what it cost in CPU.
//
// Per runspace thread (sampled by the thread itself just before the start
// barrier and just after its script ends, outside the timed region):
//  - CPU time (CLOCK_THREAD_CPUTIME_ID);
//  - involuntary context switches (getrusage RUSAGE_THREAD, ru_nivcsw): the
//    scheduler took the CPU away — another thread wanted it (a yield that
//    lets another thread run counts too);
//  - CPU migrations (se.nr_migrations of /proc/thread-self/sched, present
//    when the kernel has CONFIG_SCHED_DEBUG; -1 when it cannot be read).
// Per run (sampled by the pool's thread before it starts the runspaces and
// after it has joined them):
//  - CPU time stolen by the hypervisor (the `steal` column of /proc/stat's
//    cpu line, in USER_HZ ticks: coarse, 10 ms on most kernels);
//  - runnable threads on the machine that are not ours (procs_running of
//    /proc/stat minus our own threads in state R), before the run starts.
// Everything here is Linux; elsewhere the samples read as unavailable (-1).
#pragma once

#include <cstdint>
#include <string>

namespace rsb::witness {

/// One thread's counters at one instant.
struct thread_sample {
    std::int64_t cpu_ns = -1;
    std::int64_t involuntary_switches = -1;
    std::int64_t migrations = -1;
};

/// The calling thread's counters now.
[[nodiscard]] thread_sample sample_this_thread() noexcept;

/// The machine's counters now.
struct machine_sample {
    /// Sum of the steal column over all CPUs, in seconds; -1 when unreadable.
    double steal_seconds = -1;
    /// procs_running minus this process's threads in state R; -1 when unreadable.
    std::int64_t foreign_runnable = -1;
};
[[nodiscard]] machine_sample sample_machine() noexcept;

/// Whether migrations can be counted here, and if not, why (for the JSON context).
[[nodiscard]] std::string migrations_source();

}  // namespace rsb::witness
