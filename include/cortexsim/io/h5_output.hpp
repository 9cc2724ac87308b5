#pragma once
// The one place that includes HDF5. One output file per run, written collectively through MPI-IO:
// each rank writes its own slab of /rates in blocks of records (collective transfers), small datasets are
// written by rank 0 inside the same collective calls. The file is written under "<path>.partial" and renamed
// to <path> only when complete, so a failed run never leaves a half-written file under the requested name,
// and an existing file is replaced (with --overwrite) only by a complete one. Layout: docs/output-format.md.
#include <mpi.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "cortexsim/io/h5_read.hpp"
#include "cortexsim/io/record_sink.hpp"

namespace cortexsim {

struct output_layout {
    std::vector<std::string> area_names;  // all areas, global order
    std::vector<std::string> populations;
    std::size_t area_begin = 0, n_local = 0;  // this rank's slab
    /// After a graph partition: the file rows (data-file order) of this rank's areas, increasing, in local
    /// order (empty: the slab [area_begin, area_begin + n_local)).
    std::vector<std::size_t> area_rows;
    std::int64_t n_records = 0;
    double record_dt_s = 0.0;
    /// Records per write_block of the record buffer (0: unknown): /rates chunks span at most this many records,
    /// so that a block fills whole chunks (docs/output-format.md, "Chunks").
    std::int64_t records_per_block = 0;
    std::string rates_units = "Hz";  // the circuit's (circuit_info::rates_units)
    std::string config_text;
    std::string resolved_yaml;
    std::vector<std::string> overrides;
};

using attribute_list = std::vector<std::pair<std::string, std::string>>;

class h5_output : public record_sink {
public:
    /// Collective. Creates "<path>.partial". Fails (on every rank) if the folder of `path` does not exist, or
    /// `path` exists and `overwrite` is false.
    h5_output(MPI_Comm comm, std::string path, bool overwrite, const output_layout& layout);

    struct append_t {};
    static constexpr append_t append{};
    /// Collective. Reopens the "<path>.partial" of an interrupted run to continue it; checks that its /rates
    /// has the layout's shape and that its run id is `run_id`.
    h5_output(MPI_Comm comm, std::string path, append_t, const output_layout& layout, const std::string& run_id);
    ~h5_output() override;
    h5_output(const h5_output&) = delete;
    h5_output& operator=(const h5_output&) = delete;

    /// Collective: records [first, first + n) of this rank's areas, data [n][n_local][n_populations].
    void write_block(std::int64_t first_record, std::int64_t n_records, const double* data) override;

    /// Collective: /analysis/<name>, shape [A] (per_area == 1) or [A, per_area]; `local` holds this rank's areas.
    void write_analysis(const std::string& name, const std::vector<double>& local, std::size_t per_area,
                        const std::string& units, const std::string& description);

    /// Collective: string attributes on group `group` (created if needed). Rank 0's values are written.
    void write_attributes(const std::string& group, const attribute_list& attrs);

    /// Collective: a byte dataset (uint8 [n]) with string attributes, written by rank 0 (for embedded files).
    void write_bytes(const std::string& name, const std::string& content, const attribute_list& attrs);
    /// Collective: a float64 dataset `name` of shape dims whose values rank 0 holds (row-major).
    /// Groups above `name` are created; `attrs` are further string attributes; scales[i] (if not empty) names a
    /// dataset to attach as the dimension scale of dimension i (HDF5 dimension scales: xarray and h5py use them).
    void write_global(const std::string& name, const std::vector<std::size_t>& dims, const std::vector<double>& data,
                      const std::string& units, const std::string& description, const attribute_list& attrs = {},
                      const std::vector<std::string>& scales = {}, const std::vector<std::size_t>& row_split = {});
    /// With row_split (a symmetric [n][n] matrix computed in blocks, e.g. the FC): rank r holds the rows
    /// [row_split[r], row_split[r + 1]) and `data` is on every rank its L-shaped piece, rows [r0, r1) x columns
    /// [r0, n), then rows [r1, n) x columns [r0, r1), each row-major; every rank writes its piece (one collective
    /// write, chunks of at most 256 x 256 values), and no rank holds the whole matrix.

    /// Collective: closes the file and renames it to its final name.
    void commit();

    /// Collective: closes the file but keeps "<path>.partial" for a later restart.
    void suspend();

    /// From now on a failure keeps "<path>.partial" (a checkpoint refers to it). Set after every checkpoint
    /// and when continuing an interrupted run.
    void keep_partial_on_failure() { keep_partial_ = true; }

    /// Collective: pushes everything written so far to the file system (before a checkpoint).
    void flush();

    /// Identifies this output file (attribute /run_id); checkpoints name the output they belong to by it.
    const std::string& run_id() const { return run_id_; }

    const std::string& path() const { return path_; }
    const std::string& partial_path() const { return partial_; }
    /// Whether every /rates transfer so far was done collectively by the MPI-IO driver (false by design for a
    /// chunked /rates: written chunk column by chunk column, independently; see write_block).
    bool rates_transfers_collective() const { return all_collective_; }
    /// The areas per chunk of /rates (0: /rates is contiguous, a version-1 file being continued).
    std::size_t rates_chunk_areas() const { return chunk_areas_; }
    /// Independent /rates writes so far (one per chunk column of this rank's areas per block).
    std::size_t rates_independent_writes() const { return independent_writes_; }

private:
    void select_areas(long long fspace, int rank, int area_dim, const unsigned long long* start,
                      const unsigned long long* count) const;  // hid_t, hsize_t
    void close_all() noexcept;
    void close_checked();  // collective caller: closes /rates, the transfer list and the file, throwing on error
    void open_file(bool create);
    /// After /rates is created or opened: its chunk shape, the independent transfer list and the packing buffer.
    void prepare_rates_writes();
    /// The datasets and attributes of a new output (collective; the constructor removes the file if it throws).
    void create_datasets();
    /// Rank 0, after the parallel file is closed: fills /areas and /populations (variable-length strings, which
    /// parallel HDF5 cannot write through MPI-IO).
    void write_names_serially() const;

    MPI_Comm comm_;
    std::string path_, partial_, run_id_;
    output_layout layout_;
    long long file_ = -1, rates_ = -1, dxpl_ = -1, dxpl_independent_ = -1;  // hid_t
    std::size_t chunk_areas_ = 0;                                           // areas per chunk of /rates (0: contiguous)
    std::vector<double> pack_;  // one chunk column of a block: [records][areas of the column][P]
    std::size_t independent_writes_ = 0;
    bool committed_ = false;
    bool keep_partial_ = false;
    bool all_collective_ = true;
};

/// The version of the output layout this program writes (root attribute format_version; files without it are
/// version 1: contiguous /rates, fixed-length names, no dimension scales). docs/output-format.md.
constexpr int output_format_version = 2;

/// The chunk shape of /rates [T, A, P] for `records_per_block` records per write (0: unknown): one area (or a
/// few when a chunk of one area would be tiny) by up to 256 KiB of records, never more records than a block.
std::vector<unsigned long long> rates_chunk_shape(std::int64_t n_records, std::size_t n_areas,
                                                  std::size_t n_populations, std::int64_t records_per_block);

/// A named number with a description, written as a scalar float64 dataset (cortexsim compare).
struct h5_score {
    std::string name;
    double value = 0.0;
    std::string description;
};

/// One column of a table file: numbers (NaN: none) or texts, one per row.
struct h5_column {
    std::string name;
    std::vector<double> numbers;
    std::vector<std::string> texts;  // used when not empty
    std::string description;
};

/// Serial (one process): writes a new HDF5 file (replacing `file`) holding one dataset per column, [rows],
/// under `/<group>/<name>` when the column's name is "group/name" (groups created), with the dataset /row as the
/// dimension scale of every column; texts as variable-length UTF-8 strings. Throws io_error naming the file.
void write_h5_table(const std::string& file, const std::vector<h5_column>& columns, std::size_t rows,
                    const attribute_list& root_attributes);

/// Serial (one process): opens an existing output file and writes `scores` into `group` (created if needed;
/// datasets of the same name are replaced). Throws io_error naming the file.
void write_h5_scores(const std::string& file, const std::string& group, const std::vector<h5_score>& scores);

}  // namespace cortexsim
