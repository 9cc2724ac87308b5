#pragma once
// An imported connectome and its HDF5 file (cortexsim import; docs/connectivity.md, "Importing a connectome").
// Part of the io layer; no MPI.
#include <string>
#include <vector>

namespace cortexsim {

/// Matrices are [target, source] (rows receive), as every matrix of cortexsim.
struct connectome {
    std::string source;                 // the imported file
    std::string format;                 // "tvb-zip", "mat-v5", "mat-v7.3", "text"
    std::vector<std::string> names;     // n region labels
    std::vector<double> weights;        // n x n
    std::vector<double> tract_lengths;  // n x n [mm], or empty
    std::vector<double> centres;        // n x 3 [mm], or empty
    std::vector<double> cortical;       // n (1 cortical, 0 not), or empty
    std::vector<double> hemispheres;    // n (1 right, 0 left, as TVB), or empty
    std::vector<double> region_areas;   // n [mm^2], or empty
    std::size_t size() const { return names.size(); }
};

/// Writes the connectome to `path` (datasets /weights, /tract_lengths, /centre_distances, /centres, /cortical,
/// /hemispheres, /region_areas, each with the string-array attribute "areas"; /areas, the labels). Written to
/// PATH.tmp and renamed: an existing file is replaced only if `overwrite`, else io_error.
void write_connectome_h5(const std::string& path, const connectome& c, bool overwrite);

/// The names of the datasets at the root of an HDF5 file (a MATLAB v7.3 .mat: its variables), with their
/// dimensions as MATLAB sees them (rows x columns: the HDF5 dimensions reversed).
struct h5_variable {
    std::string name;
    std::vector<unsigned long long> dims;
    std::string matlab_class;  // attribute MATLAB_class ("double", "char", "cell", ...), "" if absent
};
std::vector<h5_variable> h5_root_variables(const std::string& file);

/// A MATLAB v7.3 numeric matrix `var` (rows x columns as MATLAB shows it), row-major. A v7.3 file stores the
/// column-major MATLAB array as a C-order HDF5 dataset of reversed dimensions: its bytes are the transpose.
std::vector<double> read_mat73_matrix(const std::string& file, const std::string& var, std::size_t& rows,
                                      std::size_t& cols);
/// A MATLAB v7.3 cell array of strings or char matrix `var` as strings (region labels).
std::vector<std::string> read_mat73_strings(const std::string& file, const std::string& var);

/// The MATLAB version of a .mat file from its header: 73 (v7.3: HDF5), 5 (v5/v7: what MATLAB writes without
/// '-v7.3', zlib-compressed or not), 4 (v4) or 0 (none of them).
int mat_file_version(const std::string& file);
/// A MATLAB v5/v7 file (read with libmatio, src/io/mat_v5.cpp): its variables, as h5_root_variables (dims as
/// MATLAB shows them; matlab_class "double", "single", "int32", "logical", "char", "cell", "sparse", ...).
std::vector<h5_variable> mat5_variables(const std::string& file);
/// A MATLAB v5/v7 real 2-D matrix `var` (double, single, integer, logical; full or sparse), row-major.
std::vector<double> read_mat5_matrix(const std::string& file, const std::string& var, std::size_t& rows,
                                     std::size_t& cols);
/// A MATLAB v5/v7 cell array of strings or char matrix `var` as strings (region labels).
std::vector<std::string> read_mat5_strings(const std::string& file, const std::string& var);

}  // namespace cortexsim
