#include "cortexsim/checkpoint/checkpoint.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <boost/archive/binary_iarchive.hpp>
#include <boost/archive/binary_oarchive.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cortexsim/common/errors.hpp"
#include "cortexsim/common/sha256.hpp"

namespace cortexsim {
namespace {
const std::string magic = "CORTEXSIM-CHECKPOINT 1\n";
}

void write_checked_file(const std::string& path, const std::string& magic_line, const std::string& payload) {
    const std::string header = magic_line + std::to_string(payload.size()) + " " + sha256::of(payload) + "\n";
    const std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) throw io_error(tmp + ": cannot write checkpoint");
        out << header << payload;
        out.flush();
        if (!out) throw io_error(tmp + ": writing the checkpoint failed (disk full?)");
    }
    // make the bytes durable before the rename makes them the checkpoint
    const int fd = ::open(tmp.c_str(), O_RDONLY);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) throw io_error(tmp + ": cannot rename to " + path + ": " + ec.message());
}

std::string read_checked_file(const std::string& path, const std::string& magic_line, const std::string& what) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw data_error(path + ": cannot open checkpoint (missing or unreadable)");
    std::string line;
    std::getline(in, line);
    if (line + "\n" != magic_line) throw data_error(path + ": not a " + what + " (bad header)");
    std::string lenhash;
    if (!std::getline(in, lenhash)) throw data_error(path + ": checkpoint is truncated (no length line)");
    std::istringstream lh(lenhash);
    unsigned long long len = 0;
    std::string hash;
    if (!(lh >> len >> hash) || hash.size() != 64 || len > (1ULL << 40))
        throw data_error(path + ": checkpoint header is corrupt");
    std::string payload(len, '\0');
    in.read(payload.data(), static_cast<std::streamsize>(len));
    if (static_cast<unsigned long long>(in.gcount()) != len)
        throw data_error(path + ": checkpoint is truncated (" + std::to_string(in.gcount()) + " of " +
                         std::to_string(len) + " payload bytes)");
    if (in.peek() != std::char_traits<char>::eof())
        throw data_error(path + ": checkpoint is corrupt (bytes after the payload)");
    if (sha256::of(payload) != hash) throw data_error(path + ": checkpoint is corrupt (SHA-256 mismatch)");
    return payload;
}

void write_checkpoint(const std::string& path, const checkpoint_data& c) {
    std::ostringstream payload_stream(std::ios::binary);
    {
        boost::archive::binary_oarchive ar(payload_stream);
        ar << c;
    }
    write_checked_file(path, magic, payload_stream.str());
}

checkpoint_data read_checkpoint(const std::string& path) {
    const std::string payload = read_checked_file(path, magic, "cortexsim checkpoint");
    checkpoint_data c;
    try {
        std::istringstream ps(payload, std::ios::binary);
        boost::archive::binary_iarchive ar(ps);
        ar >> c;
    } catch (const std::exception& e) {
        throw data_error(path + ": checkpoint cannot be decoded: " + e.what());
    }
    return c;
}

}  // namespace cortexsim
