#include "mail/commands.hpp"

#include <desk/mail/message.hpp>
#include <desk/mail/quote.hpp>
#include <desk/mail/robot.hpp>
#include <desk/util/error.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <iostream>
#include <iterator>

namespace desk::mail_cli {

namespace {

std::string read_input(const std::string& file)
{
  if (file.empty() || file == "-") {
    return std::string{std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    throw NotFoundError(fmt::format("cannot read {}", file), "give the path of one message file (.eml)");
  }
  return std::string{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

} // namespace

void add_parse_command(CLI::App& app)
{
  auto* cmd = app.add_subcommand("parse", "Show how desk reads one message (decoded headers, text, attachments) as JSON");
  static std::string file;
  static std::size_t limit = 25 * 1024 * 1024;
  cmd->add_option("file", file, "The message (.eml); standard input when absent or -");
  cmd->add_option("--max-attachment-bytes", limit, "Attachments larger than this are listed but not kept");
  cmd->callback([] {
    const std::string raw = read_input(file);
    const mail::ParsedMail m = mail::parse_mail(raw, limit);
    const mail::SenderVerdict v = mail::classify_sender(m);
    nlohmann::json j;
    j["message_id"] = m.message_id;
    j["in_reply_to"] = m.in_reply_to;
    j["references"] = m.references;
    j["from_address"] = m.from_address;
    j["from_name"] = m.from_name;
    j["recipients"] = m.recipients;
    j["subject"] = m.subject;
    j["content_type"] = m.content_type;
    j["text"] = m.text;
    j["new_text"] = mail::cut_quoted_history(m.text);
    j["html_only"] = m.html_only;
    j["sender"] = v.kind == mail::SenderKind::person ? "person" : v.kind == mail::SenderKind::list ? "list" : "robot";
    j["sender_reason"] = v.reason;
    j["notes"] = m.notes;
    auto& atts = j["attachments"] = nlohmann::json::array();
    for (const auto& a : m.attachments) {
      atts.push_back({{"name", a.name}, {"content_type", a.content_type}, {"size", a.size}, {"kept", !a.over_limit}});
    }
    fmt::print("{}\n", j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
  });
}

} // namespace desk::mail_cli
