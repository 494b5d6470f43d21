#pragma once

#include <cstddef>
#include <functional>

// Spreading an import's independent pieces of work over the cores.
namespace desk::import {

// Threads for `items` pieces of work: `wanted` (0: one per core, at most 4), 1 for small jobs.
unsigned thread_count(unsigned wanted, std::size_t items);

// Run fn(i) for every i in [0, n) on `threads` threads. When calls throw, the error of the
// earliest input line (ParseError::line, then the smallest i) is rethrown after every
// thread has stopped.
void parallel_for(std::size_t n, unsigned threads, const std::function<void(std::size_t)>& fn);

} // namespace desk::import
