//! A tiny raw-TCP HTTP/1.1 keep-alive server answering every request with `200 ok`,
//! to try the load generator against without starting Rekindle:
//!
//! ```text
//! cargo run -p rekindle-loadgen --example test_server -- [ADDR] [LIFETIME]
//! ```
//!
//! ADDR defaults to 127.0.0.1:8089 and must be a loopback address; the server exits by
//! itself after LIFETIME (humantime, default 60s).

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const RESPONSE: &[u8] =
    b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok";

async fn serve(mut stream: TcpStream) {
    let _ = stream.set_nodelay(true);
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        while let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            buf.drain(..end + 4);
            if stream.write_all(RESPONSE).await.is_err() {
                return;
            }
        }
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let mut args = std::env::args().skip(1);
    let addr: SocketAddr = args
        .next()
        .unwrap_or_else(|| "127.0.0.1:8089".into())
        .parse()
        .expect("ADDR is ip:port");
    assert!(addr.ip().is_loopback(), "ADDR must be a loopback address");
    let lifetime = args
        .next()
        .map(|s| humantime::parse_duration(&s).expect("LIFETIME is a duration, e.g. 60s"))
        .unwrap_or(Duration::from_secs(60));
    let listener = TcpListener::bind(addr).await.expect("bind");
    println!(
        "listening on http://{}/ (pid {}) for {}",
        listener.local_addr().unwrap(),
        std::process::id(),
        humantime::format_duration(lifetime)
    );
    let accept = async {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(serve(stream));
        }
    };
    let _ = tokio::time::timeout(lifetime, accept).await;
}
