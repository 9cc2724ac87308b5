#!/usr/bin/env bash
# The layers of cortexsim (docs/design.md, "Layers") in order, lowest first: a file of a layer may include the
# public headers (cortexsim/<layer>/...) of its own layer and of the layers below it, never of a layer above,
# and no private header of another layer ("../" includes); matio.h only in src/io/*.cpp; PETSc headers only in
# src/partition/*.cpp and src/exchange/*.cpp. Exits 1 listing every violation.
# Usage: layers.sh [SOURCE_DIR]
ROOT=${1:-$(cd "$(dirname "$0")/.." && pwd)}
ORDER=(common spec rnn io connectivity stimulus analysis dynamics config partition exchange integrator checkpoint app)
rank_of() { local i; for i in "${!ORDER[@]}"; do [ "${ORDER[$i]}" = "$1" ] && { echo "$i"; return; }; done; echo -1; }
fail=0
for base in "$ROOT/include/cortexsim" "$ROOT/src"; do
  for dir in "$base"/*/; do
    layer=$(basename "$dir")
    me=$(rank_of "$layer")
    if [ "$me" -lt 0 ]; then echo "layers: $dir is not a layer of the table"; fail=1; continue; fi
    while IFS= read -r hit; do
      file=${hit%%:*}; rest=${hit#*:}; line=${rest%%:*}; text=${rest#*:}
      if [[ "$text" =~ \"cortexsim/([a-z_]+)/ ]]; then
        other=${BASH_REMATCH[1]}
        them=$(rank_of "$other")
        if [ "$them" -lt 0 ]; then echo "$file:$line: includes unknown layer '$other'"; fail=1
        elif [ "$them" -gt "$me" ]; then echo "$file:$line: layer '$layer' includes higher layer '$other': $text"; fail=1; fi
      elif [[ "$text" =~ \"\.\./ ]]; then
        echo "$file:$line: private header of another folder: $text"; fail=1
      fi
    done < <(grep -rn '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$dir" --include='*.hpp' --include='*.cpp' --include='*.h')
  done
done
# libmatio (MATLAB v5/v7 files) only in the io layer's .cpp files: no matio type in a public header
while IFS= read -r hit; do
  case "$hit" in "$ROOT"/src/io/*.cpp:*) ;; *) echo "${hit%%:*}: includes matio.h outside src/io/*.cpp"; fail=1 ;; esac
done < <(grep -rn --include='*.hpp' --include='*.cpp' --include='*.h' '^[[:space:]]*#[[:space:]]*include[[:space:]]*<matio' "$ROOT/include" "$ROOT/src")
# PETSc only in the partition and exchange layers' .cpp files: no PETSc type in a public header. (The cortexsim
# executable links no PETSc at all: it loads the PETSc module, src/partition/petsc_module_abi.cpp, when a command
# needs PETSc; CTest petsc_not_linked checks its NEEDED entries.)
while IFS= read -r hit; do
  case "$hit" in "$ROOT"/src/partition/*.cpp:* | "$ROOT"/src/exchange/*.cpp:*) ;;
    *) echo "${hit%%:*}: includes a PETSc header outside src/partition/*.cpp and src/exchange/*.cpp"; fail=1 ;; esac
done < <(grep -rn --include='*.hpp' --include='*.cpp' --include='*.h' '^[[:space:]]*#[[:space:]]*include[[:space:]]*<petsc' "$ROOT/include" "$ROOT/src")
[ "$fail" = 0 ] && echo "layers: every include goes down (${ORDER[*]})"
exit $fail
