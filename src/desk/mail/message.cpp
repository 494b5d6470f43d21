#include <desk/mail/message.hpp>

#include <desk/mail/charset.hpp>
#include <desk/mail/html_text.hpp>
#include <desk/util/text.hpp>

#include <fmt/format.h>

#include <gmime/gmime.h>

#include <mutex>

namespace desk::mail {

namespace {

void gmime_init_once()
{
  static std::once_flag once;
  std::call_once(once, [] { g_mime_init(); });
}

// GObject references released at the end of a scope.
template <class T>
struct GRef {
  T* p = nullptr;
  explicit GRef(T* ptr) : p(ptr) {}
  GRef(const GRef&) = delete;
  GRef& operator=(const GRef&) = delete;
  ~GRef()
  {
    if (p) {
      g_object_unref(p);
    }
  }
};

std::string lower(std::string_view s) { return text::ascii_lower(s); }

// Message ids of a header value: every <...> token, without the brackets.
std::vector<std::string> message_ids_in(std::string_view v)
{
  std::vector<std::string> ids;
  std::size_t pos = 0;
  while ((pos = v.find('<', pos)) != std::string_view::npos) {
    const std::size_t end = v.find('>', pos + 1);
    if (end == std::string_view::npos) {
      break;
    }
    std::string id(text::trim(v.substr(pos + 1, end - pos - 1)));
    if (!id.empty() && id.find_first_of(" \t\r\n<") == std::string::npos) {
      ids.push_back(std::move(id));
    }
    pos = end + 1;
  }
  if (ids.empty()) { // some clients write the id without brackets
    const std::string bare(text::trim(v));
    if (!bare.empty() && bare.find('@') != std::string::npos && bare.find_first_of(" \t<>") == std::string::npos) {
      ids.push_back(bare);
    }
  }
  return ids;
}

// Remove RFC 5322 comments (parenthesised) outside quoted strings.
std::string drop_comments(std::string_view s)
{
  std::string out;
  int depth = 0;
  bool quoted = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (quoted) {
      out += c;
      if (c == '\\' && i + 1 < s.size()) {
        out += s[++i];
      } else if (c == '"') {
        quoted = false;
      }
      continue;
    }
    if (c == '"' && depth == 0) {
      quoted = true;
      out += c;
    } else if (c == '(') {
      ++depth;
    } else if (c == ')' && depth > 0) {
      --depth;
    } else if (depth == 0) {
      out += c;
    }
  }
  return out;
}

std::string unquote(std::string_view s)
{
  s = text::trim(s);
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '"') {
      continue;
    }
    if (s[i] == '\\' && i + 1 < s.size()) {
      out += s[++i];
      continue;
    }
    out += s[i];
  }
  return std::string(text::trim(out));
}

// Name and address of a From-like header value (raw bytes; `fallback` for raw 8-bit).
std::pair<std::string, std::string> parse_mailbox(std::string_view raw, std::string_view fallback)
{
  const std::string v = drop_comments(raw);
  const std::size_t lt = v.rfind('<');
  const std::size_t gt = lt == std::string::npos ? std::string::npos : v.find('>', lt);
  std::string name;
  std::string address;
  if (lt != std::string::npos && gt != std::string::npos) {
    address = std::string(text::trim(std::string_view(v).substr(lt + 1, gt - lt - 1)));
    name = decode_header_text(unquote(std::string_view(v).substr(0, lt)), fallback);
  } else {
    const std::string t(text::trim(v));
    if (t.find('@') != std::string::npos && t.find_first_of(" \t") == std::string::npos) {
      address = t;
    } else {
      name = decode_header_text(unquote(t), fallback);
    }
  }
  if (address.find('@') == std::string::npos || address.find_first_of(" \t\r\n\"<>,;") != std::string::npos) {
    address.clear();
  }
  if (!name.empty() && name.front() == '\'' && name.back() == '\'' && name.size() >= 2) {
    name = name.substr(1, name.size() - 2);
  }
  return {decode_header_text(name), lower(address)};
}

std::string unfold(std::string_view raw)
{
  std::string out;
  for (char c : raw) {
    if (c == '\r' || c == '\n') {
      continue;
    }
    out += c;
  }
  return std::string(text::trim(out));
}

std::string bytes_of(GMimeDataWrapper* content)
{
  if (!content) {
    return {};
  }
  GRef<GMimeStream> mem(g_mime_stream_mem_new());
  g_mime_data_wrapper_write_to_stream(content, mem.p);
  GByteArray* array = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem.p));
  return std::string(reinterpret_cast<const char*>(array->data), array->len);
}

// The parameters of a header value as written: (name, value) with quotes removed.
std::vector<std::pair<std::string, std::string>> raw_parameters(const std::string& value)
{
  std::vector<std::pair<std::string, std::string>> out;
  std::size_t pos = value.find(';');
  while (pos != std::string::npos && pos < value.size()) {
    ++pos;
    while (pos < value.size() && (value[pos] == ' ' || value[pos] == '\t')) {
      ++pos;
    }
    const std::size_t eq = value.find('=', pos);
    if (eq == std::string::npos) {
      break;
    }
    std::string name = lower(text::trim(std::string_view(value).substr(pos, eq - pos)));
    std::size_t v = eq + 1;
    std::string val;
    if (v < value.size() && value[v] == '"') {
      ++v;
      while (v < value.size() && value[v] != '"') {
        if (value[v] == '\\' && v + 1 < value.size()) {
          ++v;
        }
        val += value[v++];
      }
      pos = value.find(';', v);
    } else {
      const std::size_t semi = value.find(';', v);
      val = std::string(text::trim(std::string_view(value).substr(v, semi == std::string::npos ? std::string::npos : semi - v)));
      pos = semi;
    }
    out.emplace_back(std::move(name), std::move(val));
  }
  return out;
}

std::string percent_decode(std::string_view s)
{
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// RFC 2231 "charset'lang'%XX..." to UTF-8.
std::string rfc2231_value(const std::string& v)
{
  const std::size_t q1 = v.find('\'');
  const std::size_t q2 = q1 == std::string::npos ? std::string::npos : v.find('\'', q1 + 1);
  if (q2 == std::string::npos) {
    return decode_charset(percent_decode(v), "").text;
  }
  return decode_charset(percent_decode(v.substr(q2 + 1)), v.substr(0, q1)).text;
}

// Parameter `param` of header `header`, by RFC 2231's and the big clients' precedence:
// param* (extended), then param (with encoded words decoded), then param*0, param*1, ...
std::string raw_parameter(GMimeObject* object, const char* header, const std::string& param)
{
  GMimeHeaderList* list = g_mime_object_get_header_list(object);
  GMimeHeader* h = list ? g_mime_header_list_get_header(list, header) : nullptr;
  const char* raw = h ? g_mime_header_get_raw_value(h) : nullptr;
  if (!raw) {
    return {};
  }
  const auto params = raw_parameters(unfold(raw));
  for (const auto& [k, v] : params) {
    if (k == param + "*") {
      return rfc2231_value(v);
    }
  }
  for (const auto& [k, v] : params) {
    if (k == param) {
      return decode_header_text(v);
    }
  }
  std::string joined;
  std::string charset;
  bool any = false;
  for (int i = 0; i < 100; ++i) {
    bool found = false;
    for (const auto& [k, v] : params) {
      const std::string plain = param + "*" + std::to_string(i);
      if (k == plain) {
        joined += v;
        found = true;
      } else if (k == plain + "*") {
        std::string part = v;
        if (i == 0) {
          const std::size_t q1 = part.find('\'');
          const std::size_t q2 = q1 == std::string::npos ? std::string::npos : part.find('\'', q1 + 1);
          if (q2 != std::string::npos) {
            charset = part.substr(0, q1);
            part = part.substr(q2 + 1);
          }
        }
        joined += percent_decode(part);
        found = true;
      }
    }
    if (!found) {
      break;
    }
    any = true;
  }
  if (!any) {
    return {};
  }
  return decode_charset(joined, charset).text;
}

struct Walker {
  std::size_t limit;
  ParsedMail& mail;
  std::string plain;
  std::string html;
  bool in_report = false;

  void note(std::string n)
  {
    for (const auto& existing : mail.notes) {
      if (existing == n) {
        return;
      }
    }
    mail.notes.push_back(std::move(n));
  }

  void attachment(std::string name, std::string type, std::string bytes)
  {
    MailAttachment a;
    a.name = safe_file_name(name);
    a.content_type = std::move(type);
    a.size = bytes.size();
    if (bytes.size() > limit) {
      a.over_limit = true;
      note(fmt::format("the attachment {} ({} bytes) is larger than the limit of {} bytes and was not kept", a.name,
                       a.size, limit));
    } else {
      a.bytes = std::move(bytes);
    }
    mail.attachments.push_back(std::move(a));
  }

  void text_part(GMimePart* part, bool is_html)
  {
    const char* cs = g_mime_object_get_content_type_parameter(GMIME_OBJECT(part), "charset");
    std::string raw = bytes_of(g_mime_part_get_content(part));
    if (g_mime_part_get_content_encoding(part) == GMIME_CONTENT_ENCODING_BASE64) {
      check_base64(part);
    }
    DecodedText d = decode_charset(raw, cs ? cs : "");
    if (!d.note.empty()) {
      note(d.note);
    }
    std::string& into = is_html ? html : plain;
    if (!into.empty() && into.back() != '\n') {
      into += '\n';
    }
    into += d.text;
  }

  void check_base64(GMimePart* part)
  {
    GMimeDataWrapper* content = g_mime_part_get_content(part);
    if (!content) {
      return;
    }
    GMimeStream* stream = g_mime_data_wrapper_get_stream(content);
    if (!stream) {
      return;
    }
    GRef<GMimeStream> mem(g_mime_stream_mem_new());
    g_mime_stream_reset(stream);
    g_mime_stream_write_to_stream(stream, mem.p);
    g_mime_stream_reset(stream);
    GByteArray* array = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem.p));
    std::size_t significant = 0;
    for (guint i = 0; i < array->len; ++i) {
      const char c = static_cast<char>(array->data[i]);
      if (std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/') {
        ++significant;
      } else if (c != '=' && c != '\r' && c != '\n' && c != ' ' && c != '\t') {
        note("a base64 part holds characters that are not base64; they were skipped");
        return;
      }
    }
    if (significant % 4 == 1) {
      note("a base64 part is cut short; its last bytes could not be read");
    }
  }

  void walk(GMimeObject* object, int depth)
  {
    if (depth > 40) {
      note("the message nests parts too deeply; the innermost parts were not read");
      return;
    }
    if (GMIME_IS_MULTIPART(object)) {
      GMimeMultipart* mp = GMIME_MULTIPART(object);
      GMimeContentType* ct = g_mime_object_get_content_type(object);
      const bool alternative = ct && g_mime_content_type_is_type(ct, "multipart", "alternative");
      const int n = g_mime_multipart_get_count(mp);
      if (ct && g_mime_content_type_is_type(ct, "multipart", "report")) {
        in_report = true;
      }
      if (alternative) {
        // The plain text when there is one, else the richest other.
        GMimeObject* chosen = nullptr;
        for (int i = 0; i < n; ++i) {
          GMimeObject* child = g_mime_multipart_get_part(mp, i);
          GMimeContentType* cct = g_mime_object_get_content_type(child);
          if (cct && g_mime_content_type_is_type(cct, "text", "plain")) {
            chosen = child;
          }
        }
        if (chosen) {
          walk(chosen, depth + 1);
          return;
        }
        for (int i = 0; i < n; ++i) {
          walk(g_mime_multipart_get_part(mp, i), depth + 1);
        }
        return;
      }
      for (int i = 0; i < n; ++i) {
        walk(g_mime_multipart_get_part(mp, i), depth + 1);
      }
      return;
    }
    if (GMIME_IS_MESSAGE_PART(object)) {
      if (in_report) {
        return; // the returned message of a bounce: kept in the original, not as a file
      }
      GMimeMessage* inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(object));
      if (!inner) {
        return;
      }
      GRef<GMimeStream> mem(g_mime_stream_mem_new());
      g_mime_object_write_to_stream(GMIME_OBJECT(inner), nullptr, mem.p);
      GByteArray* array = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem.p));
      const char* subject = g_mime_message_get_subject(inner);
      std::string name = subject && *subject ? std::string(subject) + ".eml" : std::string("message.eml");
      attachment(name, "message/rfc822", std::string(reinterpret_cast<const char*>(array->data), array->len));
      return;
    }
    if (!GMIME_IS_PART(object)) {
      return;
    }
    GMimePart* part = GMIME_PART(object);
    GMimeContentType* ct = g_mime_object_get_content_type(object);
    const char* filename = g_mime_part_get_filename(part);
    const char* disposition = g_mime_object_get_disposition(object);
    const bool is_attachment = (filename && *filename) ||
                               (disposition && lower(disposition) == "attachment");
    const bool is_text = ct && g_mime_content_type_is_type(ct, "text", "*");
    if (!is_attachment && is_text) {
      const bool is_html = g_mime_content_type_is_type(ct, "text", "html");
      const bool readable = is_html || g_mime_content_type_is_type(ct, "text", "plain") ||
                            g_mime_content_type_is_type(ct, "text", "enriched") ||
                            g_mime_content_type_is_type(ct, "text", "rfc822-headers");
      if (readable) {
        text_part(part, is_html);
        return;
      }
    }
    if (!is_attachment && ct && g_mime_content_type_is_type(ct, "message", "*")) {
      text_part(part, false); // delivery-status, disposition-notification: readable text
      return;
    }
    std::string type = "application/octet-stream";
    if (ct) {
      gchar* mime = g_mime_content_type_get_mime_type(ct);
      type = lower(mime);
      g_free(mime);
    }
    std::string name = raw_parameter(object, "Content-Disposition", "filename");
    if (name.empty()) {
      name = raw_parameter(object, "Content-Type", "name");
    }
    if (name.empty() && filename) {
      name = filename;
    }
    if (!name.empty() && !text::is_valid_utf8(name)) {
      name = decode_header_text(name);
    }
    if (name.empty()) {
      const char* sub = ct ? g_mime_content_type_get_media_subtype(ct) : nullptr;
      name = fmt::format("attachment-{}.{}", mail.attachments.size() + 1, sub ? lower(sub) : "bin");
    }
    attachment(name, type, bytes_of(g_mime_part_get_content(part)));
  }
};

// The charset of the first text part, for headers written in raw 8-bit.
std::string first_charset(GMimeObject* object, int depth = 0)
{
  if (!object || depth > 40) {
    return {};
  }
  if (GMIME_IS_MULTIPART(object)) {
    const int n = g_mime_multipart_get_count(GMIME_MULTIPART(object));
    for (int i = 0; i < n; ++i) {
      std::string cs = first_charset(g_mime_multipart_get_part(GMIME_MULTIPART(object), i), depth + 1);
      if (!cs.empty()) {
        return cs;
      }
    }
    return {};
  }
  const char* cs = g_mime_object_get_content_type_parameter(object, "charset");
  return cs ? std::string(cs) : std::string();
}

std::string normalise_line_ends(std::string_view raw)
{
  std::string s(raw);
  if (s.rfind("From ", 0) == 0) { // an mbox separator line
    const std::size_t nl = s.find('\n');
    s.erase(0, nl == std::string::npos ? s.size() : nl + 1);
  }
  if (s.find('\n') == std::string::npos && s.find('\r') != std::string::npos) {
    for (auto& c : s) {
      if (c == '\r') {
        c = '\n';
      }
    }
  } else if (s.find("\r\r") != std::string::npos || (s.find('\r') != std::string::npos && s.find("\r\n") == std::string::npos)) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '\r' && (i + 1 >= s.size() || s[i + 1] != '\n')) {
        out += '\n';
      } else {
        out += s[i];
      }
    }
    s = std::move(out);
  }
  return s;
}

} // namespace

std::string ParsedMail::header(std::string_view name) const
{
  const std::string want = lower(name);
  for (const auto& [n, v] : headers) {
    if (lower(n) == want) {
      return v;
    }
  }
  return {};
}

bool ParsedMail::has_header(std::string_view name) const
{
  const std::string want = lower(name);
  for (const auto& h : headers) {
    if (lower(h.first) == want) {
      return true;
    }
  }
  return false;
}

std::string safe_file_name(std::string_view name)
{
  std::string_view base = name;
  if (const std::size_t slash = base.find_last_of("/\\"); slash != std::string_view::npos) {
    base = base.substr(slash + 1);
  }
  std::string out;
  bool space = false;
  const std::string valid = text::is_valid_utf8(base) ? std::string(base) : decode_charset(base, "").text;
  for (char32_t cp : text::decode(valid)) {
    if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0) || cp == 0x2028 || cp == 0x2029 ||
        (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFEFF || cp == ':' ||
        cp == '*' || cp == '?' || cp == '"' || cp == '<' || cp == '>' || cp == '|') {
      space = !out.empty();
      continue;
    }
    if (cp == ' ' || cp == '\t') {
      space = !out.empty();
      continue;
    }
    if (space) {
      out += ' ';
      space = false;
    }
    text::append_utf8(out, cp);
  }
  while (!out.empty() && (out.front() == '.' || out.front() == ' ' || out.front() == '-')) {
    out.erase(0, 1);
  }
  while (!out.empty() && (out.back() == '.' || out.back() == ' ')) {
    out.pop_back();
  }
  if (out.empty()) {
    return "attachment";
  }
  return out;
}

ParsedMail parse_mail(std::string_view raw_in, std::size_t max_attachment_bytes)
{
  gmime_init_once();
  ParsedMail mail;
  const std::string raw = normalise_line_ends(raw_in);
  GRef<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(raw.data(), raw.size()));
  GRef<GMimeParser> parser(g_mime_parser_new_with_stream(stream.p));
  g_mime_parser_set_format(parser.p, GMIME_FORMAT_MESSAGE);
  GMimeParserOptions* options = g_mime_parser_options_new();
  g_mime_parser_options_set_rfc2047_compliance_mode(options, GMIME_RFC_COMPLIANCE_LOOSE);
  g_mime_parser_options_set_address_compliance_mode(options, GMIME_RFC_COMPLIANCE_LOOSE);
  g_mime_parser_options_set_parameter_compliance_mode(options, GMIME_RFC_COMPLIANCE_LOOSE);
  const char* fallback[] = {"UTF-8", "GB18030", "windows-1252", nullptr};
  g_mime_parser_options_set_fallback_charsets(options, fallback);
  GMimeMessage* message = g_mime_parser_construct_message(parser.p, options);
  if (!message) {
    g_mime_parser_options_free(options);
    mail.notes.push_back("the message has no readable header; it was kept as it came");
    mail.text = decode_charset(raw, "").text;
    return mail;
  }
  GRef<GMimeMessage> message_ref(message);
  GMimeObject* body = g_mime_message_get_mime_part(message);
  const std::string body_charset = first_charset(body);

  GMimeHeaderList* list = g_mime_object_get_header_list(GMIME_OBJECT(message));
  const int count = g_mime_header_list_get_count(list);
  for (int i = 0; i < count; ++i) {
    GMimeHeader* h = g_mime_header_list_get_header_at(list, i);
    const char* name = g_mime_header_get_name(h);
    const char* value = g_mime_header_get_raw_value(h);
    mail.headers.emplace_back(name ? name : "", unfold(value ? value : ""));
  }
  mail.subject = decode_header_text(mail.header("Subject"), body_charset);
  if (const std::string from = mail.header("From"); !from.empty()) {
    std::tie(mail.from_name, mail.from_address) = parse_mailbox(from, body_charset);
  }
  if (auto ids = message_ids_in(mail.header("Message-ID")); !ids.empty()) {
    mail.message_id = ids.front();
  }
  if (auto ids = message_ids_in(mail.header("In-Reply-To")); !ids.empty()) {
    mail.in_reply_to = ids.front();
  }
  mail.references = message_ids_in(mail.header("References"));
  mail.date = mail.header("Date");
  for (auto type : {GMIME_ADDRESS_TYPE_TO, GMIME_ADDRESS_TYPE_CC}) {
    InternetAddressList* addresses = g_mime_message_get_addresses(message, type);
    const int n = addresses ? internet_address_list_length(addresses) : 0;
    for (int i = 0; i < n; ++i) {
      InternetAddress* a = internet_address_list_get_address(addresses, i);
      if (INTERNET_ADDRESS_IS_MAILBOX(a)) {
        const char* addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(a));
        if (addr && *addr) {
          mail.recipients.push_back(lower(addr));
        }
      }
    }
  }
  if (body) {
    if (GMimeContentType* ct = g_mime_object_get_content_type(body)) {
      gchar* mime = g_mime_content_type_get_mime_type(ct);
      mail.content_type = lower(mime);
      g_free(mime);
    }
    Walker walker{max_attachment_bytes, mail, {}, {}, false};
    walker.walk(body, 0);
    if (!text::trim(walker.plain).empty()) {
      mail.text = std::string(text::trim(walker.plain));
    } else if (!walker.html.empty()) {
      mail.text = html_to_text(walker.html);
      mail.html_only = true;
    }
  }
  g_mime_parser_options_free(options);
  // Normalise line ends of the text.
  std::string clean;
  clean.reserve(mail.text.size());
  for (std::size_t i = 0; i < mail.text.size(); ++i) {
    if (mail.text[i] == '\r') {
      if (i + 1 < mail.text.size() && mail.text[i + 1] == '\n') {
        continue;
      }
      clean += '\n';
      continue;
    }
    if (mail.text[i] == '\0') {
      continue;
    }
    clean += mail.text[i];
  }
  mail.text = std::move(clean);
  return mail;
}

} // namespace desk::mail
