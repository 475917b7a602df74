// register.cpp — the one file that puts this project's structures into
// runspace-bench: linked with rsb::bench_main it is a benchmark binary;
// compiled by rsb_add_conformance_tests() it is their conformance tests.
#include <rsb/register.hpp>

#include "striped_lock_map.hpp"
#include "two_lock_queue.hpp"

// two_lock_queue has try_push/try_pop but no `guarantees`: describe it.
template <class T>
struct rsb::queue_traits<my::two_lock_queue<T>> {
    static constexpr rsb::queue_guarantees guarantees{
        .progress = rsb::progress_guarantee::blocking, .order = rsb::order_guarantee::fifo, .bounded = false};
};

RSB_REGISTER_QUEUE(my::two_lock_queue<rsb::item_t>, "two_lock_queue");
// A map template: <std::string, int64> runs the tutorial's counter with its
// string keys, <std::uint64_t, int64> map_mix and hot_counter.
RSB_REGISTER_MAP_TEMPLATE(my::striped_lock_map, "striped_lock_map");
