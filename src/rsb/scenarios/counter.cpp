// counter.cpp — name table and shapes of the counter scenario.
#include <rsb/scenarios/counter.hpp>

namespace rsb {

std::string shape_name(const counter_shape& s) {
    return std::to_string(s.writers) + "w" + std::to_string(s.readers) + "r";
}

std::vector<counter_shape> counter_sweep(const std::vector<unsigned>& totals) {
    std::vector<counter_shape> out;
    for (unsigned t : totals) {
        const role_split split = split_runspaces(t);
        if (t >= 2) out.push_back({split.first, split.second});
    }
    return out;
}

std::vector<std::string> personnage_names(unsigned writers, unsigned readers) {
    std::vector<std::string> names{"Qui ?"};
    for (unsigned w = 0; w < writers; ++w) names.push_back(w == 0 ? "Alice" : "Alice#" + std::to_string(w + 1));
    for (unsigned r = 0; r < readers; ++r) names.push_back(r == 0 ? "Bob" : "Bob#" + std::to_string(r + 1));
    return names;
}

}  // namespace rsb
