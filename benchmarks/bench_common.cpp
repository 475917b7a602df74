// bench_common.cpp — timing loop, failure tally and build context (bench_common.hpp).
#include "bench_common.hpp"

#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "cache_padded.hpp"

#ifndef RSB_COMPILER
#define RSB_COMPILER "unknown"
#endif
#ifndef RSB_BUILD_TYPE
#define RSB_BUILD_TYPE "unknown"
#endif
#ifndef RSB_CXX_FLAGS
#define RSB_CXX_FLAGS ""
#endif
#ifndef RSB_LIBRARY_VERSIONS
#define RSB_LIBRARY_VERSIONS ""
#endif
#ifndef RSB_SANITIZERS
#define RSB_SANITIZERS "none"
#endif

namespace rsb {

namespace {
std::mutex failures_mutex;
std::vector<std::string> failures;           ///< guarded by failures_mutex; each failed benchmark once
std::map<std::string, std::string> failure_of;  ///< guarded by failures_mutex; benchmark -> its first failure

bool selected(const std::vector<std::string>& wanted, std::string_view name) {
    return wanted.empty() || std::find(wanted.begin(), wanted.end(), name) != wanted.end();
}

/// The first line of a small text file (/sys, /proc), without its newline;
/// empty when it cannot be read.
std::string first_line(const char* path) {
    std::ifstream in(path);
    std::string line;
    if (!in || !std::getline(in, line)) return {};
    return line;
}

/// The value of the first "key : value" line of /proc/cpuinfo whose key is
/// `key`; empty when absent.
std::string cpuinfo_value(std::string_view key) {
    std::ifstream in("/proc/cpuinfo");
    std::string line;
    while (std::getline(in, line)) {
        const std::size_t colon = line.find(':');
        if (colon == std::string::npos) continue;
        std::string_view k(line.data(), colon);
        while (!k.empty() && (k.back() == ' ' || k.back() == '\t')) k.remove_suffix(1);
        if (k != key) continue;
        std::size_t v = colon + 1;
        while (v < line.size() && line[v] == ' ') ++v;
        return line.substr(v);
    }
    return {};
}

std::string minutes_seconds(double seconds) {
    const auto total = static_cast<long>(seconds + 0.5);
    char text[32];
    std::snprintf(text, sizeof text, "%ld:%02ld", total / 60, total % 60);
    return text;
}
}  // namespace

bool bench_settings::wants(std::string_view scenario, std::string_view impl, family fam) const {
    return selected(scenarios, scenario) && selected(impls, impl) && selected(families, to_string(fam));
}

host& bench_host() {
    static host console(std::cerr);
    return console;
}

void measure(benchmark::State& state, const std::string& name, const std::function<scenario_result()>& run_once) {
    double items = 0;
    std::map<std::string, double> sums;
    std::int64_t runs = 0;
    bench_progress().on_call(name);
    // Once a run of a benchmark has failed, every later call of that
    // benchmark (its remaining repetitions) is skipped without running the
    // scenario. Google Benchmark 1.7.1 (Debian 12's libbenchmark, built with
    // its internal checks on) computes a benchmark's aggregates whenever two
    // or more of its repetitions were measured, and then (google/benchmark
    // #1406, #2206; issue 13):
    //  - dies with SIGSEGV if the first repetition was skipped: it reads the
    //    statistics of the first repetition, which a skipped run lacks;
    //  - aborts if any repetition reports an iteration count other than the
    //    first one's ("Check `(run_iterations) == (run.iterations)' failed").
    // So no repetition may be measured after a skipped one (this block), and
    // a skipped repetition must report the planned iteration count: the skip
    // happens inside the benchmark loop, where SkipWithError reports
    // max_iterations, as for a run that fails (below). Returning before the
    // loop would report 0 iterations.
    std::string earlier_failure;
    {
        std::lock_guard lock(failures_mutex);
        if (const auto earlier = failure_of.find(name); earlier != failure_of.end()) earlier_failure = earlier->second;
    }
    if (!earlier_failure.empty()) {
        const std::string message = "not run: an earlier run of this benchmark failed: " + earlier_failure;
        for (auto _ : state) {
            state.SkipWithError(message.c_str());
            break;
        }
        return;
    }
    for (auto _ : state) {
        scenario_result r = run_once();
        if (!r.ok()) {
            const std::string message = r.failure;
            state.SkipWithError(message.c_str());
            bench_host().write_line("runspace_bench: " + name + ": " + message);
            std::lock_guard lock(failures_mutex);
            failure_of.emplace(name, message);
            failures.push_back(name);
            break;
        }
        state.SetIterationTime(r.seconds());
        items += r.items;
        for (const auto& [counter, value] : r.counters) sums[counter] += value;
        ++runs;
    }
    if (runs == 0) return;
    state.SetItemsProcessed(static_cast<std::int64_t>(items));
    for (const auto& [counter, value] : sums) {
        // Per-run averages; "_per_second" counters are already rates.
        state.counters[counter] = benchmark::Counter(value / static_cast<double>(runs));
    }
}

void register_run(const std::string& name, const bench_settings& settings, std::function<scenario_result()> run_once) {
    auto* b = benchmark::RegisterBenchmark(name.c_str(), [name, run_once = std::move(run_once)](benchmark::State& state) {
        measure(state, name, run_once);
    });
    b->UseManualTime()->Unit(benchmark::kMillisecond);
    if (settings.smoke) b->Iterations(1);
}

std::vector<std::string> failed_benchmarks() {
    std::lock_guard lock(failures_mutex);
    return failures;
}

void add_build_context() {
    benchmark::AddCustomContext("rsb_compiler", RSB_COMPILER);
    benchmark::AddCustomContext("rsb_build_type", RSB_BUILD_TYPE);
    benchmark::AddCustomContext("rsb_cxx_flags", RSB_CXX_FLAGS);
    benchmark::AddCustomContext("rsb_sanitizers", RSB_SANITIZERS);
    benchmark::AddCustomContext("rsb_library_versions", RSB_LIBRARY_VERSIONS);
    benchmark::AddCustomContext("rsb_false_sharing_range", std::to_string(false_sharing_range));
}

void add_machine_context() {
    const std::string model = cpuinfo_value("model name");
    benchmark::AddCustomContext("rsb_cpu_model", model.empty() ? "unknown (no model name in /proc/cpuinfo)" : model);
    benchmark::AddCustomContext("rsb_logical_cpus", std::to_string(std::thread::hardware_concurrency()));
    cpu_set_t allowed;
    CPU_ZERO(&allowed);
    benchmark::AddCustomContext("rsb_cpus_allowed", sched_getaffinity(0, sizeof allowed, &allowed) == 0
                                                        ? std::to_string(CPU_COUNT(&allowed))
                                                        : std::string("unknown (sched_getaffinity failed)"));
    const std::string physical = cpuinfo_value("cpu cores");
    benchmark::AddCustomContext("rsb_cores_per_socket", physical.empty() ? "unknown" : physical);
    const std::string flags = cpuinfo_value("flags");
    std::string hypervisor;
    if (flags.empty()) {
        hypervisor = "unknown (no flags in /proc/cpuinfo)";
    } else {
        std::istringstream words(flags);
        std::string w;
        bool found = false;
        while (words >> w) found = found || w == "hypervisor";
        hypervisor = found ? "yes" : "no";
        if (found) {
            const std::string type = first_line("/sys/hypervisor/type");
            const std::string vendor = first_line("/sys/class/dmi/id/sys_vendor");
            if (!type.empty()) hypervisor += " (" + type + ")";
            else if (!vendor.empty()) hypervisor += " (" + vendor + ")";
        }
    }
    benchmark::AddCustomContext("rsb_hypervisor", hypervisor);
    const std::string governor = first_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor");
    benchmark::AddCustomContext("rsb_cpu_governor",
                                governor.empty() ? "unknown (no cpufreq in /sys: typical of VMs and containers)" : governor);
    // The harness never sets thread affinity: runspaces go wherever the OS
    // scheduler puts them (with more runspaces than cores, they share).
    benchmark::AddCustomContext("rsb_thread_pinning", "off");
}

progress_display& bench_progress() {
    static progress_display display;
    return display;
}

void progress_display::start(std::size_t total) {
    const char* env = std::getenv("RSB_PROGRESS");
    const std::string_view setting = env != nullptr ? env : "";
    enabled_ = setting == "1" || (setting != "0" && isatty(STDERR_FILENO) == 1);
    total_ = total;
    index_ = 0;
    current_.clear();
    started_ = std::chrono::steady_clock::now();
}

void progress_display::on_call(const std::string& name) {
    if (name == current_) return;
    current_ = name;
    ++index_;
    if (!enabled_) return;
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    std::string line = "[" + std::to_string(index_) + "/" + (total_ > 0 ? std::to_string(total_) : "?") + "] " + name +
                       "  elapsed " + minutes_seconds(elapsed);
    if (index_ > 1 && total_ >= index_) {
        // Time per finished benchmark so far, times the ones not finished.
        const double per = elapsed / static_cast<double>(index_ - 1);
        line += "  left ~" + minutes_seconds(per * static_cast<double>(total_ - index_ + 1));
    }
    bench_host().write_line(line);
}

void progress_display::finish() {
    if (!enabled_ || index_ == 0) return;
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    bench_host().write_line("[done] " + std::to_string(index_) + " benchmark(s) in " + minutes_seconds(elapsed));
}

}  // namespace rsb
