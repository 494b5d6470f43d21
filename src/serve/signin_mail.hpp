#pragma once

#include <desk/config/config.hpp>

#include <string>

// The sign-in mail: a plain UTF-8 message with RFC 2047 headers, piped to the configured
// sendmail program (an argv, never a shell).
namespace desk::serve {

// The message text (headers and body) carrying `link` to `to`.
std::string signin_message(const Config& config, const std::string& to, const std::string& subject,
                           const std::string& body, const std::string& message_id_host);

// Hand the message to serve.sendmail; throws StorageError with its error output when it fails.
void send_mail(const Config& config, const std::string& message);

// An RFC 2047 encoded-word (base64, UTF-8) for a header text that is not plain ASCII.
std::string encode_header_text(const std::string& text);

} // namespace desk::serve
