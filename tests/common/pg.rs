//! A throwaway PostgreSQL cluster for a test: `initdb` and `pg_ctl` in a temporary folder, listening on
//! loopback on a free port, run as an unprivileged user when the tests run as root (PostgreSQL refuses
//! root). Stopped and removed when dropped, a failing test included. No mock: the real server.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Cluster {
    dir: PathBuf,
    bin: PathBuf,
    pub port: u16,
    /// Who runs the server: None when we are not root.
    user: Option<&'static str>,
}

/// The folder holding initdb and pg_ctl: on PATH, or Debian's /usr/lib/postgresql/<version>/bin.
fn bin_dir() -> PathBuf {
    let on_path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).map(|d| d.join("initdb")).find(|f| f.exists()))
        .unwrap_or_default();
    if let Some(f) = on_path {
        return f.parent().unwrap().to_path_buf();
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|d| d.flatten().map(|e| e.path().join("bin")).filter(|b| b.join("initdb").exists()).collect())
        .unwrap_or_default();
    versions.sort();
    versions
        .pop()
        .expect("PostgreSQL is not installed (initdb not found); `make test` installs it (scripts/provision.sh)")
}

fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    // /proc/self belongs to the process's effective user.
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl Cluster {
    pub fn start() -> Cluster {
        let user = is_root().then(|| if user_exists("postgres") { "postgres" } else { "nobody" });
        let dir = std::env::temp_dir().join(format!(
            "stretchcoach-pg-{}-{}",
            std::process::id(),
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        if let Some(u) = user {
            let ok = Command::new("chown").arg(u).arg(&dir).status().unwrap().success();
            assert!(ok, "chown {u} {}", dir.display());
        }
        let c = Cluster { bin: bin_dir(), port: free_port(), dir, user };
        c.run("initdb", &["-D", &c.data(), "-U", "stretch", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"]);
        c.pg_ctl("start");
        c
    }

    fn data(&self) -> String {
        self.dir.join("data").to_string_lossy().into_owned()
    }

    fn run(&self, tool: &str, args: &[&str]) {
        let exe = self.bin.join(tool);
        let mut cmd = match self.user {
            Some(u) => {
                let mut c = Command::new("runuser");
                c.args(["-u", u, "--"]).arg(&exe);
                c
            }
            None => Command::new(&exe),
        };
        let out = cmd.args(args).current_dir(&self.dir).output().unwrap();
        assert!(
            out.status.success(),
            "{tool} {args:?} failed: {}{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
            std::fs::read_to_string(self.dir.join("log")).unwrap_or_default()
        );
    }

    fn pg_ctl(&self, action: &str) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off",
            self.port,
            self.dir.display()
        );
        let log = self.dir.join("log").to_string_lossy().into_owned();
        self.run("pg_ctl", &["-D", &self.data(), "-l", &log, "-w", "-m", "fast", "-o", &options, action]);
    }

    /// Stops and starts the server again on the same port (clients' connections are cut).
    pub fn restart(&self) {
        self.pg_ctl("restart");
    }

    /// The URL of database `db` (created by [`Cluster::create`]).
    pub fn url(&self, db: &str) -> String {
        format!("postgres://stretch@127.0.0.1:{}/{db}", self.port)
    }

    /// Creates an empty database; returns its URL.
    pub fn create(&self, db: &str) -> String {
        let mut c = postgres::Client::connect(&self.url("postgres"), postgres::NoTls).unwrap();
        c.batch_execute(&format!("CREATE DATABASE {db}")).unwrap();
        self.url(db)
    }

    /// Runs SQL on a database, for looking at what the clinic stored.
    pub fn query(&self, db: &str, sql: &str) -> Vec<postgres::Row> {
        let mut c = postgres::Client::connect(&self.url(db), postgres::NoTls).unwrap();
        c.query(sql, &[]).unwrap()
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

fn user_exists(name: &str) -> bool {
    std::fs::read_to_string("/etc/passwd").is_ok_and(|p| p.lines().any(|l| l.split(':').next() == Some(name)))
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let exe = self.bin.join("pg_ctl");
        let mut cmd = match self.user {
            Some(u) => {
                let mut c = Command::new("runuser");
                c.args(["-u", u, "--"]).arg(&exe);
                c
            }
            None => Command::new(&exe),
        };
        let _ = cmd.args(["-D", &self.data(), "-m", "immediate", "-w", "stop"]).output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
