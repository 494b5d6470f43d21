#pragma once

#include <desk/config/config.hpp>
#include <desk/util/time.hpp>

#include <string>

// The sign-in mail, sent through the mail channel: From mail.name <mail.address>, composed
// by the mail library (RFC 2047 headers, UTF-8 body) and handed to mail.sendmail.
namespace desk::serve {

// Mail `body` under `subject` to `to`. Throws UsageError when mail.address is not set (the
// portal cannot mail links then) and StorageError saying why when sendmail refuses it.
void mail_signin_link(const Config& config, const std::string& to, const std::string& subject,
                      const std::string& body, Timestamp now);

} // namespace desk::serve
