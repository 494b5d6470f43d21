#include <desk/storage/load_problem.hpp>

namespace desk::storage {

LoadProblem LoadProblem::of(const std::filesystem::path& path, const Error& error)
{
  LoadProblem p;
  p.path = path;
  p.message = error.what();
  if (const auto* parse = dynamic_cast<const ParseError*>(&error)) {
    p.line = parse->line();
    p.column = parse->column();
    p.reason = parse->message();
  } else {
    p.reason = p.message;
  }
  return p;
}

} // namespace desk::storage
