"""A one-node SLURM cluster on localhost, from Debian's packages, for the profile test.

munged, a private MariaDB, slurmdbd (so that `sacct`, the executor plugin's status query,
answers), slurmctld and slurmd, each started directly (no systemd here) and stopped by PID.
The executor plugin strips SLURM_* variables inside jobs, so the config must be at
/etc/slurm/slurm.conf; everything else lives in a temporary folder. stop() puts /etc/slurm back
as it found it: the plugin runs `scontrol show config` whenever Snakemake loads it, and with a
slurm.conf naming a controller that is gone, every later snakemake call would wait 10 s for it.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

from workflow_run import SLURM_PACKAGES, apt_install, copy_workflow, missing_packages, snakemake, wait_for_installs

CONF = Path("/etc/slurm")


def install() -> None:
    """apt-get the packages when a daemon is missing (a fresh container may need the lists first)."""
    wait_for_installs()
    missing = missing_packages(SLURM_PACKAGES)
    if missing:
        apt_install(*missing).check_returncode()


def _wait(check, what: str, timeout: float = 60) -> None:
    end = time.time() + timeout
    while time.time() < end:
        if check():
            return
        time.sleep(0.5)
    raise TimeoutError(f"{what} did not come up in {timeout} s")


def _memory_mb() -> int:
    """The machine's memory: jobs ask for --mem (checked against it), cores are what they share."""
    return int(Path("/proc/meminfo").read_text().split()[1]) // 1024


def _ok(*cmd: str) -> bool:
    return subprocess.run(cmd, capture_output=True).returncode == 0


class Cluster:
    """Start with start(), stop with stop(): every process it started is ended by PID."""

    def __init__(self, root: Path, cpus: int = 2):
        self.root, self.cpus, self.procs = root, cpus, []
        self.host = socket.gethostname().split(".")[0]
        self.munge_pid: int | None = None
        self.saved: dict[Path, bytes | None] = {}  # the /etc/slurm files it replaced, None where absent

    def _spawn(self, *cmd: str, log: str) -> subprocess.Popen:
        proc = subprocess.Popen(cmd, stdout=open(self.root / log, "w"), stderr=subprocess.STDOUT,
                                start_new_session=True)
        self.procs.append(proc)
        return proc

    def start(self) -> "Cluster":
        r = self.root
        for d in ("state", "spool", "db"):
            (r / d).mkdir(parents=True, exist_ok=True)
        # munge: its socket folder, started as the munge user; it daemonizes and writes its PID.
        Path("/run/munge").mkdir(parents=True, exist_ok=True)
        shutil.chown("/run/munge", "munge", "munge")
        if not _ok("munge", "-n"):
            subprocess.run(["runuser", "-u", "munge", "--", "munged", "--force"], check=True)
            self.munge_pid = int(Path("/run/munge/munged.pid").read_text())
        # MariaDB on a private datadir and port, for slurmdbd only.
        subprocess.run(["mariadb-install-db", f"--datadir={r / 'db'}", "--user=root",
                        "--auth-root-authentication-method=normal"], capture_output=True, check=True)
        sock = r / "mysql.sock"
        self._spawn("mariadbd", f"--datadir={r / 'db'}", "--user=root", f"--socket={sock}", "--port=3307",
                    "--bind-address=127.0.0.1", f"--pid-file={r / 'mysql.pid'}", log="mariadb.log")
        _wait(lambda: _ok("mariadb", f"--socket={sock}", "-uroot", "-e", "select 1"), "MariaDB")
        subprocess.run(["mariadb", f"--socket={sock}", "-uroot", "-e",
                        "CREATE USER IF NOT EXISTS 'slurm'@'127.0.0.1' IDENTIFIED BY 'slurm';"
                        "GRANT ALL ON *.* TO 'slurm'@'127.0.0.1';"], check=True)
        CONF.mkdir(parents=True, exist_ok=True)
        for f in (CONF / "slurmdbd.conf", CONF / "slurm.conf"):
            self.saved[f] = f.read_bytes() if f.exists() else None
        dbd = CONF / "slurmdbd.conf"
        dbd.write_text(f"""AuthType=auth/munge
DbdHost=localhost
DbdPort=6819
SlurmUser=root
StorageType=accounting_storage/mysql
StorageHost=127.0.0.1
StoragePort=3307
StorageUser=slurm
StoragePass=slurm
StorageLoc=slurm_acct_db
PidFile={r / 'slurmdbd.pid'}
LogFile={r / 'slurmdbd.log'}
""")
        dbd.chmod(0o600)
        (CONF / "slurm.conf").write_text(f"""ClusterName=localtest
SlurmctldHost={self.host}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation={r / 'state'}
SlurmdSpoolDir={r / 'spool'}
SlurmctldPidFile={r / 'slurmctld.pid'}
SlurmdPidFile={r / 'slurmd.pid'}
SlurmctldLogFile={r / 'slurmctld.log'}
SlurmdLogFile={r / 'slurmd.log'}
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=localhost
AccountingStoragePort=6819
JobAcctGatherType=jobacct_gather/none
AccountingStoreFlags=job_comment
MinJobAge=600
ReturnToService=2
MpiDefault=none
NodeName={self.host} CPUs={self.cpus} RealMemory={_memory_mb()} State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
""")
        self._spawn("slurmdbd", "-D", log="slurmdbd.out")
        _wait(lambda: _ok("sacctmgr", "-n", "list", "cluster"), "slurmdbd")
        subprocess.run(["sacctmgr", "-i", "add", "cluster", "localtest"], capture_output=True)
        self._spawn("slurmctld", "-D", "-i", log="slurmctld.out")
        self._spawn("slurmd", "-D", log="slurmd.out")
        _wait(lambda: "idle" in subprocess.run(["sinfo", "-h", "-o", "%t"], capture_output=True,
                                               text=True).stdout, "the node", timeout=90)
        return self

    def stop(self) -> None:
        for proc in reversed(self.procs):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in reversed(self.procs):
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        if self.munge_pid:
            try:
                os.kill(self.munge_pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for f, content in self.saved.items():
            if content is None:
                f.unlink(missing_ok=True)
            else:
                f.write_bytes(content)


CHECKPOINTS = [f"results/checkpoints/hopper/td3/seed{s}/step{t}.msgpack" for s in (0, 1) for t in (400, 600)]
PURDS = [c.replace("checkpoints/hopper/td3", "purd/hopper/td3/td3").replace(".msgpack", ".parquet")
         for c in CHECKPOINTS]


class BranchRun(threading.Thread):
    """The tiny config's TD3 branch through `--profile profiles/slurm` on a fresh cluster, in a
    thread: a copy of the workflow with the local run's compiled programs (as a user re-running on
    a cluster would have them), then sacct's job list, then the cluster stopped. Sets remote,
    result (the snakemake run), jobs (sacct lines) or error."""

    def __init__(self, local: Path, root: Path):
        super().__init__(daemon=True)
        self.local, self.root = local, root
        self.remote: Path | None = None
        self.result: subprocess.CompletedProcess | None = None
        self.jobs: list[str] = []
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            install()
            cluster = Cluster(self.root / "cluster").start()
            try:
                self.remote = copy_workflow(self.root / "slurm")
                (self.remote / "no_gpu.yaml").write_text("resources:\n  gpu: 0\n")  # the node has no GPU
                if (self.local / ".jax_cache").is_dir():
                    shutil.copytree(self.local / ".jax_cache", self.remote / ".jax_cache")
                self.result = snakemake(self.remote, *PURDS, "--profile", "profiles/slurm",
                                        "--configfile", "configs/tiny.yaml", "no_gpu.yaml", timeout=900)
                self.jobs = subprocess.run(
                    ["sacct", "-X", "-n", "-P", "-o", "JobID,Comment,AllocCPUS,Elapsed,State"],
                    capture_output=True, text=True, check=True).stdout.splitlines()
            finally:
                cluster.stop()
        except BaseException as exc:  # pytest.fail in snakemake() included: re-raised by the test
            self.error = exc


# The background runs of this session, by the local run they compare against.
branch_runs: dict[Path, BranchRun] = {}


def start_branch_run(local: Path, root: Path) -> BranchRun | None:
    """Start the SLURM branch beside the local run (None where SLURM cannot be installed here)."""
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        return None
    branch_runs[local] = BranchRun(local, root)
    branch_runs[local].start()
    return branch_runs[local]
