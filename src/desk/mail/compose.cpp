#include <desk/mail/compose.hpp>

#include <desk/util/process.hpp>
#include <desk/util/text.hpp>

#include <fmt/format.h>

#include <gmime/gmime.h>

#include <mutex>

namespace desk::mail {

namespace {

void gmime_init_for_compose()
{
  static std::once_flag once;
  std::call_once(once, [] { g_mime_init(); });
}

// One header line's worth: controls (CR, LF, NUL, ...) become spaces, runs collapse.
std::string header_safe(std::string_view s)
{
  return text::one_line(std::string(s));
}

std::string bracketed(std::string_view id)
{
  return "<" + header_safe(id) + ">";
}

GMimeTextPart* text_part(const std::string& body, const char* subtype)
{
  GMimeTextPart* part = g_mime_text_part_new_with_subtype(subtype);
  g_mime_text_part_set_charset(part, "utf-8");
  g_mime_text_part_set_text(part, body.c_str());
  g_mime_object_encode(GMIME_OBJECT(part), GMIME_ENCODING_CONSTRAINT_7BIT);
  return part;
}

} // namespace

std::string compose_mail(const OutgoingMail& m)
{
  gmime_init_for_compose();
  GMimeMessage* msg = g_mime_message_new(TRUE);
  g_mime_message_add_mailbox(msg, GMIME_ADDRESS_TYPE_FROM, header_safe(m.from.name).c_str(),
                             header_safe(m.from.address).c_str());
  if (!m.reply_to.address.empty()) {
    g_mime_message_add_mailbox(msg, GMIME_ADDRESS_TYPE_REPLY_TO, header_safe(m.reply_to.name).c_str(),
                               header_safe(m.reply_to.address).c_str());
  }
  for (const auto& to : m.to) {
    g_mime_message_add_mailbox(msg, GMIME_ADDRESS_TYPE_TO, header_safe(to.name).c_str(),
                               header_safe(to.address).c_str());
  }
  g_mime_message_set_subject(msg, header_safe(m.subject).c_str(), "utf-8");
  GDateTime* date = g_date_time_new_from_unix_utc(m.date.time_since_epoch().count());
  g_mime_message_set_date(msg, date);
  g_date_time_unref(date);
  g_mime_message_set_message_id(msg, header_safe(m.message_id).c_str());
  GMimeObject* obj = GMIME_OBJECT(msg);
  if (!m.in_reply_to.empty()) {
    g_mime_object_set_header(obj, "In-Reply-To", bracketed(m.in_reply_to).c_str(), nullptr);
  }
  if (!m.references.empty()) {
    std::string refs;
    for (const auto& r : m.references) {
      refs += (refs.empty() ? "" : " ") + bracketed(r);
    }
    g_mime_object_set_header(obj, "References", refs.c_str(), nullptr);
  }
  g_mime_object_set_header(obj, "Auto-Submitted", header_safe(m.auto_submitted).c_str(), nullptr);
  if (!m.x_loop.empty()) {
    g_mime_object_set_header(obj, "X-Loop", header_safe(m.x_loop).c_str(), nullptr);
  }
  // Out-of-office robots that honour these do not answer desk (RFC 3834, Exchange).
  g_mime_object_set_header(obj, "X-Auto-Response-Suppress", "All", nullptr);
  GMimeTextPart* plain = text_part(m.text, "plain");
  if (m.html.empty()) {
    g_mime_message_set_mime_part(msg, GMIME_OBJECT(plain));
  } else {
    GMimeMultipart* alt = g_mime_multipart_new_with_subtype("alternative");
    g_mime_multipart_add(alt, GMIME_OBJECT(plain));
    GMimeTextPart* html = text_part(m.html, "html");
    g_mime_multipart_add(alt, GMIME_OBJECT(html));
    g_object_unref(html);
    g_mime_message_set_mime_part(msg, GMIME_OBJECT(alt));
    g_object_unref(alt);
  }
  g_object_unref(plain);
  GMimeFormatOptions* options = g_mime_format_options_clone(g_mime_format_options_get_default());
  g_mime_format_options_set_newline_format(options, GMIME_NEWLINE_FORMAT_UNIX);
  gchar* bytes = g_mime_object_to_string(obj, options);
  std::string out = bytes ? bytes : "";
  g_free(bytes);
  g_mime_format_options_free(options);
  g_object_unref(msg);
  return out;
}

std::string deliver(const std::vector<std::string>& sendmail, const OutgoingMail& mail)
{
  if (sendmail.empty()) {
    return "mail.sendmail names no program";
  }
  const ProcessResult sent = run_process(sendmail, compose_mail(mail), std::chrono::seconds(60));
  if (sent.started && !sent.timed_out && sent.exit_code == 0) {
    return {};
  }
  std::string why = !sent.started  ? fmt::format("cannot run {}", sendmail.front())
                    : sent.timed_out ? std::string("sendmail took longer than 60 s")
                                     : fmt::format("{} exited with {}", sendmail.front(), sent.exit_code);
  const std::string err(text::trim(sent.err));
  if (!err.empty()) {
    why += ": " + text::one_line(err.substr(0, 300));
  }
  return why;
}

} // namespace desk::mail
