#include "cortexsim/spec/model_spec.hpp"

namespace cortexsim {

std::size_t area_table::find(const std::string& name) const {
    for (std::size_t i = 0; i < names.size(); ++i)
        if (names[i] == name) return i;
    return npos;
}

}  // namespace cortexsim
