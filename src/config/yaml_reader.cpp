#include "yaml_reader.hpp"

#include <charconv>
#include <cmath>
#include <map>

#include "cortexsim/common/errors.hpp"
#include "cortexsim/common/format.hpp"

namespace cortexsim::yaml_reader {
namespace {

/// Maps nested deeper than this are refused (a recursive alias would otherwise never end).
constexpr int max_depth = 256;

/// Input text for a one-line message (escaped: newlines, control characters and non-ASCII bytes).
std::string one_line(const std::string& s) { return printable(s); }

void refuse_duplicates(const YAML::Node& n, const std::string& path, const std::string& where, int depth) {
    if (depth > max_depth)
        throw config_error(where + ": '" + path.substr(0, path.find('.')) + "' is nested more than " +
                           std::to_string(max_depth) + " levels deep (a recursive alias?)");
    if (n.IsMap()) {
        std::map<std::string, int> lines;  // key -> line of its first occurrence
        for (const auto& kv : n) {
            const int line = kv.first.Mark().line + 1;
            if (!kv.first.IsScalar())
                throw config_error(where + ": a key of '" + (path.empty() ? "(top level)" : path) + "' (line " +
                                   std::to_string(line) + ") is not a name");
            const std::string k = kv.first.Scalar();
            const std::string full = path.empty() ? one_line(k) : path + "." + one_line(k);
            const auto [it, first] = lines.emplace(k, line);
            if (!first)
                throw config_error(where + ": key '" + full + "' is given twice (lines " + std::to_string(it->second) +
                                   " and " + std::to_string(line) + ")");
            refuse_duplicates(kv.second, full, where, depth + 1);
        }
    } else if (n.IsSequence()) {
        std::size_t i = 0;
        for (const auto& item : n) {
            refuse_duplicates(item, (path.empty() ? "" : path + ".") + std::to_string(i), where, depth + 1);
            ++i;
        }
    }
}

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out(1);
    for (char c : s) {
        if (c == sep)
            out.emplace_back();
        else
            out.back() += c;
    }
    return out;
}

void set_at(YAML::Node node, const std::vector<std::string>& parts, std::size_t i, const YAML::Node& value,
            const std::string& what, const std::string& origin) {
    const std::string& p = parts[i];
    const bool last = i + 1 == parts.size();
    if (p.empty()) throw config_error(what + ": empty key component");
    if (node.IsSequence()) {
        std::size_t idx = 0;
        try {
            idx = static_cast<std::size_t>(std::stoul(p));
        } catch (...) {
            throw config_error(what + ": '" + p + "' must be a list index");
        }
        if (idx > node.size())
            throw config_error(what + ": index " + p + " is out of range (" + origin + " has " +
                               std::to_string(node.size()) + " items there; index " + std::to_string(node.size()) +
                               " appends one)");
        if (idx == node.size()) node.push_back(last ? value : YAML::Node(YAML::NodeType::Map));  // append
        if (last)
            node[idx] = value;
        else
            set_at(node[idx], parts, i + 1, value, what, origin);
        return;
    }
    if (!node.IsMap() && !node.IsNull()) throw config_error(what + ": '" + p + "' is below a value, not a map");
    if (last) {
        node[p] = value;
        return;
    }
    if (!node[p] || node[p].IsNull()) {
        // a missing list is created when the next component is an index: --set perturbations.0.kind=silence
        const std::string& next = parts[i + 1];
        const bool index = !next.empty() && next.find_first_not_of("0123456789") == std::string::npos;
        node[p] = YAML::Node(index ? YAML::NodeType::Sequence : YAML::NodeType::Map);
    }
    set_at(node[p], parts, i + 1, value, what, origin);
}

std::string allowed_list(std::initializer_list<const char*> allowed) {
    std::string s;
    for (const char* a : allowed) s += std::string(s.empty() ? "" : ", ") + a;
    return s;
}

}  // namespace

YAML::Node load(const std::string& text, const std::string& origin) {
    YAML::Node root;
    try {
        root = YAML::Load(text);
    } catch (const YAML::Exception& e) {
        throw config_error(origin + ": not valid YAML (line " + std::to_string(e.mark.line + 1) + "): " + e.msg);
    }
    refuse_duplicate_keys(root, "", origin);
    return root;
}

void refuse_duplicate_keys(const YAML::Node& node, const std::string& path, const std::string& where) {
    refuse_duplicates(node, path, where, 0);
}

void set_path(YAML::Node& root, const std::string& dotted, const YAML::Node& value, const std::string& what,
              const std::string& origin) {
    set_at(root, split(dotted, '.'), 0, value, what, origin);
}

void apply_overrides(YAML::Node& root, const std::vector<std::string>& overrides, const std::string& origin,
                     const std::string& example) {
    for (const auto& kv : overrides) {
        const std::string what = "--set '" + kv + "'";
        const auto eq = kv.find('=');
        if (eq == std::string::npos || eq == 0)
            throw config_error(what + ": expected key=value (for example " + example + ")");
        YAML::Node v;
        try {
            v = YAML::Load(kv.substr(eq + 1));
        } catch (const YAML::Exception& e) {
            throw config_error(what + ": value is not valid YAML: " + e.msg);
        }
        refuse_duplicate_keys(v, kv.substr(0, eq), what);
        set_path(root, kv.substr(0, eq), v, what, origin);
    }
}

std::string written(const YAML::Node& n) {
    if (!n.IsDefined() || n.IsNull()) return "null";
    if (n.IsScalar()) return one_line(n.Scalar());
    YAML::Emitter e;
    e << YAML::Flow << n;
    return one_line(e.c_str());
}

std::string quoted(const YAML::Node& n) {
    if (!n.IsDefined() || !n.IsScalar()) return written(n);
    std::string s(1, '\'');  // (not "'" + written(n): GCC 12 warns about that, -Wrestrict)
    s += written(n);
    s += '\'';
    return s;
}

std::string join(const std::vector<std::string>& names) {
    std::string s;
    for (const auto& a : names) s += (s.empty() ? "" : ", ") + a;
    return s.empty() ? "none" : s;
}

// ---- value -------------------------------------------------------------------------------------------------

value::value(YAML::Node node, std::string key, const std::string& origin)
    : node_(std::move(node)), key_(std::move(key)), origin_(&origin) {}

void value::fail(const std::string& what) const {
    throw config_error(*origin_ + ": '" + key_ + "' = " + written(node_) + " " + what);
}

void value::fail_quoted(const std::string& what) const {
    throw config_error(*origin_ + ": '" + key_ + "' = " + quoted(node_) + " " + what);
}

void value::fail_key(const std::string& what) const { throw config_error(*origin_ + ": '" + key_ + "' " + what); }

double value::number() const {
    if (!is_scalar()) fail("must be a number");
    double v = 0;
    try {
        v = node_.as<double>();
    } catch (const YAML::Exception&) {
        fail_quoted("is not a number");
    }
    if (!std::isfinite(v)) fail("is not finite");
    return v;
}

std::int64_t value::whole(std::int64_t min, std::int64_t max) const {
    if (!is_scalar()) fail("must be a whole number");
    // an integer as written is taken exactly (2^53 + 1 is not rounded to 2^53); anything else as a number
    const std::string& s = node_.Scalar();
    std::int64_t w = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), w);
    const bool exact = ec == std::errc() && end == s.data() + s.size();
    const double v = exact ? static_cast<double>(w) : number();
    if (!exact && v != std::floor(v))
        throw config_error(*origin_ + ": '" + key_ + "' = " + shortest_text(v) + " must be a whole number");
    const std::string shown = exact ? s : shortest_text(v);
    if (exact ? w < min : v < static_cast<double>(min))
        throw config_error(*origin_ + ": '" + key_ + "' = " + shown + " must be >= " + std::to_string(min));
    if (exact ? w > max : v > static_cast<double>(max))
        throw config_error(*origin_ + ": '" + key_ + "' = " + shown +
                           " must be <= " + (max == max_whole ? std::string("2^53") : std::to_string(max)));
    return exact ? w : static_cast<std::int64_t>(v);
}

bool value::flag() const {
    if (is_scalar() && node_.Scalar() == "true") return true;
    if (is_scalar() && node_.Scalar() == "false") return false;
    fail("must be true or false");
}

std::string value::text() const {
    if (!is_scalar()) fail("must be a string");
    return node_.Scalar();
}

std::vector<value> value::items() const {
    if (!is_list()) fail("must be a list");
    std::vector<value> out;
    std::size_t i = 0;
    for (const auto& item : node_) out.emplace_back(item, key_ + "." + std::to_string(i++), *origin_);
    return out;
}

section value::map() const {
    if (!is_map()) fail("must be a map of keys");
    return section(node_, key_, *origin_);
}

// ---- section -----------------------------------------------------------------------------------------------

section::section(YAML::Node node, std::string path, const std::string& origin)
    : node_(std::move(node)), path_(std::move(path)), origin_(&origin) {
    if (node_.IsDefined() && !node_.IsNull() && !node_.IsMap())
        throw config_error(origin + ": '" + display() + "' = " + written(node_) + " must be a map of keys");
}

void section::only(std::initializer_list<const char*> allowed) const {
    if (!present()) return;
    for (const auto& kv : node_) {
        const std::string k = kv.first.Scalar();
        bool ok = false;
        for (const char* a : allowed) ok = ok || k == a;
        if (!ok)
            throw config_error(*origin_ + ": unknown key '" + one_line(key(k)) +
                               "' (allowed here: " + allowed_list(allowed) + ")");
    }
}

void section::only(const std::vector<std::string>& allowed, const std::string& what) const {
    if (!present()) return;
    for (const auto& kv : node_) {
        const std::string k = kv.first.Scalar();
        bool ok = false;
        for (const auto& a : allowed) ok = ok || k == a;
        if (!ok)
            throw config_error(*origin_ + ": unknown key '" + one_line(key(k)) + "' (" + what + ": " + join(allowed) +
                               ")");
    }
}

bool section::has(const char* k) const { return at(k).present(); }

value section::at(const char* k) const {
    return value(present() ? node_[k] : YAML::Node(YAML::NodeType::Undefined), key(k), *origin_);
}

value section::required(const char* k) const {
    const value v = at(k);
    if (!v.node().IsDefined()) throw config_error(*origin_ + ": missing required key '" + key(k) + "'");
    if (!v.present()) throw config_error(*origin_ + ": missing value for required key '" + key(k) + "'");
    return v;
}

section section::sub(const char* k) const {
    const value v = at(k);
    return section(v.present() ? v.node() : YAML::Node(), key(k), *origin_);
}

std::vector<std::pair<std::string, value>> section::entries() const {
    std::vector<std::pair<std::string, value>> out;
    if (!present()) return out;
    for (const auto& kv : node_) {
        const std::string k = kv.first.Scalar();
        out.emplace_back(k, value(kv.second, key(k), *origin_));
    }
    return out;
}

double section::number(const char* k, double def) const {
    const value v = at(k);
    return v.present() ? v.number() : def;
}

double section::required_number(const char* k) const { return required(k).number(); }

std::string section::text(const char* k, const std::string& def) const {
    const value v = at(k);
    return v.present() ? v.text() : def;
}

std::string section::required_text(const char* k) const { return required(k).text(); }

std::int64_t section::whole(const char* k, std::int64_t def, std::int64_t min, std::int64_t max) const {
    const value v = at(k);
    return v.present() ? v.whole(min, max) : def;
}

bool section::flag(const char* k, bool def) const {
    const value v = at(k);
    return v.present() ? v.flag() : def;
}

}  // namespace cortexsim::yaml_reader
