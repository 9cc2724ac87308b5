#pragma once
// Where recorded blocks go: the engine hands its buffered records to a sink (the io layer's h5_output
// implements it). No HDF5 here.
#include <cstdint>

namespace cortexsim {

class record_sink {
public:
    virtual ~record_sink() = default;
    /// Collective, with the same first_record and n_records on every rank: records [first, first + n) of this
    /// rank's areas, data [n_records][n_local_areas][n_recorded] row-major.
    virtual void write_block(std::int64_t first_record, std::int64_t n_records, const double* data) = 0;
};

}  // namespace cortexsim
