#include "cortexsim/dynamics/circuits/generic.hpp"

#include <algorithm>
#include <stdexcept>

#include "cortexsim/common/errors.hpp"
#include <string>

namespace cortexsim {

double generic_transfer_value(const generic_transfer_spec& t, double x) {
    namespace f = generic_transfer_fn;
    switch (t.kind) {
        case generic_transfer::threshold_linear: return f::threshold_linear(t, x);
        case generic_transfer::relu: return f::relu(t, x);
        case generic_transfer::linear: return f::linear(t, x);
        case generic_transfer::sigmoid: return f::sigmoid(t, x);
        case generic_transfer::abbott_chance: return f::abbott_chance(t, x);
        case generic_transfer::tanh: return f::tanh(t, x);
        case generic_transfer::softplus: return f::softplus(t, x);
    }
    throw error("internal error: generic circuit: unknown transfer function");
}

const circuit_info& generic_info() {
    static const circuit_info info{"generic", {}};
    return info;
}

namespace {

/// value * g_i for local areas [begin, begin + n).
void per_area(const model_spec& m, const generic_value& v, std::size_t begin, std::size_t n, double* out,
              const std::string& what) {
    if (v.gradient.empty()) {
        std::fill(out, out + n, v.value);
        return;
    }
    std::vector<double> g;
    try {
        g = gradient_values(m, v.gradient);
    } catch (const config_error&) {
        throw config_error("generic circuit: " + what + " uses gradient '" + v.gradient +
                           "', which the model does not have");
    }
    if (g.size() < begin + n)
        throw config_error("generic circuit: gradient '" + v.gradient + "' has " + std::to_string(g.size()) +
                           " values, areas up to " + std::to_string(begin + n) + " are needed");
    for (std::size_t i = 0; i < n; ++i) out[i] = v.value * g[begin + i];
}

}  // namespace

namespace {

/// Calls body(f) with f the transfer function of `kind` as a stateless lambda: one instantiation of the caller's
/// area loop per kind, with the call inlined.
template <class Body>
void with_transfer(generic_transfer kind, Body&& body) {
    namespace f = generic_transfer_fn;
#define CORTEXSIM_GENERIC_CASE(k) \
    case generic_transfer::k: body([](const generic_transfer_spec& t, double x) { return f::k(t, x); }); break;
    switch (kind) {
        CORTEXSIM_GENERIC_CASE(threshold_linear)
        CORTEXSIM_GENERIC_CASE(relu)
        CORTEXSIM_GENERIC_CASE(linear)
        CORTEXSIM_GENERIC_CASE(sigmoid)
        CORTEXSIM_GENERIC_CASE(abbott_chance)
        CORTEXSIM_GENERIC_CASE(tanh)
        CORTEXSIM_GENERIC_CASE(softplus)
#undef CORTEXSIM_GENERIC_CASE
    }
}

}  // namespace

circuit_names generic_circuit::names(const model_spec& m) {
    const generic_circuit_spec& s = m.generic;
    if (!s.defined || s.populations.empty())
        throw config_error("generic circuit: the model defines no populations (model.populations)");
    circuit_names nm;
    for (const auto& p : s.populations) {
        nm.variables.push_back(p.name);
        nm.recorded.push_back(p.name);
        nm.ports.push_back(p.name);
    }
    for (const auto& p : s.populations)
        if (p.synapse != generic_synapse::none) nm.variables.push_back("S_" + p.name);
    for (const auto& p : s.populations)
        if (p.noise == generic_noise::ou) nm.variables.push_back("eta_" + p.name);
    for (std::size_t a = 0; a < nm.variables.size(); ++a)
        for (std::size_t b = a + 1; b < nm.variables.size(); ++b)
            if (nm.variables[a] == nm.variables[b])
                throw config_error("generic circuit: two variables are named '" + nm.variables[a] + "'");
    nm.channels = s.channels;
    return nm;
}

void generic_circuit::check(const model_spec& m) {
    check_structure(m);
    const double dt = m.run.dt_ms, tau = m.generic.min_tau_ms();
    if (dt >= tau)
        throw config_error("'run.dt_ms' = " + std::to_string(dt) +
                           " ms must be smaller than the smallest time constant of the circuit (" +
                           std::to_string(tau) + " ms)");
}

void generic_circuit::check_structure(const model_spec& m) {
    const generic_circuit_spec& s = m.generic;
    (void)names(m);
    const double dt = m.run.dt_ms;
    if (!(dt > 0.0)) throw config_error("generic circuit: run.dt_ms must be > 0");
    const std::size_t P = s.populations.size();
    for (std::size_t p = 0; p < P; ++p) {
        const generic_population& q = s.populations[p];
        if (!(q.tau_ms > 0.0)) throw config_error("generic circuit: population '" + q.name + "' has tau_ms <= 0");
        if (q.synapse != generic_synapse::none && !(q.synapse_tau_ms > 0.0))
            throw config_error("generic circuit: population '" + q.name + "' has synapse tau_ms <= 0");
        if (q.noise == generic_noise::ou && !(q.noise_tau_ms > 0.0))
            throw config_error("generic circuit: population '" + q.name + "' has noise tau_ms <= 0");
        if (q.noise != generic_noise::none && p >= 64)
            throw config_error("generic circuit: population '" + q.name +
                               "' has noise, but only the "
                               "first 64 populations can (16 noise streams of 4, circuit.hpp)");
    }
    for (const auto& w : s.weights) {
        if (w.to >= P || w.from >= P) throw config_error("generic circuit: a weight has an unknown population");
        if (w.from_gate && s.populations[w.from].synapse == generic_synapse::none)
            throw config_error("generic circuit: a weight reads the gate of '" + s.populations[w.from].name +
                               "', which has no synapse");
    }
    for (const auto& c : s.inputs) {
        if (c.to >= P) throw config_error("generic circuit: an input has an unknown target population");
        if (c.channel >= s.channels.size()) throw config_error("generic circuit: an input names an unknown channel");
    }
}

generic_circuit::generic_circuit(const model_spec& m, std::size_t begin, std::size_t n) : circuit(begin, n) {
    check_structure(m);  // (not the time step: a test may take tau = dt on purpose)
    init_ids(m);
    const generic_circuit_spec& s = m.generic;
    const std::size_t P = s.populations.size();
    const double dt = m.run.dt_ms;
    const circuit_names nm = names(m);
    gate_var_.assign(P, npos);
    eta_var_.assign(P, npos);
    {
        std::size_t v = P;
        for (std::size_t p = 0; p < P; ++p)
            if (s.populations[p].synapse != generic_synapse::none) gate_var_[p] = v++;
        for (std::size_t p = 0; p < P; ++p)
            if (s.populations[p].noise == generic_noise::ou) eta_var_[p] = v++;
    }
    declare(nm.variables, nm.recorded, nm.channels, nm.ports);

    // ---- per-population constants
    pops_.resize(P);
    std::size_t n_noisy = 0;
    for (std::size_t p = 0; p < P; ++p) {
        const generic_population& q = s.populations[p];
        pop_kernel& k = pops_[p];
        k.transfer = q.transfer;
        k.k = dt / q.tau_ms;
        k.floor = q.floor;
        k.synapse = q.synapse;
        if (q.synapse != generic_synapse::none) {
            k.k_syn = dt / q.synapse_tau_ms;
            k.c_syn = dt / 1000.0 * q.gamma;
        }
        k.noise = q.noise;
        if (q.noise == generic_noise::ou) {
            k.k_noise = dt / q.noise_tau_ms;
            k.c_noise = q.noise_sigma * std::sqrt(dt / q.noise_tau_ms);
        } else if (q.noise == generic_noise::white) {
            k.c_noise = q.noise_sigma * std::sqrt(dt / q.tau_ms);
        }
        if (q.noise != generic_noise::none) {
            k.xi_slot = n_noisy++;
            const auto g = static_cast<std::uint32_t>(p / 4);
            if (std::find(noise_groups_.begin(), noise_groups_.end(), g) == noise_groups_.end())
                noise_groups_.push_back(g);
        }
    }
    key_ = key_of(m.run.seed);

    // ---- background, local weights and long-range inputs, grouped by target population
    bkg_.assign(P * n, 0.0);
    for (std::size_t p = 0; p < P; ++p)
        per_area(m, s.populations[p].background, begin, n, bkg_.data() + p * n,
                 "the background of '" + s.populations[p].name + "'");
    w_begin_.assign(P + 1, 0);
    in_begin_.assign(P + 1, 0);
    for (std::size_t p = 0; p < P; ++p) {
        w_begin_[p] = w_src_.size();
        for (const auto& w : s.weights) {
            if (w.to != p) continue;
            if (w.from >= P) throw config_error("generic circuit: a weight has an unknown source population");
            const std::size_t src = w.from_gate ? gate_var_[w.from] : w.from;
            if (src == npos)
                throw config_error("generic circuit: a weight reads the gate of '" + s.populations[w.from].name +
                                   "', which has no synapse");
            w_src_.push_back(src);
            w_.resize(w_.size() + n);
            per_area(m, w.weight, begin, n, w_.data() + w_.size() - n,
                     "the weight " + s.populations[w.from].name + " -> " + s.populations[p].name);
        }
        in_begin_[p] = in_channel_.size();
        for (const auto& c : s.inputs) {
            if (c.to != p) continue;
            if (c.channel >= s.channels.size())
                throw config_error("generic circuit: an input names an unknown channel");
            in_channel_.push_back(c.channel);
            in_w_.resize(in_w_.size() + n);
            per_area(m, c.weight, begin, n, in_w_.data() + in_w_.size() - n,
                     "the input " + s.channels[c.channel] + " -> " + s.populations[p].name);
        }
    }
    w_begin_[P] = w_src_.size();
    in_begin_[P] = in_channel_.size();
    for (const auto& w : s.weights)
        if (w.to >= P) throw config_error("generic circuit: a weight has an unknown target population");
    for (const auto& c : s.inputs)
        if (c.to >= P) throw config_error("generic circuit: an input has an unknown target population");

    input_.assign(P * n, 0.0);
    xi_.assign(n_noisy * n, 0.0);

    // ---- initial state
    for (std::size_t p = 0; p < P; ++p) {
        std::fill(var(p), var(p) + n, s.populations[p].initial);
        if (gate_var_[p] != npos) std::fill(var(gate_var_[p]), var(gate_var_[p]) + n, s.populations[p].synapse_initial);
    }
}

template <class F>
void generic_circuit::advance_rates(std::size_t p, const double* I, const double* xi, F f) {
    const pop_kernel t = pops_[p];  // a local copy: the constants stay in registers
    double* r = var(p);
    const std::size_t n = n_;
    if (xi) {
        for (std::size_t i = 0; i < n; ++i)
            r[i] = std::max(r[i] + t.k * (-r[i] + f(t.transfer, I[i])) + t.c_noise * xi[i], t.floor);
    } else {
        for (std::size_t i = 0; i < n; ++i) r[i] = std::max(r[i] + t.k * (-r[i] + f(t.transfer, I[i])), t.floor);
    }
}

void generic_circuit::inputs_and_noise(const step_input& in) {
    const std::size_t n = n_, P = pops_.size();

    // 1. inputs of every population from the state of step k
    for (std::size_t p = 0; p < P; ++p) {
        double* I = input_.data() + p * n;
        const double* b = bkg_.data() + p * n;
        std::copy(b, b + n, I);
        for (std::size_t e = w_begin_[p]; e < w_begin_[p + 1]; ++e) {
            const double* w = w_.data() + e * n;
            const double* x = var(w_src_[e]);
            for (std::size_t i = 0; i < n; ++i) I[i] += w[i] * x[i];
        }
        if (in.lr)
            for (std::size_t e = in_begin_[p]; e < in_begin_[p + 1]; ++e) {
                const double* w = in_w_.data() + e * n;
                const double* l = in.lr[in_channel_[e]];
                if (!l) continue;
                for (std::size_t i = 0; i < n; ++i) I[i] += w[i] * l[i];
            }
        if (in.stim && in.stim[p]) {
            const double* s = in.stim[p];
            for (std::size_t i = 0; i < n; ++i) I[i] += s[i];
        }
        if (eta_var_[p] != npos) {
            const double* eta = var(eta_var_[p]);
            for (std::size_t i = 0; i < n; ++i) I[i] += eta[i];
        }
    }

    // 2. normal deviates, keyed by (seed, global area, p / 4, step): independent of the partition
    for (const std::uint32_t g : noise_groups_) {
        for (std::size_t i = 0; i < n; ++i) {
            const auto z = noise_normals(key_, area_id(i), g, in.step);
            for (std::size_t p = 4 * static_cast<std::size_t>(g); p < std::min(P, 4 * static_cast<std::size_t>(g) + 4);
                 ++p)
                if (pops_[p].noise != generic_noise::none) xi_[pops_[p].xi_slot * n + i] = z[p % 4];
        }
    }
}

void generic_circuit::step(const step_input& in) {
    const std::size_t n = n_, P = pops_.size();
    inputs_and_noise(in);

    // 3. updates: the gate of p (from the old rate of p), the OU current of p, then the rate of p
    for (std::size_t p = 0; p < P; ++p) {
        const pop_kernel& q = pops_[p];
        const double* r = var(p);
        if (q.synapse != generic_synapse::none) {
            double* S = var(gate_var_[p]);
            const double ks = q.k_syn, cs = q.c_syn;
            if (q.synapse == generic_synapse::saturating)
                for (std::size_t i = 0; i < n; ++i) S[i] = S[i] - ks * S[i] + cs * (1.0 - S[i]) * r[i];
            else
                for (std::size_t i = 0; i < n; ++i) S[i] = S[i] - ks * S[i] + cs * r[i];
        }
        const double* xi = q.noise != generic_noise::none ? xi_.data() + q.xi_slot * n : nullptr;
        if (q.noise == generic_noise::ou) {
            double* eta = var(eta_var_[p]);
            const double kn = q.k_noise, cn = q.c_noise;
            for (std::size_t i = 0; i < n; ++i) eta[i] = eta[i] - kn * eta[i] + cn * xi[i];
        }
        const double* I = input_.data() + p * n;
        const double* xr = q.noise == generic_noise::white ? xi : nullptr;
        with_transfer(q.transfer.kind, [&](auto f) { advance_rates(p, I, xr, f); });
    }
}

void generic_circuit::increments(const step_input& in, double* dx) {
    const std::size_t n = n_, P = pops_.size();
    inputs_and_noise(in);
    for (std::size_t p = 0; p < P; ++p) {
        const pop_kernel& q = pops_[p];
        const double* r = var(p);
        if (q.synapse != generic_synapse::none) {
            const double* S = var(gate_var_[p]);
            double* d = dx + gate_var_[p] * n;
            const double ks = q.k_syn, cs = q.c_syn;
            if (q.synapse == generic_synapse::saturating)
                for (std::size_t i = 0; i < n; ++i) d[i] = -(ks * S[i]) + cs * (1.0 - S[i]) * r[i];
            else
                for (std::size_t i = 0; i < n; ++i) d[i] = -(ks * S[i]) + cs * r[i];
        }
        const double* xi = q.noise != generic_noise::none ? xi_.data() + q.xi_slot * n : nullptr;
        if (q.noise == generic_noise::ou) {
            const double* eta = var(eta_var_[p]);
            double* d = dx + eta_var_[p] * n;
            for (std::size_t i = 0; i < n; ++i) d[i] = -(q.k_noise * eta[i]) + q.c_noise * xi[i];
        }
        const double* I = input_.data() + p * n;
        const double* xr = q.noise == generic_noise::white ? xi : nullptr;
        double* d = dx + p * n;
        with_transfer(q.transfer.kind, [&](auto f) { rate_increments(p, I, xr, d, f); });
    }
}

template <class F>
void generic_circuit::rate_increments(std::size_t p, const double* I, const double* xi, double* d, F f) const {
    const pop_kernel t = pops_[p];
    const double* r = var(p);
    for (std::size_t i = 0; i < n_; ++i) d[i] = t.k * (-r[i] + f(t.transfer, I[i]));
    if (xi)
        for (std::size_t i = 0; i < n_; ++i) d[i] += t.c_noise * xi[i];
}

void generic_circuit::project() {
    for (std::size_t p = 0; p < pops_.size(); ++p) {
        const double fl = pops_[p].floor;
        double* r = var(p);
        for (std::size_t i = 0; i < n_; ++i) r[i] = std::max(r[i], fl);
    }
}

}  // namespace cortexsim
