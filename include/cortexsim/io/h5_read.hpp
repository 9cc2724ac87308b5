#pragma once
// Serial reading of HDF5 files (outputs, input matrices and vectors). Part of the io layer, the one place
// that includes HDF5; usable without MPI.
#include <string>
#include <utility>
#include <vector>

namespace cortexsim {

/// Whether `path` names a dataset of the file (false for a missing path or a group).
bool h5_has_dataset(const std::string& file, const std::string& path);
/// Serial reading (for tests, tools and replay): a float64 dataset and its dimensions.
std::vector<double> read_h5_doubles(const std::string& file, const std::string& dataset,
                                    std::vector<unsigned long long>* dims = nullptr);
/// Raw bytes of a dataset as stored in memory type float64 (for byte-for-byte comparisons).
std::vector<unsigned char> read_h5_bytes(const std::string& file, const std::string& dataset);
/// A string attribute of an object ("" if absent).
std::string read_h5_string_attribute(const std::string& file, const std::string& object, const std::string& attr);
/// A fixed-length string dataset (e.g. /areas) as strings.
std::vector<std::string> read_h5_strings(const std::string& file, const std::string& dataset);

/// The numeric datasets of `group` (and of its subgroups, named SUBGROUP_NAME) that hold exactly one value, in
/// name order: the scalar analyses of an output (a sweep summary's columns). Empty if there is no such group.
std::vector<std::pair<std::string, double>> read_h5_scalars(const std::string& file, const std::string& group);

/// A file embedded in an output's /provenance/data_files group.
struct embedded_file {
    std::string key, path, sha256, content;
};
std::vector<embedded_file> read_embedded_files(const std::string& file);

/// HDF5 library version "major.minor.release".
std::string hdf5_version();

/// A square matrix dataset [n, n] (float64, rows = targets) with a string-array attribute "areas" (n names).
/// Throws data_error naming the file and dataset.
void read_h5_matrix(const std::string& file, const std::string& dataset, std::vector<std::string>& names,
                    std::vector<double>& values);
/// A vector dataset [n] with a string-array attribute "areas".
void read_h5_vector(const std::string& file, const std::string& dataset, std::vector<std::string>& names,
                    std::vector<double>& values);
/// A rank-2 dataset [n, k] with a string-array attribute "areas" of n names (e.g. an imported /centres).
void read_h5_rows(const std::string& file, const std::string& dataset, std::vector<std::string>& names,
                  std::vector<double>& values, std::size_t& columns);

}  // namespace cortexsim
