#pragma once
// A recurrent network run by the simulator (circuit: rnn). See docs/rnn.md.
// (Filled in by the rnn-runtime work; the fields below are the contract with the config layer.)
#include <cstddef>
#include <string>
#include <vector>

namespace cortexsim {

struct rnn_spec {
    bool defined = false;
};

}  // namespace cortexsim
