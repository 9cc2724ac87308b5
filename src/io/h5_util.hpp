#pragma once
// Private helpers of the io layer: RAII handles and checked calls for the HDF5 C API.
#include <hdf5.h>
#if !H5_HAVE_PARALLEL
#error "cortexsim needs a parallel HDF5 (libhdf5-openmpi-dev)"
#endif

#include <algorithm>
#include <string>

#include "cortexsim/common/errors.hpp"

namespace cortexsim::h5 {


/// Owns an hid_t and closes it with the right function.
class h5_handle {
public:
    using closer = herr_t (*)(hid_t);
    h5_handle(hid_t id, closer c, const std::string& what) : id_(id), close_(c) {
        if (id_ < 0) throw io_error("HDF5: " + what + " failed");
    }
    ~h5_handle() {
        if (id_ >= 0) close_(id_);
    }
    h5_handle(const h5_handle&) = delete;
    h5_handle& operator=(const h5_handle&) = delete;
    operator hid_t() const { return id_; }

private:
    hid_t id_;
    closer close_;
};

inline void ck(herr_t rc, const std::string& what) {
    if (rc < 0) throw io_error("HDF5: " + what + " failed");
}

inline void quiet_hdf5() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

/// Opens the dataset `name` of an input file for reading; throws data_error naming the file and the path if
/// there is nothing at that path, or a group (or a named type) instead of a dataset.
inline hid_t open_input_dataset(hid_t file, const std::string& name, const std::string& file_name) {
    const std::string where = file_name + ":" + name;
    if (name.empty() || name[0] != '/') throw data_error(where + ": the dataset path must start with '/'");
    // every link on the way must exist (H5Lexists fails on a missing intermediate group)
    for (std::size_t pos = name.find('/', 1);; pos = name.find('/', pos + 1)) {
        const std::string part = pos == std::string::npos ? name : name.substr(0, pos);
        if (part.size() > 1 && part.back() != '/' && H5Lexists(file, part.c_str(), H5P_DEFAULT) <= 0)
            throw data_error(where + ": no such dataset");
        if (pos == std::string::npos) break;
    }
    H5O_info_t info;
    if (H5Oget_info_by_name2(file, name.c_str(), &info, H5O_INFO_BASIC, H5P_DEFAULT) < 0)
        throw data_error(where + ": cannot be opened");
    if (info.type == H5O_TYPE_GROUP) throw data_error(where + ": is a group, not a dataset");
    if (info.type != H5O_TYPE_DATASET) throw data_error(where + ": is not a dataset");
    const hid_t d = H5Dopen2(file, name.c_str(), H5P_DEFAULT);
    if (d < 0) throw data_error(where + ": cannot be opened as a dataset");
    return d;
}

inline hid_t string_type(std::size_t len) {
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, std::max<std::size_t>(len, 1));
    H5Tset_strpad(t, H5T_STR_NULLPAD);
    return t;
}

/// Variable-length UTF-8 string type (names: h5py reads them as str).
inline hid_t vlen_string_type() {
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, H5T_VARIABLE);
    H5Tset_cset(t, H5T_CSET_UTF8);
    return t;
}

/// An attribute message of HDF5's default file format holds at most 64 KiB: a longer value (the resolved
/// parameters of a model with thousands of areas, a long config) would fail at the end of a run.
constexpr std::size_t max_attribute_bytes = 60000;

/// Writes the string attribute `name` of obj. A value longer than max_attribute_bytes goes into a scalar string
/// dataset instead (in obj if obj is a group, else next to it as "<obj>_<name>"), and the attribute names it.
/// Called by every rank of a parallel file alike (all write the same bytes).
inline void string_attribute(hid_t obj, const std::string& name, const std::string& value) {
    if (value.size() > max_attribute_bytes) {
        char path[4096] = {0};
        if (H5Iget_name(obj, path, sizeof path) <= 0)
            throw io_error("HDF5: cannot name the object of attribute " + name);
        const std::string own(path);
        const bool group = H5Iget_type(obj) == H5I_GROUP;
        const std::string where = group ? (own == "/" ? "/" + name : own + "/" + name) : own + "_" + name;
        h5_handle file(H5Iget_file_id(obj), H5Fclose, "file of " + own);
        if (H5Lexists(file, where.c_str(), H5P_DEFAULT) > 0)
            ck(H5Ldelete(file, where.c_str(), H5P_DEFAULT), "delete " + where);
        h5_handle type(string_type(value.size()), H5Tclose, "string type");
        h5_handle space(H5Screate(H5S_SCALAR), H5Sclose, "scalar space");
        h5_handle d(H5Dcreate2(file, where.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Dclose,
                    "create " + where);
        ck(H5Dwrite(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, value.data()), "write " + where);
        string_attribute(obj, name,
                         "stored in the dataset " + where + " (" + std::to_string(value.size()) +
                             " bytes: longer than an HDF5 attribute can hold)");
        return;
    }
    h5_handle type(string_type(value.size()), H5Tclose, "string type");
    h5_handle space(H5Screate(H5S_SCALAR), H5Sclose, "scalar space");
    if (H5Aexists(obj, name.c_str()) > 0) ck(H5Adelete(obj, name.c_str()), "delete attribute " + name);
    h5_handle a(H5Acreate2(obj, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
                "create attribute " + name);
    std::string buf = value.empty() ? std::string(1, '\0') : value;
    ck(H5Awrite(a, type, buf.data()), "write attribute " + name);
}

inline hid_t ensure_group(hid_t file, const std::string& name) {
    if (name == "/") return H5Gopen2(file, "/", H5P_DEFAULT);
    if (H5Lexists(file, name.c_str(), H5P_DEFAULT) > 0) return H5Gopen2(file, name.c_str(), H5P_DEFAULT);
    return H5Gcreate2(file, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
}

/// Creates the groups above object `name` ("/a/b/c" -> /a and /a/b) that do not exist yet.
inline void ensure_parents(hid_t file, const std::string& name) {
    const auto slash = name.rfind('/');
    for (std::size_t pos = name.find('/', 1); pos != std::string::npos && pos <= slash; pos = name.find('/', pos + 1)) {
        const std::string group = name.substr(0, pos);
        const hid_t g = ensure_group(file, group);
        if (g < 0) throw io_error("HDF5: cannot create group " + group);
        H5Gclose(g);
    }
}


}  // namespace cortexsim::h5
