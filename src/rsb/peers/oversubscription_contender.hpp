// peers/oversubscription_contender.hpp — the benchmark's entry for a queue
// that declares max_producers_when_oversubscribed (oversubscription.hpp):
// every benchmark an ordinary queue registration plans, except the
// producer_consumer shapes (plain, /cap64, bulk, latency; default shapes and
// --threads sweeps alike) with more producers than that limit and more
// runspaces than this machine's logical CPUs. ping_pong stays: each of its
// two queues has one producer.
//
// It plans through rsb::bench::queue_contender<Q> and keeps what fits, so
// the names, sizes and verification are exactly the ordinary ones; a shape is
// read from the benchmark name's third component, `<P>p<C>c`, the format
// every results file and script relies on. --list shows the rule
// ("not in producer_consumer...") and the guarantee
// `producers_when_oversubscribed:N`, recorded in the JSON context too.
#pragma once

#include <charconv>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <rsb/bench/catalog.hpp>
#include <rsb/bench/contenders.hpp>
#include <rsb/peers/oversubscription.hpp>
#include <rsb/structures/family.hpp>

namespace rsb::peers {

namespace detail {
/// Producers and consumers of a benchmark name "<scenario>/<impl>/<P>p<C>c[/...]",
/// or nothing when its third component is not a shape (ping_pong).
struct pc_counts {
    std::size_t producers;
    std::size_t consumers;
};
[[nodiscard]] inline std::optional<pc_counts> shape_of(std::string_view name) {
    for (int skip = 0; skip < 2; ++skip) {
        const std::size_t slash = name.find('/');
        if (slash == std::string_view::npos) return std::nullopt;
        name.remove_prefix(slash + 1);
    }
    name = name.substr(0, name.find('/'));
    pc_counts c{};
    const char* const end = name.data() + name.size();
    auto [p_end, p_err] = std::from_chars(name.data(), end, c.producers);
    if (p_err != std::errc{} || p_end == end || *p_end != 'p') return std::nullopt;
    auto [c_end, c_err] = std::from_chars(p_end + 1, end, c.consumers);
    if (c_err != std::errc{} || c_end + 1 != end || *c_end != 'c') return std::nullopt;
    return c;
}
}  // namespace detail

template <limits_producers_when_oversubscribed Q>
class oversubscription_limited_contender final : public contender {
public:
    oversubscription_limited_contender(std::string name, family group)
        : contender(name, group), all_(std::move(name), group) {}

    [[nodiscard]] std::string kind() const override { return all_.kind(); }
    [[nodiscard]] std::string guarantees() const override {
        return all_.guarantees() + ";producers_when_oversubscribed:" + std::to_string(limit);
    }
    [[nodiscard]] std::vector<std::string> scenarios() const override { return all_.scenarios(); }
    [[nodiscard]] std::vector<std::string> not_joined() const override {
        std::vector<std::string> out = all_.not_joined();
        out.push_back("producer_consumer* shapes with more than " + std::to_string(limit) +
                      " producer(s) and more runspaces than the " + std::to_string(logical_cpus()) +
                      " logical CPUs: its producers wait for each other inside try_push, spinning "
                      "(max_producers_when_oversubscribed)");
        return out;
    }
    void plan(const settings& s, benchmark_plan& out) const override {
        benchmark_plan everything;
        all_.plan(s, everything);
        const unsigned cpus = logical_cpus();
        for (planned_benchmark& b : everything.benchmarks()) {
            const auto shape = detail::shape_of(b.name);
            if (shape && !respects_oversubscription_limit(shape->producers, shape->consumers, cpus, limit)) continue;
            out.add(std::move(b.name), std::move(b.run_once));
        }
    }

private:
    static constexpr std::size_t limit = Q::max_producers_when_oversubscribed;
    rsb::bench::queue_contender<Q> all_;
};

}  // namespace rsb::peers
