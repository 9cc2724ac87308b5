#include "cortexsim/io/h5_read.hpp"

#include <cstring>

#include "cortexsim/common/format.hpp"
#include "cortexsim/common/memory.hpp"
#include "h5_util.hpp"

namespace cortexsim {
using namespace h5;

std::string hdf5_version() {
    unsigned maj = 0, min = 0, rel = 0;
    H5get_libversion(&maj, &min, &rel);
    return std::to_string(maj) + "." + std::to_string(min) + "." + std::to_string(rel);
}

// ---- serial reading ----------------------------------------------------------------------------------------

namespace {
hid_t open_read(const std::string& file) {
    quiet_hdf5();
    const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) throw io_error(file + ": cannot open as HDF5");
    return f;
}
}  // namespace

bool h5_has_dataset(const std::string& file, const std::string& path) {
    h5_handle f(open_read(file), H5Fclose, "open");
    // every link on the way must exist (H5Lexists on "/a/b" needs "/a")
    std::size_t pos = 0;
    while ((pos = path.find('/', pos + 1)) != std::string::npos)
        if (H5Lexists(f, path.substr(0, pos).c_str(), H5P_DEFAULT) <= 0) return false;
    if (H5Lexists(f, path.c_str(), H5P_DEFAULT) <= 0) return false;
    H5O_info_t info;
    if (H5Oget_info_by_name2(f, path.c_str(), &info, H5O_INFO_BASIC, H5P_DEFAULT) < 0) return false;
    return info.type == H5O_TYPE_DATASET;
}

std::vector<double> read_h5_doubles(const std::string& file, const std::string& dataset,
                                    std::vector<unsigned long long>* dims) {
    h5_handle f(open_read(file), H5Fclose, "open " + file);
    h5_handle d(open_input_dataset(f, dataset, file), H5Dclose, "open " + file + ":" + dataset);
    h5_handle space(H5Dget_space(d), H5Sclose, "space");
    const int nd = H5Sget_simple_extent_ndims(space);
    std::vector<hsize_t> dd(static_cast<std::size_t>(std::max(nd, 0)));
    H5Sget_simple_extent_dims(space, dd.data(), nullptr);
    double count = 1.0;
    for (auto x : dd) count *= static_cast<double>(x);
    check_allocation(8.0 * count, file + ":" + dataset + " (" + shortest_text(count) + " values)");
    std::size_t n = 1;
    for (auto x : dd) n *= x;
    std::vector<double> out(n);
    if (n > 0) ck(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()), "read " + dataset);
    if (dims) dims->assign(dd.begin(), dd.end());
    return out;
}

std::vector<unsigned char> read_h5_bytes(const std::string& file, const std::string& dataset) {
    const auto v = read_h5_doubles(file, dataset);
    std::vector<unsigned char> b(v.size() * sizeof(double));
    if (!v.empty()) std::memcpy(b.data(), v.data(), b.size());
    return b;
}

std::string read_h5_string_attribute(const std::string& file, const std::string& object, const std::string& attr) {
    h5_handle f(open_read(file), H5Fclose, "open");
    if (H5Aexists_by_name(f, object.c_str(), attr.c_str(), H5P_DEFAULT) <= 0) return "";
    h5_handle a(H5Aopen_by_name(f, object.c_str(), attr.c_str(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose, "attribute");
    h5_handle t(H5Aget_type(a), H5Tclose, "type");
    const std::size_t len = H5Tget_size(t);
    std::string s(len, '\0');
    ck(H5Aread(a, t, s.data()), "read attribute");
    s.erase(std::find(s.begin(), s.end(), '\0'), s.end());
    return s;
}

std::vector<embedded_file> read_embedded_files(const std::string& file) {
    std::vector<embedded_file> out;
    std::vector<std::string> names;
    {
        h5_handle f(open_read(file), H5Fclose, "open");
        if (H5Lexists(f, "/provenance", H5P_DEFAULT) <= 0 || H5Lexists(f, "/provenance/data_files", H5P_DEFAULT) <= 0)
            throw io_error(file + ": has no embedded data files (/provenance/data_files)");
        h5_handle g(H5Gopen2(f, "/provenance/data_files", H5P_DEFAULT), H5Gclose, "open data_files");
        H5G_info_t info;
        ck(H5Gget_info(g, &info), "group info");
        for (hsize_t i = 0; i < info.nlinks; ++i) {
            char nm[256] = {0};
            H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, nm, sizeof nm - 1, H5P_DEFAULT);
            names.push_back(nm);
        }
    }
    for (const auto& n : names) {
        const std::string ds = "/provenance/data_files/" + n;
        embedded_file e;
        e.key = read_h5_string_attribute(file, ds, "key");
        e.path = read_h5_string_attribute(file, ds, "path");
        e.sha256 = read_h5_string_attribute(file, ds, "sha256");
        h5_handle f(open_read(file), H5Fclose, "open");
        h5_handle d(H5Dopen2(f, ds.c_str(), H5P_DEFAULT), H5Dclose, "open " + ds);
        h5_handle space(H5Dget_space(d), H5Sclose, "space");
        const hssize_t n_bytes = H5Sget_simple_extent_npoints(space);
        e.content.assign(static_cast<std::size_t>(std::max<hssize_t>(n_bytes, 0)), '\0');
        if (n_bytes > 0)
            ck(H5Dread(d, H5T_NATIVE_UCHAR, H5S_ALL, H5S_ALL, H5P_DEFAULT, e.content.data()), "read " + ds);
        out.push_back(std::move(e));
    }
    return out;
}

std::vector<std::string> read_h5_strings(const std::string& file, const std::string& dataset) {
    h5_handle f(open_read(file), H5Fclose, "open");
    h5_handle d(H5Dopen2(f, dataset.c_str(), H5P_DEFAULT), H5Dclose, "open " + dataset);
    h5_handle t(H5Dget_type(d), H5Tclose, "type");
    h5_handle space(H5Dget_space(d), H5Sclose, "space");
    const hssize_t n = H5Sget_simple_extent_npoints(space);
    std::vector<std::string> out;
    if (H5Tis_variable_str(t) > 0) {  // format version 2: variable-length UTF-8
        std::vector<char*> ptrs(static_cast<std::size_t>(n), nullptr);
        h5_handle mt(H5Tcopy(H5T_C_S1), H5Tclose, "type");
        H5Tset_size(mt, H5T_VARIABLE);
        H5Tset_cset(mt, H5Tget_cset(t));
        ck(H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()), "read " + dataset);
        for (char* p : ptrs) out.emplace_back(p ? p : "");
        H5Dvlen_reclaim(mt, space, H5P_DEFAULT, ptrs.data());
        return out;
    }
    const std::size_t len = H5Tget_size(t);  // version 1: fixed-length, NUL-padded
    std::vector<char> buf(static_cast<std::size_t>(n) * len);
    ck(H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data()), "read " + dataset);
    for (hssize_t i = 0; i < n; ++i) {
        std::string s(buf.data() + static_cast<std::size_t>(i) * len, len);
        s.erase(std::find(s.begin(), s.end(), '\0'), s.end());
        out.push_back(s);
    }
    return out;
}

namespace {
void scalars_of(hid_t g, const std::string& prefix, int depth, std::vector<std::pair<std::string, double>>& out) {
    H5G_info_t info;
    ck(H5Gget_info(g, &info), "group info");
    for (hsize_t i = 0; i < info.nlinks; ++i) {
        const ssize_t len = H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
        if (len <= 0) continue;
        std::string name(static_cast<std::size_t>(len) + 1, '\0');
        H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(), name.size(), H5P_DEFAULT);
        name.resize(static_cast<std::size_t>(len));
        H5O_info_t oi;
        if (H5Oget_info_by_name2(g, name.c_str(), &oi, H5O_INFO_BASIC, H5P_DEFAULT) < 0) continue;
        if (oi.type == H5O_TYPE_GROUP && depth == 0) {
            h5_handle sub(H5Gopen2(g, name.c_str(), H5P_DEFAULT), H5Gclose, "open group " + name);
            scalars_of(sub, name + "_", 1, out);
            continue;
        }
        if (oi.type != H5O_TYPE_DATASET) continue;
        h5_handle d(H5Dopen2(g, name.c_str(), H5P_DEFAULT), H5Dclose, "open " + name);
        h5_handle t(H5Dget_type(d), H5Tclose, "type");
        const H5T_class_t c = H5Tget_class(t);
        if (c != H5T_FLOAT && c != H5T_INTEGER) continue;
        h5_handle space(H5Dget_space(d), H5Sclose, "space");
        if (H5Sget_simple_extent_npoints(space) != 1) continue;
        double v = 0.0;
        ck(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, &v), "read " + name);
        out.emplace_back(prefix + name, v);
    }
}
}  // namespace

std::vector<std::pair<std::string, double>> read_h5_scalars(const std::string& file, const std::string& group) {
    h5_handle f(open_read(file), H5Fclose, "open " + file);
    std::vector<std::pair<std::string, double>> out;
    if (H5Lexists(f, group.c_str(), H5P_DEFAULT) <= 0) return out;
    h5_handle g(H5Gopen2(f, group.c_str(), H5P_DEFAULT), H5Gclose, "open " + file + ":" + group);
    scalars_of(g, "", 0, out);
    return out;
}

namespace {
std::vector<std::string> string_array_attribute(hid_t obj, const std::string& name, const std::string& where) {
    if (H5Aexists(obj, name.c_str()) <= 0) throw data_error(where + ": has no attribute '" + name + "' (area names)");
    h5_handle a(H5Aopen(obj, name.c_str(), H5P_DEFAULT), H5Aclose, "open attribute " + name);
    h5_handle t(H5Aget_type(a), H5Tclose, "attribute type");
    h5_handle space(H5Aget_space(a), H5Sclose, "attribute space");
    if (H5Tget_class(t) != H5T_STRING) throw data_error(where + ": attribute '" + name + "' is not a string array");
    const hssize_t n = H5Sget_simple_extent_npoints(space);
    if (n < 0) throw data_error(where + ": attribute '" + name + "' cannot be read");
    check_allocation(product_of({static_cast<double>(n), static_cast<double>(H5Tget_size(t)) + 32.0}),
                     where + ": attribute '" + name + "'");
    std::vector<std::string> out;
    if (H5Tis_variable_str(t) > 0) {
        std::vector<char*> ptrs(static_cast<std::size_t>(n), nullptr);
        h5_handle mt(H5Tcopy(H5T_C_S1), H5Tclose, "type");
        H5Tset_size(mt, H5T_VARIABLE);
        H5Tset_cset(mt, H5Tget_cset(t));  // h5py writes UTF-8
        ck(H5Aread(a, mt, ptrs.data()), "read attribute " + name);
        for (char* p : ptrs) out.emplace_back(p ? p : "");
        H5Dvlen_reclaim(mt, space, H5P_DEFAULT, ptrs.data());
    } else {
        const std::size_t len = H5Tget_size(t);
        std::vector<char> buf(static_cast<std::size_t>(n) * len);
        ck(H5Aread(a, t, buf.data()), "read attribute " + name);
        for (hssize_t i = 0; i < n; ++i) {
            std::string s(buf.data() + static_cast<std::size_t>(i) * len, len);
            s.erase(std::find(s.begin(), s.end(), '\0'), s.end());
            out.push_back(s);
        }
    }
    return out;
}

void read_h5_numeric(const std::string& file, const std::string& dataset, int want_rank,
                     std::vector<std::string>& names, std::vector<double>& values, bool square = true,
                     std::size_t* columns = nullptr) {
    quiet_hdf5();
    const std::string where = file + ":" + dataset;
    const hid_t fid = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    if (fid < 0) throw data_error(file + ": cannot open as HDF5");
    h5_handle f(fid, H5Fclose, "open " + file);
    h5_handle d(open_input_dataset(f, dataset, file), H5Dclose, "open " + where);
    h5_handle space(H5Dget_space(d), H5Sclose, "space of " + where);
    const int rank = H5Sget_simple_extent_ndims(space);
    hsize_t dims[2] = {0, 0};
    if (rank != want_rank)
        throw data_error(where + ": has " + std::to_string(rank) + " dimensions, expected " +
                         std::to_string(want_rank));
    H5Sget_simple_extent_dims(space, dims, nullptr);
    {
        h5_handle t(H5Dget_type(d), H5Tclose, "type of " + where);
        const H5T_class_t c = H5Tget_class(t);
        if (c != H5T_FLOAT && c != H5T_INTEGER) throw data_error(where + ": is not a numeric dataset");
    }
    // the values are read whole: their size comes from the file
    check_allocation(
        product_of({static_cast<double>(dims[0]), want_rank == 2 ? static_cast<double>(dims[1]) : 1.0, 8.0}),
        where + " (" + std::to_string(dims[0]) + (want_rank == 2 ? " x " + std::to_string(dims[1]) : "") + " values)");
    names = string_array_attribute(d, "areas", where);
    if (want_rank == 2 && square && dims[0] != dims[1])
        throw data_error(where + ": matrix is not square (" + std::to_string(dims[0]) + " rows, " +
                         std::to_string(dims[1]) + " columns)");
    if (names.size() != dims[0])
        throw data_error(where + ": attribute 'areas' has " + std::to_string(names.size()) + " names for " +
                         std::to_string(dims[0]) + " rows");
    if (columns) *columns = want_rank == 2 ? dims[1] : 1;
    values.assign(static_cast<std::size_t>(dims[0]) * (want_rank == 2 ? dims[1] : 1), 0.0);
    if (H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) < 0)
        throw data_error(where + ": cannot be read as numbers");
}
}  // namespace

void read_h5_matrix(const std::string& file, const std::string& dataset, std::vector<std::string>& names,
                    std::vector<double>& values) {
    read_h5_numeric(file, dataset, 2, names, values);
}

void read_h5_vector(const std::string& file, const std::string& dataset, std::vector<std::string>& names,
                    std::vector<double>& values) {
    read_h5_numeric(file, dataset, 1, names, values);
}

void read_h5_rows(const std::string& file, const std::string& dataset, std::vector<std::string>& names,
                  std::vector<double>& values, std::size_t& columns) {
    read_h5_numeric(file, dataset, 2, names, values, false, &columns);
}

}  // namespace cortexsim
