#pragma once
// Private to the io layer (rnn weights files): reading scalar attributes of an HDF5 object with one-line errors
// naming the file and the attribute. Defined in src/io/rnn_weights.cpp.
#include <hdf5.h>

#include <string>
#include <vector>

namespace cortexsim::rnn::detail {

/// The weights file's format name and version (root attributes format, format_version).
inline const char* const format_name = "cortexsim-rnn-weights";
constexpr int format_version = 1;

/// A scalar string attribute (fixed or variable length); `found` false if absent.
std::string read_string_attribute(hid_t obj, const std::string& name, const std::string& path, bool& found);
/// A scalar numeric attribute as double; `found` false if absent (then NaN).
double read_number_attribute(hid_t obj, const std::string& name, const std::string& path, bool& found);
/// "3 x 4", "7" or "scalar".
std::string shape_text(const std::vector<hsize_t>& dims);

}  // namespace cortexsim::rnn::detail
