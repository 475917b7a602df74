// context.cpp — build, machine and catalog provenance (context.hpp).
#include <rsb/bench/context.hpp>

#include <sched.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string_view>
#include <thread>

#include <benchmark/benchmark.h>

#include <rsb/bench/catalog.hpp>
#include <rsb/bench/settings.hpp>
#include <rsb/harness/backoff.hpp>
#include <rsb/harness/witness.hpp>
#include <rsb/structures/cache_padded.hpp>

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

}  // namespace

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
    benchmark::AddCustomContext("rsb_witness_migrations", witness::migrations_source());
}

void add_wait_context(const wait_calibration& waits, const backoff_policy& latency_wait) {
    char text[64];
    std::snprintf(text, sizeof text, "%.2f", waits.pause_ns);
    benchmark::AddCustomContext("rsb_pause_ns", text);
    std::snprintf(text, sizeof text, "%.2f", waits.poll_step_ns);
    benchmark::AddCustomContext("rsb_poll_step_ns", text);
    benchmark::AddCustomContext("rsb_latency_wait",
                                std::to_string(latency_wait.spin_rounds) + " polls of " +
                                    std::to_string(latency_wait.max_spin_pauses) +
                                    " pause(s), then yield, then sleep (when runspaces do not outnumber CPUs)");
}

std::string missing_peers_text(const catalog& c) {
    std::string out;
    for (const auto& m : c.missing()) out += (out.empty() ? "" : ", ") + m.name + " (" + m.package + ")";
    return out;
}

namespace {
std::string joined_or_all(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : ",") + n;
    return out.empty() ? "all" : out;
}
}  // namespace

void add_catalog_context(const catalog& c, const settings& s) {
    std::string families;
    std::string guarantees;
    for (const auto& k : c.contenders()) {
        families += (families.empty() ? "" : ",") + k->name() + "=" + std::string(to_string(k->group()));
        guarantees += (guarantees.empty() ? "" : ",") + k->name() + "=" + k->guarantees();
    }
    benchmark::AddCustomContext("rsb_families", families);
    benchmark::AddCustomContext("rsb_guarantees", guarantees);
    const std::string missing = missing_peers_text(c);
    benchmark::AddCustomContext("rsb_missing_peers", missing.empty() ? "none" : missing);
    benchmark::AddCustomContext("rsb_selection", "scenario=" + joined_or_all(s.scenarios) + " impl=" +
                                                     joined_or_all(s.impls) + " family=" + joined_or_all(s.families));
    benchmark::AddCustomContext("rsb_items_per_run", std::to_string(s.items));
    benchmark::AddCustomContext("rsb_updates_per_run", std::to_string(s.updates));
    if (!s.threads.empty()) {
        std::string sweep;
        for (unsigned t : s.threads) sweep += (sweep.empty() ? "" : ",") + std::to_string(t);
        benchmark::AddCustomContext("rsb_thread_sweep", sweep);
    }
    if (s.shuffle_seed) benchmark::AddCustomContext("rsb_shuffle_seed", std::to_string(*s.shuffle_seed));
}

}  // namespace rsb
