// ceilings.hpp — reference ceilings: contenders that are not structures
// anyone would choose, but the least each scenario's sharing pattern costs on
// this machine, measured in the same binary and run as the structures.
// A structure's number read against its scenario's ceiling says how much of
// the gap to the hardware is the structure's. They register like every
// structure (src/rsb/registrations/ceilings.cpp), in the family `ceiling`.
//
//  - ping_pong/cacheline_ceiling (run_cacheline_ping_pong): one std::atomic
//    bounced between the two runspaces on its own cache line.
//  - ping_pong/two_line_ceiling (run_two_line_ping_pong): two atomics on two
//    lines, each written by one runspace — the sharing pattern of any two
//    queues (each slot or index line has one writer), without the queues.
//  - counter/personnage_atomics: the tutorial's three variables as bare atomics.
//  - hot_counter/shared_atomic_add: every writer adds to one atomic word.
//  - hot_counter/per_runspace_counters: nothing shared at all.
//  - producer_consumer/handoff_ceiling (handoff_lanes): the harness's own
//    ceiling — the same runspaces, waits, counters and verification around
//    the cheapest hand-off that is still a queue: each producer owns a lane
//    (a FastForward ring of words, one store per item, no shared index), and
//    each lane is served by one consumer. A queue near this ceiling is
//    measuring the harness, not itself.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <atomic>
#include <memory>
#include <mutex>
#include <vector>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include <rsb/harness/scenario_result.hpp>
#include <rsb/scenarios/counter.hpp>
#include <rsb/scenarios/hot_counter.hpp>
#include <rsb/scenarios/item.hpp>
#include <rsb/scenarios/ping_pong.hpp>
#include <rsb/structures/cache_padded.hpp>
#include <rsb/structures/concepts.hpp>

namespace rsb {

/// Where ping_pong's ceilings keep the ball: two named policies with the same
/// interface (ping/pong publish round i's half, ping_seen/pong_seen test for
/// it, check names a wrong final state), so that both ceilings run the one
/// body below, with the same runspaces and the same waits as the queues.
namespace ping_pong_tokens {

/// One std::atomic on its own cache line, written by both runspaces: odd
/// values are pings (2i+1), even values pongs (2i+2). The line migrates
/// between the two cores, once per hand-off.
struct one_line {
    cache_padded<std::atomic<std::uint64_t>> token;
    // (1) release: publishes the ping; pairs with the acquire-load (2) in runspace2.
    void ping(std::uint64_t i) noexcept { token->store(2 * i + 1, std::memory_order_release); }
    // (2) acquire: pairs with the release-store (1) of the ping.
    [[nodiscard]] bool ping_seen(std::uint64_t i) const noexcept {
        return token->load(std::memory_order_acquire) == 2 * i + 1;
    }
    // (3) release: publishes the pong; pairs with the acquire-load (4) in runspace1.
    void pong(std::uint64_t i) noexcept { token->store(2 * i + 2, std::memory_order_release); }
    // (4) acquire: pairs with the release-store (3) of the pong.
    [[nodiscard]] bool pong_seen(std::uint64_t i) const noexcept {
        return token->load(std::memory_order_acquire) == 2 * i + 2;
    }
    /// Empty when the token ended where n round trips leave it. Relaxed loads:
    /// the pool has joined both runspaces, which orders their stores first.
    [[nodiscard]] std::string check(std::uint64_t n) const {
        const std::uint64_t t = token->load(std::memory_order_relaxed);
        return t == 2 * n ? std::string{} : "the token ended at " + std::to_string(t) + " instead of " + std::to_string(2 * n);
    }
};

/// Two std::atomic words, each on its own cache line and each written by one
/// runspace only (ping by runspace1, pong by runspace2), as in any pair of
/// queues: a line never migrates, the writer takes it back from the reader
/// before every store and the reader fetches it again. The least a round
/// trip through two single-writer lines costs on this machine.
struct two_lines {
    cache_padded<std::atomic<std::uint64_t>> ping_word;
    cache_padded<std::atomic<std::uint64_t>> pong_word;
    // (1) release: publishes ping i; pairs with the acquire-load (2) in runspace2.
    void ping(std::uint64_t i) noexcept { ping_word->store(i + 1, std::memory_order_release); }
    // (2) acquire: pairs with the release-store (1).
    [[nodiscard]] bool ping_seen(std::uint64_t i) const noexcept {
        return ping_word->load(std::memory_order_acquire) == i + 1;
    }
    // (3) release: publishes pong i; pairs with the acquire-load (4) in runspace1.
    void pong(std::uint64_t i) noexcept { pong_word->store(i + 1, std::memory_order_release); }
    // (4) acquire: pairs with the release-store (3).
    [[nodiscard]] bool pong_seen(std::uint64_t i) const noexcept {
        return pong_word->load(std::memory_order_acquire) == i + 1;
    }
    /// As one_line::check.
    [[nodiscard]] std::string check(std::uint64_t n) const {
        const std::uint64_t a = ping_word->load(std::memory_order_relaxed);
        const std::uint64_t b = pong_word->load(std::memory_order_relaxed);
        return a == n && b == n ? std::string{}
                                : "the words ended at ping " + std::to_string(a) + ", pong " + std::to_string(b) +
                                      " instead of " + std::to_string(n);
    }
};

}  // namespace ping_pong_tokens

/// A ping_pong ceiling: the same two runspaces bouncing round i through
/// `Tokens` (ping_pong_tokens::one_line or two_lines) instead of two queues.
template <class Tokens>
[[nodiscard]] scenario_result run_ping_pong_ceiling(const ping_pong_config& cfg, host& console) {
    scenario_result result;
    auto tokens = std::make_unique<Tokens>();
    runspace_pool pool(console, cfg.pool);
    const std::uint32_t n = cfg.round_trips;
    Tokens& t = *tokens;

    pool.add("runspace1", [n, &t](runspace_context& ctx) {
        ctx.set_activity("bouncing");
        for (std::uint64_t i = 0; i < n; ++i) {
            t.ping(i);
            if (!ctx.wait_until("waiting: pong", [&] { return t.pong_seen(i); })) return;
            ctx.count_ops();
        }
    });
    pool.add("runspace2", [n, &t](runspace_context& ctx) {
        ctx.set_activity("bouncing");
        for (std::uint64_t i = 0; i < n; ++i) {
            if (!ctx.wait_until("waiting: ping", [&] { return t.ping_seen(i); })) return;
            t.pong(i);
            ctx.count_ops();
        }
    });

    result.run = pool.invoke();
    const std::uint64_t done = result.run.runspaces.empty() ? 0 : result.run.runspaces[0].ops;
    detail::finish_ping_pong(result, done);
    if (result.ok()) {
        if (const std::string wrong = t.check(n); !wrong.empty()) add_failure(result, wrong);
    }
    return result;
}

/// The ceiling: the same two runspaces bouncing one atomic on its own cache
/// line (ping_pong/cacheline_ceiling).
[[nodiscard]] inline scenario_result run_cacheline_ping_pong(const ping_pong_config& cfg, host& console) {
    return run_ping_pong_ceiling<ping_pong_tokens::one_line>(cfg, console);
}

/// The two-line ceiling (ping_pong/two_line_ceiling): two words, one written
/// by each runspace — what any pair of queues has at least.
[[nodiscard]] inline scenario_result run_two_line_ping_pong(const ping_pong_config& cfg, host& console) {
    return run_ping_pong_ceiling<ping_pong_tokens::two_lines>(cfg, console);
}

/// Ceiling for `counter`: the tutorial's Name, Jeton and Continue as three bare
/// std::atomic words, each alone on its own cache line, behind the map
/// interface run_counter uses (fixed ids 1, 2, 3 of personnage_key). The same
/// memory orderings as lockfree_map (get acquire, set release, add one acq_rel
/// fetch_add), and no hashing, probing or key words: what the scenario's
/// sharing pattern — the writer sets Name and raises Jeton, the reader checks
/// Continue, sets Name and reads Jeton, every round — costs on this machine
/// when the container costs nothing. A map's counter/atomic throughput read
/// against this one says how much of the gap to the hardware is the map's.
/// Not a map: other keys throw std::out_of_range, erase throws std::logic_error.
/// Progress: get/set/add are wait-free (one instruction each); update is a
/// CAS loop, so the type as a whole is lock-free. Every edge pairs as in
/// lockfree_map: set's release (and the release half of add/update) with
/// get's and update's acquire loads.
class personnage_atomics {
public:
    using key_type = std::uint64_t;
    using mapped_type = std::int64_t;
    static constexpr map_guarantees guarantees{.progress = progress_guarantee::lock_free, .bounded = true};

    explicit personnage_atomics(std::size_t /*capacity*/) {}
    personnage_atomics(const personnage_atomics&) = delete;
    personnage_atomics& operator=(const personnage_atomics&) = delete;

    [[nodiscard]] std::optional<mapped_type> get(const key_type& k) const {
        return field(k).load(std::memory_order_acquire);  // as lockfree_map::get (V2): pairs with set/add/update
    }
    void set(const key_type& k, const mapped_type& v) {
        field(k).store(v, std::memory_order_release);  // as lockfree_map::set (V1): pairs with get/update
    }
    template <class Fn>
    mapped_type update(const key_type& k, Fn&& fn) {
        std::atomic<mapped_type>& f = field(k);
        mapped_type w = f.load(std::memory_order_acquire);  // as lockfree_map::update (V2'): pairs with set/add/update
        for (;;) {
            const mapped_type next = std::invoke(fn, w);
            // acq_rel as lockfree_map::update (V3): release to later gets, acquire on failure for the retry.
            if (f.compare_exchange_weak(w, next, std::memory_order_acq_rel, std::memory_order_acquire)) return next;
        }
    }
    mapped_type add(const key_type& k, const mapped_type& delta) {
        return field(k).fetch_add(delta, std::memory_order_acq_rel) + delta;  // as lockfree_map::add (V4): pairs both ways
    }
    bool erase(const key_type& /*k*/) {
        throw std::logic_error("personnage_atomics: the tutorial's three variables cannot be erased");
    }
    [[nodiscard]] std::size_t was_size() const noexcept { return fields_.size(); }

private:
    std::atomic<mapped_type>& field(key_type k) const {
        if (k < 1 || k > fields_.size())
            throw std::out_of_range("personnage_atomics: key " + std::to_string(k) +
                                    " is not one of the tutorial's ids 1 (Name), 2 (Jeton), 3 (Continue)");
        return fields_[k - 1].value;
    }
    mutable std::array<cache_padded<std::atomic<mapped_type>>, 3> fields_{};
};

static_assert(shared_map_with_add<personnage_atomics>);

/// Ceiling: every writer adds to ONE std::atomic — the best any design that
/// keeps the counter in one word can do (one line bouncing between cores).
class shared_atomic_counter {
public:
    shared_atomic_counter(std::size_t /*stripes*/, std::int64_t initial) { value_->store(initial, std::memory_order_relaxed); }
    // Relaxed: the counter publishes only itself; coherence orders its RMWs.
    void add(std::size_t /*stripe*/, std::int64_t d) noexcept { value_->fetch_add(d, std::memory_order_relaxed); }
    [[nodiscard]] std::int64_t read() const noexcept { return value_->load(std::memory_order_relaxed); }

private:
    cache_padded<std::atomic<std::int64_t>> value_;
};

/// Ceiling: each writer owns a counter on its own line and bumps it with a
/// plain load+store (single writer: no read-modify-write instruction at all);
/// readers sum. Nothing is shared between writers — what the hardware does
/// when no coordination is needed. Writers go through `claim(stripe)`, a
/// handle holding their cell's address (as striped_counter's owned cells
/// do), so the loop keeps it in a register instead of reloading the table.
class per_runspace_counters {
public:
    per_runspace_counters(std::size_t stripes, std::int64_t initial)
        : n_(stripes == 0 ? 1 : stripes), cells_(std::make_unique<cache_padded<std::atomic<std::int64_t>>[]>(n_)) {
        cells_[0]->store(initial, std::memory_order_relaxed);
    }
    // Relaxed load+store: single writer per cell (the scenario gives each
    // writer its own stripe), so no increment can be lost; readers only sum.
    void add(std::size_t stripe, std::int64_t d) noexcept {
        // No division on the common path: it would cost more than the add.
        auto& c = *cells_[stripe < n_ ? stripe : stripe % n_];
        c.store(c.load(std::memory_order_relaxed) + d, std::memory_order_relaxed);
    }
    [[nodiscard]] std::int64_t read() const noexcept {
        std::int64_t sum = 0;
        for (std::size_t i = 0; i < n_; ++i) sum += cells_[i]->load(std::memory_order_relaxed);  // as in add
        return sum;
    }
    /// Writer `stripe`'s own cell (the scenario gives each writer its own).
    struct own_cell {
        std::atomic<std::int64_t>* cell;
        void add(std::int64_t d) const noexcept {
            cell->store(cell->load(std::memory_order_relaxed) + d, std::memory_order_relaxed);  // as in add above
        }
    };
    [[nodiscard]] own_cell claim(std::size_t stripe) noexcept { return {&cells_[stripe < n_ ? stripe : stripe % n_].value}; }

private:
    std::size_t n_;
    std::unique_ptr<cache_padded<std::atomic<std::int64_t>>[]> cells_;
};

static_assert(hot_counter<shared_atomic_counter>);
static_assert(hot_counter<per_runspace_counters>);

// ---------------------------------------------------------------------------
// producer_consumer's ceiling: the harness around the cheapest hand-off
// ---------------------------------------------------------------------------

/// The hand-off of the harness ceiling `handoff_ceiling` (FastForward,
/// Giacomoni, Moseley and Vachharajani, PPoPP 2008, one ring per producer).
///
/// Each producer endpoint owns a lane: a ring of `capacity` word slots where
/// 0 means empty (rsb::item_t is never 0), cut into groups of
/// `group_slots` slots that fill one false-sharing range. The producer
/// stores an item into its next slot once that slot reads empty; the
/// consumer that owns the lane loads the slot and takes a non-zero value,
/// and when it has taken the last item of a group it stores 0 into every
/// slot of that group. So the consumer never writes a line the producer is
/// filling, no index is shared, no read-modify-write happens per item, and a
/// hand-off costs about one line transfer per group in each direction.
/// Consumer endpoints claim lanes as they find them (a CAS on the lane's
/// owner, once per lane and consumer, when the count of lanes has grown), so
/// every lane has exactly one consumer; a consumer with no lane finds the
/// queue empty.
///
/// Contract (a ceiling, not a structure to choose):
///  - Progress: wait-free per operation (a bounded scan of the lanes).
///  - Ordering: per-producer FIFO (a lane is one producer's items in order).
///  - Bounded: `capacity()` slots per lane (the constructor's argument rounded
///    up to a power of two, at least `group_slots`); a lane holds at most
///    `capacity()` items and at least `capacity() - group_slots + 1`: a
///    group's slots are given back together once all of them are taken.
///    A slot not given back yet: try_push false.
///  - Empty: try_pop returns false when none of the consumer's lanes holds
///    an item (a lane claimed by another consumer is not looked at).
///  - Endpoints only: make_producer() / make_consumer() for concurrent use
///    (at most `max_lanes` producers per queue: more throws std::length_error);
///    the queue's own try_push/try_pop are one producer's and one
///    consumer's (a lane of its own), for single-threaded checks.
///  - Memory ordering: (1) the producer's release store of an item pairs with
///    the consumer's acquire load (2) that sees it; (3) the consumer's release
///    stores of 0 over a group pair with the producer's acquire load (4) that
///    finds a slot of it empty again, so the consumer's reads of the group's
///    items happen-before their slots' reuse; (5) the release increment of
///    the lane count pairs with the consumer's acquire load (6) of it.
class handoff_lanes {
    struct lane;

public:
    using value_type = item_t;
    static constexpr queue_guarantees guarantees{
        .progress = progress_guarantee::wait_free,
        .order = order_guarantee::per_producer_fifo,
        .bounded = true,
    };
    /// Producers per queue (the largest shapes the suite runs are 64p64c on
    /// 16 cores and --threads sweeps up to 1024 runspaces).
    static constexpr std::size_t max_lanes = 1024;
    /// Slots given back together: one false-sharing range of words.
    static constexpr std::size_t group_slots = false_sharing_range / sizeof(std::atomic<item_t>);

    /// Slots per lane.
    [[nodiscard]] std::size_t capacity() const noexcept { return capacity_; }

    explicit handoff_lanes(std::size_t capacity)
        : capacity_(std::bit_ceil(std::clamp<std::size_t>(capacity, group_slots, std::size_t{1} << 20))),
          lanes_(max_lanes) {
        // The first producer's lane is built (and its pages touched) here, as
        // a structure builds its storage in its constructor; later ones are
        // built by make_producer.
        lanes_[0] = std::make_unique<lane>(capacity_);
    }
    handoff_lanes(const handoff_lanes&) = delete;
    handoff_lanes& operator=(const handoff_lanes&) = delete;

    class producer {
    public:
        [[nodiscard]] bool try_push(const item_t& v) {
            std::atomic<item_t>& slot = lane_->slot(next_ & mask_);
            if (slot.load(std::memory_order_acquire) != 0) return false;  // (4) pairs with (3): full
            slot.store(v, std::memory_order_release);                      // (1) pairs with (2)
            ++next_;
            return true;
        }

    private:
        friend class handoff_lanes;
        producer(lane* l, std::size_t mask) noexcept : lane_(l), mask_(mask) {}
        lane* lane_;
        std::size_t mask_;
        std::size_t next_ = 0;
    };

    class consumer {
    public:
        // Inlined into the harness's consumer loop, as a structure's pop is:
        // a call per item would be a cost the queues do not pay.
        [[nodiscard, gnu::always_inline]] bool try_pop(item_t& out) {
            // (6) acquire: pairs with (5), so a lane counted is a lane built.
            if (q_->lane_count_->load(std::memory_order_acquire) != seen_lane_count_) [[unlikely]]
                q_->claim_lanes(*this);
            for (std::size_t k = 0; k < owned_.size(); ++k) {
                lane_cursor& c = owned_[turn_];
                turn_ = turn_ + 1 == owned_.size() ? 0 : turn_ + 1;
                const std::size_t at = c.next & q_->mask();
                const item_t v = c.l->slot(at).load(std::memory_order_acquire);  // (2) pairs with (1)
                if (v == 0) continue;
                ++c.next;
                if ((at & (group_slots - 1)) == group_slots - 1) {
                    // The group's last item: give all its slots back.
                    for (std::atomic<item_t>& s : c.l->groups[at / group_slots].slots)
                        s.store(0, std::memory_order_release);  // (3) pairs with (4)
                }
                out = v;
                return true;
            }
            return false;
        }

    private:
        friend class handoff_lanes;
        struct lane_cursor {
            lane* l;
            std::size_t next = 0;
        };
        explicit consumer(handoff_lanes& q) : q_(&q) {}
        handoff_lanes* q_;
        std::vector<lane_cursor> owned_;
        std::size_t turn_ = 0;
        std::size_t offered_lanes_ = 0;    ///< lanes [0, offered_lanes_) were already offered to this consumer
        std::size_t seen_lane_count_ = 0;  ///< lane_count_ at this consumer's last look
    };

    [[nodiscard]] producer make_producer() {
        // relaxed: only a distinct lane number is needed; the lane's memory is
        // published by the mutex in lane_at.
        const std::size_t i = producers_->fetch_add(1, std::memory_order_relaxed);
        if (i >= max_lanes)
            throw std::length_error("handoff_lanes: more than " + std::to_string(max_lanes) + " producers");
        return producer(&lane_at(i), mask());
    }
    [[nodiscard]] consumer make_consumer() { return consumer(*this); }

    /// One producer (the first lane it makes) and one consumer, for
    /// single-threaded use (see the contract).
    [[nodiscard]] bool try_push(const item_t& v) { return direct_producer().try_push(v); }
    [[nodiscard]] bool try_pop(item_t& out) { return direct_consumer().try_pop(out); }

private:
    struct alignas(false_sharing_range) group {
        std::array<std::atomic<item_t>, group_slots> slots{};  ///< value-initialised: every slot empty (0)
    };
    struct lane {
        explicit lane(std::size_t n) : groups(std::make_unique<group[]>(n / group_slots)) {}
        std::atomic<item_t>& slot(std::size_t i) noexcept { return groups[i / group_slots].slots[i % group_slots]; }
        std::unique_ptr<group[]> groups;
        /// The consumer endpoint serving this lane; null until one claims it.
        std::atomic<const consumer*> owner{nullptr};
    };

    [[nodiscard]] std::size_t mask() const noexcept { return capacity_ - 1; }

    lane& lane_at(std::size_t i) {
        std::lock_guard lock(lanes_mutex_);
        if (!lanes_[i]) lanes_[i] = std::make_unique<lane>(capacity_);
        // The mutex orders the lane's construction before any consumer that
        // finds it through `created_`, read under the same mutex.
        created_ = std::max(created_, i + 1);
        // (5) release: pairs with (6); the count only tells a consumer to look
        // (under the mutex) again.
        lane_count_->fetch_add(1, std::memory_order_release);
        return *lanes_[i];
    }

    /// Offers the consumer every lane created since its last look.
    [[gnu::noinline]] void claim_lanes(consumer& c) {
        std::vector<lane*> fresh;
        {
            std::lock_guard lock(lanes_mutex_);
            // A lane number taken but not yet created stops the look: its
            // creation bumps the count, and the next look resumes there.
            std::size_t i = c.offered_lanes_;
            for (; i < created_ && lanes_[i]; ++i) fresh.push_back(lanes_[i].get());
            c.offered_lanes_ = i;
            // relaxed: the mutex orders it with the creations it counts.
            c.seen_lane_count_ = lane_count_->load(std::memory_order_relaxed);
        }
        for (lane* l : fresh) {
            const consumer* none = nullptr;
            // relaxed: the claim only decides ownership; the slots carry their own edges (1)-(4).
            if (l->owner.compare_exchange_strong(none, &c, std::memory_order_relaxed)) c.owned_.push_back({l});
        }
    }

    producer& direct_producer() {
        if (!direct_producer_) direct_producer_ = std::make_unique<producer>(make_producer());
        return *direct_producer_;
    }
    consumer& direct_consumer() {
        if (!direct_consumer_) direct_consumer_ = std::unique_ptr<consumer>(new consumer(*this));
        return *direct_consumer_;
    }

    std::size_t capacity_;
    std::mutex lanes_mutex_;
    std::vector<std::unique_ptr<lane>> lanes_;  ///< guarded by lanes_mutex_ (creation)
    std::size_t created_ = 0;                   ///< guarded by lanes_mutex_
    cache_padded<std::atomic<std::size_t>> producers_{};
    /// Lanes created; consumers compare it with what they saw to know when to look again.
    cache_padded<std::atomic<std::size_t>> lane_count_{};
    std::unique_ptr<producer> direct_producer_;
    std::unique_ptr<consumer> direct_consumer_;
};

static_assert(concurrent_queue<handoff_lanes>);
static_assert(queue_with_endpoints<handoff_lanes>);

}  // namespace rsb
