use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use serde_json::json;

use crate::support::Crm;

/// A minimal HTTP CONNECT proxy on 127.0.0.1 (at most 50 connections), counting tunnels.
fn connect_proxy() -> (String, Arc<AtomicUsize>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", l.local_addr().unwrap());
    let tunnels = Arc::new(AtomicUsize::new(0));
    let count = tunnels.clone();
    std::thread::spawn(move || {
        for conn in l.incoming().take(50) {
            let Ok(client) = conn else { continue };
            let count = count.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(client.try_clone().unwrap());
                let mut first = String::new();
                reader.read_line(&mut first).unwrap();
                loop {
                    let mut l = String::new();
                    if reader.read_line(&mut l).unwrap_or(0) == 0 || l == "\r\n" {
                        break;
                    }
                }
                let target = first.split_whitespace().nth(1).unwrap_or("").to_string();
                assert!(first.starts_with("CONNECT "), "{first}");
                let Ok(upstream) = TcpStream::connect(&target) else {
                    return;
                };
                count.fetch_add(1, Ordering::SeqCst);
                let mut c = client;
                c.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                    .unwrap();
                let (mut up_r, mut up_w) = (upstream.try_clone().unwrap(), upstream);
                let mut c_w = c.try_clone().unwrap();
                let t = std::thread::spawn(move || {
                    let _ = std::io::copy(&mut up_r, &mut c_w);
                });
                let _ = std::io::copy(&mut reader, &mut up_w);
                let _ = up_w.shutdown(std::net::Shutdown::Write);
                let _ = t.join();
            });
        }
    });
    (url, tunnels)
}

#[test]
fn hubspot_calls_go_through_https_proxy_unless_no_proxy() {
    let (proxy, tunnels) = connect_proxy();
    let crm = Crm::start(&[("HTTPS_PROXY", proxy.as_str())]);
    assert_eq!(crm.call("hubspot_list_owners", json!({}))["isError"], false);
    assert!(
        tunnels.load(Ordering::SeqCst) >= 1,
        "the call did not use the proxy"
    );

    let (proxy, tunnels) = connect_proxy();
    let crm = Crm::start(&[("HTTPS_PROXY", proxy.as_str()), ("NO_PROXY", "127.0.0.1")]);
    assert_eq!(crm.call("hubspot_list_owners", json!({}))["isError"], false);
    assert_eq!(
        tunnels.load(Ordering::SeqCst),
        0,
        "NO_PROXY bypasses the proxy"
    );
}
