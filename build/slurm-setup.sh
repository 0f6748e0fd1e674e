#!/usr/bin/env bash
# Sets up a one-machine Slurm cluster (Debian's slurm-wlm: munged, slurmctld and slurmd on this host, one partition
# "local" holding this machine's CPUs) for build/eval.sh slurm. Needs root; installs slurm-wlm when it is missing.
# Idempotent: daemons already running are left as they are. Prints "slurm: ready" when the node accepts jobs.
set -euo pipefail
[ "$(id -u)" -eq 0 ] || { echo "slurm-setup: run as root (it writes /etc/slurm and starts daemons)" >&2; exit 2; }
if ! command -v slurmctld >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y slurm-wlm >/dev/null
fi

host=$(hostname -s)
cpus=$(nproc)
memory=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 1024 ))
mkdir -p /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm /run/munge
cat > /etc/slurm/slurm.conf <<CONF
# Written by build/slurm-setup.sh: one node, no accounting, no cgroups.
ClusterName=attention
SlurmctldHost=$host
SlurmUser=root
AuthType=auth/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
NodeName=$host CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF

if [ ! -s /etc/munge/munge.key ]; then
  mkdir -p /etc/munge
  dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key status=none
fi
chown -R munge:munge /etc/munge /run/munge /var/lib/munge /var/log/munge 2>/dev/null || true
chmod 0400 /etc/munge/munge.key
pgrep -x munged >/dev/null || runuser -u munge -- /usr/sbin/munged
pgrep -x slurmctld >/dev/null || slurmctld
pgrep -x slurmd >/dev/null || slurmd

for _ in $(seq 1 30); do
  state=$(sinfo -h -N -o '%T' 2>/dev/null | head -n 1 || true)
  case "$state" in
    idle|mixed|allocated) echo "slurm: ready ($host, $cpus CPUs, partition local)"; exit 0 ;;
  esac
  sleep 1
done
echo "slurm-setup: the node did not become idle (state '${state:-none}'); see /var/log/slurm/" >&2
exit 1
