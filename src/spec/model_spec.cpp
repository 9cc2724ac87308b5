#include "cortexsim/spec/model_spec.hpp"

#include "cortexsim/common/errors.hpp"

namespace cortexsim {

std::size_t area_table::find(const std::string& name) const {
    for (std::size_t i = 0; i < names.size(); ++i)
        if (names[i] == name) return i;
    return npos;
}

std::vector<double> gradient_values(const model_spec& m, const std::string& name) {
    if (name.empty()) return std::vector<double>(m.areas.size(), 1.0);
    for (const auto& g : m.gradients)
        if (g.name == name) return g.values;
    throw config_error("the model has no gradient '" + name + "' (model.gradients)");
}

}  // namespace cortexsim
