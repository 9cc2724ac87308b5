#pragma once
// The recurrent matrix W_rec of a network run by the simulator (circuit rnn; docs/rnn_runtime.md) as the
// coupling's rows: each rank reads or generates only its own rows, never the whole matrix.
#include <cstddef>

#include "cortexsim/connectivity/connectivity.hpp"
#include "cortexsim/spec/model_spec.hpp"

namespace cortexsim {

/// Rows [begin, end) of W_rec (CSR, global column ids strictly increasing, exact zeros dropped): read from the
/// weights file by hyperslab (blocks of rows; values checked finite) or generated from the initialisation seed
/// (the same rows for any split). Throws config_error for a spec without model.rnn or rows out of range,
/// data_error for a bad weights file.
local_rows rnn_recurrent_rows(const model_spec& m, std::size_t begin, std::size_t end);

}  // namespace cortexsim
