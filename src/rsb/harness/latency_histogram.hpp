// latency_histogram.hpp — a fixed-size log-linear histogram of nanoseconds.
//
// Used by producer_consumer_latency: each consumer records into its own
// histogram (no sharing while the run is timed); the main thread merges them
// after the pool has joined its threads (the join orders every record before
// the merge).
//
// Buckets: values below 2^sub_bits (32) have one bucket each; above that,
// every power-of-two range [2^e, 2^(e+1)) is split into 2^sub_bits/2 (16)
// equal buckets, so a bucket is at most 1/16 (6.25 %) of its values wide —
// the same scheme as HdrHistogram with one significant hex digit. Percentiles
// report the *upper* bound of the bucket they fall in, so they may overstate
// by up to 6.25 % and never understate.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>

namespace rsb {

class latency_histogram {
public:
    /// log2 of the number of exact buckets; sets the relative resolution.
    static constexpr unsigned sub_bits = 5;
    static constexpr std::size_t exact = std::size_t{1} << sub_bits;       // 32 exact buckets: 0..31 ns
    static constexpr std::size_t per_octave = exact / 2;                   // 16 buckets per power of two
    static constexpr std::size_t bucket_count = exact + (64 - sub_bits) * per_octave;

    /// The bucket holding `ns`.
    [[nodiscard]] static constexpr std::size_t bucket_of(std::uint64_t ns) noexcept {
        if (ns < exact) return static_cast<std::size_t>(ns);
        const unsigned e = static_cast<unsigned>(std::bit_width(ns)) - 1;  // 2^e <= ns < 2^(e+1), e >= sub_bits
        const unsigned shift = e - (sub_bits - 1);                          // keep the top sub_bits bits
        const std::size_t mantissa = static_cast<std::size_t>(ns >> shift) - per_octave;  // 0..15
        return exact + std::size_t{e - sub_bits} * per_octave + mantissa;
    }
    /// The largest value that falls into bucket `b`.
    [[nodiscard]] static constexpr std::uint64_t upper_bound(std::size_t b) noexcept {
        if (b < exact) return b;
        const unsigned e = static_cast<unsigned>((b - exact) / per_octave) + sub_bits;
        const std::uint64_t mantissa = (b - exact) % per_octave + per_octave;
        const unsigned shift = e - (sub_bits - 1);
        return ((mantissa + 1) << shift) - 1;
    }

    void record(std::uint64_t ns) noexcept {
        ++counts_[bucket_of(ns)];
        ++total_;
    }
    void merge(const latency_histogram& other) noexcept {
        for (std::size_t i = 0; i < bucket_count; ++i) counts_[i] += other.counts_[i];
        total_ += other.total_;
    }

    [[nodiscard]] std::uint64_t count() const noexcept { return total_; }

    /// The value below or at which a fraction `q` (0 < q <= 1) of the
    /// recorded values lie (upper bucket bound); 0 when nothing was recorded.
    [[nodiscard]] std::uint64_t percentile(double q) const noexcept {
        if (total_ == 0) return 0;
        auto rank = static_cast<std::uint64_t>(q * static_cast<double>(total_));
        if (static_cast<double>(rank) < q * static_cast<double>(total_)) ++rank;  // ceil
        if (rank == 0) rank = 1;
        std::uint64_t seen = 0;
        for (std::size_t i = 0; i < bucket_count; ++i) {
            seen += counts_[i];
            if (seen >= rank) return upper_bound(i);
        }
        return upper_bound(bucket_count - 1);
    }

private:
    std::array<std::uint64_t, bucket_count> counts_{};
    std::uint64_t total_ = 0;
};

static_assert(latency_histogram::bucket_of(31) == 31);
static_assert(latency_histogram::bucket_of(32) == 32 && latency_histogram::upper_bound(32) == 33);
static_assert(latency_histogram::upper_bound(latency_histogram::bucket_of(1000)) >= 1000);
static_assert(latency_histogram::bucket_of(~std::uint64_t{0}) == latency_histogram::bucket_count - 1);
static_assert(latency_histogram::upper_bound(latency_histogram::bucket_count - 1) == ~std::uint64_t{0});

}  // namespace rsb
