#include "cortexsim/dynamics/circuits/generic.hpp"

#include <algorithm>
#include <stdexcept>
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
    throw std::logic_error("generic circuit: unknown transfer function");
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
    } catch (const std::out_of_range&) {
        throw std::invalid_argument("generic circuit: " + what + " uses gradient '" + v.gradient +
                                    "', which the model does not have");
    }
    if (g.size() < begin + n)
        throw std::invalid_argument("generic circuit: gradient '" + v.gradient + "' has " + std::to_string(g.size()) +
                                    " values, areas up to " + std::to_string(begin + n) + " are needed");
    for (std::size_t i = 0; i < n; ++i) out[i] = v.value * g[begin + i];
}

}  // namespace

generic_circuit::generic_circuit(const model_spec& m, std::size_t begin, std::size_t n) : circuit(begin, n) {
    init_ids(m);
    const generic_circuit_spec& s = m.generic;
    if (!s.defined || s.populations.empty())
        throw std::invalid_argument("generic circuit: the model defines no populations (model.populations)");
    const std::size_t P = s.populations.size();
    const double dt = m.run.dt_ms;
    if (!(dt > 0.0)) throw std::invalid_argument("generic circuit: run.dt_ms must be > 0");

    // ---- variables: rates, gates, OU currents
    std::vector<std::string> vars, recorded, ports;
    for (const auto& p : s.populations) {
        vars.push_back(p.name);
        recorded.push_back(p.name);
        ports.push_back(p.name);
    }
    gate_var_.assign(P, npos);
    eta_var_.assign(P, npos);
    for (std::size_t p = 0; p < P; ++p)
        if (s.populations[p].synapse != generic_synapse::none) {
            gate_var_[p] = vars.size();
            vars.push_back("S_" + s.populations[p].name);
        }
    for (std::size_t p = 0; p < P; ++p)
        if (s.populations[p].noise == generic_noise::ou) {
            eta_var_[p] = vars.size();
            vars.push_back("eta_" + s.populations[p].name);
        }
    for (std::size_t a = 0; a < vars.size(); ++a)
        for (std::size_t b = a + 1; b < vars.size(); ++b)
            if (vars[a] == vars[b])
                throw std::invalid_argument("generic circuit: two variables are named '" + vars[a] + "'");
    declare(vars, recorded, s.channels, ports);

    // ---- per-population constants
    pops_.resize(P);
    std::size_t n_noisy = 0;
    for (std::size_t p = 0; p < P; ++p) {
        const generic_population& q = s.populations[p];
        pop_kernel& k = pops_[p];
        if (!(q.tau_ms > 0.0))
            throw std::invalid_argument("generic circuit: population '" + q.name + "' has tau_ms <= 0");
        k.transfer = q.transfer;
        k.k = dt / q.tau_ms;
        k.floor = q.floor;
        k.synapse = q.synapse;
        if (q.synapse != generic_synapse::none) {
            if (!(q.synapse_tau_ms > 0.0))
                throw std::invalid_argument("generic circuit: population '" + q.name + "' has synapse tau_ms <= 0");
            k.k_syn = dt / q.synapse_tau_ms;
            k.c_syn = dt / 1000.0 * q.gamma;
        }
        k.noise = q.noise;
        if (q.noise == generic_noise::ou) {
            if (!(q.noise_tau_ms > 0.0))
                throw std::invalid_argument("generic circuit: population '" + q.name + "' has noise tau_ms <= 0");
            k.k_noise = dt / q.noise_tau_ms;
            k.c_noise = q.noise_sigma * std::sqrt(dt / q.noise_tau_ms);
        } else if (q.noise == generic_noise::white) {
            k.c_noise = q.noise_sigma * std::sqrt(dt / q.tau_ms);
        }
        if (q.noise != generic_noise::none) {
            if (p >= 64)
                throw std::invalid_argument("generic circuit: population '" + q.name + "' has noise, but only the "
                                            "first 64 populations can (16 noise streams of 4, circuit.hpp)");
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
            if (w.from >= P) throw std::invalid_argument("generic circuit: a weight has an unknown source population");
            const std::size_t src = w.from_gate ? gate_var_[w.from] : w.from;
            if (src == npos)
                throw std::invalid_argument("generic circuit: a weight reads the gate of '" + s.populations[w.from].name +
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
                throw std::invalid_argument("generic circuit: an input names an unknown channel");
            in_channel_.push_back(c.channel);
            in_w_.resize(in_w_.size() + n);
            per_area(m, c.weight, begin, n, in_w_.data() + in_w_.size() - n,
                     "the input " + s.channels[c.channel] + " -> " + s.populations[p].name);
        }
    }
    w_begin_[P] = w_src_.size();
    in_begin_[P] = in_channel_.size();
    for (const auto& w : s.weights)
        if (w.to >= P) throw std::invalid_argument("generic circuit: a weight has an unknown target population");
    for (const auto& c : s.inputs)
        if (c.to >= P) throw std::invalid_argument("generic circuit: an input has an unknown target population");

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

void generic_circuit::step(const circuit_step_input& in) {
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
            for (std::size_t p = 4 * static_cast<std::size_t>(g); p < std::min(P, 4 * static_cast<std::size_t>(g) + 4); ++p)
                if (pops_[p].noise != generic_noise::none) xi_[pops_[p].xi_slot * n + i] = z[p % 4];
        }
    }

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
        namespace f = generic_transfer_fn;
        // one instantiation per kind (a lambda each, so the call is inlined into the area loop)
#define CORTEXSIM_GENERIC_CASE(kind)                                                                         \
    case generic_transfer::kind:                                                                             \
        advance_rates(p, I, xr, [](const generic_transfer_spec& t, double x) { return f::kind(t, x); });   \
        break;
        switch (q.transfer.kind) {
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
}

}  // namespace cortexsim
