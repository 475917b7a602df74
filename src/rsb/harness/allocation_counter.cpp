// allocation_counter.cpp — the counting allocation functions (see the header).
//
// Nothing here may allocate: the counting runs inside malloc. Every global is
// constant-initialised with a trivial destructor (so counting works before
// main and after static destruction), the per-thread pointer uses the
// initial-exec TLS model (no allocation on first access), and a thread's
// record is taken from a fixed pool and given back by a pthread key
// destructor (pthread_setspecific allocates nothing for the first keys).
#include <rsb/harness/allocation_counter.hpp>

#include <pthread.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define RSB_COUNT_WITH_SANITIZER_HOOKS 1
#elif defined(RSB_COUNT_ALLOCATIONS_OFF)
#define RSB_COUNT_NOTHING 1
#else
#define RSB_COUNT_WITH_MALLOC 1
#include <malloc.h>
#endif

// The counting core is left uninstrumented under ThreadSanitizer: it runs
// inside the sanitizer's own allocation path (its hooks), where re-entering
// the runtime is not safe. Its atomics stay atomics.
#if defined(__SANITIZE_THREAD__)
#define RSB_COUNTER_CORE __attribute__((no_sanitize("thread")))
#else
#define RSB_COUNTER_CORE
#endif

namespace rsb::memory {

#if defined(RSB_COUNT_WITH_SANITIZER_HOOKS)
void install_sanitizer_hooks() noexcept;  // below
#endif

namespace {

/// One thread's count. Written only by its owner (relaxed load + store: a
/// single writer cannot lose an update); read by live_bytes() from any thread.
struct alignas(128) record {
    /// Bytes allocated minus bytes freed by the owner since its last flush;
    /// |pending| < flush_bytes between calls.
    std::atomic<std::int64_t> pending{0};
    /// Allocation calls by the owner, cumulative.
    std::atomic<std::uint64_t> allocations{0};
    /// (R1) acquired by a thread with a CAS (acq_rel) and released with a
    /// release store (R2) once its counts were folded into the shared
    /// totals; the next owner's acquire CAS synchronizes-with R2.
    std::atomic<bool> in_use{false};
};

constexpr std::size_t max_records = 1024;
record records[max_records];

/// The shared totals: flushed net bytes, and allocations of released records
/// and of threads without a record (fetch_add, relaxed: counts, not signals).
std::atomic<std::int64_t> flushed{0};
std::atomic<std::uint64_t> orphan_allocations{0};
/// The highest `flushed` seen since reset_peak() (CAS-max, relaxed).
std::atomic<std::int64_t> peak{0};
/// Off when RSB_COUNT_ALLOCATIONS=0 (read once at start-up; relaxed).
std::atomic<bool> enabled{true};

pthread_key_t release_key;
/// Set once the key exists (release: the key is written before; acquire in acquire_record).
std::atomic<bool> key_ready{false};

__attribute__((tls_model("initial-exec"))) thread_local record* mine = nullptr;
/// True once this thread's record was given back (its later calls, from
/// other thread-exit code, count through the shared totals).
__attribute__((tls_model("initial-exec"))) thread_local bool released = false;

RSB_COUNTER_CORE void raise_peak(std::int64_t total) noexcept {
    std::int64_t seen = peak.load(std::memory_order_relaxed);
    while (total > seen && !peak.compare_exchange_weak(seen, total, std::memory_order_relaxed)) {
    }
}

RSB_COUNTER_CORE void release_record(void* p) noexcept {
    auto* r = static_cast<record*>(p);
    const std::int64_t pending = r->pending.load(std::memory_order_relaxed);
    if (pending != 0) flushed.fetch_add(pending, std::memory_order_relaxed);
    orphan_allocations.fetch_add(r->allocations.load(std::memory_order_relaxed), std::memory_order_relaxed);
    r->pending.store(0, std::memory_order_relaxed);
    r->allocations.store(0, std::memory_order_relaxed);
    mine = nullptr;
    released = true;
    r->in_use.store(false, std::memory_order_release);  // (R2)
}

RSB_COUNTER_CORE record* acquire_record() noexcept {
    if (released) return nullptr;
    // A rotating start spreads threads over the pool; any free record will do.
    static std::atomic<std::size_t> hint{0};
    const std::size_t start = hint.fetch_add(1, std::memory_order_relaxed);
    for (std::size_t i = 0; i < max_records; ++i) {
        record& r = records[(start + i) % max_records];
        bool expected = false;
        if (!r.in_use.load(std::memory_order_relaxed) &&
            r.in_use.compare_exchange_strong(expected, true, std::memory_order_acq_rel)) {  // (R1)
            mine = &r;
            // Without the key (before start-up finished) the record is never
            // given back: only the threads that exist that early keep one.
            if (key_ready.load(std::memory_order_acquire)) pthread_setspecific(release_key, &r);
            return &r;
        }
    }
    return nullptr;  // more than max_records threads at once: count through the shared totals
}

/// Counts `delta` bytes (positive: allocated, negative: freed) and, when
/// `allocation`, one allocation call.
RSB_COUNTER_CORE void note(std::int64_t delta, bool allocation) noexcept {
    if (!enabled.load(std::memory_order_relaxed)) return;
    record* r = mine;
    if (r == nullptr) r = acquire_record();
    if (r == nullptr) {
        if (delta > 0) {
            raise_peak(flushed.fetch_add(delta, std::memory_order_relaxed) + delta);
        } else if (delta < 0) {
            flushed.fetch_add(delta, std::memory_order_relaxed);
        }
        if (allocation) orphan_allocations.fetch_add(1, std::memory_order_relaxed);
        return;
    }
    const std::int64_t pending = r->pending.load(std::memory_order_relaxed) + delta;
    if (pending >= flush_bytes || pending <= -flush_bytes) {
        const std::int64_t total = flushed.fetch_add(pending, std::memory_order_relaxed) + pending;
        if (pending > 0) raise_peak(total);
        r->pending.store(0, std::memory_order_relaxed);
    } else {
        r->pending.store(pending, std::memory_order_relaxed);
    }
    if (allocation) r->allocations.store(r->allocations.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

#if !defined(RSB_COUNT_NOTHING)
__attribute__((constructor(101))) void start_counting() {
    const char* env = std::getenv("RSB_COUNT_ALLOCATIONS");  // getenv allocates nothing
    if (env != nullptr && std::strcmp(env, "0") == 0) enabled.store(false, std::memory_order_relaxed);
    if (pthread_key_create(&release_key, release_record) == 0) key_ready.store(true, std::memory_order_release);
#if defined(RSB_COUNT_WITH_SANITIZER_HOOKS)
    install_sanitizer_hooks();
#endif
}
#endif

}  // namespace

#if defined(RSB_COUNT_WITH_SANITIZER_HOOKS)
}  // namespace rsb::memory

extern "C" {
int __sanitizer_install_malloc_and_free_hooks(void (*malloc_hook)(const volatile void*, std::size_t),
                                              void (*free_hook)(const volatile void*));
std::size_t __sanitizer_get_allocated_size(const volatile void* p);
}

namespace rsb::memory {
namespace {
#if defined(__SANITIZE_THREAD__)
/// Set by the malloc hook; cleared by the aligned-allocation wrappers below
/// before they call the runtime, so they know whether it ran.
__attribute__((tls_model("initial-exec"))) thread_local bool malloc_hook_ran = false;
#endif

RSB_COUNTER_CORE void on_sanitizer_malloc(const volatile void*, std::size_t size) {
#if defined(__SANITIZE_THREAD__)
    malloc_hook_ran = true;
#endif
    note(static_cast<std::int64_t>(size), true);
}
RSB_COUNTER_CORE void on_sanitizer_free(const volatile void* p) {
    // Called before the block is released, so its size is still known.
    note(-static_cast<std::int64_t>(__sanitizer_get_allocated_size(p)), false);
}
}  // namespace
void install_sanitizer_hooks() noexcept {
    __sanitizer_install_malloc_and_free_hooks(on_sanitizer_malloc, on_sanitizer_free);
}

#if defined(__SANITIZE_THREAD__)
namespace {
RSB_COUNTER_CORE void before_aligned() noexcept { malloc_hook_ran = false; }
/// Counts a block the runtime has just allocated unless its malloc hook did.
RSB_COUNTER_CORE void* after_aligned(void* p) noexcept {
    if (p != nullptr && !malloc_hook_ran) note(static_cast<std::int64_t>(__sanitizer_get_allocated_size(p)), true);
    return p;
}
}  // namespace
#endif
#endif

bool counting() noexcept {
#if defined(RSB_COUNT_NOTHING)
    return false;
#else
    return enabled.load(std::memory_order_relaxed);
#endif
}

std::string_view method() noexcept {
#if defined(RSB_COUNT_NOTHING)
    return "off (built with -DRSB_COUNT_ALLOCATIONS=OFF)";
#else
    if (!enabled.load(std::memory_order_relaxed)) return "off (RSB_COUNT_ALLOCATIONS=0)";
#if defined(RSB_COUNT_WITH_SANITIZER_HOOKS)
    return "sanitizer allocator hooks (requested sizes)";
#else
    return "glibc malloc family replaced (usable sizes)";
#endif
#endif
}

RSB_COUNTER_CORE std::int64_t live_bytes() noexcept {
    std::int64_t total = flushed.load(std::memory_order_relaxed);
    for (const record& r : records) total += r.pending.load(std::memory_order_relaxed);
    return total;
}

RSB_COUNTER_CORE std::uint64_t allocations() noexcept {
    std::uint64_t total = orphan_allocations.load(std::memory_order_relaxed);
    for (const record& r : records) total += r.allocations.load(std::memory_order_relaxed);
    return total;
}

RSB_COUNTER_CORE void reset_peak() noexcept { peak.store(live_bytes(), std::memory_order_relaxed); }

RSB_COUNTER_CORE std::int64_t peak_bytes() noexcept {
    const std::int64_t now = live_bytes();
    const std::int64_t seen = peak.load(std::memory_order_relaxed);
    return now > seen ? now : seen;
}

}  // namespace rsb::memory

// ---------------------------------------------------------------------------
// ThreadSanitizer: the aligned allocation functions.
//
// GCC 12's libtsan runs the malloc hook from its malloc, calloc, realloc and
// operator new interceptors only: memalign, aligned_alloc, posix_memalign,
// valloc and pvalloc allocate without it, yet free runs the free hook for
// their blocks, so they were subtracted without ever being added (memory_test
// saw posix_memalign's 3000 bytes as 0, and the total drop below its start).
// AddressSanitizer runs the hook inside its allocator, for all of them.
// These definitions take the place of libtsan's (weak aliases of its
// __interceptor_ functions, which they call) and count the block when the
// hook did not (so a runtime that does run it is not counted twice).
// ---------------------------------------------------------------------------
#if defined(RSB_COUNT_WITH_SANITIZER_HOOKS) && defined(__SANITIZE_THREAD__)
extern "C" {
void* __interceptor_memalign(std::size_t alignment, std::size_t size);
void* __interceptor_aligned_alloc(std::size_t alignment, std::size_t size);
int __interceptor_posix_memalign(void** out, std::size_t alignment, std::size_t size);
void* __interceptor_valloc(std::size_t size);
void* __interceptor_pvalloc(std::size_t size);

void* memalign(std::size_t alignment, std::size_t size) noexcept {
    rsb::memory::before_aligned();
    return rsb::memory::after_aligned(__interceptor_memalign(alignment, size));
}
void* aligned_alloc(std::size_t alignment, std::size_t size) noexcept {
    rsb::memory::before_aligned();
    return rsb::memory::after_aligned(__interceptor_aligned_alloc(alignment, size));
}
int posix_memalign(void** out, std::size_t alignment, std::size_t size) noexcept {
    rsb::memory::before_aligned();
    const int result = __interceptor_posix_memalign(out, alignment, size);
    if (result == 0) rsb::memory::after_aligned(*out);
    return result;
}
void* valloc(std::size_t size) noexcept {
    rsb::memory::before_aligned();
    return rsb::memory::after_aligned(__interceptor_valloc(size));
}
void* pvalloc(std::size_t size) noexcept {
    rsb::memory::before_aligned();
    return rsb::memory::after_aligned(__interceptor_pvalloc(size));
}
}  // extern "C"
#endif

// ---------------------------------------------------------------------------
// The allocation functions (release builds).
// ---------------------------------------------------------------------------
#if defined(RSB_COUNT_WITH_MALLOC)
extern "C" {
void* __libc_malloc(std::size_t size);
void __libc_free(void* p);
void* __libc_calloc(std::size_t n, std::size_t size);
void* __libc_realloc(void* p, std::size_t size);
void* __libc_memalign(std::size_t alignment, std::size_t size);

namespace {
inline std::int64_t usable(void* p) noexcept { return static_cast<std::int64_t>(malloc_usable_size(p)); }
inline void* counted(void* p) noexcept {
    if (p != nullptr) rsb::memory::note(usable(p), true);
    return p;
}
inline std::size_t page_size() noexcept {
    static const std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    return page;
}
}  // namespace

void* malloc(std::size_t size) noexcept { return counted(__libc_malloc(size)); }

void free(void* p) noexcept {
    if (p == nullptr) return;
    rsb::memory::note(-usable(p), false);
    __libc_free(p);
}

void* calloc(std::size_t n, std::size_t size) noexcept { return counted(__libc_calloc(n, size)); }

void* realloc(void* p, std::size_t size) noexcept {
    if (p == nullptr) return malloc(size);
    if (size == 0) {  // glibc: frees and returns NULL
        free(p);
        return nullptr;
    }
    const std::int64_t before = usable(p);
    void* q = __libc_realloc(p, size);
    if (q == nullptr) return nullptr;  // p is untouched
    rsb::memory::note(usable(q) - before, q != p);
    return q;
}

void* reallocarray(void* p, std::size_t n, std::size_t size) noexcept {
    std::size_t bytes = 0;
    if (__builtin_mul_overflow(n, size, &bytes)) {
        errno = ENOMEM;
        return nullptr;
    }
    return realloc(p, bytes);
}

void* memalign(std::size_t alignment, std::size_t size) noexcept { return counted(__libc_memalign(alignment, size)); }

void* aligned_alloc(std::size_t alignment, std::size_t size) noexcept { return memalign(alignment, size); }

int posix_memalign(void** out, std::size_t alignment, std::size_t size) noexcept {
    if (alignment % sizeof(void*) != 0 || (alignment & (alignment - 1)) != 0 || alignment == 0) return EINVAL;
    void* p = memalign(alignment, size);
    if (p == nullptr) return ENOMEM;
    *out = p;
    return 0;
}

void* valloc(std::size_t size) noexcept { return memalign(page_size(), size); }

void* pvalloc(std::size_t size) noexcept {
    const std::size_t page = page_size();
    return memalign(page, (size + page - 1) / page * page);
}
}  // extern "C"
#endif
