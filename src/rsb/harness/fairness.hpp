// fairness.hpp — how evenly runspaces shared the work of a map run.
//
// A run where every runspace has a fixed amount of work always ends with equal
// shares, so counting at the end says nothing. Instead each runspace publishes
// its progress on its own cache line (`progress_board`), and the FIRST one of
// a group to finish photographs everybody's progress: the shares at that
// instant say who was starved while the others worked (a runspace that was
// never scheduled shows 0). For open-ended workers (the counter's readers)
// the final counts are the shares.
//
// Reported per group: the smallest and largest share relative to a fair
// share (1.0 = exactly 1/n), and Jain's fairness index
// J = (Σx)² / (n·Σx²) — 1 when all equal, 1/n when one runspace did
// everything (R. Jain, D. Chiu, W. Hawe, "A Quantitative Measure of Fairness
// and Discrimination for Resource Allocation in Shared Computer Systems",
// DEC-TR-301, 1984).
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <rsb/structures/cache_padded.hpp>
#include <rsb/harness/scenario_result.hpp>

namespace rsb {

/// Jain's index of `ops` (1 when there is nothing to compare).
[[nodiscard]] inline double jain_index(const std::vector<std::uint64_t>& ops) {
    if (ops.empty()) return 1.0;
    double sum = 0;
    double sum_sq = 0;
    for (auto x : ops) {
        sum += static_cast<double>(x);
        sum_sq += static_cast<double>(x) * static_cast<double>(x);
    }
    if (sum_sq == 0) return 1.0;
    return sum * sum / (static_cast<double>(ops.size()) * sum_sq);
}

/// Adds `<prefix>share_min`, `<prefix>share_max` and `<prefix>jain` to a result.
inline void report_fairness(scenario_result& r, const std::string& prefix, const std::vector<std::uint64_t>& ops) {
    const work_shares s = fair_shares(ops);
    r.counters[prefix + "share_min"] = s.min;
    r.counters[prefix + "share_max"] = s.max;
    r.counters[prefix + "jain"] = jain_index(ops);
}

/// Per-runspace progress of one group, photographed when the first finishes.
class progress_board {
public:
    explicit progress_board(std::size_t runspaces)
        : progress_(std::make_unique<cache_padded<std::atomic<std::uint64_t>>[]>(runspaces)),
          snapshot_(runspaces, 0),
          n_(runspaces) {}

    /// Runspace `i` has done `done` operations. Single writer per slot.
    void publish(std::size_t i, std::uint64_t done) noexcept {
        // (P1) release: pairs with the acquire loads (P2) in completed(): a
        // thread that sees `done` also sees the effects of those operations
        // (the counter scenario's staleness check relies on it).
        progress_[i]->store(done, std::memory_order_release);
    }

    /// Operations completed by all runspaces, as far as this thread can know:
    /// everything counted here happened-before the call returned.
    [[nodiscard]] std::uint64_t completed() const noexcept {
        std::uint64_t sum = 0;
        // (P2) acquire: pairs with P1.
        for (std::size_t j = 0; j < n_; ++j) sum += progress_[j]->load(std::memory_order_acquire);
        return sum;
    }

    /// Runspace `i` is done after `done` operations; the first caller takes
    /// the photograph.
    void finish(std::size_t i, std::uint64_t done) noexcept {
        publish(i, done);
        // Relaxed: only decides who photographs; the snapshot itself is read
        // by the main thread after joining every runspace (join orders it).
        if (photographed_.exchange(true, std::memory_order_relaxed)) return;
        for (std::size_t j = 0; j < n_; ++j) snapshot_[j] = progress_[j]->load(std::memory_order_relaxed);
    }

    /// The photograph (after the run has been joined). All zeros if nobody finished.
    [[nodiscard]] const std::vector<std::uint64_t>& snapshot() const noexcept { return snapshot_; }

private:
    std::unique_ptr<cache_padded<std::atomic<std::uint64_t>>[]> progress_;
    std::vector<std::uint64_t> snapshot_;
    std::size_t n_;
    std::atomic<bool> photographed_{false};
};

}  // namespace rsb
