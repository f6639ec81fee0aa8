//! `rekindle healthcheck`: asks a running server's `/healthz` and exits 0 when
//! it answers 200. For container HEALTHCHECKs, where no curl is installed.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[derive(clap::Args)]
pub struct HealthArgs {
    /// The address the server listens on (0.0.0.0 and [::] are asked on loopback).
    #[arg(long, env = "REKINDLE_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
}

pub async fn run(args: HealthArgs) -> anyhow::Result<()> {
    let mut addr = args.listen;
    if addr.ip().is_unspecified() {
        addr.set_ip(match addr {
            SocketAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
            SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
        });
    }
    let ask = async {
        let mut s = tokio::net::TcpStream::connect(addr).await?;
        s.write_all(b"GET /healthz HTTP/1.0\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            .await?;
        let mut head = [0u8; 12];
        s.read_exact(&mut head).await?;
        Ok::<_, std::io::Error>(head)
    };
    let head = tokio::time::timeout(Duration::from_secs(5), ask)
        .await
        .map_err(|_| anyhow::anyhow!("{addr} did not answer within 5 seconds"))?
        .map_err(|e| anyhow::anyhow!("cannot reach {addr}: {e}"))?;
    if &head[9..12] != b"200" {
        anyhow::bail!(
            "{addr}/healthz answered {}",
            String::from_utf8_lossy(&head[9..12])
        );
    }
    Ok(())
}
