#include <desk/util/parallel.hpp>

#include <desk/util/error.hpp>

#include <algorithm>
#include <atomic>
#include <climits>
#include <cstdint>
#include <exception>
#include <mutex>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

namespace desk {

unsigned thread_count(unsigned wanted, std::size_t items, std::size_t min_items, unsigned max_threads)
{
  // glibc reads /sys/devices/system/cpu/online for every hardware_concurrency() (~0.3 ms
  // here): once a process is enough.
  static const unsigned cores = std::max(1U, std::thread::hardware_concurrency());
  unsigned n = wanted;
  if (n == 0) {
    n = std::min(max_threads, cores);
  }
  if (items < min_items) {
    n = 1;
  }
  return n;
}

void parallel_for(std::size_t n, unsigned threads, const std::function<void(std::size_t)>& fn, std::size_t chunk)
{
  chunk = std::max<std::size_t>(chunk, 1);
  std::atomic<std::size_t> next{0};
  std::mutex mutex;
  std::exception_ptr first_error;
  std::pair<long long, std::size_t> first_key{LLONG_MAX, SIZE_MAX};
  auto worker = [&] {
    while (true) {
      const std::size_t begin = next.fetch_add(chunk);
      if (begin >= n) {
        return;
      }
      for (std::size_t i = begin; i < std::min(n, begin + chunk); ++i) {
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
  std::vector<std::thread> pool;
  try {
    for (unsigned t = 1; t < threads; ++t) {
      pool.emplace_back(worker);
    }
  } catch (const std::system_error&) {
    // No more threads to be had: the ones started, and this one, share the work.
  }
  worker();
  for (auto& th : pool) {
    th.join();
  }
  if (first_error) {
    std::rethrow_exception(first_error);
  }
}

} // namespace desk
