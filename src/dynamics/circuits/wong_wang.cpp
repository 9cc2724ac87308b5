#include "cortexsim/dynamics/circuits/wong_wang.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "cortexsim/common/errors.hpp"

namespace cortexsim {

namespace {

// Philox stream tag of the random initial rates (counter_rng.hpp): counter {area_lo, area_hi, population, 15}.
constexpr std::uint32_t initial_state_stream = 15;

// phi_E(I) = x / (1 - exp(-d x)), x = a I - b [Hz], d [s]: the Abbott-Chance f-I curve of Wong & Wang 2006.
// At x = 0 the quotient is 0/0 with the limit 1/d; near it we use the series 1/d + x/2 + d x^2/12.
inline double phi_E(double x, double d) {
    const double dx = d * x;
    if (std::abs(dx) < 1e-6) return 1.0 / d + 0.5 * x + d * x * x / 12.0;
    return x / (1.0 - std::exp(-dx));
}

}  // namespace

const circuit_info& wong_wang_info() {
    // ModelDBRepository/267295 Figure2/parameters.m (the authors' values after the SF1 = 0.5, SF2 = 2 rescaling),
    // Figure2/mainsim.m (G); configs/data/mejiaswang2022/parameters.csv.
    static const circuit_info info{
        "wong_wang",
        {
            {"tau_r_ms", 2.0},        // rate time constant of E1, E2, I (= tau_AMPA) [ms]
            {"tau_N_ms", 60.0},       // NMDA gate S1, S2 [ms]
            {"tau_G_ms", 5.0},        // GABA gate SG [ms]
            {"gamma", 1.282},         // NMDA saturation factor (0.641 * SF2) [1]
            {"gamma_I", 2.0},         // GABA factor (SF2) [1]
            {"a_Hz_per_nA", 135.0},   // E f-I gain
            {"b_Hz", 54.0},           // E f-I threshold
            {"d_s", 0.308},           // E f-I curvature [s]
            {"g_I", 4.0},             // I f-I divisive gain (1 / invgi) [1]
            {"c1_Hz_per_nA", 615.0},  // I f-I slope
            {"c0_Hz", 177.0},         // I f-I offset
            {"r0_Hz", 5.5},           // I f-I rate offset
            {"J_C_nA", 0.0107},       // E1 <-> E2 cross NMDA coupling
            {"J_EI_nA", -0.31},       // I -> E GABA coupling
            {"J_II_nA", -0.12},       // I -> I GABA coupling
            {"I_0E_nA", 0.3294},      // background input to E1, E2
            {"I_0I_nA", 0.26},        // background input to I
            {"J_plus_nA", 0.2112},    // J+ of J_IE = (J+ - J_S - J_C) / (2 zeta)
            {"J_min_nA", 0.21},       // J_S of the area with g = 0
            {"J_max_nA", 0.42},       // J_S of the area with g = 1 (isolated bistability above ~0.4655)
            {"G", 0.48},              // global long-range coupling (Fig 2) [1]
            {"noise_sigma_nA", 0.0},  // OU noise on E1, E2 inputs (0 = off; paper code 0.01)
            {"noise_tau_ms", 2.0},    // OU noise time constant (trial.m uses tau_r)
        }};
    return info;
}

circuit_names wong_wang_circuit::names(const model_spec&) {
    return {{"E1", "E2", "I", "S1", "S2", "SG", "xi1", "xi2"},
            {"E1", "E2", "I"},
            {"E1_lr", "E2_lr", "I_lr"},
            {"E1", "E2", "I"},
            {"G"}};
}

namespace {
[[noreturn]] void fail(const std::string& what) { throw config_error("wong_wang circuit: " + what); }
}  // namespace

void wong_wang_circuit::check(const model_spec& m) {
    const circuit_info& info = wong_wang_info();
    auto par = [&](const char* name) { return circuit_parameter(m, info, name); };
    const double dt = m.run.dt_ms;
    if (!(dt > 0.0)) fail("run.dt_ms must be positive");
    for (const char* name : {"tau_r_ms", "tau_N_ms", "tau_G_ms", "noise_tau_ms"})
        if (!(par(name) > dt))
            fail(std::string(name) + " = " + std::to_string(par(name)) +
                 " must be larger than run.dt_ms = " + std::to_string(dt));
    if (!(par("noise_sigma_nA") >= 0.0)) fail("noise_sigma_nA must be >= 0");
    if (!(par("g_I") > 0.0)) fail("g_I must be positive");
    if (!(par("d_s") > 0.0)) fail("d_s must be positive");
    if (!std::isfinite(par("G"))) fail("G must be finite");
}

wong_wang_circuit::wong_wang_circuit(const model_spec& m, std::size_t begin, std::size_t n) : circuit(begin, n) {
    const circuit_names nm = names(m);
    declare(nm.variables, nm.recorded, nm.channels, nm.ports, nm.modulators);
    check(m);
    const circuit_info& info = wong_wang_info();
    auto par = [&](const char* name) { return circuit_parameter(m, info, name); };
    G_ = par("G");
    if (n == 0) return;  // names only: no gradient, no state

    const std::size_t n_areas = m.areas.size();
    if (begin + n > n_areas)
        fail("local areas [" + std::to_string(begin) + ", " + std::to_string(begin + n) + ") exceed the " +
             std::to_string(n_areas) + " areas of the model");
    init_ids(m);
    noise_area_.resize(n);
    for (std::size_t i = 0; i < n; ++i) noise_area_[i] = static_cast<std::uint32_t>(area_id(i));
    eta_.assign(4 * n, 0.0);
    const std::vector<double> g = gradient_values(m, "spines");
    if (g.size() != n_areas)
        fail("gradient 'spines' has " + std::to_string(g.size()) + " values for " + std::to_string(n_areas) + " areas");
    for (std::size_t i = 0; i < n_areas; ++i)
        if (!std::isfinite(g[i])) fail("gradient 'spines' is not finite at area " + m.areas.names[i]);

    const double dt_ms = m.run.dt_ms;
    const double tau_r = par("tau_r_ms"), tau_N = par("tau_N_ms"), tau_G = par("tau_G_ms");
    const double sigma = par("noise_sigma_nA"), tau_xi = par("noise_tau_ms");
    const double g_I = par("g_I");
    a_ = par("a_Hz_per_nA");
    b_ = par("b_Hz");
    d_ = par("d_s");
    c1_over_gI_ = par("c1_Hz_per_nA") / g_I;
    c0_over_gI_ = par("c0_Hz") / g_I;
    r0_ = par("r0_Hz");
    J_C_ = par("J_C_nA");
    J_EI_ = par("J_EI_nA");
    J_II_ = par("J_II_nA");
    I_0E_ = par("I_0E_nA");
    I_0I_ = par("I_0I_nA");

    // Euler factors; gates are driven by rates in Hz, so their rise terms take dt in seconds.
    const double dt_s = 1e-3 * dt_ms;
    k_r_ = dt_ms / tau_r;
    k_N_ = dt_ms / tau_N;
    k_G_ = dt_ms / tau_G;
    k_gamma_ = par("gamma") * dt_s;
    k_gammaI_ = par("gamma_I") * dt_s;
    // OU noise as trial.m: xi += (dt/tau)(-xi) + sqrt(dt sigma^2 / tau) N(0,1).
    k_xi_ = dt_ms / tau_xi;
    s_xi_ = std::sqrt(dt_ms * sigma * sigma / tau_xi);
    noise_ = sigma > 0.0;
    key_ = key_of(m.run.seed);

    // Balance factors of the local I loop (parameters.m L52-53, L109), tau_G in seconds:
    //   zeta  = c1 J_EI tau_G gamma_I / (g_I - J_II tau_G gamma_I c1)          (-0.40238 for the defaults)
    //   zeta2 = 2 c1 tau_G gamma_I J_EI / (c1 tau_G gamma_I J_II - g_I)        ( 0.80477 for the defaults)
    const double c1 = par("c1_Hz_per_nA"), tG_s = 1e-3 * tau_G, gI = par("gamma_I");
    zeta_ = c1 * J_EI_ * tG_s * gI / (g_I - J_II_ * tG_s * gI * c1);
    zeta2_ = 2.0 * c1 * tG_s * gI * J_EI_ / (c1 * tG_s * gI * J_II_ - g_I);
    if (!(std::isfinite(zeta_) && zeta_ != 0.0 && std::isfinite(zeta2_) && zeta2_ != 0.0))
        fail("the balance factors zeta, zeta2 are zero or not finite for these parameters");

    // Local NMDA gradient: J_S,i = J_min + g_i (J_max - J_min); J_IE,i = (J+ - J_S,i - J_C) / (2 zeta).
    // The long-range gains are normalised by the largest J_S and J_IE over ALL areas of the model.
    const double J_min = par("J_min_nA"), J_max = par("J_max_nA"), J_plus = par("J_plus_nA");
    auto J_S_of = [&](double gi) { return J_min + gi * (J_max - J_min); };
    auto J_IE_of = [&](double JS) { return 0.5 * (J_plus - JS - J_C_) / zeta_; };
    max_J_S_ = -std::numeric_limits<double>::infinity();
    max_J_IE_ = -std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < n_areas; ++i) {
        const double JS = J_S_of(g[i]);
        max_J_S_ = std::max(max_J_S_, JS);
        max_J_IE_ = std::max(max_J_IE_, J_IE_of(JS));
    }
    if (!(max_J_S_ > 0.0) || !(max_J_IE_ > 0.0))
        fail("max J_S and max J_IE over the areas must be positive (check J_min_nA, J_max_nA, J_plus_nA)");

    J_S_.resize(n);
    J_IE_.resize(n);
    cE_.resize(n);
    cI_.resize(n);
    zeros_.assign(n, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
        J_S_[i] = J_S_of(g[begin + i]);
        J_IE_[i] = J_IE_of(J_S_[i]);
    }
    update_long_range_gains();

    // Initial state (trial.m L32-33): r = 5 (1 + tanh(2 z)) Hz, z ~ N(0, 1), for E1, E2 and I; gates and noise 0.
    // z is keyed by (seed, global area, population) so that it does not depend on the partition.
    for (std::size_t p = 0; p < 3; ++p) {
        double* r = var(p);
        for (std::size_t i = 0; i < n; ++i) {
            const double z = normal2(counter_of(area_id(i), static_cast<std::uint32_t>(p), initial_state_stream),
                                     key_)[0];
            r[i] = 5.0 * (1.0 + std::tanh(2.0 * z));
        }
    }
}

void wong_wang_circuit::update_long_range_gains() {
    for (std::size_t i = 0; i < n_; ++i) {
        cE_[i] = G_ * J_S_[i] / max_J_S_;
        cI_[i] = G_ / zeta2_ * J_IE_[i] / max_J_IE_;
    }
}

void wong_wang_circuit::set_modulator(const std::string& name, double value) {
    if (name != "G") circuit::set_modulator(name, value);
    if (!std::isfinite(value)) fail("modulator G must be finite");
    G_ = value;
    update_long_range_gains();
}

double wong_wang_circuit::modulator(const std::string& name) const {
    if (name != "G") return circuit::modulator(name);
    return G_;
}

void wong_wang_circuit::step(const step_input& in) { kernel<true>(in, nullptr); }

void wong_wang_circuit::increments(const step_input& in, double* dx) { kernel<false>(in, dx); }

/// Native (trial.m): the OU noise first, used with its new value this step, then explicit Euler from the
/// previous state. Increments (Heun): every term from the current state, the noise's drift and kick included.
template <bool Native>
void wong_wang_circuit::kernel(const step_input& in, double* dx) {
    const std::size_t n = n_;
    if (n == 0) return;
    double* __restrict r1 = var(v_E1);
    double* __restrict r2 = var(v_E2);
    double* __restrict rI = var(v_I);
    double* __restrict s1 = var(v_S1);
    double* __restrict s2 = var(v_S2);
    double* __restrict sG = var(v_SG);
    double* __restrict x1 = var(v_xi1);
    double* __restrict x2 = var(v_xi2);
    const double* zero = zeros_.data();
    auto ch = [&](std::size_t c) { return in.lr && in.lr[c] ? in.lr[c] : zero; };
    auto port = [&](std::size_t c) { return in.stim && in.stim[c] ? in.stim[c] : zero; };
    const double *lr1 = ch(c_E1_lr), *lr2 = ch(c_E2_lr), *lrI = ch(c_I_lr);
    const double *st1 = port(p_E1), *st2 = port(p_E2), *stI = port(p_I);
    auto d = [&](std::size_t v) { return dx + v * n; };

    // OU noise first (trial.m updates it before it computes the inputs, and uses the new value this step).
    if (noise_) {
        noise_normals_batch(key_, noise_area_.data(), n, 0, in.step, eta_.data(), 2);
        for (std::size_t i = 0; i < n; ++i) {
            const double* z = eta_.data() + 4 * i;
            if constexpr (Native) {
                x1[i] += k_xi_ * (-x1[i]) + s_xi_ * z[0];
                x2[i] += k_xi_ * (-x2[i]) + s_xi_ * z[1];
            } else {
                d(v_xi1)[i] = k_xi_ * (-x1[i]) + s_xi_ * z[0];
                d(v_xi2)[i] = k_xi_ * (-x2[i]) + s_xi_ * z[1];
            }
        }
    } else if constexpr (!Native) {
        std::fill(d(v_xi1), d(v_xi1) + n, 0.0);
        std::fill(d(v_xi2), d(v_xi2) + n, 0.0);
    }

    for (std::size_t i = 0; i < n; ++i) {
        const double e1 = r1[i], e2 = r2[i], ri = rI[i];
        const double S1 = s1[i], S2 = s2[i], SG = sG[i];
        // Synaptic input currents [nA].
        const double I1 = J_S_[i] * S1 + J_C_ * S2 + J_EI_ * SG + I_0E_ + cE_[i] * lr1[i] + st1[i] + x1[i];
        const double I2 = J_S_[i] * S2 + J_C_ * S1 + J_EI_ * SG + I_0E_ + cE_[i] * lr2[i] + st2[i] + x2[i];
        const double II = J_IE_[i] * (S1 + S2) + J_II_ * SG + I_0I_ + cI_[i] * lrI[i] + stI[i];
        // Transfer functions [Hz]; phi_I is linear and not rectified (trial.m L72-73).
        const double f1 = phi_E(a_ * I1 - b_, d_);
        const double f2 = phi_E(a_ * I2 - b_, d_);
        const double fI = c1_over_gI_ * II - c0_over_gI_ + r0_;
        if constexpr (Native) {  // explicit Euler from the previous state
            r1[i] = e1 + k_r_ * (f1 - e1);
            r2[i] = e2 + k_r_ * (f2 - e2);
            rI[i] = ri + k_r_ * (fI - ri);
            s1[i] = S1 - k_N_ * S1 + k_gamma_ * (1.0 - S1) * e1;
            s2[i] = S2 - k_N_ * S2 + k_gamma_ * (1.0 - S2) * e2;
            sG[i] = SG - k_G_ * SG + k_gammaI_ * ri;
        } else {
            d(v_E1)[i] = k_r_ * (f1 - e1);
            d(v_E2)[i] = k_r_ * (f2 - e2);
            d(v_I)[i] = k_r_ * (fI - ri);
            d(v_S1)[i] = -(k_N_ * S1) + k_gamma_ * (1.0 - S1) * e1;
            d(v_S2)[i] = -(k_N_ * S2) + k_gamma_ * (1.0 - S2) * e2;
            d(v_SG)[i] = -(k_G_ * SG) + k_gammaI_ * ri;
        }
    }
}

}  // namespace cortexsim
