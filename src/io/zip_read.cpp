#include "cortexsim/io/zip_read.hpp"

#include <zlib.h>

#include <cstdint>
#include <fstream>
#include <iterator>

#include "cortexsim/common/errors.hpp"
#include "cortexsim/common/format.hpp"
#include "cortexsim/common/memory.hpp"

namespace cortexsim {
namespace {

std::uint32_t u16(const std::string& b, std::size_t at) {
    return static_cast<std::uint32_t>(static_cast<unsigned char>(b[at])) |
           static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 1])) << 8;
}
std::uint32_t u32(const std::string& b, std::size_t at) { return u16(b, at) | u16(b, at + 2) << 16; }

std::string inflate_raw(const std::string& path, const std::string& name, const char* data, std::size_t n,
                        std::size_t out_size) {
    std::string out(out_size, '\0');
    z_stream z{};
    if (inflateInit2(&z, -MAX_WBITS) != Z_OK) throw data_error(path + ": zlib cannot be initialised");
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data));
    z.avail_in = static_cast<uInt>(n);
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out_size);
    const int rc = inflate(&z, Z_FINISH);
    const std::size_t got = z.total_out;
    inflateEnd(&z);
    if (rc != Z_STREAM_END || got != out_size)
        throw data_error(path + ": member '" + printable(name) + "' cannot be uncompressed (corrupt zip)");
    return out;
}

}  // namespace

std::vector<zip_member> read_zip(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw data_error(path + ": cannot open (missing or unreadable)");
    in.seekg(0, std::ios::end);
    const auto size = static_cast<double>(in.tellg());
    check_allocation(size, path);
    in.seekg(0);
    const std::string b((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // the end-of-central-directory record: 22 bytes plus a comment of at most 65535 bytes, at the end
    std::size_t eocd = std::string::npos;
    for (std::size_t k = b.size() >= 22 ? b.size() - 22 + 1 : 0; k-- > 0 && b.size() - k <= 22 + 65535;)
        if (u32(b, k) == 0x06054b50u) {
            eocd = k;
            break;
        }
    if (eocd == std::string::npos) throw data_error(path + ": is not a zip file (no end of central directory)");
    const std::uint32_t entries = u16(b, eocd + 10), cd_size = u32(b, eocd + 12), cd_offset = u32(b, eocd + 16);
    if (entries == 0xffff || cd_offset == 0xffffffffu) throw data_error(path + ": ZIP64 archives are not read");
    if (static_cast<std::size_t>(cd_offset) + cd_size > eocd)
        throw data_error(path + ": corrupt zip (central directory beyond the end)");
    std::vector<zip_member> out;
    std::size_t p = cd_offset;
    for (std::uint32_t e = 0; e < entries; ++e) {
        if (p + 46 > eocd || u32(b, p) != 0x02014b50u) throw data_error(path + ": corrupt zip (central directory)");
        const std::uint32_t flags = u16(b, p + 8), method = u16(b, p + 10), crc = u32(b, p + 16),
                            csize = u32(b, p + 20), usize = u32(b, p + 24), nlen = u16(b, p + 28),
                            xlen = u16(b, p + 30), clen = u16(b, p + 32), local = u32(b, p + 42);
        if (p + 46 + nlen > eocd) throw data_error(path + ": corrupt zip (central directory)");
        zip_member m;
        m.name = b.substr(p + 46, nlen);
        p += 46 + nlen + xlen + clen;
        if (!m.name.empty() && m.name.back() == '/') continue;  // a folder
        if (flags & 1u) throw data_error(path + ": member '" + printable(m.name) + "' is encrypted");
        if (csize == 0xffffffffu || usize == 0xffffffffu) throw data_error(path + ": ZIP64 archives are not read");
        if (static_cast<std::size_t>(local) + 30 > b.size() || u32(b, local) != 0x04034b50u)
            throw data_error(path + ": corrupt zip (local header of '" + printable(m.name) + "')");
        const std::size_t data = local + 30 + u16(b, local + 26) + u16(b, local + 28);
        if (data + csize > b.size())
            throw data_error(path + ": corrupt zip (member '" + printable(m.name) + "' beyond the end)");
        check_allocation(static_cast<double>(usize), path + ": member '" + printable(m.name) + "'");
        if (method == 0) {
            if (csize != usize) throw data_error(path + ": corrupt zip (stored member '" + printable(m.name) + "')");
            m.content = b.substr(data, csize);
        } else if (method == 8) {
            m.content = inflate_raw(path, m.name, b.data() + data, csize, usize);
        } else {
            throw data_error(path + ": member '" + printable(m.name) + "' uses compression method " +
                             std::to_string(method) + " (only stored and deflate are read)");
        }
        const auto c = crc32(0L, reinterpret_cast<const Bytef*>(m.content.data()), static_cast<uInt>(m.content.size()));
        if (static_cast<std::uint32_t>(c) != crc)
            throw data_error(path + ": member '" + printable(m.name) + "' fails its CRC check (corrupt zip)");
        out.push_back(std::move(m));
    }
    return out;
}

const zip_member* find_zip_member(const std::vector<zip_member>& members, const std::string& name) {
    for (const auto& m : members) {
        const auto slash = m.name.rfind('/');
        if ((slash == std::string::npos ? m.name : m.name.substr(slash + 1)) == name) return &m;
    }
    return nullptr;
}

}  // namespace cortexsim
