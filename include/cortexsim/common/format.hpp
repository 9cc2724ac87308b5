#pragma once
// Formatting numbers for messages and attributes.
#include <cstdio>
#include <cstdlib>
#include <string>

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

}  // namespace cortexsim
