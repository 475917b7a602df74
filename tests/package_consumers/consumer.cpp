// consumer.cpp — a program of another project using runspace-bench's
// harness, scenarios and structures through their installed names.
#include <iostream>

#include <rsb/scenarios/producer_consumer.hpp>
#include <rsb/structures/mutex_queue.hpp>

int main() {
    rsb::host console(std::cerr);
    rsb::producer_consumer_config cfg;
    cfg.producers = 2;
    cfg.consumers = 2;
    cfg.items_per_producer = 10'000;
    const auto r = rsb::run_producer_consumer<rsb::mutex_queue<rsb::item_t>>(cfg, console);
    if (!r.ok()) {
        std::cerr << "consumer: " << r.failure << '\n';
        return 1;
    }
    std::cout << "consumer: " << r.items << " items delivered exactly once\n";
    return 0;
}
