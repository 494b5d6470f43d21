#pragma once

#include <desk/mail/message.hpp>

#include <string>

namespace desk::mail {

// Who sent a mail, as far as answering it goes (RFC 3834).
enum class SenderKind {
  person, // answer as usual
  list,   // mailing-list traffic (Precedence: list, List-Id): recorded, never answered
  robot,  // an automatic answer, a bounce or a receipt: recorded, never answered
};

// The kind and the header that decided it ("Auto-Submitted: auto-replied").
struct SenderVerdict {
  SenderKind kind = SenderKind::person;
  std::string reason; // empty for a person
};

// Classify by the headers RFC 3834 and the big mail programs use: Auto-Submitted other than
// "no", Precedence bulk/junk/list/auto_reply, X-Autoreply, X-Autorespond,
// X-Auto-Response-Suppress, X-Apple-Action, an empty Return-Path, MAILER-DAEMON or
// postmaster senders, multipart/report (delivery status, read receipts).
SenderVerdict classify_sender(const ParsedMail& mail);

} // namespace desk::mail
