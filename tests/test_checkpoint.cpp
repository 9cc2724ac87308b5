// SHA-256 against the FIPS 180-4 examples; checkpoint files: round trip, atomic replacement, and clear errors
// for corrupt, truncated or foreign files.
#include <gtest/gtest.h>

#include <filesystem>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>

#include "cortexsim/checkpoint/checkpoint.hpp"
#include "cortexsim/common/errors.hpp"
#include "cortexsim/common/sha256.hpp"
#include "test_support.hpp"

using namespace cortexsim;

TEST(sha256, known_vectors) {
    EXPECT_EQ(sha256::of(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(sha256::of("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(sha256::of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    sha256 h;
    const std::string a(1000, 'a');
    for (int i = 0; i < 1000; ++i) h.update(a);  // one million 'a'
    EXPECT_EQ(h.hex(), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

namespace {
checkpoint_data sample() {
    checkpoint_data c;
    c.fingerprint = std::string("f00");
    c.model = std::string("model-m");
    c.run_id = std::string("run-1");
    c.step = 12345;
    c.n_steps = 99999;
    c.records_written = 1235;
    c.n_areas = 3;
    c.n_populations = 2;
    c.area_names = {"a", "b", "c"};
    c.rates = {1.0, 2.0, 3.5, 4.25, 1e-300, -0.0};
    c.analysis = {0.1, 0.2, std::numeric_limits<double>::quiet_NaN()};
    c.analysis_state_size = 1;
    c.ranks_at_save = 2;
    c.history = "12345@now on 2 ranks";
    return c;
}
std::string path_of(const std::string& name) { return test::scratch_dir() + "/" + name; }
}  // namespace

TEST(checkpoint, round_trip_is_exact) {
    const std::string p = path_of("rt.ckpt");
    const checkpoint_data c = sample();
    write_checkpoint(p, c);
    EXPECT_FALSE(std::filesystem::exists(p + ".tmp"));
    const checkpoint_data d = read_checkpoint(p);
    EXPECT_EQ(d.step, c.step);
    EXPECT_EQ(d.area_names, c.area_names);
    ASSERT_EQ(d.rates.size(), c.rates.size());
    EXPECT_EQ(std::memcmp(d.rates.data(), c.rates.data(), c.rates.size() * sizeof(double)), 0);
    EXPECT_TRUE(std::isnan(d.analysis[2]));
    EXPECT_EQ(d.history, c.history);
}

TEST(checkpoint, replacing_keeps_a_complete_file) {
    const std::string p = path_of("replace.ckpt");
    checkpoint_data c = sample();
    write_checkpoint(p, c);
    c.step = 2;
    write_checkpoint(p, c);
    EXPECT_EQ(read_checkpoint(p).step, 2);
}

namespace {
void expect_bad(const std::string& p, const std::string& part) {
    try {
        read_checkpoint(p);
        FAIL() << "no error for " << part;
    } catch (const data_error& e) {
        const std::string m = e.what();
        EXPECT_NE(m.find(part), std::string::npos) << m;
        EXPECT_NE(m.find(p), std::string::npos) << m;
    }
}
}  // namespace

TEST(checkpoint, corrupt_truncated_and_foreign_files_are_clear_errors) {
    const std::string p = path_of("bad.ckpt");
    write_checkpoint(p, sample());
    std::string bytes;
    {
        std::ifstream in(p, std::ios::binary);
        bytes.assign(std::istreambuf_iterator<char>(in), {});
    }
    // one flipped bit in the payload
    std::string flipped = bytes;
    flipped[flipped.size() - 5] ^= 0x01;
    std::ofstream(p, std::ios::binary | std::ios::trunc) << flipped;
    expect_bad(p, "corrupt (SHA-256 mismatch)");
    // truncated
    std::ofstream(p, std::ios::binary | std::ios::trunc) << bytes.substr(0, bytes.size() - 10);
    expect_bad(p, "truncated");
    // not a checkpoint
    std::ofstream(p, std::ios::binary | std::ios::trunc) << "model: {}\n";
    expect_bad(p, "not a cortexsim checkpoint");
    expect_bad(p + ".missing", "cannot open checkpoint");
}
