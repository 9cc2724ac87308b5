// compare_rates A.h5 B.h5 [C.h5 ...]: exits 0 if /rates and /time of every file are byte-for-byte equal to
// those of the first, 1 otherwise (printing the first difference).
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>

#include "cortexsim/io/h5_output.hpp"

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: compare_rates A.h5 B.h5 [more.h5 ...]\n");
        return 2;
    }
    try {
        for (const char* ds : {"/rates", "/time"}) {
            const auto ref = cortexsim::read_h5_bytes(argv[1], ds);
            if (ref.empty()) {
                std::fprintf(stderr, "%s: %s is empty\n", argv[1], ds);
                return 1;
            }
            for (int i = 2; i < argc; ++i) {
                const auto b = cortexsim::read_h5_bytes(argv[i], ds);
                if (b.size() != ref.size()) {
                    std::fprintf(stderr, "%s: %s has %zu bytes, %s has %zu\n", argv[i], ds, b.size(), argv[1],
                                 ref.size());
                    return 1;
                }
                if (std::memcmp(b.data(), ref.data(), b.size()) != 0) {
                    std::size_t k = 0;
                    while (b[k] == ref[k]) ++k;
                    std::fprintf(stderr, "%s: %s differs from %s at value %zu\n", argv[i], ds, argv[1],
                                 k / sizeof(double));
                    return 1;
                }
            }
            std::printf("%s: identical in %d files (%zu bytes each)\n", ds, argc - 1, ref.size());
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "compare_rates: %s\n", e.what());
        return 1;
    }
    return 0;
}
