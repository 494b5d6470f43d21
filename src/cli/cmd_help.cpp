// desk's own manual pages and shell completion, generated from the command definitions
// (the CLI11 tree) so that they never drift from `--help`; and the candidates the
// completion scripts ask desk for (`desk __complete KIND`).
#include "cli/commands.hpp"
#include "cli/companion.hpp"
#include "cli/version.hpp"

#include <desk/config/config.hpp>
#include <desk/kb/article.hpp>
#include <desk/query/query.hpp>
#include <desk/storage/config_file.hpp>
#include <desk/storage/file_io.hpp>
#include <desk/util/error.hpp>
#include <desk/workflow/transitions.hpp>

#include <fmt/format.h>

#include <filesystem>
#include <set>

namespace desk::cli {

namespace {

// Words split on spaces.
std::vector<std::string> help_words(std::string_view text)
{
  std::vector<std::string> words;
  std::string w;
  for (const char c : text) {
    if (c == ' ') {
      if (!w.empty()) {
        words.push_back(std::move(w));
        w.clear();
      }
    } else {
      w += c;
    }
  }
  if (!w.empty()) {
    words.push_back(std::move(w));
  }
  return words;
}

// The commands below `app` that --help lists (hidden ones have no group).
std::vector<const CLI::App*> listed_commands(const CLI::App& app)
{
  return app.get_subcommands([](const CLI::App* sub) { return !sub->get_group().empty(); });
}

// The words in front of the program's own commands: "mail" while desk-mail writes its pages
// (its `receive` is `desk mail receive`), empty for desk itself.
std::string& command_prefix()
{
  static std::string prefix;
  return prefix;
}

// "open", "kb add": a command's words after `desk`.
std::string command_words(const CLI::App& cmd)
{
  std::string words;
  for (const CLI::App* a = &cmd; a != nullptr && a->get_parent() != nullptr; a = a->get_parent()) {
    words = words.empty() ? a->get_name() : a->get_name() + " " + words;
  }
  if (command_prefix().empty()) {
    return words;
  }
  return words.empty() ? command_prefix() : command_prefix() + " " + words;
}

// "desk-open", "desk-kb-add"; "desk" for the top.
std::string page_name(const CLI::App& cmd)
{
  std::string name = "desk";
  for (const auto& w : help_words(command_words(cmd))) {
    name += "-" + w;
  }
  return name;
}

// What an option's value is, for completion: "@KIND" asks `desk __complete KIND`, "@file"
// and "@dir" complete paths, "=a b c" are the values themselves, "" anything (no list).
std::string value_kind(const CLI::Option& opt)
{
  const std::string full = opt.get_type_name();
  const std::string type = full.substr(0, full.find(':'));
  if (const auto brace = full.find(":{"); brace != std::string::npos) {
    std::string words = full.substr(brace + 2, full.find('}', brace) - brace - 2);
    std::replace(words.begin(), words.end(), ',', ' ');
    return "=" + words;
  }
  if (type.find('|') != std::string::npos) {
    std::string words = type;
    std::replace(words.begin(), words.end(), '|', ' ');
    return "=" + words;
  }
  static const std::map<std::string, std::string> k_by_type = {
    {"CATEGORY", "@category"}, {"TYPE", "@type"},     {"SCOPE", "@impact"}, {"LEVEL", "@urgency"},
    {"P", "@priority"},        {"REASON", "@reason"}, {"CHANNEL", "@channel"}, {"TEAM", "@team"},
    {"USER", "@member"},       {"FILE", "@file"},     {"MAPPING", "@file"}, {"DIR", "@dir"},
  };
  static const std::map<std::string, std::string> k_by_name = {
    {"status", "@status"},     {"type", "@type"},     {"priority", "@priority"}, {"category", "@category"},
    {"channel", "@channel"},   {"team", "@team"},     {"assignee", "@member"},   {"vendor", "@vendor"},
    {"state", "@kb-state"},    {"audience", "@kb-audience"},
  };
  if (opt.get_positional()) {
    return type == "ID" ? "@ticket" : type == "FILE" ? "@file" : type == "DIR" ? "@dir" : "";
  }
  if (const auto it = k_by_type.find(type); it != k_by_type.end()) {
    return it->second;
  }
  if (!opt.get_lnames().empty()) {
    if (const auto it = k_by_name.find(opt.get_lnames().front()); it != k_by_name.end()) {
      return it->second;
    }
  }
  return "";
}

// The option's names as given on a command line: "-m", "--message".
std::vector<std::string> option_names(const CLI::Option& opt)
{
  std::vector<std::string> names;
  for (const auto& s : opt.get_snames()) {
    names.push_back("-" + s);
  }
  for (const auto& l : opt.get_lnames()) {
    names.push_back("--" + l);
  }
  return names;
}

// The options of a command (not its positionals), --help first.
std::vector<const CLI::Option*> named_options(const CLI::App& cmd)
{
  return cmd.get_options([](const CLI::Option* o) { return !o->get_positional(); });
}

std::vector<const CLI::Option*> positional_options(const CLI::App& cmd)
{
  return cmd.get_options([](const CLI::Option* o) { return o->get_positional(); });
}

bool takes_value(const CLI::Option& opt) { return opt.get_items_expected_max() > 0; }

// The option's value placeholder: "TEXT", "week|month".
std::string value_name(const CLI::Option& opt)
{
  const std::string full = opt.get_type_name();
  if (const auto brace = full.find(":{"); brace != std::string::npos) {
    std::string words = full.substr(brace + 2, full.find('}', brace) - brace - 2);
    std::replace(words.begin(), words.end(), ',', '|');
    return words;
  }
  return full.substr(0, full.find(':'));
}

// Every command below `app`, depth first, in --help order.
void walk_commands(const CLI::App& app, std::vector<const CLI::App*>& into)
{
  for (const CLI::App* sub : listed_commands(app)) {
    into.push_back(sub);
    walk_commands(*sub, into);
  }
}

// ---------------------------------------------------------------------------------------
// Manual pages (roff, man(7) macros)

// Text for roff: backslashes and hyphens escaped, no line starting with a control character.
std::string roff(std::string_view text)
{
  std::string out;
  bool line_start = true;
  for (const char c : text) {
    if (line_start && (c == '.' || c == '\'')) {
      out += "\\&";
    }
    if (c == '\\') {
      out += "\\e";
    } else if (c == '-') {
      out += "\\-";
    } else {
      out += c;
    }
    line_start = c == '\n';
  }
  return out;
}

std::string man_header(const std::string& name, std::string_view summary)
{
  std::string upper = name;
  std::transform(upper.begin(), upper.end(), upper.begin(), [](char c) { return static_cast<char>(std::toupper(static_cast<unsigned char>(c))); });
  return fmt::format(".TH {} 1 \"\" \"desk {}\" \"desk manual\"\n.SH NAME\n{} \\- {}\n", upper, DESK_VERSION,
                     roff(name), roff(summary));
}

std::string man_options(const std::vector<const CLI::Option*>& options)
{
  std::string page;
  for (const CLI::Option* o : options) {
    std::vector<std::string> shown;
    for (const auto& n : option_names(*o)) {
      shown.push_back(fmt::format("\\fB{}\\fR", roff(n)));
    }
    std::string line = fmt::format("{}", fmt::join(shown, ", "));
    if (o->get_positional()) {
      line = fmt::format("\\fI{}\\fR", roff(value_name(*o)));
    } else if (takes_value(*o)) {
      line += fmt::format(" \\fI{}\\fR", roff(value_name(*o)));
    }
    page += fmt::format(".TP\n{}\n{}\n", line, roff(o->get_description()));
  }
  return page;
}

std::string man_synopsis(const CLI::App& cmd)
{
  std::string line = fmt::format("\\fBdesk {}\\fR", roff(command_words(cmd)));
  if (!listed_commands(cmd).empty()) {
    return line + " \\fICOMMAND\\fR [\\fIOPTIONS\\fR]\n";
  }
  line += " [\\fIOPTIONS\\fR]";
  for (const CLI::Option* p : positional_options(cmd)) {
    const std::string name = roff(value_name(*p));
    line += p->get_required() ? fmt::format(" \\fI{}\\fR", name) : fmt::format(" [\\fI{}\\fR]", name);
    if (p->get_items_expected_max() > 1) {
      line += "...";
    }
  }
  return line + "\n";
}

std::string man_command_list(const CLI::App& app)
{
  std::string page;
  for (const CLI::App* sub : listed_commands(app)) {
    page += fmt::format(".TP\n\\fB{}\\fR(1)\n{}\n", roff(page_name(*sub)), roff(sub->get_description()));
  }
  return page;
}

// One command's page: desk-open(1), desk-kb(1), desk-kb-add(1).
std::string command_page(const CLI::App& cmd)
{
  std::string page = man_header(page_name(cmd), cmd.get_description());
  page += ".SH SYNOPSIS\n" + man_synopsis(cmd);
  page += ".SH DESCRIPTION\n" + roff(cmd.get_description()) + ".\n";
  if (!listed_commands(cmd).empty()) {
    page += ".SH COMMANDS\n" + man_command_list(cmd);
  }
  if (!positional_options(cmd).empty()) {
    page += ".SH ARGUMENTS\n" + man_options(positional_options(cmd));
  }
  page += ".SH OPTIONS\n" + man_options(named_options(cmd));
  page += ".SH EXIT STATUS\nAs for every command; see \\fBdesk\\fR(1).\n";
  std::string also = "\\fBdesk\\fR(1)";
  if (cmd.get_parent() != nullptr && cmd.get_parent()->get_parent() != nullptr) {
    also += fmt::format(", \\fB{}\\fR(1)", roff(page_name(*cmd.get_parent())));
  }
  return page + ".SH SEE ALSO\n" + also + "\n";
}

constexpr std::string_view k_man_overview = R"(desk keeps an IT service desk in plain YAML files inside a git repository: one file per ticket
under tickets/YYYY/MM/ and one per knowledge-base article under kb/, with the repository's
configuration in .desk/config.yaml. Each command takes one step of the support procedure
(intake, triage, assignment, escalation, pending, resolution, confirmation, closure) or reads
the tickets (list, show, sla, report), and records what it changed as an event in the
ticket's history. With git.autocommit on, every command commits the files it changed.
.PP
Any unique part of a ticket id is accepted: \fBdesk show 7K3F\fR finds INC\-7K3F2A9Q.
Every command has \fB\-\-help\fR, and a page of its own: \fBdesk\-open\fR(1), \fBdesk\-kb\-add\fR(1), ...
)";

constexpr std::string_view k_man_environment = R"(.TP
.B DESK_DIR
The ticket repository (as \fB\-C\fR); default: walk up from the working directory to the first \fI.desk/\fR.
.TP
.B DESK_USER
Who acts (as \fB\-\-as\fR); else git's user.name, else the login name.
.TP
.B DESK_NOW
A fixed "now" (ISO 8601; local time of the repository without an offset) for every command: tests, demos, back\-dating.
.TP
.B DESK_LOCK_TIMEOUT
Seconds to wait for the repository lock (default 10).
.TP
.B DESK_INDEX
\fBoff\fR reads every ticket file instead of the index in \fI.desk/cache/\fR.
.TP
.B NO_COLOR
No colour, even on a terminal.
.TP
.BR VISUAL ", " EDITOR
The editor for \fBdesk open\fR and \fBdesk kb add\fR without the text on the command line.
)";

constexpr std::string_view k_man_exit_status = R"(.TP
.B 0
Success.
.TP
.B 1
A check found problems: \fBdesk doctor\fR found something wrong, \fBdesk sla\fR found a breached ticket.
.TP
.B 2
Bad command line: unknown option, a value not allowed (the message lists the allowed ones), a missing field.
.TP
.B 3
Not found: no repository, an unknown or ambiguous id (the candidates are listed), an unknown team, vendor or user.
.TP
.B 4
The step is not allowed from the ticket's current status (the message lists what is).
.TP
.B 5
Bad data: a ticket or config file is malformed (\fIpath:line:column: message\fR).
.TP
.B 6
Busy: another desk process holds the repository lock.
.TP
.B 7
The file system refused (read\-only, full, permissions).
.PP
Every error is one line \fBdesk: error: ...\fR on standard error, usually followed by a
\fBhint:\fR line saying what to do. A failed command changes nothing on disk.
)";

constexpr std::string_view k_man_files = R"(.TP
.I .desk/config.yaml
Taxonomy, impact and urgency scales, priority matrix, SLA targets and business calendar, teams, vendors, assignment rules, id prefixes.
.TP
.I .desk/hooks/EVENT
Optional executables run after a change (open, triage, assign, ..., sla\-warning, sla\-breach), given the ticket and event as JSON on standard input.
.TP
.I .desk/cache/
Derived data, never committed: the ticket index and the knowledge\-base search index.
.TP
.I tickets/YYYY/MM/ID.yaml
One file per ticket, by creation month.
.TP
.I kb/KB\-ID.yaml
One file per knowledge\-base article.
.TP
.I share/desk/
The default configuration and the import mappings (\fBdesk import csv \-\-map jira\fR).
)";

constexpr std::string_view k_man_examples = R"(.nf
desk init helpdesk \-\-timezone Asia/Shanghai && cd helpdesk
id=$(desk open \-q \-\-title "VPN 无法连接" \-\-reporter 张三 \-\-channel phone \e
       \-\-impact department \-\-urgency high)
desk triage "$id" \-\-category network
desk assign "$id" \-\-auto
desk resolve "$id" \-\-solution "更新证书" \-\-verified\-by 李娜
desk confirm "$id" \-\-rating 5 && desk close "$id"
desk list \-\-all \-\-format json
desk sla \-\-breached || echo "a ticket is overdue"
desk report \-\-format html \-o review.html
.fi
)";

std::string main_page(const CLI::App& app)
{
  std::string page = man_header("desk", "an IT service desk in plain YAML files, driven from the command line");
  page += ".SH SYNOPSIS\n\\fBdesk\\fR [\\fB\\-C\\fR \\fIDIR\\fR] [\\fB\\-\\-as\\fR \\fINAME\\fR] \\fICOMMAND\\fR "
          "[\\fIOPTIONS\\fR]\n.br\n\\fBdesk \\-\\-version\\fR\n";
  page += ".SH DESCRIPTION\n" + std::string(k_man_overview);
  page += ".SH GLOBAL OPTIONS\nThese work before the command and after it.\n" + man_options(named_options(app));
  page += ".SH COMMANDS\n" + man_command_list(app);
  page += ".SH ENVIRONMENT\n" + std::string(k_man_environment);
  page += ".SH EXIT STATUS\n" + std::string(k_man_exit_status);
  page += ".SH FILES\n" + std::string(k_man_files);
  page += ".SH EXAMPLES\n" + std::string(k_man_examples);
  page += ".SH SEE ALSO\n\\fBgit\\fR(1), \\fBcrontab\\fR(5)\n";
  return page;
}

// The command `words` name ("kb add"), or UsageError.
const CLI::App& find_command(const CLI::App& app, const std::vector<std::string>& words)
{
  const CLI::App* at = &app;
  for (const auto& w : words) {
    const auto subs = at->get_subcommands([&w](const CLI::App* s) { return s->get_name() == w; });
    if (subs.empty()) {
      throw UsageError(fmt::format("no command 'desk {}'", fmt::join(words, " ")),
                       "run `desk --help` for the list of commands");
    }
    at = subs.front();
  }
  return *at;
}

// ---------------------------------------------------------------------------------------
// Completion scripts

// A word list for a shell: single-quoted, quotes escaped.
std::string shell_quote(std::string_view text)
{
  std::string out = "'";
  for (const char c : text) {
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  }
  return out + "'";
}

// Every command's path ("" for the top), depth first.
std::vector<const CLI::App*> all_paths(const CLI::App& app)
{
  std::vector<const CLI::App*> cmds{&app};
  walk_commands(app, cmds);
  return cmds;
}

std::string sub_names(const CLI::App& cmd)
{
  std::vector<std::string> names;
  for (const CLI::App* s : listed_commands(cmd)) {
    names.push_back(s->get_name());
  }
  return fmt::format("{}", fmt::join(names, " "));
}

std::string first_positional_kind(const CLI::App& cmd)
{
  const auto pos = positional_options(cmd);
  return pos.empty() ? std::string() : value_kind(*pos.front());
}

// The tables both the bash and the zsh script read: subcommands, options, the values of
// options that take one, the first positional's values (`declare_word` declares a global
// associative array in that shell).
std::string completion_tables(const CLI::App& app, std::string_view declare_word)
{
  std::string s = fmt::format("{0} _desk_cmds _desk_opts _desk_vals _desk_pos\n", declare_word);
  for (const CLI::App* cmd : all_paths(app)) {
    // Keys start with "desk" (an associative array takes no empty key): "desk", "desk kb add".
    const std::string path = cmd == &app ? std::string("desk") : "desk " + command_words(*cmd);
    const std::string subs = sub_names(*cmd);
    if (!subs.empty()) {
      s += fmt::format("_desk_cmds[{}]={}\n", shell_quote(path), shell_quote(subs));
    }
    std::vector<std::string> names;
    for (const CLI::Option* o : named_options(*cmd)) {
      for (const auto& n : option_names(*o)) {
        names.push_back(n);
        if (takes_value(*o)) {
          s += fmt::format("_desk_vals[{}]={}\n", shell_quote(path + "|" + n), shell_quote(value_kind(*o)));
        }
      }
    }
    s += fmt::format("_desk_opts[{}]={}\n", shell_quote(path), shell_quote(fmt::format("{}", fmt::join(names, " "))));
    if (const std::string kind = first_positional_kind(*cmd); !kind.empty()) {
      s += fmt::format("_desk_pos[{}]={}\n", shell_quote(path), shell_quote(kind));
    }
  }
  return s;
}

constexpr std::string_view k_bash_function = R"sh(
# The command path, whether the word before the cursor wants a value, and -C's folder.
_desk_context() {
  _desk_path=desk _desk_want="" _desk_dir=() _desk_npos=0
  local i w
  for ((i = 1; i < COMP_CWORD; i++)); do
    w=${COMP_WORDS[i]}
    if [[ -n $_desk_want ]]; then
      if [[ $_desk_want == -C || $_desk_want == --dir ]]; then _desk_dir=(-C "$w"); fi
      _desk_want=""
      continue
    fi
    if [[ $w == -* ]]; then
      if [[ -n ${_desk_vals["$_desk_path|$w"]+x} || -n ${_desk_vals["desk|$w"]+x} ]]; then _desk_want=$w; fi
      continue
    fi
    if [[ " ${_desk_cmds["$_desk_path"]} " == *" $w "* ]]; then
      _desk_path="$_desk_path $w"
      _desk_npos=0
    else
      ((_desk_npos++))
    fi
  done
}

_desk() {
  local cur=${COMP_WORDS[COMP_CWORD]} kind="" words=""
  COMPREPLY=()
  _desk_context
  if [[ -n $_desk_want ]]; then
    kind=${_desk_vals["$_desk_path|$_desk_want"]-${_desk_vals["desk|$_desk_want"]}}
  elif [[ $cur == -* ]]; then
    words=${_desk_opts["$_desk_path"]}
  elif [[ -n ${_desk_cmds["$_desk_path"]} ]]; then
    words=${_desk_cmds["$_desk_path"]}
  elif ((_desk_npos == 0)); then
    kind=${_desk_pos["$_desk_path"]}
  fi
  case $kind in
    @file) mapfile -t COMPREPLY < <(compgen -f -- "$cur"); return ;;
    @dir) mapfile -t COMPREPLY < <(compgen -d -- "$cur"); return ;;
    @*) words=$("${COMP_WORDS[0]}" "${_desk_dir[@]}" __complete "${kind#@}" 2>/dev/null) ;;
    =*) words=${kind#=} ;;
  esac
  local IFS=$'\n'
  mapfile -t COMPREPLY < <(compgen -W "${words//[ $'\t']/$'\n'}" -- "$cur")
}
complete -F _desk desk
)sh";

std::string bash_script(const CLI::App& app)
{
  return "# bash completion for desk; generated by `desk completion bash` from its command definitions.\n" +
         completion_tables(app, "declare -gA") + std::string(k_bash_function);
}

constexpr std::string_view k_zsh_function = R"sh(
_desk() {
  local path=desk want="" npos=0 i w kind="" cur=${words[CURRENT]}
  local -a dir values
  for ((i = 2; i < CURRENT; i++)); do
    w=${words[i]}
    if [[ -n $want ]]; then
      [[ $want == -C || $want == --dir ]] && dir=(-C "$w")
      want=""
      continue
    fi
    if [[ $w == -* ]]; then
      (( ${+_desk_vals[$path|$w]} || ${+_desk_vals[desk|$w]} )) && want=$w
      continue
    fi
    if [[ " ${_desk_cmds[$path]} " == *" $w "* ]]; then
      path="$path $w"
      npos=0
    else
      ((npos++))
    fi
  done
  if [[ -n $want ]]; then
    kind=${_desk_vals[$path|$want]-${_desk_vals[desk|$want]}}
  elif [[ $cur == -* ]]; then
    values=(${=_desk_opts[$path]})
    compadd -a values
    return
  elif [[ -n ${_desk_cmds[$path]} ]]; then
    values=(${=_desk_cmds[$path]})
    compadd -a values
    return
  elif ((npos == 0)); then
    kind=${_desk_pos[$path]}
  fi
  case $kind in
    @file) _files ;;
    @dir) _files -/ ;;
    @*) values=(${(f)"$(${words[1]} $dir __complete ${kind#@} 2>/dev/null)"}); compadd -a values ;;
    =*) values=(${=${kind#=}}); compadd -a values ;;
  esac
}
)sh";

std::string zsh_script(const CLI::App& app)
{
  return "#compdef desk\n# zsh completion for desk; generated by `desk completion zsh` from its command definitions.\n" +
         completion_tables(app, "typeset -gA") + std::string(k_zsh_function) +
         "\nif [[ $zsh_eval_context[-1] == loadautofunc ]]; then _desk \"$@\"; else compdef _desk desk; fi\n";
}

std::string fish_script(const CLI::App& app)
{
  std::string s = "# fish completion for desk; generated by `desk completion fish` from its command definitions.\n";
  std::vector<std::string> subs;
  std::vector<std::string> value_opts;
  for (const CLI::App* cmd : all_paths(app)) {
    const std::string path = command_words(*cmd);
    for (const CLI::App* sub : listed_commands(*cmd)) {
      subs.push_back(shell_quote(path + "|" + sub->get_name()));
    }
    for (const CLI::Option* o : named_options(*cmd)) {
      if (takes_value(*o)) {
        for (const auto& n : option_names(*o)) {
          value_opts.push_back(shell_quote(path + "|" + n));
        }
      }
    }
  }
  s += fmt::format("set -g __desk_subs {}\nset -g __desk_value_opts {}\n", fmt::join(subs, " "), fmt::join(value_opts, " "));
  s += R"sh(
# The command path of the line being completed ("" before a command, "kb add").
function __desk_path
    set -l path ""
    set -l skip 0
    for w in (commandline -opc)[2..-1]
        if test $skip -eq 1
            set skip 0
            continue
        end
        if string match -q -- '-*' $w
            if contains -- "$path|$w" $__desk_value_opts; or contains -- "|$w" $__desk_value_opts
                set skip 1
            end
        else if contains -- "$path|$w" $__desk_subs
            set path (string trim -- "$path $w")
        end
    end
    echo $path
end

# True when the line being completed is at this command path.
function __desk_is
    set -l path (__desk_path)
    test "$path" = "$argv[1]"
end

# The -C folder given on the line, for `desk __complete`.
function __desk_candidates
    set -l tokens (commandline -opc)
    set -l dir
    if set -l i (contains -i -- -C $tokens); or set -l i (contains -i -- --dir $tokens)
        set dir -C $tokens[(math $i + 1)]
    end
    $tokens[1] $dir __complete $argv 2>/dev/null
end

complete -c desk -f
)sh";
  for (const CLI::App* cmd : all_paths(app)) {
    const std::string path = command_words(*cmd);
    const std::string when = fmt::format("-n {}", shell_quote(fmt::format("__desk_is {}", shell_quote(path))));
    for (const CLI::App* sub : listed_commands(*cmd)) {
      s += fmt::format("complete -c desk {} -a {} -d {}\n", when, shell_quote(sub->get_name()),
                       shell_quote(sub->get_description()));
    }
    for (const CLI::Option* o : named_options(*cmd)) {
      std::string line = fmt::format("complete -c desk {}", when);
      for (const auto& sn : o->get_snames()) {
        line += fmt::format(" -s {}", sn);
      }
      for (const auto& ln : o->get_lnames()) {
        line += fmt::format(" -l {}", ln);
      }
      if (takes_value(*o)) {
        const std::string kind = value_kind(*o);
        if (kind == "@file" || kind == "@dir") {
          line += " -r -F";
        } else {
          line += " -x"; // a value, never a file name
        }
        if (kind.starts_with("@") && kind != "@file" && kind != "@dir") {
          line += fmt::format(" -a {}", shell_quote(fmt::format("(__desk_candidates {})", kind.substr(1))));
        } else if (kind.starts_with("=")) {
          line += fmt::format(" -a {}", shell_quote(kind.substr(1)));
        }
      }
      s += line + fmt::format(" -d {}\n", shell_quote(o->get_description()));
    }
    if (const std::string kind = first_positional_kind(*cmd); kind.starts_with("@") && kind != "@file" && kind != "@dir") {
      s += fmt::format("complete -c desk {} -a {}\n", when,
                       shell_quote(fmt::format("(__desk_candidates {})", kind.substr(1))));
    } else if (kind == "@file" || kind == "@dir") {
      s += fmt::format("complete -c desk {} -F\n", when);
    }
  }
  return s;
}

// ---------------------------------------------------------------------------------------
// Candidates for the completion scripts

// The values of one kind, from the repository when inside one, else from the defaults.
std::vector<std::string> candidates(const Globals& g, std::string_view kind)
{
  std::optional<storage::Repository> repo;
  try {
    repo.emplace(storage::Repository::discover(g.dir.empty() ? std::nullopt : std::optional<std::filesystem::path>(g.dir)));
  } catch (const Error&) {
  }
  const Config defaults = repo ? Config{} : storage::parse_config(storage::default_config_text("UTC"), "(default config)");
  const Config& c = repo ? repo->config() : defaults;
  std::vector<std::string> out;
  if (kind == "category") {
    out = c.categories;
  } else if (kind == "type") {
    out = c.type_names();
  } else if (kind == "impact") {
    out = c.impacts;
  } else if (kind == "urgency") {
    out = c.urgencies;
  } else if (kind == "priority") {
    out = c.priorities;
  } else if (kind == "channel") {
    out = c.channels;
  } else if (kind == "reason") {
    out = c.pending_reasons;
  } else if (kind == "status") {
    out = workflow::status_names();
  } else if (kind == "kb-state") {
    out = kb::state_names();
  } else if (kind == "kb-audience") {
    out = kb::audience_names();
  } else if (kind == "team") {
    for (const auto& t : c.teams) {
      out.push_back(t.name);
    }
  } else if (kind == "vendor") {
    for (const auto& v : c.vendors) {
      out.push_back(v.name);
    }
  } else if (kind == "member") {
    std::set<std::string> seen;
    for (const auto& t : c.teams) {
      for (const auto& m : t.members) {
        if (seen.insert(m).second) {
          out.push_back(m);
        }
      }
    }
  } else if (kind == "ticket") {
    if (repo) {
      query::Filter open_only;
      storage::Selection selection;
      selection.keep_brief = [&open_only](const TicketBrief& brief) { return open_only.matches_brief(brief); };
      selection.events = false;
      selection.fields = {"id"};
      std::vector<storage::LoadProblem> problems;
      for (const auto& t : repo->tickets().load_all(problems, selection)) {
        out.push_back(t.id());
      }
    }
  } else {
    throw UsageError(fmt::format("__complete: unknown kind '{}'", kind));
  }
  return out;
}

} // namespace

void register_companion_manual(CLI::App& app, std::string_view word)
{
  auto dir = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("__man", "Write this program's manual pages into DIR (for desk help --man)");
  cmd->group("");
  cmd->add_option("dir", *dir, "The folder")->required();
  cmd->callback([dir, &app, prefix = std::string(word)] {
    command_prefix() = prefix;
    std::error_code ec;
    std::filesystem::create_directories(*dir, ec);
    std::vector<const CLI::App*> cmds{&app};
    walk_commands(app, cmds);
    for (const CLI::App* c : cmds) {
      storage::write_file_atomic(std::filesystem::path(*dir) / (page_name(*c) + ".1"), command_page(*c));
    }
  });
}

void register_help(CLI::App& app, Globals& g)
{
  {
    struct HelpArgs {
      std::vector<std::string> words;
      bool man = false;
      std::string out_dir;
    };
    auto a = std::make_shared<HelpArgs>();
    CLI::App* cmd = app.add_subcommand("help", "Show a command's help, or its manual page (--man)");
    cmd->group(""); // not listed: `desk COMMAND --help` is the way users know
    cmd->add_option("command", a->words, "The command (several words for kb and import subcommands)")->type_name("COMMAND");
    cmd->add_flag("--man", a->man, "Print the manual page (roff) instead of the help");
    cmd->add_option("-o,--output", a->out_dir, "With --man and no command: write every page (desk.1, desk-open.1, ...) into DIR")
      ->type_name("DIR");
    cmd->callback([a, &app] {
      const CLI::App& target = find_command(app, a->words);
      if (!a->man) {
        out(target.help());
        return;
      }
      if (a->out_dir.empty()) {
        out(&target == &app ? main_page(app) : command_page(target));
        return;
      }
      if (!a->words.empty()) {
        throw UsageError("--output writes every page; give no command with it");
      }
      std::error_code ec;
      std::filesystem::create_directories(a->out_dir, ec);
      std::vector<const CLI::App*> cmds;
      walk_commands(app, cmds);
      storage::write_file_atomic(std::filesystem::path(a->out_dir) / "desk.1", main_page(app));
      for (const CLI::App* c : cmds) {
        storage::write_file_atomic(std::filesystem::path(a->out_dir) / (page_name(*c) + ".1"), command_page(*c));
      }
      write_companion_pages(a->out_dir); // their pages in place of the one-line ones above
    });
  }
  {
    auto shell = std::make_shared<std::string>();
    CLI::App* cmd = app.add_subcommand("completion", "Print the shell completion script: bash, zsh or fish");
    cmd->add_option("shell", *shell, "The shell")->required()->check(CLI::IsMember({"bash", "zsh", "fish"}));
    cmd->footer("Try it: source <(desk completion bash)   Install: see the README (installation).");
    cmd->callback([shell, &app] {
      out(*shell == "bash" ? bash_script(app) : *shell == "zsh" ? zsh_script(app) : fish_script(app));
    });
  }
  {
    auto kind = std::make_shared<std::string>();
    CLI::App* cmd = app.add_subcommand("__complete", "Candidates for the completion scripts, one a line");
    cmd->group("");
    cmd->add_option("kind", *kind, "category, type, impact, urgency, priority, channel, reason, status, team, "
                                   "member, vendor, ticket, kb-state or kb-audience")
      ->required();
    cmd->callback([kind, &g] {
      std::string text;
      for (const auto& v : candidates(g, *kind)) {
        text += v + "\n";
      }
      out(text);
    });
  }
  for (CLI::App* sub : {app.get_subcommand("help"), app.get_subcommand("completion"), app.get_subcommand("__complete")}) {
    add_global_options(sub, g);
  }
}

} // namespace desk::cli
