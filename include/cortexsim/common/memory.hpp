#pragma once
// Limits of sizes that come from the input (docs/config.md, "Limits"). Every allocation whose size is set by a
// config value or a data file is checked against the memory available before it is made, and the output file
// against the free space of its folder, so that a too large input ends with one line naming the key, the bytes
// needed and the bytes there are, not with std::bad_alloc, a kill by the kernel or a half-written file.
#include <cstdint>
#include <initializer_list>
#include <string>

namespace cortexsim {

/// Bytes of memory available to new allocations on this node: MemAvailable of /proc/meminfo (Linux), else
/// sysconf(_SC_AVPHYS_PAGES) x page size; 0 if neither is known (then check_allocation checks nothing).
std::uint64_t available_memory_bytes();

/// Free bytes of the file system holding `folder` for an unprivileged user (statvfs: f_bavail x f_frsize);
/// -1 if it cannot be found out (e.g. the folder does not exist).
double free_space_bytes(const std::string& folder);

/// A size for messages: "7.28 TiB (8000000002056 bytes)", "512 bytes".
std::string bytes_text(double bytes);

/// The product of `factors` (element counts and the element size) as a double: exact up to 2^53, never
/// overflowing (inf at worst), so that a size can be compared with a limit before it is computed in size_t.
double product_of(std::initializer_list<double> factors);

/// Throws config_error "<what> needs <bytes>, more than the memory available (<bytes>)" if `bytes` exceeds
/// available_memory_bytes() (or is not finite). `what` names the key(s) that set the size. Sizes up to 16 MiB
/// are not checked (no system call).
void check_allocation(double bytes, const std::string& what);

/// This process's resident set (VmRSS of /proc/self/status) and its peak since start-up or the last
/// reset_peak_resident() (VmHWM), in bytes; 0 where /proc is not there. For memory benchmarks and tests.
std::uint64_t resident_bytes();
std::uint64_t peak_resident_bytes();
/// Sets the peak to the current resident set (writes 5 to /proc/self/clear_refs, Linux >= 4.0); false if that is
/// not possible (then the peak keeps counting from start-up).
bool reset_peak_resident();

}  // namespace cortexsim
