#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

// Checksums of derived files (the ticket index, the knowledge-base index).
namespace desk {

// A fast 64-bit hash (8 bytes a step) for checksums and file contents; not cryptographic.
// Fed in pieces (the total length known up front): the same value however they are split.
class Hasher {
public:
  explicit Hasher(std::uint64_t total) : m_h(0x9E3779B97F4A7C15ULL ^ (total * 0xC2B2AE3D27D4EB4FULL)) {}

  // Feed the next `n` bytes.
  void update(const void* data, std::size_t n)
  {
    if (n == 0) {
      return; // `data` may be null then (an empty table), and memcpy must not see it
    }
    const auto* p = static_cast<const unsigned char*>(data);
    if (m_fill > 0) {
      const std::size_t take = std::min(n, sizeof m_pending - m_fill);
      std::memcpy(m_pending + m_fill, p, take);
      m_fill += take;
      p += take;
      n -= take;
      if (m_fill < sizeof m_pending) {
        return;
      }
      mix(m_pending);
      m_fill = 0;
    }
    for (; n >= 8; p += 8, n -= 8) {
      mix(p);
    }
    std::memcpy(m_pending, p, n);
    m_fill = n;
  }

  // The hash of everything fed so far.
  std::uint64_t finish() const
  {
    std::uint64_t w = 0;
    std::memcpy(&w, m_pending, m_fill);
    std::uint64_t h = (m_h ^ w ^ (std::uint64_t{m_fill} << 56)) * 0xC4CEB9FE1A85EC53ULL;
    h ^= h >> 32;
    return h;
  }

private:
  void mix(const unsigned char* p)
  {
    std::uint64_t w = 0;
    std::memcpy(&w, p, 8);
    m_h = (m_h ^ w) * 0xFF51AFD7ED558CCDULL;
    m_h ^= m_h >> 29;
  }

  std::uint64_t m_h;
  unsigned char m_pending[8] = {};
  std::size_t m_fill = 0;
};

// The hash of `n` bytes at `data`.
inline std::uint64_t hash64(const void* data, std::size_t n)
{
  Hasher h(n);
  h.update(data, n);
  return h.finish();
}

// The hash of `s`.
inline std::uint64_t hash64(std::string_view s)
{
  return hash64(s.data(), s.size());
}

} // namespace desk
