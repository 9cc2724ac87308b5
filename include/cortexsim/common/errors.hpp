#pragma once
// Typed errors. Every message is one line that names the offending file, key or value.
// Each type has an error_kind, so that an error can cross ranks with its type (run_collectively).
#include <cstddef>
#include <stdexcept>
#include <string>

#include "cortexsim/common/format.hpp"

namespace cortexsim {

enum class error_kind : int { generic = 0, config = 1, data = 2, io = 3, petsc = 4, mpi = 5, usage = 6 };

/// At most this many bytes of a message are kept (then "... (N bytes)").
constexpr std::size_t max_message_bytes = 4000;

/// Base of all cortexsim errors; what() is the one-line message shown to the user. Whatever input text the
/// message echoes (config values, CSV cells, names, paths), it is kept as one line of printable ASCII:
/// newlines, control characters and non-ASCII bytes are escaped (printable(), common/format.hpp).
class error : public std::runtime_error {
public:
    explicit error(const std::string& msg) : std::runtime_error(printable(msg, max_message_bytes)) {}
    virtual error_kind kind() const noexcept { return error_kind::generic; }
};

#define CORTEXSIM_ERROR_TYPE(name, k)                                       \
    class name : public error {                                             \
    public:                                                                 \
        using error::error;                                                 \
        error_kind kind() const noexcept override { return error_kind::k; } \
    }

/// A config file, key or value is wrong (unknown key, bad type, out-of-range value).
CORTEXSIM_ERROR_TYPE(config_error, config);
/// A data file (CSV, HDF5 input, weights file) is missing or malformed.
CORTEXSIM_ERROR_TYPE(data_error, data);
/// Output or file-system problem (existing output, missing directory, HDF5 failure).
CORTEXSIM_ERROR_TYPE(io_error, io);
/// A PETSc call failed.
CORTEXSIM_ERROR_TYPE(petsc_error, petsc);
/// An MPI call failed, or the run does not fit the communicator (e.g. more ranks than areas).
CORTEXSIM_ERROR_TYPE(mpi_error, mpi);
/// The command line is wrong.
CORTEXSIM_ERROR_TYPE(usage_error, usage);

#undef CORTEXSIM_ERROR_TYPE

/// Throws the error of `kind` with message `msg` (how an error is rebuilt on another rank).
[[noreturn]] void throw_error(error_kind kind, const std::string& msg);

}  // namespace cortexsim
