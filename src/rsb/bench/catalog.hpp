// catalog.hpp — every implementation a runspace-bench binary measures.
//
// The catalog is filled before main() by registrations (register.hpp:
// RSB_REGISTER_QUEUE, RSB_REGISTER_MAP, ...) written in any translation unit
// linked into the binary — ours (src/rsb/registrations/), the peers'
// (src/rsb/peers/) and a user's own — in the spirit of Google Benchmark's
// BENCHMARK(). Nothing else lists implementations: --list, --impl, the JSON
// context and the benchmarks all come from here.
//
// A *contender* is one registered name. It knows which scenarios it joins and
// plans its benchmarks for given settings; the reference ceilings
// (ceilings.hpp) are contenders too, in the family `ceiling`, and accompany
// their scenario whatever --impl/--family selected (they are what the others
// are read against).
//
// Errors found while registering (two contenders with one name, an invalid
// name) cannot be thrown before main(): they are recorded, and main() prints
// them and exits with status 2.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <rsb/harness/scenario_result.hpp>
#include <rsb/structures/family.hpp>

namespace rsb {

struct settings;

/// One benchmark a contender wants to run: its full name and one harness run.
struct planned_benchmark {
    std::string name;
    std::function<scenario_result()> run_once;
};

/// Where contenders put their benchmarks (main() registers them with Google
/// Benchmark afterwards, shuffled when asked).
class benchmark_plan {
public:
    void add(std::string name, std::function<scenario_result()> run_once);
    [[nodiscard]] const std::vector<planned_benchmark>& benchmarks() const noexcept { return benchmarks_; }
    [[nodiscard]] std::vector<planned_benchmark>& benchmarks() noexcept { return benchmarks_; }
    /// The first component of every planned name seen so far.
    [[nodiscard]] bool has_scenario(std::string_view scenario) const;

private:
    std::vector<planned_benchmark> benchmarks_;
};

/// One registered implementation or reference ceiling.
class contender {
public:
    contender(std::string name, family group) : name_(std::move(name)), family_(group) {}
    contender(const contender&) = delete;
    contender& operator=(const contender&) = delete;
    virtual ~contender() = default;

    [[nodiscard]] const std::string& name() const noexcept { return name_; }
    [[nodiscard]] family group() const noexcept { return family_; }

    /// What it is ("queue", "shared map", ...), for --list.
    [[nodiscard]] virtual std::string kind() const = 0;
    /// Its guarantees as `key:value` fields separated by ';' (progress, order,
    /// bounded, ...), for --list and the JSON context (rsb_guarantees).
    [[nodiscard]] virtual std::string guarantees() const = 0;
    /// The scenarios it joins, and for each one it cannot join, why (--list).
    [[nodiscard]] virtual std::vector<std::string> scenarios() const = 0;
    [[nodiscard]] virtual std::vector<std::string> not_joined() const { return {}; }
    /// Adds the benchmarks that `s` selects to `plan`.
    virtual void plan(const settings& s, benchmark_plan& plan) const = 0;

private:
    std::string name_;
    family family_;
};

/// A peer that was not built, and the Debian package that would bring it.
struct missing_peer {
    std::string name;
    std::string package;
};

class catalog {
public:
    /// An empty catalog (for tests); the binary uses instance().
    catalog() = default;
    catalog(const catalog&) = delete;
    catalog& operator=(const catalog&) = delete;

    /// The one catalog of this process, filled by the registrations.
    [[nodiscard]] static catalog& instance();

    /// Adds a contender; a duplicate or invalid name is recorded in errors()
    /// (never thrown: registrations run before main). Returns whether it was added.
    bool add(std::unique_ptr<contender> c) noexcept;
    /// Records a peer that could not be built (its package was missing).
    bool add_missing(std::string name, std::string package) noexcept;

    [[nodiscard]] const std::vector<std::unique_ptr<contender>>& contenders() const noexcept { return contenders_; }
    [[nodiscard]] const std::vector<missing_peer>& missing() const noexcept { return missing_; }
    [[nodiscard]] const std::vector<std::string>& errors() const noexcept { return errors_; }

    /// Every benchmark the settings select: the contenders' in registration
    /// order, then the ceilings of every scenario that got at least one.
    [[nodiscard]] benchmark_plan plan(const settings& s) const;

private:
    std::vector<std::unique_ptr<contender>> contenders_;
    std::vector<missing_peer> missing_;
    std::vector<std::string> errors_;
};

/// Keeps this project's own registrations (our structures and the ceilings)
/// in a binary that links rsb::bench statically; main() calls it. A no-op.
void link_builtin_registrations();

}  // namespace rsb
