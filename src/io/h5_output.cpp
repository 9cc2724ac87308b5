#include "cortexsim/io/h5_output.hpp"

#include <hdf5.h>
#include <hdf5_hl.h>
#if !H5_HAVE_PARALLEL
#error "cortexsim needs a parallel HDF5 (libhdf5-openmpi-dev)"
#endif

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>

#include "cortexsim/common/collective.hpp"
#include "cortexsim/common/errors.hpp"
#include "cortexsim/common/sha256.hpp"
#include "h5_util.hpp"

namespace cortexsim {
namespace {
using namespace h5;

namespace fs = std::filesystem;

/// Collective write of a whole small dataset by rank 0 (other ranks select nothing).
void write_by_root(MPI_Comm comm, hid_t dset, hid_t memtype, hid_t dxpl, const void* data) {
    h5_handle fspace(H5Dget_space(dset), H5Sclose, "dataset space");
    if (comm_rank(comm) == 0) {
        ck(H5Dwrite(dset, memtype, H5S_ALL, H5S_ALL, dxpl, data), "write");
    } else {
        ck(H5Sselect_none(fspace), "select none");
        h5_handle mspace(H5Scopy(fspace), H5Sclose, "memory space");
        ck(H5Sselect_none(mspace), "select none");
        ck(H5Dwrite(dset, memtype, mspace, fspace, dxpl, data), "write");
    }
}

std::string folder_of(const std::string& path) {
    const fs::path p = fs::absolute(fs::path(path));
    return p.parent_path().string();
}

}  // namespace


h5_output::h5_output(MPI_Comm comm, std::string path, bool overwrite, const output_layout& layout)
    : comm_(comm), path_(std::move(path)), layout_(layout) {
    quiet_hdf5();
    partial_ = path_ + ".partial";
    run_collectively(comm_, [&] {
        if (comm_rank(comm_) != 0) return;
        std::error_code ec;
        const std::string dir = folder_of(path_);
        if (!fs::is_directory(dir, ec)) throw io_error(path_ + ": output folder '" + dir + "' does not exist");
        if (fs::exists(path_, ec) && !overwrite)
            throw io_error(path_ + ": output file exists already (use --overwrite to replace it)");
        if (fs::is_directory(path_, ec)) throw io_error(path_ + ": output path is a folder");
    });

    open_file(true);
    try {
        create_datasets();
        prepare_rates_writes();
    } catch (...) {
        // a constructor that throws runs no destructor: remove the new .partial here (no checkpoint refers to it)
        close_all();
        if (comm_rank(comm_) == 0) {
            std::error_code ec;
            fs::remove(partial_, ec);
        }
        throw;
    }
}

void h5_output::create_datasets() {
    {
        std::string id;
        if (comm_rank(comm_) == 0) {
            id = std::to_string(std::chrono::system_clock::now().time_since_epoch().count()) + "-" +
                 std::to_string(::getpid()) + "-" + path_;
            id = sha256::of(id).substr(0, 32);
        }
        run_id_ = broadcast_string(comm_, id);
    }

    run_collectively(comm_, [&] {
        const hsize_t T = static_cast<hsize_t>(layout_.n_records);
        const hsize_t A = layout_.area_names.size();
        const hsize_t P = layout_.populations.size();
        // /time, written by rank 0 in pieces of at most 2^20 records (its size comes from the config)
        {
            h5_handle space(H5Screate_simple(1, &T, nullptr), H5Sclose, "space");
            h5_handle d(H5Dcreate2(file_, "/time", H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                        H5Dclose, "create /time");
            const hsize_t piece = std::min<hsize_t>(T, hsize_t{1} << 20);
            std::vector<double> t(static_cast<std::size_t>(piece));
            const bool root = comm_rank(comm_) == 0;
            for (hsize_t k0 = 0; k0 < T; k0 += piece) {
                const hsize_t c = std::min(piece, T - k0);
                for (hsize_t k = 0; k < c; ++k) t[k] = static_cast<double>(k0 + k) * layout_.record_dt_s;
                h5_handle fspace(H5Dget_space(d), H5Sclose, "space of /time");
                h5_handle mspace(H5Screate_simple(1, &c, nullptr), H5Sclose, "memory space of /time");
                if (root) {
                    ck(H5Sselect_hyperslab(fspace, H5S_SELECT_SET, &k0, nullptr, &c, nullptr), "select /time");
                } else {
                    ck(H5Sselect_none(fspace), "select none");
                    ck(H5Sselect_none(mspace), "select none");
                }
                ck(H5Dwrite(d, H5T_NATIVE_DOUBLE, mspace, fspace, dxpl_, t.data()), "write /time");
            }
            string_attribute(d, "units", "s");
            string_attribute(d, "description", "time of each record");
            ck(H5DSset_scale(d, "time"), "make /time a dimension scale");
        }
        // /areas and /populations: variable-length UTF-8 strings and dimension scales. Parallel HDF5 (1.10) cannot
        // write variable-length data through MPI-IO: they are created here (monitors and analyses attach them
        // as scales) and filled by rank 0 in commit(), once the parallel file is closed.
        auto names = [&](const char* dname, std::size_t count, const char* desc) {
            const hsize_t n = count;
            h5_handle type(vlen_string_type(), H5Tclose, "string type");
            h5_handle space(H5Screate_simple(1, &n, nullptr), H5Sclose, "space");
            h5_handle d(H5Dcreate2(file_, dname, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Dclose,
                        std::string("create ") + dname);
            string_attribute(d, "description", desc);
            ck(H5DSset_scale(d, dname + 1), std::string("make ") + dname + " a dimension scale");
        };
        names("/areas", layout_.area_names.size(), "area names, global order (second axis of /rates)");
        names("/populations", layout_.populations.size(), "population names (third axis of /rates)");
        // /rates: chunks of one area's records (cheap traces); not compressed: deflate made recording-heavy runs
        // 3-4x slower (docs/output-format.md, "Chunks of /rates")
        {
            const hsize_t dims[3] = {T, A, P};
            h5_handle space(H5Screate_simple(3, dims, nullptr), H5Sclose, "space");
            h5_handle dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, "dcpl");
            ck(H5Pset_fill_time(dcpl, H5D_FILL_TIME_NEVER), "fill time");
            // every chunk allocated now (MPI-IO's default, made explicit): the blocks are written independently
            ck(H5Pset_alloc_time(dcpl, H5D_ALLOC_TIME_EARLY), "allocation time");
            if (T > 0 && A > 0 && P > 0) {
                const std::vector<hsize_t> chunk = rates_chunk_shape(layout_.n_records, layout_.area_names.size(),
                                                                     layout_.populations.size(),
                                                                     layout_.records_per_block);
                ck(H5Pset_chunk(dcpl, 3, chunk.data()), "chunk /rates");
            }
            rates_ = H5Dcreate2(file_, "/rates", H5T_IEEE_F64LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
            if (rates_ < 0) throw io_error("HDF5: create /rates failed");
            string_attribute(rates_, "units", layout_.rates_units);
            string_attribute(rates_, "description",
                             layout_.rates_units == "Hz" ? "firing rate [time, area, population]"
                                                         : "activity [time, area, population]");
            const char* scales[3] = {"/time", "/areas", "/populations"};
            for (unsigned i = 0; i < 3; ++i) {
                h5_handle sc(H5Dopen2(file_, scales[i], H5P_DEFAULT), H5Dclose, std::string("open ") + scales[i]);
                ck(H5DSattach_scale(rates_, sc, i), std::string("attach ") + scales[i] + " to /rates");
            }
        }
        // /config
        {
            const std::string& text = layout_.config_text;
            h5_handle type(string_type(text.size()), H5Tclose, "string type");
            h5_handle space(H5Screate(H5S_SCALAR), H5Sclose, "space");
            h5_handle d(H5Dcreate2(file_, "/config", type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Dclose,
                        "create /config");
            std::string buf = text.empty() ? std::string(1, '\0') : text;
            write_by_root(comm_, d, type, dxpl_, buf.data());
            string_attribute(d, "description", "the exact text of the config file");
            std::string ov;
            for (const auto& o : layout_.overrides) ov += (ov.empty() ? "" : "\n") + o;
            string_attribute(d, "overrides", ov);
            string_attribute(d, "resolved", layout_.resolved_yaml);
        }
        h5_handle g(ensure_group(file_, "/analysis"), H5Gclose, "create /analysis");
        h5_handle root(H5Gopen2(file_, "/", H5P_DEFAULT), H5Gclose, "open /");
        string_attribute(root, "run_id", run_id_);
        string_attribute(root, "complete", "false");
        {
            const int version = output_format_version;
            h5_handle sp(H5Screate(H5S_SCALAR), H5Sclose, "scalar space");
            h5_handle a(H5Acreate2(root, "format_version", H5T_STD_I32LE, sp, H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
                        "create attribute format_version");
            ck(H5Awrite(a, H5T_NATIVE_INT, &version), "write attribute format_version");
        }
    });
    flush();
}

h5_output::h5_output(MPI_Comm comm, std::string path, append_t, const output_layout& layout, const std::string& run_id)
    : comm_(comm), path_(std::move(path)), run_id_(run_id), layout_(layout), keep_partial_(true) {
    quiet_hdf5();
    partial_ = path_ + ".partial";
    run_collectively(comm_, [&] {
        std::error_code ec;
        if (!fs::is_regular_file(partial_, ec))
            throw io_error(partial_ + ": the output of the interrupted run is missing, cannot continue it");
    });
    open_file(false);
    run_collectively(comm_, [&] {
        rates_ = H5Dopen2(file_, "/rates", H5P_DEFAULT);
        if (rates_ < 0) throw io_error(partial_ + ": has no /rates");
        h5_handle space(H5Dget_space(rates_), H5Sclose, "space of /rates");
        hsize_t dims[3] = {0, 0, 0};
        if (H5Sget_simple_extent_ndims(space) != 3) throw io_error(partial_ + ": /rates is not 3-D");
        H5Sget_simple_extent_dims(space, dims, nullptr);
        if (dims[0] != static_cast<hsize_t>(layout_.n_records) || dims[1] != layout_.area_names.size() ||
            dims[2] != layout_.populations.size())
            throw io_error(partial_ + ": /rates has another shape than this run's output");
        h5_handle root(H5Gopen2(file_, "/", H5P_DEFAULT), H5Gclose, "open /");
        std::string id;
        if (H5Aexists(root, "run_id") > 0) {
            h5_handle a(H5Aopen(root, "run_id", H5P_DEFAULT), H5Aclose, "run_id");
            h5_handle t(H5Aget_type(a), H5Tclose, "type");
            id.assign(H5Tget_size(t), '\0');
            ck(H5Aread(a, t, id.data()), "read run_id");
            id.erase(std::find(id.begin(), id.end(), '\0'), id.end());
        }
        if (id != run_id_)
            throw io_error(partial_ + ": belongs to another run (run id " + id + ", the checkpoint's is " + run_id_ +
                           ")");
    });
    prepare_rates_writes();
}

void h5_output::open_file(bool create) {
    run_collectively(comm_, [&] {
        h5_handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, "file access list");
        ck(H5Pset_fapl_mpio(fapl, comm_, MPI_INFO_NULL), "H5Pset_fapl_mpio");
        ck(H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG), "fclose degree");
        ck(H5Pset_all_coll_metadata_ops(fapl, true), "collective metadata reads");
        ck(H5Pset_coll_metadata_write(fapl, true), "collective metadata writes");
        file_ = create ? H5Fcreate(partial_.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl)
                       : H5Fopen(partial_.c_str(), H5F_ACC_RDWR, fapl);
        if (file_ < 0)
            throw io_error(partial_ + (create ? ": cannot create output file" : ": cannot open output file"));
        dxpl_ = H5Pcreate(H5P_DATASET_XFER);
        ck(H5Pset_dxpl_mpio(dxpl_, H5FD_MPIO_COLLECTIVE), "H5Pset_dxpl_mpio");
    });
}

void h5_output::close_checked() {
    if (rates_ >= 0) ck(H5Dclose(rates_), "close /rates");
    rates_ = -1;
    if (dxpl_ >= 0) H5Pclose(dxpl_);
    if (dxpl_independent_ >= 0) H5Pclose(dxpl_independent_);
    dxpl_ = dxpl_independent_ = -1;
    const hid_t f = static_cast<hid_t>(file_);
    file_ = -1;
    ck(H5Fclose(f), "close " + partial_);
}

void h5_output::suspend() {
    run_collectively(comm_, [&] { close_checked(); });
    committed_ = true;  // nothing to remove
}

void h5_output::flush() {
    run_collectively(comm_, [&] { ck(H5Fflush(file_, H5F_SCOPE_GLOBAL), "flush " + partial_); });
}

h5_output::~h5_output() {
    if (!committed_) {
        close_all();
        if (comm_rank(comm_) == 0 && !keep_partial_) {
            std::error_code ec;
            fs::remove(partial_, ec);
        }
    }
}

void h5_output::close_all() noexcept {
    if (rates_ >= 0) H5Dclose(rates_);
    if (dxpl_ >= 0) H5Pclose(dxpl_);
    if (dxpl_independent_ >= 0) H5Pclose(dxpl_independent_);
    if (file_ >= 0) H5Fclose(file_);
    rates_ = dxpl_ = dxpl_independent_ = file_ = -1;
}

/// Selects this rank's area rows in the file space (dimension `area_dim` of a `rank`-dimensional dataset,
/// the other dimensions from start/count): one slab, or the union of the runs of consecutive rows.
void h5_output::select_areas(long long fspace, int rank, int area_dim, const unsigned long long* start,
                             const unsigned long long* count) const {
    if (layout_.area_rows.empty()) {
        ck(H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, nullptr, count, nullptr), "select slab");
        return;
    }
    ck(H5Sselect_none(fspace), "select none");
    hsize_t st[3], ct[3];
    const auto& r = layout_.area_rows;
    for (std::size_t q = 0; q < r.size();) {
        std::size_t e = q + 1;
        while (e < r.size() && r[e] == r[e - 1] + 1) ++e;
        for (int d = 0; d < rank; ++d) {
            st[d] = start[d];
            ct[d] = count[d];
        }
        st[area_dim] = r[q];
        ct[area_dim] = e - q;
        ck(H5Sselect_hyperslab(fspace, H5S_SELECT_OR, st, nullptr, ct, nullptr), "select rows");
        q = e;
    }
}

void h5_output::prepare_rates_writes() {
    run_collectively(comm_, [&] {
        h5_handle dcpl(H5Dget_create_plist(rates_), H5Pclose, "creation list of /rates");
        chunk_areas_ = 0;
        if (H5Pget_layout(dcpl) == H5D_CHUNKED) {
            hsize_t chunk[3] = {0, 0, 0};
            if (H5Pget_chunk(dcpl, 3, chunk) != 3) throw io_error(partial_ + ": /rates has chunks that are not 3-D");
            chunk_areas_ = static_cast<std::size_t>(chunk[1]);
        }
        dxpl_independent_ = H5Pcreate(H5P_DATASET_XFER);
        ck(H5Pset_dxpl_mpio(dxpl_independent_, H5FD_MPIO_INDEPENDENT), "H5Pset_dxpl_mpio");
        if (chunk_areas_ > 0 && layout_.records_per_block > 0)
            pack_.assign(static_cast<std::size_t>(layout_.records_per_block) * std::min(chunk_areas_, layout_.n_local) *
                             layout_.populations.size(),
                         0.0);
    });
}

// A chunked /rates is written chunk column by chunk column: for each run of this rank's areas inside one chunk
// column (areas [k Ac, (k + 1) Ac)), the block's records of those areas are packed contiguously and written with
// one independent transfer, so that the MPI-IO layer sees a few contiguous pieces per chunk. (One collective
// write of the whole [n][n_local][P] block makes HDF5 describe the memory side of every chunk as n strided
// pieces of P values: ~290,000 pieces of 16 bytes for the default model, whose decoding by Open MPI's ompio
// took most of the time loop.) Parallel HDF5 allocates the chunks when it creates the dataset, and /rates has
// no filters, so ranks write their parts of a chunk independently. The values written are the same.
void h5_output::write_block(std::int64_t first_record, std::int64_t n_records, const double* data) {
    const hsize_t P = layout_.populations.size();
    if (chunk_areas_ > 0) {
        const std::size_t nl = layout_.n_local, Pn = static_cast<std::size_t>(P);
        const auto n = static_cast<std::size_t>(n_records);
        auto row = [&](std::size_t i) {
            return layout_.area_rows.empty() ? layout_.area_begin + i : layout_.area_rows[i];
        };
        h5_handle fspace(H5Dget_space(rates_), H5Sclose, "space of /rates");  // reselected for every piece
        for (std::size_t q = 0; q < nl;) {
            std::size_t e = q + 1;
            while (e < nl && row(e) == row(e - 1) + 1 && row(e) / chunk_areas_ == row(q) / chunk_areas_) ++e;
            const std::size_t len = e - q;
            const double* src = data;
            if (len != nl) {
                if (pack_.size() < n * len * Pn) pack_.resize(n * len * Pn);  // (sized at creation for a block)
                for (std::size_t t = 0; t < n; ++t)
                    std::memcpy(pack_.data() + t * len * Pn, data + (t * nl + q) * Pn, len * Pn * sizeof(double));
                src = pack_.data();
            }
            const hsize_t start[3] = {static_cast<hsize_t>(first_record), row(q), 0};
            const hsize_t count[3] = {static_cast<hsize_t>(n_records), len, P};
            ck(H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, nullptr, count, nullptr), "select slab");
            h5_handle mspace(H5Screate_simple(3, count, nullptr), H5Sclose, "memory space");
            ck(H5Dwrite(rates_, H5T_NATIVE_DOUBLE, mspace, fspace, dxpl_independent_, src), "write /rates");
            ++independent_writes_;
            all_collective_ = false;
            q = e;
        }
        return;
    }
    const hsize_t start[3] = {static_cast<hsize_t>(first_record), layout_.area_begin, 0};
    const hsize_t count[3] = {static_cast<hsize_t>(n_records), layout_.n_local, P};
    h5_handle fspace(H5Dget_space(rates_), H5Sclose, "space of /rates");
    select_areas(fspace, 3, 1, start, count);
    h5_handle mspace(H5Screate_simple(3, count, nullptr), H5Sclose, "memory space");
    ck(H5Dwrite(rates_, H5T_NATIVE_DOUBLE, mspace, fspace, dxpl_, data), "write /rates");
    H5D_mpio_actual_io_mode_t mode;
    if (H5Pget_mpio_actual_io_mode(dxpl_, &mode) >= 0 && mode == H5D_MPIO_NO_COLLECTIVE) all_collective_ = false;
}

void h5_output::write_analysis(const std::string& name, const std::vector<double>& local, std::size_t per_area,
                               const std::string& units, const std::string& description) {
    run_collectively(comm_, [&] {
        const hsize_t A = layout_.area_names.size();
        const int rank = per_area == 1 ? 1 : 2;
        const hsize_t dims[2] = {A, per_area};
        h5_handle space(H5Screate_simple(rank, dims, nullptr), H5Sclose, "space");
        const std::string full = "/analysis/" + name;
        const bool exists = H5Lexists(file_, full.c_str(), H5P_DEFAULT) > 0;
        h5_handle d(exists
                        ? H5Dopen2(file_, full.c_str(), H5P_DEFAULT)
                        : H5Dcreate2(file_, full.c_str(), H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                    H5Dclose, "create " + full);
        const hsize_t start[2] = {layout_.area_begin, 0};
        const hsize_t count[2] = {layout_.n_local, per_area};
        h5_handle fspace(H5Dget_space(d), H5Sclose, "space");
        select_areas(fspace, rank, 0, start, count);
        h5_handle mspace(H5Screate_simple(rank, count, nullptr), H5Sclose, "memory space");
        ck(H5Dwrite(d, H5T_NATIVE_DOUBLE, mspace, fspace, dxpl_, local.data()), "write " + full);
        string_attribute(d, "units", units);
        string_attribute(d, "description", description);
        // the area axis (not in an output continued from a version-1 file, whose /areas is no scale)
        h5_handle areas(H5Dopen2(file_, "/areas", H5P_DEFAULT), H5Dclose, "open /areas");
        if (H5DSis_scale(areas) > 0 && H5DSis_attached(d, areas, 0) <= 0)
            ck(H5DSattach_scale(d, areas, 0), "attach /areas to " + full);
    });
}

void h5_output::write_global(const std::string& name, const std::vector<std::size_t>& dims,
                             const std::vector<double>& data, const std::string& units, const std::string& description,
                             const attribute_list& attrs, const std::vector<std::string>& scales,
                             const std::vector<std::size_t>& row_split) {
    const bool blocks = !row_split.empty();
    run_collectively(comm_, [&] {
        if (blocks) {
            const std::size_t me = static_cast<std::size_t>(comm_rank(comm_));
            if (dims.size() != 2 || dims[0] != dims[1] ||
                row_split.size() != static_cast<std::size_t>(comm_size(comm_)) + 1)
                throw io_error(path_ + ": " + name + ": a matrix in blocks must be square with one block per rank");
            const std::size_t n = dims[0], r0 = row_split[me], r1 = row_split[me + 1];
            if (data.size() != (r1 - r0) * (2 * n - r0 - r1))
                throw io_error(path_ + ": " + name + ": rank " + std::to_string(me) + " holds " +
                               std::to_string(data.size()) + " values, its rows " + std::to_string(r0) + " to " +
                               std::to_string(r1) + " need " + std::to_string((r1 - r0) * (2 * n - r0 - r1)));
        }
        ensure_parents(file_, name);
        std::vector<hsize_t> d(dims.begin(), dims.end());
        h5_handle space(H5Screate_simple(static_cast<int>(d.size()), d.data(), nullptr), H5Sclose, "space");
        h5_handle dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, "dcpl");
        if (blocks && d[0] > 0) {  // square chunks (2 MiB at most): a row block writes whole chunk rows
            const hsize_t c = std::min<hsize_t>(d[0], 256), chunk[2] = {c, c};
            ck(H5Pset_chunk(dcpl, 2, chunk), "chunk " + name);
            ck(H5Pset_fill_time(dcpl, H5D_FILL_TIME_NEVER), "fill time");
        }
        const bool exists = H5Lexists(file_, name.c_str(), H5P_DEFAULT) > 0;
        h5_handle ds(exists ? H5Dopen2(file_, name.c_str(), H5P_DEFAULT)
                            : H5Dcreate2(file_, name.c_str(), H5T_IEEE_F64LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT),
                     H5Dclose, "create " + name);
        if (blocks) {
            // this rank's L: rows [r0, r1) x columns [r0, n), then rows [r1, n) x columns [r0, r1); a union of
            // hyperslabs is iterated in row-major order of the file, which is the order of the piece in memory
            const std::size_t me = static_cast<std::size_t>(comm_rank(comm_));
            const hsize_t n = d[0], r0 = row_split[me], r1 = row_split[me + 1];
            h5_handle fspace(H5Dget_space(ds), H5Sclose, "space of " + name);
            ck(H5Sselect_none(fspace), "select none");
            if (r1 > r0) {
                const hsize_t s1[2] = {r0, r0}, c1[2] = {r1 - r0, n - r0};
                ck(H5Sselect_hyperslab(fspace, H5S_SELECT_OR, s1, nullptr, c1, nullptr), "select rows");
                if (n > r1) {
                    const hsize_t s2[2] = {r1, r0}, c2[2] = {n - r1, r1 - r0};
                    ck(H5Sselect_hyperslab(fspace, H5S_SELECT_OR, s2, nullptr, c2, nullptr), "select columns");
                }
            }
            const hsize_t m = std::max<hsize_t>(data.size(), 1);
            h5_handle mspace(H5Screate_simple(1, &m, nullptr), H5Sclose, "memory space");
            if (data.empty()) ck(H5Sselect_none(mspace), "select none");
            const double zero = 0;
            ck(H5Dwrite(ds, H5T_NATIVE_DOUBLE, mspace, fspace, dxpl_, data.empty() ? &zero : data.data()),
               "write " + name);
        } else {
            write_by_root(comm_, ds, H5T_NATIVE_DOUBLE, dxpl_, data.data());
        }
        string_attribute(ds, "units", units);
        string_attribute(ds, "description", description);
        for (const auto& [k, v] : attrs) string_attribute(ds, k.c_str(), v);
        for (std::size_t i = 0; i < scales.size() && i < dims.size(); ++i) {
            if (scales[i].empty() || H5Lexists(file_, scales[i].c_str(), H5P_DEFAULT) <= 0) continue;
            h5_handle sc(H5Dopen2(file_, scales[i].c_str(), H5P_DEFAULT), H5Dclose, "open " + scales[i]);
            if (H5DSis_scale(sc) <= 0 && H5DSset_scale(sc, scales[i].substr(1).c_str()) < 0)
                throw io_error(path_ + ": HDF5: cannot make " + scales[i] + " a dimension scale");
            if (H5DSattach_scale(ds, sc, static_cast<unsigned>(i)) < 0)
                throw io_error(path_ + ": HDF5: cannot attach " + scales[i] + " to dimension " + std::to_string(i) +
                               " of " + name);
        }
    });
}

void h5_output::write_bytes(const std::string& name, const std::string& content, const attribute_list& attrs) {
    std::vector<std::string> flat;
    for (const auto& [k, v] : attrs) {
        flat.push_back(k);
        flat.push_back(v);
    }
    flat = broadcast_strings(comm_, flat, 0);
    const std::string data = broadcast_string(comm_, content, 0);
    run_collectively(comm_, [&] {
        ensure_parents(file_, name);
        const hsize_t n = data.size();
        h5_handle space(n == 0 ? H5Screate(H5S_NULL) : H5Screate_simple(1, &n, nullptr), H5Sclose, "space");
        h5_handle d(H5Dcreate2(file_, name.c_str(), H5T_STD_U8LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                    H5Dclose, "create " + name);
        if (n > 0) write_by_root(comm_, d, H5T_NATIVE_UCHAR, dxpl_, data.data());
        for (std::size_t i = 0; i + 1 < flat.size(); i += 2) string_attribute(d, flat[i], flat[i + 1]);
    });
}

void h5_output::write_attributes(const std::string& group, const attribute_list& attrs) {
    std::vector<std::string> flat;
    for (const auto& [k, v] : attrs) {
        flat.push_back(k);
        flat.push_back(v);
    }
    flat = broadcast_strings(comm_, flat, 0);
    run_collectively(comm_, [&] {
        h5_handle g(ensure_group(file_, group), H5Gclose, "open group " + group);
        for (std::size_t i = 0; i + 1 < flat.size(); i += 2) string_attribute(g, flat[i], flat[i + 1]);
    });
}

void h5_output::commit() {
    run_collectively(comm_, [&] {
        h5_handle root(H5Gopen2(file_, "/", H5P_DEFAULT), H5Gclose, "open /");
        string_attribute(root, "complete", "true");
        close_checked();
    });
    run_collectively(comm_, [&] {
        if (comm_rank(comm_) != 0) return;
        write_names_serially();
        std::error_code ec;
        fs::rename(partial_, path_, ec);
        if (ec) throw io_error(partial_ + ": cannot rename to " + path_ + ": " + ec.message());
    });
    committed_ = true;
}

void h5_output::write_names_serially() const {
    const hid_t f = H5Fopen(partial_.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    if (f < 0) throw io_error(partial_ + ": cannot reopen to write the area and population names (HDF5)");
    h5_handle fh(f, H5Fclose, "file " + partial_);
    auto write = [&](const char* dname, const std::vector<std::string>& v) {
        h5_handle d(H5Dopen2(f, dname, H5P_DEFAULT), H5Dclose, partial_ + ": open " + dname);
        h5_handle t(H5Dget_type(d), H5Tclose, "type");
        if (H5Tis_variable_str(t) <= 0) return;  // a version-1 output continued: written when it was created
        std::vector<const char*> ptrs;
        for (const auto& x : v) ptrs.push_back(x.c_str());
        h5_handle mt(vlen_string_type(), H5Tclose, "string type");
        // a conversion buffer of the strings' size: HDF5's default is 1 MiB, zeroed at every write (~3 ms per
        // output of a short run, most of it page faults)
        h5_handle xfer(H5Pcreate(H5P_DATASET_XFER), H5Pclose, "transfer list");
        ck(H5Pset_buffer(xfer, std::max<std::size_t>(4096, 32 * ptrs.size()), nullptr, nullptr), "conversion buffer");
        if (!ptrs.empty()) ck(H5Dwrite(d, mt, H5S_ALL, H5S_ALL, xfer, ptrs.data()), "write " + std::string(dname));
    };
    write("/areas", layout_.area_names);
    write("/populations", layout_.populations);
}

std::vector<unsigned long long> rates_chunk_shape(std::int64_t n_records, std::size_t n_areas,
                                                  std::size_t n_populations, std::int64_t records_per_block) {
    constexpr double target = 256.0 * 1024.0, minimum = 64.0 * 1024.0;  // bytes of a chunk
    const double row = 8.0 * static_cast<double>(std::max<std::size_t>(n_populations, 1));
    const double T = static_cast<double>(std::max<std::int64_t>(n_records, 1));
    double t = std::max(1.0, std::floor(target / row));
    t = std::min(t, T);
    if (records_per_block > 0) t = std::min(t, static_cast<double>(records_per_block));
    // chunks of few records (many local areas, a small record buffer): several areas per chunk
    const double a = std::min(static_cast<double>(std::max<std::size_t>(n_areas, 1)),
                              std::max(1.0, std::ceil(minimum / (t * row))));
    return {static_cast<unsigned long long>(t), static_cast<unsigned long long>(a),
            static_cast<unsigned long long>(std::max<std::size_t>(n_populations, 1))};
}

void write_h5_table(const std::string& file, const std::vector<h5_column>& columns, std::size_t rows,
                    const attribute_list& root_attributes) {
    quiet_hdf5();
    const hid_t f = H5Fcreate(file.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (f < 0) throw io_error(file + ": cannot create (HDF5)");
    h5_handle fh(f, H5Fclose, "file " + file);
    try {
        const hsize_t n = rows;
        h5_handle space(H5Screate_simple(1, &n, nullptr), H5Sclose, "space");
        std::vector<double> index(rows);
        for (std::size_t i = 0; i < rows; ++i) index[i] = static_cast<double>(i);
        h5_handle row(H5Dcreate2(f, "/row", H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Dclose,
                      "create /row");
        if (rows > 0) ck(H5Dwrite(row, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, index.data()), "write /row");
        ck(H5DSset_scale(row, "row"), "make /row a dimension scale");
        for (const auto& c : columns) {
            const std::string name = "/" + c.name;
            ensure_parents(f, name);
            const bool text = !c.texts.empty();
            h5_handle type(text ? vlen_string_type() : H5Tcopy(H5T_IEEE_F64LE), H5Tclose, "type");
            h5_handle d(H5Dcreate2(f, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Dclose,
                        "create " + name);
            if (text) {
                std::vector<const char*> ptrs;
                for (const auto& t : c.texts) ptrs.push_back(t.c_str());
                if (rows > 0) ck(H5Dwrite(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()), "write " + name);
            } else if (rows > 0) {
                ck(H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, c.numbers.data()), "write " + name);
            }
            if (!c.description.empty()) string_attribute(d, "description", c.description);
            ck(H5DSattach_scale(d, row, 0), "attach /row to " + name);
        }
        h5_handle root(H5Gopen2(f, "/", H5P_DEFAULT), H5Gclose, "open /");
        for (const auto& [k, v] : root_attributes) string_attribute(root, k, v);
    } catch (const io_error& e) {
        throw io_error(file + ": " + e.what());
    }
}

void write_h5_scores(const std::string& file, const std::string& group, const std::vector<h5_score>& scores) {
    const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    if (f < 0) throw io_error(file + ": cannot open for writing the scores (HDF5)");
    h5_handle fh(f, H5Fclose, "file " + file);
    try {
        ensure_parents(f, group + "/x");
        h5_handle g(ensure_group(f, group), H5Gclose, "group " + group);
        for (const auto& sc : scores) {
            if (H5Lexists(g, sc.name.c_str(), H5P_DEFAULT) > 0) H5Ldelete(g, sc.name.c_str(), H5P_DEFAULT);
            h5_handle space(H5Screate(H5S_SCALAR), H5Sclose, "space");
            h5_handle d(H5Dcreate2(g, sc.name.c_str(), H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                        H5Dclose, "create " + group + "/" + sc.name);
            if (H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, &sc.value) < 0)
                throw io_error("HDF5: write " + group + "/" + sc.name + " failed");
            string_attribute(d, "description", sc.description);
        }
    } catch (const io_error& e) {
        throw io_error(file + ": " + e.what());
    }
}

}  // namespace cortexsim
