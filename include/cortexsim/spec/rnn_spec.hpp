#pragma once
// A recurrent network run by the simulator (circuit: rnn; docs/rnn.md, "Running a network"). The units are
// the "areas" of the model (one population "a" each). A trained network comes from a weights file (the config
// reads and validates it once; every rank keeps it); a large random network is generated row by row from a
// seed (no rank holds W_rec), its W_rec entries kept with probability `density` and drawn from
// N(0, rho^2 / (N density)), so that its spectral radius is ~rho by the circular law.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "cortexsim/rnn/network.hpp"

namespace cortexsim {

struct rnn_spec {
    bool defined = false;
    std::string weights_path;                       // "" = random initialisation
    std::shared_ptr<const rnn::rnn_weights> weights;  // the file's network (null for a random one)
    // the network (from the file, or the init section)
    rnn::rnn_kind kind = rnn::rnn_kind::leaky;
    rnn::activation_kind activation = rnn::activation_kind::tanh;
    rnn::readout_kind readout = rnn::readout_kind::softmax;
    double dt_ms = 10.0;
    std::size_t n_units = 0, n_in = 0, n_out = 0;
    // random initialisation
    double spectral_radius = 0.9, density = 1.0, tau_ms = 100.0, input_scale = 1.0, output_scale = 1.0;
    std::uint64_t init_seed = 1;
    std::vector<double> W_out, b_out;  // [n_out][N], [n_out] (every rank; the readout runs on rank 0)
    // the task whose trials are fed in: first_trial .. first_trial + n_trials - 1, drawn with trial_seed
    std::string task;                  // description (rnn/tasks.hpp)
    std::uint64_t first_trial = 0, n_trials = 1, trial_seed = 0;
};

}  // namespace cortexsim
