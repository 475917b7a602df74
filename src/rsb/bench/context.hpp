// context.hpp — provenance in the JSON context: the build, the machine, and
// what the catalog holds (families, guarantees, missing peers), so that a
// results file says what produced it.
#pragma once

#include <string>

namespace rsb {

class catalog;
struct settings;
struct wait_calibration;
struct backoff_policy;

/// Records compiler, flags, build type, padding and library versions in the
/// JSON context.
void add_build_context();

/// Records the machine in the JSON context: CPU model, logical CPUs online and
/// allowed to this process, whether a hypervisor is present (/proc/cpuinfo's
/// `hypervisor` flag), the CPU frequency governor where /sys exposes it, and
/// thread pinning (off: the harness never pins; the OS places runspaces).
/// Anything unreadable is recorded as "unknown (...)", never guessed.
void add_machine_context();

/// Records what the catalog holds and what was selected: rsb_families
/// ("name=family,..."), rsb_guarantees ("name=kind:queue;progress:...,...",
/// see contender::guarantees), rsb_missing_peers, rsb_selection, sizes, the
/// sweep and the shuffle seed.
void add_catalog_context(const catalog& c, const settings& s);

/// Records what waiting costs here and how latency runs wait: rsb_pause_ns,
/// rsb_poll_step_ns, rsb_latency_wait ("N polls of P pause(s), then yield").
void add_wait_context(const wait_calibration& waits, const backoff_policy& latency_wait);

/// "name (package), ..." of the peers not built, or "" when none is missing.
[[nodiscard]] std::string missing_peers_text(const catalog& c);

}  // namespace rsb
