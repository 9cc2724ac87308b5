#pragma once
// Formatting numbers and echoed input text for messages and attributes.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace cortexsim {

/// The shortest of %.15g, %.16g, %.17g that reads back as v (so a message or attribute round-trips exactly).
inline std::string shortest_text(double v) {
    char buf[40];
    for (int prec = 15; prec <= 17; ++prec) {
        std::snprintf(buf, sizeof buf, "%.*g", prec, v);
        if (std::strtod(buf, nullptr) == v) break;
    }
    return buf;
}

/// Input text (a config value, a CSV cell, a name) as it may be echoed in a one-line message: printable ASCII
/// stays as it is; a newline, carriage return or tab becomes \n, \r, \t and every other byte (control
/// characters, DEL, bytes >= 0x80 such as UTF-8 or binary garbage) becomes \xHH. At most `max_bytes` bytes of
/// the input are shown, then "... (N bytes)".
inline std::string printable(std::string_view s, std::size_t max_bytes = 200) {
    static const char hex[] = "0123456789abcdef";
    std::string out;
    const std::size_t n = s.size() < max_bytes ? s.size() : max_bytes;
    out.reserve(n + 8);
    for (std::size_t i = 0; i < n; ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x20 && c < 0x7f) {
            out += static_cast<char>(c);
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c == '\t') {
            out += "\\t";
        } else {
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    if (n < s.size()) out += "... (" + std::to_string(s.size()) + " bytes)";
    return out;
}

}  // namespace cortexsim
