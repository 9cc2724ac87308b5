// The weights file (weights.hpp): round trip, atomic write and refusal to overwrite, validation on reading.
#include <gtest/gtest.h>
#include <hdf5.h>
#include <mpi.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "cortexsim/common/errors.hpp"
#include "cortexsim/common/sha256.hpp"
#include "cortexsim/rnn/tasks.hpp"
#include "cortexsim/io/rnn_weights.hpp"
#include "../test_support.hpp"

using namespace cortexsim;
using namespace cortexsim::rnn;
namespace fs = std::filesystem;

namespace {

int rank_of_world() { return test::world_rank(); }
const std::string& scratch() {
    static const std::string dir = test::scratch_dir();
    return dir;
}

rnn_weights sample_weights() {
    init_params p;
    p.kind = rnn_kind::leaky;
    p.activation = activation_kind::softplus;
    p.readout = readout_kind::softmax;
    p.n_in = 5;
    p.n_rec = 12;
    p.n_out = 2;
    p.dt_ms = 10.0;
    p.tau_min_ms = 20.0;
    p.tau_max_ms = 80.0;
    p.seed = 3;
    rnn_weights w = init_weights(p);
    for (std::size_t i = 0; i < w.b.size(); ++i) w.b[i] = 0.01 * static_cast<double>(i);
    w.b_out = {0.5, -0.25};
    w.task = make_nback(nback_params{}, 4)->description();
    w.provenance.config_path = "configs/x.yaml";
    w.provenance.config_sha256 = std::string(64, 'a');
    w.provenance.overrides = "task.n=3;training.iterations=5";
    w.provenance.fingerprint = std::string(64, 'b');
    w.provenance.loss = "cross_entropy";
    w.provenance.iterations = 1234;
    w.provenance.final_loss = 0.0123;
    w.provenance.final_accuracy = 0.987;
    w.provenance.eval_trials = 256;
    w.provenance.ranks = 2;
    w.provenance.created = "2024-01-01T00:00:00Z";
    w.provenance.config_text = "task:\n  name: nback\n";
    w.provenance.resolved = "task: nback n=2\n";
    return w;
}

/// Runs fn on the file opened read-write with the HDF5 C API (to damage it).
template <class F>
void edit_h5(const std::string& path, F fn) {
    const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    ASSERT_GE(f, 0);
    fn(f);
    H5Fclose(f);
}

void replace_dataset(hid_t f, const char* name, std::vector<hsize_t> dims, const std::vector<double>& v) {
    H5Ldelete(f, name, H5P_DEFAULT);
    const hid_t s = H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr);
    const hid_t d = H5Dcreate2(f, name, H5T_IEEE_F64LE, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data());
    H5Dclose(d);
    H5Sclose(s);
}

/// The message of the data_error read_rnn_weights throws ("" if none).
std::string read_error(const std::string& path) {
    try {
        (void)read_rnn_weights(path);
    } catch (const data_error& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST(RnnWeights, RoundTripIsExact) {
    const rnn_weights w = sample_weights();
    const std::string path = scratch() + "/w.h5";
    write_rnn_weights(path, w);
    EXPECT_FALSE(fs::exists(path + ".tmp"));
    const rnn_weights r = read_rnn_weights(path);
    EXPECT_EQ(r.kind, w.kind);
    EXPECT_EQ(r.activation, w.activation);
    EXPECT_EQ(r.readout, w.readout);
    EXPECT_EQ(r.dt_ms, w.dt_ms);
    EXPECT_EQ(r.n_in, 5u);
    EXPECT_EQ(r.n_rec, 12u);
    EXPECT_EQ(r.n_out, 2u);
    EXPECT_EQ(r.W_in, w.W_in);
    EXPECT_EQ(r.W_rec, w.W_rec);
    EXPECT_EQ(r.b, w.b);
    EXPECT_EQ(r.W_out, w.W_out);
    EXPECT_EQ(r.b_out, w.b_out);
    EXPECT_EQ(r.tau_ms, w.tau_ms);
    EXPECT_EQ(r.task, w.task);
    EXPECT_EQ(r.provenance.config_path, w.provenance.config_path);
    EXPECT_EQ(r.provenance.config_sha256, w.provenance.config_sha256);
    EXPECT_EQ(r.provenance.overrides, w.provenance.overrides);
    EXPECT_EQ(r.provenance.fingerprint, w.provenance.fingerprint);
    EXPECT_EQ(r.provenance.loss, w.provenance.loss);
    EXPECT_EQ(r.provenance.iterations, 1234);
    EXPECT_EQ(r.provenance.final_loss, w.provenance.final_loss);
    EXPECT_EQ(r.provenance.final_accuracy, w.provenance.final_accuracy);
    EXPECT_EQ(r.provenance.eval_trials, 256);
    EXPECT_EQ(r.provenance.ranks, 2);
    EXPECT_EQ(r.provenance.created, w.provenance.created);
    EXPECT_EQ(r.provenance.config_text, w.provenance.config_text);
    EXPECT_EQ(r.provenance.resolved, w.provenance.resolved);
    // the task can be rebuilt from the file and generates the same trials
    EXPECT_EQ(task_from_description(r.task)->generate(4, 9).target,
              make_nback(nback_params{}, 4)->generate(4, 9).target);
    // a vanilla network round-trips too
    rnn_weights v = w;
    v.kind = rnn_kind::vanilla;
    v.tau_ms.assign(12, v.dt_ms);
    write_rnn_weights(scratch() + "/v.h5", v);
    EXPECT_EQ(read_rnn_weights(scratch() + "/v.h5").kind, rnn_kind::vanilla);
}

TEST(RnnWeights, RefusesToOverwriteUnlessAsked) {
    const rnn_weights w = sample_weights();
    const std::string path = scratch() + "/keep.h5";
    write_rnn_weights(path, w);
    const std::string before = sha256_file(path);
    rnn_weights w2 = w;
    w2.b_out = {1.0, 2.0};
    try {
        write_rnn_weights(path, w2);
        ADD_FAILURE() << "overwrote an existing file";
    } catch (const io_error& e) {
        EXPECT_NE(std::string(e.what()).find(path + ": weights file exists already"), std::string::npos) << e.what();
    }
    EXPECT_EQ(sha256_file(path), before);
    write_rnn_weights(path, w2, true);
    EXPECT_EQ(read_rnn_weights(path).b_out, w2.b_out);
    EXPECT_FALSE(fs::exists(path + ".tmp"));
    // a missing folder is a clear error, and an invalid network is not written
    EXPECT_THROW(write_rnn_weights(scratch() + "/no/such/dir/w.h5", w), io_error);
    rnn_weights bad = w;
    bad.W_rec[3] = std::nan("");
    EXPECT_THROW(write_rnn_weights(scratch() + "/bad.h5", bad), data_error);
    EXPECT_FALSE(fs::exists(scratch() + "/bad.h5"));
}

TEST(RnnWeights, ReadingValidatesShapesValuesAndAttributes) {
    const rnn_weights w = sample_weights();
    const std::string base = scratch() + "/v";
    int k = 0;
    auto fresh = [&] {
        const std::string p = base + std::to_string(++k) + ".h5";
        write_rnn_weights(p, w);
        return p;
    };
    {  // a NaN in W_rec
        const std::string p = fresh();
        edit_h5(p, [&](hid_t f) {
            std::vector<double> v = w.W_rec;
            v[2 * 12 + 5] = std::nan("");
            replace_dataset(f, "/W_rec", {12, 12}, v);
        });
        EXPECT_EQ(read_error(p), p + ": /W_rec: value nan at [2][5] is not finite");
    }
    {  // W_rec not square
        const std::string p = fresh();
        edit_h5(p, [&](hid_t f) { replace_dataset(f, "/W_rec", {12, 11}, std::vector<double>(132, 0.1)); });
        EXPECT_EQ(read_error(p), p + ": /W_rec: shape 12 x 11, expected 12 x 12 (N = 12 from /b)");
    }
    {  // W_out with the wrong number of columns
        const std::string p = fresh();
        edit_h5(p, [&](hid_t f) { replace_dataset(f, "/W_out", {2, 10}, std::vector<double>(20, 0.1)); });
        EXPECT_EQ(read_error(p), p + ": /W_out: shape 2 x 10, expected 2 x 12 (N = 12 from /b, n_out = 2 from /b_out)");
    }
    {  // missing dataset
        const std::string p = fresh();
        edit_h5(p, [&](hid_t f) { H5Ldelete(f, "/tau_ms", H5P_DEFAULT); });
        EXPECT_EQ(read_error(p), p + ": /tau_ms: missing dataset");
    }
    {  // a vector where a matrix belongs
        const std::string p = fresh();
        edit_h5(p, [&](hid_t f) { replace_dataset(f, "/W_in", {60}, std::vector<double>(60, 0.1)); });
        EXPECT_EQ(read_error(p), p + ": /W_in: has 1 dimensions (shape 60), expected 2");
    }
    {  // a negative time constant
        const std::string p = fresh();
        edit_h5(p, [&](hid_t f) {
            std::vector<double> t = w.tau_ms;
            t[4] = -1.0;
            replace_dataset(f, "/tau_ms", {12}, t);
        });
        EXPECT_EQ(read_error(p), p + ": /tau_ms: value -1 at [4] must be > 0");
    }
    {  // an unknown activation
        const std::string p = fresh();
        edit_h5(p, [&](hid_t f) {
            H5Adelete(f, "activation");
            const hid_t t = H5Tcopy(H5T_C_S1);
            H5Tset_size(t, 5);
            const hid_t s = H5Screate(H5S_SCALAR);
            const hid_t a = H5Acreate2(f, "activation", t, s, H5P_DEFAULT, H5P_DEFAULT);
            H5Awrite(a, t, "gelu\0");
            H5Aclose(a);
            H5Sclose(s);
            H5Tclose(t);
        });
        EXPECT_EQ(read_error(p), p + ": attribute 'activation' = 'gelu' (allowed: relu, tanh, sigmoid, softplus)");
    }
    {  // not HDF5 at all, and missing
        const std::string p = base + "_text.h5";
        std::ofstream(p) << "hello\n";
        EXPECT_EQ(read_error(p), p + ": cannot open as HDF5");
        EXPECT_EQ(read_error(base + "_none.h5"), base + "_none.h5: weights file does not exist");
    }
    if (rank_of_world() == 0) {
        // every message is one line
        const std::string p = fresh();
        edit_h5(p, [&](hid_t f) { H5Ldelete(f, "/b", H5P_DEFAULT); });
        EXPECT_EQ(read_error(p).find('\n'), std::string::npos);
    }
}
