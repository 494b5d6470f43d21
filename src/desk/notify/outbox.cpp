#include <desk/notify/outbox.hpp>

#include <desk/storage/file_io.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <iterator>

namespace desk::notify {

std::string Outbox::key(const std::string& ticket, const std::string& event, const std::string& audience)
{
  return ticket + "/" + event + "/" + audience;
}

void Outbox::fail(const std::string& k, const std::string& error, Timestamp now)
{
  Failure& f = failures[k];
  ++f.attempts;
  f.last_error = error;
  f.last_at = now;
  const long minutes = std::min(360L, 1L << std::min(f.attempts - 1, 9));
  f.next_at = now + std::chrono::minutes(minutes);
}

bool Outbox::may_try(const std::string& k, Timestamp now) const
{
  const auto it = failures.find(k);
  return it == failures.end() || now >= it->second.next_at;
}

bool Outbox::may_auto_reply(const std::string& address, int per_hour, Timestamp now)
{
  auto& times = auto_replies[address];
  std::erase_if(times, [&](Timestamp t) { return now - t >= std::chrono::hours(1) || t > now; });
  if (static_cast<int>(times.size()) >= per_hour) {
    return false;
  }
  times.push_back(now);
  return true;
}

std::filesystem::path outbox_path(const std::filesystem::path& root)
{
  return root / ".desk" / "cache" / "mail-outbox.json";
}

Outbox load_outbox(const std::filesystem::path& path)
{
  Outbox out;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return out;
  }
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  const auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return out;
  }
  auto seconds = [](const nlohmann::json& v) { return Timestamp(std::chrono::seconds(v.is_number_integer() ? v.get<long long>() : 0)); };
  if (auto f = j.find("failures"); f != j.end() && f->is_object()) {
    for (const auto& [k, v] : f->items()) {
      if (!v.is_object()) {
        continue;
      }
      Failure fail;
      fail.attempts = v.value("attempts", 0);
      fail.last_error = v.value("last_error", std::string());
      fail.last_at = seconds(v.value("last_at", nlohmann::json(0)));
      fail.next_at = seconds(v.value("next_at", nlohmann::json(0)));
      out.failures[k] = fail;
    }
  }
  if (auto a = j.find("auto_replies"); a != j.end() && a->is_object()) {
    for (const auto& [k, v] : a->items()) {
      if (!v.is_array()) {
        continue;
      }
      for (const auto& t : v) {
        out.auto_replies[k].push_back(seconds(t));
      }
    }
  }
  return out;
}

void save_outbox(const std::filesystem::path& path, const Outbox& outbox)
{
  nlohmann::json j;
  auto& f = j["failures"] = nlohmann::json::object();
  for (const auto& [k, v] : outbox.failures) {
    f[k] = {{"attempts", v.attempts},
            {"last_error", v.last_error},
            {"last_at", v.last_at.time_since_epoch().count()},
            {"next_at", v.next_at.time_since_epoch().count()}};
  }
  auto& a = j["auto_replies"] = nlohmann::json::object();
  for (const auto& [k, v] : outbox.auto_replies) {
    if (v.empty()) {
      continue;
    }
    auto& list = a[k] = nlohmann::json::array();
    for (auto t : v) {
      list.push_back(t.time_since_epoch().count());
    }
  }
  storage::write_file_atomic(path, j.dump(1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
}

} // namespace desk::notify
