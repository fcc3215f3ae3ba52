//! `peerstake-load`: a small HTTP load generator for `peerstake serve` on loopback. It measures
//! the highest rate of split reads and of logged contributions (closed loop, many keep-alive
//! connections), then the latency at half of each rate (open loop: requests are scheduled at a
//! fixed rate and latency counts from the scheduled time, so a stall is not hidden), and reads
//! the server's resident memory from /proc. See BENCHMARKS.md.

use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Parser;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

#[derive(Parser, Clone)]
struct Args {
    /// The server's address.
    #[arg(long, default_value = "127.0.0.1:8080")]
    address: String,
    /// The venture.
    #[arg(long)]
    venture: String,
    /// A member's username (their contributions are logged).
    #[arg(long)]
    username: String,
    /// Their password.
    #[arg(long)]
    password: String,
    /// Date of the logged contributions.
    #[arg(long)]
    date: String,
    /// Seconds per phase.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Connections.
    #[arg(long, default_value_t = 64)]
    connections: usize,
    /// The server's process id, to read its memory.
    #[arg(long)]
    server_pid: Option<u32>,
    /// Only this workload: `reads` or `writes` (both by default).
    #[arg(long)]
    only: Option<String>,
}

/// One keep-alive HTTP/1.1 connection.
struct Connection {
    stream: TcpStream,
    buffer: Vec<u8>,
}

impl Connection {
    async fn open(address: &str) -> anyhow::Result<Connection> {
        let stream = TcpStream::connect(address).await.with_context(|| format!("connect to {address}"))?;
        stream.set_nodelay(true)?;
        Ok(Connection { stream, buffer: Vec::with_capacity(64 * 1024) })
    }

    /// Sends a request and returns the status and body.
    async fn send(&mut self, request: &[u8]) -> anyhow::Result<(u16, Vec<u8>)> {
        self.stream.write_all(request).await?;
        self.buffer.clear();
        let mut chunk = [0u8; 16 * 1024];
        let header_end = loop {
            if let Some(end) = self.buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                break end + 4;
            }
            let read = self.stream.read(&mut chunk).await?;
            if read == 0 {
                bail!("the server closed the connection");
            }
            self.buffer.extend_from_slice(&chunk[..read]);
        };
        let head = String::from_utf8_lossy(&self.buffer[..header_end]).to_string();
        let status: u16 = head.split(' ').nth(1).and_then(|s| s.parse().ok()).context("no status")?;
        let length: usize = head
            .lines()
            .find_map(|line| line.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().to_string()))
            .and_then(|v| v.parse().ok())
            .context("no content-length")?;
        while self.buffer.len() < header_end + length {
            let read = self.stream.read(&mut chunk).await?;
            if read == 0 {
                bail!("the server closed the connection");
            }
            self.buffer.extend_from_slice(&chunk[..read]);
        }
        Ok((status, self.buffer[header_end..header_end + length].to_vec()))
    }
}

fn request(method: &str, path: &str, token: Option<&str>, body: &str) -> Vec<u8> {
    let mut text = format!("{method} {path} HTTP/1.1\r\nHost: bench\r\nContent-Length: {}\r\n", body.len());
    if let Some(token) = token {
        text.push_str(&format!("Authorization: Bearer {token}\r\n"));
    }
    if !body.is_empty() {
        text.push_str("Content-Type: application/json\r\n");
    }
    text.push_str("\r\n");
    text.push_str(body);
    text.into_bytes()
}

#[derive(Clone, Copy)]
enum Work {
    Read,
    Write,
}

/// Closed loop: every connection sends as fast as answers come back. Returns requests per second.
async fn saturate(args: &Args, work: Work, read: &[u8], write: &[u8]) -> anyhow::Result<f64> {
    let deadline = Instant::now() + Duration::from_secs(args.seconds);
    let mut tasks = Vec::new();
    for _ in 0..args.connections {
        let address = args.address.clone();
        let message = match work {
            Work::Read => read.to_vec(),
            Work::Write => write.to_vec(),
        };
        tasks.push(tokio::spawn(async move {
            let mut connection = Connection::open(&address).await?;
            let mut done: u64 = 0;
            while Instant::now() < deadline {
                let (status, body) = connection.send(&message).await?;
                if status >= 300 {
                    bail!("status {status}: {}", String::from_utf8_lossy(&body));
                }
                done += 1;
            }
            anyhow::Ok(done)
        }));
    }
    let started = Instant::now();
    let mut total = 0;
    for task in tasks {
        total += task.await??;
    }
    Ok(total as f64 / started.elapsed().as_secs_f64().max(args.seconds as f64))
}

/// Open loop at a fixed total rate; returns (achieved rate, p50 ms, p99 ms).
async fn at_rate(args: &Args, rate: f64, message: &[u8]) -> anyhow::Result<(f64, f64, f64)> {
    let per_connection = rate / args.connections as f64;
    let interval = Duration::from_secs_f64(1.0 / per_connection.max(0.001));
    let count = (per_connection * args.seconds as f64).ceil() as u64;
    let start = Instant::now() + Duration::from_millis(50);
    let mut tasks = Vec::new();
    for index in 0..args.connections {
        let address = args.address.clone();
        let message = message.to_vec();
        // Spread the connections' schedules across one interval.
        let offset = interval.mul_f64(index as f64 / args.connections as f64);
        tasks.push(tokio::spawn(async move {
            let mut connection = Connection::open(&address).await?;
            let mut latencies = Vec::with_capacity(usize::try_from(count).unwrap_or(0));
            for n in 0..count {
                let scheduled = start + offset + interval.mul_f64(n as f64);
                tokio::time::sleep_until(scheduled.into()).await;
                let (status, body) = connection.send(&message).await?;
                if status >= 300 {
                    bail!("status {status}: {}", String::from_utf8_lossy(&body));
                }
                latencies.push(scheduled.elapsed());
            }
            anyhow::Ok(latencies)
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await??);
    }
    let elapsed = start.elapsed().as_secs_f64();
    all.sort();
    let percentile = |p: usize| all.get((all.len() * p / 100).min(all.len().saturating_sub(1))).map_or(0.0, |d| d.as_secs_f64() * 1000.0);
    Ok((all.len() as f64 / elapsed, percentile(50), percentile(99)))
}

fn memory(pid: u32) -> String {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| status.lines().find(|l| l.starts_with(name)).and_then(|l| l.split_whitespace().nth(1)).and_then(|kib| kib.parse::<u64>().ok());
    match (field("VmRSS:"), field("VmHWM:")) {
        (Some(rss), Some(peak)) => format!("resident {} MiB, peak {} MiB", rss / 1024, peak / 1024),
        _ => "unknown".to_string(),
    }
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async {
        let mut connection = Connection::open(&args.address).await?;
        let credentials = serde_json::json!({"name": "load", "username": args.username, "password": args.password}).to_string();
        let (status, body) = connection.send(&request("POST", "/api/v1/tokens", None, &credentials)).await?;
        if status != 201 {
            bail!("cannot get a token ({status}): {}", String::from_utf8_lossy(&body));
        }
        let token: serde_json::Value = serde_json::from_slice(&body)?;
        let token = token["token"].as_str().context("no token")?.to_string();
        let read = request("GET", &format!("/api/v1/ventures/{}/split", args.venture), None, "");
        let entry = serde_json::json!({"kind": "time", "date": args.date, "quantity": "15m", "note": "load"}).to_string();
        let write = request("POST", &format!("/api/v1/ventures/{}/entries", args.venture), Some(&token), &entry);
        let (status, body) = connection.send(&read).await?;
        println!("split response: {status}, {} bytes", body.len());

        if args.only.as_deref() != Some("writes") {
            let reads = saturate(&args, Work::Read, &read, &write).await?;
            println!("split reads, {} connections: {reads:.0} requests/s", args.connections);
            let (rate, p50, p99) = at_rate(&args, reads / 2.0, &read).await?;
            println!("split reads at {rate:.0}/s (half): p50 {p50:.2} ms, p99 {p99:.2} ms");
        }
        if args.only.as_deref() != Some("reads") {
            let writes = saturate(&args, Work::Write, &read, &write).await?;
            println!("writes (log a contribution), {} connections: {writes:.0} requests/s", args.connections);
            let (rate, p50, p99) = at_rate(&args, writes / 2.0, &write).await?;
            println!("writes at {rate:.0}/s (half): p50 {p50:.2} ms, p99 {p99:.2} ms");
        }
        if let Some(pid) = args.server_pid {
            println!("server memory: {}", memory(pid));
        }
        anyhow::Ok(())
    })
}
