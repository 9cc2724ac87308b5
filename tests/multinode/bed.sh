#!/usr/bin/env bash
# A two-node SLURM cluster on one machine, for the multi-node tests (tests/multinode/) and for trying the job
# scripts by hand. Three network namespaces joined by veth pairs on a bridge:
#
#     head  (UTS host name "head",  10.217.0.1  on the bridge mnbr) : slurmctld
#     node1 (UTS host name "node1", 10.217.0.11)                   : slurmd -N node1, CPUs=1
#     node2 (UTS host name "node2", 10.217.0.12)                   : slurmd -N node2, CPUs=1
#
# The bridge lives inside the head namespace and the root namespace gets no address and no route into the
# subnet: every packet of the test bed stays between these namespaces (nothing reaches the machine's own
# interfaces or the outside). Each daemon runs in its namespace and in a UTS namespace of its own (unshare
# --uts), so gethostname() says node1 / node2 there: SLURM, Open MPI and cortexsim's provenance see two hosts.
# munged runs once, in the root namespace: its UNIX socket (a path, not a network address) is reachable from
# every namespace, as one munge key shared by all nodes would be on a real cluster. The file system is shared
# by all "nodes" (as a cluster's shared file system is).
#
#   bed.sh start DIR          create the namespaces and links, start munged, slurmctld and both slurmds; wait
#                             (at most BED_WAIT_S, default 30 s) until both nodes are idle. A previous bed in
#                             DIR is removed first. Exit 77 (skipped) where namespaces cannot be created.
#   bed.sh stop DIR           cancel all jobs, stop every daemon and every process left in the namespaces (by
#                             PID), delete the namespaces (and with them the links). Safe to repeat.
#   bed.sh env DIR            export lines: SLURM_CONF, the namespaces, and the Open MPI settings of the bed
#   bed.sh on DIR NODE CMD..  run CMD in NODE's namespace (head, node1, node2) with NODE's host name
#   bed.sh kill-node DIR NODE SIGKILL every process of NODE's namespace (its slurmd, slurmstepd, orted, ranks)
#   bed.sh start-node DIR NODE  start NODE's slurmd again and wait until SLURM lists the node idle
#   bed.sh link DIR NODE down|up  take NODE's cable out / put it back (the bridge port in head): every packet
#                             to and from NODE is dropped while it is down; the node's own interface stays up
#   bed.sh loss DIR NODE P|off  drop P % of the packets on NODE's cable, both directions, at random; 'off' ends
#                             it. tc netem (on NODE's interface and its bridge port in head) where the kernel has
#                             it (CONFIG_NET_SCH_NETEM), else an nftables table in NODE's namespace that drops
#                             with 'numgen random mod 100 < P' on input and output (nftables package)
#   bed.sh status DIR         namespaces, daemons, sinfo
#
# Open MPI over TCP between the nodes (printed by 'env'): OMPI_MCA_btl=tcp,self (no shared-memory transport
# at all: vader is not loaded), OMPI_MCA_btl_tcp_if_include and OMPI_MCA_oob_tcp_if_include = the bed's
# subnet (so neither MPI traffic nor Open MPI's own control messages take the loopback interface). And no
# binding: both "nodes" share the machine's real cores (see print_env).
# Needs root, iproute2 (ip, tc), util-linux (nsenter, unshare), slurm-wlm and munge.
set -u

usage() { sed -n '2,35p' "$0" >&2; exit 2; }
[ $# -ge 2 ] || usage
CMD=$1
mkdir -p "$2" 2>/dev/null
DIR=$(cd "$2" 2>/dev/null && pwd) || { echo "bed.sh: cannot use directory '$2'" >&2; exit 1; }
shift 2
WAIT_S=${BED_WAIT_S:-30}
SUBNET=10.217.0.0/24
NODES=(node1 node2)
CTLD_PORT=7417
SLURMD_PORT=7418
declare -A ADDR=([head]=10.217.0.1 [node1]=10.217.0.11 [node2]=10.217.0.12)
# Names unique per directory: two beds (other build trees, other worktrees) never share a namespace or link.
TAG=mn$(printf %s "$DIR" | cksum | cut -d' ' -f1 | tail -c 7)
declare -A NS=([head]=${TAG}h [node1]=${TAG}n1 [node2]=${TAG}n2)
declare -A VETH=([node1]=${TAG}a1 [node2]=${TAG}a2)  # node side; the head side is ${TAG}b1 / ${TAG}b2
declare -A PORT=([node1]=${TAG}b1 [node2]=${TAG}b2)
BRIDGE=mnbr
CONF=$DIR/slurm.conf
MUNGE_DIR=$DIR/munge
SOCKET_DIR=/tmp/cortexsim-mn-munge-$(printf %s "$DIR" | cksum | cut -d' ' -f1)
SOCKET=$SOCKET_DIR/munge.socket
LOG_DIR=$DIR/log
RUN_DIR=$DIR/run

log() { echo "[bed] $*"; }

print_logs() {
  local f
  for f in "$LOG_DIR"/*.log "$LOG_DIR"/*.stderr; do
    [ -s "$f" ] || continue
    echo "----- $f (last 30 lines)"
    tail -n 30 "$f"
  done
  echo "-----"
}

STARTED=0
die() {
  echo "[bed] ERROR: $*" >&2
  print_logs >&2
  if [ "$STARTED" -eq 1 ]; then STARTED=0; stop_all quiet >&2; fi
  exit 1
}

alive() {  # the process exists and is not a zombie
  local state
  state=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$1/status" 2>/dev/null) || return 1
  [ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}

live_pid() {  # live_pid PIDFILE NAME: the PID if that process is alive and is NAME (guards against reuse)
  local pidfile=$1 name=$2 pid comm
  [ -s "$pidfile" ] || return 1
  pid=$(tr -dc '0-9' < "$pidfile")
  [ -n "$pid" ] || return 1
  comm=$(cat "/proc/$pid/comm" 2>/dev/null) || return 1
  [ "$comm" = "$name" ] || return 1
  alive "$pid" || return 1
  echo "$pid"
}

stop_pids() {  # stop_pids SIGNAL WAIT_S PID...: signal each PID, wait until all are gone; SIGKILL the rest
  local sig=$1 wait_s=$2 pid t left
  shift 2
  for pid in "$@"; do kill "-$sig" "$pid" 2>/dev/null; done
  for ((t = 0; t < wait_s * 10; t++)); do
    left=0
    for pid in "$@"; do alive "$pid" && left=1; done
    [ $left -eq 0 ] && return 0
    sleep 0.1
  done
  for pid in "$@"; do alive "$pid" && kill -KILL "$pid" 2>/dev/null; done
  for ((t = 0; t < 50; t++)); do
    left=0
    for pid in "$@"; do alive "$pid" && left=1; done
    [ $left -eq 0 ] && return 0
    sleep 0.1
  done
  return 1
}

stop_daemon() {  # stop_daemon NAME PIDFILE
  local pid
  pid=$(live_pid "$2" "$1") || { rm -f "$2"; return 0; }
  stop_pids TERM 10 "$pid" || { echo "[bed] ERROR: $1 (pid $pid) does not exit" >&2; return 1; }
  log "stopped $1 (pid $pid)"
  rm -f "$2"
}

ns_exists() { ip netns list 2>/dev/null | awk '{print $1}' | grep -qx "$1"; }

ns_pids() { ip netns pids "$1" 2>/dev/null; }  # every process of a namespace

kill_namespace_processes() {  # kill_namespace_processes NS SIGNAL WAIT_S: every process of NS, by PID
  local pids
  ns_exists "$1" || return 0
  mapfile -t pids < <(ns_pids "$1")
  [ ${#pids[@]} -gt 0 ] || return 0
  stop_pids "$2" "$3" "${pids[@]}"
}

# in_ns NS CMD...: CMD in network namespace NS. nsenter, not 'ip netns exec': that one also remounts /sys, which
# hides /sys/fs/cgroup from slurmd ("No filesystem mounted on /sys/fs/cgroup": slurmd refuses to start).
in_ns() {
  local ns=$1
  shift
  nsenter --net="/run/netns/$ns" -- "$@"
}

# on NODE CMD...: CMD in NODE's network namespace, in a UTS namespace with NODE's host name
on() {
  local node=$1
  shift
  # shellcheck disable=SC2016  # expanded by the inner shell
  in_ns "${NS[$node]}" unshare --uts -- /bin/sh -c 'hostname "$0" && exec "$@"' "$node" "$@"
}

write_conf() {
  cat > "$CONF" <<EOF
# Generated by tests/multinode/bed.sh: a two-node test cluster in network namespaces ($DIR)
ClusterName=cortexsim-mn
SlurmctldHost=head(${ADDR[head]})
SlurmUser=root
SlurmdUser=root
# Each namespace has its own network stack, so no port can clash with another cluster on the machine; ports of
# their own all the same (7417/7418), so that the bed's daemons are easy to tell apart in ss/netstat output.
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$SOCKET
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool/%n
# per-node temporary folder: PMIx puts spmix_appdir_<uid>_<job>.<step> there, which would clash between the two
# "nodes" (and with other clusters on this machine) in the one /tmp
TmpFS=$DIR/tmp/%n
SlurmctldPidFile=$RUN_DIR/slurmctld.pid
SlurmdPidFile=$RUN_DIR/slurmd-%n.pid
SlurmctldLogFile=$LOG_DIR/slurmctld.log
SlurmdLogFile=$LOG_DIR/slurmd-%n.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SwitchType=switch/none
MpiDefault=pmix
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0,bf_interval=2
MailProg=/bin/true
# a node whose slurmd comes back after it was DOWN returns to service by itself
ReturnToService=2
SlurmdParameters=config_overrides
MinJobAge=600
EnforcePartLimits=ALL
KillWait=5
InactiveLimit=0
# A node that does not answer is DOWN after SlurmdTimeout (default 300 s; short here, so that the node-failure
# tests see SLURM react within their time budget).
SlurmdTimeout=${BED_SLURMD_TIMEOUT_S:-12}
MessageTimeout=5
NodeName=node1 NodeAddr=${ADDR[node1]} NodeHostname=node1 CPUs=1 State=UNKNOWN
NodeName=node2 NodeAddr=${ADDR[node2]} NodeHostname=node2 CPUs=1 State=UNKNOWN
PartitionName=debug Nodes=node1,node2 Default=YES MaxTime=INFINITE State=UP
EOF
}

print_env() {
  echo "export SLURM_CONF=$CONF"
  echo "export MN_NS_HEAD=${NS[head]} MN_NS_NODE1=${NS[node1]} MN_NS_NODE2=${NS[node2]}"
  # Open MPI: TCP between the nodes and only on the bed's subnet; no shared memory (see the header)
  echo "export OMPI_MCA_btl=tcp,self OMPI_MCA_btl_tcp_if_include=$SUBNET OMPI_MCA_oob_tcp_if_include=$SUBNET"
  # The two "nodes" share the machine's cores: mpirun would bind the rank of each node to "its" core 0, the same
  # real core, and busy-polling ranks on one core run 25x slower (measured: 248 instead of 6070 steps/s)
  echo "export OMPI_MCA_hwloc_base_binding_policy=none OMPI_MCA_mpi_yield_when_idle=1"
}

sinfo_state() {  # node's state as slurmctld sees it
  in_ns "${NS[head]}" env SLURM_CONF="$CONF" timeout 5 sinfo -h -N -n "$1" -o %T 2>/dev/null | head -n 1
}

start_slurmd() {  # start_slurmd NODE
  local node=$1
  mkdir -p "$DIR/spool/$node" "$DIR/tmp/$node"
  on "$node" env SLURM_CONF="$CONF" slurmd -f "$CONF" -N "$node" >>"$LOG_DIR/slurmd-$node.stderr" 2>&1 \
    || return 1
}

wait_idle() {  # wait_idle TIMEOUT_S NODE...: until every NODE is idle (a DOWN node is resumed)
  local timeout=$1 deadline node state ok
  shift
  deadline=$((SECONDS + timeout))
  while :; do
    ok=1
    for node in "$@"; do
      state=$(sinfo_state "$node")
      case $state in
        idle) ;;
        down*|drain*|fail*)
          ok=0
          in_ns "${NS[head]}" env SLURM_CONF="$CONF" timeout 5 \
            scontrol update nodename="$node" state=resume >/dev/null 2>&1 ;;
        *) ok=0 ;;
      esac
    done
    [ $ok -eq 1 ] && return 0
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.2
  done
}

make_network() {
  local node
  ip netns add "${NS[head]}" || return 1
  ip -n "${NS[head]}" link set lo up || return 1
  ip -n "${NS[head]}" link add "$BRIDGE" type bridge || return 1
  ip -n "${NS[head]}" addr add "${ADDR[head]}/24" dev "$BRIDGE" || return 1
  ip -n "${NS[head]}" link set "$BRIDGE" up || return 1
  for node in "${NODES[@]}"; do
    ip netns add "${NS[$node]}" || return 1
    ip -n "${NS[$node]}" link set lo up || return 1
    # the pair is created inside the node's namespace and its head end moved into head: never in the root one
    ip -n "${NS[$node]}" link add "${VETH[$node]}" type veth peer name "${PORT[$node]}" netns "${NS[head]}" \
      || return 1
    ip -n "${NS[$node]}" addr add "${ADDR[$node]}/24" dev "${VETH[$node]}" || return 1
    ip -n "${NS[$node]}" link set "${VETH[$node]}" up || return 1
    ip -n "${NS[head]}" link set "${PORT[$node]}" master "$BRIDGE" || return 1
    ip -n "${NS[head]}" link set "${PORT[$node]}" up || return 1
  done
}

# Is the bed reachable? node -> head over TCP (slurmctld's port, once it listens)
reachable() {  # reachable FROM_NODE ADDR PORT
  in_ns "${NS[$1]}" timeout 3 bash -c "exec 3<>/dev/tcp/$2/$3" 2>/dev/null
}

skip() {  # skip REASON: exit 77 (CTest: skipped); the tests read the reason from DIR/SKIPPED and skip too
  echo "[bed] SKIP: $*" | tee "$DIR/SKIPPED" >&2
  exit 77
}

start() {
  rm -f "$DIR/SKIPPED"
  if [ "$(id -u)" -ne 0 ]; then skip "must run as root (network namespaces, SlurmUser=root)"; fi
  local c
  for c in ip nsenter unshare slurmctld slurmd munged mungekey sinfo tc; do
    command -v "$c" >/dev/null || skip "'$c' missing (iproute2, util-linux, slurm-wlm, munge)"
  done
  [ ${#DIR} -le 64 ] || die "directory path too long for UNIX sockets (${#DIR} > 64 characters): $DIR"
  stop_all quiet || die "could not remove the previous bed in $DIR"
  # Can this machine make network namespaces at all? (containers without CAP_SYS_ADMIN / CAP_NET_ADMIN cannot)
  if ! ip netns add "${TAG}probe" 2>"$DIR/netns_probe.err"; then
    local err
    err=$(head -n 1 "$DIR/netns_probe.err")
    rm -f "$DIR/netns_probe.err"
    skip "network namespaces cannot be created here ($err); the multinode tests need root with" \
         "CAP_SYS_ADMIN and CAP_NET_ADMIN"
  fi
  ip netns del "${TAG}probe"
  rm -f "$DIR/netns_probe.err"
  rm -rf "$DIR/state" "$DIR/spool" "$DIR/tmp" "$LOG_DIR" "$RUN_DIR" "$MUNGE_DIR" "$CONF" "$SOCKET_DIR"
  mkdir -p "$DIR/state" "$DIR/spool" "$LOG_DIR" "$RUN_DIR" "$MUNGE_DIR" "$SOCKET_DIR"
  chmod 755 "$DIR" "$MUNGE_DIR" "$RUN_DIR" "$LOG_DIR" "$SOCKET_DIR"
  chmod 700 "$DIR/state"
  STARTED=1
  make_network 2>"$LOG_DIR/network.stderr" || die "could not build the network: $(cat "$LOG_DIR/network.stderr")"
  local node
  mungekey --create --keyfile="$MUNGE_DIR/munge.key" --bits=1024 >"$LOG_DIR/mungekey.stderr" 2>&1 || die "mungekey failed"
  chmod 600 "$MUNGE_DIR/munge.key"
  munged --key-file="$MUNGE_DIR/munge.key" --socket="$SOCKET" --pid-file="$RUN_DIR/munged.pid" \
         --log-file="$LOG_DIR/munged.log" --seed-file="$MUNGE_DIR/munged.seed" >"$LOG_DIR/munged.stderr" 2>&1 \
    || die "munged failed to start"
  local i
  for ((i = 0; i < 50; i++)); do [ -S "$SOCKET" ] && break; sleep 0.1; done
  [ -S "$SOCKET" ] || die "munged socket $SOCKET did not appear"

  write_conf
  on head env SLURM_CONF="$CONF" slurmctld -f "$CONF" -c >"$LOG_DIR/slurmctld.stderr" 2>&1 || die "slurmctld failed to start"
  for ((i = 0; i < 50; i++)); do reachable node1 "${ADDR[head]}" "$CTLD_PORT" && break; sleep 0.1; done
  reachable node1 "${ADDR[head]}" "$CTLD_PORT" || die "slurmctld (${ADDR[head]}:$CTLD_PORT) not reachable from node1"
  reachable node2 "${ADDR[head]}" "$CTLD_PORT" || die "slurmctld (${ADDR[head]}:$CTLD_PORT) not reachable from node2"
  for node in "${NODES[@]}"; do start_slurmd "$node" || die "slurmd on $node failed to start"; done
  wait_idle "$WAIT_S" "${NODES[@]}" || {
    in_ns "${NS[head]}" env SLURM_CONF="$CONF" timeout 5 scontrol show node >&2
    die "nodes not idle after ${WAIT_S} s"
  }
  for node in "${NODES[@]}"; do
    live_pid "$RUN_DIR/slurmd-$node.pid" slurmd >/dev/null || die "slurmd on $node is not running"
  done
  log "two-node SLURM up in $DIR: head ${NS[head]} (slurmctld ${ADDR[head]}), node1 ${NS[node1]} (${ADDR[node1]})," \
      "node2 ${NS[node2]} (${ADDR[node2]}), 1 CPU each (${SECONDS} s)"
}

stop_all() {  # stop_all [quiet]
  local ok=0 node
  if [ -f "$CONF" ] && ns_exists "${NS[head]}" && live_pid "$RUN_DIR/slurmctld.pid" slurmctld >/dev/null; then
    local sq=(in_ns "${NS[head]}" env SLURM_CONF="$CONF" timeout 5)
    if [ -n "$("${sq[@]}" squeue -h -o %i 2>/dev/null)" ]; then
      "${sq[@]}" scancel --full --signal=KILL --state=RUNNING --partition=debug >/dev/null 2>&1
      "${sq[@]}" scancel --partition=debug >/dev/null 2>&1
    fi
  fi
  for node in "${NODES[@]}"; do stop_daemon slurmd "$RUN_DIR/slurmd-$node.pid" || ok=1; done
  stop_daemon slurmctld "$RUN_DIR/slurmctld.pid" || ok=1
  # whatever is left in the namespaces (job steps, orted, ranks of a killed job): by PID, then the namespaces
  for node in head "${NODES[@]}"; do
    kill_namespace_processes "${NS[$node]}" TERM 5 || { echo "[bed] ERROR: processes left in ${NS[$node]}" >&2; ok=1; }
  done
  for node in "${NODES[@]}" head; do
    if ns_exists "${NS[$node]}"; then ip netns del "${NS[$node]}" || ok=1; fi
  done
  ns_exists "${TAG}probe" && ip netns del "${TAG}probe"
  stop_daemon munged "$RUN_DIR/munged.pid" || ok=1
  rm -rf "$SOCKET_DIR"
  [ "${1:-}" = quiet ] || [ $ok -ne 0 ] || log "stopped the bed in $DIR (namespaces and links removed)"
  return $ok
}

# set_loss NODE PERCENT|off: random packet loss on NODE's link (see 'loss' in the header)
set_loss() {
  local node=$1 p=$2 ns=${NS[$1]}
  if [ "$p" = off ]; then
    tc -n "$ns" qdisc del dev "${VETH[$node]}" root 2>/dev/null
    tc -n "${NS[head]}" qdisc del dev "${PORT[$node]}" root 2>/dev/null
    in_ns "$ns" nft delete table inet mnloss 2>/dev/null
    log "packet loss on the link of $node ended"
    return 0
  fi
  if tc -n "$ns" qdisc replace dev "${VETH[$node]}" root netem loss "$p%" 2>/dev/null; then
    tc -n "${NS[head]}" qdisc replace dev "${PORT[$node]}" root netem loss "$p%" || return 1
    log "packet loss on the link of $node: $p % (tc netem)"
    return 0
  fi
  command -v nft >/dev/null || { echo "[bed] no tc netem in this kernel and no nft (nftables)" >&2; return 1; }
  local match="numgen random mod 100 < $p"
  [ "$p" -lt 100 ] || match=""
  in_ns "$ns" nft delete table inet mnloss 2>/dev/null
  in_ns "$ns" nft -f - <<EOF || return 1
table inet mnloss {
  chain in { type filter hook input priority 0; policy accept; iifname "${VETH[$node]}" $match drop; }
  chain out { type filter hook output priority 0; policy accept; oifname "${VETH[$node]}" $match drop; }
}
EOF
  log "packet loss on the link of $node: $p % (nftables in its namespace: this kernel has no tc netem)"
}

node_arg() {
  case ${1:-} in head|node1|node2) ;; *) echo "bed.sh: NODE must be head, node1 or node2" >&2; exit 2 ;; esac
}

case $CMD in
  start) start ;;
  stop) stop_all || die "could not stop everything" ;;
  env) print_env ;;
  on)
    node_arg "${1:-}"
    on "$@"
    ;;
  kill-node)
    node_arg "${1:-}"
    n=$(ns_pids "${NS[$1]}" | wc -l)
    kill_namespace_processes "${NS[$1]}" KILL 5 || die "processes of $1 survive SIGKILL"
    log "killed $n processes of $1"
    ;;
  start-node)
    node_arg "${1:-}"
    live_pid "$RUN_DIR/slurmd-$1.pid" slurmd >/dev/null || start_slurmd "$1" || die "slurmd on $1 failed to start"
    wait_idle "$WAIT_S" "$1" || die "$1 not idle after ${WAIT_S} s (state $(sinfo_state "$1"))"
    log "$1 is back (idle)"
    ;;
  link)
    node_arg "${1:-}"
    case ${2:-} in up|down) ;; *) echo "bed.sh: link DIR NODE up|down" >&2; exit 2 ;; esac
    ip -n "${NS[head]}" link set "${PORT[$1]}" "$2" || die "could not set the link of $1 $2"
    log "link of $1 $2"
    ;;
  loss)
    node_arg "${1:-}"
    case ${2:-} in off|[0-9]|[0-9][0-9]|100) ;; *) echo "bed.sh: loss DIR NODE PERCENT|off" >&2; exit 2 ;; esac
    set_loss "$1" "$2" || die "could not set the packet loss of $1's link to $2"
    ;;
  status)
    for node in head "${NODES[@]}"; do
      if ns_exists "${NS[$node]}"; then echo "$node: namespace ${NS[$node]}, $(ns_pids "${NS[$node]}" | wc -l) processes"
      else echo "$node: no namespace"; fi
    done
    for f in "$RUN_DIR"/*.pid; do [ -f "$f" ] && echo "$(basename "$f" .pid): pid $(cat "$f")"; done
    ns_exists "${NS[head]}" && [ -f "$CONF" ] && in_ns "${NS[head]}" env SLURM_CONF="$CONF" timeout 5 sinfo -N 2>&1
    ;;
  *) usage ;;
esac
