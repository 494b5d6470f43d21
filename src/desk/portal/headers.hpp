#pragma once

#include <string>
#include <string_view>
#include <vector>

// The request headers the portal reads itself (the HTTP library reads the rest): cookies
// and Accept-Language. Any bytes are valid input; nothing here throws.
namespace desk::portal {

// The value of cookie `name` in one Cookie header ("a=1; b=2"); empty when absent. The
// first of several with that name wins, as browsers send the most specific path first.
std::string cookie_value(std::string_view header, std::string_view name);

// The first of `offered` (primary tags such as "en", "zh"; not empty) that the
// Accept-Language header asks for with the highest q-value (RFC 9110 12.5.4: "zh-CN,
// zh;q=0.9, en;q=0.8"); the first offered when none is asked for. A q-value that is not a
// number from 0 to 1 counts as 0 (refused).
std::string pick_language(std::string_view accept_language, const std::vector<std::string>& offered);

} // namespace desk::portal
