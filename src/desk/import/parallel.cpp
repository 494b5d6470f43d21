#include <desk/import/parallel.hpp>

#include <desk/util/error.hpp>

#include <algorithm>
#include <atomic>
#include <climits>
#include <cstdint>
#include <exception>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace desk::import {

unsigned thread_count(unsigned wanted, std::size_t items)
{
  unsigned n = wanted;
  if (n == 0) {
    n = std::min(4U, std::max(1U, std::thread::hardware_concurrency()));
  }
  if (items < 64) {
    n = 1;
  }
  return n;
}

void parallel_for(std::size_t n, unsigned threads, const std::function<void(std::size_t)>& fn)
{
  std::atomic<std::size_t> next{0};
  std::mutex mutex;
  std::exception_ptr first_error;
  std::pair<long long, std::size_t> first_key{LLONG_MAX, SIZE_MAX};
  auto worker = [&] {
    constexpr std::size_t k_chunk = 16;
    while (true) {
      const std::size_t begin = next.fetch_add(k_chunk);
      if (begin >= n) {
        return;
      }
      for (std::size_t i = begin; i < std::min(n, begin + k_chunk); ++i) {
        try {
          fn(i);
        } catch (...) {
          // Report the problem earliest in the input: by line for parse errors.
          long long line = LLONG_MAX - 1;
          try {
            throw;
          } catch (const ParseError& e) {
            line = e.line();
          } catch (...) {
          }
          const std::lock_guard lock(mutex);
          if (std::pair(line, i) < first_key) {
            first_key = {line, i};
            first_error = std::current_exception();
          }
        }
      }
    }
  };
  if (threads <= 1) {
    worker();
  } else {
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < threads; ++t) {
      pool.emplace_back(worker);
    }
    for (auto& th : pool) {
      th.join();
    }
  }
  if (first_error) {
    std::rethrow_exception(first_error);
  }
}

} // namespace desk::import
