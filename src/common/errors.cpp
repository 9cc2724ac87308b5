#include "cortexsim/common/errors.hpp"

namespace cortexsim {

void throw_error(error_kind kind, const std::string& msg) {
    switch (kind) {
        case error_kind::config: throw config_error(msg);
        case error_kind::data: throw data_error(msg);
        case error_kind::io: throw io_error(msg);
        case error_kind::petsc: throw petsc_error(msg);
        case error_kind::mpi: throw mpi_error(msg);
        case error_kind::usage: throw usage_error(msg);
        case error_kind::generic: break;
    }
    throw error(msg);
}

}  // namespace cortexsim
