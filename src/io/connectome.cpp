#include "cortexsim/io/connectome.hpp"

#include <cmath>
#include <cstdio>
#include <filesystem>

#include "cortexsim/common/format.hpp"
#include "cortexsim/common/memory.hpp"
#include "h5_util.hpp"

namespace cortexsim {
using namespace h5;

namespace {

/// A fixed-length string type and buffer holding `v`.
std::vector<char> string_buffer(const std::vector<std::string>& v, std::size_t& len) {
    len = 1;
    for (const auto& s : v) len = std::max(len, s.size());
    std::vector<char> buf(v.size() * len, '\0');
    for (std::size_t i = 0; i < v.size(); ++i) std::copy(v[i].begin(), v[i].end(), buf.begin() + i * len);
    return buf;
}

void areas_attribute(hid_t obj, const std::vector<std::string>& names) {
    std::size_t len = 0;
    const auto buf = string_buffer(names, len);
    h5_handle t(string_type(len), H5Tclose, "string type");
    const hsize_t n = names.size();
    h5_handle space(H5Screate_simple(1, &n, nullptr), H5Sclose, "space");
    h5_handle a(H5Acreate2(obj, "areas", t, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose, "create attribute areas");
    ck(H5Awrite(a, t, buf.data()), "write attribute areas");
}

void write_doubles(hid_t f, const std::string& name, const std::vector<double>& v, std::vector<hsize_t> dims,
                   const std::vector<std::string>& names, const std::string& units, const std::string& description) {
    h5_handle space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose, "space");
    h5_handle d(H5Dcreate2(f, name.c_str(), H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Dclose,
                "create " + name);
    ck(H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()), "write " + name);
    areas_attribute(d, names);
    string_attribute(d, "units", units);
    string_attribute(d, "description", description);
}

}  // namespace

void write_connectome_h5(const std::string& path, const connectome& c, bool overwrite) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (fs::exists(path, ec) && !overwrite) throw io_error(path + ": exists (use --overwrite to replace it)");
    const std::string tmp = path + ".tmp";
    fs::remove(tmp, ec);
    quiet_hdf5();
    const hsize_t n = c.size();
    {
        h5_handle f(H5Fcreate(tmp.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose, "create " + tmp);
        string_attribute(f, "format", "cortexsim connectome 1");
        string_attribute(f, "source", c.source);
        string_attribute(f, "source_format", c.format);
        string_attribute(f, "orientation", "matrices are [target, source]: row i receives from column j");
        {
            std::size_t len = 0;
            const auto buf = string_buffer(c.names, len);
            h5_handle t(string_type(len), H5Tclose, "string type");
            h5_handle space(H5Screate_simple(1, &n, nullptr), H5Sclose, "space");
            h5_handle d(H5Dcreate2(f, "/areas", t, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Dclose,
                        "create /areas");
            ck(H5Dwrite(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data()), "write /areas");
            string_attribute(d, "description", "region labels, in the order of every matrix's rows and columns");
        }
        write_doubles(f, "/weights", c.weights, {n, n}, c.names, "1", "connection strengths [target, source]");
        if (!c.tract_lengths.empty())
            write_doubles(f, "/tract_lengths", c.tract_lengths, {n, n}, c.names, "mm",
                          "tract lengths [target, source]");
        if (!c.centres.empty()) {
            write_doubles(f, "/centres", c.centres, {n, 3}, c.names, "mm", "region centres (x, y, z)");
            std::vector<double> d(n * n, 0.0);
            for (std::size_t i = 0; i < n; ++i)
                for (std::size_t j = 0; j < n; ++j) {
                    const double dx = c.centres[3 * i] - c.centres[3 * j],
                                 dy = c.centres[3 * i + 1] - c.centres[3 * j + 1],
                                 dz = c.centres[3 * i + 2] - c.centres[3 * j + 2];
                    d[i * n + j] = std::sqrt(dx * dx + dy * dy + dz * dz);
                }
            write_doubles(f, "/centre_distances", d, {n, n}, c.names, "mm",
                          "Euclidean distances between the region centres");
        }
        if (!c.cortical.empty())
            write_doubles(f, "/cortical", c.cortical, {n}, c.names, "1", "1 cortical region, 0 subcortical");
        if (!c.hemispheres.empty())
            write_doubles(f, "/hemispheres", c.hemispheres, {n}, c.names, "1", "1 right hemisphere, 0 left (TVB)");
        if (!c.region_areas.empty())
            write_doubles(f, "/region_areas", c.region_areas, {n}, c.names, "mm2", "region surface areas");
        ck(H5Fflush(f, H5F_SCOPE_GLOBAL), "flush " + tmp);
    }
    fs::rename(tmp, path, ec);
    if (ec) throw io_error(path + ": cannot be written (" + ec.message() + ")");
}

std::vector<h5_variable> h5_root_variables(const std::string& file) {
    quiet_hdf5();
    const hid_t fid = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    if (fid < 0) throw data_error(file + ": cannot open as HDF5 (a MATLAB v7.3 file)");
    h5_handle f(fid, H5Fclose, "open " + file);
    H5G_info_t info;
    ck(H5Gget_info(f, &info), "group info");
    std::vector<h5_variable> out;
    for (hsize_t i = 0; i < info.nlinks; ++i) {
        char nm[512] = {0};
        H5Lget_name_by_idx(f, ".", H5_INDEX_NAME, H5_ITER_INC, i, nm, sizeof nm - 1, H5P_DEFAULT);
        H5O_info_t oi;
        if (H5Oget_info_by_name2(f, nm, &oi, H5O_INFO_BASIC, H5P_DEFAULT) < 0 || oi.type != H5O_TYPE_DATASET)
            continue;  // groups (#refs#, structs)
        h5_variable v;
        v.name = nm;
        h5_handle d(H5Dopen2(f, nm, H5P_DEFAULT), H5Dclose, "open " + v.name);
        h5_handle space(H5Dget_space(d), H5Sclose, "space");
        const int nd = H5Sget_simple_extent_ndims(space);
        std::vector<hsize_t> dd(static_cast<std::size_t>(std::max(nd, 0)));
        H5Sget_simple_extent_dims(space, dd.data(), nullptr);
        v.dims.assign(dd.rbegin(), dd.rend());
        if (H5Aexists(d, "MATLAB_class") > 0) {
            h5_handle a(H5Aopen(d, "MATLAB_class", H5P_DEFAULT), H5Aclose, "attribute");
            h5_handle t(H5Aget_type(a), H5Tclose, "type");
            std::string s(H5Tget_size(t), '\0');
            if (H5Tget_class(t) == H5T_STRING && H5Tis_variable_str(t) <= 0 && H5Aread(a, t, s.data()) >= 0) {
                s.erase(std::find(s.begin(), s.end(), '\0'), s.end());
                v.matlab_class = s;
            }
        }
        out.push_back(std::move(v));
    }
    return out;
}

std::vector<double> read_mat73_matrix(const std::string& file, const std::string& var, std::size_t& rows,
                                      std::size_t& cols) {
    quiet_hdf5();
    const std::string where = file + ": variable '" + printable(var) + "'";
    const hid_t fid = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    if (fid < 0) throw data_error(file + ": cannot open as HDF5 (a MATLAB v7.3 file)");
    h5_handle f(fid, H5Fclose, "open " + file);
    if (var.empty() || var.find('/') != std::string::npos || H5Lexists(f, var.c_str(), H5P_DEFAULT) <= 0)
        throw data_error(where + ": no such variable");
    h5_handle d(open_input_dataset(f, "/" + var, file), H5Dclose, "open " + where);
    h5_handle space(H5Dget_space(d), H5Sclose, "space");
    h5_handle t(H5Dget_type(d), H5Tclose, "type");
    const H5T_class_t cls = H5Tget_class(t);
    if (cls == H5T_COMPOUND) throw data_error(where + ": is complex (a real matrix is needed)");
    if (cls != H5T_FLOAT && cls != H5T_INTEGER) throw data_error(where + ": is not a numeric matrix");
    if (H5Aexists(d, "MATLAB_sparse") > 0) throw data_error(where + ": is sparse (save it with full(...))");
    if (H5Sget_simple_extent_ndims(space) != 2) throw data_error(where + ": is not a 2-D matrix");
    hsize_t dd[2] = {0, 0};
    H5Sget_simple_extent_dims(space, dd, nullptr);
    rows = dd[1];  // MATLAB rows x cols is stored as [cols][rows]
    cols = dd[0];
    check_allocation(8.0 * static_cast<double>(rows) * static_cast<double>(cols), where);
    std::vector<double> stored(rows * cols);
    if (!stored.empty() && H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, stored.data()) < 0)
        throw data_error(where + ": cannot be read as numbers");
    std::vector<double> out(rows * cols);
    for (std::size_t i = 0; i < rows; ++i)
        for (std::size_t j = 0; j < cols; ++j) out[i * cols + j] = stored[j * rows + i];
    return out;
}

namespace {
/// A MATLAB char array (uint16 code units, stored [len][n] for n rows of len characters) as n strings.
std::vector<std::string> char_rows(hid_t d, const std::string& where) {
    h5_handle space(H5Dget_space(d), H5Sclose, "space");
    if (H5Sget_simple_extent_ndims(space) != 2) throw data_error(where + ": is not a 2-D char array");
    hsize_t dd[2] = {0, 0};
    H5Sget_simple_extent_dims(space, dd, nullptr);
    std::vector<unsigned short> u(dd[0] * dd[1]);
    if (!u.empty()) ck(H5Dread(d, H5T_NATIVE_USHORT, H5S_ALL, H5S_ALL, H5P_DEFAULT, u.data()), "read " + where);
    const std::size_t n = dd[1], len = dd[0];
    std::vector<std::string> out(n);
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t k = 0; k < len; ++k) {
            const unsigned short c = u[k * n + i];
            if (c > 127) throw data_error(where + ": has a non-ASCII character in label " + std::to_string(i + 1));
            if (c != 0) out[i] += static_cast<char>(c);
        }
        while (!out[i].empty() && out[i].back() == ' ') out[i].pop_back();  // char matrices are space-padded
    }
    return out;
}
}  // namespace

std::vector<std::string> read_mat73_strings(const std::string& file, const std::string& var) {
    quiet_hdf5();
    const std::string where = file + ": variable '" + printable(var) + "'";
    const hid_t fid = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    if (fid < 0) throw data_error(file + ": cannot open as HDF5 (a MATLAB v7.3 file)");
    h5_handle f(fid, H5Fclose, "open " + file);
    if (var.empty() || var.find('/') != std::string::npos || H5Lexists(f, var.c_str(), H5P_DEFAULT) <= 0)
        throw data_error(where + ": no such variable");
    h5_handle d(open_input_dataset(f, "/" + var, file), H5Dclose, "open " + where);
    h5_handle t(H5Dget_type(d), H5Tclose, "type");
    if (H5Tget_class(t) == H5T_INTEGER) return char_rows(d, where);
    if (H5Tget_class(t) != H5T_REFERENCE) throw data_error(where + ": is neither a char array nor a cell array");
    h5_handle space(H5Dget_space(d), H5Sclose, "space");
    const hssize_t n = H5Sget_simple_extent_npoints(space);
    std::vector<hobj_ref_t> refs(static_cast<std::size_t>(std::max<hssize_t>(n, 0)));
    if (n > 0) ck(H5Dread(d, H5T_STD_REF_OBJ, H5S_ALL, H5S_ALL, H5P_DEFAULT, refs.data()), "read " + where);
    std::vector<std::string> out;
    for (std::size_t i = 0; i < refs.size(); ++i) {
        const hid_t e = H5Rdereference2(d, H5P_DEFAULT, H5R_OBJECT, &refs[i]);
        if (e < 0) throw data_error(where + ": cell " + std::to_string(i + 1) + " cannot be read");
        h5_handle cell(e, H5Dclose, "cell");
        const auto s = char_rows(cell, where + " cell " + std::to_string(i + 1));
        std::string joined;  // a 1 x len char array is stored [len][1]
        for (const auto& x : s) joined += x;
        out.push_back(joined);
    }
    return out;
}

}  // namespace cortexsim
