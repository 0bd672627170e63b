//! A load generator for krb-proxy (and any Negotiate-protected HTTP/1.1 server): N keep-alive
//! connections, each driven by its own task, each request carrying a fresh Negotiate token made
//! by krb-core's pure-Rust initiator, so the server's replay cache stays on and sees a new
//! authenticator every time.
//!
//! ```text
//! loadgen --url URL --ccache FILE --spn HTTP/host [--connections N]
//!         [--duration 10s | --requests N] [--fresh-token | --no-auth]
//!         [--host-header api.example.test:PORT] [--threads N] [--json]
//! ```
//!
//! The ticket is loaded once from the MIT credential cache (`kinit` then `kvno HTTP/host`);
//! every request gets a new SPNEGO token (mutual authentication off) with its own ctime/cusec.
//! `--no-auth` sends no `Authorization` header (the public route). It prints requests/s, the
//! latency percentiles (p50, p99, p99.9, from every request's latency) and the count of
//! non-2xx responses; `--json` prints the same as one JSON line on stdout. It exits 1 when most
//! responses were not 2xx (the setup is wrong: a 401 means the server did not take the token)
//! and 2 on a setup error (bad arguments, no ticket, no server).
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use http_body_util::{BodyExt as _, Empty};
use hyper::Request;
use hyper::client::conn::http1;
use hyper::header::{AUTHORIZATION, HOST, HeaderValue};
use hyper_util::rt::TokioIo;
use krb_core::ccache::Ccache;
use krb_core::initiator::{InitiatorOptions, ServiceTicket, TokenFormat, initiate};
use krb_core::principal::Principal;
use tokio::net::TcpStream;

const USAGE: &str = "usage: loadgen --url URL (--ccache FILE --spn HTTP/host | --no-auth) \
[--connections N] [--duration 10s | --requests N] [--fresh-token] [--host-header HOST[:PORT]] \
[--threads N] [--json]";

/// When the run ends.
#[derive(Clone, Copy, Debug)]
enum Stop {
    After(Duration),
    Requests(u64),
}

#[derive(Debug)]
struct Args {
    url: hyper::Uri,
    ccache: Option<String>,
    spn: Option<String>,
    connections: usize,
    stop: Stop,
    no_auth: bool,
    host_header: Option<String>,
    threads: usize,
    json: bool,
}

/// `500ms`, `10s`, `2m`, or a bare number of seconds.
fn parse_duration(text: &str) -> Result<Duration, String> {
    let bad = || format!("--duration {text}: expected a number followed by ms, s or m (e.g. 10s)");
    let (num, unit) = match text.find(|c: char| !c.is_ascii_digit() && c != '.') {
        Some(i) => text.split_at_checked(i).ok_or_else(bad)?,
        None => (text, "s"),
    };
    let n: f64 = num.parse().map_err(|_| bad())?;
    let secs = match unit {
        "ms" => n / 1000.0,
        "s" => n,
        "m" => n * 60.0,
        _ => return Err(bad()),
    };
    if !(secs > 0.0 && secs.is_finite()) {
        return Err(bad());
    }
    Ok(Duration::from_secs_f64(secs))
}

fn parse_args() -> Result<Args, String> {
    let mut it = std::env::args().skip(1);
    let mut url = None;
    let mut ccache = None;
    let mut spn = None;
    let mut connections = 32usize;
    let mut duration = None;
    let mut requests = None;
    let mut no_auth = false;
    let mut fresh = false;
    let mut host_header = None;
    let mut threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut json = false;
    while let Some(flag) = it.next() {
        let mut value = || {
            it.next()
                .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))
        };
        match flag.as_str() {
            "--url" => url = Some(value()?),
            "--ccache" => ccache = Some(value()?),
            "--spn" => spn = Some(value()?),
            "--connections" | "-c" => {
                connections = value()?
                    .parse()
                    .map_err(|e| format!("--connections: {e}"))?;
            }
            "--duration" | "-d" => duration = Some(parse_duration(&value()?)?),
            "--requests" | "-n" => {
                requests = Some(
                    value()?
                        .parse::<u64>()
                        .map_err(|e| format!("--requests: {e}"))?,
                );
            }
            "--threads" => threads = value()?.parse().map_err(|e| format!("--threads: {e}"))?,
            "--host-header" => host_header = Some(value()?),
            "--fresh-token" => fresh = true,
            "--no-auth" => no_auth = true,
            "--json" => json = true,
            "-h" | "--help" => return Err(USAGE.to_string()),
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    let url: hyper::Uri = url
        .ok_or_else(|| format!("--url is required\n{USAGE}"))?
        .parse()
        .map_err(|e| format!("--url: {e}"))?;
    if url.scheme_str() != Some("http") {
        return Err(format!(
            "--url {url}: only http:// URLs are supported (TLS would measure the TLS stack)"
        ));
    }
    if fresh && no_auth {
        return Err("--fresh-token and --no-auth exclude each other".into());
    }
    if !no_auth && (ccache.is_none() || spn.is_none()) {
        return Err(format!(
            "--ccache and --spn are required unless --no-auth\n{USAGE}"
        ));
    }
    if connections == 0 || threads == 0 {
        return Err("--connections and --threads must be at least 1".into());
    }
    let stop = match (duration, requests) {
        (Some(_), Some(_)) => return Err("give --duration or --requests, not both".into()),
        (None, Some(0)) => return Err("--requests must be at least 1".into()),
        (None, Some(n)) => Stop::Requests(n),
        (Some(d), None) => Stop::After(d),
        (None, None) => Stop::After(Duration::from_secs(10)),
    };
    Ok(Args {
        url,
        ccache,
        spn,
        connections,
        stop,
        no_auth,
        host_header,
        threads,
        json,
    })
}

fn load_ticket(path: &str, spn: &str) -> Result<ServiceTicket, String> {
    let bytes = std::fs::read(path).map_err(|e| {
        format!("cannot read the credential cache {path}: {e}; run kinit and kvno {spn} first")
    })?;
    let ccache = Ccache::parse(&bytes).map_err(|e| format!("{path}: {e}"))?;
    let service = Principal::parse(spn, Some(&ccache.default_principal.realm))
        .map_err(|e| format!("--spn {spn}: {e}"))?;
    ServiceTicket::from_ccache(&ccache, &service).map_err(|e| format!("{path}: {e}"))
}

/// What one connection's task saw.
#[derive(Debug, Default)]
struct TaskResult {
    /// Latency of every completed request, in nanoseconds.
    latencies: Vec<u64>,
    ok: u64,
    non_2xx: u64,
    /// Status of the first non-2xx response, to say what went wrong.
    first_bad_status: Option<u16>,
    errors: u64,
    first_error: Option<String>,
    reconnects: u64,
}

/// Everything the tasks share.
#[derive(Debug)]
struct Shared {
    addr: String,
    path_and_query: String,
    host: HeaderValue,
    ticket: Option<ServiceTicket>,
    options: InitiatorOptions,
    deadline: Option<Instant>,
    /// Requests still to start, for `--requests`.
    remaining: AtomicU64,
    limited: bool,
}

impl Shared {
    /// Claims one more request; false when the run is over.
    fn claim(&self) -> bool {
        if let Some(deadline) = self.deadline
            && Instant::now() >= deadline
        {
            return false;
        }
        if self.limited {
            return self
                .remaining
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
                .is_ok();
        }
        true
    }

    fn request(&self) -> Result<Request<Empty<Bytes>>, String> {
        let mut req = Request::get(self.path_and_query.as_str())
            .header(HOST, self.host.clone())
            .body(Empty::<Bytes>::new())
            .map_err(|e| e.to_string())?;
        if let Some(ticket) = &self.ticket {
            let (token, _context) =
                initiate(ticket, &self.options, SystemTime::now()).map_err(|e| e.to_string())?;
            let value = format!("Negotiate {}", STANDARD.encode(token));
            req.headers_mut().insert(
                AUTHORIZATION,
                HeaderValue::try_from(value).map_err(|e| e.to_string())?,
            );
        }
        Ok(req)
    }
}

type Sender = http1::SendRequest<Empty<Bytes>>;

async fn connect(addr: &str) -> Result<Sender, String> {
    let stream = TcpStream::connect(addr)
        .await
        .map_err(|e| format!("cannot connect to {addr}: {e}"))?;
    stream.set_nodelay(true).map_err(|e| e.to_string())?;
    let (sender, conn) = http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| format!("HTTP/1.1 handshake with {addr}: {e}"))?;
    tokio::spawn(async move {
        // The connection ends when the server closes it or the sender is dropped; the
        // request that sees it closed reports the error.
        let _ = conn.await;
    });
    Ok(sender)
}

async fn drive(shared: Arc<Shared>) -> TaskResult {
    let mut result = TaskResult::default();
    let mut sender: Option<Sender> = None;
    while shared.claim() {
        let mut s = match sender.take() {
            Some(s) if !s.is_closed() => s,
            previous => {
                if previous.is_some() {
                    result.reconnects += 1;
                }
                match connect(&shared.addr).await {
                    Ok(s) => s,
                    Err(e) => {
                        result.errors += 1;
                        result.first_error.get_or_insert(e);
                        // Do not spin on a dead server.
                        tokio::time::sleep(Duration::from_millis(10)).await;
                        continue;
                    }
                }
            }
        };
        if s.ready().await.is_err() {
            result.reconnects += 1;
            continue;
        }
        let req = match shared.request() {
            Ok(r) => r,
            Err(e) => {
                result.errors += 1;
                result.first_error.get_or_insert(e);
                break;
            }
        };
        let start = Instant::now();
        let outcome = match s.send_request(req).await {
            Ok(resp) => {
                let status = resp.status();
                match resp.into_body().collect().await {
                    Ok(_) => Ok(status),
                    Err(e) => Err(format!("reading the body: {e}")),
                }
            }
            Err(e) => Err(format!("request: {e}")),
        };
        let nanos = u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX);
        match outcome {
            Ok(status) => {
                result.latencies.push(nanos);
                if status.is_success() {
                    result.ok += 1;
                } else {
                    result.non_2xx += 1;
                    result.first_bad_status.get_or_insert(status.as_u16());
                }
                sender = Some(s);
            }
            Err(e) => {
                result.errors += 1;
                result.first_error.get_or_insert(e);
            }
        }
    }
    result
}

/// The value at quantile `per_mille`/1000 of sorted `v` (nearest rank), in microseconds.
fn percentile_us(v: &[u64], per_mille: u64) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    // Nearest rank: the smallest index i with (i + 1) / len >= per_mille / 1000.
    let len = u64::try_from(v.len()).unwrap_or(u64::MAX);
    let rank = (len.saturating_mul(per_mille).div_ceil(1000)).max(1);
    let idx = usize::try_from(rank.saturating_sub(1))
        .unwrap_or(usize::MAX)
        .min(v.len().saturating_sub(1));
    v.get(idx).map_or(0.0, |&ns| ns as f64 / 1000.0)
}

fn run() -> Result<ExitCode, String> {
    let args = parse_args()?;
    let ticket = match (&args.ccache, &args.spn, args.no_auth) {
        (_, _, true) => None,
        (Some(c), Some(s), false) => Some(load_ticket(c, s)?),
        _ => return Err(USAGE.into()),
    };
    let authority = args
        .url
        .authority()
        .ok_or_else(|| format!("--url {}: no host", args.url))?;
    let port = authority.port_u16().unwrap_or(80);
    let addr = format!("{}:{port}", authority.host());
    let host = HeaderValue::try_from(
        args.host_header
            .clone()
            .unwrap_or_else(|| authority.as_str().to_string()),
    )
    .map_err(|e| format!("--host-header: {e}"))?;
    let path_and_query = args
        .url
        .path_and_query()
        .map_or_else(|| "/".to_string(), |p| p.as_str().to_string());

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(args.threads)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;

    // One request first, outside the measurement: a setup error (no server, a 401 because
    // the keytab does not match) is reported at once, not as a run of failures.
    let probe = Shared {
        addr: addr.clone(),
        path_and_query: path_and_query.clone(),
        host: host.clone(),
        ticket: ticket.clone(),
        options: InitiatorOptions {
            format: TokenFormat::Spnego,
            mutual: false,
            ..Default::default()
        },
        deadline: None,
        remaining: AtomicU64::new(1),
        limited: true,
    };
    let probe_result = rt.block_on(drive(Arc::new(probe)));
    if let Some(e) = probe_result.first_error {
        return Err(format!("the first request failed: {e}"));
    }
    if let Some(status) = probe_result.first_bad_status {
        return Err(format!(
            "the first request got HTTP {status}, not 2xx: check the URL, the route, the SPN \
             and the keytab (a 401 means the server did not accept the token)"
        ));
    }

    let (deadline, remaining, limited) = match args.stop {
        Stop::After(d) => (Some(Instant::now() + d), 0, false),
        Stop::Requests(n) => (None, n, true),
    };
    let shared = Arc::new(Shared {
        addr,
        path_and_query,
        host,
        ticket,
        options: InitiatorOptions {
            format: TokenFormat::Spnego,
            mutual: false,
            ..Default::default()
        },
        deadline,
        remaining: AtomicU64::new(remaining),
        limited,
    });
    let start = Instant::now();
    let results = rt.block_on(async {
        let tasks: Vec<_> = (0..args.connections)
            .map(|_| tokio::spawn(drive(Arc::clone(&shared))))
            .collect();
        let mut out = Vec::with_capacity(tasks.len());
        for t in tasks {
            out.push(t.await);
        }
        out
    });
    let elapsed = start.elapsed().as_secs_f64();

    let mut all = TaskResult::default();
    for r in results {
        let r = r.map_err(|e| format!("a connection task failed: {e}"))?;
        all.latencies.extend(r.latencies);
        all.ok += r.ok;
        all.non_2xx += r.non_2xx;
        all.errors += r.errors;
        all.reconnects += r.reconnects;
        if all.first_bad_status.is_none() {
            all.first_bad_status = r.first_bad_status;
        }
        if all.first_error.is_none() {
            all.first_error = r.first_error;
        }
    }
    all.latencies.sort_unstable();
    let done = all.ok + all.non_2xx;
    let rps = done as f64 / elapsed;
    let (p50, p99, p999) = (
        percentile_us(&all.latencies, 500),
        percentile_us(&all.latencies, 990),
        percentile_us(&all.latencies, 999),
    );
    let mode = if args.no_auth {
        "no-auth"
    } else {
        "fresh-token"
    };
    if args.json {
        println!(
            "{{\"url\":\"{}\",\"mode\":\"{mode}\",\"connections\":{},\"seconds\":{elapsed:.3},\
             \"requests\":{done},\"ok\":{},\"non_2xx\":{},\"errors\":{},\"reconnects\":{},\
             \"rps\":{rps:.1},\"p50_us\":{p50:.1},\"p99_us\":{p99:.1},\"p999_us\":{p999:.1}}}",
            args.url, args.connections, all.ok, all.non_2xx, all.errors, all.reconnects
        );
    } else {
        println!(
            "{} ({mode}), {} connections, {elapsed:.2} s",
            args.url, args.connections
        );
        println!(
            "requests: {done} ({} 2xx, {} non-2xx, {} errors, {} reconnects)",
            all.ok, all.non_2xx, all.errors, all.reconnects
        );
        println!("requests/s: {rps:.0}");
        println!("latency: p50 {p50:.0} us, p99 {p99:.0} us, p99.9 {p999:.0} us");
    }
    if let Some(e) = &all.first_error {
        eprintln!("loadgen: first error: {e}");
    }
    if all.ok == 0 || all.non_2xx + all.errors > all.ok {
        eprintln!(
            "loadgen: most requests failed ({} 2xx, {} non-2xx (first: {}), {} errors): the setup \
             is wrong",
            all.ok,
            all.non_2xx,
            all.first_bad_status
                .map_or_else(|| "none".to_string(), |s| s.to_string()),
            all.errors
        );
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("loadgen: {e}");
            ExitCode::from(2)
        }
    }
}
