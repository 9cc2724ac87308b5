#include "cortexsim/io/rnn_weights.hpp"
#include "cortexsim/common/format.hpp"

#include "h5_attributes.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "h5_util.hpp"
#include "cortexsim/common/errors.hpp"
#include "cortexsim/common/memory.hpp"

namespace cortexsim::rnn {
using detail::format_name;
using detail::format_version;
using detail::read_number_attribute;
using detail::read_string_attribute;
using detail::shape_text;

namespace {

namespace fs = std::filesystem;
using h5::ck;
using h5::h5_handle;


std::string num(double v) { return shortest_text(v); }

void write_dataset(hid_t f, const std::string& name, std::initializer_list<hsize_t> dims,
                   const std::vector<double>& v) {
    std::vector<hsize_t> d(dims);
    h5_handle space(H5Screate_simple(static_cast<int>(d.size()), d.data(), nullptr), H5Sclose, "dataspace " + name);
    h5_handle ds(H5Dcreate2(f, name.c_str(), H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Dclose,
                 "create dataset " + name);
    if (!v.empty()) ck(H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()), "write " + name);
}

void double_attribute(hid_t obj, const std::string& name, double v) {
    h5_handle space(H5Screate(H5S_SCALAR), H5Sclose, "scalar space");
    h5_handle a(H5Acreate2(obj, name.c_str(), H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
                "create attribute " + name);
    ck(H5Awrite(a, H5T_NATIVE_DOUBLE, &v), "write attribute " + name);
}

void int_attribute(hid_t obj, const std::string& name, long long v) {
    h5_handle space(H5Screate(H5S_SCALAR), H5Sclose, "scalar space");
    h5_handle a(H5Acreate2(obj, name.c_str(), H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
                "create attribute " + name);
    ck(H5Awrite(a, H5T_NATIVE_LLONG, &v), "write attribute " + name);
}

/// Reads a float dataset of the given rank; checks it exists, is floating point, and has finite values.
std::vector<double> read_dataset(hid_t f, const std::string& name, int rank, const std::string& path,
                                 std::vector<hsize_t>& dims) {
    const std::string where = path + ": " + name;
    if (H5Lexists(f, name.c_str(), H5P_DEFAULT) <= 0) throw data_error(where + ": missing dataset");
    h5_handle d(h5::open_input_dataset(f, name, path), H5Dclose, "open " + where);
    h5_handle t(H5Dget_type(d), H5Tclose, "type");
    if (H5Tget_class(t) != H5T_FLOAT) throw data_error(where + ": is not a floating-point dataset");
    h5_handle space(H5Dget_space(d), H5Sclose, "space");
    const int nd = H5Sget_simple_extent_ndims(space);
    dims.assign(static_cast<std::size_t>(std::max(nd, 0)), 0);
    if (nd > 0) H5Sget_simple_extent_dims(space, dims.data(), nullptr);
    if (nd != rank)
        throw data_error(where + ": has " + std::to_string(nd) + " dimensions (shape " + shape_text(dims) +
                         "), expected " + std::to_string(rank));
    double count = 1.0;
    for (auto x : dims) count *= static_cast<double>(x);
    check_allocation(8.0 * count, where + " (shape " + shape_text(dims) + ")");
    std::size_t n = 1;
    for (auto x : dims) n *= static_cast<std::size_t>(x);
    std::vector<double> v(n);
    if (n > 0 && H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()) < 0)
        throw data_error(where + ": cannot be read");
    for (std::size_t i = 0; i < n; ++i)
        if (!std::isfinite(v[i])) {
            char idx[64];
            if (rank == 2)
                std::snprintf(idx, sizeof idx, "[%llu][%llu]", static_cast<unsigned long long>(i / dims[1]),
                              static_cast<unsigned long long>(i % dims[1]));
            else
                std::snprintf(idx, sizeof idx, "[%zu]", i);
            throw data_error(where + ": value " + num(v[i]) + " at " + std::string(idx) + " is not finite");
        }
    return v;
}

void expect_shape(const std::string& path, const std::string& name, const std::vector<hsize_t>& got,
                  const std::vector<hsize_t>& want, const std::string& why) {
    if (got != want)
        throw data_error(path + ": " + name + ": shape " + shape_text(got) + ", expected " + shape_text(want) + " (" +
                         why + ")");
}

}  // namespace

namespace detail {

/// A scalar string attribute (fixed or variable length); `found` false if absent.
std::string read_string_attribute(hid_t obj, const std::string& name, const std::string& path, bool& found) {
    found = H5Aexists(obj, name.c_str()) > 0;
    if (!found) return "";
    const hid_t aid = H5Aopen(obj, name.c_str(), H5P_DEFAULT);
    if (aid < 0) throw data_error(path + ": attribute '" + name + "' cannot be opened");
    h5_handle a(aid, H5Aclose, "open attribute " + name);
    h5_handle t(H5Aget_type(a), H5Tclose, "attribute type");
    if (H5Tget_class(t) != H5T_STRING) throw data_error(path + ": attribute '" + name + "' is not a string");
    h5_handle space(H5Aget_space(a), H5Sclose, "attribute space");
    if (H5Sget_simple_extent_npoints(space) != 1)
        throw data_error(path + ": attribute '" + name + "' is not a single string");
    if (H5Tis_variable_str(t) > 0) {
        char* p = nullptr;
        h5_handle mt(H5Tcopy(H5T_C_S1), H5Tclose, "type");
        H5Tset_size(mt, H5T_VARIABLE);
        H5Tset_cset(mt, H5Tget_cset(t));
        if (H5Aread(a, mt, &p) < 0) throw data_error(path + ": attribute '" + name + "' cannot be read");
        std::string s = p ? p : "";
        H5free_memory(p);
        return s;
    }
    const std::size_t len = H5Tget_size(t);
    std::string s(len, '\0');
    if (H5Aread(a, t, s.data()) < 0) throw data_error(path + ": attribute '" + name + "' cannot be read");
    s.erase(std::find(s.begin(), s.end(), '\0'), s.end());
    return s;
}

/// A scalar numeric attribute as double; `found` false if absent.
double read_number_attribute(hid_t obj, const std::string& name, const std::string& path, bool& found) {
    found = H5Aexists(obj, name.c_str()) > 0;
    if (!found) return std::nan("");
    const hid_t aid = H5Aopen(obj, name.c_str(), H5P_DEFAULT);
    if (aid < 0) throw data_error(path + ": attribute '" + name + "' cannot be opened");
    h5_handle a(aid, H5Aclose, "open attribute " + name);
    h5_handle t(H5Aget_type(a), H5Tclose, "attribute type");
    const H5T_class_t c = H5Tget_class(t);
    if (c != H5T_FLOAT && c != H5T_INTEGER) throw data_error(path + ": attribute '" + name + "' is not a number");
    h5_handle space(H5Aget_space(a), H5Sclose, "attribute space");
    if (H5Sget_simple_extent_npoints(space) != 1)
        throw data_error(path + ": attribute '" + name + "' is not a single number");
    double v = 0.0;
    if (H5Aread(a, H5T_NATIVE_DOUBLE, &v) < 0) throw data_error(path + ": attribute '" + name + "' cannot be read");
    return v;
}

std::string shape_text(const std::vector<hsize_t>& d) {
    std::string s;
    for (std::size_t i = 0; i < d.size(); ++i) s += (i ? " x " : "") + std::to_string(d[i]);
    return d.empty() ? "scalar" : s;
}

}  // namespace detail


void write_rnn_weights(const std::string& path, const rnn_weights& w, bool overwrite) {
    w.validate(path);
    std::error_code ec;
    if (fs::exists(path, ec) && !overwrite)
        throw io_error(path + ": weights file exists already (use --overwrite to replace it)");
    const fs::path parent = fs::path(path).parent_path();
    if (!parent.empty() && !fs::is_directory(parent, ec))
        throw io_error(path + ": output folder '" + parent.string() + "' does not exist");
    const std::string tmp = path + ".tmp";
    h5::quiet_hdf5();
    try {
        const hid_t fid = H5Fcreate(tmp.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
        if (fid < 0) throw io_error(tmp + ": cannot create HDF5 file");
        h5_handle f(fid, H5Fclose, "create " + tmp);
        const hsize_t N = w.n_rec, I = w.n_in, O = w.n_out;
        write_dataset(f, "/W_in", {N, I}, w.W_in);
        write_dataset(f, "/W_rec", {N, N}, w.W_rec);
        write_dataset(f, "/b", {N}, w.b);
        write_dataset(f, "/W_out", {O, N}, w.W_out);
        write_dataset(f, "/b_out", {O}, w.b_out);
        write_dataset(f, "/tau_ms", {N}, w.tau_ms);
        h5::string_attribute(f, "format", format_name);
        int_attribute(f, "format_version", format_version);
        h5::string_attribute(f, "kind", to_string(w.kind));
        h5::string_attribute(f, "activation", to_string(w.activation));
        h5::string_attribute(f, "readout", to_string(w.readout));
        double_attribute(f, "dt_ms", w.dt_ms);
        int_attribute(f, "n_in", static_cast<long long>(w.n_in));
        int_attribute(f, "n_rec", static_cast<long long>(w.n_rec));
        int_attribute(f, "n_out", static_cast<long long>(w.n_out));
        h5::string_attribute(f, "task", w.task);
        const auto& p = w.provenance;
        h5::string_attribute(f, "config_path", p.config_path);
        h5::string_attribute(f, "config_sha256", p.config_sha256);
        h5::string_attribute(f, "overrides", p.overrides);
        h5::string_attribute(f, "fingerprint", p.fingerprint);
        h5::string_attribute(f, "loss", p.loss);
        int_attribute(f, "iterations", p.iterations);
        double_attribute(f, "final_loss", p.final_loss);
        double_attribute(f, "final_accuracy", p.final_accuracy);
        int_attribute(f, "eval_trials", p.eval_trials);
        int_attribute(f, "ranks", p.ranks);
        h5::string_attribute(f, "created", p.created);
        h5::string_attribute(f, "config_text", p.config_text);
        h5::string_attribute(f, "resolved_config", p.resolved);
        ck(H5Fflush(f, H5F_SCOPE_GLOBAL), "flush " + tmp);
    } catch (...) {
        fs::remove(tmp, ec);
        throw;
    }
    const int fd = ::open(tmp.c_str(), O_RDONLY);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
    fs::rename(tmp, path, ec);
    if (ec) {
        std::error_code ec2;
        fs::remove(tmp, ec2);
        throw io_error(tmp + ": cannot rename to " + path + ": " + ec.message());
    }
}

rnn_weights read_rnn_weights(const std::string& path) {
    h5::quiet_hdf5();
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) throw data_error(path + ": weights file does not exist");
    const hid_t fid = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    if (fid < 0) throw data_error(path + ": cannot open as HDF5");
    h5_handle f(fid, H5Fclose, "open " + path);
    h5_handle root(H5Gopen2(f, "/", H5P_DEFAULT), H5Gclose, "open /");
    bool found = false;
    const std::string format = read_string_attribute(root, "format", path, found);
    if (!found || format != format_name)
        throw data_error(path + ": not a cortexsim rnn weights file (attribute 'format' is " +
                         (found ? "'" + format + "'" : "missing") + ", expected '" + format_name + "')");
    const double version = read_number_attribute(root, "format_version", path, found);
    if (!found || version != format_version)
        throw data_error(path + ": attribute 'format_version' is " + (found ? num(version) : "missing") +
                         ", this build reads version " + std::to_string(format_version));

    rnn_weights w;
    auto need_string = [&](const char* name) {
        bool ok = false;
        std::string s = read_string_attribute(root, name, path, ok);
        if (!ok) throw data_error(path + ": missing attribute '" + name + "'");
        return s;
    };
    const std::string kind = need_string("kind"), act = need_string("activation"), ro = need_string("readout");
    if (!parse(kind, w.kind)) throw data_error(path + ": attribute 'kind' = '" + kind + "' (allowed: vanilla, leaky)");
    if (!parse(act, w.activation))
        throw data_error(path + ": attribute 'activation' = '" + act + "' (allowed: relu, tanh, sigmoid, softplus)");
    if (!parse(ro, w.readout))
        throw data_error(path + ": attribute 'readout' = '" + ro + "' (allowed: identity, sigmoid, softmax)");
    w.dt_ms = read_number_attribute(root, "dt_ms", path, found);
    if (!found) throw data_error(path + ": missing attribute 'dt_ms'");
    if (!std::isfinite(w.dt_ms) || !(w.dt_ms > 0.0))
        throw data_error(path + ": attribute 'dt_ms' = " + num(w.dt_ms) + " must be a finite number > 0");

    std::vector<hsize_t> d_b, d_in, d_rec, d_out, d_bout, d_tau;
    w.b = read_dataset(f, "/b", 1, path, d_b);
    w.W_in = read_dataset(f, "/W_in", 2, path, d_in);
    w.b_out = read_dataset(f, "/b_out", 1, path, d_bout);
    w.W_rec = read_dataset(f, "/W_rec", 2, path, d_rec);
    w.W_out = read_dataset(f, "/W_out", 2, path, d_out);
    w.tau_ms = read_dataset(f, "/tau_ms", 1, path, d_tau);
    const hsize_t N = d_b[0], I = d_in[1], O = d_bout[0];
    if (N == 0) throw data_error(path + ": /b: no units (shape 0)");
    if (I == 0) throw data_error(path + ": /W_in: no inputs (shape " + shape_text(d_in) + ")");
    if (O == 0) throw data_error(path + ": /b_out: no outputs (shape 0)");
    const std::string nwhy = "N = " + std::to_string(N) + " from /b";
    expect_shape(path, "/W_in", d_in, {N, I}, nwhy);
    expect_shape(path, "/W_rec", d_rec, {N, N}, nwhy);
    expect_shape(path, "/W_out", d_out, {O, N}, nwhy + ", n_out = " + std::to_string(O) + " from /b_out");
    expect_shape(path, "/tau_ms", d_tau, {N}, nwhy);
    for (std::size_t i = 0; i < w.tau_ms.size(); ++i)
        if (!(w.tau_ms[i] > 0.0))
            throw data_error(path + ": /tau_ms: value " + num(w.tau_ms[i]) + " at [" + std::to_string(i) +
                             "] must be > 0");
    w.n_rec = N;
    w.n_in = I;
    w.n_out = O;
    for (const char* k : {"n_in", "n_rec", "n_out"}) {
        const double v = read_number_attribute(root, k, path, found);
        const double want = k[2] == 'i'   ? static_cast<double>(I)
                            : k[2] == 'r' ? static_cast<double>(N)
                                          : static_cast<double>(O);
        if (found && v != want)
            throw data_error(path + ": attribute '" + k + "' = " + num(v) + " does not match the datasets (" +
                             num(want) + ")");
    }

    w.task = read_string_attribute(root, "task", path, found);
    auto& p = w.provenance;
    p.config_path = read_string_attribute(root, "config_path", path, found);
    p.config_sha256 = read_string_attribute(root, "config_sha256", path, found);
    p.overrides = read_string_attribute(root, "overrides", path, found);
    p.fingerprint = read_string_attribute(root, "fingerprint", path, found);
    p.loss = read_string_attribute(root, "loss", path, found);
    const double it = read_number_attribute(root, "iterations", path, found);
    p.iterations = found ? static_cast<std::int64_t>(it) : 0;
    p.final_loss = read_number_attribute(root, "final_loss", path, found);
    p.final_accuracy = read_number_attribute(root, "final_accuracy", path, found);
    const double et = read_number_attribute(root, "eval_trials", path, found);
    p.eval_trials = found ? static_cast<std::int64_t>(et) : 0;
    const double rk = read_number_attribute(root, "ranks", path, found);
    p.ranks = found ? static_cast<std::int32_t>(rk) : 0;
    p.created = read_string_attribute(root, "created", path, found);
    p.config_text = read_string_attribute(root, "config_text", path, found);
    p.resolved = read_string_attribute(root, "resolved_config", path, found);
    w.validate(path);
    return w;
}

}  // namespace cortexsim::rnn

// ---- the weights file piece by piece: what the simulator's ranks read (each its own rows) ------------------

namespace cortexsim {
namespace {

std::string num(double v) { return shortest_text(v); }

// ---- HDF5: the weights file, serially, piece by piece ------------------------------------------------------

using h5::h5_handle;
const char* const weights_format = rnn::detail::format_name;
constexpr double weights_format_version = rnn::detail::format_version;

using rnn::detail::shape_text;

/// One weights file opened read-only (each rank opens its own handle; no MPI-IO).
class weights_file {
public:
    explicit weights_file(const std::string& path) : path_(path) {
        h5::quiet_hdf5();
        std::error_code ec;
        if (!std::filesystem::is_regular_file(path, ec)) throw data_error(path + ": weights file does not exist");
        id_ = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
        if (id_ < 0) throw data_error(path + ": cannot open as HDF5");
    }
    ~weights_file() { H5Fclose(id_); }
    weights_file(const weights_file&) = delete;
    weights_file& operator=(const weights_file&) = delete;
    hid_t id() const { return id_; }
    const std::string& path() const { return path_; }

    /// A scalar string attribute of "/" (fixed or variable length); found = false if absent.
    std::string string_attribute(const char* name, bool& found) const {
        return rnn::detail::read_string_attribute(id_, name, path_, found);
    }

    /// A scalar numeric attribute of "/"; found = false if absent.
    double number_attribute(const char* name, bool& found) const {
        return rnn::detail::read_number_attribute(id_, name, path_, found);
    }

    /// The dimensions of a floating-point dataset of rank 1 or 2 (data_error if missing, not float, other rank).
    std::vector<hsize_t> shape(const std::string& name) const {
        h5_handle d(open(name), H5Dclose, "open " + name);
        return dims(d, name);
    }

    /// Rows [begin, end) of a 2-D dataset (entries of a 1-D one) into out (row-major), checked finite.
    void read(const std::string& name, std::size_t begin, std::size_t end, std::vector<double>& out) const {
        h5_handle d(open(name), H5Dclose, "open " + name);
        const std::vector<hsize_t> dm = dims(d, name);
        const std::string where = path_ + ": " + name;
        if (begin > end || end > dm[0])
            throw data_error(where + ": rows [" + std::to_string(begin) + ", " + std::to_string(end) +
                             ") outside its shape " + shape_text(dm));
        const hsize_t cols = dm.size() == 2 ? dm[1] : 1;
        check_allocation(product_of({static_cast<double>(end - begin), static_cast<double>(cols), 8.0}),
                         where + ": rows [" + std::to_string(begin) + ", " + std::to_string(end) + ") of shape " +
                             shape_text(dm));
        out.resize((end - begin) * cols);
        if (out.empty()) return;
        h5_handle fs(H5Dget_space(d), H5Sclose, "dataspace " + name);
        std::vector<hsize_t> start(dm.size(), 0), count = dm;
        start[0] = begin;
        count[0] = end - begin;
        h5::ck(H5Sselect_hyperslab(fs, H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr),
               "select rows of " + name);
        h5_handle ms(H5Screate_simple(static_cast<int>(count.size()), count.data(), nullptr), H5Sclose,
                     "memory space " + name);
        if (H5Dread(d, H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, out.data()) < 0)
            throw data_error(where + ": cannot be read");
        for (std::size_t q = 0; q < out.size(); ++q)
            if (!std::isfinite(out[q])) {
                std::string idx(1, '[');  // (appended piecewise: a GCC 12 -Wrestrict false positive)
                idx += std::to_string(dm.size() == 2 ? begin + q / cols : begin + q);
                if (dm.size() == 2) {
                    idx += "][";
                    idx += std::to_string(q % cols);
                }
                idx += ']';
                throw data_error(where + ": value " + num(out[q]) + " at " + idx + " is not finite");
            }
    }

private:
    hid_t open(const std::string& name) const {
        const std::string where = path_ + ": " + name;
        if (H5Lexists(id_, name.c_str(), H5P_DEFAULT) <= 0) throw data_error(where + ": missing dataset");
        return h5::open_input_dataset(id_, name, path_);
    }
    std::vector<hsize_t> dims(hid_t d, const std::string& name) const {
        const std::string where = path_ + ": " + name;
        h5_handle t(H5Dget_type(d), H5Tclose, "type of " + name);
        if (H5Tget_class(t) != H5T_FLOAT) throw data_error(where + ": is not a floating-point dataset");
        h5_handle space(H5Dget_space(d), H5Sclose, "dataspace " + name);
        const int nd = H5Sget_simple_extent_ndims(space);
        std::vector<hsize_t> dm(static_cast<std::size_t>(std::max(nd, 0)), 0);
        if (nd > 0) H5Sget_simple_extent_dims(space, dm.data(), nullptr);
        if (nd != 1 && nd != 2) throw data_error(where + ": has " + std::to_string(nd) + " dimensions");
        return dm;
    }

    std::string path_;
    hid_t id_ = -1;
};

}  // namespace

rnn_weights_header read_rnn_weights_header(const std::string& path) {
    const weights_file f(path);
    bool found = false;
    const std::string format = f.string_attribute("format", found);
    if (!found || format != weights_format)
        throw data_error(path + ": not a cortexsim rnn weights file (attribute 'format' is " +
                         (found ? "'" + format + "'" : std::string("missing")) + ", expected '" + weights_format +
                         "')");
    const double version = f.number_attribute("format_version", found);
    if (!found || version != weights_format_version)
        throw data_error(path + ": attribute 'format_version' is " + (found ? num(version) : "missing") +
                         ", this build reads version " + num(weights_format_version));
    rnn_weights_header h;
    auto need_string = [&](const char* name) {
        bool ok = false;
        std::string s = f.string_attribute(name, ok);
        if (!ok) throw data_error(path + ": missing attribute '" + name + "'");
        return s;
    };
    const std::string kind = need_string("kind"), act = need_string("activation"), ro = need_string("readout");
    if (!rnn::parse(kind, h.kind))
        throw data_error(path + ": attribute 'kind' = '" + kind + "' (allowed: vanilla, leaky)");
    if (!rnn::parse(act, h.activation))
        throw data_error(path + ": attribute 'activation' = '" + act + "' (allowed: relu, tanh, sigmoid, softplus)");
    if (!rnn::parse(ro, h.readout))
        throw data_error(path + ": attribute 'readout' = '" + ro + "' (allowed: identity, sigmoid, softmax)");
    h.dt_ms = f.number_attribute("dt_ms", found);
    if (!found) throw data_error(path + ": missing attribute 'dt_ms'");
    if (!std::isfinite(h.dt_ms) || !(h.dt_ms > 0.0))
        throw data_error(path + ": attribute 'dt_ms' = " + num(h.dt_ms) + " must be a finite number > 0");

    auto expect = [&](const char* name, const std::vector<hsize_t>& got, const std::vector<hsize_t>& want,
                      const std::string& why) {
        if (got != want)
            throw data_error(path + ": " + name + ": shape " + shape_text(got) + ", expected " + shape_text(want) +
                             " (" + why + ")");
    };
    const auto d_b = f.shape("/b"), d_in = f.shape("/W_in"), d_bout = f.shape("/b_out");
    if (d_b.size() != 1) throw data_error(path + ": /b: shape " + shape_text(d_b) + ", expected one dimension");
    if (d_bout.size() != 1)
        throw data_error(path + ": /b_out: shape " + shape_text(d_bout) + ", expected one dimension");
    if (d_in.size() != 2) throw data_error(path + ": /W_in: shape " + shape_text(d_in) + ", expected two dimensions");
    const hsize_t N = d_b[0], I = d_in[1], O = d_bout[0];
    if (N == 0) throw data_error(path + ": /b: no units (shape 0)");
    if (I == 0) throw data_error(path + ": /W_in: no inputs (shape " + shape_text(d_in) + ")");
    if (O == 0) throw data_error(path + ": /b_out: no outputs (shape 0)");
    if (N >= (hsize_t{1} << 31)) throw data_error(path + ": /b: " + std::to_string(N) + " units (at most 2^31 - 1)");
    const std::string nwhy = "N = " + std::to_string(N) + " from /b";
    expect("/W_in", d_in, {N, I}, nwhy);
    expect("/W_rec", f.shape("/W_rec"), {N, N}, nwhy);
    expect("/W_out", f.shape("/W_out"), {O, N}, nwhy + ", n_out = " + std::to_string(O) + " from /b_out");
    expect("/tau_ms", f.shape("/tau_ms"), {N}, nwhy);
    h.n_rec = N;
    h.n_in = I;
    h.n_out = O;
    for (const char* k : {"n_in", "n_rec", "n_out"}) {
        const double v = f.number_attribute(k, found);
        const double want = k[2] == 'i'   ? static_cast<double>(I)
                            : k[2] == 'r' ? static_cast<double>(N)
                                          : static_cast<double>(O);
        if (found && v != want)
            throw data_error(path + ": attribute '" + k + "' = " + num(v) + " does not match the datasets (" +
                             num(want) + ")");
    }
    h.task = f.string_attribute("task", found);
    return h;
}

std::vector<double> read_rnn_weights_rows(const std::string& path, const std::string& dataset, std::size_t begin,
                                          std::size_t end) {
    const weights_file f(path);
    std::vector<double> v;
    f.read(dataset, begin, end, v);
    return v;
}

}  // namespace cortexsim
