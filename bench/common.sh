# Helpers the bench scripts share (sourced, not run).

# seconds COMMAND...: wall-clock seconds of one run, output discarded.
seconds() { local s=$EPOCHREALTIME; "$@" > /dev/null 2>&1; local e=$EPOCHREALTIME; echo "$e $s" | awk '{printf "%.4f\n", $1 - $2}'; }

# median: the median of the numbers on standard input, one per line.
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

# start_postgres DIR PORT: a throwaway PostgreSQL server in DIR on 127.0.0.1:PORT (user granary,
# trust auth, 300 connections), run as postgres when root. Sets PGBIN and AS_PG (the prefix to run
# its tools as that user); stop_postgres DIR stops it at once.
start_postgres() {
  local dir=$1 port=$2
  PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  AS_PG=(); [ "$(id -u)" = 0 ] && AS_PG=(runuser -u postgres --)
  mkdir -p "$dir"; [ "$(id -u)" = 0 ] && chown postgres "$dir"
  "${AS_PG[@]}" "$PGBIN/initdb" -D "$dir" -U granary --auth=trust -E UTF8 >/dev/null
  "${AS_PG[@]}" "$PGBIN/pg_ctl" -D "$dir" -l "$dir/log" -w \
    -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$dir -c max_connections=300" start >/dev/null
}
stop_postgres() { "${AS_PG[@]}" "$PGBIN/pg_ctl" -D "$1" -m immediate stop >/dev/null 2>&1 || true; }
