// lincheck_recorder.hpp — records many small concurrent histories of a
// structure through the runspace harness, for lincheck.hpp to check.
//
// One runspace_pool of T runspaces runs H rounds. A std::barrier separates
// rounds; its completion step (run by one runspace while the others wait)
// replaces the structure with a fresh one, so each round is one history of
// one fresh structure. Within a round every runspace performs 10–30 random
// operations, taking a tick of the shared history_clock just before and just
// after each call, with short random pauses and the harness's injected yields
// (pool_options::inject_yields) between operations so that operations of
// different runspaces overlap and interleave differently from round to round.
// Workers only record; the main thread checks after the run.
#pragma once

#include <atomic>
#include <barrier>
#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include <rsb/harness/backoff.hpp>
#include <rsb/testing/lincheck.hpp>
#include <rsb/harness/runspace.hpp>
#include <rsb/testing/support.hpp>

namespace rsb::lincheck {

struct record_config {
    unsigned threads = 4;
    std::size_t histories = 1000;
    std::uint32_t min_ops = 10;  ///< per runspace per history
    std::uint32_t max_ops = 30;
    std::size_t capacity = 64;   ///< handed to each fresh structure
    std::uint64_t seed = 1;
    double inject_yields = 0.05;
};

/// What a recording produced: one history per round, or a harness failure.
struct recording {
    std::vector<history> histories;
    std::string failure;  ///< the run's failure (a runspace threw, deadline), empty if none
};

/// Per-runspace view passed to the operation body.
struct recorder_thread {
    std::uint32_t index;
    std::uint32_t ops;  ///< how many operations to do this round
    std::mt19937_64& rng;
    history_clock& clock;
    history& out;
    runspace_context& ctx;

    /// A short random pause (0–15 spins) and maybe an injected yield. Short:
    /// on a loaded machine the runspaces share cores, and operations overlap
    /// only when one is preempted inside a call, so most time should be spent
    /// in calls.
    void jitter() {
        const auto spins = static_cast<unsigned>(rng() % 16);
        for (unsigned i = 0; i < spins; ++i) cpu_relax();
        ctx.maybe_yield();
    }
    /// Times `call()` with two ticks and appends the filled-in operation.
    template <class Call>
    void record(op o, Call&& call) {
        o.thread = index;
        o.call = clock.tick();
        call(o);
        o.ret = clock.tick();
        out.push_back(o);
    }
};

/// Runs cfg.histories rounds on fresh structures `S(cfg.capacity)`;
/// `body(S&, recorder_thread&)` performs one runspace's operations of a round.
template <class S, class Body>
[[nodiscard]] recording record(const record_config& cfg, Body body) {
    std::ostringstream console_text;
    host console(console_text);
    pool_options options;
    options.deadline = std::chrono::seconds(300);
    options.inject_yields = cfg.inject_yields;
    runspace_pool pool(console, options);

    std::unique_ptr<S> current;
    history_clock clock;
    auto fresh = [&current, capacity = cfg.capacity]() noexcept { current = std::make_unique<S>(capacity); };
    std::barrier gate(static_cast<std::ptrdiff_t>(cfg.threads), fresh);
    // per_thread[t][r]: what runspace t did in round r; written by t only.
    std::vector<std::vector<history>> per_thread(cfg.threads, std::vector<history>(cfg.histories));
    // Start line: after the barrier, each runspace spins until all of them
    // are awake, so their operations overlap instead of running one after
    // another as the barrier's wake-ups trickle in. (Relaxed: it only gates
    // timing; the barrier orders the data.)
    std::atomic<std::uint64_t> awake{0};

    for (std::uint32_t t = 0; t < cfg.threads; ++t) {
        pool.add("runspace-" + std::to_string(t), [&, t](runspace_context& ctx) {
            std::mt19937_64 rng(cfg.seed * 0x9E3779B97F4A7C15ULL + t);
            for (std::size_t r = 0; r < cfg.histories; ++r) {
                if (!ctx.keep_going()) {  // a partner failed: leave the barrier to the others
                    gate.arrive_and_drop();
                    return;
                }
                gate.arrive_and_wait();  // the completion step made a fresh structure
                const std::uint64_t all_awake = (r + 1) * cfg.threads;
                awake.fetch_add(1, std::memory_order_relaxed);
                for (unsigned spin = 0; awake.load(std::memory_order_relaxed) < all_awake && ctx.keep_going(); ++spin) {
                    if (spin % 64 == 63) std::this_thread::yield();
                    cpu_relax();
                }
                history& out = per_thread[t][r];
                recorder_thread rt{t, cfg.min_ops + static_cast<std::uint32_t>(rng() % (cfg.max_ops - cfg.min_ops + 1)),
                                   rng, clock, out, ctx};
                out.reserve(rt.ops);
                try {
                    body(*current, rt);
                } catch (...) {
                    gate.arrive_and_drop();
                    throw;
                }
                ctx.count_ops(out.size());
            }
            gate.arrive_and_drop();
        });
    }
    recording result;
    const run_report report = pool.invoke();
    result.failure = report.failure;
    result.histories.resize(cfg.histories);
    for (std::size_t r = 0; r < cfg.histories; ++r) {
        for (std::uint32_t t = 0; t < cfg.threads; ++t) {
            result.histories[r].insert(result.histories[r].end(), per_thread[t][r].begin(), per_thread[t][r].end());
        }
    }
    return result;
}

/// Roles of the runspaces of a queue history, from the queue's limits: all
/// mixed (each runspace pushes and pops) when producers and consumers are
/// unlimited, else dedicated producers then consumers.
struct queue_roles {
    unsigned threads;
    unsigned producers;  ///< 0: every runspace is mixed
};

[[nodiscard]] inline queue_roles roles_for(const queue_guarantees& g, unsigned wanted_threads) {
    if (g.max_producers == any_count && g.max_consumers == any_count) return {wanted_threads, 0};
    const unsigned p = g.max_producers == any_count ? 2 : static_cast<unsigned>(g.max_producers);
    const unsigned c = g.max_consumers == any_count ? 2 : static_cast<unsigned>(g.max_consumers);
    return {p + c, p};
}

/// Records queue histories: pushes of make_item(runspace, n) and pops, through
/// the queue's producer/consumer endpoints (scoped to the round, so they end
/// before the queue is replaced).
template <concurrent_queue Q>
[[nodiscard]] recording record_queue(const record_config& base, queue_roles roles) {
    record_config cfg = base;
    cfg.threads = roles.threads;
    return record<Q>(cfg, [roles](Q& q, recorder_thread& rt) {
        const bool mixed = roles.producers == 0;
        const bool producer = mixed || rt.index < roles.producers;
        const bool consumer = mixed || !producer;
        std::uint32_t seq = 0;
        auto body = [&](auto* in, auto* out) {
            for (std::uint32_t i = 0; i < rt.ops; ++i) {
                rt.jitter();
                const bool push = producer && (!consumer || rt.rng() % 2 == 0);
                if (push) {
                    const item_t v = make_item(rt.index, seq++);
                    rt.record(op{.kind = op_kind::push, .value = static_cast<std::int64_t>(v)}, [&](op& o) {
                        if (!out->try_push(v)) o.kind = op_kind::push_full;
                    });
                } else {
                    rt.record(op{.kind = op_kind::pop}, [&](op& o) {
                        item_t v = 0;
                        if (in->try_pop(v)) {
                            o.value = static_cast<std::int64_t>(v);
                        } else {
                            o.kind = op_kind::pop_empty;
                        }
                    });
                }
            }
        };
        // A runspace opens only the endpoints of its role (an SPSC queue's
        // endpoints may assert a single owner).
        if (producer && consumer) {
            auto out = producer_endpoint(q);
            auto in = consumer_endpoint(q);
            body(&in, &out);
        } else if (producer) {
            auto out = producer_endpoint(q);
            body(static_cast<decltype(consumer_endpoint(q))*>(nullptr), &out);
        } else {
            auto in = consumer_endpoint(q);
            body(&in, static_cast<decltype(producer_endpoint(q))*>(nullptr));
        }
    });
}

/// The key of index i for a map of key type K: "k0", "k1"… for string keys,
/// 1, 2… for integer keys (0 is reserved as the empty key by some maps).
template <class K>
[[nodiscard]] K key_of(std::uint32_t i) {
    if constexpr (std::is_constructible_v<K, std::string>) {
        return K("k" + std::to_string(i));
    } else {
        static_assert(std::is_integral_v<K>, "key_of: keys must be strings or integers");
        return static_cast<K>(i + 1);
    }
}

/// Records map histories over `keys` keys: get 30%, set 20%, update (+1..9)
/// 35%, erase 15%. Set values are unique per history: (runspace+1)·10^6 + 1000·n.
template <shared_map M>
[[nodiscard]] recording record_map(const record_config& cfg, std::uint32_t keys) {
    using K = typename M::key_type;
    using V = typename M::mapped_type;
    return record<M>(cfg, [keys](M& m, recorder_thread& rt) {
        std::int64_t next_value = (static_cast<std::int64_t>(rt.index) + 1) * 1'000'000;
        for (std::uint32_t i = 0; i < rt.ops; ++i) {
            rt.jitter();
            const auto k = static_cast<std::uint32_t>(rt.rng() % keys);
            const K key = key_of<K>(k);
            const auto dice = rt.rng() % 100;
            if (dice < 30) {
                rt.record(op{.kind = op_kind::get, .key = k}, [&](op& o) {
                    const std::optional<V> v = m.get(key);
                    o.present = v.has_value();
                    if (v) o.value = static_cast<std::int64_t>(*v);
                });
            } else if (dice < 50) {
                next_value += 1000;
                rt.record(op{.kind = op_kind::set, .key = k, .value = next_value},
                          [&](op& o) { m.set(key, static_cast<V>(o.value)); });
            } else if (dice < 85) {
                const auto delta = static_cast<std::int64_t>(1 + rt.rng() % 9);
                rt.record(op{.kind = op_kind::update, .key = k, .arg = delta}, [&](op& o) {
                    o.value = static_cast<std::int64_t>(m.update(key, [delta](V v) { return static_cast<V>(v + delta); }));
                });
            } else {
                rt.record(op{.kind = op_kind::erase, .key = k}, [&](op& o) { o.present = m.erase(key); });
            }
        }
    });
}

/// Histories per structure: thousands in a normal build, a tenth under sanitizers.
inline const std::size_t histories_per_shape = rsb::test::sized(1000);

/// Totals over the histories of one structure, for the summary line.
struct tally {
    std::size_t histories = 0, ops = 0, overlapping = 0, explored = 0, failures = 0;
    std::string first_failure;
    [[nodiscard]] std::string summary() const {
        return std::to_string(histories) + " histories, " + std::to_string(ops) + " operations (" +
               std::to_string(overlapping) + " of them overlapping another runspace's), " +
               std::to_string(explored) + " states explored, " + std::to_string(failures) + " not linearizable";
    }
};

/// Checks every history of `rec` into `t`; keeps the first failure's shrunk
/// (minimal) form in `first_failure`.
template <class Check>
void count_failures(const recording& rec, Check check, tally& t) {
    for (const history& h : rec.histories) {
        ++t.histories;
        t.ops += h.size();
        t.overlapping += overlapping(h);
        const verdict v = check(h);
        t.explored += v.explored;
        if (v.linearizable) continue;
        if (t.failures++ == 0) {
            const history minimal = shrink(h, [&](const history& c) { return !check(c).linearizable; });
            t.first_failure = "history of " + std::to_string(h.size()) + " operations is not linearizable; minimal " +
                              "offending history (" + std::to_string(minimal.size()) + " operations):\n" +
                              describe(minimal) + "full history:\n" + describe(h);
        }
    }
}

}  // namespace rsb::lincheck
