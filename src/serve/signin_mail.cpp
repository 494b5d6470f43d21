#include "serve/signin_mail.hpp"

#include <desk/mail/compose.hpp>
#include <desk/notify/notify.hpp>
#include <desk/util/error.hpp>

#include <fmt/format.h>

namespace desk::serve {

void mail_signin_link(const Config& config, const std::string& to, const std::string& subject,
                      const std::string& body, Timestamp now)
{
  if (config.mail.address.empty()) {
    throw UsageError("mail.address is not set: the portal cannot mail sign-in links",
                     "set mail.address and mail.sendmail in .desk/config.yaml (share/doc/mail.md), "
                     "or sign in through a proxy with serve.auth: header");
  }
  mail::OutgoingMail m;
  m.from = {config.mail.name, config.mail.address};
  m.to = {{"", to}};
  m.subject = subject;
  m.text = body;
  m.message_id = notify::make_message_id("signin", config.mail.address);
  m.auto_submitted = "auto-generated";
  m.x_loop = config.mail.address;
  m.date = now;
  if (const std::string why = mail::deliver(config.mail.sendmail, m); !why.empty()) {
    throw StorageError(fmt::format("the sign-in mail to {} was not sent: {}", to, why),
                       "check mail.sendmail in .desk/config.yaml, then try again");
  }
}

} // namespace desk::serve
