// item.hpp — what flows through the queues in the queue scenarios
// (producer_consumer, ping_pong): a 64-bit word that carries its own tag, so
// that verification can tell every item apart.
#pragma once

#include <cstdint>

namespace rsb {

/// The word payload: a 64-bit tag.
using item_t = std::uint64_t;

/// (producer + 1) in the high half, sequence number in the low half. Never 0,
/// because some peers (atomic_queue) reserve 0 as their empty-slot marker.
[[nodiscard]] constexpr item_t make_item(std::uint32_t producer, std::uint32_t seq) noexcept {
    return (static_cast<item_t>(producer) + 1) << 32 | seq;
}
[[nodiscard]] constexpr std::uint32_t item_producer(item_t v) noexcept {
    return static_cast<std::uint32_t>(v >> 32) - 1;
}
[[nodiscard]] constexpr std::uint32_t item_seq(item_t v) noexcept { return static_cast<std::uint32_t>(v); }
static_assert(make_item(0, 0) != 0);
static_assert(item_producer(make_item(7, 9)) == 7 && item_seq(make_item(7, 9)) == 9);

}  // namespace rsb
