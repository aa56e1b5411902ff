# Helpers the bench scripts share (sourced, not run).

# seconds COMMAND...: wall-clock seconds of one run, output discarded.
seconds() { local s=$EPOCHREALTIME; "$@" > /dev/null 2>&1; local e=$EPOCHREALTIME; echo "$e $s" | awk '{printf "%.4f\n", $1 - $2}'; }

# median: the median of the numbers on standard input, one per line.
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
