#include "run_control.hpp"

#include <algorithm>
#include <cstdio>

#include "cortexsim/app/signals.hpp"
#include "cortexsim/common/collective.hpp"
#include "cortexsim/common/time.hpp"

namespace cortexsim {
namespace {
constexpr std::int64_t control_every = 1024;  // steps between control points (signals, progress)
}

run_control::run_control(const model_spec& spec, MPI_Comm comm, const run_control_options& o, std::int64_t first_step,
                         std::function<void(std::int64_t)> save)
    : spec_(spec), comm_(comm), o_(o), first_step_(first_step), save_(std::move(save)), rank_(comm_rank(comm)) {
    install_stop_signal_handlers();
    t_start_ = last_print_ = last_ckpt_ = std::chrono::steady_clock::now();
    if (o_.until_step <= first_step_) o_.until_step = -1;  // nothing left to stop at
}

control_hook run_control::hook() {
    control_hook h;
    h.first = std::min(spec_.run.n_steps, first_step_ + 1);
    h.fn = [this](std::int64_t k) { return at(k); };
    return h;
}

std::int64_t run_control::at(std::int64_t k) {
    using clock = std::chrono::steady_clock;
    const std::int64_t n_steps = spec_.run.n_steps, ckpt_every = spec_.checkpoint.every_steps;
    const double wall_every_s = spec_.checkpoint.every_wall_min * 60.0;
    const auto now = clock::now();
    if (!o_.quiet && rank_ == 0 && std::chrono::duration<double>(now - last_print_).count() >= 2.0) {
        last_print_ = now;
        const double wall = std::chrono::duration<double>(now - t_start_).count();
        const double rate = static_cast<double>(k - first_step_) / wall;
        std::printf("[cortexsim] t = %.3f / %.3f s | %.3g steps/s | ETA %.1f s\n", seconds_of(k, spec_.run.dt_ms),
                    seconds_of(n_steps, spec_.run.dt_ms), rate, static_cast<double>(n_steps - k) / rate);
        std::fflush(stdout);
    }
    int flags[3] = {stop_signal_received(),
                    rank_ == 0 && wall_every_s > 0 &&
                        std::chrono::duration<double>(now - last_ckpt_).count() >= wall_every_s,
                    o_.fault && o_.fault()};
    int agreed[3] = {0, 0, 0};
    check_mpi(MPI_Allreduce(flags, agreed, 3, MPI_INT, MPI_MAX, comm_), "MPI_Allreduce");
    if (agreed[2]) {  // a non-finite state: no checkpoint of it; the caller reports and exits 1
        fault_ = true;
        return control_hook::stop_now;
    }
    if (agreed[0] || k == o_.until_step) {
        stopped_by_ = agreed[0];
        save_(k);
        last_ckpt_ = clock::now();
        return control_hook::stop_now;
    }
    if (agreed[1] || (ckpt_every > 0 && k % ckpt_every == 0)) {
        save_(k);
        last_ckpt_ = clock::now();
    }
    std::int64_t next = k + control_every;
    if (ckpt_every > 0) next = std::min(next, (k / ckpt_every + 1) * ckpt_every);
    if (o_.until_step > k) next = std::min(next, o_.until_step);
    return next;
}

}  // namespace cortexsim
