// The equation language's user-defined functions (dynamics/expression.hpp): a call expands to exactly the tree of
// the body written out by hand (so a model rewritten with functions keeps its /rates bytes), nested functions,
// the errors (recursion, wrong number of arguments, a body that does not parse).
#include <gtest/gtest.h>

#include "cortexsim/dynamics/expression.hpp"

namespace cortexsim {
namespace {

std::string cpp(const expr& e) {
    return emit_cpp(e, [](const std::string& n) { return "<" + n + ">"; });
}

/// The tree as text, with every node kind (parentheses as written leave no node).
std::string tree(const expr& e) {
    std::string s = std::to_string(static_cast<int>(e.k)) + ":" + e.name;
    if (e.k == expr::kind::number) s += std::to_string(e.value);
    s += "(";
    for (const auto& a : e.args) s += tree(a) + ",";
    return s + ")";
}

TEST(UserFunctions, ExpandToTheTreeWrittenByHand) {
    const std::vector<user_function> f = {{"sig", {"c", "v"}, "c*e0/(1 + exp(r*(v0 - v)))"}};
    const auto bodies = expand_user_functions(f);
    // Jansen-Rit's three sigmoids (configs/models/jansen_rit.yaml)
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"sig(2, y1 - y2)", "2*e0/(1 + exp(r*(v0 - (y1 - y2))))"},
        {"A*a*(p + sig(C2*2, C1*y0) + G*lr) - 2*a*y4", "A*a*(p + C2*2*e0/(1 + exp(r*(v0 - C1*y0))) + G*lr) - 2*a*y4"},
        {"sig(B*b*C4*2, C3*y0) - 2*b*y5 - b*b*y2", "B*b*C4*2*e0/(1 + exp(r*(v0 - C3*y0))) - 2*b*y5 - b*b*y2"},
    };
    for (const auto& [with, by_hand] : cases) {
        const expr a = parse_expression(with, f, bodies), b = parse_expression(by_hand);
        EXPECT_EQ(tree(a), tree(b)) << with;
        EXPECT_EQ(cpp(a), cpp(b)) << with;
    }
    // an argument that is itself a sum keeps its grouping: v0 - (y1 - y2), not v0 - y1 - y2
    EXPECT_NE(tree(parse_expression("sig(2, y1 - y2)", f, bodies)),
              tree(parse_expression("2*e0/(1 + exp(r*(v0 - y1 - y2)))")));
}

TEST(UserFunctions, NestedFunctionsArgumentsAndColumns) {
    // g is used by f before it is defined; the argument name x shadows any symbol x
    const std::vector<user_function> f = {{"f", {"x", "y"}, "g(x)*y + x"}, {"g", {"x"}, "x^2 - k"}, {"one", {}, "1"}};
    const auto bodies = expand_user_functions(f);
    EXPECT_EQ(tree(bodies[0]), tree(parse_expression("(x^2 - k)*y + x")));
    const expr e = parse_expression("3 + f(a + 1, one())", f, bodies);
    EXPECT_EQ(tree(e), tree(parse_expression("3 + (((a + 1)^2 - k)*1 + (a + 1))")));
    double a = 2.0, k = 0.5;
    const double v = evaluate(
        e, [&](const std::string& n) { return n == "a" ? a : k; }, [](const expr&) { return 0.0; });
    EXPECT_EQ(v, 3.0 + (((a + 1) * (a + 1) - k) * 1.0 + (a + 1)));
    // the nodes of the body carry the call's column, the arguments their own
    EXPECT_EQ(e.args[1].column, 5u);
    std::vector<std::pair<std::string, std::size_t>> names;
    expression_names(e, names);
    ASSERT_EQ(names.size(), 2u);
    EXPECT_EQ(names[0], (std::pair<std::string, std::size_t>{"a", 7}));
    EXPECT_EQ(names[1], (std::pair<std::string, std::size_t>{"k", 5}));
    std::vector<std::pair<std::string, std::size_t>> calls;
    expression_calls(e, calls);
    EXPECT_TRUE(calls.empty());  // no call of a user function remains
}

TEST(UserFunctions, Errors) {
    auto body_error = [](const std::vector<user_function>& f) -> std::pair<std::size_t, std::string> {
        try {
            expand_user_functions(f);
        } catch (const user_function_error& e) {
            return {e.function(), e.what()};
        }
        return {99, "no error"};
    };
    EXPECT_EQ(body_error({{"f", {"x"}, "f(x) + 1"}}),
              (std::pair<std::size_t, std::string>{0, "circular function definitions: f -> f"}));
    EXPECT_EQ(body_error({{"a", {}, "1"}, {"f", {"x"}, "g(x)"}, {"g", {"x"}, "2*f(x)"}}),
              (std::pair<std::size_t, std::string>{1, "circular function definitions: f -> g -> f"}));
    EXPECT_EQ(body_error({{"f", {"x"}, "1"}, {"g", {"x"}, "f(x, 2)"}}),
              (std::pair<std::size_t, std::string>{1, "column 1: 'f' takes 1 argument, not 2"}));
    EXPECT_EQ(body_error({{"f", {"x"}, "x +"}}),
              (std::pair<std::size_t, std::string>{0, "column 4: expression ends where a value is expected"}));
    const std::vector<user_function> f = {{"sq", {"x"}, "x*x"}};
    const auto bodies = expand_user_functions(f);
    try {
        parse_expression("1 + sq(2, 3)", f, bodies);
        FAIL() << "wrong number of arguments accepted";
    } catch (const expression_error& e) {
        EXPECT_STREQ(e.what(), "column 5: 'sq' takes 1 argument, not 2");
    }
    EXPECT_THROW(parse_expression("sq(2)"), expression_error);  // without the table: an unknown function
}

}  // namespace
}  // namespace cortexsim
