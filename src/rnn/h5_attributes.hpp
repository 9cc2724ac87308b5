#pragma once
// Private to cortexsim (rnn weights files): reading scalar attributes of an HDF5 object with one-line errors
// naming the file and the attribute. Defined in src/rnn/weights.cpp; also used by the rnn circuit's
// row-by-row reader (src/dynamics/circuits/rnn.cpp).
#include <hdf5.h>

#include <string>
#include <vector>

namespace cortexsim::rnn::detail {

/// A scalar string attribute (fixed or variable length); `found` false if absent.
std::string read_string_attribute(hid_t obj, const std::string& name, const std::string& path, bool& found);
/// A scalar numeric attribute as double; `found` false if absent (then NaN).
double read_number_attribute(hid_t obj, const std::string& name, const std::string& path, bool& found);
/// "3 x 4", "7" or "scalar".
std::string shape_text(const std::vector<hsize_t>& dims);

}  // namespace cortexsim::rnn::detail
