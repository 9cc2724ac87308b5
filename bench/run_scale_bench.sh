#!/usr/bin/env bash
# Runs scale_bench on synthetic cortices of 1k, 10k and 100k areas at 1 % and 10 % density, on 1 and 2 ranks,
# and prints a markdown table (docs/benchmarks_scale.md).
#
#   bench/run_scale_bench.sh [BUILD_DIR] [--repeat R] [--areas "1000 10000"] [--densities "0.01 0.1"]
#                            [--ranks "1 2"] [--mem-limit-gib G] [--idle-wait S] [--log FILE]
#                            [-- extra scale_bench options]
#   bench/run_scale_bench.sh --table-from LOG    (only the table, from the SUMMARY lines of an earlier log)
#
# * A configuration whose estimated peak memory exceeds --mem-limit-gib (default 16) is skipped with a
#   message. Estimate (measured in docs/benchmarks_scale.md): per nonzero 16 B for the generated rows
#   (int64 column + double value) + 12 B for PETSc's matrix + 12 B for the coupling's own CSR + 4 B of
#   temporaries while the coupling is built = 44 B, summed over all ranks of the node.
# * Each configuration runs R times (default 1). The machine may be shared, and other processes only ever make
#   a run slower: the table shows the best of the R runs for each quantity (smallest time, largest triad
#   bandwidth; the bound and the ratio are recomputed from those). Before each run the script waits (up to
#   --idle-wait seconds, default 60) until the CPUs have been idle for 3 s in a row. Every run's SUMMARY line is kept in the log.
# * Steps: 100 (30 above 5e7 nonzeros), so that a configuration stays well under 3 minutes.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build="$here/../build"
repeat=1
areas_list="1000 10000 100000"
densities="0.01 0.1"
ranks_list="1 2"
mem_limit_gib=16
idle_wait=60
log=""
table_from=""
extra=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --repeat) repeat=$2; shift 2 ;;
        --areas) areas_list=$2; shift 2 ;;
        --densities) densities=$2; shift 2 ;;
        --ranks) ranks_list=$2; shift 2 ;;
        --mem-limit-gib) mem_limit_gib=$2; shift 2 ;;
        --idle-wait) idle_wait=$2; shift 2 ;;
        --log) log=$2; shift 2 ;;
        --table-from) table_from=$2; shift 2 ;;
        --) shift; extra=("$@"); break ;;
        -*) echo "run_scale_bench.sh: unknown option '$1'" >&2; exit 2 ;;
        *) build=$1; shift ;;
    esac
done
bin="$build/bench/scale_bench"
[[ -n "$table_from" ]] || [[ -x "$bin" ]] || { echo "run_scale_bench.sh: $bin not found (build first)" >&2; exit 1; }
if [[ -z "$table_from" ]]; then
    [[ -n "$log" ]] || log=$(mktemp /tmp/scale_bench_XXXX.log)
    : > "$log"
fi

export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mpirun=${MPIEXEC:-mpirun}

# Waits until the CPUs have been at least 90 % idle in 3 consecutive seconds, for at most $idle_wait s.
wait_idle() {
    local i quiet=0
    for i in $(seq 1 "$idle_wait"); do
        local a b
        read -r _ u1 n1 s1 i1 w1 _ < /proc/stat
        sleep 1
        read -r _ u2 n2 s2 i2 w2 _ < /proc/stat
        a=$(( (u2 + n2 + s2) - (u1 + n1 + s1) ))
        b=$(( a + (i2 + w2) - (i1 + w1) ))
        if (( b > 0 && a * 10 <= b )); then quiet=$((quiet + 1)); else quiet=0; fi
        (( quiet >= 3 )) && return 0
    done
    echo "  (CPUs still busy after $idle_wait s: running anyway)" >&2
}

summaries=()
if [[ -n "$table_from" ]]; then
    mapfile -t summaries < <(grep -h -E '^(SUMMARY|SKIP) ' "$table_from")
    areas_list=""
fi
for n in $areas_list; do
    for d in $densities; do
        k=$(awk -v d="$d" -v n="$n" 'BEGIN { x = d * (n - 1); printf "%d", (x - int(x) >= 0.5) ? int(x) + 1 : int(x) }')
        nnz=$(( n * k ))
        est_gib=$(awk -v z="$nnz" 'BEGIN { printf "%.1f", z * 44 / 1073741824 }')
        if awk -v e="$est_gib" -v l="$mem_limit_gib" 'BEGIN { exit !(e > l) }'; then
            echo "skipping $n areas at density $d: $nnz nonzeros need about $est_gib GiB" \
                 "(44 B per nonzero: rows 16 + PETSc 12 + coupling 12 + temporaries 4) > $mem_limit_gib GiB" >&2
            summaries+=("SKIP areas=$n density=$d nnz=$nnz est_GiB=$est_gib")
            echo "SKIP areas=$n density=$d nnz=$nnz est_GiB=$est_gib" >> "$log"
            continue
        fi
        steps=100
        (( nnz > 50000000 )) && steps=30
        for r in $ranks_list; do
            for rep in $(seq 1 "$repeat"); do
                wait_idle
                echo "running: $n areas, density $d, $r rank(s), $steps steps (run $rep of $repeat)" >&2
                out=$(timeout 600 "$mpirun" -n "$r" --bind-to core "$bin" --areas "$n" --density "$d" \
                          --steps "$steps" "${extra[@]}" 2>&1) || { echo "$out" >&2; echo "FAILED" >&2; continue; }
                echo "$out" >> "$log"
                line=$(grep '^SUMMARY' <<< "$out" || true)
                if [[ -n "$line" ]]; then summaries+=("$line"); fi
            done
        done
    done
done

[[ -n "$table_from" ]] || echo "full output: $log" >&2
printf '%s\n' "${summaries[@]}" | awk '
function v(key,   i, kv) { for (i = 1; i <= NF; ++i) { split($i, kv, "="); if (kv[1] == key) return kv[2] } return "" }
BEGIN {
    print "| areas | density | ranks | nnz | gen s | build s | steps/s | apply µs | MatMult µs | triad GB/s | bound µs | apply / bound | bytes recv/step | Euler µs | HDF5 write s (MB) | peak MiB | model MiB | peak / model | steady / model | coupling B/nnz (PETSc) |"
    print "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
}
/^SKIP/ { order[++n] = "skip " n; first["skip " n] = $0; next }
function lo(k, key, x) { x = v(key) + 0; if (!((k, key) in best) || x < best[k, key]) best[k, key] = x }
function hi(k, key, x) { x = v(key) + 0; if (!((k, key) in best) || x > best[k, key]) best[k, key] = x }
/^SUMMARY/ {
    k = v("areas") " " v("density") " " v("ranks")
    if (!(k in first)) { first[k] = $0; order[++n] = k }
    runs[k]++
    lo(k, "gen_s"); lo(k, "build_s"); lo(k, "step_us"); lo(k, "apply_us"); lo(k, "matmult_us"); lo(k, "dyn_us")
    lo(k, "io_write_s"); hi(k, "triad_GBs")
}
END {
    for (i = 1; i <= n; ++i) {
        k = order[i]; $0 = first[k]
        if (k ~ /^skip/) {
            printf "| %s | %s | – | %s | skipped: needs ~%s GiB | | | | | | | | | | | | | | | |\n", v("areas"),
                   v("density"), v("nnz"), v("est_GiB")
            continue
        }
        bound = v("bytes_per_apply") / (best[k, "triad_GBs"] * 1e3)
        printf "| %s | %s | %s | %s | %.3g | %.3g | %.1f | %.1f | %.1f | %.1f | %.1f | %.2f | %s | %.1f | %.3f (%s) | %s | %s | %s | %s | %s (%s) |\n",
            v("areas"), v("density"), v("ranks"), v("nnz"), best[k, "gen_s"], best[k, "build_s"],
            1e6 / best[k, "step_us"], best[k, "apply_us"], best[k, "matmult_us"], best[k, "triad_GBs"], bound,
            best[k, "apply_us"] / bound, v("bytes_exch"), best[k, "dyn_us"], best[k, "io_write_s"], v("io_MB"),
            v("peak_MiB"), v("model_MiB"), v("peak_ratio"), v("steady_ratio"), v("coupling_B_per_nnz"),
            v("petsc_B_per_nnz")
    }
    for (i = 1; i <= n; ++i) if (order[i] in runs) { printf "\n(best of %d run(s) per configuration)\n", runs[order[i]]; break }
}'

# speed-up of 2 ranks over 1 at 10k areas
printf '%s\n' "${summaries[@]}" | awk '
function v(key,   i, kv) { for (i = 1; i <= NF; ++i) { split($i, kv, "="); if (kv[1] == key) return kv[2] } return "" }
/^SUMMARY/ && v("areas") == 10000 {
    k = v("density") " " v("ranks")
    if (!(k in s) || v("step_us") + 0 < s[k]) s[k] = v("step_us") + 0
    if (!(k in a) || v("apply_us") + 0 < a[k]) a[k] = v("apply_us") + 0
}
END {
    print ""
    for (k in s) { split(k, p, " "); if (p[2] == 1 && ((p[1] " 2") in s))
        printf "speed-up 2 ranks vs 1 at 10000 areas, density %s: full step %.2fx, apply %.2fx\n", p[1],
               s[p[1] " 1"] / s[p[1] " 2"], a[p[1] " 1"] / a[p[1] " 2"] }
}'
