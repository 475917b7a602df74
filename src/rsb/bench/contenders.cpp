// contenders.cpp — the guarantee descriptions of contenders.hpp.
#include <rsb/bench/contenders.hpp>

namespace rsb::bench {

namespace {
std::string count_text(std::size_t n) { return n == any_count ? "any" : std::to_string(n); }
}  // namespace

std::string describe(const queue_guarantees& g) {
    return "kind:queue;progress:" + std::string(to_string(g.progress)) + ";order:" + std::string(to_string(g.order)) +
           ";bounded:" + (g.bounded ? "yes" : "no") + ";producers:" + count_text(g.max_producers) +
           ";consumers:" + count_text(g.max_consumers);
}

std::string describe(const map_guarantees& g) {
    return "kind:map;progress:" + std::string(to_string(g.progress)) + ";bounded:" + (g.bounded ? "yes" : "no");
}

std::string describe_costs(const std::vector<std::string>& payloads, const memory_profile& m) {
    std::string out;
    if (!payloads.empty()) {
        out += ";payloads:";
        for (std::size_t i = 0; i < payloads.size(); ++i) out += (i ? " " : "") + payloads[i];
    }
    out += ";memory:" + std::string(to_string(m.release));
    return out;
}

std::vector<pc_shape> payload_shapes(const settings& s) {
    return s.threads.empty() ? producer_consumer_latency_shapes(s.cores()) : producer_consumer_sweep(s.threads);
}

}  // namespace rsb::bench
