// register_readerwriterqueue.cpp — moodycamel::ReaderWriterQueue
// (Debian: libreaderwriterqueue-dev).
// Registered when cmake/peers.cmake found the package (RSB_HAVE_READERWRITERQUEUE); listed as
// missing, with the package that brings it, otherwise.
#include <rsb/register.hpp>
#include <rsb/scenarios/item.hpp>

#if RSB_HAVE_READERWRITERQUEUE
#include <rsb/peers/reader_writer_queue.hpp>

RSB_REGISTER_QUEUE_TEMPLATE(rsb::peers::reader_writer_queue, "moodycamel_rwq", rsb::family::peer);
#else
RSB_MISSING_PEER("moodycamel_rwq", "libreaderwriterqueue-dev");
#endif
