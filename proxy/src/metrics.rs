//! Prometheus metrics in the text exposition format, kept with atomics (no lock on the hot path
//! once a label set exists).

use std::collections::HashMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// A fixed-bucket histogram of durations in seconds.
#[derive(Debug)]
pub struct Histogram {
    bounds: &'static [f64],
    counts: Vec<AtomicU64>,
    sum_nanos: AtomicU64,
    count: AtomicU64,
}

const LATENCY_BOUNDS: &[f64] = &[
    0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
    1.0, 2.5, 5.0, 10.0, 30.0,
];

impl Histogram {
    fn new(bounds: &'static [f64]) -> Histogram {
        Histogram {
            bounds,
            counts: bounds.iter().map(|_| AtomicU64::new(0)).collect(),
            sum_nanos: AtomicU64::new(0),
            count: AtomicU64::new(0),
        }
    }

    /// Records one observation.
    pub fn observe(&self, d: Duration) {
        let secs = d.as_secs_f64();
        if let Some(i) = self.bounds.iter().position(|&b| secs <= b)
            && let Some(c) = self.counts.get(i)
        {
            c.fetch_add(1, Ordering::Relaxed);
        }
        let nanos = u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
        self.sum_nanos.fetch_add(nanos, Ordering::Relaxed);
        self.count.fetch_add(1, Ordering::Relaxed);
    }

    fn render(&self, out: &mut String, name: &str, help: &str) {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} histogram");
        let mut cumulative = 0u64;
        for (bound, count) in self.bounds.iter().zip(&self.counts) {
            cumulative += count.load(Ordering::Relaxed);
            let _ = writeln!(out, "{name}_bucket{{le=\"{bound}\"}} {cumulative}");
        }
        let total = self.count.load(Ordering::Relaxed);
        let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {total}");
        let sum = self.sum_nanos.load(Ordering::Relaxed) as f64 / 1e9;
        let _ = writeln!(out, "{name}_sum {sum}\n{name}_count {total}");
    }
}

/// A counter family keyed by a label set.
#[derive(Debug)]
struct Family<K> {
    map: RwLock<HashMap<K, Arc<AtomicU64>>>,
}

impl<K: std::hash::Hash + Eq + Clone> Family<K> {
    fn new() -> Self {
        Family {
            map: RwLock::new(HashMap::new()),
        }
    }

    fn inc(&self, key: &K) {
        if let Ok(map) = self.map.read()
            && let Some(c) = map.get(key)
        {
            c.fetch_add(1, Ordering::Relaxed);
            return;
        }
        if let Ok(mut map) = self.map.write() {
            map.entry(key.clone())
                .or_insert_with(|| Arc::new(AtomicU64::new(0)))
                .fetch_add(1, Ordering::Relaxed);
        }
    }

    fn snapshot(&self) -> Vec<(K, u64)> {
        self.map.read().map_or_else(
            |_| Vec::new(),
            |m| {
                m.iter()
                    .map(|(k, v)| (k.clone(), v.load(Ordering::Relaxed)))
                    .collect()
            },
        )
    }
}

/// All proxy metrics.
#[derive(Debug)]
pub struct Metrics {
    requests: Family<(Arc<str>, u16)>,
    rejections: Family<&'static str>,
    /// Time spent in `Authenticator::authenticate`.
    pub accept_latency: Histogram,
    /// Time from sending a request upstream to its response head.
    pub upstream_latency: Histogram,
    sessions_issued: AtomicU64,
    sessions_accepted: AtomicU64,
    in_flight: AtomicI64,
    reloads_ok: AtomicU64,
    reloads_failed: AtomicU64,
}

impl Default for Metrics {
    fn default() -> Self {
        // Every authenticator failure label exists from the start (at 0), so dashboards and alerts
        // see the series before the first failure.
        let rejections = Family::new();
        if let Ok(mut map) = rejections.map.write() {
            for kind in crate::auth::FailureKind::ALL {
                map.insert(kind.label(), Arc::new(AtomicU64::new(0)));
            }
        }
        Metrics {
            requests: Family::new(),
            rejections,
            accept_latency: Histogram::new(LATENCY_BOUNDS),
            upstream_latency: Histogram::new(LATENCY_BOUNDS),
            sessions_issued: AtomicU64::new(0),
            sessions_accepted: AtomicU64::new(0),
            in_flight: AtomicI64::new(0),
            reloads_ok: AtomicU64::new(0),
            reloads_failed: AtomicU64::new(0),
        }
    }
}

/// Values read at scrape time from the live state.
#[derive(Debug, Default)]
pub struct Gauges {
    /// `Authenticator::replay_cache_len`.
    pub replay_cache: Option<usize>,
    /// Idle upstream connections.
    pub upstream_idle: usize,
}

impl Metrics {
    /// Counts a finished request.
    pub fn request(&self, route: Option<&Arc<str>>, status: u16) {
        static NONE: std::sync::OnceLock<Arc<str>> = std::sync::OnceLock::new();
        let route = route
            .cloned()
            .unwrap_or_else(|| NONE.get_or_init(|| Arc::from("none")).clone());
        self.requests.inc(&(route, status));
    }

    /// Counts a rejection by reason label (a `FailureKind` label or a proxy reason).
    pub fn rejection(&self, reason: &'static str) {
        self.rejections.inc(&reason);
    }

    /// A session was issued.
    pub fn session_issued(&self) {
        self.sessions_issued.fetch_add(1, Ordering::Relaxed);
    }

    /// A request was authenticated by its session.
    pub fn session_accepted(&self) {
        self.sessions_accepted.fetch_add(1, Ordering::Relaxed);
    }

    /// A request started (+1) or ended (-1).
    pub fn in_flight(&self, delta: i64) {
        self.in_flight.fetch_add(delta, Ordering::Relaxed);
    }

    /// A reload finished.
    pub fn reload(&self, ok: bool) {
        if ok {
            self.reloads_ok.fetch_add(1, Ordering::Relaxed);
        } else {
            self.reloads_failed.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// The text exposition.
    pub fn render(&self, gauges: &Gauges) -> String {
        let mut out = String::with_capacity(4096);
        out.push_str("# HELP krb_proxy_requests_total Requests by route and status.\n# TYPE krb_proxy_requests_total counter\n");
        let mut requests = self.requests.snapshot();
        requests.sort();
        for ((route, status), n) in requests {
            let _ = writeln!(
                out,
                "krb_proxy_requests_total{{route=\"{}\",status=\"{status}\"}} {n}",
                escape(&route)
            );
        }
        out.push_str("# HELP krb_proxy_rejections_total Requests refused, by reason.\n# TYPE krb_proxy_rejections_total counter\n");
        let mut rejections = self.rejections.snapshot();
        rejections.sort();
        for (reason, n) in rejections {
            let _ = writeln!(out, "krb_proxy_rejections_total{{reason=\"{reason}\"}} {n}");
        }
        self.accept_latency.render(
            &mut out,
            "krb_proxy_accept_seconds",
            "Time to validate a Negotiate token.",
        );
        self.upstream_latency.render(
            &mut out,
            "krb_proxy_upstream_seconds",
            "Time from forwarding a request to the upstream's response head.",
        );
        let counters = [
            (
                "krb_proxy_sessions_issued_total",
                "Session cookies issued.",
                self.sessions_issued.load(Ordering::Relaxed),
            ),
            (
                "krb_proxy_sessions_accepted_total",
                "Requests authenticated by a session.",
                self.sessions_accepted.load(Ordering::Relaxed),
            ),
            (
                "krb_proxy_reloads_total",
                "Successful reloads.",
                self.reloads_ok.load(Ordering::Relaxed),
            ),
            (
                "krb_proxy_reload_failures_total",
                "Reloads refused (the previous state kept serving).",
                self.reloads_failed.load(Ordering::Relaxed),
            ),
        ];
        for (name, help, v) in counters {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {v}"
            );
        }
        let _ = writeln!(
            out,
            "# HELP krb_proxy_in_flight Requests being served.\n# TYPE krb_proxy_in_flight gauge\nkrb_proxy_in_flight {}",
            self.in_flight.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            out,
            "# HELP krb_proxy_upstream_idle_connections Idle pooled upstream connections.\n# TYPE krb_proxy_upstream_idle_connections gauge\nkrb_proxy_upstream_idle_connections {}",
            gauges.upstream_idle
        );
        if let Some(n) = gauges.replay_cache {
            let _ = writeln!(
                out,
                "# HELP krb_proxy_replay_cache_entries Entries in the Kerberos replay cache.\n# TYPE krb_proxy_replay_cache_entries gauge\nkrb_proxy_replay_cache_entries {n}"
            );
        }
        out
    }
}

fn escape(label: &str) -> String {
    label
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_histograms() {
        let m = Metrics::default();
        let r: Arc<str> = Arc::from("/api/\"x");
        m.request(Some(&r), 200);
        m.request(Some(&r), 200);
        m.request(None, 404);
        m.rejection("skew");
        m.accept_latency.observe(Duration::from_micros(40));
        let text = m.render(&Gauges {
            replay_cache: Some(3),
            upstream_idle: 1,
        });
        assert!(
            text.contains("krb_proxy_requests_total{route=\"/api/\\\"x\",status=\"200\"} 2"),
            "{text}"
        );
        assert!(text.contains("krb_proxy_requests_total{route=\"none\",status=\"404\"} 1"));
        assert!(text.contains("krb_proxy_rejections_total{reason=\"skew\"} 1"));
        assert!(text.contains("krb_proxy_rejections_total{reason=\"replay\"} 0"));
        assert!(text.contains("krb_proxy_rejections_total{reason=\"channel_bindings\"} 0"));
        assert!(text.contains("krb_proxy_accept_seconds_bucket{le=\"0.00005\"} 1"));
        assert!(text.contains("krb_proxy_accept_seconds_count 1"));
        assert!(text.contains("krb_proxy_replay_cache_entries 3"));
    }
}
