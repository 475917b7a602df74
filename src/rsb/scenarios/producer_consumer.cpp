// producer_consumer.cpp — verification of the producer_consumer scenario.
#include <rsb/scenarios/producer_consumer.hpp>

#include <algorithm>
#include <sstream>

namespace rsb {

std::string shape_name(const pc_shape& s) {
    return std::to_string(s.producers) + "p" + std::to_string(s.consumers) + "c";
}

std::vector<pc_shape> producer_consumer_shapes(unsigned cores) {
    const unsigned n = std::max(2u, cores);
    std::vector<pc_shape> shapes{{1, 1}};
    auto add = [&](pc_shape s) {
        if (std::find(shapes.begin(), shapes.end(), s) == shapes.end()) shapes.push_back(s);
    };
    for (unsigned k = 2; 2 * k <= std::max(n, 8u); k *= 2) add({k, k});
    const unsigned fan = std::max(4u, n - 1);
    add({fan, 1});
    add({1, fan});
    add({4 * n, 4 * n});
    return shapes;
}

std::vector<pc_shape> producer_consumer_sweep(const std::vector<unsigned>& totals) {
    std::vector<pc_shape> shapes;
    for (unsigned t : totals) {
        if (t < 2) continue;
        const role_split split = split_runspaces(t);
        shapes.push_back({split.first, split.second});
    }
    return shapes;
}

std::vector<pc_shape> producer_consumer_latency_shapes(unsigned cores) {
    const unsigned k = std::max(2u, std::max(2u, cores) / 2);
    return {{1, 1}, {k, k}};
}

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
