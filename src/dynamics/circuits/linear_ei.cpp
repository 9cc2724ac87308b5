#include "cortexsim/dynamics/circuits/linear_ei.hpp"

#include <algorithm>
#include <string>

#include "cortexsim/common/errors.hpp"

namespace cortexsim {

const circuit_info& linear_ei_info() {
    // parameters live in model_spec::params (linear_ei_params), read by the config's linear section
    static const circuit_info info{"linear_ei", {}, "pulse"};
    return info;
}

std::vector<double> local_parameter(const model_spec& m, const std::string& name, double value, std::size_t begin,
                                    std::size_t n) {
    std::vector<double> v(n, value);
    for (const auto& [param, gradient] : m.param_gradients)
        if (param == name) {
            const std::vector<double> g = gradient_values(m, gradient);
            for (std::size_t i = 0; i < n; ++i) v[i] = value * g[begin + i];
        }
    return v;
}

circuit_names linear_ei_circuit::names(const model_spec&) {
    return {{"E", "I"}, {"E", "I"}, {"E", "I"}, {"E", "I"}, {}};
}

void linear_ei_circuit::check(const model_spec& m) {
    const auto& p = m.params;
    for (const auto& [name, v] :
         {std::pair{"tau_E_ms", p.tau_E_ms}, {"tau_I_ms", p.tau_I_ms}, {"beta_E", p.beta_E}, {"beta_I", p.beta_I}})
        if (!(v > 0.0))
            throw config_error(std::string("'model.parameters.") + name + "' = " + std::to_string(v) + " must be > 0");
    const double tau_min = std::min(p.tau_E_ms, p.tau_I_ms);
    if (m.run.dt_ms >= tau_min)
        throw config_error("'run.dt_ms' = " + std::to_string(m.run.dt_ms) +
                           " ms must be smaller than the smallest time constant (" + std::to_string(tau_min) + " ms)");
}

linear_ei_circuit::linear_ei_circuit(const model_spec& m, std::size_t begin, std::size_t n)
    : circuit(begin, n), p_(m.params) {
    declare({"E", "I"}, {"E", "I"}, {"E", "I"}, {"E", "I"});
    init_ids(m);
    auto per_area = [&](const char* name, double value) { return local_parameter(m, name, value, begin, n); };
    // Gradients on a weight multiply the weight only, so that beta * w * g_i is computed as (beta * w) * g_i,
    // the order of the reference code.
    auto weight = [&](const char* name, double beta, double w) {
        std::vector<double> v(n, beta * w);
        for (const auto& [param, gradient] : m.param_gradients)
            if (param == name) {
                const std::vector<double> g = gradient_values(m, gradient);
                for (std::size_t i = 0; i < n; ++i) v[i] = beta * w * g[begin + i];
            }
        return v;
    };
    beta_E_ = per_area("beta_E", p_.beta_E);
    beta_I_ = per_area("beta_I", p_.beta_I);
    const auto tau_E = per_area("tau_E_ms", p_.tau_E_ms), tau_I = per_area("tau_I_ms", p_.tau_I_ms);
    a_EE_ = weight("w_EE", p_.beta_E, p_.w_EE);
    a_IE_ = weight("w_IE", p_.beta_I, p_.w_IE);
    a_EI_ = weight("w_EI", -p_.beta_E, p_.w_EI);
    a_II_ = weight("w_II", -p_.beta_I, p_.w_II);
    k_E_.resize(n);
    k_I_.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        // a gradient on beta scales every term of that population
        a_EE_[i] *= beta_E_[i] / p_.beta_E;
        a_EI_[i] *= beta_E_[i] / p_.beta_E;
        a_IE_[i] *= beta_I_[i] / p_.beta_I;
        a_II_[i] *= beta_I_[i] / p_.beta_I;
        k_E_[i] = m.run.dt_ms / tau_E[i];
        k_I_[i] = m.run.dt_ms / tau_I[i];
    }
    floor_E_ = p_.rate_floor_E_hz;
    floor_I_ = p_.rate_floor_I_hz;
    zero_.assign(n, 0.0);
    // background without long-range input until prepare() knows it; the initial state is the fixed point
    prepare([&](const std::vector<double>&) { return std::vector<std::vector<double>>(2, zero_); });
    std::fill(var(v_E), var(v_E) + n, p_.r_E_target_hz);
    std::fill(var(v_I), var(v_I) + n, p_.r_I_target_hz);
}

void linear_ei_circuit::prepare(const long_range_probe& probe) {
    // the long-range input with every source at its target rate
    const auto lr = probe({p_.r_E_target_hz, p_.r_I_target_hz});
    const double rE = p_.r_E_target_hz, rI = p_.r_I_target_hz;
    bkg_E_.resize(n_);
    bkg_I_.resize(n_);
    for (std::size_t i = 0; i < n_; ++i) {
        bkg_E_[i] = rE - (a_EE_[i] * rE + a_EI_[i] * rI + lr[0][i]);
        bkg_I_[i] = rI - (a_IE_[i] * rE + a_II_[i] * rI + lr[1][i]);
    }
}

namespace {
inline double relu(double x) { return x > 0.0 ? x : 0.0; }
}  // namespace

/// The increments of one step from the current state: write(i, dE, dI) with d = dt/tau (-r + [I]_+).
template <class Write>
void linear_ei_circuit::kernel(const step_input& in, Write&& write) const {
    const double* rE = var(v_E);
    const double* rI = var(v_I);
    const double* z = zero_.data();
    const double* lE = in.lr && in.lr[0] ? in.lr[0] : z;
    const double* lI = in.lr && in.lr[1] ? in.lr[1] : z;
    const double* sE = in.stim && in.stim[0] ? in.stim[0] : z;
    const double* sI = in.stim && in.stim[1] ? in.stim[1] : z;
    for (std::size_t i = 0; i < n_; ++i) {
        const double e = rE[i], r = rI[i];
        const double iE = a_EE_[i] * e + a_EI_[i] * r + lE[i] + bkg_E_[i] + sE[i];
        const double iI = a_IE_[i] * e + a_II_[i] * r + lI[i] + bkg_I_[i] + sI[i];
        write(i, k_E_[i] * (-e + relu(iE)), k_I_[i] * (-r + relu(iI)));
    }
}

void linear_ei_circuit::step(const step_input& in) {
    double* rE = var(v_E);
    double* rI = var(v_I);
    const double fE = floor_E_, fI = floor_I_;
    kernel(in, [&](std::size_t i, double dE, double dI) {
        rE[i] = std::max(rE[i] + dE, fE);
        rI[i] = std::max(rI[i] + dI, fI);
    });
}

void linear_ei_circuit::increments(const step_input& in, double* dx) {
    double* dE = dx;
    double* dI = dx + n_;
    kernel(in, [&](std::size_t i, double e, double r) {
        dE[i] = e;
        dI[i] = r;
    });
}

void linear_ei_circuit::project() {
    double* rE = var(v_E);
    double* rI = var(v_I);
    for (std::size_t i = 0; i < n_; ++i) {
        rE[i] = std::max(rE[i], floor_E_);
        rI[i] = std::max(rI[i], floor_I_);
    }
}

linear_ei_circuit::coefficients linear_ei_circuit::at(std::size_t i) const {
    return {a_EE_[i], a_EI_[i], a_IE_[i], a_II_[i], bkg_E_[i], bkg_I_[i], k_E_[i], k_I_[i]};
}

}  // namespace cortexsim
