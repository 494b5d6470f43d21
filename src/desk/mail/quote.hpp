#pragma once

#include <string>
#include <string_view>

namespace desk::mail {

// The new part of a reply: the text above the quoted history that mail programs append
// ("On … wrote:", "在 … 写道：", Outlook's "-----Original Message-----" and
// "From:/Sent:" or "发件人:/发送时间:" blocks, QQ Mail's "原始邮件" line, a trailing
// block of "> " lines). The whole text when nothing is quoted, or when cutting would
// leave nothing.
std::string cut_quoted_history(std::string_view body);

} // namespace desk::mail
