// progress.cpp — the progress display (progress.hpp).
#include <rsb/bench/progress.hpp>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string_view>

#include <rsb/bench/measure.hpp>

namespace rsb {

namespace {
std::string minutes_seconds(double seconds) {
    const auto total = static_cast<long>(seconds + 0.5);
    char text[32];
    std::snprintf(text, sizeof text, "%ld:%02ld", total / 60, total % 60);
    return text;
}
}  // namespace

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
