//! Test keys made in the test (openssl), a JWKS served on loopback, and token signing.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};

/// base64url without padding.
pub fn b64url(data: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..(chunk.len() + 1) {
            out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

pub fn openssl(args: &[&str]) -> Vec<u8> {
    let o = Command::new("openssl")
        .args(args)
        .output()
        .expect("openssl");
    assert!(
        o.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    o.stdout
}

/// A fresh directory under the temporary directory, removed with everything in it when dropped: the
/// keys, certificates and documents the tests write there (private keys among them) do not outlive the test.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new() -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("hubspot-mcp-keys-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A key pair: the private PEM (PKCS#8), the public PEM, and its JWK.
pub struct Key {
    pub private_pem: Vec<u8>,
    pub public_pem: Vec<u8>,
    pub jwk: Value,
}

/// A fresh RSA 2048 key with `kid`.
pub fn rsa(kid: &str) -> Key {
    let dir = TempDir::new();
    let path = dir.path().join("rsa.pem");
    let p = path.to_str().unwrap();
    openssl(&[
        "genpkey",
        "-algorithm",
        "RSA",
        "-pkeyopt",
        "rsa_keygen_bits:2048",
        "-out",
        p,
    ]);
    let modulus = String::from_utf8(openssl(&["rsa", "-in", p, "-noout", "-modulus"])).unwrap();
    let hex = modulus.trim().trim_start_matches("Modulus=");
    let n: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect();
    Key {
        private_pem: std::fs::read(&path).unwrap(),
        public_pem: openssl(&["pkey", "-in", p, "-pubout"]),
        jwk: json!({"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256", "n": b64url(&n), "e": "AQAB"}),
    }
}

/// A fresh EC P-256 key with `kid`.
pub fn ec(kid: &str) -> Key {
    let dir = TempDir::new();
    let path = dir.path().join("ec.pem");
    let p = path.to_str().unwrap();
    openssl(&[
        "genpkey",
        "-algorithm",
        "EC",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-out",
        p,
    ]);
    let der = openssl(&["pkey", "-in", p, "-pubout", "-outform", "DER"]);
    let point = &der[der.len() - 65..];
    assert_eq!(point[0], 4, "uncompressed point");
    Key {
        private_pem: std::fs::read(&path).unwrap(),
        public_pem: openssl(&["pkey", "-in", p, "-pubout"]),
        jwk: json!({"kty": "EC", "kid": kid, "use": "sig", "alg": "ES256", "crv": "P-256",
                    "x": b64url(&point[1..33]), "y": b64url(&point[33..65])}),
    }
}

/// A JWKS served on 127.0.0.1 that can change its keys, go down, and count fetches.
#[derive(Clone)]
pub struct Jwks {
    pub url: String,
    pub keys: Arc<Mutex<Vec<Value>>>,
    pub down: Arc<AtomicBool>,
    pub fetches: Arc<AtomicUsize>,
}

impl Jwks {
    pub fn serve(keys: Vec<Value>) -> Jwks {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/.well-known/jwks.json", l.local_addr().unwrap());
        let j = Jwks {
            url,
            keys: Arc::new(Mutex::new(keys)),
            down: Arc::new(AtomicBool::new(false)),
            fetches: Arc::new(AtomicUsize::new(0)),
        };
        let s = j.clone();
        std::thread::spawn(move || {
            for conn in l.incoming().take(10_000) {
                let Ok(mut c) = conn else { continue };
                let mut r = BufReader::new(c.try_clone().unwrap());
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                }
                s.fetches.fetch_add(1, Ordering::SeqCst);
                let resp = if s.down.load(Ordering::SeqCst) {
                    "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_string()
                } else {
                    let body = json!({"keys": *s.keys.lock().unwrap()}).to_string();
                    format!("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len())
                };
                let _ = c.write_all(resp.as_bytes());
            }
        });
        j
    }
}

/// A CA and a server certificate it issued, made with `openssl` in `dir`: the certificate names
/// `san` (`IP:127.0.0.1`, `DNS:localhost,IP:127.0.0.1`); returns [CA PEM, certificate PEM, key PEM].
pub fn ca_and_cert(dir: &std::path::Path, san: &str) -> [std::path::PathBuf; 3] {
    let p = |n: &str| dir.join(n).to_string_lossy().into_owned();
    let key = ["-newkey", "rsa:2048", "-nodes"];
    openssl(
        &[
            &["req", "-x509"][..],
            &key,
            &[
                "-days",
                "2",
                "-subj",
                "/CN=test CA",
                "-keyout",
                &p("ca.key"),
                "-out",
                &p("ca.pem"),
            ],
        ]
        .concat(),
    );
    openssl(
        &[
            &["req"][..],
            &key,
            &[
                "-subj",
                "/CN=test server",
                "-keyout",
                &p("srv.key"),
                "-out",
                &p("srv.csr"),
            ],
        ]
        .concat(),
    );
    std::fs::write(dir.join("san.ext"), format!("subjectAltName={san}\n")).unwrap();
    openssl(&[
        "x509",
        "-req",
        "-in",
        &p("srv.csr"),
        "-CA",
        &p("ca.pem"),
        "-CAkey",
        &p("ca.key"),
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        &p("san.ext"),
        "-out",
        &p("srv.pem"),
    ]);
    [dir.join("ca.pem"), dir.join("srv.pem"), dir.join("srv.key")]
}

/// `openssl s_server` serving `dir` over TLS (`mode` `-WWW`: files as bodies; `-HTTP`: each file is a
/// whole HTTP response, status and headers included) on a free loopback port with a certificate for
/// 127.0.0.1 issued by a CA made here; returns (server, port, CA PEM path).
pub fn https_file_server(
    dir: &std::path::Path,
    mode: &str,
) -> (std::process::Child, u16, std::path::PathBuf) {
    let p = |n: &str| dir.join(n).to_string_lossy().into_owned();
    ca_and_cert(dir, "IP:127.0.0.1");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = std::process::Command::new("openssl")
        .args([
            "s_server",
            mode,
            "-quiet",
            "-accept",
            &format!("127.0.0.1:{port}"),
            "-cert",
            &p("srv.pem"),
            "-key",
            &p("srv.key"),
        ])
        .current_dir(dir)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let end = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            std::time::Instant::now() < end,
            "openssl s_server did not listen"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    (child, port, dir.join("ca.pem"))
}
