// witness.cpp — reading the witnesses of witness.hpp from Linux.
#include <rsb/harness/witness.hpp>

#include <dirent.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace rsb::witness {

namespace {

/// Reads a small procfs file into buf (NUL-terminated); false on failure.
bool read_file(const char* path, char* buf, std::size_t size) noexcept {
    std::FILE* f = std::fopen(path, "re");
    if (f == nullptr) return false;
    const std::size_t n = std::fread(buf, 1, size - 1, f);
    std::fclose(f);
    buf[n] = '\0';
    return n > 0;
}

/// The number after `key` (and spaces and a ':') in text; -1 when absent.
std::int64_t number_after(const char* text, const char* key) noexcept {
    const char* at = std::strstr(text, key);
    if (at == nullptr) return -1;
    at += std::strlen(key);
    while (*at == ' ' || *at == ':' || *at == '\t') ++at;
    char* end = nullptr;
    const long long v = std::strtoll(at, &end, 10);
    return end == at ? -1 : static_cast<std::int64_t>(v);
}

std::int64_t own_migrations() noexcept {
    char buf[4096];
    if (!read_file("/proc/thread-self/sched", buf, sizeof buf)) return -1;
    return number_after(buf, "se.nr_migrations");
}

/// Threads of this process in state R ("running or runnable").
std::int64_t own_runnable() noexcept {
    DIR* dir = opendir("/proc/self/task");
    if (dir == nullptr) return -1;
    std::int64_t n = 0;
    while (const dirent* e = readdir(dir)) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
        char path[sizeof("/proc/self/task//stat") + sizeof(e->d_name)];
        std::snprintf(path, sizeof path, "/proc/self/task/%s/stat", e->d_name);
        char buf[512];
        if (!read_file(path, buf, sizeof buf)) continue;
        // "tid (comm) S ...": the state follows the last ')' (comm may hold ')').
        const char* close = std::strrchr(buf, ')');
        if (close != nullptr && close[1] == ' ' && close[2] == 'R') ++n;
    }
    closedir(dir);
    return n;
}

}  // namespace

thread_sample sample_this_thread() noexcept {
    thread_sample s;
    timespec ts{};
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) == 0) s.cpu_ns = std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
    rusage ru{};
    if (getrusage(RUSAGE_THREAD, &ru) == 0) s.involuntary_switches = ru.ru_nivcsw;
    s.migrations = own_migrations();
    return s;
}

machine_sample sample_machine() noexcept {
    machine_sample m;
    char buf[16384];
    if (!read_file("/proc/stat", buf, sizeof buf)) return m;
    // "cpu  user nice system idle iowait irq softirq steal guest guest_nice"
    if (std::strncmp(buf, "cpu ", 4) == 0) {
        long long field[8] = {};
        if (std::sscanf(buf + 4, "%lld %lld %lld %lld %lld %lld %lld %lld", &field[0], &field[1], &field[2],
                        &field[3], &field[4], &field[5], &field[6], &field[7]) == 8) {
            const long hz = sysconf(_SC_CLK_TCK);
            if (hz > 0) m.steal_seconds = static_cast<double>(field[7]) / static_cast<double>(hz);
        }
    }
    const std::int64_t running = number_after(buf, "procs_running");
    const std::int64_t ours = own_runnable();
    if (running >= 0 && ours >= 0) m.foreign_runnable = running > ours ? running - ours : 0;
    return m;
}

std::string migrations_source() {
    return own_migrations() >= 0 ? "se.nr_migrations of /proc/thread-self/sched"
                                 : "unavailable (no se.nr_migrations in /proc/thread-self/sched: the kernel "
                                   "lacks CONFIG_SCHED_DEBUG, or procfs is not mounted)";
}

}  // namespace rsb::witness
