#include "cortexsim/connectivity/recurrent.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include "cortexsim/common/errors.hpp"
#include "cortexsim/io/rnn_weights.hpp"
#include "cortexsim/rnn/random_init.hpp"

namespace cortexsim {
namespace {
/// Values per hyperslab read of W_rec (4 MiB).
constexpr std::size_t rec_chunk_values = std::size_t{1} << 19;
}  // namespace

local_rows rnn_recurrent_rows(const model_spec& m, std::size_t begin, std::size_t end) {
    const rnn_spec& s = m.rnn;
    if (!s.defined) throw config_error("rnn circuit: the model has no 'model.rnn' section");
    const std::size_t N = s.n_units;
    if (begin > end || end > N)
        throw config_error("rnn circuit: rows [" + std::to_string(begin) + ", " + std::to_string(end) +
                           ") outside the " + std::to_string(N) + " units");
    local_rows r;
    r.n_global = N;
    r.row_begin = begin;
    r.n_rows = end - begin;
    r.row_ptr.assign(1, 0);
    r.row_ptr.reserve(r.n_rows + 1);
    if (!s.weights_path.empty()) {
        const std::size_t chunk = std::max<std::size_t>(1, rec_chunk_values / std::max<std::size_t>(N, 1));
        for (std::size_t r0 = begin; r0 < end; r0 += chunk) {
            const std::size_t r1 = std::min(end, r0 + chunk);
            const std::vector<double> block = read_rnn_weights_rows(s.weights_path, "/W_rec", r0, r1);
            if (block.size() != (r1 - r0) * N)
                throw data_error(s.weights_path + ": /W_rec: expected " + std::to_string(N) + " columns");
            for (std::size_t i = 0; i < r1 - r0; ++i) {
                const double* w = block.data() + i * N;
                for (std::size_t j = 0; j < N; ++j)
                    if (w[j] != 0.0) {
                        r.col.push_back(static_cast<std::int64_t>(j));
                        r.val.push_back(w[j]);
                    }
                r.row_ptr.push_back(static_cast<std::int64_t>(r.val.size()));
            }
        }
    } else {
        r.col.reserve(
            static_cast<std::size_t>(static_cast<double>(r.n_rows) * static_cast<double>(N) * s.density * 1.05) + 16);
        r.val.reserve(r.col.capacity());
        for (std::size_t i = begin; i < end; ++i) {
            rnn::random_rec_row(s, i, r.col, r.val);
            r.row_ptr.push_back(static_cast<std::int64_t>(r.val.size()));
        }
    }
    return r;
}

}  // namespace cortexsim
