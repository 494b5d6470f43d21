#include <desk/portal/api_tokens.hpp>

#include <desk/ops/step.hpp>
#include <desk/portal/links.hpp>
#include <desk/storage/repository.hpp>
#include <desk/util/error.hpp>
#include <desk/storage/config_file.hpp>
#include <desk/storage/file_io.hpp>
#include <desk/util/text.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace desk::portal {

namespace {

// The config text with one more entry in api.tokens (its comments kept): after the last
// item of the block list, replacing an empty `tokens: []`, or a new `api:` section.
std::string with_token_entry(const std::string& text, const std::string& entry)
{
  std::vector<std::string> lines = text::split(text, '\n');
  if (!lines.empty() && lines.back().empty()) {
    lines.pop_back();
  }
  std::size_t api = lines.size();
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (lines[i] == "api:" || lines[i].starts_with("api: ") || lines[i].starts_with("api:#")) {
      api = i;
      break;
    }
  }
  std::string out;
  auto join = [&](std::size_t from, std::size_t to) {
    for (std::size_t i = from; i < to; ++i) {
      out += lines[i] + "\n";
    }
  };
  if (api == lines.size()) {
    join(0, lines.size());
    return out + "\napi:\n  tokens:\n" + entry;
  }
  std::size_t end = api + 1; // end of the api section: the next top-level key
  while (end < lines.size() && (lines[end].empty() || lines[end][0] == ' ' || lines[end][0] == '#')) {
    ++end;
  }
  for (std::size_t i = api + 1; i < end; ++i) {
    const std::string_view line = lines[i];
    if (!line.starts_with("  tokens:")) {
      continue;
    }
    const std::string_view rest = text::trim(line.substr(9));
    if (rest == "[]" || rest.empty() || rest.starts_with("[] ") || rest.starts_with("#")) {
      std::size_t last = i + 1; // after the last item of a block list
      if (rest.empty() || rest.starts_with("#")) {
        for (std::size_t j = i + 1; j < end; ++j) {
          if (lines[j].starts_with("    ") || lines[j].starts_with("  -")) {
            last = j + 1;
          } else if (!lines[j].empty() && !text::trim(lines[j]).starts_with("#")) {
            break;
          }
        }
      }
      join(0, i);
      out += "  tokens:\n";
      join(i + 1, last);
      out += entry;
      join(last, lines.size());
      return out;
    }
    throw UsageError("api.tokens in .desk/config.yaml is written in a form this command does not edit",
                     fmt::format("add the token by hand as a list item:\n{}", entry));
  }
  join(0, api + 1);
  out += "  tokens:\n" + entry;
  join(api + 1, lines.size());
  return out;
}

} // namespace

NewToken add_api_token(const storage::Repository& repo, const ops::Call& call, const std::string& name,
                       const std::vector<std::string>& scopes)
{
  if (name.empty() || name.size() > 64 ||
      !std::all_of(name.begin(), name.end(), [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_' || ch == '.'; })) {
    throw UsageError(fmt::format("token name '{}' must be 1 to 64 letters, digits, '-', '_' or '.'", name));
  }
  if (scopes.empty()) {
    throw UsageError("a token needs at least one scope", fmt::format("give --scope with any of: {}", fmt::join(api_scopes(), ",")));
  }
  for (const auto& s : scopes) {
    if (std::find(api_scopes().begin(), api_scopes().end(), s) == api_scopes().end()) {
      throw UsageError(fmt::format("unknown scope '{}'; use any of: {}", s, fmt::join(api_scopes(), ", ")));
    }
  }
  const std::string token = "desk_" + portal::base64url(portal::random_bytes(32));
  const std::string entry = fmt::format("    - name: {}\n      sha256: {}\n      scopes: [{}]\n", name,
                                        portal::sha256_hex(token), fmt::join(scopes, ", "));
  NewToken made{token, {}};
  {
    const auto lock = repo.lock();
    // The names in use are those of the file as it is now, under the lock.
    const std::string text = storage::read_text_file(repo.config_path());
    for (const auto& t : storage::parse_config(text, repo.config_path().string()).api.tokens) {
      if (t.name == name) {
        throw UsageError(fmt::format("a token named '{}' exists already", name),
                         "choose another name, or delete its entry under api.tokens in .desk/config.yaml first");
      }
    }
    const std::string updated = with_token_entry(text, entry);
    storage::parse_config(updated, repo.config_path().string()); // refuse to write a config that does not read
    ops::Transaction tx;
    tx.will_replace(repo.config_path());
    storage::write_file_atomic(repo.config_path(), updated);
    // A failed commit puts the config back as it was: the token printed never exists half.
    ops::commit(repo, call, tx, fmt::format("api: token {} ({})", name, fmt::join(scopes, ", ")), made.warnings);
  }
  return made;
}

} // namespace desk::portal
