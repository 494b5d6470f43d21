#include "cli/commands.hpp"

#include "cli/table.hpp"

#include <desk/model/json.hpp>
#include <desk/query/query.hpp>
#include <desk/util/error.hpp>
#include <desk/util/text.hpp>

#include <fmt/format.h>

#include <sys/ioctl.h>
#include <unistd.h>

namespace desk::cli {

namespace {

using desk::text::csv_cell;

struct ListArgs : FilterArgs {
  std::string sort = "priority,created";
  std::size_t limit = 0;
  std::string format = "table";
  std::string columns = "id,priority,status,category,assignee,created,title";
};

std::string cell_text(const Ticket& t, const std::string& field, const Invocation* s)
{
  const FieldSpec* spec = find_field(field);
  if (spec && spec->kind == FieldKind::list) {
    return fmt::format("{}", fmt::join(t.get_list(field), "; "));
  }
  if (s && spec && spec->kind == FieldKind::timestamp) {
    return local_time(*s, t.get(field));
  }
  return t.get(field);
}

std::size_t terminal_width()
{
  winsize ws{};
  if (::isatty(STDOUT_FILENO) && ::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20) {
    return ws.ws_col;
  }
  return 0;
}

} // namespace

void register_list(CLI::App& app, Globals& g)
{
  auto a = std::make_shared<ListArgs>();
  CLI::App* cmd = app.add_subcommand("list", "List tickets: filter, sort, table/json/csv");
  add_filter_options(cmd, *a, query::Scope::open);
  cmd->add_option("--sort", a->sort, "Sort keys, e.g. priority,-created (- for descending)")
    ->type_name("FIELDS")
    ->capture_default_str();
  cmd->add_option("--limit", a->limit, "Show at most N tickets (0: all)")
    ->type_name("N")
    ->check(CLI::Validator(
      [](const std::string& v) -> std::string {
        const bool digits = !v.empty() && v.find_first_not_of("0123456789") == std::string::npos;
        return digits && v.size() <= 18 ? "" : "'" + v + "' is not a number of tickets: give a whole number, 0 for all";
      },
      "N", "number of tickets"));
  cmd->add_option("--format", a->format, "Output: table, json (array of tickets) or csv")
    ->check(CLI::IsMember({"table", "json", "csv"}));
  cmd->add_option("--columns", a->columns, "Columns for table and csv")->type_name("FIELDS")->capture_default_str();
  cmd->footer(k_csv_guard_help);
  cmd->callback([a, &g] {
    const Invocation s = open_invocation(g);
    const query::Filter f = make_filter(s, *a);
    const auto keys = query::parse_sort(a->sort);
    const auto columns = split_list({a->columns});
    for (const auto& col : columns) {
      if (!find_field(col)) {
        std::vector<std::string> names;
        for (const auto& spec : ticket_fields()) {
          names.emplace_back(spec.name);
        }
        throw UsageError(fmt::format("--columns: unknown field '{}'; use any of: {}", col, fmt::join(names, ", ")));
      }
    }

    std::vector<storage::LoadProblem> problems;
    storage::Selection selection;
    selection.keep = [&f](const Ticket& t) { return f.matches(t); };
    selection.keep_brief = [&f](const TicketBrief& brief) { return f.matches_brief(brief); };
    selection.events = false; // a list shows current fields only
    if (a->format != "json") {
      // A table or csv keeps only its columns, the sort keys and the priority (colour).
      selection.fields = columns;
      for (const auto& k : keys) {
        selection.fields.push_back(k.field);
      }
      selection.fields.emplace_back("priority");
      selection.fields.emplace_back("status"); // checked below
    }
    std::vector<Ticket> tickets;
    std::vector<std::string> unknown;
    const auto& store = s.repo.tickets();
    store.for_each(problems, selection, [&](Ticket&& t, std::string_view rel) {
      if (auto p = workflow::unknown_status(t, (store.dir() / rel).string())) {
        unknown.emplace_back(p->what());
      }
      tickets.push_back(std::move(t));
    });
    for (const auto& p : problems) {
      warn(fmt::format("skipped {}", p.message));
    }
    for (const auto& u : unknown) {
      warn(u);
    }
    query::sort_tickets(tickets, keys);
    if (a->limit > 0 && tickets.size() > a->limit) {
      tickets.resize(a->limit);
    }

    if (a->format == "json") {
      auto arr = nlohmann::ordered_json::array();
      for (const auto& t : tickets) {
        arr.push_back(ticket_to_json(t, false));
      }
      out(arr.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
      return;
    }
    if (a->format == "csv") {
      std::vector<std::string> header;
      for (const auto& col : columns) {
        header.push_back(csv_cell(col));
      }
      std::string o = fmt::format("{}\r\n", fmt::join(header, ","));
      for (const auto& t : tickets) {
        std::vector<std::string> cells;
        for (const auto& col : columns) {
          cells.push_back(csv_cell(cell_text(t, col, nullptr)));
        }
        o += fmt::format("{}\r\n", fmt::join(cells, ","));
      }
      out(o);
      return;
    }
    if (tickets.empty()) {
      out("No tickets match.\n");
      return;
    }
    std::vector<Column> cols;
    for (const auto& col : columns) {
      std::string header = text::ascii_lower(col);
      std::transform(header.begin(), header.end(), header.begin(), [](char ch) {
        return ch == '_' ? ' ' : static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      });
      Column column{header, false, 0};
      if (col == "title" || col == "description") {
        column.max_width = 60;
      }
      cols.push_back(column);
    }
    Table table(cols);
    for (const auto& t : tickets) {
      std::vector<std::string> cells;
      for (const auto& col : columns) {
        cells.push_back(cell_text(t, col, &s));
      }
      table.add_row(std::move(cells));
    }
    const bool color = use_color(g);
    if (color) {
      table.style_header = [](std::size_t, const std::string& txt) { return paint(true, "1", txt); };
      std::vector<std::string> priorities;
      for (const auto& t : tickets) {
        priorities.push_back(t.get("priority"));
      }
      const auto& priorities_known = s.repo.config().priorities;
      const std::string top = priorities_known.empty() ? std::string() : priorities_known.front();
      table.style_cell = [priorities, columns, top](std::size_t row, std::size_t col, const std::string& txt) {
        if (columns[col] == "priority" && priorities[row] == top) {
          return paint(true, "31;1", txt);
        }
        if (columns[col] == "id") {
          return paint(true, "33", txt);
        }
        return txt;
      };
    }
    out(table.render(terminal_width()));
  });
}

} // namespace desk::cli
