#!/usr/bin/env python3
"""Code metrics for the closing notes of refactorings: lines per layer and the longest functions.

Usage: /usr/bin/python3 tools/code_metrics.py [--top N] [ROOT]
Lines are non-blank source lines of src/ and include/cortexsim/ (comments included), per layer (the folder
below src/ or include/cortexsim/). Functions are found by a brace scan of C++ with comments and strings
removed: a '{' whose preceding text ends in ')' (optionally followed by const, noexcept, override, an
initializer list or a trailing return type) opens a function unless it is inside another function.
"""
import os
import re
import sys


def strip(text):
    """Removes comments, string and character literals (keeps newlines)."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append("\n" * text.count("\n", i, j))
            i = j
        elif text.startswith('R"', i):
            m = re.match(r'R"([^(]*)\(', text[i:])
            end = ")" + (m.group(1) if m else "") + '"'
            j = text.find(end, i)
            j = n if j < 0 else j + len(end)
            out.append('""' + "\n" * text.count("\n", i, j))
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(c + c)
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


SIG = re.compile(r"\)\s*(const|noexcept|override|final|mutable|\s|->\s*[\w:<>,\s*&]+)*$")
NOT_FN = re.compile(r"\b(if|for|while|switch|catch|return)\s*\($")


def functions(path):
    text = strip(open(path, encoding="utf-8", errors="replace").read())
    found, stack, start = [], [], 0  # stack of (kind, line, name)
    line = 1
    for i, c in enumerate(text):
        if c == "\n":
            line += 1
        elif c in ";}{":
            if c == "{":
                head = text[start:i].strip()
                # an initializer list: ") : a(b), c{d}" -> look for the ')' before the ':'
                m = re.search(r"\)\s*(const\s*)?(noexcept\s*)?:\s*[\w:]+\s*[({].*$", head, re.S)
                is_fn = bool(SIG.search(head) or m) and not NOT_FN.search(head.split("(")[0] + "(")
                inside_fn = any(k == "fn" for k, _, _ in stack)
                if is_fn and not inside_fn and not re.search(r"=\s*\[", head) and not head.startswith("["):
                    name = re.findall(r"([~\w:]+(?:<[^()]*>)?)\s*\(", head)
                    stack.append(("fn", line, name[0] if name else "?"))
                else:
                    stack.append(("block", line, ""))
            elif c == "}" and stack:
                kind, l0, name = stack.pop()
                if kind == "fn":
                    found.append((line - l0 + 1, name, path, l0))
            start = i + 1
    return found


def main():
    args = sys.argv[1:]
    top = 15
    if "--top" in args:
        k = args.index("--top")
        top = int(args[k + 1])
        del args[k:k + 2]
    root = args[0] if args else "."
    layers, fns = {}, []
    for base in ("src", "include/cortexsim"):
        for d, _, files in os.walk(os.path.join(root, base)):
            for f in files:
                if not f.endswith((".cpp", ".hpp", ".h")):
                    continue
                p = os.path.join(d, f)
                rel = os.path.relpath(p, os.path.join(root, base))
                layer = rel.split(os.sep)[0] if os.sep in rel else "(top)"
                n = sum(1 for x in open(p, encoding="utf-8", errors="replace") if x.strip())
                layers[layer] = layers.get(layer, 0) + n
                fns += functions(p)
    print("| layer | lines (src + include) |\n|---|---|")
    for k in sorted(layers):
        print(f"| {k} | {layers[k]} |")
    print(f"| total | {sum(layers.values())} |\n")
    print("| lines | function | file:line |\n|---|---|---|")
    for n, name, p, l0 in sorted(fns, reverse=True)[:top]:
        print(f"| {n} | {name} | {os.path.relpath(p, root)}:{l0} |")


if __name__ == "__main__":
    main()
