#!/usr/bin/env bash
# Formats the C++ sources with the repository's .clang-format, using Debian 12's clang-format 14
# (apt-get install clang-format; other major versions may format differently).
#   bash tools/format.sh                  formats every tracked *.cpp, *.hpp, *.h in place
#   bash tools/format.sh --check          changes nothing: prints each file that would change (with the number of
#                                         its lines that would change) and a total; exits 1 if any would change
#   bash tools/format.sh [--check] FILE...   only these files
# CLANG_FORMAT=/path/to/clang-format overrides the binary.
set -euo pipefail
cd "$(dirname "$0")/.."
check=0
if [ "${1:-}" = "--check" ]; then check=1; shift; fi
case "${1:-}" in -*) echo "usage: bash tools/format.sh [--check] [FILE...]" >&2; exit 2 ;; esac

cf=${CLANG_FORMAT:-}
if [ -z "$cf" ]; then
  for c in clang-format-14 clang-format; do
    if command -v "$c" >/dev/null; then cf=$c; break; fi
  done
fi
[ -n "$cf" ] || { echo "format.sh: clang-format not found (Debian: apt-get install clang-format)" >&2; exit 2; }
version=$("$cf" --version | sed -n 's/.*version \([0-9]*\)\..*/\1/p')
[ "$version" = "14" ] || echo "format.sh: warning: $cf is version ${version:-unknown}, .clang-format is tuned for 14" >&2

if [ $# -gt 0 ]; then
  files=("$@")
elif git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -t files < <(git ls-files -- '*.cpp' '*.hpp' '*.h')
else
  mapfile -t files < <(find src include tests bench -name '*.cpp' -o -name '*.hpp' -o -name '*.h' | sort)
fi

if [ $check -eq 0 ]; then
  "$cf" -i --style=file "${files[@]}"
  exit 0
fi
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
changed=0 lines=0
for f in "${files[@]}"; do
  "$cf" --style=file "$f" > "$tmp"
  if ! cmp -s "$tmp" "$f"; then
    # the lines of f that formatting would replace or remove
    n=$(diff --old-line-format='-' --new-line-format='' --unchanged-line-format='' "$f" "$tmp" | wc -c) || true
    echo "$f: $n lines"
    changed=$((changed + 1)) lines=$((lines + n))
  fi
done
echo "format.sh: $changed of ${#files[@]} files would change ($lines lines)"
[ $changed -eq 0 ]
