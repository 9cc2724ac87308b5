// rates_sha256 OUT.h5 [DATASET]: prints the SHA-256 of the raw bytes of /rates (or DATASET) as stored
// (float64, little-endian), the number the byte contract of tests/byte_contract/rates_sha256.txt keeps.
#include <cstdio>
#include <exception>
#include <string>

#include "cortexsim/common/sha256.hpp"
#include "cortexsim/io/h5_read.hpp"

int main(int argc, char** argv) {
    if (argc < 2 || argc > 3) {
        std::fprintf(stderr, "usage: rates_sha256 OUT.h5 [DATASET]\n");
        return 2;
    }
    try {
        const auto bytes = cortexsim::read_h5_bytes(argv[1], argc == 3 ? argv[2] : "/rates");
        if (bytes.empty()) {
            std::fprintf(stderr, "rates_sha256: %s: empty dataset\n", argv[1]);
            return 1;
        }
        std::printf("%s\n", cortexsim::sha256::of(std::string(bytes.begin(), bytes.end())).c_str());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "rates_sha256: %s\n", e.what());
        return 1;
    }
    return 0;
}
