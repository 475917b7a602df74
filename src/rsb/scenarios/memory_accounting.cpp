// memory_accounting.cpp — see memory_accounting.hpp.
#include <rsb/scenarios/memory_accounting.hpp>

#include <pthread.h>

#include <atomic>
#include <mutex>

namespace rsb {

void warm_up_threads(unsigned threads) {
    static std::mutex mutex;
    static unsigned warmed = 0;
    std::lock_guard lock(mutex);
    if (warmed == 0) {
        // Threads created from now on get thread_stack_bytes of stack, so
        // that glibc's stack cache (40 MiB) keeps every stack of a run.
        pthread_attr_t attr;
        if (pthread_attr_init(&attr) == 0) {
            if (pthread_attr_setstacksize(&attr, thread_stack_bytes) == 0) (void)pthread_setattr_default_np(&attr);
            pthread_attr_destroy(&attr);
        }
    }
    const unsigned wanted = threads < 8 ? 8 : threads;
    if (wanted <= warmed) return;
    for (int round = 0; round < 2; ++round) {
        std::vector<std::thread> running;
        running.reserve(wanted);
        std::atomic<unsigned> arrived{0};
        for (unsigned i = 0; i < wanted; ++i) {
            running.emplace_back([&arrived, wanted] {
                // All alive at once, so each takes its own stack. Relaxed: a
                // count, nothing else is published through it.
                arrived.fetch_add(1, std::memory_order_relaxed);
                while (arrived.load(std::memory_order_relaxed) < wanted) std::this_thread::yield();
            });
        }
        for (auto& t : running) t.join();
    }
    warmed = wanted;
}

std::int64_t keep_report_outside(run_report& report) {
    const std::int64_t before = memory::live_bytes();
    run_report copy = report;
    const std::int64_t copied = memory::live_bytes() - before;
    report = std::move(copy);  // frees the original's blocks; the copy's stay
    return copied;
}

void report_memory(scenario_result& result, const memory_figures& m, const memory_profile& profile,
                   const char* per_item_name, unsigned runspaces) {
    if (!m.measured) return;
    result.counters["bytes_at_rest"] = static_cast<double>(m.at_rest);
    result.counters["peak_bytes"] = static_cast<double>(m.peak);
    result.counters["bytes_retained"] = static_cast<double>(m.retained);
    if (m.per_item) result.counters[per_item_name] = *m.per_item;
    if (m.allocations_per_item) result.counters["allocations_per_item"] = *m.allocations_per_item;
    // Recorded even when negative: the window then saw frees of memory
    // allocated before it (deferred reclamation catching up on an earlier
    // run: a library's worker thread freeing another structure's nodes).
    // Only a positive residue is this structure's leak.
    result.counters["bytes_after_drain"] = static_cast<double>(m.after_drain);
    if (result.ok() && profile.release == memory_release::on_destruction && m.after_drain > 0 &&
        runspaces <= max_exact_runspaces) {
        add_failure(result, "leaked memory: " + std::to_string(m.after_drain) +
                                " bytes still allocated after the structure was drained and destroyed "
                                "(it declares memory_release::on_destruction)");
    }
}

}  // namespace rsb
