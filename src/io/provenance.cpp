#include "cortexsim/io/provenance.hpp"

#include <unistd.h>

#include <boost/version.hpp>
#include <cstdlib>
#include <sstream>

#include "cortexsim/build_info.hpp"
#include "cortexsim/common/format.hpp"

namespace cortexsim {
namespace {

std::string hostname() {
    char h[256] = {0};
    gethostname(h, sizeof h - 1);
    return h;
}

std::string fmt(double v, int prec) {
    std::ostringstream s;
    s.precision(prec);
    s << v;
    return s.str();
}

}  // namespace

std::string integrator_name(integrator_kind k) {
    return k == integrator_kind::euler ? "euler" : k == integrator_kind::heun ? "heun" : "rk4";
}

std::string resolved_parameters(const model_spec& m) {
    std::ostringstream o;
    o.precision(17);
    o << "model: " << m.name << "\ncircuit: " << m.circuit << "\nareas: " << m.areas.size() << "\n";
    if (m.circuit == "linear_ei") {
        const auto& p = m.params;
        o << "parameters: {tau_E_ms: " << p.tau_E_ms << ", tau_I_ms: " << p.tau_I_ms << ", beta_E: " << p.beta_E
          << ", beta_I: " << p.beta_I << ", w_EE: " << p.w_EE << ", w_IE: " << p.w_IE << ", w_EI: " << p.w_EI
          << ", w_II: " << p.w_II << ", mu_EE: " << p.mu_EE << ", mu_IE: " << p.mu_IE << ", eta: " << p.eta
          << ", r_E_target_hz: " << p.r_E_target_hz << ", r_I_target_hz: " << p.r_I_target_hz
          << ", rate_floor_E_hz: " << p.rate_floor_E_hz << ", rate_floor_I_hz: " << p.rate_floor_I_hz << "}\n";
    } else {
        o << "parameters: {";
        for (std::size_t i = 0; i < m.circuit_params.size(); ++i)
            o << (i ? ", " : "") << m.circuit_params[i].first << ": " << m.circuit_params[i].second;
        o << "}  # set in the config; every other parameter has the default of docs/models.md\n";
    }
    o << "run: {t_end_ms: " << m.run.t_end_ms << ", dt_ms: " << m.run.dt_ms << ", n_steps: " << m.run.n_steps
      << ", record_every_steps: " << m.run.record_every << ", integrator: " << integrator_name(m.run.integrator)
      << ", seed: " << m.run.seed << "}\n";
    o << "stimuli:\n";
    for (const auto& s : m.stimuli)
        o << "  - {name: " << s.name << ", area: " << m.areas.names[s.area] << ", population: " << s.population
          << ", onset_step: " << s.onset_step << ", end_step: " << s.end_step << ", amplitude: " << s.amplitude
          << "}\n";
    o << "fingerprint: " << m.fingerprint << "\n";
    return o.str();
}

void write_provenance(h5_output& out, const model_spec& spec, const run_facts& f) {
    std::string files;
    for (const auto& d : spec.data_files)
        files += (files.empty() ? "" : "\n") + d.key + ": " + d.path + " sha256:" + d.sha256;
    const char* job = std::getenv("SLURM_JOB_ID");
    const attribute_list prov = {
        {"cortexsim_version", build_info::version},
        {"git_commit", build_info::git_commit},
        {"git_dirty", build_info::git_dirty},
        {"compiler", build_info::compiler},
        {"compiler_flags", build_info::compiler_flags},
        {"build_type", build_info::build_type},
        {"mpi_library", f.mpi_library},
        {"petsc_version", f.petsc_version},
        {"hdf5_version", hdf5_version()},
        {"boost_version", BOOST_LIB_VERSION},
        {"ranks", std::to_string(f.ranks)},
        {"partition", f.partition},
        {"command_line", f.command_line},
        {"host", hostname()},
        {"rank_hosts", f.rank_hosts},
        {"slurm_job_id", job ? job : ""},
        {"config_path", spec.config_path},
        {"config_text", spec.config_text},
        {"resolved_parameters", resolved_parameters(spec)},
        {"fingerprint", spec.fingerprint},
        {"model", spec.name},
        {"integrator", integrator_name(spec.run.integrator)},
        {"dt_ms", fmt(spec.run.dt_ms, 17)},
        {"steps", std::to_string(f.steps)},
        {"steps_this_segment", std::to_string(f.steps_this_segment)},
        {"loop_seconds", fmt(f.loop_seconds, 6)},
        {"steps_per_second", fmt(f.steps_per_second, 6)},
        {"steps_per_exchange", std::to_string(f.steps_per_exchange)},
        {"exchanges_per_simulated_second", fmt(f.exchanges_per_second, 6)},
        {"checkpoints", f.checkpoints},
        {"restarted", f.restarted ? "true" : "false"},
        {"start_time", f.start_time},
        {"end_time", f.end_time},
        {"data_files", files},
    };
    out.write_attributes("/provenance", prov);
    for (std::size_t i = 0; i < spec.data_files.size(); ++i) {
        const auto& d = spec.data_files[i];
        out.write_bytes("/provenance/data_files/" + std::to_string(i), d.content,
                        {{"key", d.key}, {"path", d.path}, {"sha256", d.sha256}});
    }
}

}  // namespace cortexsim
