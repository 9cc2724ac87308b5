// MATLAB v5/v7 .mat files (what MATLAB's save writes without '-v7.3'; v7 is v5 with zlib-compressed variables),
// read with libmatio for cortexsim import (docs/connectivity.md, "Importing a connectome"). The only translation
// unit that includes matio.h: no matio type leaves this file. v7.3 files (HDF5) are read by io/connectome.cpp.
#include <matio.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <memory>

#include "cortexsim/common/errors.hpp"
#include "cortexsim/common/format.hpp"
#include "cortexsim/common/memory.hpp"
#include "cortexsim/io/connectome.hpp"

namespace cortexsim {
namespace {

/// libmatio reports problems through a log function (by default lines on stderr): the first one is kept here
/// instead, so that an unreadable file gives cortexsim's one error line. A truncated file is only a warning to
/// libmatio ("Unexpected end-of-file", "InflateData: Read beyond EOF"), with the variable still returned (zeros
/// where the data are missing): any message while listing or reading makes the file unreadable here.
std::string& last_message() {
    static std::string s;
    return s;
}
void keep_message(int level, char* message) {
    const int problem = MATIO_LOG_LEVEL_ERROR | MATIO_LOG_LEVEL_CRITICAL | MATIO_LOG_LEVEL_WARNING;
    if ((level & problem) != 0 && message && last_message().empty()) last_message() = message;
}
std::string reason() { return last_message().empty() ? std::string() : " (" + printable(last_message(), 200) + ")"; }

struct mat_close {
    void operator()(mat_t* m) const { Mat_Close(m); }
};
struct var_free {
    void operator()(matvar_t* v) const { Mat_VarFree(v); }
};
using mat_ptr = std::unique_ptr<mat_t, mat_close>;
using var_ptr = std::unique_ptr<matvar_t, var_free>;

mat_ptr open_v5(const std::string& file) {
    Mat_LogInitFunc("cortexsim", keep_message);
    last_message().clear();
    mat_ptr m(Mat_Open(file.c_str(), MAT_ACC_RDONLY));
    if (!m) throw data_error(file + ": cannot be read as a MATLAB v5/v7 .mat file" + reason());
    if (Mat_GetVersion(m.get()) != MAT_FT_MAT5)
        throw data_error(file + ": is not a MATLAB v5/v7 .mat file (save it with save(..., '-v7') or '-v7.3')");
    return m;
}

var_ptr read_var(mat_t* m, const std::string& file, const std::string& var) {
    const std::string where = file + ": variable '" + printable(var) + "'";
    last_message().clear();
    var_ptr v(var.empty() ? nullptr : Mat_VarRead(m, var.c_str()));
    if (!v || !last_message().empty())
        throw data_error(where + (last_message().empty() ? ": no such variable" : ": cannot be read" + reason()));
    return v;
}

const char* class_name(const matvar_t& v) {
    if (v.isLogical) return "logical";
    switch (v.class_type) {
        case MAT_C_EMPTY: return "empty";
        case MAT_C_CELL: return "cell";
        case MAT_C_STRUCT: return "struct";
        case MAT_C_OBJECT: return "object";
        case MAT_C_CHAR: return "char";
        case MAT_C_SPARSE: return "sparse";
        case MAT_C_DOUBLE: return "double";
        case MAT_C_SINGLE: return "single";
        case MAT_C_INT8: return "int8";
        case MAT_C_UINT8: return "uint8";
        case MAT_C_INT16: return "int16";
        case MAT_C_UINT16: return "uint16";
        case MAT_C_INT32: return "int32";
        case MAT_C_UINT32: return "uint32";
        case MAT_C_INT64: return "int64";
        case MAT_C_UINT64: return "uint64";
        case MAT_C_FUNCTION: return "function_handle";
        default: return "opaque";
    }
}

template <typename T>
double load(const void* data, std::size_t k) {
    T x;
    std::memcpy(&x, static_cast<const char*>(data) + k * sizeof(T), sizeof(T));
    return static_cast<double>(x);
}

/// Element k of an array of data type t as a double; false if t is not numeric or the value is an integer that
/// a double does not hold exactly (|x| > 2^53).
bool element(const void* data, matio_types t, std::size_t k, double& v) {
    switch (t) {
        case MAT_T_DOUBLE: v = load<double>(data, k); return true;
        case MAT_T_SINGLE: v = load<float>(data, k); return true;
        case MAT_T_INT8: v = load<std::int8_t>(data, k); return true;
        case MAT_T_UINT8: v = load<std::uint8_t>(data, k); return true;
        case MAT_T_INT16: v = load<std::int16_t>(data, k); return true;
        case MAT_T_UINT16: v = load<std::uint16_t>(data, k); return true;
        case MAT_T_INT32: v = load<std::int32_t>(data, k); return true;
        case MAT_T_UINT32: v = load<std::uint32_t>(data, k); return true;
        case MAT_T_INT64: {
            std::int64_t x;
            std::memcpy(&x, static_cast<const char*>(data) + k * 8, 8);
            v = static_cast<double>(x);
            return x >= -(std::int64_t{1} << 53) && x <= (std::int64_t{1} << 53);
        }
        case MAT_T_UINT64: {
            std::uint64_t x;
            std::memcpy(&x, static_cast<const char*>(data) + k * 8, 8);
            v = static_cast<double>(x);
            return x <= (std::uint64_t{1} << 53);
        }
        default: return false;
    }
}

std::size_t element_bytes(matio_types t) {
    switch (t) {
        case MAT_T_INT8:
        case MAT_T_UINT8:
        case MAT_T_UTF8: return 1;
        case MAT_T_INT16:
        case MAT_T_UINT16:
        case MAT_T_UTF16: return 2;
        case MAT_T_INT32:
        case MAT_T_UINT32:
        case MAT_T_UTF32:
        case MAT_T_SINGLE: return 4;
        case MAT_T_DOUBLE:
        case MAT_T_INT64:
        case MAT_T_UINT64: return 8;
        default: return 0;
    }
}

/// A char array (rows x len, column-major code units) as its rows, trailing blanks removed.
std::vector<std::string> char_rows(const matvar_t& v, const std::string& where) {
    if (v.class_type != MAT_C_CHAR) throw data_error(where + ": is neither a char array nor a cell array");
    if (v.rank != 2) throw data_error(where + ": is not a 2-D char array");
    const std::size_t n = v.dims[0], len = v.dims[1], w = element_bytes(v.data_type);
    if (w == 0 || (n * len > 0 && (!v.data || v.nbytes < n * len * w)))
        throw data_error(where + ": char data cannot be read");
    std::vector<std::string> out(n);
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t k = 0; k < len; ++k) {
            std::uint32_t c = 0;
            const char* p = static_cast<const char*>(v.data) + (k * n + i) * w;
            if (w == 1) c = static_cast<unsigned char>(*p);
            if (w == 2) {
                std::uint16_t x;
                std::memcpy(&x, p, 2);
                c = x;
            }
            if (w == 4) std::memcpy(&c, p, 4);
            if (c > 127) throw data_error(where + ": has a non-ASCII character in label " + std::to_string(i + 1));
            if (c != 0) out[i] += static_cast<char>(c);
        }
        while (!out[i].empty() && out[i].back() == ' ') out[i].pop_back();  // char matrices are space-padded
    }
    return out;
}

}  // namespace

int mat_file_version(const std::string& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw data_error(file + ": cannot open (missing or unreadable)");
    std::string head(520, '\0');
    in.read(head.data(), static_cast<std::streamsize>(head.size()));
    head.resize(static_cast<std::size_t>(in.gcount()));
    static const std::string hdf5("\x89HDF\r\n\x1a\n", 8);
    if (head.compare(0, 8, hdf5) == 0 || (head.size() >= 520 && head.compare(512, 8, hdf5) == 0)) return 73;
    if (head.rfind("MATLAB", 0) == 0 && head.size() >= 128) {
        // bytes 124-125: the version, 0x0100 (v5/v7) or 0x0200 (v7.3), in the writer's byte order
        const unsigned char a = static_cast<unsigned char>(head[124]), b = static_cast<unsigned char>(head[125]);
        return (a == 2 && b == 0) || (a == 0 && b == 2) ? 73 : 5;
    }
    // v4 has no text header: libmatio recognises it by its first variable
    Mat_LogInitFunc("cortexsim", keep_message);
    mat_ptr m(Mat_Open(file.c_str(), MAT_ACC_RDONLY));
    return m && Mat_GetVersion(m.get()) == MAT_FT_MAT4 ? 4 : 0;
}

std::vector<h5_variable> mat5_variables(const std::string& file) {
    auto m = open_v5(file);
    std::vector<h5_variable> out;
    last_message().clear();
    while (var_ptr v{Mat_VarReadNextInfo(m.get())}) {
        h5_variable x;
        x.name = v->name ? v->name : "";
        for (int k = 0; k < v->rank; ++k) x.dims.push_back(v->dims[k]);
        x.matlab_class = class_name(*v);
        out.push_back(std::move(x));
    }
    if (!last_message().empty()) throw data_error(file + ": cannot be read as a MATLAB v5/v7 .mat file" + reason());
    return out;
}

std::vector<double> read_mat5_matrix(const std::string& file, const std::string& var, std::size_t& rows,
                                     std::size_t& cols) {
    const std::string where = file + ": variable '" + printable(var) + "'";
    auto m = open_v5(file);
    const auto v = read_var(m.get(), file, var);
    const bool numeric = v->class_type == MAT_C_SPARSE ||
                         (v->class_type >= MAT_C_DOUBLE && v->class_type <= MAT_C_UINT64);
    if (!numeric) throw data_error(where + ": is not a numeric matrix (MATLAB class " + class_name(*v) + ")");
    if (v->isComplex) throw data_error(where + ": is complex (a real matrix is needed)");
    if (v->rank != 2) throw data_error(where + ": is not a 2-D matrix (" + std::to_string(v->rank) + " dimensions)");
    rows = v->dims[0];
    cols = v->dims[1];
    check_allocation(8.0 * static_cast<double>(rows) * static_cast<double>(cols), where);
    std::vector<double> out(rows * cols, 0.0);
    if (v->class_type == MAT_C_SPARSE) {
        // compressed sparse columns: column j holds the entries jc[j] .. jc[j+1]-1, in rows ir[k]
        const auto* s = static_cast<const mat_sparse_t*>(v->data);
        if (!s || s->njc != cols + 1 || (s->ndata > 0 && !s->data))
            throw data_error(where + ": sparse matrix cannot be read");
        for (std::size_t j = 0; j < cols; ++j) {
            for (std::size_t k = s->jc[j]; k < s->jc[j + 1]; ++k) {
                double x = 0;
                if (k >= s->nir || k >= s->ndata || s->ir[k] >= rows || !element(s->data, v->data_type, k, x))
                    throw data_error(where + ": sparse matrix cannot be read (entry " + std::to_string(k + 1) + ")");
                out[s->ir[k] * cols + j] = x;
            }
        }
        return out;
    }
    const std::size_t n = rows * cols;
    if (n > 0 && (!v->data || element_bytes(v->data_type) == 0 || v->nbytes < n * element_bytes(v->data_type)))
        throw data_error(where + ": cannot be read as numbers");
    for (std::size_t i = 0; i < rows; ++i) {
        for (std::size_t j = 0; j < cols; ++j) {
            double x = 0;
            if (!element(v->data, v->data_type, j * rows + i, x))  // MATLAB arrays are column-major
                throw data_error(where + ": value at row " + std::to_string(i + 1) + ", column " +
                                 std::to_string(j + 1) + " is an integer a double cannot hold exactly");
            out[i * cols + j] = x;
        }
    }
    return out;
}

std::vector<std::string> read_mat5_strings(const std::string& file, const std::string& var) {
    const std::string where = file + ": variable '" + printable(var) + "'";
    auto m = open_v5(file);
    const auto v = read_var(m.get(), file, var);
    if (v->class_type == MAT_C_CHAR) return char_rows(*v, where);
    if (v->class_type != MAT_C_CELL)
        throw data_error(where + ": is neither a char array nor a cell array (MATLAB class " + class_name(*v) + ")");
    std::size_t n = 1;
    for (int k = 0; k < v->rank; ++k) n *= v->dims[k];
    std::vector<std::string> out;
    for (std::size_t i = 0; i < n; ++i) {
        const std::string cw = where + " cell " + std::to_string(i + 1);
        const matvar_t* c = Mat_VarGetCell(v.get(), static_cast<int>(i));
        if (!c) throw data_error(cw + ": cannot be read");
        if (c->class_type != MAT_C_CHAR)
            throw data_error(cw + ": is not a char array (MATLAB class " + class_name(*c) + ")");
        std::string joined;  // a 1 x len char array
        for (const auto& x : char_rows(*c, cw)) joined += x;
        out.push_back(joined);
    }
    return out;
}

}  // namespace cortexsim
