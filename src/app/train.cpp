#include "cortexsim/app/train.hpp"

#include <chrono>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cortexsim/common/collective.hpp"
#include "cortexsim/common/errors.hpp"
#include "cortexsim/common/format.hpp"
#include "cortexsim/common/time.hpp"
#include "cortexsim/common/sha256.hpp"
#include "cortexsim/config/train_config.hpp"
#include "cortexsim/io/rnn_weights.hpp"

namespace cortexsim::rnn {
namespace {

namespace fs = std::filesystem;

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

/// First trial (of n) of rank r of P: n r / P.
std::int64_t share_begin(std::int64_t n, int r, int P) { return n * r / P; }

}  // namespace

// ---- evaluation --------------------------------------------------------------------------------------------

loss_sums evaluate_rnn(const rnn_weights& w, const task& t, loss_kind loss, std::uint64_t first_index,
                       std::int64_t n_trials, MPI_Comm comm) {
    const int rank = comm_rank(comm), P = comm_size(comm);
    double local[4] = {0, 0, 0, 0}, sum[4] = {0, 0, 0, 0};
    std::string err;
    try {
        rnn_engine eng(w);
        for (std::int64_t j = share_begin(n_trials, rank, P); j < share_begin(n_trials, rank + 1, P); ++j) {
            const trial tr = t.generate(t.seed(), first_index + static_cast<std::uint64_t>(j));
            const loss_sums s = eng.evaluate(tr, loss);
            local[0] += s.loss;
            local[1] += s.weight;
            local[2] += s.correct;
            local[3] += s.counted;
        }
    } catch (const std::exception& e) {
        err = e.what();
    }
    run_collectively(comm, [&] {
        if (!err.empty()) throw error(err);
    });
    check_mpi(MPI_Allreduce(local, sum, 4, MPI_DOUBLE, MPI_SUM, comm), "MPI_Allreduce");
    return {sum[0], sum[1], sum[2], sum[3]};
}

// ---- training ----------------------------------------------------------------------------------------------

train_result train_rnn(const train_config& cfg, MPI_Comm comm, const train_options& opt) {
    const int rank = comm_rank(comm), P = comm_size(comm);
    if (!cfg.task_ptr) throw config_error("train_rnn: no task");
    const task& tk = *cfg.task_ptr;

    rnn_weights w = init_weights(cfg.network);
    w.task = tk.description();
    const std::size_t np = n_params(w);

    train_state st;
    st.fingerprint = cfg.fingerprint;
    if (opt.resume) {
        st = *opt.resume;
        if (st.fingerprint != cfg.fingerprint)
            throw config_error("the checkpoint belongs to another training configuration (fingerprint " +
                               st.fingerprint.substr(0, 12) + "..., this config " + cfg.fingerprint.substr(0, 12) +
                               "...)");
        if (st.params.size() != np || st.adam_m.size() != np || st.adam_v.size() != np)
            throw data_error("the checkpoint holds " + std::to_string(st.params.size()) + " parameters, the network " +
                             std::to_string(np));
        set_params(w, st.params);
    } else {
        st.params = get_params(w);
        st.adam_m.assign(np, 0.0);
        st.adam_v.assign(np, 0.0);
    }

    const bool checkpoints = cfg.checkpoint_every > 0;
    const std::string ckpt_path = cfg.checkpoint_path.empty() ? cfg.output_path + ".ckpt" : cfg.checkpoint_path;
    const bool talk = rank == 0 && !opt.quiet && opt.log;
    const std::int64_t B = cfg.batch;
    const std::int64_t j0 = share_begin(B, rank, P), j1 = share_begin(B, rank + 1, P);
    if (talk) {
        std::fprintf(opt.log,
                     "cortexsim train: task %s | %s network, %zu units, %s, %s readout, %zu parameters | %s loss, "
                     "batch %lld on %d rank%s | iterations %lld..%lld\n",
                     tk.description().c_str(), to_string(w.kind).c_str(), w.n_rec, to_string(w.activation).c_str(),
                     to_string(w.readout).c_str(), np, to_string(cfg.loss).c_str(), static_cast<long long>(B), P,
                     P == 1 ? "" : "s", static_cast<long long>(st.iteration + 1),
                     static_cast<long long>(cfg.iterations));
        std::fflush(opt.log);
    }

    rnn_engine eng(w);
    std::vector<double> buf(np + 5), sum(np + 5), g(np);
    const auto t0 = std::chrono::steady_clock::now();
    const double wall_before = st.wall_s;
    std::string err;
    while (st.iteration < cfg.iterations && !st.stopped) {
        const std::int64_t it = st.iteration;  // 0-based index of this step
        eng.set_weights(w);
        std::fill(buf.begin(), buf.end(), 0.0);
        try {
            for (std::int64_t j = j0; j < j1; ++j) {
                const trial tr = tk.generate(tk.seed(), static_cast<std::uint64_t>(it * B + j));
                const loss_sums s = eng.accumulate_gradient(tr, cfg.loss, buf.data());
                buf[np] += s.loss;
                buf[np + 1] += s.weight;
                buf[np + 2] += s.correct;
                buf[np + 3] += s.counted;
            }
        } catch (const std::exception& e) {
            err = e.what();
        }
        buf[np + 4] = err.empty() ? 0.0 : 1.0;  // a failure on any rank travels with the gradient
        check_mpi(MPI_Allreduce(buf.data(), sum.data(), static_cast<int>(np + 5), MPI_DOUBLE, MPI_SUM, comm),
                  "MPI_Allreduce");
        if (sum[np + 4] > 0.0)
            run_collectively(comm, [&] {
                if (!err.empty()) throw error(err);
            });
        const double weight = sum[np + 1];
        const double loss = weight > 0.0 ? sum[np] / weight : 0.0;
        const double acc = sum[np + 3] > 0.0 ? sum[np + 2] / sum[np + 3] : 0.0;
        const double inv = weight > 0.0 ? 1.0 / weight : 0.0;
        double norm2 = 0.0;
        for (std::size_t i = 0; i < np; ++i) {
            g[i] = sum[i] * inv;
            norm2 += g[i] * g[i];
        }
        const double norm = std::sqrt(norm2);
        if (!std::isfinite(loss) || !std::isfinite(norm))
            throw error("training diverged at iteration " + std::to_string(it + 1) + " (loss " + std::to_string(loss) +
                        ", gradient norm " + std::to_string(norm) +
                        "); lower training.learning_rate or training.clip_norm");
        if (cfg.clip_norm > 0.0 && norm > cfg.clip_norm) {
            const double f = cfg.clip_norm / norm;
            for (double& x : g) x *= f;
        }
        // Adam (Kingma & Ba 2015), bias-corrected moments
        const double tstep = static_cast<double>(it + 1);
        const double c1 = 1.0 - std::pow(cfg.beta1, tstep), c2 = 1.0 - std::pow(cfg.beta2, tstep);
        for (std::size_t i = 0; i < np; ++i) {
            st.adam_m[i] = cfg.beta1 * st.adam_m[i] + (1.0 - cfg.beta1) * g[i];
            st.adam_v[i] = cfg.beta2 * st.adam_v[i] + (1.0 - cfg.beta2) * g[i] * g[i];
            const double mh = st.adam_m[i] / c1, vh = st.adam_v[i] / c2;
            st.params[i] -= cfg.learning_rate * mh / (std::sqrt(vh) + cfg.epsilon);
        }
        set_params(w, st.params);
        st.iteration = it + 1;
        st.loss_history.push_back(loss);
        st.accuracy_history.push_back(acc);

        const bool last = st.iteration == cfg.iterations;
        if (st.iteration % cfg.progress_every == 0 || last) {
            // means over the iterations since the previous multiple of progress_every, from the history (so that
            // a resumed run prints and decides exactly as the uninterrupted one)
            const std::int64_t from = ((st.iteration - 1) / cfg.progress_every) * cfg.progress_every;
            double ml = 0.0, ma = 0.0;
            for (std::int64_t k = from; k < st.iteration; ++k) {
                ml += st.loss_history[static_cast<std::size_t>(k)];
                ma += st.accuracy_history[static_cast<std::size_t>(k)];
            }
            ml /= static_cast<double>(st.iteration - from);
            ma /= static_cast<double>(st.iteration - from);
            if (talk) {
                std::fprintf(opt.log, "iteration %7lld/%lld  loss %.5f  accuracy %6.2f %%  wall %8.1f s\n",
                             static_cast<long long>(st.iteration), static_cast<long long>(cfg.iterations), ml,
                             100.0 * ma, wall_before + seconds_since(t0));
                std::fflush(opt.log);
            }
            if (cfg.stop_accuracy > 0.0 && ma >= cfg.stop_accuracy && st.iteration % cfg.progress_every == 0) {
                // confirm on held-out validation trials with the current weights (the batch means above were
                // taken with the weights of earlier iterations, which may still be changing fast)
                double va = ma;
                if (cfg.eval_trials > 0) {
                    const loss_sums v = evaluate_rnn(w, tk, cfg.loss, validation_index_base, cfg.eval_trials, comm);
                    va = v.counted > 0.0 ? v.correct / v.counted : 0.0;
                }
                st.stopped = va >= cfg.stop_accuracy;
                if (talk) {
                    std::fprintf(opt.log,
                                 "%s: mean batch accuracy %.2f %%, validation accuracy %.2f %% (%lld trials) %s "
                                 "training.stop_accuracy\n",
                                 st.stopped ? "stopping" : "continuing", 100.0 * ma, 100.0 * va,
                                 static_cast<long long>(cfg.eval_trials), st.stopped ? ">=" : "<");
                    std::fflush(opt.log);
                }
            }
        }
        if (checkpoints && (st.iteration % cfg.checkpoint_every == 0 || last || st.stopped)) {
            double wall = wall_before + seconds_since(t0);
            check_mpi(MPI_Bcast(&wall, 1, MPI_DOUBLE, 0, comm), "MPI_Bcast");
            st.wall_s = wall;
            st.ranks_at_save = P;
            run_collectively(comm, [&] {
                if (rank == 0) write_train_checkpoint(ckpt_path, st);
            });
        }
    }
    double wall = seconds_since(t0);
    check_mpi(MPI_Bcast(&wall, 1, MPI_DOUBLE, 0, comm), "MPI_Bcast");

    train_result r;
    r.loss_history = st.loss_history;
    r.accuracy_history = st.accuracy_history;
    r.iterations = st.iteration;
    r.stopped_early = st.stopped;
    r.wall_s = wall;
    r.total_wall_s = wall_before + wall;
    if (cfg.eval_trials > 0) {
        const loss_sums s = evaluate_rnn(w, tk, cfg.loss, eval_index_base, cfg.eval_trials, comm);
        r.eval_loss = s.weight > 0.0 ? s.loss / s.weight : 0.0;
        r.eval_accuracy = s.counted > 0.0 ? s.correct / s.counted : 0.0;
    } else {
        r.eval_loss = st.loss_history.empty() ? std::nan("") : st.loss_history.back();
        r.eval_accuracy = st.accuracy_history.empty() ? std::nan("") : st.accuracy_history.back();
    }
    auto& p = w.provenance;
    p.config_path = cfg.config_path;
    p.config_sha256 = cfg.config_sha256;
    p.config_text = cfg.config_text;
    p.resolved = cfg.resolved;
    for (const auto& o : cfg.overrides) p.overrides += (p.overrides.empty() ? "" : ";") + o;
    p.fingerprint = cfg.fingerprint;
    p.loss = to_string(cfg.loss);
    p.iterations = st.iteration;
    p.final_loss = r.eval_loss;
    p.final_accuracy = r.eval_accuracy;
    p.eval_trials = cfg.eval_trials;
    p.ranks = P;
    p.created = broadcast_string(comm, utc_now());
    r.weights = std::move(w);
    return r;
}

// ---- the command -------------------------------------------------------------------------------------------

std::string train_usage() {
    return "usage: mpirun -n N cortexsim train CONFIG [-o WEIGHTS.h5] [--overwrite] [--resume CKPT] [--quiet]\n"
           "                                  [--set key=value ...]\n"
           "  train a recurrent network on the task of CONFIG (docs/rnn.md); the trials of each batch are shared\n"
           "  out over the N ranks\n"
           "  -o WEIGHTS.h5     weights file (default: output.path of the config)\n"
           "  --overwrite       replace an existing weights file and checkpoint\n"
           "  --resume CKPT     continue from a checkpoint of the same configuration; the checkpoint\n"
           "                    (checkpoint.path, default WEIGHTS.h5.ckpt) is removed once the weights are written\n"
           "                    (kept with --set checkpoint.keep=true, to train on later with --resume)\n"
           "  --quiet           no progress lines\n"
           "  --set key=value   override a config value, e.g. --set training.iterations=200 --set task.n=3\n"
           "  -- PETSC_OPTIONS  everything after a lone -- goes to PETSc (e.g. -- -log_view)\n"
           "examples:\n"
           "  mpirun -n 2 cortexsim train configs/rnn_train_nback.yaml -o rnn_nback_weights.h5\n"
           "  cortexsim train configs/rnn_train_nback.yaml -o w.h5 --overwrite --set training.iterations=200\n"
           "exit codes: 0 success, 2 bad input (command line, config, existing output, bad checkpoint),\n"
           "            1 training or writing failed\n";
}

int train_command(const std::vector<std::string>& args, MPI_Comm comm) {
    const int rank = comm_rank(comm);
    auto fail = [&](const std::string& msg, int code) {
        if (rank == 0) {
            std::fprintf(stderr, "cortexsim train: error: %s\n",
                         printable(msg, max_message_bytes).c_str());  // one line
            std::fflush(stderr);
        }
        return code;
    };

    // ---- command line (the same on every rank: no communication needed to agree)
    std::string config, output, resume;
    std::vector<std::string> overrides;
    bool overwrite = false, quiet = false;
    try {
        for (std::size_t i = 0; i < args.size(); ++i) {
            const std::string& a = args[i];
            auto value = [&](const char* opt) -> std::string {
                if (i + 1 >= args.size()) throw usage_error(std::string("option ") + opt + " needs a value");
                return args[++i];
            };
            if (a == "-h" || a == "--help") {
                if (rank == 0) std::fputs(train_usage().c_str(), stdout);
                return 0;
            } else if (a == "-o" || a == "--output") {
                output = value("-o");
            } else if (a == "--overwrite") {
                overwrite = true;
            } else if (a == "--resume") {
                resume = value("--resume");
            } else if (a == "--quiet" || a == "-q") {
                quiet = true;
            } else if (a == "--set") {
                overrides.push_back(value("--set"));
            } else if (a.rfind("--set=", 0) == 0) {
                overrides.push_back(a.substr(6));
            } else if (!a.empty() && a[0] == '-') {
                throw usage_error("unknown option '" + a + "' (see --help)");
            } else if (config.empty()) {
                config = a;
            } else {
                throw usage_error("unexpected argument '" + a + "' (one config file)");
            }
        }
        if (config.empty()) throw usage_error("'train' needs a config file (see --help)");
    } catch (const std::exception& e) {
        return fail(e.what(), 2);
    }

    // ---- config, output and checkpoint checks, resume state
    train_config cfg;
    train_options opt;
    opt.quiet = quiet;
    std::string ckpt_path;
    try {
        run_collectively(comm, [&] {
            cfg = load_train_config(config, overrides);
            if (!output.empty()) cfg.output_path = output;
            ckpt_path = cfg.checkpoint_path.empty() ? cfg.output_path + ".ckpt" : cfg.checkpoint_path;
            cfg.checkpoint_path = ckpt_path;
            if (rank != 0) return;
            std::error_code ec;
            if (fs::exists(cfg.output_path, ec) && !overwrite)
                throw io_error(cfg.output_path + ": weights file exists already (use --overwrite to replace it)");
            const fs::path parent = fs::path(cfg.output_path).parent_path();
            if (!parent.empty() && !fs::is_directory(parent, ec))
                throw io_error(cfg.output_path + ": output folder '" + parent.string() + "' does not exist");
            if (cfg.checkpoint_every > 0 && fs::exists(ckpt_path, ec) && !overwrite &&
                (resume.empty() || !fs::equivalent(resume, ckpt_path, ec)))
                throw io_error(ckpt_path + ": checkpoint exists already (use --resume " + ckpt_path +
                               " to continue from it, or --overwrite to start afresh)");
        });
        if (!resume.empty()) {
            std::string payload;
            run_collectively(comm, [&] {
                if (rank == 0) {
                    payload = read_train_checkpoint_payload(resume);
                    const train_state s = decode_train_checkpoint(payload, resume);
                    if (s.fingerprint != cfg.fingerprint)
                        throw data_error(resume + ": checkpoint belongs to another training configuration "
                                                  "(task, network or optimiser settings differ)");
                }
            });
            payload = broadcast_string(comm, payload);
            opt.resume = decode_train_checkpoint(payload, resume);
        }
    } catch (const std::exception& e) {
        return fail(e.what(), 2);
    }

    // ---- train, evaluate, write
    try {
        const train_result r = train_rnn(cfg, comm, opt);
        run_collectively(comm, [&] {
            if (rank != 0) return;
            write_rnn_weights(cfg.output_path, r.weights, overwrite);
            // the weights are written: the checkpoint is spent (left behind, it would refuse the next training),
            // unless checkpoint.keep asks for it (to continue training later with --resume)
            std::error_code ec;
            if (cfg.checkpoint_every > 0 && !cfg.checkpoint_keep) fs::remove(ckpt_path, ec);
        });
        if (rank == 0) {
            char before[96] = "";
            if (opt.resume)
                std::snprintf(before, sizeof before, " (%.1f s with the runs before the checkpoint)", r.total_wall_s);
            std::printf("cortexsim train: %lld iterations%s, wall %.1f s on %d rank%s%s; evaluation on %lld trials: "
                        "loss %.5f, accuracy %.2f %%\nweights: %s\n",
                        static_cast<long long>(r.iterations), r.stopped_early ? " (stopped early)" : "", r.wall_s,
                        comm_size(comm), comm_size(comm) == 1 ? "" : "s", before,
                        static_cast<long long>(cfg.eval_trials), r.eval_loss, 100.0 * r.eval_accuracy,
                        cfg.output_path.c_str());
            std::fflush(stdout);
        }
    } catch (const std::exception& e) {
        return fail(e.what(), 1);
    }
    return 0;
}

}  // namespace cortexsim::rnn
