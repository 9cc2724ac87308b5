#include "cortexsim/common/memory.hpp"

#include <sys/statvfs.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "cortexsim/common/errors.hpp"

namespace cortexsim {

std::uint64_t available_memory_bytes() {
    std::ifstream in("/proc/meminfo");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("MemAvailable:", 0) != 0) continue;
        std::istringstream s(line.substr(13));
        unsigned long long kib = 0;
        if (s >> kib) return static_cast<std::uint64_t>(kib) * 1024u;
    }
    const long pages = ::sysconf(_SC_AVPHYS_PAGES), page = ::sysconf(_SC_PAGESIZE);
    if (pages > 0 && page > 0) return static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page);
    return 0;
}

double free_space_bytes(const std::string& folder) {
    struct statvfs st {};
    if (::statvfs(folder.c_str(), &st) != 0) return -1.0;
    return static_cast<double>(st.f_bavail) * static_cast<double>(st.f_frsize);
}

std::string bytes_text(double bytes) {
    char buf[96];
    if (!std::isfinite(bytes)) return "more than 2^1024 bytes";
    if (bytes < 1024.0) {
        std::snprintf(buf, sizeof buf, "%.0f bytes", bytes);
        return buf;
    }
    static const char* const units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"};
    double v = bytes / 1024.0;
    std::size_t u = 0;
    while (v >= 1024.0 && u + 1 < sizeof units / sizeof *units) {
        v /= 1024.0;
        ++u;
    }
    if (bytes < 9007199254740992.0)  // 2^53: the count is exact
        std::snprintf(buf, sizeof buf, "%.3g %s (%.0f bytes)", v, units[u], bytes);
    else
        std::snprintf(buf, sizeof buf, "%.3g %s (%.3g bytes)", v, units[u], bytes);
    return buf;
}

double product_of(std::initializer_list<double> factors) {
    double p = 1.0;
    for (double f : factors) p *= f;
    return p;
}

void check_allocation(double bytes, const std::string& what) {
    if (bytes <= 16.0 * 1024.0 * 1024.0) return;  // small: not worth reading /proc/meminfo
    const std::uint64_t avail = available_memory_bytes();
    if (avail == 0 && std::isfinite(bytes)) return;  // unknown: nothing to compare with
    if (!(bytes <= static_cast<double>(avail)))
        throw config_error(what + " needs " + bytes_text(bytes) + ", more than the memory available (" +
                           bytes_text(static_cast<double>(avail)) + ")");
}

namespace {
std::uint64_t status_kib(const char* key) {
    std::ifstream in("/proc/self/status");
    std::string line;
    const std::string k(key);
    while (std::getline(in, line)) {
        if (line.rfind(k, 0) != 0) continue;
        std::istringstream s(line.substr(k.size()));
        unsigned long long kib = 0;
        if (s >> kib) return static_cast<std::uint64_t>(kib);
    }
    return 0;
}
}  // namespace

std::uint64_t resident_bytes() { return status_kib("VmRSS:") * 1024u; }
std::uint64_t peak_resident_bytes() { return status_kib("VmHWM:") * 1024u; }

bool reset_peak_resident() {
    std::ofstream out("/proc/self/clear_refs");
    if (!out) return false;
    out << "5";
    out.flush();
    return static_cast<bool>(out);
}

}  // namespace cortexsim
