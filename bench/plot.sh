#!/bin/sh
# bench/results/cost-per-exit.png from bench/results/cost-per-exit.tsv
# (written by peers.sh): in-kernel ns per traced exit of the three tools,
# per workload (the median of its rounds), with gnuplot.
#
# Usage: bench/plot.sh [RESULTS_DIR]
set -eu
dir=${1:-${RESULTS:-bench/results}}
tsv=$dir/cost-per-exit.tsv
[ -s "$tsv" ] || { echo "plot: no $tsv: run bench/peers.sh first" >&2; exit 1; }
command -v gnuplot >/dev/null || { echo "plot: gnuplot missing: bench/deps.sh" >&2; exit 1; }

# rows: workload; columns: reapertrace exitsnoop bpftrace (µs per exit,
# the median over the workload's rounds), then for each the share of the
# exits the tool said it lost, if any
data=$(mktemp)
trap 'rm -f "$data"' EXIT
awk -F'\t' '!/^#/ && $1 != "workload" {
		k = $1 SUBSEP $3; c[k]++; v[k, c[k]] = $5 / 1000
		exits[k] += $4; lost[k] += $7
		if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 }
	}
	function bar_label(k) {
		return lost[k] ? sprintf("lost %d%%", 100 * lost[k] / exits[k] + 0.5) : ""
	}
	function median(k,   m, i, j, t, a) {
		m = c[k]
		for (i = 1; i <= m; i++) a[i] = v[k, i]
		for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
		return m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
	}
	END { for (i = 1; i <= n; i++) { w = order[i]
		label = w == "cycles" ? "fork/exit/wait cycles" : w == "storm" ? "orphan storm" : w
		printf "\"%s\" %.2f %.2f %.2f \"%s\" \"%s\" \"%s\"\n", label,
			median(w SUBSEP "reapertrace"), median(w SUBSEP "exitsnoop"),
			median(w SUBSEP "bpftrace"), bar_label(w SUBSEP "reapertrace"),
			bar_label(w SUBSEP "exitsnoop"), bar_label(w SUBSEP "bpftrace") } }' \
	"$tsv" >"$data"
machine=$(sed -n '1s/^# //p' "$tsv")

gnuplot <<EOF2
set terminal pngcairo size 900,520 font "sans,10"
set output "$dir/cost-per-exit.png"
set title noenhanced "In-kernel cost per traced exit (kernel.bpf_stats, all BPF programs of each tool)\n$machine"
set ylabel noenhanced "µs per exit (sum of run_time_ns / exits)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set grid ytics
set yrange [0:*]
set offsets 0, 0, graph 0.15, 0
set key top right noenhanced
plot "$data" using 2:xtic(1) title "reapertrace (sum of its programs)" lc rgb "#2b6cb0", \
     "" using 3 title "exitsnoop (libbpf-tools)" lc rgb "#dd6b20", \
     "" using 4 title "bpftrace one-liner" lc rgb "#718096", \
     "" using (\$0 - 0.25):2:(sprintf("%.1f", \$2)) with labels offset 0,0.7 notitle, \
     "" using 0:3:(sprintf("%.1f", \$3)) with labels offset 0,0.7 notitle, \
     "" using (\$0 + 0.25):4:(sprintf("%.1f", \$4)) with labels offset 0,0.7 notitle, \
     "" using (\$0 - 0.25):2:5 with labels offset 0,1.7 notitle, \
     "" using 0:3:6 with labels offset 0,1.7 notitle, \
     "" using (\$0 + 0.25):4:7 with labels offset 0,1.7 notitle
EOF2
echo "plot: $dir/cost-per-exit.png"
