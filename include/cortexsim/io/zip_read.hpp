#pragma once
// Reading the members of a zip archive (stored or deflated, no ZIP64, no encryption) through zlib: enough for
// TVB's connectivity zips (docs/connectivity.md, "Importing a connectome"). No MPI.
#include <string>
#include <vector>

namespace cortexsim {

struct zip_member {
    std::string name;     // path inside the archive ("weights.txt", "conn76/weights.txt")
    std::string content;  // uncompressed bytes
};

/// Every file member of the archive (folders skipped), uncompressed. Throws data_error naming the file for
/// anything that is not a readable zip (no end-of-central-directory record, ZIP64, encryption, an unknown
/// compression method, a CRC mismatch).
std::vector<zip_member> read_zip(const std::string& path);

/// The member whose file name (without folders) is `name`, or nullptr.
const zip_member* find_zip_member(const std::vector<zip_member>& members, const std::string& name);

}  // namespace cortexsim
