#pragma once
// Private to the app: run control, the one control hook of a run (engine.hpp): the progress line, stop signals
// (SIGTERM, SIGUSR1, SIGINT: agreed across ranks, then a checkpoint and exit 3), periodic checkpoints (every
// checkpoint.every_sim_s of model time or checkpoint.every_wall_min of wall time) and --until-s.
#include <mpi.h>

#include <chrono>
#include <cstdint>
#include <functional>

#include "cortexsim/integrator/engine.hpp"
#include "cortexsim/spec/model_spec.hpp"

namespace cortexsim {

struct run_control_options {
    bool quiet = false;
    std::int64_t until_step = -1;  // stop with a checkpoint at this step (-1: never)
    std::function<bool()> fault;   // this rank's model turned non-finite: stop (no checkpoint) once any rank says so
};

class run_control {
public:
    /// save(k) writes a checkpoint at step k (collective).
    run_control(const model_spec& spec, MPI_Comm comm, const run_control_options& o, std::int64_t first_step,
                std::function<void(std::int64_t)> save);
    /// The hook to pass to engine::run.
    control_hook hook();
    /// The signal that stopped the run (0: none, or --until-s).
    int stopped_by() const { return stopped_by_; }
    /// The run was stopped because a rank's fault() said so.
    bool stopped_by_fault() const { return fault_; }

private:
    std::int64_t at(std::int64_t k);

    const model_spec& spec_;
    MPI_Comm comm_;
    run_control_options o_;
    std::int64_t first_step_;
    std::function<void(std::int64_t)> save_;
    int rank_ = 0, stopped_by_ = 0;
    bool fault_ = false;
    std::chrono::steady_clock::time_point t_start_, last_print_, last_ckpt_;
};

}  // namespace cortexsim
