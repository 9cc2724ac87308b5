#pragma once
// The linear E/I circuit of Chaudhuri et al. 2015 (docs/models.md, circuit linear_ei), as a circuit like the
// others. For area i (beta-multiplied form, every term a rate in Hz; any local parameter may vary across areas
// through a gradient):
//   I_E = beta_E (w_EE r_E - w_EI r_I) + L_E,i + bkg_E,i + stim_E
//   I_I = beta_I (w_IE r_E - w_II r_I) + L_I,i + bkg_I,i + stim_I
//   tau_E dr_E/dt = -r_E + [I_E]_+ ,  tau_I dr_I/dt = -r_I + [I_I]_+
// with the long-range input L_p,i = sum over projections into p of beta_p,i scale g_i sum_j T_ij r_source,j
// (beta enters as the channel gain, so the coefficient is computed as (beta scale) g_i, the reference code's
// order), and bkg chosen in prepare() so that (r_E_target, r_I_target) is a fixed point (the long-range input
// there comes from the probe). Rates are clipped from below by the rate floors after every step.
// Variables, recorded populations, input channels and stimulus ports: E, I. No modulators.
#include <cstddef>
#include <string>
#include <vector>

#include "cortexsim/dynamics/circuit.hpp"
#include "cortexsim/spec/model_spec.hpp"

namespace cortexsim {

const circuit_info& linear_ei_info();

/// Per-area value of parameter `name` for local areas [begin, begin + n): value times its gradient (if any).
std::vector<double> local_parameter(const model_spec& m, const std::string& name, double value, std::size_t begin,
                                    std::size_t n);

class linear_ei_circuit final : public circuit {
public:
    static constexpr std::size_t v_E = 0, v_I = 1;

    linear_ei_circuit(const model_spec& m, std::size_t begin, std::size_t n);
    static circuit_names names(const model_spec& m);
    static void check(const model_spec& m);

    void step(const step_input& in) override;
    bool has_increments() const override { return true; }
    void increments(const step_input& in, double* dx) override;
    void project() override;
    const double* channel_gain(std::size_t c) const override { return c == 0 ? beta_E_.data() : beta_I_.data(); }
    void prepare(const long_range_probe& probe) override;

    /// Coefficients of local area i (tests): beta w with gradients, background, dt / tau.
    struct coefficients {
        double a_EE, a_EI, a_IE, a_II, bkg_E, bkg_I, k_E, k_I;
    };
    coefficients at(std::size_t i) const;

private:
    template <class Write>
    void kernel(const step_input& in, Write&& write) const;

    linear_ei_params p_;
    std::vector<double> a_EE_, a_IE_, a_EI_, a_II_;  // beta w (the inhibitory ones negative), per area
    std::vector<double> bkg_E_, bkg_I_, k_E_, k_I_, beta_E_, beta_I_, zero_;
    double floor_E_ = 0, floor_I_ = 0;
};

}  // namespace cortexsim
