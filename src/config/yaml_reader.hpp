#pragma once
// The one YAML reader of the config layer (private to src/config): loading with duplicate-key checks, the
// `--set key=value` overrides, and typed access to values and maps of keys. Every reader of a config file (run
// configs, model.rnn, model.populations / model.local of circuit: generic, training configs) goes through it,
// so that all of them agree on:
//   - unknown keys: an error naming the dotted key and the keys allowed there;
//   - null: a key written without a value (`key:`, `key: ~`, `key: null`) counts as absent; an optional key
//     then takes its default, a required one is an error "missing value for required key 'a.b'";
//   - numbers are finite; whole numbers are integer values (3.0 is 3, 3.5 is refused) of at most 2^53 in
//     magnitude; booleans are `true` or `false`; strings are scalars;
//   - messages are one line "<file>: '<dotted.key>' ..." (docs/config.md, "Errors").
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

namespace cortexsim::yaml_reader {

/// The largest magnitude of a whole number in a config (2^53: every whole number up to it is exact in a double).
constexpr std::int64_t max_whole = std::int64_t{1} << 53;

/// Parses one YAML document and refuses a key given twice in one map (yaml-cpp would keep both). Throws
/// config_error "<origin>: not valid YAML (line N): ..." or "<origin>: key 'a.b' is given twice (lines 3 and 7)".
YAML::Node load(const std::string& text, const std::string& origin);

/// Throws config_error "<where>: key '<path>.k' is given twice (lines A and B)" if a map at or below `node`
/// has a key twice (or "... is not a name" for a key that is not a scalar). `path` is the dotted key of `node`.
void refuse_duplicate_keys(const YAML::Node& node, const std::string& path, const std::string& where);

/// Applies `--set key=value` overrides to `root` in order (docs/config.md, "Overrides"): the key is a dotted
/// path, list items are addressed by index (the index equal to the length appends an item), missing maps and
/// lists on the way are created, the value is parsed as YAML. `origin` names the config in messages; `example`
/// is a valid override for the message of one without '=' (e.g. "run.dt_ms=0.2").
void apply_overrides(YAML::Node& root, const std::vector<std::string>& overrides, const std::string& origin,
                     const std::string& example);

/// Sets the value at dotted path `dotted` as apply_overrides does; `what` starts the messages (e.g. "--set 'a=1'").
void set_path(YAML::Node& root, const std::string& dotted, const YAML::Node& value, const std::string& what,
              const std::string& origin);

/// A value for messages, on one line: a scalar as written, a collection in flow style, "null" for none.
std::string written(const YAML::Node& n);
/// As written(), with a scalar in single quotes.
std::string quoted(const YAML::Node& n);
/// "a, b, c" ("none" for an empty list).
std::string join(const std::vector<std::string>& names);

class section;

/// One YAML node with its dotted key ("stimuli.0.onset_ms") and the file it comes from. A node that is
/// absent or null is not present(). Every accessor checks the type and throws config_error
/// "<origin>: '<key>' = <value> ..." if it does not match.
class value {
public:
    value(YAML::Node node, std::string key, const std::string& origin);

    bool present() const { return node_.IsDefined() && !node_.IsNull(); }
    bool is_map() const { return node_.IsDefined() && node_.IsMap(); }
    bool is_list() const { return node_.IsDefined() && node_.IsSequence(); }
    bool is_scalar() const { return node_.IsDefined() && node_.IsScalar(); }
    const YAML::Node& node() const { return node_; }
    const std::string& key() const { return key_; }
    const std::string& origin() const { return *origin_; }

    /// Throws config_error "<origin>: '<key>' = <value as written> <what>".
    [[noreturn]] void fail(const std::string& what) const;
    /// Throws config_error "<origin>: '<key>' = <value, a scalar in quotes> <what>".
    [[noreturn]] void fail_quoted(const std::string& what) const;
    /// Throws config_error "<origin>: '<key>' <what>".
    [[noreturn]] void fail_key(const std::string& what) const;

    /// A finite number.
    double number() const;
    /// A whole number in [min, max] (3.0 is 3; 3.5, 2^53 + 1 and 1e300 are refused).
    std::int64_t whole(std::int64_t min = 0, std::int64_t max = max_whole) const;
    /// `true` or `false`.
    bool flag() const;
    /// A scalar, as written.
    std::string text() const;
    /// The items of a list, with keys "<key>.0", "<key>.1", ...
    std::vector<value> items() const;
    /// The node as a map of keys.
    section map() const;

private:
    YAML::Node node_;
    std::string key_;
    const std::string* origin_;
};

/// A map of keys with its dotted path ("" at the top level). An absent or null map reads as an empty one.
class section {
public:
    /// Throws config_error "<origin>: '<path>' = <value> must be a map of keys" if the node is present and not a map.
    section(YAML::Node node, std::string path, const std::string& origin);

    /// Rejects every key not in `allowed`: "<origin>: unknown key '<path>.k' (allowed here: a, b)".
    void only(std::initializer_list<const char*> allowed) const;
    /// Same, with "(<what>: a, b)" ("none" for an empty list) at the end of the message.
    void only(const std::vector<std::string>& allowed, const std::string& what) const;

    bool present() const { return node_.IsDefined() && node_.IsMap(); }
    /// Whether key k is given with a value (a null value counts as absent).
    bool has(const char* k) const;
    /// The value of key k (not present() if absent or null).
    value at(const char* k) const;
    /// The value of key k; throws "missing required key '<path>.k'" or "missing value for required key '<path>.k'".
    value required(const char* k) const;
    /// The map under key k (empty if absent or null).
    section sub(const char* k) const;
    /// The keys and values, in file order (null values included: test them with present()).
    std::vector<std::pair<std::string, value>> entries() const;

    std::string key(const std::string& k) const { return path_.empty() ? k : path_ + "." + k; }
    const std::string& path() const { return path_; }
    /// The path for messages ("(top level)" for "").
    std::string display() const { return path_.empty() ? "(top level)" : path_; }
    const std::string& origin() const { return *origin_; }
    /// "<origin>: '<path>.k'", the prefix of steps_of() messages.
    std::string where(const char* k) const { return *origin_ + ": '" + key(k) + "'"; }

    double number(const char* k, double def) const;
    double required_number(const char* k) const;
    std::string text(const char* k, const std::string& def) const;
    std::string required_text(const char* k) const;
    std::int64_t whole(const char* k, std::int64_t def, std::int64_t min = 0, std::int64_t max = max_whole) const;
    bool flag(const char* k, bool def) const;

private:
    YAML::Node node_;
    std::string path_;
    const std::string* origin_;
};

}  // namespace cortexsim::yaml_reader
