//! The processes a run starts: `localgraph seed`, `token` and `serve`, and the ceiling.
//! Each server listens on an ephemeral port of 127.0.0.1, and is stopped (by its own pid)
//! when its handle is dropped.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::{Context, bail};

/// The unit of `/proc/PID/stat`'s CPU times: 1/100 s on Linux.
const USER_HZ: f64 = 100.0;

/// The user and system time, in seconds, of a `/proc/PID/stat` line.
fn stat_cpu_seconds(stat: &str) -> Option<f64> {
    // The fields after the command's name (which may hold spaces and parentheses, in
    // parentheses): state is field 3, utime and stime fields 14 and 15, in USER_HZ
    // ticks, which the kernel keeps at 100 a second whatever its own tick.
    let after_name = stat.get(stat.rfind(')')? + 2..)?;
    let mut fields = after_name.split_whitespace().skip(11);
    let user: f64 = fields.next()?.parse().ok()?;
    let system: f64 = fields.next()?.parse().ok()?;
    Some((user + system) / USER_HZ)
}

/// A server child process and the address it listens on.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
}

impl Server {
    /// Starts `command`, which must print `… listening on http://ADDR` on stdout; its
    /// stderr (the request log) goes to `log`.
    pub fn start(mut command: Command, log: &Path) -> anyhow::Result<Server> {
        let log = File::create(log).with_context(|| format!("cannot write {}", log.display()))?;
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .context("cannot start the server")?;
        let stdout = child.stdout.take().context("no stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let base = loop {
            let Some(line) = lines.next() else {
                let _ = child.kill();
                bail!("the server stopped before it listened");
            };
            if let Some((_, address)) = line?.split_once("listening on ") {
                break address.trim().to_string();
            }
        };
        // Keep draining stdout so the child never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Ok(Server { child, base })
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The CPU time (user and system, all its threads, in seconds) the process has used so
    /// far, from `/proc/PID/stat`; `None` if it cannot be read.
    pub fn cpu_seconds(&self) -> Option<f64> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid())).ok()?;
        stat_cpu_seconds(&stat)
    }

    /// The server's own resident memory (`RssAnon`: without the pages of the database file
    /// its reads map, which the OS shares and reclaims) and the peak of all its resident
    /// memory (`VmHWM`, mapped file pages included), in MiB, from `/proc`.
    pub fn memory_mib(&self) -> (f64, f64) {
        let status =
            std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap_or_default();
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.split_whitespace().next())
                .and_then(|kb| kb.parse::<f64>().ok())
                .map_or(0.0, |kb| kb / 1024.0)
        };
        (field("RssAnon:"), field("VmHWM:"))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // SIGTERM first (localgraph finishes in-flight requests and checkpoints), then kill.
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        for _ in 0..50 {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The localgraph binary and one data set: a data directory (the signing key, and the
/// SQLite file unless `database` names a PostgreSQL database).
pub struct Localgraph {
    /// The binary.
    pub bin: PathBuf,
    /// The data directory.
    pub data_dir: PathBuf,
    /// A PostgreSQL URL (`--database`), else the SQLite file of the data directory.
    pub database: Option<String>,
}

/// What a `localgraph seed` wrote, and how fast.
#[derive(Debug, Clone)]
pub struct Seeding {
    /// Rows written.
    pub rows: u64,
    /// Seconds it took, as it reported them.
    pub seconds: f64,
    /// The line it printed.
    pub line: String,
}

impl Localgraph {
    fn command(&self, subcommand: &str) -> Command {
        let mut command = Command::new(&self.bin);
        command
            .arg(subcommand)
            .arg("--data-dir")
            .arg(&self.data_dir);
        command
    }

    fn with_database(&self, mut command: Command) -> Command {
        if let Some(url) = &self.database {
            command.args(["--database", url]);
        }
        command
    }

    /// `localgraph seed --tenant T` with `args` (`--macos N`, `--devices N`); what it
    /// wrote: the closing line ends with `N rows in S s (…)`.
    pub fn seed(&self, tenant: &str, args: &[&str]) -> anyhow::Result<Seeding> {
        let mut command = self.with_database(self.command("seed"));
        let output = command
            .args(["--tenant", tenant])
            .args(args)
            .stderr(Stdio::inherit())
            .output()
            .context("cannot run localgraph seed")?;
        if !output.status.success() {
            bail!("localgraph seed {} failed", args.join(" "));
        }
        let line = String::from_utf8_lossy(&output.stdout).trim().to_string();
        let words: Vec<&str> = line.split_whitespace().collect();
        let at = words
            .iter()
            .position(|w| *w == "rows")
            .context("seed printed no row count")?;
        let rows = words[at.saturating_sub(1)].parse().unwrap_or(0);
        let seconds = words
            .get(at + 2)
            .and_then(|s| s.parse().ok())
            .unwrap_or(f64::NAN);
        Ok(Seeding {
            rows,
            seconds,
            line,
        })
    }

    /// A token with every permission on `tenant` (the last line `token` prints).
    pub fn token(&self, tenant: &str) -> anyhow::Result<String> {
        // The signing key lives in the data set: on PostgreSQL, the database's.
        let output = self
            .with_database(self.command("token"))
            .args(["--tenant", tenant, "--ttl", "2h"])
            .output()
            .context("cannot run localgraph token")?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        match stdout.lines().last() {
            Some(token) if output.status.success() => Ok(token.trim().to_string()),
            _ => bail!("localgraph token failed"),
        }
    }

    /// Starts `serve` on an ephemeral loopback port, tokens on, as users run it, with
    /// `args` added (`--throttling off`).
    pub fn serve(&self, log: &Path, args: &[&str]) -> anyhow::Result<Server> {
        let mut command = self.with_database(self.command("serve"));
        command.args(["--listen", "127.0.0.1:0"]).args(args);
        Server::start(command, log)
    }

    /// The size of the data directory's files, in MiB (the SQLite file and its WAL).
    pub fn data_mib(&self) -> f64 {
        fn size(path: &Path) -> u64 {
            match std::fs::metadata(path) {
                Ok(m) if m.is_dir() => std::fs::read_dir(path)
                    .map(|entries| entries.flatten().map(|e| size(&e.path())).sum())
                    .unwrap_or(0),
                Ok(m) => m.len(),
                Err(_) => 0,
            }
        }
        size(&self.data_dir) as f64 / (1024.0 * 1024.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// utime and stime are read after the command's name, whatever that name holds.
    #[test]
    fn cpu_time_is_read_past_a_name_with_spaces_and_parentheses() {
        let stat = "4242 (tokio (rt) worker) S 1 4242 4242 0 -1 4194560 900 0 0 0 \
                    250 75 0 0 20 0 12 0 100 0 0";
        assert_eq!(stat_cpu_seconds(stat), Some(3.25));
        assert_eq!(stat_cpu_seconds("4242 (cut short) S 1"), None);
        assert_eq!(stat_cpu_seconds("no name at all"), None);
    }
}
