//! A real `redis-server` for tests (Debian's; scripts/test.sh installs it).

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use hubspot_mcp::redis::{Redis, Reply, Target};

/// A `redis-server` on a free loopback port, no persistence; killed on drop.
pub struct RedisServer {
    child: Child,
    pub port: u16,
    /// Listening for TLS only (`rediss://`).
    pub tls: bool,
}

impl RedisServer {
    pub fn start(extra: &[&str]) -> RedisServer {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        Self::start_on(port, extra)
    }

    /// TLS only on a free loopback port (`--port 0`), with `cert`/`key`; clients are not asked for a
    /// certificate. `ca` is what Redis would check client certificates against.
    pub fn start_tls(cert: &Path, key: &Path, ca: &Path) -> RedisServer {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let port_s = port.to_string();
        let mut s = Self::start_on(
            port,
            &[
                "--port",
                "0",
                "--tls-port",
                &port_s,
                "--tls-cert-file",
                &cert.to_string_lossy(),
                "--tls-key-file",
                &key.to_string_lossy(),
                "--tls-ca-cert-file",
                &ca.to_string_lossy(),
                "--tls-auth-clients",
                "no",
            ],
        );
        s.tls = true;
        s
    }

    pub fn start_on(port: u16, extra: &[&str]) -> RedisServer {
        let bin = std::env::var("REDIS_SERVER").unwrap_or_else(|_| "redis-server".into());
        let mut args: Vec<String> = [
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        args.extend(extra.iter().map(|s| s.to_string()));
        let child = Command::new(&bin)
            .args(&args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("{bin}: {e}: apt-get install redis-server (scripts/test.sh does), or set REDIS_SERVER")
            });
        let end = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < end,
                "redis-server did not listen on {port}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        RedisServer {
            child,
            port,
            tls: false,
        }
    }

    pub fn url(&self) -> String {
        let scheme = if self.tls { "rediss" } else { "redis" };
        format!("{scheme}://127.0.0.1:{}", self.port)
    }

    /// A client of our own on it (plain `redis://` servers only), to look at what the server stored.
    pub fn client(&self) -> Redis {
        Redis::new(
            Target::parse(&self.url()).unwrap(),
            Duration::from_secs(2),
            2,
        )
    }

    /// One command through [`RedisServer::client`]; panics on a connection error.
    pub fn cmd(&self, args: &[&str]) -> Reply {
        let cmd = args.iter().map(|a| a.as_bytes().to_vec()).collect();
        self.client().cmd(cmd).unwrap()
    }

    /// Redis's clock (`TIME`), in microseconds since the Unix epoch.
    pub fn time_us(&self) -> i64 {
        match self.cmd(&["TIME"]) {
            Reply::Array(Some(t)) => {
                let n = |r: &Reply| -> i64 {
                    std::str::from_utf8(r.as_bytes().unwrap())
                        .unwrap()
                        .parse()
                        .unwrap()
                };
                n(&t[0]) * 1_000_000 + n(&t[1])
            }
            other => panic!("TIME: {other:?}"),
        }
    }

    /// How many times `command` ran since the server started (`INFO commandstats`).
    pub fn calls(&self, command: &str) -> u64 {
        let Reply::Bulk(Some(info)) = self.cmd(&["INFO", "commandstats"]) else {
            panic!("INFO commandstats");
        };
        let needle = format!("cmdstat_{}:calls=", command.to_ascii_lowercase());
        String::from_utf8_lossy(&info)
            .lines()
            .find_map(|l| l.strip_prefix(&needle))
            .map_or(0, |rest| rest.split(',').next().unwrap().parse().unwrap())
    }

    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}
