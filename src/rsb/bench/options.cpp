// options.cpp — parsing of runspace_bench's own options (options.hpp).
#include <rsb/bench/options.hpp>
#include <rsb/bench/rates.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <sstream>

namespace rsb {

namespace {

std::string join(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
    return out;
}

std::uint64_t parse_count(std::string_view option, std::string_view text, std::uint64_t lo, std::uint64_t hi) {
    std::uint64_t value = 0;
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc{} || ptr != end || value < lo || value > hi) {
        throw option_error(std::string(option) + "='" + std::string(text) + "' is not valid: expected a whole number from " +
                           std::to_string(lo) + " to " + std::to_string(hi));
    }
    return value;
}

double parse_seconds(std::string_view option, std::string_view text, double lo, double hi) {
    double value = 0;
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc{} || ptr != end || !std::isfinite(value) || value < lo || value > hi) {
        std::ostringstream msg;
        msg << option << "='" << text << "' is not valid: expected seconds from " << lo << " to " << hi;
        throw option_error(msg.str());
    }
    return value;
}

std::vector<std::string> parse_list(std::string_view option, std::string_view text,
                                    const std::vector<std::string>& valid) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t comma = std::min(text.find(',', start), text.size());
        const std::string item(text.substr(start, comma - start));
        if (std::find(valid.begin(), valid.end(), item) == valid.end()) {
            throw option_error(std::string(option) + ": '" + item + "' is not one of: " + join(valid));
        }
        out.push_back(item);
        start = comma + 1;
    }
    return out;
}

/// --threads=LIST: comma-separated whole numbers from 1 to max_sweep_threads,
/// each at most once; returned in ascending order (the sweep's x axis).
std::vector<unsigned> parse_threads(std::string_view option, std::string_view text) {
    std::vector<unsigned> out;
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t comma = std::min(text.find(',', start), text.size());
        const std::uint64_t value = parse_count(option, text.substr(start, comma - start), 1, max_sweep_threads);
        if (std::find(out.begin(), out.end(), value) != out.end()) {
            throw option_error(std::string(option) + ": " + std::to_string(value) + " is given twice");
        }
        out.push_back(static_cast<unsigned>(value));
        start = comma + 1;
    }
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace

settings parse_options(int argc, const char* const* argv, const option_choices& choices) {
    settings o;
    std::vector<std::string> scenario_names;
    for (const scenario_info& s : choices.scenarios) scenario_names.emplace_back(s.name);
    o.benchmark_args.emplace_back(argc > 0 ? argv[0] : "runspace_bench");
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg.starts_with("--benchmark_") || arg.starts_with("--v=")) {
            o.benchmark_args.emplace_back(arg);
            continue;
        }
        const std::size_t eq = arg.find('=');
        const std::string_view name = arg.substr(0, eq);
        const bool has_value = eq != std::string_view::npos;
        const std::string_view value = has_value ? arg.substr(eq + 1) : std::string_view{};
        auto flag = [&](bool& target) {
            if (has_value) throw option_error(std::string(name) + " takes no value (got '" + std::string(arg) + "')");
            target = true;
        };
        auto need_value = [&] {
            if (!has_value) throw option_error(std::string(name) + " needs a value: " + std::string(name) + "=...");
        };
        if (name == "--help" || name == "-h") {
            flag(o.help);
        } else if (name == "--list") {
            flag(o.list);
        } else if (name == "--tutorial") {
            flag(o.tutorial);
        } else if (name == "--smoke") {
            flag(o.smoke);
        } else if (name == "--items") {
            need_value();
            o.items = parse_count(name, value, 1, 1'000'000'000);
        } else if (name == "--updates") {
            need_value();
            o.updates = parse_count(name, value, 1, 1'000'000'000);
        } else if (name == "--deadline") {
            need_value();
            o.deadline_seconds = parse_seconds(name, value, 0.01, 86'400);
        } else if (name == "--scenario") {
            need_value();
            o.scenarios = parse_list(name, value, scenario_names);
        } else if (name == "--impl") {
            need_value();
            o.impls = parse_list(name, value, choices.impls);
        } else if (name == "--family") {
            need_value();
            o.families = parse_list(name, value, choices.families);
        } else if (name == "--threads") {
            need_value();
            o.threads = parse_threads(name, value);
        } else if (name == "--rate") {
            need_value();
            o.rates = parse_rates(name, value);
        } else if (name == "--shuffle") {
            need_value();
            o.shuffle_seed = parse_count(name, value, 0, std::numeric_limits<std::uint64_t>::max());
        } else {
            throw option_error("unknown option '" + std::string(arg) +
                               "'; valid: --help, --list, --tutorial, --smoke, --items=N, --updates=N, "
                               "--deadline=SECONDS, --scenario=LIST, --impl=LIST, --family=LIST, --threads=LIST, "
                               "--rate=LIST, --shuffle=SEED, and Google Benchmark's --benchmark_* flags");
        }
    }
    if (o.tutorial && (o.smoke || o.list)) throw option_error("--tutorial cannot be combined with --smoke or --list");
    if (o.tutorial && !o.threads.empty()) {
        throw option_error("--tutorial cannot be combined with --threads (the tutorial is one sender, one receiver)");
    }
    if (o.rates.empty() &&
        std::find(o.scenarios.begin(), o.scenarios.end(), "producer_consumer_open_loop") != o.scenarios.end()) {
        throw option_error("--scenario=producer_consumer_open_loop needs --rate=LIST (the offered loads, e.g. "
                           "--rate=100k,1M or --rate=0.1x,0.5x,0.9x)");
    }
    if (o.tutorial && !o.rates.empty()) {
        throw option_error("--tutorial cannot be combined with --rate (the tutorial sends one message)");
    }
    if (o.smoke) {
        o.items = 2'000;
        o.updates = 2'000;
    }
    return o;
}

std::string usage_text(const option_choices& choices) {
    std::vector<std::string> scenario_names;
    for (const scenario_info& s : choices.scenarios) scenario_names.emplace_back(s.name);
    std::ostringstream out;
    out << "usage: runspace_bench [options] [--benchmark_* flags]\n\n"
           "Runs the runspace scenarios over every registered queue and shared map and verifies each run.\n\n"
           "  --tutorial          replay the tutorial (queue message, Alice/Bob counter) and exit\n"
           "  --list              list implementations, their guarantees, missing peers, benchmarks\n"
           "  --smoke             minimal sizes, one iteration each (checks every benchmark verifies)\n"
           "  --items=N           items per producer_consumer run, split across producers (default 200000)\n"
           "  --updates=N         Jeton updates per counter run, split across writers (default 100000)\n"
           "  --deadline=SECONDS  a run taking longer is stopped and reported as failed (default 30)\n"
           "  --scenario=LIST     only these scenarios: " << join(scenario_names) << "\n"
           "  --impl=LIST         only these implementations: " << join(choices.impls) << "\n"
           "  --family=LIST       only these families: " << join(choices.families) << "\n"
           "                      (reference ceilings run with their scenario whatever --impl and\n"
           "                      --family chose: they are what the others are read against)\n"
           "  --shuffle=SEED      run the benchmarks in an order shuffled with SEED (0 to 2^64-1;\n"
           "                      recorded as rsb_shuffle_seed)\n"
           "  --rate=LIST         run producer_consumer_open_loop at these offered loads: items/s\n"
           "                      (10k, 1.5M, 2000000) or fractions of the queue's own 1p1c\n"
           "                      throughput (0.1x,0.5x,0.9x); latency from each item's scheduled time\n"
           "  --threads=LIST      thread-scaling sweep: run each scenario at these totals T of runspaces\n"
           "                      (e.g. 1,2,4,8,16) instead of its default shapes:\n";
    for (const scenario_info& s : choices.scenarios) out << "                        " << s.name << ": " << s.threads << "\n";
    out << "\nGoogle Benchmark flags pass through, e.g. --benchmark_filter=REGEX,\n"
           "--benchmark_repetitions=N, --benchmark_format=json, --benchmark_out=FILE.\n"
           "Exit status: 0 all verified, 1 a benchmark failed verification, 2 bad usage.\n";
    return out.str();
}

}  // namespace rsb
