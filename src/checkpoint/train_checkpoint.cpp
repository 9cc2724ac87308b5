#include "cortexsim/checkpoint/train_checkpoint.hpp"

#include <boost/archive/binary_iarchive.hpp>
#include <boost/archive/binary_oarchive.hpp>
#include <sstream>

#include "cortexsim/checkpoint/checkpoint.hpp"
#include "cortexsim/common/errors.hpp"

namespace cortexsim::rnn {
namespace {

const std::string ckpt_magic = "CORTEXSIM-RNN-CHECKPOINT 1\n";

std::string encode_state(const train_state& s) {
    std::ostringstream out(std::ios::binary);
    {
        boost::archive::binary_oarchive ar(out);
        ar << s;
    }
    return out.str();
}

train_state decode_state(const std::string& payload, const std::string& where) {
    train_state s;
    try {
        std::istringstream in(payload, std::ios::binary);
        boost::archive::binary_iarchive ar(in);
        ar >> s;
    } catch (const std::exception& e) {
        throw data_error(where + ": checkpoint cannot be decoded: " + e.what());
    }
    return s;
}

}  // namespace

// ---- checkpoints -------------------------------------------------------------------------------------------

void write_train_checkpoint(const std::string& path, const train_state& s) {
    write_checked_file(path, ckpt_magic, encode_state(s));
}

train_state read_train_checkpoint(const std::string& path) {
    return decode_state(read_checked_file(path, ckpt_magic, "cortexsim rnn training checkpoint"), path);
}

std::string read_train_checkpoint_payload(const std::string& path) {
    return read_checked_file(path, ckpt_magic, "cortexsim rnn training checkpoint");
}

train_state decode_train_checkpoint(const std::string& payload, const std::string& where) {
    return decode_state(payload, where);
}

}  // namespace cortexsim::rnn
