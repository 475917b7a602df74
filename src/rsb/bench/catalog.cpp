// catalog.cpp — the catalog of contenders (catalog.hpp) and the settings'
// selection rules (settings.hpp).
#include <rsb/bench/catalog.hpp>

#include <algorithm>
#include <thread>

#include <rsb/bench/settings.hpp>

namespace rsb {

namespace {
bool selected(const std::vector<std::string>& wanted, std::string_view name) {
    return wanted.empty() || std::find(wanted.begin(), wanted.end(), name) != wanted.end();
}

/// Names become benchmark name components and --impl values: no '/', no ',',
/// no '=' or ';' (the JSON context's separators), no spaces, not empty.
bool valid_name(std::string_view n) {
    if (n.empty() || n.size() > 64) return false;
    return std::all_of(n.begin(), n.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
               c == '.';
    });
}
}  // namespace

unsigned settings::cores() const noexcept { return std::max(2u, std::thread::hardware_concurrency()); }
unsigned settings::logical_cpus() const noexcept { return std::max(1u, std::thread::hardware_concurrency()); }

bool settings::wants(std::string_view scenario, std::string_view impl, family fam) const {
    return selected(scenarios, scenario) && selected(impls, impl) && selected(families, to_string(fam));
}

bool settings::wants_scenario(std::string_view scenario) const { return selected(scenarios, scenario); }

void benchmark_plan::add(std::string name, std::function<scenario_result()> run_once) {
    benchmarks_.push_back({std::move(name), std::move(run_once)});
}

bool benchmark_plan::has_scenario(std::string_view scenario) const {
    return std::any_of(benchmarks_.begin(), benchmarks_.end(), [&](const planned_benchmark& b) {
        return b.name.size() > scenario.size() && b.name.compare(0, scenario.size(), scenario) == 0 &&
               b.name[scenario.size()] == '/';
    });
}

namespace detail {
// Defined in src/rsb/registrations/*.cpp. Referencing them here makes the
// linker keep those objects, and so their registrations, whenever the
// catalog is used from a static rsb::bench.
void link_ours_queues();
void link_ours_maps();
void link_ceilings();
}  // namespace detail

catalog& catalog::instance() {
    static catalog c;
    return c;
}

void link_builtin_registrations() {
    detail::link_ours_queues();
    detail::link_ours_maps();
    detail::link_ceilings();
}

bool catalog::add(std::unique_ptr<contender> c) noexcept {
    try {
        if (!c) return false;
        if (!valid_name(c->name())) {
            errors_.push_back("'" + c->name() +
                              "' is not a valid implementation name: use 1 to 64 letters, digits, '_', '-' or '.'");
            return false;
        }
        const auto clash = std::find_if(contenders_.begin(), contenders_.end(),
                                        [&](const auto& other) { return other->name() == c->name(); });
        if (clash != contenders_.end()) {
            errors_.push_back("two implementations are registered as '" + c->name() + "' (" + c->kind() + ", family " +
                              std::string(to_string(c->group())) + "; and " + (*clash)->kind() + ", family " +
                              std::string(to_string((*clash)->group())) + "): names must be unique");
            return false;
        }
        contenders_.push_back(std::move(c));
        return true;
    } catch (...) {
        return false;  // out of memory before main: the contender is simply absent
    }
}

bool catalog::add_missing(std::string name, std::string package) noexcept {
    try {
        missing_.push_back({std::move(name), std::move(package)});
        return true;
    } catch (...) {
        return false;
    }
}

benchmark_plan catalog::plan(const settings& s) const {
    benchmark_plan out;
    for (const auto& c : contenders_) {
        if (c->group() != family::ceiling) c->plan(s, out);
    }
    // Ceilings: as selected, or else with every scenario that runs something.
    for (const auto& c : contenders_) {
        if (c->group() != family::ceiling) continue;
        const bool named = (!s.impls.empty() && selected(s.impls, c->name())) ||
                           (!s.families.empty() && selected(s.families, to_string(family::ceiling)));
        if (named || (s.impls.empty() && s.families.empty())) {
            c->plan(s, out);
            continue;
        }
        settings along = s;
        along.impls.clear();
        along.families.clear();
        along.scenarios.clear();
        for (const std::string& scenario : c->scenarios()) {
            if (s.wants_scenario(scenario) && out.has_scenario(scenario)) along.scenarios.push_back(scenario);
        }
        if (!along.scenarios.empty()) c->plan(along, out);
    }
    return out;
}

}  // namespace rsb
