#pragma once
// Reading a connectome from a TVB connectivity zip, a MATLAB .mat file (v5/v7 or v7.3) or plain text matrices
// (cortexsim import; docs/connectivity.md, "Importing a connectome"). No MPI.
#include <string>
#include <vector>

#include "cortexsim/io/connectome.hpp"

namespace cortexsim {

struct import_options {
    std::string input;        // FILE: .zip (TVB), .mat (v5/v7, v7.3), anything else: a text matrix (CSV, TSV, spaces)
    std::string labels;       // --labels FILE: one label per line, or TVB centres (label x y z); .mat: a variable
    std::string lengths;      // --lengths FILE: tract lengths (text matrix); .mat: a variable
    std::string centres;      // --centres FILE: TVB centres text (label x y z)
    std::string weights_var;  // --weights VAR: the .mat variable of the weights
    bool transpose = false;   // --transpose: the input is [source, target]
};

/// Reads and validates the input (square, finite, non-negative, labels unique and as many as rows); throws
/// data_error naming the file (and the zip member) for bad input.
connectome import_connectome(const import_options& o);

/// A TVB connectivity zip (weights.txt, tract_lengths.txt, centres.txt required; cortical.txt,
/// hemispheres.txt, areas.txt optional): labels are centres.txt's first column.
connectome read_tvb_zip(const std::string& path);

/// A numeric text matrix (rows on lines, values separated by spaces, tabs, commas or semicolons; '#' lines
/// skipped), or a labelled CSV (a header of labels after a corner cell, each row starting with its label): the
/// values row-major, `rows` x `cols`, and the labels if the text had them. `where` names the file in errors.
std::vector<double> parse_text_matrix(const std::string& text, const std::string& where, std::size_t& rows,
                                      std::size_t& cols, std::vector<std::string>* labels = nullptr);

}  // namespace cortexsim
