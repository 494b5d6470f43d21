#pragma once

#include <desk/ops/step.hpp>
#include <desk/storage/repository.hpp>

#include <string>
#include <vector>

// Bearer tokens of the JSON API: made here, recorded in .desk/config.yaml by their SHA-256.
namespace desk::portal {

// Make a new token named `name` with `scopes` and record its hash under api.tokens in the
// config (a small edit that keeps the file's comments, under the repository lock,
// committed when git.autocommit is on; a failed commit puts the file back). Returns the
// token, which is never stored, and what the commit warned of. Throws UsageError for a bad
// name, an unknown scope or a name in use.
struct NewToken {
  std::string token;
  std::vector<std::string> warnings;
};
NewToken add_api_token(const storage::Repository& repo, const ops::Call& call, const std::string& name,
                       const std::vector<std::string>& scopes);

} // namespace desk::portal
