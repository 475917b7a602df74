// queue_payloads.hpp — which payloads (payload.hpp) a queue template takes.
//
// Used by both sides of a registration (RSB_REGISTER_QUEUE_TEMPLATE): the
// benchmark binary runs Q<P> for every standard payload P accepted here, the
// conformance tests instantiate their payload cases for the same ones.
#pragma once

#include <concepts>

#include <rsb/scenarios/payload.hpp>
#include <rsb/structures/concepts.hpp>
#include <rsb/structures/traits.hpp>

namespace rsb {

/// Whether queue template `Q` takes payload `P`: Q<P> names a type (its
/// requires-clause, or that of an alias template, is satisfied) that is a
/// queue — directly or through queue_traits — of exactly P. Naming Q<P>
/// never instantiates a queue whose constraints fail, so a template is
/// offered every payload and takes the ones its author's constraints allow;
/// a template whose Q<P> compiles but cannot work must say so in a
/// requires-clause (the registration would otherwise fail to compile).
template <template <class> class Q, class P>
concept queue_template_accepts = payload<P> && requires { typename Q<P>; } &&
                                 (concurrent_queue<Q<P>> || described_queue<Q<P>>) &&
                                 std::same_as<typename as_queue_t<Q<P>>::value_type, P>;

}  // namespace rsb
