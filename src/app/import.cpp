// cortexsim import: a connectome from a TVB zip, a MATLAB .mat file (v5/v7 or v7.3) or text matrices into one HDF5 file
// that a config names (docs/connectivity.md, "Importing a connectome"). Runs without MPI.
#include "cortexsim/app/import.hpp"

#include <cstdio>

#include "cortexsim/app/cli.hpp"
#include "cortexsim/common/errors.hpp"
#include "cortexsim/common/format.hpp"
#include "cortexsim/connectivity/import.hpp"

namespace cortexsim {

std::string import_usage() {
    return "usage: cortexsim import FILE -o CONN.h5 [--labels L] [--lengths D] [--centres C] [--weights VAR]\n"
           "                        [--transpose] [--overwrite]\n"
           "Read a connectome and write it as one HDF5 file a config can name (docs/connectivity.md, \"Importing a\n"
           "connectome\"): /weights and /tract_lengths [target, source], /centres, /centre_distances, /cortical,\n"
           "/hemispheres, /region_areas, each with the region labels as attribute 'areas', and /areas.\n"
           "FILE is one of:\n"
           "  *.zip   a TVB connectivity zip: weights.txt, tract_lengths.txt, centres.txt (labels: its first column),\n"
           "          optional cortical.txt, hemispheres.txt, areas.txt\n"
           "  *.mat   a MATLAB v5/v7 (also compressed) or v7.3 (HDF5) file: the variables weights (or W, SC, sc, C),\n"
           "          tract_lengths and labels or region_labels if present; double, single, integer, logical or "
           "sparse\n"
           "          matrices (v4 files are refused)\n"
           "  other   a text matrix: values separated by spaces, tabs, commas or semicolons, '#' lines skipped;\n"
           "          or a labelled CSV (header: corner cell, then labels; each row starts with its label)\n"
           "options:\n"
           "  -o CONN.h5        the output (required; an existing file is kept unless --overwrite)\n"
           "  --labels L        text input: a file of labels (one per line, or TVB centres 'label x y z');\n"
           "                    .mat: the variable (cell array or char matrix). Default: the CSV header, the centres,\n"
           "                    else r0, r1, ...\n"
           "  --lengths D       text input: a tract-length matrix [mm]; .mat: its variable\n"
           "  --centres C       text input: TVB centres text (label x y z) [mm]\n"
           "  --weights VAR     .mat: the variable of the weights\n"
           "  --transpose       the input is [source, target] (cortexsim's matrices are [target, source])\n"
           "  --overwrite       replace an existing CONN.h5\n"
           "examples:\n"
           "  cortexsim import connectivity_76.zip -o conn76.h5\n"
           "  cortexsim import sc.csv --lengths lengths.csv --labels labels.txt -o conn.h5\n"
           "  cortexsim import subject1.mat --weights SC --lengths FL -o s1.h5\n"
           "then in a config: model.areas: {file: conn76.h5}, model.connectivity.matrices:\n"
           "  w: {file: conn76.h5, dataset: /weights, zero_diagonal: false}, d: {file: conn76.h5, dataset: "
           "/tract_lengths}\n"
           "exit codes: 0 written, 1 bad input or an existing output (one line 'cortexsim: error: ...'),\n"
           "  2 bad command line\n";
}

int import_command(const std::vector<std::string>& args) {
    import_options o;
    std::string out;
    bool overwrite = false;
    try {
        for (std::size_t i = 0; i < args.size(); ++i) {
            const std::string& a = args[i];
            auto value = [&]() -> std::string {
                if (i + 1 >= args.size()) throw usage_error("option " + a + " needs a value");
                return args[++i];
            };
            if (a == "-o" || a == "--output")
                out = value();
            else if (a == "--labels")
                o.labels = value();
            else if (a == "--lengths")
                o.lengths = value();
            else if (a == "--centres")
                o.centres = value();
            else if (a == "--weights")
                o.weights_var = value();
            else if (a == "--transpose")
                o.transpose = true;
            else if (a == "--overwrite")
                overwrite = true;
            else if (!a.empty() && a[0] == '-')
                throw usage_error("unknown option '" + a + "' for import (see cortexsim import --help)");
            else if (o.input.empty())
                o.input = a;
            else
                throw usage_error("import takes one input file ('" + o.input + "' and '" + a + "' given)");
        }
        if (o.input.empty()) throw usage_error("import needs an input file (cortexsim import FILE -o CONN.h5)");
        if (out.empty()) throw usage_error("import needs -o CONN.h5");
    } catch (const usage_error& e) {
        std::fprintf(stderr, "cortexsim: error: %s\n", printable(e.what(), max_message_bytes).c_str());
        return exit_usage;
    }
    try {
        const connectome c = import_connectome(o);
        write_connectome_h5(out, c, overwrite);
        std::printf("%s: %zu regions (%zux%zu weights%s%s) -> %s\n", printable(o.input).c_str(), c.size(), c.size(),
                    c.size(), c.tract_lengths.empty() ? "" : ", tract lengths", c.centres.empty() ? "" : ", centres",
                    printable(out).c_str());
        std::fflush(stdout);
        return exit_ok;
    } catch (const usage_error& e) {
        std::fprintf(stderr, "cortexsim: error: %s\n", printable(e.what(), max_message_bytes).c_str());
        return exit_usage;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "cortexsim: error: %s\n", printable(e.what(), max_message_bytes).c_str());
        return exit_failure;
    }
}

}  // namespace cortexsim
