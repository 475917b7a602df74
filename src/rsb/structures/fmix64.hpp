// fmix64.hpp — the project's one 64-bit bit mixer.
//
// MurmurHash3's 64-bit finaliser (Austin Appleby): two xor-shift-multiply
// rounds after which every input bit affects every output bit. The hash
// tables use it to turn keys with regular structure (sequential ids, keys a
// fixed gap apart) into well-spread slot indices: lockfree_map on its key
// words, sharded_map on Hash's result before a shard's flat_table masks it.
// Pure function; no state, no synchronization.
#pragma once

#include <cstdint>

namespace rsb {

[[nodiscard]] constexpr std::uint64_t fmix64(std::uint64_t k) noexcept {
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdull;
    k ^= k >> 33;
    k *= 0xc4ceb9fe1a85ec53ull;
    k ^= k >> 33;
    return k;
}

}  // namespace rsb
