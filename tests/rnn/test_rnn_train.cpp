// The trainer (train.hpp): learning 1-back, data parallelism (1 vs 2 ranks), checkpoints (corruption refused,
// resume equal to an uninterrupted run), the config reader and the command's errors.
#include <gtest/gtest.h>
#include <mpi.h>
#include <unistd.h>

#include <chrono>
#include <climits>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cortexsim/common/errors.hpp"
#include "cortexsim/common/sha256.hpp"
#include "cortexsim/config/train_config.hpp"
#include "cortexsim/app/train.hpp"
#include "cortexsim/io/rnn_weights.hpp"
#include "../test_support.hpp"

using namespace cortexsim;
using namespace cortexsim::rnn;
namespace fs = std::filesystem;

namespace {

using test::world_rank;
using test::world_size;
const std::string& scratch() {
    static const std::string dir = test::shared_scratch_dir();
    return dir;
}

/// A small 1-back problem (fast enough for the test suite).
const char* small_config = R"(task:
  name: nback
  seed: 3
  n: 1
  alphabet: 3
  items: 10
  stim_steps: 2
  gap_steps: 1
  match_probability: 0.4
  response_delay_steps: 1
network:
  kind: leaky
  units: 32
  activation: relu
  readout: softmax
  dt_ms: 10
  tau_ms: 20
  spectral_radius: 0.9
  seed: 5
training:
  loss: cross_entropy
  batch: 16
  iterations: 400
  learning_rate: 0.01
  clip_norm: 1.0
  progress_every: 25
  eval_trials: 128
  stop_accuracy: 0.99
checkpoint:
  path: ckpt.bin
  every: 0
output:
  path: out.h5
)";

train_config small(const std::vector<std::string>& overrides = {}) {
    return parse_train_config(small_config, "small.yaml", overrides);
}

std::string write_config(const std::string& name, const std::string& text) {
    const std::string p = scratch() + "/" + name;
    if (world_rank() == 0) std::ofstream(p) << text;
    MPI_Barrier(MPI_COMM_WORLD);
    return p;
}

double max_rel_diff(const std::vector<double>& a, const std::vector<double>& b) {
    EXPECT_EQ(a.size(), b.size());
    double m = 0.0;
    for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i)
        m = std::max(m, std::fabs(a[i] - b[i]) / std::max({std::fabs(a[i]), std::fabs(b[i]), 1e-300}));
    return m;
}

/// The same on every rank?
bool same_on_all_ranks(const std::string& s) {
    const std::string h = sha256::of(s);
    std::string r0 = h;
    MPI_Bcast(r0.data(), static_cast<int>(r0.size()), MPI_CHAR, 0, MPI_COMM_WORLD);
    int ok = r0 == h ? 1 : 0, all = 0;
    MPI_Allreduce(&ok, &all, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    return all == 1;
}

std::string bytes_of(const std::vector<double>& v) {
    return std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(double));
}

/// Runs train_command on the world; returns the code (checked equal on every rank) and rank 0's stderr.
int run_command(const std::vector<std::string>& args, std::string* err = nullptr) {
    if (world_rank() == 0) ::testing::internal::CaptureStderr();
    ::testing::internal::CaptureStdout();
    const int rc = train_command(args, MPI_COMM_WORLD);
    (void)::testing::internal::GetCapturedStdout();
    std::string e;
    if (world_rank() == 0) e = ::testing::internal::GetCapturedStderr();
    int lo = 0, hi = 0;
    MPI_Allreduce(&rc, &lo, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    MPI_Allreduce(&rc, &hi, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    EXPECT_EQ(lo, hi) << "ranks returned different codes";
    if (err) *err = e;
    return rc;
}

}  // namespace

TEST(RnnTrain, LeakyRnnLearnsOneBack) {
    const train_config c = small();
    train_options o;
    o.quiet = true;
    const auto t0 = std::chrono::steady_clock::now();
    const train_result r = train_rnn(c, MPI_COMM_WORLD, o);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_GE(r.eval_accuracy, 0.95) << "after " << r.iterations << " iterations";
    EXPECT_LT(r.loss_history.back(), r.loss_history.front());
    EXPECT_TRUE(same_on_all_ranks(bytes_of(get_params(r.weights))));
    if (world_rank() == 0)
        std::printf("  1-back, 32 leaky relu units: %lld iterations, held-out masked accuracy %.2f %%, %.1f s on %d "
                    "rank(s)\n",
                    static_cast<long long>(r.iterations), 100.0 * r.eval_accuracy, s, world_size());
    // the provenance of the result
    EXPECT_EQ(r.weights.provenance.iterations, r.iterations);
    EXPECT_EQ(r.weights.provenance.fingerprint, c.fingerprint);
    EXPECT_EQ(r.weights.provenance.config_sha256, sha256::of(small_config));
    EXPECT_EQ(r.weights.provenance.final_accuracy, r.eval_accuracy);
    EXPECT_EQ(r.weights.task, c.task_ptr->description());
}

TEST(RnnTrain, LeakyRnnLearnsTwoBack) {
    const train_config c = small({"task.n=2", "task.alphabet=4", "task.items=12", "network.units=64",
                                  "training.iterations=1000", "training.eval_trials=256"});
    train_options o;
    o.quiet = true;
    const auto t0 = std::chrono::steady_clock::now();
    const train_result r = train_rnn(c, MPI_COMM_WORLD, o);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_GE(r.eval_accuracy, 0.95) << "after " << r.iterations << " iterations";
    if (world_rank() == 0)
        std::printf("  2-back, 64 leaky relu units: %lld iterations, held-out masked accuracy %.2f %%, %.1f s on %d "
                    "rank(s)\n",
                    static_cast<long long>(r.iterations), 100.0 * r.eval_accuracy, s, world_size());
}

TEST(RnnTrain, OtherTasksKindsAndLosses) {
    // working memory (cue/delay/response) with a vanilla tanh network, MSE loss and sigmoid readout; delayed
    // match-to-sample with a leaky softplus network and per-unit time constants
    struct run {
        const char* what;
        std::vector<std::string> set;
    };
    const run runs[] = {
        {"cue_delay, vanilla tanh, mse/sigmoid",
         {"task={name: cue_delay, seed: 2, cues: 3, cue_steps: 2, delay_steps: 6, response_steps: 2}",
          "network.kind=vanilla", "network.activation=tanh", "network.readout=sigmoid", "training.loss=mse",
          "training.learning_rate=0.01"}},
        {"dms, leaky softplus, per-unit tau",
         {"task={name: dms, seed: 4, stimuli: 3, sample_steps: 2, delay_steps: 5, test_steps: 2, response_steps: 1}",
          "network.activation=softplus", "network.tau_ms=[10, 50]"}},
    };
    for (const run& r : runs) {
        auto set = r.set;
        set.push_back("training.iterations=600");
        const train_config c = small(set);
        train_options o;
        o.quiet = true;
        const train_result res = train_rnn(c, MPI_COMM_WORLD, o);
        EXPECT_GE(res.eval_accuracy, 0.95) << r.what << " after " << res.iterations << " iterations";
        if (world_rank() == 0)
            std::printf("  %s: %lld iterations, held-out masked accuracy %.2f %%\n", r.what,
                        static_cast<long long>(res.iterations), 100.0 * res.eval_accuracy);
    }
}

TEST(RnnTrain, OneAndTwoRanksGiveTheSameTrajectory) {
    // The world (1 or 2 ranks) against every rank alone (1 rank): batches of 6 and 5 (uneven shares).
    for (const char* batch : {"training.batch=6", "training.batch=5"}) {
        const train_config c = small({batch, "training.iterations=12", "training.stop_accuracy=0"});
        train_options o;
        o.quiet = true;
        const train_result world = train_rnn(c, MPI_COMM_WORLD, o);
        const train_result self = train_rnn(c, MPI_COMM_SELF, o);
        ASSERT_EQ(world.loss_history.size(), 12u);
        const double dl = max_rel_diff(world.loss_history, self.loss_history);
        const double dp = max_rel_diff(get_params(world.weights), get_params(self.weights));
        EXPECT_LT(dl, 1e-12) << batch;
        EXPECT_LT(dp, 1e-9) << batch;
        EXPECT_EQ(world.accuracy_history, self.accuracy_history) << batch;
        if (world_size() == 1) {
            EXPECT_EQ(bytes_of(world.loss_history), bytes_of(self.loss_history));
        }
        if (world_rank() == 0)
            std::printf("  %s: %d ranks vs 1 rank, 12 iterations: loss max relative difference %.1e, parameters "
                        "%.1e\n",
                        batch, world_size(), dl, dp);
        EXPECT_TRUE(same_on_all_ranks(bytes_of(get_params(world.weights))));
    }
}

TEST(RnnTrain, CheckpointRoundTripAndCorruptionRefused) {
    const std::string path = scratch() + "/state.ckpt";
    train_state s;
    s.fingerprint = std::string(64, 'f');
    s.iteration = 17;
    s.params = {1.0, -2.0, 3.5};
    s.adam_m = {0.1, 0.2, 0.3};
    s.adam_v = {0.01, 0.02, 0.03};
    s.loss_history = {0.7, 0.6};
    s.accuracy_history = {0.5, 0.55};
    s.wall_s = 1.5;
    s.ranks_at_save = 2;
    if (world_rank() == 0) {
        write_train_checkpoint(path, s);
        EXPECT_FALSE(fs::exists(path + ".tmp"));
        const train_state r = read_train_checkpoint(path);
        EXPECT_EQ(r.fingerprint, s.fingerprint);
        EXPECT_EQ(r.iteration, 17);
        EXPECT_EQ(r.params, s.params);
        EXPECT_EQ(r.adam_m, s.adam_m);
        EXPECT_EQ(r.adam_v, s.adam_v);
        EXPECT_EQ(r.loss_history, s.loss_history);
        EXPECT_EQ(r.accuracy_history, s.accuracy_history);

        std::string bytes;
        {
            std::ifstream in(path, std::ios::binary);
            std::stringstream ss;
            ss << in.rdbuf();
            bytes = ss.str();
        }
        auto expect_refused = [&](const std::string& content, const std::string& why) {
            const std::string p = scratch() + "/bad.ckpt";
            std::ofstream(p, std::ios::binary) << content;
            try {
                (void)read_train_checkpoint(p);
                ADD_FAILURE() << "accepted: " << why;
            } catch (const data_error& e) {
                EXPECT_NE(std::string(e.what()).find(p + ": " + why), std::string::npos) << e.what();
            }
        };
        std::string flipped = bytes;
        flipped[flipped.size() - 5] ^= 0x01;
        expect_refused(flipped, "checkpoint is corrupt (SHA-256 mismatch)");
        expect_refused(bytes.substr(0, bytes.size() - 10), "checkpoint is truncated");
        expect_refused("CORTEXSIM-CHECKPOINT 1\n" + bytes.substr(bytes.find('\n') + 1),
                       "not a cortexsim rnn training checkpoint (bad header)");
        expect_refused(bytes + "x", "checkpoint is corrupt (bytes after the payload)");
        expect_refused("", "not a cortexsim rnn training checkpoint");
    }
}

TEST(RnnTrain, ResumeEqualsUninterruptedRun) {
    train_options o;
    o.quiet = true;
    const std::vector<std::string> base = {"training.iterations=12", "training.stop_accuracy=0",
                                           "checkpoint.path=" + scratch() + "/resume.ckpt"};
    const train_result whole = train_rnn(small(base), MPI_COMM_WORLD, o);

    auto first = base;
    first[0] = "training.iterations=7";
    first.push_back("checkpoint.every=3");
    (void)train_rnn(small(first), MPI_COMM_WORLD, o);  // checkpoints at 3, 6 and 7
    MPI_Barrier(MPI_COMM_WORLD);
    train_options r = o;
    r.resume = read_train_checkpoint(scratch() + "/resume.ckpt");
    EXPECT_EQ(r.resume->iteration, 7);
    const train_result resumed = train_rnn(small(base), MPI_COMM_WORLD, r);
    EXPECT_EQ(resumed.iterations, 12);
    EXPECT_EQ(bytes_of(resumed.loss_history), bytes_of(whole.loss_history));
    EXPECT_EQ(bytes_of(resumed.accuracy_history), bytes_of(whole.accuracy_history));
    EXPECT_EQ(bytes_of(get_params(resumed.weights)), bytes_of(get_params(whole.weights)));
    EXPECT_EQ(resumed.eval_loss, whole.eval_loss);

    // with early stopping (decided on the mean accuracy since the last multiple of progress_every): resumed in
    // the middle of a window, the run stops at the same iteration with the same weights
    const std::vector<std::string> stop = {"checkpoint.path=" + scratch() + "/stop.ckpt", "training.progress_every=10"};
    const train_result whole_stop = train_rnn(small(stop), MPI_COMM_WORLD, o);
    ASSERT_TRUE(whole_stop.stopped_early);
    ASSERT_GT(whole_stop.iterations, 20);
    auto part = stop;
    part.push_back("training.iterations=" + std::to_string(whole_stop.iterations - 5));
    part.push_back("checkpoint.every=1000");
    (void)train_rnn(small(part), MPI_COMM_WORLD, o);
    MPI_Barrier(MPI_COMM_WORLD);
    train_options rs = o;
    rs.resume = read_train_checkpoint(scratch() + "/stop.ckpt");
    const train_result resumed_stop = train_rnn(small(stop), MPI_COMM_WORLD, rs);
    EXPECT_TRUE(resumed_stop.stopped_early);
    EXPECT_EQ(resumed_stop.iterations, whole_stop.iterations);
    EXPECT_EQ(bytes_of(get_params(resumed_stop.weights)), bytes_of(get_params(whole_stop.weights)));

    // a checkpoint of another configuration is refused
    train_options other = o;
    other.resume = r.resume;
    EXPECT_THROW(train_rnn(small({"training.learning_rate=0.02"}), MPI_COMM_WORLD, other), config_error);
}

TEST(RnnTrain, CommandWritesWeightsAndResumes) {
    const std::string cfg = write_config("cmd.yaml", small_config);
    const std::string d = scratch();
    const std::vector<std::string> common = {"--quiet",
                                             "--set",
                                             "training.iterations=10",
                                             "--set",
                                             "training.stop_accuracy=0",
                                             "--set",
                                             "training.eval_trials=16"};
    auto args = [&](const std::vector<std::string>& extra) {  // CONFIG, common options, then extra (later wins)
        std::vector<std::string> a = {cfg};
        a.insert(a.end(), common.begin(), common.end());
        a.insert(a.end(), extra.begin(), extra.end());
        return a;
    };
    // uninterrupted
    ASSERT_EQ(run_command(args({"-o", d + "/whole.h5"})), 0);
    // interrupted at 4 (checkpoint), resumed to 10
    ASSERT_EQ(run_command(args({"-o", d + "/part.h5", "--set", "checkpoint.every=2", "--set",
                                "checkpoint.path=" + d + "/cmd.ckpt", "--set", "training.iterations=4", "--set",
                                "checkpoint.keep=true"})),
              0);
    ASSERT_EQ(run_command(args({"-o", d + "/resumed.h5", "--resume", d + "/cmd.ckpt", "--set", "checkpoint.every=2",
                                "--set", "checkpoint.path=" + d + "/cmd.ckpt", "--set", "checkpoint.keep=true"})),
              0);
    if (world_rank() == 0) {
        const rnn_weights a = read_rnn_weights(d + "/whole.h5"), b = read_rnn_weights(d + "/resumed.h5");
        EXPECT_EQ(a.provenance.iterations, 10);
        EXPECT_EQ(b.provenance.iterations, 10);
        EXPECT_EQ(read_rnn_weights(d + "/part.h5").provenance.iterations, 4);
        EXPECT_EQ(bytes_of(get_params(a)), bytes_of(get_params(b)));
        EXPECT_EQ(a.provenance.final_loss, b.provenance.final_loss);
        EXPECT_EQ(a.provenance.ranks, world_size());
        EXPECT_EQ(a.provenance.config_sha256, sha256_file(cfg));
    }

    // refusals: each one line on rank 0, code 2 on every rank, nothing clobbered
    std::string err;
    const std::string before = world_rank() == 0 ? sha256_file(d + "/whole.h5") : "";
    EXPECT_EQ(run_command(args({"-o", d + "/whole.h5"}), &err), 2);
    if (world_rank() == 0) {
        EXPECT_EQ(err, "cortexsim train: error: " + d +
                           "/whole.h5: weights file exists already (use --overwrite to replace it)\n");
        EXPECT_EQ(sha256_file(d + "/whole.h5"), before);
    }
    EXPECT_EQ(run_command(args({"-o", d + "/x.h5", "--bogus"}), &err), 2);
    if (world_rank() == 0) {
        EXPECT_EQ(err, "cortexsim train: error: unknown option '--bogus' (see --help)\n");
    }
    EXPECT_EQ(run_command({d + "/nope.yaml"}, &err), 2);
    if (world_rank() == 0) {
        EXPECT_EQ(err, "cortexsim train: error: " + d + "/nope.yaml: config file does not exist\n");
    }
    EXPECT_EQ(run_command(args({"-o", d + "/x.h5", "--set", "training.lr=0.1"}), &err), 2);
    if (world_rank() == 0) {
        EXPECT_NE(err.find(cfg + ": unknown key 'training.lr' (allowed here: loss, batch,"), std::string::npos) << err;
    }
    EXPECT_EQ(run_command(args({"-o", d + "/x.h5", "--set", "network.readout=identity"}), &err), 2);
    if (world_rank() == 0) {
        EXPECT_EQ(err, "cortexsim train: error: " + cfg +
                           ": 'training.loss' = cross_entropy needs 'network.readout' = softmax (it is 'identity')\n");
    }
    EXPECT_EQ(run_command(args({"-o", d + "/x.h5", "--set", "task.n=0"}), &err), 2);
    if (world_rank() == 0) {
        EXPECT_EQ(err, "cortexsim train: error: " + cfg + ": 'task.n' = 0 must be >= 1\n");
    }
    EXPECT_EQ(run_command(args({"-o", d + "/x.h5", "--set", "network.tau_ms=5"}), &err), 2);
    if (world_rank() == 0) {
        EXPECT_NE(err.find("'network.tau_ms' (5 ms) is smaller than 'network.dt_ms' = 10 ms"), std::string::npos)
            << err;
    }
    // a corrupted checkpoint, and one of another configuration
    if (world_rank() == 0) {
        std::string bytes;
        {
            std::ifstream in(d + "/cmd.ckpt", std::ios::binary);
            std::stringstream ss;
            ss << in.rdbuf();
            bytes = ss.str();
        }
        bytes[bytes.size() / 2] ^= 0x20;
        std::ofstream(d + "/corrupt.ckpt", std::ios::binary) << bytes;
    }
    MPI_Barrier(MPI_COMM_WORLD);
    EXPECT_EQ(run_command(args({"-o", d + "/x.h5", "--resume", d + "/corrupt.ckpt"}), &err), 2);
    if (world_rank() == 0) {
        EXPECT_EQ(err, "cortexsim train: error: " + d + "/corrupt.ckpt: checkpoint is corrupt (SHA-256 mismatch)\n");
    }
    EXPECT_EQ(run_command(args({"-o", d + "/x.h5", "--resume", d + "/cmd.ckpt", "--set", "task.alphabet=4"}), &err), 2);
    if (world_rank() == 0) {
        EXPECT_NE(err.find("cmd.ckpt: checkpoint belongs to another training configuration"), std::string::npos) << err;
    }
    // an existing checkpoint is not silently replaced by a fresh run
    EXPECT_EQ(run_command(args({"-o", d + "/y.h5", "--set", "checkpoint.every=2", "--set",
                                "checkpoint.path=" + d + "/cmd.ckpt"}),
                          &err),
              2);
    if (world_rank() == 0) {
        EXPECT_NE(err.find("cmd.ckpt: checkpoint exists already"), std::string::npos) << err;
    }
    if (world_rank() == 0) {
        EXPECT_FALSE(fs::exists(d + "/x.h5") || fs::exists(d + "/y.h5"));
    }
}

TEST(RnnTrain, ConfigFileInTheRepositoryIsValid) {
    const train_config c = load_train_config(std::string(CORTEXSIM_SOURCE_DIR) + "/configs/rnn_train_nback.yaml");
    EXPECT_EQ(c.task_ptr->name(), "nback");
    EXPECT_EQ(c.network.kind, rnn_kind::leaky);
    EXPECT_GE(c.network.n_rec, 64u);
    EXPECT_LE(c.network.n_rec, 128u);
    EXPECT_EQ(c.loss, loss_kind::cross_entropy);
    EXPECT_GT(c.checkpoint_every, 0);
    // overrides change the fingerprint only through trajectory-relevant keys
    EXPECT_EQ(small({"training.iterations=3", "output.path=z.h5"}).fingerprint, small().fingerprint);
    EXPECT_NE(small({"task.n=2"}).fingerprint, small().fingerprint);
    EXPECT_THROW(small({"task.name=flanker"}), config_error);
    EXPECT_THROW(small({"network.kind=gru"}), config_error);
    EXPECT_THROW(small({"training.batch=0"}), config_error);
    EXPECT_THROW(small({"training.batch=2.5"}), config_error);
}
