// Loading the PETSc module (petsc_module.hpp): dlopen, the C ABI of petsc_module_abi.hpp, and the graph backend
// that calls it. This file does not link PETSc; it includes only <petscversion.h>, for the version cortexsim
// was compiled against.
#include "cortexsim/partition/petsc_module.hpp"

#include <dlfcn.h>
#include <petscversion.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "cortexsim/common/collective.hpp"
#include "cortexsim/common/errors.hpp"
#include "cortexsim/partition/graph_backend.hpp"
#include "cortexsim/partition/petsc_module_abi.hpp"

#ifndef CORTEXSIM_PETSC_MODULE_NAME
#define CORTEXSIM_PETSC_MODULE_NAME "libcortexsim_petsc.so"
#endif
#ifndef CORTEXSIM_INSTALL_LIBDIR
#define CORTEXSIM_INSTALL_LIBDIR "lib"
#endif
#ifndef CORTEXSIM_INSTALL_FULL_LIBDIR
#define CORTEXSIM_INSTALL_FULL_LIBDIR "/usr/local/lib"
#endif

namespace cortexsim {
namespace {

constexpr const char* env_override = "CORTEXSIM_PETSC_MODULE";

struct module {
    void* handle = nullptr;
    bool initialised = false;
    std::vector<std::string> args;  // PETSc keeps argv (PetscGetArgs): alive until the process ends
    std::vector<char*> argv;
    decltype(&cortexsim_petsc_module_abi) abi = nullptr;
    decltype(&cortexsim_petsc_initialize) initialize = nullptr;
    decltype(&cortexsim_petsc_finalize) finalize = nullptr;
    decltype(&cortexsim_petsc_partitioner_type) partitioner_type = nullptr;
    decltype(&cortexsim_petsc_graph_parts) graph_parts = nullptr;
};
module the_module;

[[noreturn]] void rethrow(int rc, const char* message) {
    const int kind = rc - 1;
    throw_error(kind >= 0 && kind <= static_cast<int>(error_kind::usage) ? static_cast<error_kind>(kind)
                                                                         : error_kind::generic,
                message);
}

std::vector<int> module_parts(MPI_Comm comm, const cortexsim_graph_rows& rows) {
    std::vector<int> parts(rows.n_rows, -1);
    char err[4096] = "";
    if (const int rc = the_module.graph_parts(MPI_Comm_c2f(comm), &rows, parts.data(), err, sizeof err); rc != 0)
        rethrow(rc, err);
    return parts;
}

std::string module_partitioner_type() {
    char type[256] = "", err[4096] = "";
    if (const int rc = the_module.partitioner_type(type, sizeof type, err, sizeof err); rc != 0) rethrow(rc, err);
    return type;
}

const graph_backend module_backend{&module_parts, &module_partitioner_type};

template <class F>
void resolve(void* handle, const char* name, F& fn, const std::string& path) {
    fn = reinterpret_cast<F>(::dlsym(handle, name));
    if (!fn)
        throw petsc_error("the PETSc module " + path + " has no function " + name +
                          " (not a cortexsim PETSc module, or one of another version)");
}

}  // namespace

std::vector<std::string> petsc_module_candidates() {
    if (const char* p = std::getenv(env_override); p && *p) return {p};
    std::vector<std::string> out;
    auto add = [&](const std::filesystem::path& p) {
        const std::string s = p.lexically_normal().string();
        for (const auto& o : out)
            if (o == s) return;
        out.push_back(s);
    };
    std::error_code ec;
    const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec && exe.has_parent_path()) {
        add(exe.parent_path() / CORTEXSIM_PETSC_MODULE_NAME);
        const std::filesystem::path libdir(CORTEXSIM_INSTALL_LIBDIR);
        if (libdir.is_relative()) add(exe.parent_path().parent_path() / libdir / CORTEXSIM_PETSC_MODULE_NAME);
    }
    add(std::filesystem::path(CORTEXSIM_INSTALL_FULL_LIBDIR) / CORTEXSIM_PETSC_MODULE_NAME);
    return out;
}

void load_petsc_module(MPI_Comm comm, const std::string& needed_for, const std::vector<std::string>& options) {
    module& m = the_module;
    if (m.initialised) return;
    run_collectively(comm, [&] {
        if (m.handle) return;
        const std::vector<std::string> candidates = petsc_module_candidates();
        std::string path = candidates.front(), elsewhere;
        bool found = false;
        for (const auto& c : candidates) {
            std::error_code ec;
            if (!found && std::filesystem::exists(c, ec)) path = c, found = true;
        }
        if (!found && candidates.size() > 1) {
            elsewhere = " (not found there, nor at";
            for (std::size_t i = 1; i < candidates.size(); ++i) elsewhere += (i > 1 ? ", " : " ") + candidates[i];
            elsewhere += "; set " + std::string(env_override) + " to its path)";
        }
        ::dlerror();
        void* h = ::dlopen(path.c_str(), RTLD_LAZY | RTLD_LOCAL);
        if (!h) {
            const char* why = ::dlerror();
            throw petsc_error("cannot load the PETSc module " + path + elsewhere + ", needed for " + needed_for + ": " +
                              (why ? why : "dlopen failed"));
        }
        module loaded;
        loaded.handle = h;
        resolve(h, "cortexsim_petsc_module_abi", loaded.abi, path);
        if (loaded.abi() != CORTEXSIM_PETSC_MODULE_ABI)
            throw petsc_error("the PETSc module " + path + " has interface version " + std::to_string(loaded.abi()) +
                              ", this cortexsim needs " + std::to_string(CORTEXSIM_PETSC_MODULE_ABI) +
                              " (a module of another cortexsim build?)");
        resolve(h, "cortexsim_petsc_initialize", loaded.initialize, path);
        resolve(h, "cortexsim_petsc_finalize", loaded.finalize, path);
        resolve(h, "cortexsim_petsc_partitioner_type", loaded.partitioner_type, path);
        resolve(h, "cortexsim_petsc_graph_parts", loaded.graph_parts, path);
        m = std::move(loaded);
    });
    m.args = {"cortexsim"};
    m.args.insert(m.args.end(), options.begin(), options.end());
    m.argv.clear();
    for (auto& a : m.args) m.argv.push_back(a.data());
    m.argv.push_back(nullptr);
    run_collectively(comm, [&] {
        char err[4096] = "";
        if (const int rc = m.initialize(MPI_Comm_c2f(comm), static_cast<int>(m.args.size()), m.argv.data(), err,
                                        sizeof err);
            rc != 0)
            rethrow(rc, (std::string(err) + " (PETSc module, needed for " + needed_for + ")").c_str());
    });
    m.initialised = true;
    set_graph_backend(&module_backend);
}

bool petsc_module_loaded() { return the_module.initialised; }

void finalize_petsc_module() {
    module& m = the_module;
    if (!m.initialised) return;
    m.initialised = false;
    if (current_graph_backend() == &module_backend) set_graph_backend(nullptr);
    char err[4096] = "";
    if (const int rc = m.finalize(err, sizeof err); rc != 0) rethrow(rc, err);
}

std::string petsc_compiled_version() {
    // the text of PetscGetVersion (src/sys/utils/pdisplay.c), from the header alone
    char v[256];
#if PETSC_VERSION_RELEASE == 1
    std::snprintf(v, sizeof v, "Petsc Release Version %d.%d.%d, %s ", PETSC_VERSION_MAJOR, PETSC_VERSION_MINOR,
                  PETSC_VERSION_SUBMINOR, PETSC_VERSION_DATE);
#else
    std::snprintf(v, sizeof v, "Petsc Development GIT revision: %s  GIT Date: %s", PETSC_VERSION_GIT,
                  PETSC_VERSION_DATE_GIT);
#endif
    return v;
}

}  // namespace cortexsim
