// xenium_thread_churn.cpp — a reproduction, with xenium's headers alone, of
// the defect the suites' thread-exit case found in xenium's
// generic_epoch_based<> reclaimer (libxenium-dev 0.0.2+ds-8). Not part of the
// build or of ctest: a program to hand upstream and to re-check a new
// library version with.
//
//   g++ -std=c++20 -O2 -DNDEBUG -pthread -o churn tests/peer_defects/xenium_thread_churn.cpp
//   for i in $(seq 500); do ./churn 0 200 || echo lost; done | grep -c lost
//
// What it does: `pairs` times, an "exiting" thread pushes two items, pops one
// and leaves 32 more to a thread_local flusher; once the flusher's destructor
// runs (at thread exit) a "partner" thread starts popping each item and
// pushing it back, and the flusher pushes its 32 (popping after every other
// push). Every push and pop is tallied; at the end the queue is drained and
// every item must have come out exactly as often as it went in.
// argv[1]: 1 = the flusher is constructed before the thread's first queue
// call (so it is destroyed after the reclaimer's own thread_local data),
// 0 = after (destroyed before it). argv[2]: the number of pairs.
// Exit status 1 and the first unbalanced items when one was lost or
// duplicated.
//
// What it showed, and on which machine, is recorded in tests/README.md
// ("Found in a peer"), beside the suite's own rates. It is written out here
// rather than calling the suite's thread-exit case so that it needs nothing
// but xenium: the form an upstream report takes.
#include <xenium/michael_scott_queue.hpp>
#include <xenium/policy.hpp>
#include <xenium/reclamation/generic_epoch_based.hpp>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <thread>

namespace {

using queue = xenium::michael_scott_queue<std::uint64_t,
                                          xenium::policy::reclaimer<xenium::reclamation::generic_epoch_based<>>>;

queue* shared_queue = nullptr;
std::mutex tally_mutex;
std::map<std::uint64_t, long> balance;  // pushes minus pops, per item

void tally(std::uint64_t item, int delta) {
    std::lock_guard lock(tally_mutex);
    balance[item] += delta;
}

std::uint64_t item(unsigned thread, unsigned seq) { return std::uint64_t{thread} << 32 | seq; }

std::atomic<bool> exiting{false}, partner_started{false}, flushed{false};

struct flusher {
    int thread = -1;
    ~flusher() {
        if (thread < 0) return;
        exiting = true;
        while (!partner_started.load()) std::this_thread::yield();
        for (unsigned s = 2; s < 34; ++s) {
            shared_queue->push(item(thread, s));
            tally(item(thread, s), +1);
            std::uint64_t out = 0;
            if (s % 2 == 1 && shared_queue->try_pop(out)) tally(out, -1);
        }
        flushed = true;
    }
};
thread_local flusher exit_flusher;

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s FLUSHER_FIRST(0|1) PAIRS\n", argv[0]);
        return 2;
    }
    const bool flusher_first = std::atoi(argv[1]) != 0;
    const int pairs = std::atoi(argv[2]);
    queue q;
    shared_queue = &q;
    for (int p = 0; p < pairs; ++p) {
        exiting = false;
        partner_started = false;
        flushed = false;
        const int first = 2 * p, second = first + 1;
        std::thread exiting_thread([&] {
            if (flusher_first) exit_flusher.thread = -1;  // constructs it now
            for (unsigned s = 0; s < 2; ++s) {
                q.push(item(first, s));
                tally(item(first, s), +1);
            }
            std::uint64_t out = 0;
            if (q.try_pop(out)) tally(out, -1);
            exit_flusher.thread = first;
        });
        std::thread partner([&] {
            while (!exiting.load()) std::this_thread::yield();
            for (unsigned s = 0; s < 16 || (!flushed.load() && s < 100'000); ++s) {
                if (s < 16) {
                    q.push(item(second, s));
                    tally(item(second, s), +1);
                }
                std::uint64_t out = 0;
                if (q.try_pop(out)) {
                    tally(out, -1);
                    q.push(out);
                    tally(out, +1);
                }
                if (s == 0) partner_started = true;
            }
        });
        exiting_thread.join();
        partner.join();
    }
    std::uint64_t out = 0;
    while (q.try_pop(out)) tally(out, -1);
    int unbalanced = 0;
    for (const auto& [it, n] : balance) {
        if (n != 0 && unbalanced++ < 4) {
            std::printf("item (%u, %u): pushed minus popped = %ld\n", unsigned(it >> 32), unsigned(it & 0xffffffffu), n);
        }
    }
    std::printf("%d pairs, flusher %s: %d items unbalanced\n", pairs, flusher_first ? "first" : "last", unbalanced);
    return unbalanced == 0 ? 0 : 1;
}
