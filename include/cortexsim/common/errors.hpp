#pragma once
// Typed errors. Every message is one line that names the offending file, key or value.
#include <stdexcept>
#include <string>

namespace cortexsim {

/// Base of all cortexsim errors; what() is the one-line message shown to the user.
class error : public std::runtime_error {
public:
    explicit error(const std::string& msg) : std::runtime_error(msg) {}
};

/// A config file, key or value is wrong (unknown key, bad type, out-of-range value).
class config_error : public error {
public:
    using error::error;
};

/// A data file (CSV, HDF5 input) is missing or malformed.
class data_error : public error {
public:
    using error::error;
};

/// Output or file-system problem (existing output, missing directory, HDF5 failure).
class io_error : public error {
public:
    using error::error;
};

/// A PETSc call failed.
class petsc_error : public error {
public:
    using error::error;
};

/// An MPI call failed, or the run does not fit the communicator (e.g. more ranks than areas).
class mpi_error : public error {
public:
    using error::error;
};

/// The command line is wrong.
class usage_error : public error {
public:
    using error::error;
};

}  // namespace cortexsim
