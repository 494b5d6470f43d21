#pragma once

#include <cstddef>
#include <functional>

// Spreading independent pieces of work over the cores (import, export, the ticket index's
// scan and parse, the knowledge base's folder signature, the report's measures).
namespace desk {

// Threads for `items` pieces of work: 1 when there are fewer than `min_items`; else `wanted`,
// or, when `wanted` is 0, one per core and at most `max_threads`.
unsigned thread_count(unsigned wanted, std::size_t items, std::size_t min_items = 64, unsigned max_threads = 4);

// Run fn(i) for every i in [0, n) on `threads` threads (the calling thread is one of them),
// each taking `chunk` consecutive indexes at a time. When no further thread can be started,
// the ones running do all the work. When calls throw, the error of the earliest input line
// (ParseError::line, then the smallest i) is rethrown after every thread has stopped.
void parallel_for(std::size_t n, unsigned threads, const std::function<void(std::size_t)>& fn, std::size_t chunk = 16);

} // namespace desk
