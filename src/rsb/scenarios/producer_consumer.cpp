// producer_consumer.cpp — verification of the producer_consumer scenario.
#include <rsb/scenarios/producer_consumer.hpp>

#include <sstream>

namespace rsb {

std::string verify_deliveries(unsigned producers, std::uint32_t items_per_producer,
                              const std::vector<std::vector<item_t>>& received, bool check_order) {
    constexpr int max_reported = 5;
    std::ostringstream problems;
    int reported = 0;
    auto report = [&](const std::string& what) {
        if (reported < max_reported) problems << (reported ? "; " : "") << what;
        ++reported;
    };

    std::vector<std::uint8_t> seen(std::size_t{producers} * items_per_producer, 0);
    for (std::size_t c = 0; c < received.size(); ++c) {
        std::vector<std::int64_t> last(producers, -1);
        for (std::size_t i = 0; i < received[c].size(); ++i) {
            const item_t v = received[c][i];
            const std::uint32_t p = item_producer(v);
            const std::uint32_t s = item_seq(v);
            if (v == 0 || p >= producers || s >= items_per_producer) {
                report("consumer-" + std::to_string(c) + " popped a value no producer pushed (0x" +
                       [&] { std::ostringstream h; h << std::hex << v; return h.str(); }() + ")");
                continue;
            }
            auto& count = seen[std::size_t{p} * items_per_producer + s];
            if (count < 255) ++count;
            if (check_order) {
                if (static_cast<std::int64_t>(s) <= last[p]) {
                    report("consumer-" + std::to_string(c) + " saw producer-" + std::to_string(p) + "'s item " +
                           std::to_string(s) + " after its item " + std::to_string(last[p]) +
                           " (per-producer FIFO broken)");
                }
                last[p] = s;
            }
        }
    }
    std::uint64_t lost = 0;
    std::uint64_t duplicated = 0;
    for (std::size_t i = 0; i < seen.size(); ++i) {
        if (seen[i] == 1) continue;
        const auto p = i / items_per_producer;
        const auto s = i % items_per_producer;
        if (seen[i] == 0) {
            ++lost;
            if (lost <= 2) report("producer-" + std::to_string(p) + "'s item " + std::to_string(s) + " was never popped");
        } else {
            ++duplicated;
            if (duplicated <= 2)
                report("producer-" + std::to_string(p) + "'s item " + std::to_string(s) + " was popped " +
                       std::to_string(seen[i]) + " times");
        }
    }
    if (reported == 0) return {};
    std::ostringstream out;
    out << "verification failed (" << lost << " lost, " << duplicated << " duplicated, " << reported
        << " problems): " << problems.str();
    if (reported > max_reported) out << "; …";
    return out.str();
}

}  // namespace rsb
