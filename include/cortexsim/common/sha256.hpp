#pragma once
// SHA-256 (FIPS 180-4), for data-file provenance and checkpoint checksums.
#include <cstddef>
#include <cstdint>
#include <string>

namespace cortexsim {

class sha256 {
public:
    sha256();
    void update(const void* data, std::size_t n);
    void update(const std::string& s) { update(s.data(), s.size()); }
    /// Finishes and returns the digest as 64 lower-case hex digits. The object is then reset.
    std::string hex();

    static std::string of(const std::string& s) {
        sha256 h;
        h.update(s);
        return h.hex();
    }

private:
    void block(const unsigned char* p);
    std::uint32_t h_[8];
    unsigned char buf_[64];
    std::size_t used_ = 0;
    std::uint64_t bytes_ = 0;
};

/// SHA-256 of a file's content; throws data_error if it cannot be read.
std::string sha256_file(const std::string& path);

}  // namespace cortexsim
