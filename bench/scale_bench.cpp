// Scale benchmark of the long-range coupling on a synthetic cortex (connectivity/synthetic.hpp).
//
//   mpirun -n R scale_bench --areas N --density D [--steps S] [--pops 1|2] [--velocity V] [...]
//
// Every rank generates only its own rows, builds the `coupling` and then measures, one phase after the other:
//   1. coupling::apply() (the deterministic gather + fixed-order row sums of the time loop): median over S
//      steps after warm-up, each step timed between barriers, the step's time = the slowest rank's;
//   2. PETSc's MatMult of the same matrix (coupling::matrix()), timed the same way;
//   3. a full time step: one apply + the linear E/I Euler kernel (dynamics/linear_ei.hpp) over the local
//      areas, S steps back to back without barriers (-> steps/s), and the Euler kernel alone;
//   4. with --velocity: the delayed coupling (exchange/delayed_coupling.hpp), delays = distance / velocity;
//   5. I/O: one collective HDF5 write (io/h5_output.hpp) of a block of --records records of N x P doubles;
//   6. a STREAM triad a = b + s c on every rank at once (after the memory peak has been read), whose
//      aggregate bandwidth gives the bound of the coupling: bytes per apply / triad bandwidth.
// Populations: the coupling is per *source* population. With --pops 2 the model is the E/I circuit whose
// long-range input comes from E rates only (Chaudhuri 2015): ONE apply of the matrix to r_E per step feeds
// both targets (L_E = c_E W r_E, L_I = c_I W r_E). --pops 1 times a one-population rate model.
// Memory: VmRSS / VmHWM samples (/proc/self/status) at each phase. The coupling is built as the simulator builds
// it: rows generated block by block straight into the exchange (--in-memory: all local rows first, the path before
// streaming). Peak and steady memory are read after phases 1 and 3, before anything else is allocated; then a bare
// PETSc matrix of the same rows (generated again) measures PETSc's copy alone and serves phase 2. The model the
// goal refers to is one copy of the matrix (12 B per nonzero + 4 B per row) + the state (rates, inputs, gathered
// sources) + the delay history (none in the direct phase); the delayed coupling's peak and steady memory are
// measured on their own (VmHWM reset before it, /proc/self/clear_refs) against 16 B per nonzero + its history.
// Prints per-rank lines and one line "SUMMARY key=value ..." (rank 0) for bench/run_scale_bench.sh.
#include <mpi.h>
#include <petscmat.h>
#include <malloc.h>
#include <petscsys.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "cortexsim/common/collective.hpp"
#include "cortexsim/common/errors.hpp"
#include "cortexsim/common/memory.hpp"
#include "cortexsim/connectivity/synthetic.hpp"
#include "cortexsim/dynamics/circuits/linear_ei.hpp"
#include "cortexsim/exchange/exchange.hpp"
#include "cortexsim/io/h5_output.hpp"
#include "cortexsim/partition/partition.hpp"

using namespace cortexsim;

namespace {

struct options {
    synthetic_spec spec;
    int steps = 100;
    int warmup = 10;
    int pops = 2;
    double velocity_m_per_s = 0.0;  // 0: no delayed coupling
    double dt_ms = 0.1;
    std::int64_t records = 100;
    std::size_t triad_mib = 256;  // per array, per rank
    std::string h5_path;          // default: a scratch file in $TMPDIR or /tmp
    bool io = true;
    bool overlap = true;     // --no-overlap: exchange_options::overlap = false
    bool in_memory = false;  // --in-memory: all local rows generated first, then the exchange (main before streaming)
};

[[noreturn]] void usage(const std::string& msg) {
    throw usage_error(msg + "; usage: scale_bench --areas N [--density D] [--steps S] [--pops 1|2] [--velocity V]"
                            " [--dt-ms DT] [--geometry sheet|sphere] [--extent-mm L] [--lambda-mm L] [--seed S]"
                            " [--records R] [--triad-mib M] [--h5 PATH] [--no-io] [--no-overlap] [--in-memory]"
                            " [--keep-mpi-malloc]");
}

options parse(int argc, char** argv) {
    options o;
    o.spec.n_areas = 0;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) usage("option '" + a + "' needs a value");
            return argv[++i];
        };
        try {
            if (a == "--areas")
                o.spec.n_areas = std::stoull(value());
            else if (a == "--density")
                o.spec.density = std::stod(value());
            else if (a == "--steps")
                o.steps = std::stoi(value());
            else if (a == "--warmup")
                o.warmup = std::stoi(value());
            else if (a == "--pops")
                o.pops = std::stoi(value());
            else if (a == "--velocity")
                o.velocity_m_per_s = std::stod(value());
            else if (a == "--dt-ms")
                o.dt_ms = std::stod(value());
            else if (a == "--geometry")
                o.spec.geometry = value();
            else if (a == "--extent-mm")
                o.spec.extent_mm = std::stod(value());
            else if (a == "--lambda-mm")
                o.spec.length_constant_mm = std::stod(value());
            else if (a == "--seed")
                o.spec.seed = std::stoull(value());
            else if (a == "--records")
                o.records = std::stoll(value());
            else if (a == "--triad-mib")
                o.triad_mib = std::stoull(value());
            else if (a == "--h5")
                o.h5_path = value();
            else if (a == "--no-io")
                o.io = false;
            else if (a == "--no-overlap")
                o.overlap = false;
            else if (a == "--in-memory")
                o.in_memory = true;
            else if (a == "--keep-mpi-malloc")
                continue;  // read in main
            else
                usage("unknown option '" + a + "'");
        } catch (const std::logic_error&) {
            usage("bad value for '" + a + "'");
        }
    }
    if (o.spec.n_areas == 0) usage("--areas is required");
    if (o.pops != 1 && o.pops != 2) usage("--pops must be 1 or 2");
    if (o.steps < 1 || o.warmup < 0 || o.records < 1) usage("--steps, --records must be >= 1");
    validate(o.spec);
    return o;
}

// ---- measurement helpers ----------------------------------------------------------------------------------

struct memory_sample {
    double rss_mib = 0, hwm_mib = 0;
};

/// VmRSS and VmHWM of this process from /proc/self/status.
memory_sample read_memory() {
    memory_sample m;
    std::ifstream f("/proc/self/status");
    std::string line;
    while (std::getline(f, line)) {
        auto kib = [&](const char* key, double& out) {
            if (line.rfind(key, 0) == 0) out = std::stod(line.substr(std::string(key).size())) / 1024.0;
        };
        kib("VmRSS:", m.rss_mib);
        kib("VmHWM:", m.hwm_mib);
    }
    return m;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

double max_over(MPI_Comm comm, double x) {
    double y = 0;
    check_mpi(MPI_Allreduce(&x, &y, 1, MPI_DOUBLE, MPI_MAX, comm), "MPI_Allreduce");
    return y;
}
double sum_over(MPI_Comm comm, double x) {
    double y = 0;
    check_mpi(MPI_Allreduce(&x, &y, 1, MPI_DOUBLE, MPI_SUM, comm), "MPI_Allreduce");
    return y;
}

/// Runs fn `warmup` times, then `steps` times each between barriers; returns the median over steps of the
/// slowest rank's time [s].
/// CPU time of the calling thread [s].
double thread_cpu_s() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

double median_step(MPI_Comm comm, int warmup, int steps, const std::function<void()>& fn) {
    for (int k = 0; k < warmup; ++k) fn();
    std::vector<double> t(static_cast<std::size_t>(steps)), tmax(t.size());
    for (int k = 0; k < steps; ++k) {
        MPI_Barrier(comm);
        const double t0 = MPI_Wtime();
        fn();
        t[static_cast<std::size_t>(k)] = MPI_Wtime() - t0;
    }
    check_mpi(MPI_Allreduce(t.data(), tmax.data(), steps, MPI_DOUBLE, MPI_MAX, comm), "MPI_Allreduce");
    return median(tmax);
}

/// STREAM triad a = b + s c on every rank at once; best of `reps` of the aggregate bandwidth [B/s], counting
/// 24 bytes per element (STREAM's convention: two reads and one write, no write-allocate traffic).
double triad_bandwidth(MPI_Comm comm, std::size_t mib, int reps) {
    const std::size_t n = mib * 1024 * 1024 / sizeof(double);
    std::vector<double> a(n, 0.0), b(n, 1.0), c(n, 2.0);
    const double s = 3.0;
    double best = 0.0;
    for (int r = 0; r < reps; ++r) {
        MPI_Barrier(comm);
        const double t0 = MPI_Wtime();
        double* __restrict pa = a.data();
        const double* __restrict pb = b.data();
        const double* __restrict pc = c.data();
        for (std::size_t i = 0; i < n; ++i) pa[i] = pb[i] + s * pc[i];
        const double t = max_over(comm, MPI_Wtime() - t0);
        const double bytes = sum_over(comm, 24.0 * static_cast<double>(n));
        best = std::max(best, bytes / t);
    }
    if (a[n / 2] != 7.0) throw error("triad: wrong result");  // keeps the loop
    return best;
}

std::string scratch_h5(MPI_Comm comm, const std::string& given) {
    std::string p = given;
    if (p.empty() && comm_rank(comm) == 0) {
        const char* tmp = std::getenv("TMPDIR");
        p = std::string(tmp && *tmp ? tmp : "/tmp") + "/scale_bench_" + std::to_string(::getpid()) + ".h5";
    }
    return broadcast_string(comm, p);
}

// ---- the benchmark ----------------------------------------------------------------------------------------

struct report {
    // per rank
    std::size_t rows = 0, nnz = 0, ghosts = 0, bytes_per_exchange = 0, recv_nb = 0, send_nb = 0, interior = 0;
    double gen_s = 0, build_s = 0;
    memory_sample base, after_rows, after_build, after_free, peak, peak_with_io;
    double delayed_used_peak_mib = 0, delayed_used_steady_mib = 0;  // above the RSS before the delayed exchange
    double coupling_resident_mib = 0;                               // RSS increase while building the coupling
    double petsc_mat_mib = 0;  // RSS increase of a bare PETSc matrix of the same rows
    // global
    double apply_s = 0, matmult_s = 0, step_s = 0, dyn_s = 0, delayed_s = 0, delayed_step_s = 0;
    // CPU time of this rank's thread per step (a loaded machine inflates the wall times above, less so these)
    double step_cpu_s = 0, delayed_step_cpu_s = 0;
    double io_write_s = 0, io_total_s = 0;
    bool io_collective = false;
    double triad_Bps = 0;
    std::int64_t min_delay = 0, max_delay = 0;
};

/// Per-rank bytes one apply moves through memory (the bound's numerator): the matrix (8 B value + 4 B index
/// per nonzero, 4 B row pointer per row), one read of every needed source value (own and ghost, 8 B), the
/// output (8 B per row).
double apply_bytes(std::size_t rows, std::size_t nnz, std::size_t needed) {
    return 12.0 * static_cast<double>(nnz) + 4.0 * static_cast<double>(rows + 1) + 8.0 * static_cast<double>(needed) +
           8.0 * static_cast<double>(rows);
}

/// A bare PETSc MPIAIJ matrix of `rows` (exact preallocation, MatSetValues row by row, assembly), for the
/// MatMult comparison (the production exchange assembles none).
Mat petsc_matrix(MPI_Comm comm, const block_partition& part, const local_rows& rows) {
    const PetscInt N = static_cast<PetscInt>(part.n_areas()), n = static_cast<PetscInt>(rows.n_rows);
    const auto r0 = static_cast<std::int64_t>(rows.row_begin), r1 = r0 + n;
    std::vector<PetscInt> d_nnz(rows.n_rows, 0), o_nnz(rows.n_rows, 0), cols;
    for (std::size_t i = 0; i < rows.n_rows; ++i)
        for (auto k = rows.row_ptr[i]; k < rows.row_ptr[i + 1]; ++k) {
            const auto col = rows.col[static_cast<std::size_t>(k)];
            ++(col >= r0 && col < r1 ? d_nnz[i] : o_nnz[i]);
        }
    Mat W = nullptr;
    MatCreateAIJ(comm, n, n, N, N, 0, d_nnz.data(), 0, o_nnz.data(), &W);
    for (std::size_t i = 0; i < rows.n_rows; ++i) {
        const PetscInt row = static_cast<PetscInt>(r0) + static_cast<PetscInt>(i);
        const auto b = rows.row_ptr[i], e = rows.row_ptr[i + 1];
        cols.assign(rows.col.begin() + b, rows.col.begin() + e);
        MatSetValues(W, 1, &row, static_cast<PetscInt>(cols.size()), cols.data(), rows.val.data() + b, INSERT_VALUES);
    }
    MatAssemblyBegin(W, MAT_FINAL_ASSEMBLY);
    MatAssemblyEnd(W, MAT_FINAL_ASSEMBLY);
    return W;
}

/// The increase of this rank's RSS while such a matrix exists [MiB]: PETSc's copy alone.
double petsc_matrix_resident_mib(MPI_Comm comm, const block_partition& part, const local_rows& rows) {
    const double before = read_memory().rss_mib;
    Mat W = petsc_matrix(comm, part, rows);
    const double with = read_memory().rss_mib;
    MatDestroy(&W);
    return with - before;
}

void run(MPI_Comm comm, const options& o) {
    const int me = comm_rank(comm), nranks = comm_size(comm);
    const std::size_t N = o.spec.n_areas, P = static_cast<std::size_t>(o.pops);
    report r;
    r.base = read_memory();

    const block_partition part(N, nranks);
    const std::size_t begin = part.begin(me), n = part.count(me);
    r.rows = n;

    // ---- rows and coupling, as the simulator builds them (integrator/long_range.cpp): rows generated block by
    // block straight into the exchange (the only copy of the matrix); --in-memory: all this rank's rows first
    // (the path before streaming), then the exchange, then the rows freed
    exchange_options xo;
    xo.rows_per_block = std::clamp<std::size_t>(n / 16, 64, 1024);
    xo.overlap = o.overlap;
    auto gen = std::make_unique<synthetic_generator>(o.spec);
    const std::size_t k_row = gen->sources_per_row();
    double gen_time = 0.0;
    auto streamed = [&](bool delays) {
        row_source src;
        src.delays = delays;
        src.count = [k_row](std::size_t b, std::size_t e) { return (e - b) * k_row; };
        src.fill = [&, delays](std::size_t b, std::size_t e, std::vector<local_rows>& out) {
            const double tg = MPI_Wtime();
            out[0] = gen->rows(b, e);
            if (delays) gen->add_delays(out[0], o.velocity_m_per_s, o.dt_ms);
            gen_time += MPI_Wtime() - tg;
        };
        return src;
    };
    MPI_Barrier(comm);
    double t0 = MPI_Wtime();
    std::unique_ptr<exchange> c;
    if (o.in_memory) {
        auto rows = std::make_unique<local_rows>(gen->rows(begin, begin + n));
        gen_time = MPI_Wtime() - t0;
        r.after_rows = read_memory();
        c = make_exchange(comm, part, rows_in_memory({rows.get()}), xo);
        rows.reset();
    } else {
        c = make_exchange(comm, part, streamed(false), xo);
        r.after_rows = r.base;
    }
    const double total_s = MPI_Wtime() - t0;
    r.gen_s = max_over(comm, gen_time);
    r.build_s = max_over(comm, total_s - gen_time);
    gen.reset();
    r.nnz = c->stats().nnz;
    r.after_build = read_memory();
    r.coupling_resident_mib = r.after_build.rss_mib - r.base.rss_mib;
    r.ghosts = c->stats().ghost_sources;
    r.bytes_per_exchange = c->stats().bytes_per_exchange;
    r.recv_nb = c->stats().recv_neighbours;
    r.send_nb = c->stats().send_neighbours;
    r.interior = c->stats().interior_rows;

    // ---- state: rates of P populations, long-range inputs
    std::vector<double> rE(n), rI(n), sum(n, 0.0), lrE(n, 0.0), lrI(n, 0.0), zero(n, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
        rE[i] = 10.0 + std::sin(static_cast<double>(begin + i));
        rI[i] = 35.0 + std::cos(static_cast<double>(begin + i));
    }
    model_spec m;  // the default Chaudhuri 2015 parameters, no gradients
    m.run.dt_ms = o.dt_ms;
    linear_ei_circuit circ(m, begin, n);  // isolated-area background (no long-range input at the target)
    std::vector<double> kE(n), aEE(n), bkgE(n);
    for (std::size_t i = 0; i < n; ++i) {
        const auto d = circ.at(i);
        kE[i] = d.k_E;
        aEE[i] = d.a_EE;
        bkgE[i] = d.bkg_E;
    }
    const double* lr_ptr[2] = {lrE.data(), lrI.data()};
    const double* stim_ptr[2] = {zero.data(), zero.data()};
    step_input in;
    in.lr = lr_ptr;
    in.stim = stim_ptr;
    std::copy(rE.begin(), rE.end(), circ.var(0));
    std::copy(rI.begin(), rI.end(), circ.var(1));
    const double cE = m.params.beta_E * m.params.mu_EE * 0.01, cI = m.params.beta_I * m.params.mu_IE * 0.01;

    // 1. apply
    r.apply_s = median_step(comm, o.warmup, o.steps, [&] { c->sums(0, 0, rE.data(), sum.data()); });

    // 3. full steps back to back; the kernel alone
    auto lr_and_kernel = [&] {
        if (P == 2) {
            for (std::size_t i = 0; i < n; ++i) {
                lrE[i] = cE * sum[i];
                lrI[i] = cI * sum[i];
            }
            circ.step(in);
        } else {
            for (std::size_t i = 0; i < n; ++i) {
                const double e = rE[i];
                rE[i] = e + kE[i] * (-e + std::max(aEE[i] * e + cE * sum[i] + bkgE[i], 0.0));
            }
        }
    };
    for (int k = 0; k < o.warmup; ++k) {
        c->sums(0, 0, P == 2 ? circ.var(0) : rE.data(), sum.data());
        lr_and_kernel();
    }
    MPI_Barrier(comm);
    t0 = MPI_Wtime();
    double c0 = thread_cpu_s();
    for (int k = 0; k < o.steps; ++k) {
        c->sums(0, 0, P == 2 ? circ.var(0) : rE.data(), sum.data());
        lr_and_kernel();
    }
    r.step_cpu_s = max_over(comm, thread_cpu_s() - c0) / o.steps;
    r.step_s = max_over(comm, MPI_Wtime() - t0) / o.steps;
    r.dyn_s = median_step(comm, o.warmup, o.steps, lr_and_kernel);

    // the memory peak and the steady memory of the production path: the coupling and the state after the time
    // loop (before the PETSc comparison, the delayed coupling, the I/O phase's record block and the triad's arrays)
    r.peak = read_memory();
    r.after_free = r.peak;

    // 2. PETSc's MatMult of the same rows (generated again), and the resident size of a bare PETSc matrix
    {
        synthetic_generator g(o.spec);
        local_rows rows = g.rows(begin, begin + n);
        r.petsc_mat_mib = petsc_matrix_resident_mib(comm, part, rows);
        Mat W = petsc_matrix(comm, part, rows);
        rows = {};
        Vec x = nullptr, y = nullptr;
        MatCreateVecs(W, &x, &y);
        VecSet(x, 1.0);
        r.matmult_s = median_step(comm, o.warmup, o.steps, [&] { MatMult(W, x, y); });
        VecDestroy(&x);
        VecDestroy(&y);
        MatDestroy(&W);
    }

    // 4. delayed coupling (streamed as the direct one; its own peak and steady memory above the RSS before it)
    std::unique_ptr<exchange> dc;
    if (o.velocity_m_per_s > 0.0) {
        const double before = read_memory().rss_mib;
        const bool reset = reset_peak_resident();
        gen = std::make_unique<synthetic_generator>(o.spec);
        dc = make_exchange(comm, part, streamed(true), xo);
        gen.reset();
        r.min_delay = dc->min_delay();
        r.max_delay = dc->history_length() - 1;
        dc->initialise(P == 2 ? circ.var(0) : rE.data());
        std::int64_t t = 0;
        r.delayed_s = median_step(comm, o.warmup, o.steps,
                                  [&] { dc->sums(t++, 0, P == 2 ? circ.var(0) : rE.data(), sum.data()); });
        MPI_Barrier(comm);
        t0 = MPI_Wtime();
        c0 = thread_cpu_s();
        for (int k = 0; k < o.steps; ++k) {
            dc->sums(t++, 0, P == 2 ? circ.var(0) : rE.data(), sum.data());
            lr_and_kernel();
        }
        r.delayed_step_cpu_s = max_over(comm, thread_cpu_s() - c0) / o.steps;
        r.delayed_step_s = max_over(comm, MPI_Wtime() - t0) / o.steps;
        const memory_sample ms = read_memory();
        r.delayed_used_peak_mib = reset ? ms.hwm_mib - before : -1.0;
        r.delayed_used_steady_mib = ms.rss_mib - before;
    }

    // 5. I/O: one block of records, written collectively
    if (o.io) {
        output_layout layout;
        layout.area_names.resize(N);
        char name[32];
        for (std::size_t a = 0; a < N; ++a) {  // (snprintf: std::string concatenation trips GCC 12's -Wrestrict)
            std::snprintf(name, sizeof name, "a%zu", a);
            layout.area_names[a] = name;
        }
        layout.populations = P == 2 ? std::vector<std::string>{"E", "I"} : std::vector<std::string>{"E"};
        layout.area_begin = begin;
        layout.n_local = n;
        layout.n_records = o.records;
        layout.record_dt_s = 1e-3;
        layout.config_text = "scale_bench";
        std::vector<double> block(static_cast<std::size_t>(o.records) * n * P);
        for (std::size_t k = 0; k < block.size(); ++k) block[k] = static_cast<double>(k % 1000);
        const std::string path = scratch_h5(comm, o.h5_path);
        MPI_Barrier(comm);
        const double t_open = MPI_Wtime();
        {
            h5_output out(comm, path, true, layout);
            MPI_Barrier(comm);
            t0 = MPI_Wtime();
            out.write_block(0, o.records, block.data());
            MPI_Barrier(comm);
            r.io_write_s = max_over(comm, MPI_Wtime() - t0);
            r.io_collective = out.rates_transfers_collective();
            out.commit();
        }
        r.io_total_s = max_over(comm, MPI_Wtime() - t_open);
        if (me == 0) std::filesystem::remove(path);
    }

    r.peak_with_io = read_memory();
    c.reset();
    dc.reset();

    // 6. STREAM triad
    r.triad_Bps = triad_bandwidth(comm, o.triad_mib, 10);

    // ---- report
    const std::size_t needed = (nranks == 1 ? N : n + r.ghosts);
    const double bytes = apply_bytes(n, r.nnz, needed);
    const double total_bytes = sum_over(comm, bytes);
    const double bound_s = total_bytes / r.triad_Bps;
    const double mib = 1048576.0;
    // memory model of the direct coupling's phase (one copy of the matrix, the state; no delay history)
    const double matrix_b = 12.0 * static_cast<double>(r.nnz) + 4.0 * static_cast<double>(n + 1);
    const double state_b = 8.0 * static_cast<double>(n * P * 2 + needed);  // rates, inputs, gathered sources
    const double history_b = 0.0;
    const double model_mib = (matrix_b + state_b + history_b) / mib;
    // the delayed coupling's own (+ 4 B per nonzero for its delay, the history of max_delay + 1 states of every
    // needed source)
    const bool delays = r.max_delay > 0;
    const double delayed_model_mib =
        delays ? (16.0 * static_cast<double>(r.nnz) + 4.0 * static_cast<double>(n + 1) +
                  8.0 * static_cast<double>((r.max_delay + 1) * static_cast<std::int64_t>(needed))) /
                     mib
               : 1.0;
    const double used_peak = r.peak.hwm_mib - r.base.rss_mib;  // above the process's start-up footprint
    const double used_steady = r.after_free.rss_mib - r.base.rss_mib;

    std::ostringstream line;
    line.precision(4);
    line << "rank " << me << ": areas " << n << " [" << begin << ", " << begin + n << ")  nnz " << r.nnz
         << "  ghost areas " << r.ghosts << "  bytes received/step " << r.bytes_per_exchange
         << "  recv/send neighbours " << r.recv_nb << "/" << r.send_nb << "  interior rows " << r.interior
         << (o.overlap ? " (summed while the messages travel)" : " (overlap off)") << "\n"
         << "  memory MiB: start-up RSS " << r.base.rss_mib << ", after rows " << r.after_rows.rss_mib
         << ", after coupling " << r.after_build.rss_mib << " (coupling resident " << r.coupling_resident_mib << " = "
         << r.coupling_resident_mib * mib / std::max<double>(1.0, static_cast<double>(r.nnz))
         << " B/nnz, of which a bare PETSc Mat " << r.petsc_mat_mib << " = "
         << r.petsc_mat_mib * mib / std::max<double>(1.0, static_cast<double>(r.nnz)) << " B/nnz), after the time loop "
         << r.after_free.rss_mib << ", peak (VmHWM) " << r.peak.hwm_mib << " (" << r.peak_with_io.hwm_mib
         << " after the I/O phase)\n"
         << "  model MiB: matrix " << matrix_b / mib << " + state " << state_b / mib << " + history " << history_b / mib
         << " = " << model_mib << "; peak above start-up " << used_peak << " (" << used_peak / model_mib
         << "x), steady above start-up " << used_steady << " (" << used_steady / model_mib << "x)\n";
    if (delays)
        line << "  delayed coupling: model MiB " << delayed_model_mib << "; peak " << r.delayed_used_peak_mib << " ("
             << r.delayed_used_peak_mib / delayed_model_mib << "x), steady " << r.delayed_used_steady_mib << " ("
             << r.delayed_used_steady_mib / delayed_model_mib << "x) above the RSS before it\n";
    for (int q = 0; q < nranks; ++q) {
        MPI_Barrier(comm);
        if (q == me) {
            std::fputs(line.str().c_str(), stdout);
            std::fflush(stdout);
        }
    }
    const double peak_ratio = max_over(comm, used_peak / model_mib);
    const double steady_ratio = max_over(comm, used_steady / model_mib);
    const double peak_max = max_over(comm, r.peak.hwm_mib);
    const double dpeak_ratio = max_over(comm, r.delayed_used_peak_mib / delayed_model_mib);
    const double dsteady_ratio = max_over(comm, r.delayed_used_steady_mib / delayed_model_mib);
    const double model_max = max_over(comm, model_mib);
    const double gen_nnz = sum_over(comm, static_cast<double>(r.nnz));
    const double bytes_exch = sum_over(comm, static_cast<double>(r.bytes_per_exchange));
    const double coupling_bpn = max_over(comm, r.coupling_resident_mib * mib / std::max<double>(1.0, r.nnz));
    const double petsc_bpn = max_over(comm, r.petsc_mat_mib * mib / std::max<double>(1.0, r.nnz));
    const double rows_bpn = max_over(comm,
                                     (r.after_rows.rss_mib - r.base.rss_mib) * mib / std::max<double>(1.0, r.nnz));
    if (me == 0) {
        std::printf(
            "SUMMARY ranks=%d areas=%zu density=%g pops=%zu nnz=%.0f gen_s=%.3f build_s=%.3f "
            "apply_us=%.2f matmult_us=%.2f triad_GBs=%.2f bytes_per_apply=%.0f bound_us=%.2f "
            "ratio=%.2f step_us=%.2f steps_per_s=%.1f dyn_us=%.2f bytes_exch=%.0f io_write_s=%.4f "
            "io_total_s=%.4f io_MB=%.1f io_collective=%d peak_MiB=%.1f model_MiB=%.1f peak_ratio=%.2f "
            "steady_ratio=%.2f "
            "coupling_B_per_nnz=%.1f petsc_B_per_nnz=%.1f rows_B_per_nnz=%.1f delayed_us=%.2f "
            "delayed_step_us=%.2f min_delay=%lld max_delay=%lld delayed_peak_ratio=%.2f delayed_steady_ratio=%.2f "
            "in_memory=%d step_cpu_us=%.2f delayed_step_cpu_us=%.2f\n",
            nranks, N, o.spec.density, P, gen_nnz, r.gen_s, r.build_s, r.apply_s * 1e6, r.matmult_s * 1e6,
            r.triad_Bps / 1e9, total_bytes, bound_s * 1e6, r.apply_s / bound_s, r.step_s * 1e6, 1.0 / r.step_s,
            r.dyn_s * 1e6, bytes_exch, r.io_write_s, r.io_total_s,
            o.io ? static_cast<double>(o.records) * N * P * 8.0 / 1e6 : 0.0, r.io_collective ? 1 : 0, peak_max,
            model_max, peak_ratio, steady_ratio, coupling_bpn, petsc_bpn, rows_bpn, r.delayed_s * 1e6,
            r.delayed_step_s * 1e6, static_cast<long long>(r.min_delay), static_cast<long long>(r.max_delay),
            delays ? dpeak_ratio : 0.0, delays ? dsteady_ratio : 0.0, o.in_memory ? 1 : 0, r.step_cpu_s * 1e6,
            r.delayed_step_cpu_s * 1e6);
        std::fflush(stdout);
    }
}

bool keep_mpi_malloc(int argc, char** argv) {
    for (int i = 1; i < argc; ++i)
        if (std::string(argv[i]) == "--keep-mpi-malloc") return true;
    return false;
}

}  // namespace

int main(int argc, char** argv) {
    MPI_Init(&argc, &argv);
    PetscInitializeNoArguments();
    // In a process linked with Debian's PETSc, freed memory is never given back to the system (loading
    // libsuperlu_dist or libHYPRE, PETSc dependencies, is enough; docs/benchmarks_scale.md). Here blocks of 128 KiB and
    // more come from mmap again and go back when freed, so that the RSS samples follow the live allocations
    // (--keep-mpi-malloc keeps the process as the simulator runs).
    if (!keep_mpi_malloc(argc, argv)) {
        mallopt(M_MMAP_MAX, 65536);
        mallopt(M_MMAP_THRESHOLD, 128 * 1024);
        mallopt(M_TRIM_THRESHOLD, 128 * 1024);
    }
    PetscPushErrorHandler(PetscReturnErrorHandler, nullptr);
    int rc = 0;
    options o;
    try {
        o = parse(argc, argv);  // the same on every rank: every rank fails alike
    } catch (const error& e) {
        if (comm_rank(MPI_COMM_WORLD) == 0) std::fprintf(stderr, "scale_bench: %s\n", e.what());
        rc = 2;
    }
    if (rc == 0) try {
            run(MPI_COMM_WORLD, o);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "scale_bench (rank %d): %s\n", comm_rank(MPI_COMM_WORLD), e.what());
            rc = 1;
            MPI_Abort(MPI_COMM_WORLD, rc);
        }
    PetscFinalize();
    MPI_Finalize();
    return rc;
}
