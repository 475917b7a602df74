// register_moodycamel.cpp — moodycamel::ConcurrentQueue, with implicit and explicit producer tokens
// (Debian: libconcurrentqueue-dev).
// Registered when cmake/peers.cmake found the package (RSB_HAVE_MOODYCAMEL); listed as
// missing, with the package that brings it, otherwise.
#include <rsb/register.hpp>
#include <rsb/scenarios/item.hpp>

#if RSB_HAVE_MOODYCAMEL
#include <rsb/peers/moodycamel_queue.hpp>

namespace {
template <class T>
using moodycamel_implicit = rsb::peers::moodycamel_queue<T>;
template <class T>
using moodycamel_tokens = rsb::peers::moodycamel_queue<T, rsb::peers::moodycamel_tokens::explicit_tokens>;
}  // namespace

RSB_REGISTER_QUEUE_TEMPLATE(moodycamel_implicit, "moodycamel", rsb::family::peer);
RSB_REGISTER_QUEUE_TEMPLATE(moodycamel_tokens, "moodycamel_tokens", rsb::family::peer);
#else
RSB_MISSING_PEER("moodycamel", "libconcurrentqueue-dev");
RSB_MISSING_PEER("moodycamel_tokens", "libconcurrentqueue-dev");
#endif
