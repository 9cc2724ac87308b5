// cortexsim compare: a run's FC, FCD, timescales and persistence flags scored against data.
#include "cortexsim/app/compare.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>

#include "cortexsim/analysis/compare.hpp"
#include "cortexsim/app/cli.hpp"
#include "cortexsim/common/errors.hpp"
#include "cortexsim/common/format.hpp"
#include "cortexsim/connectivity/csv.hpp"
#include "cortexsim/io/h5_output.hpp"
#include "cortexsim/io/h5_read.hpp"

namespace cortexsim {
namespace {

struct compare_options {
    std::string output;
    std::vector<std::pair<std::string, std::string>> fc, fcd;  // monitor name -> file
    std::string timescales, timescale_dataset = "/analysis/acf_timescale_1e_s", timescale_column, persistence;
    bool write = true;
};

std::pair<std::string, std::string> name_eq_file(const std::string& opt, const std::string& v) {
    const auto eq = v.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == v.size())
        throw usage_error("'" + opt + " " + v + "': expected MONITOR=FILE (e.g. " + opt + " bold=fc.csv)");
    return {v.substr(0, eq), v.substr(eq + 1)};
}

compare_options parse(const std::vector<std::string>& args) {
    compare_options o;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        auto value = [&]() -> const std::string& {
            if (i + 1 >= args.size()) throw usage_error("'" + a + "' needs a value");
            return args[++i];
        };
        if (a == "--fc")
            o.fc.push_back(name_eq_file(a, value()));
        else if (a == "--fcd")
            o.fcd.push_back(name_eq_file(a, value()));
        else if (a == "--timescales")
            o.timescales = value();
        else if (a == "--timescale-column")
            o.timescale_column = value();
        else if (a == "--timescale-dataset")
            o.timescale_dataset = value();
        else if (a == "--persistence")
            o.persistence = value();
        else if (a == "--no-write")
            o.write = false;
        else if (!a.empty() && a[0] == '-')
            throw usage_error("unknown option '" + a + "' for compare");
        else if (o.output.empty())
            o.output = a;
        else
            throw usage_error("compare takes one output file ('" + o.output + "' and '" + a + "' given)");
    }
    if (o.output.empty()) throw usage_error("compare needs an output file (cortexsim compare OUT.h5 ...)");
    if (o.fc.empty() && o.fcd.empty() && o.timescales.empty() && o.persistence.empty())
        throw usage_error("compare needs at least one of --fc, --fcd, --timescales, --persistence");
    return o;
}

std::size_t index_of(const std::vector<std::string>& names, const std::string& name, const std::string& where) {
    const auto it = std::find(names.begin(), names.end(), name);
    if (it == names.end()) throw data_error(where + ": area '" + name + "' is not an area of the run (its /areas)");
    return static_cast<std::size_t>(it - names.begin());
}

std::vector<double> dataset(const std::string& file, const std::string& path, std::vector<unsigned long long>& dims) {
    if (!h5_has_dataset(file, path)) throw data_error(file + ": no dataset " + path);
    return read_h5_doubles(file, path, &dims);
}

struct row {
    std::string metric, reference;
    double value;
    std::string detail;
};

}  // namespace

std::string compare_usage() {
    return "usage: cortexsim compare OUT.h5 [--fc MONITOR=FC.csv]... [--fcd MONITOR=OTHER.h5]...\n"
           "                         [--timescales TABLE.csv [--timescale-column C] [--timescale-dataset D]]\n"
           "                         [--persistence TABLE.csv] [--no-write]\n"
           "  --fc          model FC (/analysis/fc/MONITOR) vs a labelled square matrix: Pearson r of the upper\n"
           "                triangles over the matrix's areas\n"
           "  --fcd         Kolmogorov-Smirnov distance between the FCD values (upper triangles) of the run and of\n"
           "                OTHER.h5 (/analysis/fcd/MONITOR)\n"
           "  --timescales  a table with columns area and timescale_ms or timescale_s (or the column C, named with "
           "its\n"
           "                unit _ms or _s): Spearman rho and Pearson r of log timescales, median ratio model / data "
           "of\n"
           "                the run's dataset D (default /analysis/acf_timescale_1e_s)\n"
           "  --persistence a table with columns area and persistent_activity_experimental (0/1): agreement with\n"
           "                /analysis/persistent\n"
           "Writes the scores to /analysis/compare in OUT.h5 unless --no-write. Exit codes: 0 ok, 2 bad input.\n";
}

int compare_command(const std::vector<std::string>& args) {
    compare_options o;
    try {
        o = parse(args);
    } catch (const usage_error& e) {
        std::fprintf(stderr, "cortexsim compare: error: %s\n", e.what());
        return exit_usage;
    }
    try {
        if (!std::filesystem::exists(o.output)) throw data_error(o.output + ": no such output file");
        const std::vector<std::string> areas = read_h5_strings(o.output, "/areas");
        std::vector<row> rows;
        std::vector<h5_score> scores;
        auto add = [&](const std::string& name, const std::string& metric, const std::string& ref, double v,
                       const std::string& detail) {
            rows.push_back({metric, ref, v, detail});
            scores.push_back({name, v, metric + " vs " + ref + " (" + detail + ")"});
        };
        for (const auto& [mon, file] : o.fc) {
            std::vector<unsigned long long> d;
            const auto fc = dataset(o.output, "/analysis/fc/" + mon, d);
            const auto emp = read_square_matrix_csv(file, {}, {false, false});
            const std::size_t n = emp.size();
            if (n < 3)
                throw data_error(file + ": an FC matrix needs at least 3 areas (it has " + std::to_string(n) + ")");
            std::vector<std::size_t> idx;
            for (const auto& name : emp.names) idx.push_back(index_of(areas, name, file));
            std::vector<double> model, data;
            for (std::size_t i = 0; i < n; ++i)
                for (std::size_t j = i + 1; j < n; ++j) {
                    model.push_back(fc[idx[i] * areas.size() + idx[j]]);
                    data.push_back(emp(i, j));
                }
            add("fc_" + mon, "FC " + mon + ": Pearson r of upper triangles", file, pearson(model, data),
                std::to_string(model.size()) + " pairs of " + std::to_string(n) + " areas");
        }
        for (const auto& [mon, file] : o.fcd) {
            std::vector<unsigned long long> d1, d2;
            const auto a = dataset(o.output, "/analysis/fcd/" + mon, d1);
            const auto b = dataset(file, "/analysis/fcd/" + mon, d2);
            const double D = ks_distance(upper_triangle(a, d1[0]), upper_triangle(b, d2[0]));
            add("fcd_ks_" + mon, "FCD " + mon + ": KS distance", file, D,
                std::to_string(d1[0]) + " and " + std::to_string(d2[0]) + " windows");
        }
        if (!o.timescales.empty()) {
            // area and timescale columns may be anywhere, the first column too
            const csv_table t = read_csv(o.timescales);
            const auto area_names = t.text_column("area");
            std::string col = o.timescale_column;
            if (col.empty())
                col = t.corner == "timescale_ms" ||
                              std::find(t.columns.begin(), t.columns.end(), "timescale_ms") != t.columns.end()
                          ? "timescale_ms"
                          : "timescale_s";
            const auto ends = [&](const char* suffix) {
                const std::string x(suffix);
                return col.size() > x.size() && col.compare(col.size() - x.size(), x.size(), x) == 0;
            };
            if (!ends("_ms") && !ends("_s"))
                throw usage_error("--timescale-column '" + col + "': the name must end in _ms or _s (its unit)");
            const bool ms = ends("_ms");
            const auto values = t.number_column(col);
            std::vector<unsigned long long> d;
            const auto tau = dataset(o.output, o.timescale_dataset, d);
            std::vector<double> model, data;
            for (std::size_t r = 0; r < t.cells.size(); ++r) {
                const std::size_t i = index_of(areas, area_names[r], o.timescales);
                const double v = values[r] * (ms ? 1e-3 : 1.0);
                if (!(v > 0))
                    throw data_error(o.timescales + ": row " + std::to_string(r + 2) + ": timescale must be > 0");
                if (!std::isfinite(tau[i])) continue;
                model.push_back(tau[i]);
                data.push_back(v);
            }
            if (model.size() < 3)
                throw data_error(o.timescales + ": fewer than 3 areas with a finite model timescale (" +
                                 o.timescale_dataset + ")");
            std::vector<double> lm, ld, ratio;
            for (std::size_t i = 0; i < model.size(); ++i) {
                lm.push_back(std::log(model[i])), ld.push_back(std::log(data[i]));
                ratio.push_back(model[i] / data[i]);
            }
            std::sort(ratio.begin(), ratio.end());
            const double med = ratio.size() % 2 ? ratio[ratio.size() / 2]
                                                : 0.5 * (ratio[ratio.size() / 2 - 1] + ratio[ratio.size() / 2]);
            const std::string n = std::to_string(model.size()) + " areas";
            add("timescales_spearman", "timescales: Spearman rho", o.timescales, spearman(model, data), n);
            add("timescales_log_pearson", "timescales: Pearson r of log", o.timescales, pearson(lm, ld), n);
            add("timescales_median_ratio", "timescales: median model/data", o.timescales, med, n);
        }
        if (!o.persistence.empty()) {
            std::vector<unsigned long long> d;
            const auto flag = dataset(o.output, "/analysis/persistent", d);
            const csv_table t = read_csv(o.persistence);
            const auto area_names = t.text_column("area");
            const auto experimental = t.number_column("persistent_activity_experimental");
            std::size_t agree = 0, tp = 0, fp = 0, fn = 0, tn = 0;
            for (std::size_t r = 0; r < t.cells.size(); ++r) {
                const std::size_t i = index_of(areas, area_names[r], o.persistence);
                const bool data = experimental[r] != 0, model = flag[i] != 0;
                agree += data == model;
                tp += data && model, fp += !data && model, fn += data && !model, tn += !data && !model;
            }
            const std::string detail = std::to_string(t.cells.size()) + " areas: " + std::to_string(tp) +
                                       " both persistent, " + std::to_string(tn) + " both not, " + std::to_string(fp) +
                                       " model only, " + std::to_string(fn) + " data only";
            add("persistence_agreement", "persistence: fraction of areas that agree", o.persistence,
                static_cast<double>(agree) / static_cast<double>(t.cells.size()), detail);
        }
        std::printf("%-48s %10s  %s\n", "score", "value", "reference (detail)");
        for (const auto& r : rows)
            std::printf("%-48s %10.4f  %s (%s)\n", r.metric.c_str(), r.value, r.reference.c_str(), r.detail.c_str());
        if (o.write) {
            write_h5_scores(o.output, "/analysis/compare", scores);
            std::printf("scores written to %s:/analysis/compare\n", o.output.c_str());
        }
        return exit_ok;
    } catch (const usage_error& e) {
        std::fprintf(stderr, "cortexsim compare: error: %s\n", e.what());
        return exit_usage;
    } catch (const data_error& e) {
        std::fprintf(stderr, "cortexsim compare: error: %s\n", e.what());
        return exit_usage;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "cortexsim compare: error: %s\n", e.what());
        return exit_failure;
    }
}

}  // namespace cortexsim
