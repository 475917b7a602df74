// counter.cpp — name table of the counter scenario.
#include <rsb/scenarios/counter.hpp>

namespace rsb {

std::vector<std::string> personnage_names(unsigned writers, unsigned readers) {
    std::vector<std::string> names{"Qui ?"};
    for (unsigned w = 0; w < writers; ++w) names.push_back(w == 0 ? "Alice" : "Alice#" + std::to_string(w + 1));
    for (unsigned r = 0; r < readers; ++r) names.push_back(r == 0 ? "Bob" : "Bob#" + std::to_string(r + 1));
    return names;
}

}  // namespace rsb
