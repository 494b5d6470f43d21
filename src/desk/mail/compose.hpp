#pragma once

#include <desk/util/time.hpp>

#include <string>
#include <vector>

// Mail out: one message in RFC 5322 form, ready for the sendmail interface.
namespace desk::mail {

// A name and an address.
struct Mailbox {
  std::string name; // UTF-8; RFC 2047-encoded in the header when not ASCII
  std::string address;
};

// What desk writes.
struct OutgoingMail {
  Mailbox from;
  Mailbox reply_to;              // empty address: none
  std::vector<Mailbox> to;
  std::string subject;           // UTF-8, one line (line breaks become spaces)
  std::string text;              // the plain-text body (UTF-8)
  std::string html;              // optional HTML alternative
  std::string message_id;        // without angle brackets
  std::string in_reply_to;       // without angle brackets; may be empty
  std::vector<std::string> references; // without angle brackets, oldest first
  std::string auto_submitted = "auto-generated"; // or "auto-replied" (acknowledgements)
  std::string x_loop;            // desk's address: a mail carrying it back is desk's own
  Timestamp date{};
};

// The message as bytes (CRLF-free, for `sendmail -t`): headers encoded per RFC 2047,
// bodies in UTF-8 (quoted-printable or base64, whichever is shorter), multipart/alternative
// when an HTML body is given. Header values cannot carry line breaks (no injection).
std::string compose_mail(const OutgoingMail& mail);

// Hand `mail` to the sendmail program `sendmail` (an argv, run without a shell, at most 60 s).
// Returns "" when it took the message, else why not ("… exited with 75: <its error output>").
std::string deliver(const std::vector<std::string>& sendmail, const OutgoingMail& mail);

} // namespace desk::mail
