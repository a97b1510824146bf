//! Synthetic, deterministic container logs for `GET …/pods/{name}/log`.
//!
//! The lab runs no real containers, so this module invents what each component of the
//! lakehouse would have printed: a startup banner, steady-state lines at the component's
//! usual cadence, and — for an instance that died — the last lines before the crash. The
//! lines imitate each component's real format (Trino/Airlift, Strimzi's log4j pattern,
//! Airflow, PostgreSQL, Quarkus, klog, logrus, logfmt, nginx access logs, …) so that what
//! an on-call engineer reads in the lab looks like what they will read in production.
//!
//! Everything is a pure function of the [`LogSource`] and the asked-for window: no I/O,
//! no clock, no global state. Repeated calls — a `kubectl logs -f` polling later and later
//! windows — therefore never duplicate or skip a line.
//!
//! Cost: steady-state record `k` is stamped `base + k·period + jitter(k)` with
//! `0 <= jitter < period`, so the first record of any window is found with one division,
//! and a window over a month-old container only formats the lines it returns.

use std::cell::Cell;

use jiff::Timestamp;
use jiff::tz::TimeZone;

/// Which container instance to invent logs for.
#[derive(Debug, Clone, Copy)]
pub struct LogSource<'a> {
    /// Container image, e.g. `trinodb/trino:476`; picks the component's log style.
    pub image: &'a str,
    pub namespace: &'a str,
    pub pod: &'a str,
    pub container: &'a str,
    /// When this container instance started; a restarted container gets new lines.
    pub started_at: Timestamp,
}

/// One log line as the kubelet stores it: when it was written and its text (no newline).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    pub at: Timestamp,
    pub text: String,
}

/// Startup banner lines (at `started_at` + small offsets) followed by steady-state lines
/// at a component-typical cadence (with deterministic jitter), for lines whose timestamp
/// is in `[from, to)`. Never more than `max` lines: when the window holds more, the LAST
/// `max` are returned (what `--tail` wants), and only those are generated.
pub fn lines_between(src: &LogSource, from: Timestamp, to: Timestamp, max: usize) -> Vec<LogLine> {
    let (from_ns, to_ns) = (from.as_nanosecond(), to.as_nanosecond());
    if max == 0 || from_ns >= to_ns {
        return Vec::new();
    }
    let ctx = Ctx::new(src);
    let plan = Plan::new(&ctx);
    let mut out = plan.steady_tail(&ctx, from_ns, to_ns, max);
    // Banner lines all precede the first steady record, so they are only needed when the
    // steady part did not already fill `max` and the window reaches back into startup.
    if out.len() < max && from_ns < plan.cadence.base {
        let room = max - out.len();
        let mut banner: Vec<LogLine> = plan
            .banner
            .iter()
            .map(|(off, e)| (plan.started + off, e))
            .filter(|(at, _)| *at >= from_ns && *at < to_ns)
            .filter_map(|(at, e)| line(plan.fmt, at, e))
            .collect();
        if banner.len() > room {
            banner.drain(..banner.len() - room);
        }
        banner.append(&mut out);
        out = banner;
    }
    out
}

/// The last lines a crashed instance wrote before dying, ending with the fatal error,
/// stamped just before `died_at` (and after every line [`lines_between`] gives for the
/// same instance, so appending them keeps the log in time order). `reason` is the
/// container's terminated reason (`Error`, `OOMKilled`, `Completed`, …).
///
/// The exit code picks the kind of ending: `OOMKilled`/137 running out of memory (a JVM's
/// 3 too: `-XX:+ExitOnOutOfMemoryError`), 143/130 a clean shutdown on SIGTERM, 0 a
/// finished run, 139 a segfault, 2 from a Go binary a panic, anything else the
/// component's own fatal error — a configuration or dependency failure if the instance
/// died before finishing its startup banner, a runtime failure otherwise.
pub fn crash_lines(
    src: &LogSource,
    died_at: Timestamp,
    reason: &str,
    exit_code: i32,
) -> Vec<LogLine> {
    let ctx = Ctx::new(src);
    let plan = Plan::new(&ctx);
    let died = died_at.as_nanosecond();
    let startup = died < plan.cadence.base;
    let death = Death::classify(reason, exit_code, startup, ctx.comp.runtime());
    // What the instance got to print of its banner decides which failure is plausible
    // (a worker cannot fail to reach Kafka after it has logged the cluster id).
    let seen: Vec<&Entry> = plan
        .banner
        .iter()
        .filter(|(off, _)| plan.started + off < died)
        .map(|(_, e)| e)
        .collect();
    let next = plan.cadence.first_at_or_after(died);
    let entries = crash_entries(&ctx, death, died_at, &seen, next);
    let floor = plan.last_line_before(&ctx, died).unwrap_or(plan.started);
    spread(&entries, floor, died)
        .into_iter()
        .zip(entries.iter())
        .filter_map(|(at, e)| line(plan.fmt, at, e))
        .collect()
}

// ---------------------------------------------------------------------------------------
// Hashing and dice: tiny, dependency-free and stable across platforms and releases, which
// std's `DefaultHasher` does not promise.

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0100_0000_01b3;
const GOLDEN: u64 = 0x9e37_79b9_7f4a_7c15;

fn fnv1a(h: u64, bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .fold(h, |h, b| (h ^ u64::from(*b)).wrapping_mul(FNV_PRIME))
}

/// splitmix64's finaliser: spreads nearby inputs (k, k+1, …) over the whole range.
fn finalize(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn mix(a: u64, b: u64) -> u64 {
    finalize(a ^ finalize(b.wrapping_add(GOLDEN)))
}

fn hash_str(s: &str) -> u64 {
    finalize(fnv1a(FNV_OFFSET, s.as_bytes()))
}

/// A splitmix64 stream: every line draws its choices from its own seeded stream, so a
/// line's text never depends on which other lines were generated before it.
///
/// Interior mutability lets a banner builder draw from its dice while a line is being
/// added (`b.after(ms, … b.dice.range(…) …)`).
struct Dice(Cell<u64>);

impl Dice {
    fn new(seed: u64) -> Self {
        Dice(Cell::new(seed))
    }
    fn next(&self) -> u64 {
        let s = self.0.get().wrapping_add(GOLDEN);
        self.0.set(s);
        finalize(s)
    }
    fn below(&self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }
    /// Inclusive range.
    fn range(&self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi.saturating_sub(lo).saturating_add(1))
    }
    fn chance(&self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn pick<'s>(&self, items: &[&'s str]) -> &'s str {
        let i = self.below(items.len() as u64) as usize;
        items.get(i).copied().unwrap_or("")
    }
    fn hex(&self, len: usize) -> String {
        (0..len)
            .map(|_| char::from(b"0123456789abcdef"[(self.next() % 16) as usize]))
            .collect()
    }
    fn alnum(&self, len: usize) -> String {
        const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
        (0..len)
            .map(|_| char::from(CHARS[(self.next() % CHARS.len() as u64) as usize]))
            .collect()
    }
    /// A ULID-looking id (Crockford base32), as Prometheus names its TSDB blocks.
    fn ulid(&self) -> String {
        const CHARS: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
        let tail: String = (0..23)
            .map(|_| char::from(CHARS[(self.next() % 32) as usize]))
            .collect();
        format!("01J{tail}")
    }
    fn uuid(&self) -> String {
        format!(
            "{}-{}-{}-{}-{}",
            self.hex(8),
            self.hex(4),
            self.hex(4),
            self.hex(4),
            self.hex(12)
        )
    }
    /// A float with `decimals` digits in `[lo, hi]`, as text.
    fn float(&self, lo: u64, hi: u64, decimals: u32) -> String {
        let scale = 10u64.pow(decimals);
        let v = self.range(lo * scale, hi * scale);
        if decimals == 0 {
            return v.to_string();
        }
        format!(
            "{}.{:0width$}",
            v / scale,
            v % scale,
            width = decimals as usize
        )
    }
}

// ---------------------------------------------------------------------------------------
// Time.

const NS_PER_US: i128 = 1_000;
const NS_PER_MS: i128 = 1_000_000;
const NS_PER_S: i128 = 1_000_000_000;
/// Lines of one record (stack frames, a banner block) are this far apart: the kubelet
/// reads them in one burst, but stamps each line separately.
const CONT_NS: i128 = 5 * NS_PER_US;
/// Cap on lines in one steady record, so a record spans at most `MAX_GROUP * CONT_NS`.
const MAX_GROUP: usize = 64;
/// Widening of a window's search so a record that starts before `from` but whose later
/// lines fall inside is not lost (must exceed `MAX_GROUP * CONT_NS`).
const GROUP_SPAN_NS: i128 = 2 * NS_PER_MS;

fn ts(ns: i128) -> Option<Timestamp> {
    Timestamp::from_nanosecond(ns).ok()
}

fn line(fmt: Fmt, at_ns: i128, e: &Entry) -> Option<LogLine> {
    let at = ts(at_ns)?;
    Some(LogLine {
        at,
        text: render(fmt, at, e),
    })
}

/// A UTC calendar view of a timestamp, for the many textual formats below.
#[derive(Clone, Copy)]
struct Civil {
    y: i16,
    mo: i8,
    d: i8,
    h: i8,
    mi: i8,
    s: i8,
    ns: i32,
}

impl Civil {
    fn of(at: Timestamp) -> Self {
        let dt = TimeZone::UTC.to_datetime(at);
        Civil {
            y: dt.year(),
            mo: dt.month(),
            d: dt.day(),
            h: dt.hour(),
            mi: dt.minute(),
            s: dt.second(),
            ns: dt.subsec_nanosecond(),
        }
    }
    fn date(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.y, self.mo, self.d)
    }
    fn time(&self) -> String {
        format!("{:02}:{:02}:{:02}", self.h, self.mi, self.s)
    }
    fn ms(&self) -> i32 {
        self.ns / 1_000_000
    }
    fn us(&self) -> i32 {
        self.ns / 1_000
    }
    /// `2026-08-23T14:05:09.123Z`
    fn iso_ms(&self) -> String {
        format!("{}T{}.{:03}Z", self.date(), self.time(), self.ms())
    }
    /// `2026-08-23T14:05:09Z`
    fn iso_s(&self) -> String {
        format!("{}T{}Z", self.date(), self.time())
    }
    /// Go's RFC3339Nano: trailing zeros of the fraction dropped.
    fn iso_ns(&self) -> String {
        let frac = format!("{:09}", self.ns);
        let frac = frac.trim_end_matches('0');
        if frac.is_empty() {
            self.iso_s()
        } else {
            format!("{}T{}.{}Z", self.date(), self.time(), frac)
        }
    }
    fn mon(&self) -> &'static str {
        const M: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        M.get(usize::try_from(self.mo - 1).unwrap_or(0))
            .copied()
            .unwrap_or("Jan")
    }
    /// Common Log Format: `23/Aug/2026:14:05:09 +0000`
    fn clf(&self) -> String {
        format!(
            "{:02}/{}/{:04}:{} +0000",
            self.d,
            self.mon(),
            self.y,
            self.time()
        )
    }
}

fn civil_ns(ns: i128) -> Option<Civil> {
    ts(ns).map(Civil::of)
}

// ---------------------------------------------------------------------------------------
// Entries and formats.

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Lvl {
    Info,
    Warn,
    Error,
    Fatal,
}

impl Lvl {
    /// log4j / Airlift / Quarkus. Kafka logs its "fatal" errors at ERROR, like most JVMs.
    fn java(self) -> &'static str {
        match self {
            Lvl::Info => "INFO",
            Lvl::Warn => "WARN",
            Lvl::Error | Lvl::Fatal => "ERROR",
        }
    }
    fn python(self) -> &'static str {
        match self {
            Lvl::Info => "INFO",
            Lvl::Warn => "WARNING",
            Lvl::Error => "ERROR",
            Lvl::Fatal => "CRITICAL",
        }
    }
    fn lower(self) -> &'static str {
        match self {
            Lvl::Info => "info",
            Lvl::Warn => "warn",
            Lvl::Error => "error",
            Lvl::Fatal => "fatal",
        }
    }
    fn logrus(self) -> &'static str {
        match self {
            Lvl::Warn => "warning",
            other => other.lower(),
        }
    }
    fn slog(self) -> &'static str {
        match self {
            Lvl::Info => "INFO",
            Lvl::Warn => "WARN",
            Lvl::Error | Lvl::Fatal => "ERROR",
        }
    }
    fn klog(self) -> char {
        match self {
            Lvl::Info => 'I',
            Lvl::Warn => 'W',
            Lvl::Error => 'E',
            Lvl::Fatal => 'F',
        }
    }
    fn postgres(self) -> &'static str {
        match self {
            Lvl::Info => "LOG",
            Lvl::Warn => "WARNING",
            Lvl::Error => "ERROR",
            Lvl::Fatal => "FATAL",
        }
    }
}

/// How a component prefixes its lines. The meaning of [`Entry`]'s `src` and `ctx` per
/// format is given on each variant.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Fmt {
    /// The text as is (banners, stack frames, access logs that carry their own time).
    Raw,
    /// Trino (Airlift): tab-separated; `src` logger, `ctx` thread.
    Airlift,
    /// Strimzi's log4j pattern `%d %p %m (%c) [%t]`; `src` logger, `ctx` thread.
    Log4jStrimzi,
    /// Apache Kafka's default `[%d] %p %m (%c)`; `src` logger.
    Log4jKafka,
    /// Strimzi cluster operator `%d{yyyy-MM-dd HH:mm:ss} %-5p %c{1}:%L - %m`; `src` `Class:line`.
    Log4j2Operator,
    /// Quarkus (Keycloak, Nessie): `src` category, `ctx` thread.
    Quarkus,
    /// Airflow 2: `src` `file.py:line`.
    Airflow,
    /// gunicorn (Airflow webserver): `ctx` pid.
    Gunicorn,
    /// Celery (Airflow's Celery workers): `ctx` process name.
    Celery,
    /// PostgreSQL's default `%m [%p] `; `ctx` pid, `src` overrides the level word
    /// (`DETAIL`, `STATEMENT`, …). Bitnami's image logs in GMT.
    Postgres { bitnami: bool },
    /// Bitnami's shell init script.
    BitnamiInit,
    /// Kubernetes klog header; `src` `file.go:line`, `ctx` thread id.
    Klog,
    /// logrus text (Velero); `src` the fields after `msg`, already formatted.
    Logrus,
    /// go-kit logfmt (Loki, Promtail); `src` caller, `ctx` trailing fields.
    GoKit,
    /// Go slog text (Prometheus 3, Alertmanager, node-exporter, …); `src` source (may be
    /// empty), `ctx` trailing fields.
    Slog,
    /// Grafana's logfmt; `src` logger, `ctx` trailing fields.
    Grafana,
    /// dbt's console output.
    Dbt,
    /// Unknown images: a neutral ISO-timestamped format; `ctx` thread.
    Generic,
}

#[derive(Clone, Debug)]
struct Entry {
    lvl: Lvl,
    src: String,
    ctx: String,
    msg: String,
    /// Overrides the component's format (e.g. raw banner lines among formatted ones).
    fmt: Option<Fmt>,
    /// Continues the previous record (a stack frame, a banner block): stamped right after
    /// it rather than as a separate event.
    cont: bool,
}

impl Entry {
    fn rec(
        lvl: Lvl,
        src: impl Into<String>,
        ctx: impl Into<String>,
        msg: impl Into<String>,
    ) -> Self {
        Entry {
            lvl,
            src: src.into(),
            ctx: ctx.into(),
            msg: msg.into(),
            fmt: None,
            cont: false,
        }
    }
    /// A raw continuation line of the previous record.
    fn raw(msg: impl Into<String>) -> Self {
        Entry {
            lvl: Lvl::Info,
            src: String::new(),
            ctx: String::new(),
            msg: msg.into(),
            fmt: Some(Fmt::Raw),
            cont: true,
        }
    }
    /// A raw line that starts a record of its own.
    fn head(msg: impl Into<String>) -> Self {
        Entry {
            cont: false,
            ..Entry::raw(msg)
        }
    }
    fn with(mut self, fmt: Fmt) -> Self {
        self.fmt = Some(fmt);
        self
    }
    fn with_src(mut self, src: &str) -> Self {
        self.src = src.to_string();
        self
    }
    fn cont(mut self) -> Self {
        self.cont = true;
        self
    }
}

/// logfmt value quoting (as Go's logfmt encoders do): bare when safe, else quoted.
fn q(s: &str) -> String {
    if !s.is_empty()
        && !s
            .chars()
            .any(|c| c == ' ' || c == '=' || c == '"' || c.is_control())
    {
        s.to_string()
    } else {
        format!("{s:?}")
    }
}

fn join_fields(head: String, tail: &str) -> String {
    if tail.is_empty() {
        head
    } else {
        format!("{head} {tail}")
    }
}

fn render(default: Fmt, at: Timestamp, e: &Entry) -> String {
    let c = Civil::of(at);
    match e.fmt.unwrap_or(default) {
        Fmt::Raw => e.msg.clone(),
        Fmt::Airlift => format!(
            "{}\t{}\t{}\t{}\t{}",
            c.iso_ms(),
            e.lvl.java(),
            e.ctx,
            e.src,
            e.msg
        ),
        Fmt::Log4jStrimzi => {
            format!(
                "{} {},{:03} {} {} ({}) [{}]",
                c.date(),
                c.time(),
                c.ms(),
                e.lvl.java(),
                e.msg,
                e.src,
                e.ctx
            )
        }
        Fmt::Log4jKafka => format!(
            "[{} {},{:03}] {} {} ({})",
            c.date(),
            c.time(),
            c.ms(),
            e.lvl.java(),
            e.msg,
            e.src
        ),
        Fmt::Log4j2Operator => format!(
            "{} {} {:<5} {} - {}",
            c.date(),
            c.time(),
            e.lvl.java(),
            e.src,
            e.msg
        ),
        Fmt::Quarkus => {
            format!(
                "{} {},{:03} {:<5} [{}] ({}) {}",
                c.date(),
                c.time(),
                c.ms(),
                e.lvl.java(),
                e.src,
                e.ctx,
                e.msg
            )
        }
        Fmt::Airflow => {
            format!(
                "[{}T{}.{:03}+0000] {{{}}} {} - {}",
                c.date(),
                c.time(),
                c.ms(),
                e.src,
                e.lvl.python(),
                e.msg
            )
        }
        Fmt::Gunicorn => format!(
            "[{} {} +0000] [{}] [{}] {}",
            c.date(),
            c.time(),
            e.ctx,
            e.lvl.python(),
            e.msg
        ),
        Fmt::Celery => format!(
            "[{} {},{:03}: {}/{}] {}",
            c.date(),
            c.time(),
            c.ms(),
            e.lvl.python(),
            e.ctx,
            e.msg
        ),
        Fmt::Postgres { bitnami } => {
            let level = if e.src.is_empty() {
                e.lvl.postgres()
            } else {
                e.src.as_str()
            };
            let zone = if bitnami { "GMT" } else { "UTC" };
            format!(
                "{} {}.{:03} {} [{}] {}:  {}",
                c.date(),
                c.time(),
                c.ms(),
                zone,
                e.ctx,
                level,
                e.msg
            )
        }
        Fmt::BitnamiInit => {
            let text = format!(
                "postgresql {}.{:02} {:<5} ==> {}",
                c.time(),
                c.ns / 10_000_000,
                e.lvl.java(),
                e.msg
            );
            text.trim_end().to_string()
        }
        Fmt::Klog => format!(
            "{}{:02}{:02} {}.{:06} {:>7} {}] {}",
            e.lvl.klog(),
            c.mo,
            c.d,
            c.time(),
            c.us(),
            e.ctx,
            e.src,
            e.msg
        ),
        Fmt::Logrus => join_fields(
            format!(
                "time=\"{}\" level={} msg={}",
                c.iso_s(),
                e.lvl.logrus(),
                q(&e.msg)
            ),
            &e.src,
        ),
        Fmt::GoKit => join_fields(
            format!(
                "level={} ts={} caller={} msg={}",
                e.lvl.lower(),
                c.iso_ns(),
                e.src,
                q(&e.msg)
            ),
            &e.ctx,
        ),
        Fmt::Slog => {
            let mut s = format!("time={} level={}", c.iso_ms(), e.lvl.slog());
            if !e.src.is_empty() {
                s.push_str(" source=");
                s.push_str(&e.src);
            }
            s.push_str(" msg=");
            s.push_str(&q(&e.msg));
            join_fields(s, &e.ctx)
        }
        Fmt::Grafana => join_fields(
            format!(
                "logger={} t={} level={} msg={}",
                e.src,
                c.iso_ns(),
                e.lvl.lower(),
                q(&e.msg)
            ),
            &e.ctx,
        ),
        Fmt::Dbt => format!("{}  {}", c.time(), e.msg),
        Fmt::Generic => format!("{} {:<5} [{}] {}", c.iso_ms(), e.lvl.java(), e.ctx, e.msg),
    }
}

// ---------------------------------------------------------------------------------------
// Components.

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum AirflowRole {
    Scheduler,
    Webserver,
    Triggerer,
    Worker,
    /// One-shot commands: `airflow db clean`, `db migrate`, …
    Job,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum KafkaRole {
    Broker,
    ZooKeeper,
    Connect,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Component {
    Trino,
    Minio,
    /// `strimzi` picks Strimzi's log4j pattern over Apache Kafka's default one.
    Kafka {
        role: KafkaRole,
        strimzi: bool,
    },
    KafkaExporter,
    StrimziOperator,
    Airflow(AirflowRole),
    Postgres {
        bitnami: bool,
    },
    Keycloak,
    Nessie,
    IngressNginx,
    Velero,
    SealedSecrets,
    Prometheus,
    Alertmanager,
    PrometheusOperator,
    NodeExporter,
    Grafana,
    Loki,
    Promtail,
    CoreDns,
    Dbt,
    /// Go controllers logging with klog: cert-manager, metrics-server, kube-state-metrics,
    /// kube-proxy, the MinIO operator, anything from registry.k8s.io, …
    GoController,
    Generic,
}

/// `(repository, tag)` of an image reference, repository lower-cased, digest dropped.
fn split_image(image: &str) -> (String, String) {
    let no_digest = image.split('@').next().unwrap_or(image).trim();
    // A ':' before the last '/' is a registry port, not a tag.
    let last_slash = no_digest.rfind('/').map_or(0, |i| i + 1);
    let (repo, tag) = match no_digest[last_slash..].rfind(':') {
        Some(i) => (
            &no_digest[..last_slash + i],
            &no_digest[last_slash + i + 1..],
        ),
        None => (no_digest, "latest"),
    };
    (
        repo.to_ascii_lowercase(),
        if tag.is_empty() {
            "latest".to_string()
        } else {
            tag.to_string()
        },
    )
}

fn detect(image: &str, container: &str) -> Component {
    let (repo, _) = split_image(image);
    let name = repo.rsplit('/').next().unwrap_or("").to_string();
    let c = container.to_ascii_lowercase();
    let kafka_role = || {
        if c.contains("zookeeper") {
            KafkaRole::ZooKeeper
        } else if c.contains("connect") || c.contains("mirror") {
            KafkaRole::Connect
        } else {
            KafkaRole::Broker
        }
    };
    // Order matters: dbt-trino is dbt, prometheus-operator is not Prometheus, the
    // MinIO operator is not MinIO.
    if name.starts_with("dbt") {
        Component::Dbt
    } else if name == "trino" || name == "trino-server" || name.starts_with("starburst") {
        Component::Trino
    } else if repo.contains("strimzi/kafka") {
        if c.contains("exporter") {
            Component::KafkaExporter
        } else if c.contains("operator") {
            Component::StrimziOperator
        } else {
            Component::Kafka {
                role: kafka_role(),
                strimzi: true,
            }
        }
    } else if repo.contains("strimzi/operator") {
        Component::StrimziOperator
    } else if name.contains("kafka-exporter") || name.contains("kafka_exporter") {
        Component::KafkaExporter
    } else if matches!(
        name.as_str(),
        "kafka" | "cp-kafka" | "cp-server" | "cp-kafka-connect" | "zookeeper" | "cp-zookeeper"
    ) {
        Component::Kafka {
            role: if name.contains("zookeeper") {
                KafkaRole::ZooKeeper
            } else {
                kafka_role()
            },
            strimzi: false,
        }
    } else if name.contains("airflow") {
        let role = if c.contains("scheduler") {
            AirflowRole::Scheduler
        } else if c.contains("web") || c.contains("api-server") {
            AirflowRole::Webserver
        } else if c.contains("triggerer") || c.contains("dag-processor") {
            AirflowRole::Triggerer
        } else if c.contains("worker") {
            AirflowRole::Worker
        } else {
            AirflowRole::Job
        };
        Component::Airflow(role)
    } else if name == "postgres" || name.starts_with("postgresql") || name.ends_with("postgresql") {
        Component::Postgres {
            bitnami: repo.contains("bitnami"),
        }
    } else if name.contains("keycloak") && !name.contains("operator") {
        Component::Keycloak
    } else if name.contains("nessie") {
        Component::Nessie
    } else if (repo.contains("ingress-nginx") && name.contains("controller"))
        || name == "nginx-ingress-controller"
    {
        Component::IngressNginx
    } else if name == "minio" {
        Component::Minio
    } else if name == "velero" {
        Component::Velero
    } else if name.contains("sealed-secrets") {
        Component::SealedSecrets
    } else if name == "prometheus-operator" {
        Component::PrometheusOperator
    } else if name == "prometheus" {
        Component::Prometheus
    } else if name == "alertmanager" {
        Component::Alertmanager
    } else if name == "node-exporter" {
        Component::NodeExporter
    } else if name == "grafana" {
        Component::Grafana
    } else if name == "loki" {
        Component::Loki
    } else if name == "promtail" {
        Component::Promtail
    } else if name == "coredns" {
        Component::CoreDns
    } else if repo.starts_with("registry.k8s.io/")
        || repo.starts_with("k8s.gcr.io/")
        || name.starts_with("cert-manager")
        || name.ends_with("-controller")
        || name.ends_with("-operator")
        || (name == "operator" && repo.contains("minio"))
    {
        Component::GoController
    } else {
        Component::Generic
    }
}

/// Per-call view of a [`LogSource`] with everything the generators derive from it.
struct Ctx<'a> {
    src: &'a LogSource<'a>,
    comp: Component,
    /// Identity of the container (stable across restarts): IPs, cluster ids.
    seed: u64,
    /// Identity of this instance: thread ids, pids, per-line choices.
    inst: u64,
    tag: String,
    repo: String,
}

impl<'a> Ctx<'a> {
    fn new(src: &'a LogSource<'a>) -> Self {
        let mut h = fnv1a(FNV_OFFSET, src.namespace.as_bytes());
        h = fnv1a(h, b"/");
        h = fnv1a(h, src.pod.as_bytes());
        h = fnv1a(h, b"/");
        h = fnv1a(h, src.container.as_bytes());
        let seed = finalize(h);
        // The instance seed folds in the start time, so a restarted container does not
        // replay its predecessor's lines.
        let started = src.started_at.as_nanosecond();
        let inst = mix(seed, (started as u64) ^ ((started >> 64) as u64));
        let (repo, tag) = split_image(src.image);
        Ctx {
            src,
            comp: detect(src.image, src.container),
            seed,
            inst,
            tag,
            repo,
        }
    }
    fn dice(&self, salt: u64) -> Dice {
        Dice::new(mix(self.inst, salt))
    }
    fn pod(&self) -> &str {
        self.src.pod
    }
    fn ns(&self) -> &str {
        self.src.namespace
    }
    /// StatefulSet ordinal (`kafka-2` → 2); 0 for Deployment pods.
    fn ordinal(&self) -> u32 {
        self.src
            .pod
            .rsplit('-')
            .next()
            .filter(|s| !s.is_empty() && s.len() <= 3 && s.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|s| s.parse().ok())
            .unwrap_or(0)
    }
    /// The owning workload's name: the pod name without its ordinal or ReplicaSet and
    /// pod hashes.
    fn workload(&self) -> String {
        let parts: Vec<&str> = self.src.pod.split('-').collect();
        let is_hash = |s: &str, lo: usize, hi: usize| {
            (lo..=hi).contains(&s.len())
                && s.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        };
        let n = parts.len();
        if n >= 3 && is_hash(parts[n - 1], 5, 5) && is_hash(parts[n - 2], 6, 10) {
            parts[..n - 2].join("-")
        } else if n >= 2
            && parts[n - 1].len() <= 3
            && parts[n - 1].bytes().all(|b| b.is_ascii_digit())
        {
            parts[..n - 1].join("-")
        } else {
            self.src.pod.to_string()
        }
    }
    /// This pod's IP in the lab's pod CIDR (10.244.0.0/16).
    fn ip(&self) -> String {
        format!(
            "10.244.{}.{}",
            (self.seed >> 8) % 6 + 1,
            2 + (self.seed >> 20) % 250
        )
    }
    /// A stable ClusterIP for a service name.
    fn svc_ip(&self, name: &str) -> String {
        let h = hash_str(name);
        format!("10.96.{}.{}", 1 + (h >> 8) % 250, 1 + (h >> 24) % 250)
    }
    /// Some other pod's IP (clients, peers).
    fn peer_ip(d: &Dice) -> String {
        format!("10.244.{}.{}", d.range(0, 6), d.range(2, 251))
    }
    fn started(&self) -> Timestamp {
        self.src.started_at
    }
    fn started_ms(&self) -> i128 {
        self.src.started_at.as_nanosecond() / NS_PER_MS
    }
    /// A small pid for helper processes, stable for the instance.
    fn pid(&self, salt: u64, lo: u64, hi: u64) -> u64 {
        self.dice(0x5049_4400 ^ salt).range(lo, hi)
    }
}

// ---------------------------------------------------------------------------------------
// Timing plan: banner offsets plus the steady-state cadence.

/// Builds a startup banner with offsets relative to the container start.
struct Banner {
    items: Vec<(i128, Entry)>,
    t: i128,
    dice: Dice,
}

impl Banner {
    fn new(seed: u64) -> Self {
        let dice = Dice::new(seed);
        // The first line appears a few tens of milliseconds after the process starts.
        let t = (20 + dice.below(120) as i128) * NS_PER_MS;
        Banner {
            items: Vec::new(),
            t,
            dice,
        }
    }
    /// Adds `e` about `ms` after the previous line (±25%, so replicas do not start in
    /// lockstep); `0` means "same burst".
    fn after(&mut self, ms: u64, e: Entry) {
        let step = if ms == 0 {
            CONT_NS
        } else {
            (ms as i128 * NS_PER_MS * (75 + self.dice.below(51) as i128) / 100).max(CONT_NS)
        };
        // The first line sits at the process start unless it is explicitly delayed.
        if !self.items.is_empty() || ms > 0 {
            self.t += step;
        }
        self.items.push((self.t, e));
    }
    fn now(&mut self, e: Entry) {
        self.after(0, e);
    }
    fn secs(&self) -> f64 {
        self.t as f64 / NS_PER_S as f64
    }
}

struct Cadence {
    /// No steady record is stamped before this (ns since the epoch).
    base: i128,
    period: i128,
    seed: u64,
}

impl Cadence {
    fn jitter(&self, k: u64) -> i128 {
        // Below 90% of the period, so record k always precedes record k+1 (with room for
        // its continuation lines).
        let span = (self.period * 9 / 10).max(1) as u64;
        (mix(self.seed, k) % span) as i128
    }
    fn at(&self, k: u64) -> i128 {
        self.base + k as i128 * self.period + self.jitter(k)
    }
    /// Index of the first record stamped at or after `t`.
    fn first_at_or_after(&self, t: i128) -> u64 {
        if t <= self.base {
            return 0;
        }
        // Records before k0 are stamped before base + k0·period <= t; record k0 + 1 is
        // stamped after base + (k0+1)·period > t. Only k0 itself needs a look.
        let k0 = u64::try_from((t - self.base) / self.period).unwrap_or(u64::MAX / 2);
        if self.at(k0) >= t { k0 } else { k0 + 1 }
    }
}

struct Plan {
    fmt: Fmt,
    started: i128,
    banner: Vec<(i128, Entry)>,
    cadence: Cadence,
}

impl Plan {
    fn new(ctx: &Ctx) -> Self {
        let mut b = Banner::new(mix(ctx.inst, 0xba77e2));
        let (fmt, period_ms) = banner(ctx, &mut b);
        let started = ctx.started().as_nanosecond();
        // The first steady record comes a moment after the banner settles.
        let base = started + b.t + NS_PER_S;
        Plan {
            fmt,
            started,
            banner: b.items,
            cadence: Cadence {
                base,
                period: period_ms * NS_PER_MS,
                seed: mix(ctx.inst, 0xcade),
            },
        }
    }

    /// Lines of steady record `k`, stamped.
    fn record(&self, ctx: &Ctx, k: u64) -> Vec<(i128, Entry)> {
        let head = self.cadence.at(k);
        let Some(at) = ts(head) else {
            return Vec::new();
        };
        let mut entries = steady(ctx, k, at);
        entries.truncate(MAX_GROUP);
        entries
            .into_iter()
            .enumerate()
            .map(|(i, e)| (head + i as i128 * CONT_NS, e))
            .collect()
    }

    /// The last `max` steady lines in `[from, to)`, generating only those records.
    fn steady_tail(&self, ctx: &Ctx, from: i128, to: i128, max: usize) -> Vec<LogLine> {
        let first = self.cadence.first_at_or_after(from - GROUP_SPAN_NS);
        let end = self.cadence.first_at_or_after(to);
        let mut rev: Vec<LogLine> = Vec::new();
        let mut k = end;
        // Walk back from the newest record: every record but the one straddling `from`
        // contributes at least one line, so this visits at most `max + 1` records.
        while k > first && rev.len() < max {
            k -= 1;
            for (at, e) in self.record(ctx, k).into_iter().rev() {
                if at >= from && at < to && rev.len() < max {
                    rev.extend(line(self.fmt, at, &e));
                }
            }
        }
        rev.reverse();
        rev
    }

    /// When the instance last wrote a line before `t`, if it wrote any.
    fn last_line_before(&self, ctx: &Ctx, t: i128) -> Option<i128> {
        let k = self.cadence.first_at_or_after(t);
        let steady = (k > 0).then(|| {
            self.record(ctx, k - 1)
                .into_iter()
                .map(|(at, _)| at)
                .filter(|at| *at < t)
                .max()
        });
        let banner = self
            .banner
            .iter()
            .map(|(off, _)| self.started + off)
            .filter(|at| *at < t)
            .max();
        steady.flatten().or(banner)
    }
}

/// Stamps crash entries between the last regular line (`floor`) and the death: records a
/// fraction of a second apart, continuation lines in the same burst, the last line a few
/// milliseconds before the kubelet saw the container exit. Squeezed proportionally when
/// the gap is shorter.
fn spread(entries: &[Entry], floor: i128, died: i128) -> Vec<i128> {
    let n = entries.len();
    if n == 0 {
        return Vec::new();
    }
    // Distance of each line before the death, from the last line backwards.
    let mut before = vec![0i128; n];
    let mut d = 3 * NS_PER_MS;
    for i in (0..n).rev() {
        before[i] = d;
        let gap_to_prev = if entries[i].cont {
            CONT_NS
        } else {
            120 * NS_PER_MS + (i as i128 % 3) * 35 * NS_PER_MS
        };
        d += gap_to_prev;
    }
    let gap = died - floor;
    let widest = before[0];
    before
        .into_iter()
        .map(|b| {
            if widest < gap {
                died - b
            } else if gap >= 10 {
                // Scale into the last 90% of (floor, died): keeps order, stays after every
                // regular line.
                died - (b * (gap * 9 / 10) / widest).max(1)
            } else {
                died - 1
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// How an instance died.

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Runtime {
    Jvm,
    Go,
    Python,
    Native,
}

impl Component {
    fn runtime(self) -> Runtime {
        match self {
            Component::Trino
            | Component::Kafka { .. }
            | Component::StrimziOperator
            | Component::Keycloak
            | Component::Nessie => Runtime::Jvm,
            Component::Airflow(_) | Component::Dbt => Runtime::Python,
            Component::Postgres { .. } | Component::Generic => Runtime::Native,
            _ => Runtime::Go,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Death {
    /// `OOMKilled`, exit 137 (the cgroup's SIGKILL), or a JVM's exit 3
    /// (`-XX:+ExitOnOutOfMemoryError`).
    Oom,
    /// SIGTERM/SIGINT (143/130): the process shut down cleanly on request.
    Stopped,
    /// Exit 0: a one-shot command finished (or a daemon exited cleanly).
    Completed,
    /// Exit 2 from a Go binary: an unrecovered panic.
    Panic,
    /// Exit 139: SIGSEGV.
    Segv,
    /// Any other non-zero exit: the component's own fatal error. `startup` says whether it
    /// died before finishing its startup banner (a configuration or dependency error)
    /// or later (a runtime failure).
    Fatal { startup: bool },
}

impl Death {
    fn classify(reason: &str, exit_code: i32, startup: bool, runtime: Runtime) -> Death {
        match exit_code {
            _ if reason.eq_ignore_ascii_case("OOMKilled") => Death::Oom,
            137 => Death::Oom,
            3 if runtime == Runtime::Jvm => Death::Oom,
            0 => Death::Completed,
            130 | 143 => Death::Stopped,
            139 => Death::Segv,
            2 if runtime == Runtime::Go => Death::Panic,
            _ => Death::Fatal { startup },
        }
    }
}

/// `seen` are the banner lines the instance printed before dying and `next` the index of
/// the steady record it did not live to print: together they say how far it got.
fn crash_entries(x: &Ctx, death: Death, died: Timestamp, seen: &[&Entry], next: u64) -> Vec<Entry> {
    let d = x.dice(0xdead ^ (died.as_nanosecond() as u64));
    // Runtime-level deaths look the same whatever the component (the JVM's segfault
    // report, Go's panic), so they are handled here once.
    match (x.comp.runtime(), death) {
        (Runtime::Jvm, Death::Segv) => return jvm_segv(x, &d),
        (Runtime::Go, Death::Panic | Death::Segv) => return go_panic(x, &d),
        (Runtime::Go, Death::Oom) => return go_oom(x, &d),
        (Runtime::Python, Death::Segv) => return py_segv(&d),
        _ => {}
    }
    match x.comp {
        Component::Trino => trino_crash(x, death, died, seen, &d),
        Component::Minio => minio_crash(x, death, died, &d),
        Component::Kafka {
            role: KafkaRole::Broker,
            ..
        } => kafka_crash(x, death, &d),
        Component::Kafka {
            role: KafkaRole::ZooKeeper,
            ..
        } => zookeeper_crash(x, death, &d),
        Component::Kafka {
            role: KafkaRole::Connect,
            ..
        } => connect_crash(x, death, seen, &d),
        Component::KafkaExporter => exporter_crash(x, death, &d),
        Component::StrimziOperator => strimzi_operator_crash(x, death, &d),
        Component::Airflow(role) => airflow_crash(x, role, death, died, &d),
        Component::Postgres { bitnami } => postgres_crash(x, bitnami, death, died, &d),
        Component::Keycloak => keycloak_crash(x, death, &d),
        Component::Nessie => nessie_crash(x, death, &d),
        Component::IngressNginx => ingress_crash(death, died, &d),
        Component::Velero => velero_crash(x, death, &d),
        Component::Dbt => dbt_crash(x, death, died, next, &d),
        Component::CoreDns => coredns_crash(death, &d),
        Component::Generic => generic_crash(x, death, &d),
        Component::SealedSecrets
        | Component::Prometheus
        | Component::Alertmanager
        | Component::PrometheusOperator
        | Component::NodeExporter
        | Component::Grafana
        | Component::Loki
        | Component::Promtail
        | Component::GoController => go_service_crash(x, death, &d),
    }
}

// ---------------------------------------------------------------------------------------
// Dispatch: banner (with format and cadence) and steady-state records.

/// Fills the startup banner; returns the component's line format and the mean interval
/// between steady-state records in milliseconds.
fn banner(x: &Ctx, b: &mut Banner) -> (Fmt, i128) {
    match x.comp {
        Component::Trino => {
            trino_banner(x, b);
            (
                Fmt::Airlift,
                if trino_coordinator(x) { 6_000 } else { 25_000 },
            )
        }
        Component::Minio => {
            minio_banner(x, b);
            (Fmt::Raw, 900_000)
        }
        Component::Kafka { role, strimzi } => {
            let fmt = if strimzi {
                Fmt::Log4jStrimzi
            } else {
                Fmt::Log4jKafka
            };
            match role {
                KafkaRole::Broker => {
                    kafka_banner(x, strimzi, b);
                    (fmt, 12_000)
                }
                KafkaRole::ZooKeeper => {
                    zookeeper_banner(x, b);
                    (fmt, 45_000)
                }
                KafkaRole::Connect => {
                    connect_banner(x, strimzi, b);
                    (fmt, 10_000)
                }
            }
        }
        Component::KafkaExporter => {
            exporter_banner(x, b);
            (Fmt::Klog, 300_000)
        }
        Component::StrimziOperator => {
            strimzi_operator_banner(x, b);
            (Fmt::Log4j2Operator, 8_000)
        }
        Component::Airflow(role) => {
            airflow_banner(x, role, b);
            let period = match role {
                AirflowRole::Scheduler => 4_000,
                AirflowRole::Webserver => 3_000,
                AirflowRole::Triggerer => 60_000,
                AirflowRole::Worker => 8_000,
                AirflowRole::Job => 2_000,
            };
            let fmt = match role {
                AirflowRole::Webserver => Fmt::Gunicorn,
                AirflowRole::Worker => Fmt::Celery,
                _ => Fmt::Airflow,
            };
            (fmt, period)
        }
        Component::Postgres { bitnami } => {
            postgres_banner(x, bitnami, b);
            (Fmt::Postgres { bitnami }, 150_000)
        }
        Component::Keycloak => {
            keycloak_banner(x, b);
            (Fmt::Quarkus, 45_000)
        }
        Component::Nessie => {
            nessie_banner(x, b);
            (Fmt::Quarkus, 9_000)
        }
        Component::IngressNginx => {
            ingress_banner(x, b);
            (Fmt::Klog, 1_500)
        }
        Component::Velero => {
            velero_banner(x, b);
            (Fmt::Logrus, 20_000)
        }
        Component::SealedSecrets => {
            sealed_secrets_banner(x, b);
            (Fmt::Slog, 600_000)
        }
        Component::Prometheus => {
            prometheus_banner(x, b);
            (Fmt::Slog, 300_000)
        }
        Component::Alertmanager => {
            alertmanager_banner(x, b);
            (Fmt::Slog, 600_000)
        }
        Component::PrometheusOperator => {
            prometheus_operator_banner(x, b);
            (Fmt::Slog, 30_000)
        }
        Component::NodeExporter => {
            node_exporter_banner(x, b);
            (Fmt::Slog, 3_600_000)
        }
        Component::Grafana => {
            grafana_banner(x, b);
            (Fmt::Grafana, 30_000)
        }
        Component::Loki => {
            loki_banner(x, b);
            (Fmt::GoKit, 10_000)
        }
        Component::Promtail => {
            promtail_banner(x, b);
            (Fmt::GoKit, 20_000)
        }
        Component::CoreDns => {
            coredns_banner(x, b);
            (Fmt::Raw, 600_000)
        }
        Component::Dbt => {
            dbt_banner(x, b);
            (Fmt::Dbt, 4_000)
        }
        Component::GoController => {
            controller_banner(x, b);
            (Fmt::Klog, controller_period(x))
        }
        Component::Generic => {
            generic_banner(x, b);
            (Fmt::Generic, 10_000)
        }
    }
}

/// The lines of steady-state record `k`, stamped `at` (first line; the rest follow in the
/// same burst). Draws only from `k`'s own dice so each record stands alone.
fn steady(x: &Ctx, k: u64, at: Timestamp) -> Vec<Entry> {
    let d = x.dice(0x57ead ^ finalize(k));
    match x.comp {
        Component::Trino => trino_steady(x, k, at, &d),
        Component::Minio => minio_steady(x, at, &d),
        Component::Kafka {
            role: KafkaRole::Broker,
            ..
        } => kafka_steady(x, k, &d),
        Component::Kafka {
            role: KafkaRole::ZooKeeper,
            ..
        } => zookeeper_steady(x, k, &d),
        Component::Kafka {
            role: KafkaRole::Connect,
            ..
        } => connect_steady(x, k, at, &d),
        Component::KafkaExporter => exporter_steady(x, &d),
        Component::StrimziOperator => strimzi_operator_steady(x, k, &d),
        Component::Airflow(role) => airflow_steady(x, role, k, at, &d),
        Component::Postgres { .. } => postgres_steady(x, k, &d),
        Component::Keycloak => keycloak_steady(x, &d),
        Component::Nessie => nessie_steady(x, at, &d),
        Component::IngressNginx => ingress_steady(x, at, &d),
        Component::Velero => velero_steady(x, k, &d),
        Component::SealedSecrets => sealed_secrets_steady(x, &d),
        Component::Prometheus => prometheus_steady(x, k, at, &d),
        Component::Alertmanager => alertmanager_steady(&d),
        Component::PrometheusOperator => prometheus_operator_steady(x, &d),
        Component::NodeExporter => node_exporter_steady(&d),
        Component::Grafana => grafana_steady(&d),
        Component::Loki => loki_steady(x, &d),
        Component::Promtail => promtail_steady(x, &d),
        Component::CoreDns => coredns_steady(x, &d),
        Component::Dbt => dbt_steady(k, &d),
        Component::GoController => controller_steady(x, &d),
        Component::Generic => generic_steady(x, k, &d),
    }
}

// ---------------------------------------------------------------------------------------
// Shared helpers.

fn info(src: impl Into<String>, ctx: impl Into<String>, msg: impl Into<String>) -> Entry {
    Entry::rec(Lvl::Info, src, ctx, msg)
}

fn warn(src: impl Into<String>, ctx: impl Into<String>, msg: impl Into<String>) -> Entry {
    Entry::rec(Lvl::Warn, src, ctx, msg)
}

fn error(src: impl Into<String>, ctx: impl Into<String>, msg: impl Into<String>) -> Entry {
    Entry::rec(Lvl::Error, src, ctx, msg)
}

/// Java stack frames (`\tat …`) as continuation lines.
fn frames(v: &mut Vec<Entry>, lines: &[&str]) {
    v.extend(lines.iter().map(|l| Entry::raw(format!("\tat {l}"))));
}

/// The leading dotted version in a tag: `v1.12.1` → `1.12.1`, `17.4.0-debian-12-r3` →
/// `17.4.0`; `fallback` when the tag has none (`latest`).
fn version_of(tag: &str, fallback: &str) -> String {
    let t = tag.trim_start_matches('v');
    let v: String = t
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let v = v.trim_end_matches('.');
    if v.is_empty() {
        fallback.to_string()
    } else {
        v.to_string()
    }
}

/// The JVM's own report when the heap is exhausted: the exception as the application
/// logged it, then the line `-XX:+ExitOnOutOfMemoryError` prints right before exiting.
fn jvm_oom(head: Entry, stack: &[&str]) -> Vec<Entry> {
    let mut v = vec![
        head,
        Entry::raw("java.lang.OutOfMemoryError: Java heap space"),
    ];
    frames(&mut v, stack);
    v.push(Entry::head(
        "Terminating due to java.lang.OutOfMemoryError: Java heap space",
    ));
    v
}

fn jvm_segv(x: &Ctx, d: &Dice) -> Vec<Entry> {
    let java = match x.comp {
        Component::Trino => "24.0.1+9",
        Component::Keycloak | Component::Nessie => "21.0.7+6",
        _ => "17.0.15+6",
    };
    let pc = format!("0x00007f{}", d.hex(10));
    let mut v = vec![Entry::head("#")];
    for l in [
        "# A fatal error has been detected by the Java Runtime Environment:".to_string(),
        "#".to_string(),
        format!(
            "#  SIGSEGV (0xb) at pc={pc}, pid=1, tid={}",
            d.range(40, 400)
        ),
        "#".to_string(),
        format!("# JRE version: OpenJDK Runtime Environment ({java}) (build {java})"),
        format!(
            "# Java VM: OpenJDK 64-Bit Server VM ({java}, mixed mode, sharing, tiered, compressed oops, compressed class ptrs, g1 gc, linux-amd64)"
        ),
        "# Problematic frame:".to_string(),
        format!(
            "# V  [libjvm.so+0x{}]  G1ParScanThreadState::trim_queue_to_threshold(unsigned int)+0x{}",
            d.hex(6),
            d.hex(3)
        ),
        "#".to_string(),
        "# Core dump will be written. Default location: //core.1".to_string(),
        "#".to_string(),
        "# An error report file with more information is saved as:".to_string(),
        "# /tmp/hs_err_pid1.log".to_string(),
        "#".to_string(),
    ] {
        v.push(Entry::raw(l));
    }
    v
}

/// The Go runtime failing to map more heap: `fatal error: runtime: out of memory` and the
/// runtime stack that follows it.
fn go_oom(x: &Ctx, d: &Dice) -> Vec<Entry> {
    let (func, file) = go_main(x);
    vec![
        Entry::head("fatal error: runtime: out of memory"),
        Entry::raw(""),
        Entry::raw("runtime stack:"),
        Entry::raw(format!(
            "runtime.throw({{0x{}?, 0x{}?}})",
            d.hex(7),
            d.hex(4)
        )),
        Entry::raw(format!(
            "\t/usr/local/go/src/runtime/panic.go:1101 +0x48 fp=0x7ffd{} sp=0x7ffd{} pc=0x{}",
            d.hex(8),
            d.hex(8),
            d.hex(6)
        )),
        Entry::raw(format!("runtime.sysMapOS(0xc0{}, 0x4000000)", d.hex(8))),
        Entry::raw("\t/usr/local/go/src/runtime/mem_linux.go:167 +0x11b"),
        Entry::raw(""),
        Entry::raw(format!(
            "goroutine {} gp=0xc000{} m=0 mp=0x{} [running]:",
            d.range(100, 9000),
            d.hex(6),
            d.hex(7)
        )),
        Entry::raw(format!("{func}(...)")),
        Entry::raw(format!("\t{file} +0x{}", d.hex(3))),
    ]
}

fn go_panic(x: &Ctx, d: &Dice) -> Vec<Entry> {
    let (func, file) = go_main(x);
    vec![
        Entry::head("panic: runtime error: invalid memory address or nil pointer dereference"),
        Entry::raw(format!(
            "[signal SIGSEGV: segmentation violation code=0x1 addr=0x{} pc=0x{}]",
            d.hex(2),
            d.hex(7)
        )),
        Entry::raw(""),
        Entry::raw(format!("goroutine {} [running]:", d.range(100, 9000))),
        Entry::raw(format!(
            "{func}(0xc000{}, {{0x{}, 0xc00{}}})",
            d.hex(6),
            d.hex(7),
            d.hex(7)
        )),
        Entry::raw(format!("\t{file} +0x{}", d.hex(3))),
        Entry::raw(
            "created by sigs.k8s.io/controller-runtime/pkg/internal/controller.(*Controller).Start.func2 in goroutine 1",
        ),
        Entry::raw(
            "\t/go/pkg/mod/sigs.k8s.io/controller-runtime@v0.19.4/pkg/internal/controller/controller.go:224 +0x2f5",
        ),
    ]
}

/// A plausible innermost application frame for a Go component's stack dumps.
fn go_main(x: &Ctx) -> (String, String) {
    let (func, file) = match x.comp {
        Component::Minio => (
            "github.com/minio/minio/cmd.(*erasureObjects).getObjectWithFileInfo",
            "github.com/minio/minio/cmd/erasure-object.go:287",
        ),
        Component::IngressNginx => (
            "k8s.io/ingress-nginx/internal/ingress/controller.(*NGINXController).syncIngress",
            "k8s.io/ingress-nginx/internal/ingress/controller/controller.go:164",
        ),
        Component::Velero => (
            "github.com/vmware-tanzu/velero/pkg/controller.(*backupReconciler).Reconcile",
            "github.com/vmware-tanzu/velero/pkg/controller/backup_controller.go:302",
        ),
        Component::Prometheus => (
            "github.com/prometheus/prometheus/tsdb.(*Head).Appender",
            "github.com/prometheus/prometheus/tsdb/head_append.go:131",
        ),
        Component::Loki | Component::Promtail => (
            "github.com/grafana/loki/v3/pkg/ingester.(*stream).Push",
            "github.com/grafana/loki/v3/pkg/ingester/stream.go:181",
        ),
        Component::Grafana => (
            "github.com/grafana/grafana/pkg/services/ngalert/schedule.(*alertRule).Run",
            "github.com/grafana/grafana/pkg/services/ngalert/schedule/alert_rule.go:266",
        ),
        _ => (
            "main.(*controller).processNextWorkItem",
            "main/controller.go:214",
        ),
    };
    (func.to_string(), file.to_string())
}

/// A Python traceback: `frames` are `(file under site-packages, line, function, code)`.
fn py_traceback(v: &mut Vec<Entry>, frames: &[(&str, u32, &str, &str)], exc: &str) {
    v.push(Entry::raw("Traceback (most recent call last):"));
    for (file, line, func, code) in frames {
        v.push(Entry::raw(format!("  File \"/home/airflow/.local/lib/python3.12/site-packages/{file}\", line {line}, in {func}")));
        v.push(Entry::raw(format!("    {code}")));
    }
    v.push(Entry::raw(exc.to_string()));
}

// ---------------------------------------------------------------------------------------
// Trino (Airlift logging: tab-separated time, level, thread, logger, message).

const TRINO_SERVER: &str = "io.trino.server.Server";
const TRINO_PLUGINS: &str = "io.trino.server.PluginManager";
const TRINO_CATALOGS: &str = "io.trino.connector.StaticCatalogManager";

fn trino_coordinator(x: &Ctx) -> bool {
    !(x.pod().contains("worker") || x.src.container.contains("worker"))
}

/// Query ids are `YYYYMMDD_HHMMSS_<counter>_<coordinator id>`; the last part is random
/// per coordinator start, hence drawn from the instance seed.
fn trino_query_id(x: &Ctx, created: Timestamp, counter: u64) -> String {
    let c = Civil::of(created);
    let coordinator = x.dice(0x71d).alnum(5);
    format!(
        "{:04}{:02}{:02}_{:02}{:02}{:02}_{:05}_{}",
        c.y,
        c.mo,
        c.d,
        c.h,
        c.mi,
        c.s,
        counter % 99_999 + 1,
        coordinator
    )
}

fn trino_banner(x: &Ctx, b: &mut Banner) {
    let main = |logger: &str, msg: String| info(logger, "main", msg);
    b.after(0, Entry::raw("+ launcher_opts=(--etc-dir /etc/trino)"));
    b.after(
        3,
        Entry::raw("+ grep -s -q node.id /etc/trino/node.properties"),
    );
    b.after(
        2,
        Entry::raw("+ launcher_opts+=(\"-Dnode.id=${HOSTNAME}\")"),
    );
    b.after(
        1,
        Entry::raw(format!(
            "+ exec /usr/lib/trino/bin/launcher run --etc-dir /etc/trino -Dnode.id={}",
            x.pod()
        )),
    );
    b.after(
        650,
        main("io.airlift.log.Logging", "Logging to stderr".into()),
    );
    b.after(2, main("Bootstrap", "Loading configuration".into()));
    b.after(240, main("Bootstrap", "Initializing logging".into()));
    b.after(
        2_600,
        main(
            "org.hibernate.validator.internal.util.Version",
            "HV000001: Hibernate Validator 8.0.2.Final".into(),
        ),
    );
    for (dir, class, kind, name) in [
        (
            "exchange-filesystem",
            "io.trino.plugin.exchange.filesystem.FileSystemExchangePlugin",
            "exchange manager",
            "filesystem",
        ),
        (
            "hive",
            "io.trino.plugin.hive.HivePlugin",
            "connector",
            "hive",
        ),
        (
            "iceberg",
            "io.trino.plugin.iceberg.IcebergPlugin",
            "connector",
            "iceberg",
        ),
        ("jmx", "io.trino.plugin.jmx.JmxPlugin", "connector", "jmx"),
        (
            "memory",
            "io.trino.plugin.memory.MemoryPlugin",
            "connector",
            "memory",
        ),
        (
            "tpch",
            "io.trino.plugin.tpch.TpchPlugin",
            "connector",
            "tpch",
        ),
    ] {
        // Loading a plugin means scanning its jars; on a container with a CPU limit a
        // Trino server spends most of its ~20 s startup here.
        b.after(
            1_500,
            main(
                TRINO_PLUGINS,
                format!("-- Loading plugin /usr/lib/trino/plugin/{dir} --"),
            ),
        );
        b.after(4, main(TRINO_PLUGINS, format!("Installing {class}")));
        b.after(3, main(TRINO_PLUGINS, format!("Registering {kind} {name}")));
        b.after(
            1,
            main(
                TRINO_PLUGINS,
                format!("-- Finished loading plugin /usr/lib/trino/plugin/{dir} --"),
            ),
        );
    }
    for (catalog, connector, ms) in [
        ("lakehouse", "iceberg", 2_600),
        ("hive", "hive", 1_800),
        ("tpch", "tpch", 90),
    ] {
        b.after(
            20,
            main(TRINO_CATALOGS, format!("-- Loading catalog {catalog} --")),
        );
        b.after(
            ms,
            main(
                TRINO_CATALOGS,
                format!("-- Added catalog {catalog} using connector {connector} --"),
            ),
        );
    }
    if trino_coordinator(x) {
        b.after(
            35,
            main(
                "io.trino.security.AccessControlManager",
                "Using system access control: default".into(),
            ),
        );
    }
    b.after(700, main(TRINO_SERVER, String::new()));
    let secs = b.secs();
    if let Some((_, e)) = b.items.last_mut() {
        e.msg = format!("Server startup completed in {secs:.2}s");
    }
    b.after(
        1,
        main(TRINO_SERVER, "======== SERVER STARTED ========".into()),
    );
}

/// Airlift's `JmxGcMonitor` line for an old-generation collection.
/// `kept` is the percentage range of the heap that survives the collection: a healthy
/// JVM frees most of it, one running out of heap frees almost nothing.
fn trino_gc(d: &Dice, heap_gb: u64, stopped_ms: u64, kept: (u64, u64)) -> Entry {
    let before = if kept.0 >= 90 {
        d.range(heap_gb * 97, heap_gb * 99)
    } else {
        d.range(heap_gb * 55, heap_gb * 95)
    };
    let after = before * d.range(kept.0, kept.1) / 100;
    info(
        "io.airlift.stats.JmxGcMonitor",
        format!("pool-{}-thread-1", d.range(2, 6)),
        format!(
            "Major GC: application {}ms, stopped {stopped_ms}ms: {}.{:02}GB -> {}.{:02}GB",
            d.range(800, 240_000),
            before / 100,
            before % 100,
            after / 100,
            after % 100
        ),
    )
}

fn trino_steady(x: &Ctx, k: u64, at: Timestamp, d: &Dice) -> Vec<Entry> {
    if !trino_coordinator(x) {
        let stopped = d.range(20, 450);
        return vec![trino_gc(d, 24, stopped, (30, 80))];
    }
    let roll = d.below(100);
    if roll < 82 {
        let elapsed = d.range(40, 9_000);
        let planning = elapsed * d.range(2, 20) / 100;
        let waiting = d.range(0, 30).min(elapsed / 10);
        let scheduling = elapsed * d.range(2, 10) / 100;
        let finishing = d.range(0, 40).min(elapsed / 10);
        let running = elapsed.saturating_sub(planning + waiting + scheduling + finishing);
        let state = if roll < 72 {
            "FINISHED".to_string()
        } else {
            let code = d.pick(&[
                "TABLE_NOT_FOUND",
                "SYNTAX_ERROR",
                "COLUMN_NOT_FOUND",
                "PERMISSION_DENIED",
                "USER_CANCELED",
                "EXCEEDED_TIME_LIMIT",
            ]);
            format!("FAILED ({code})")
        };
        let begin_ns = at.as_nanosecond() - i128::from(elapsed) * NS_PER_MS;
        let begin = ts(begin_ns).unwrap_or(at);
        let qid = trino_query_id(x, begin, k);
        vec![info(
            "io.trino.event.QueryMonitor",
            format!("dispatcher-query-{}", d.range(1, 64)),
            format!(
                "TIMELINE: Query {qid} :: {state} :: elapsed {elapsed}ms :: planning {planning}ms :: waiting {waiting}ms :: scheduling {scheduling}ms :: running {running}ms :: finishing {finishing}ms :: begin {} :: end {}",
                Civil::of(begin).iso_ms(),
                Civil::of(at).iso_ms()
            ),
        )]
    } else if roll < 97 {
        let stopped = d.range(15, 300);
        vec![trino_gc(d, 12, stopped, (30, 80))]
    } else {
        let worker = format!(
            "trino-worker-{}.trino-worker.{}.svc.cluster.local",
            d.range(0, 2),
            x.ns()
        );
        vec![warn(
            "io.trino.memory.RemoteNodeMemory",
            format!("http-client-memoryManager-scheduler-{}", d.range(1, 4)),
            format!(
                "Error fetching memory info from http://{worker}:8080/v1/memory: java.net.SocketTimeoutException: Read timed out"
            ),
        )]
    }
}

fn trino_crash(x: &Ctx, death: Death, died: Timestamp, seen: &[&Entry], d: &Dice) -> Vec<Entry> {
    let mut v = Vec::new();
    match death {
        Death::Fatal { startup: true }
            if seen.iter().any(|e| e.msg.starts_with("-- Loading catalog")) =>
        {
            // A catalog's own configuration is validated when the catalog loads.
            let problem = "1) Error: Invalid configuration property iceberg.nessie-catalog.default-warehouse-dir: must not be null (for class io.trino.plugin.iceberg.catalog.nessie.IcebergNessieCatalogConfig.defaultWarehouseDir)";
            v.push(error(TRINO_SERVER, "main", "Configuration errors:"));
            for l in ["", problem, "", "1 error"] {
                v.push(Entry::raw(l));
            }
            v.push(Entry::raw(
                "io.airlift.bootstrap.ApplicationConfigurationException: Configuration errors:",
            ));
            for l in ["", problem, "", "1 error"] {
                v.push(Entry::raw(l));
            }
            frames(
                &mut v,
                &[
                    "io.airlift.bootstrap.Bootstrap.initialize(Bootstrap.java:240)",
                    "io.trino.plugin.iceberg.IcebergConnectorFactory.createConnector(IcebergConnectorFactory.java:98)",
                    "io.trino.connector.DefaultCatalogFactory.createConnector(DefaultCatalogFactory.java:221)",
                    "io.trino.connector.StaticCatalogManager.loadInitialCatalogs(StaticCatalogManager.java:152)",
                    "io.trino.server.Server.doStart(Server.java:148)",
                ],
            );
        }
        Death::Fatal { startup: true } => {
            // Airlift validates the server configuration before anything starts and
            // Trino prints the problems in one block, then exits.
            let problem = d.pick(&[
                "1) Configuration property 'discovery-server.enabled' was not used",
                "1) Invalid configuration property query.max-memory-per-node: must be greater than or equal to 1B (for class io.trino.memory.NodeMemoryConfig.maxQueryMemoryPerNode)",
                "1) Configuration property 'query.max-total-memory-per-node' was not used",
            ]);
            v.push(error(TRINO_SERVER, "main", "Configuration is invalid"));
            for l in ["==========", "", "Errors:", "", problem, "", "=========="] {
                v.push(Entry::raw(l));
            }
        }
        Death::Stopped | Death::Completed => {
            let thread = format!("Thread-{}", d.range(40, 90));
            for msg in [
                "JVM is shutting down, cleaning up",
                "Life cycle stopping...",
                "Life cycle stopped.",
            ] {
                v.push(info(
                    "io.airlift.bootstrap.LifeCycleManager",
                    thread.clone(),
                    msg,
                ));
            }
        }
        // Out of heap (OOMKilled, exit 3) and any other runtime death: Trino runs with
        // -XX:+ExitOnOutOfMemoryError, so the last thing it says is the JVM's own line.
        _ => {
            let heap = if trino_coordinator(x) { 12 } else { 24 };
            for _ in 0..3 {
                let stopped = d.range(2_500, 9_000);
                v.push(trino_gc(d, heap, stopped, (97, 99)));
            }
            let qid = trino_query_id(
                x,
                ts(died.as_nanosecond() - 95 * NS_PER_S).unwrap_or(died),
                d.range(100, 9_000),
            );
            let head = error(
                "io.trino.execution.executor.timesharing.TimeSharingTaskExecutor",
                format!("Query-{qid}-{}", d.range(100, 999)),
                format!(
                    "Error processing Split {qid}.2.0.{}-{} IcebergSplit{{path=s3a://lakehouse/warehouse/sales.db/orders/data/{}.parquet, start=0, length={}}} (start = {}, wall = {} ms, cpu = {} ms, wait = {} ms, calls = {})",
                    d.range(0, 7),
                    d.range(0, 200),
                    d.uuid(),
                    d.range(10_000_000, 130_000_000),
                    d.range(1, 9_000_000),
                    d.range(2_000, 9_000),
                    d.range(800, 4_000),
                    d.range(0, 50),
                    d.range(2, 40)
                ),
            );
            v.extend(jvm_oom(
                head,
                &[
                    "java.base/java.util.Arrays.copyOf(Arrays.java:3541)",
                    "io.trino.spi.block.VariableWidthBlockBuilder.ensureFreeSpace(VariableWidthBlockBuilder.java:290)",
                    "io.trino.operator.join.DefaultPagesHash.<init>(DefaultPagesHash.java:81)",
                    "io.trino.operator.HashBuilderOperator.finishInput(HashBuilderOperator.java:414)",
                ],
            ));
        }
    }
    v
}

// ---------------------------------------------------------------------------------------
// MinIO: a plain-text banner; afterwards MinIO is quiet apart from error blocks.

fn minio_tenant(x: &Ctx) -> Option<String> {
    // Operator-managed tenants run as StatefulSets named `<tenant>-<pool>`.
    let w = x.workload();
    w.find("-pool-").map(|i| w[..i].to_string())
}

fn minio_banner(x: &Ctx, b: &mut Banner) {
    let year = x
        .tag
        .strip_prefix("RELEASE.")
        .and_then(|t| t.get(..4))
        .map_or_else(|| Civil::of(x.started()).y.to_string(), str::to_string);
    let go = match year.as_str() {
        "2025" | "2026" => "go1.24.2",
        "2024" => "go1.22.5",
        _ => "go1.21.6",
    };
    let version = if x.tag.starts_with("RELEASE.") {
        x.tag.clone()
    } else {
        "RELEASE.2025-04-22T22-12-26Z".to_string()
    };
    let ip = x.ip();
    b.after(1_200, Entry::head("MinIO Object Storage Server"));
    b.now(Entry::raw(format!("Copyright: 2015-{year} MinIO, Inc.")));
    b.now(Entry::raw(
        "License: GNU AGPLv3 - https://www.gnu.org/licenses/agpl-3.0.html",
    ));
    b.now(Entry::raw(format!("Version: {version} ({go} linux/amd64)")));
    b.now(Entry::raw(""));
    match minio_tenant(x) {
        Some(_) => {
            b.now(Entry::raw(format!(
                "API: https://minio.{}.svc.cluster.local ",
                x.ns()
            )));
            b.now(Entry::raw(format!(
                "WebUI: https://{ip}:9443 https://127.0.0.1:9443   "
            )));
        }
        None => {
            b.now(Entry::raw(format!(
                "API: http://{ip}:9000  http://127.0.0.1:9000 "
            )));
            b.now(Entry::raw(format!(
                "WebUI: http://{ip}:9001 http://127.0.0.1:9001  "
            )));
        }
    }
    b.now(Entry::raw(""));
    b.now(Entry::raw("Docs: https://docs.min.io"));
}

/// MinIO's multi-line error report (`API:`, `Time:`, `DeploymentID:`, `Error:`, frames).
fn minio_error(x: &Ctx, at: Timestamp, api: &str, err: &str, stack: &[&str]) -> Vec<Entry> {
    let c = Civil::of(at);
    let deployment = Dice::new(mix(x.seed, 0xde91)).uuid();
    let mut v = vec![
        Entry::head(format!("API: {api}")),
        Entry::raw(format!(
            "Time: {} UTC {:02}/{:02}/{:04}",
            c.time(),
            c.mo,
            c.d,
            c.y
        )),
        Entry::raw(format!("DeploymentID: {deployment}")),
        Entry::raw(format!("Error: {err}")),
    ];
    let n = stack.len();
    for (i, f) in stack.iter().enumerate() {
        v.push(Entry::raw(format!("       {}: {f}", n - i)));
    }
    v
}

/// Another server of the same pool (a pool of four: a server never reconnects to itself).
fn minio_peer(x: &Ctx, tenant: &str, d: &Dice) -> String {
    let me = u64::from(x.ordinal());
    let peer = (me + d.range(1, 3)) % 4;
    format!(
        "{}-{peer}.{tenant}-hl.{}.svc.cluster.local:9000",
        x.workload(),
        x.ns()
    )
}

fn minio_steady(x: &Ctx, at: Timestamp, d: &Dice) -> Vec<Entry> {
    match minio_tenant(x) {
        Some(tenant) if d.chance(60) => {
            let peer = minio_peer(x, &tenant, d);
            let me = format!("{}.{tenant}-hl.{}.svc.cluster.local:9000", x.pod(), x.ns());
            let err = format!(
                "grid: https://{me} re-connecting to https://{peer}: dial tcp {}:9000: i/o timeout (*net.OpError) Sys (connect)",
                Ctx::peer_ip(d)
            );
            minio_error(
                x,
                at,
                "SYSTEM.grid",
                &err,
                &[
                    "internal/logger/logonce.go:118:logger.(*logOnceType).logOnceIf()",
                    "internal/logger/logonce.go:149:logger.LogOnceIf()",
                    "internal/grid/connection.go:59:grid.gridLogOnceIf()",
                    "internal/grid/connection.go:672:grid.(*Connection).connect.func1()",
                ],
            )
        }
        _ => {
            let drive = format!("/export{}", d.range(0, 3));
            let err = format!(
                "drive:{drive}, bucket:lakehouse, object:warehouse/.minio.sys/buckets/.usage-cache.bin: context deadline exceeded (*errors.errorString)"
            );
            minio_error(
                x,
                at,
                "SYSTEM.scanner",
                &err,
                &[
                    "internal/logger/logger.go:268:logger.LogIf()",
                    "cmd/logging.go:111:cmd.scannerLogIf()",
                    "cmd/data-scanner.go:412:cmd.(*folderScanner).scanFolder()",
                ],
            )
        }
    }
}

fn minio_crash(x: &Ctx, death: Death, died: Timestamp, _d: &Dice) -> Vec<Entry> {
    match death {
        Death::Stopped | Death::Completed => vec![Entry::head("Exiting on signal: TERMINATED")],
        _ => {
            let err = "Read failed. Insufficient number of drives online";
            let mut v = minio_error(
                x,
                died,
                "SYSTEM()",
                &format!("{err} (*errors.errorString)"),
                &[
                    "internal/logger/logger.go:268:logger.LogIf()",
                    "cmd/prepare-storage.go:306:cmd.connectLoadInitFormats()",
                    "cmd/prepare-storage.go:362:cmd.waitForFormatErasure()",
                ],
            );
            v.push(Entry::head(format!(
                "ERROR Unable to initialize backend: {err}"
            )));
            v
        }
    }
}

// ---------------------------------------------------------------------------------------
// Kafka, ZooKeeper and Kafka Connect (log4j: Strimzi's `%d %p %m (%c) [%t]` or Apache
// Kafka's `[%d] %p %m (%c)`).

/// The Kafka version inside a Strimzi tag (`0.45.0-kafka-3.9.0`) or a plain tag.
fn kafka_version(x: &Ctx) -> String {
    match x.tag.split_once("kafka-") {
        Some((_, v)) => version_of(v, "3.9.0"),
        None => version_of(&x.tag, "3.9.0"),
    }
}

/// Strimzi names Kafka's pods `<cluster>-kafka-N` and ZooKeeper's `<cluster>-zookeeper-N`.
fn kafka_cluster(x: &Ctx) -> String {
    let w = x.workload();
    for suffix in [
        "-kafka-connect",
        "-kafka-exporter",
        "-connect",
        "-kafka",
        "-zookeeper",
    ] {
        if let Some(c) = w.strip_suffix(suffix) {
            return c.to_string();
        }
    }
    w
}

fn kafka_log_dir(x: &Ctx, strimzi: bool) -> String {
    if strimzi {
        format!("/var/lib/kafka/data/kafka-log{}", x.ordinal())
    } else {
        "/var/lib/kafka/data".to_string()
    }
}

const KAFKA_TOPICS: &[&str] = &[
    "lakehouse.orders",
    "lakehouse.clickstream",
    "cdc.public.customers",
    "cdc.public.payments",
    "__consumer_offsets",
    "connect-offsets",
];

fn kafka_banner(x: &Ctx, strimzi: bool, b: &mut Banner) {
    let id = x.ordinal();
    let cluster = kafka_cluster(x);
    let main = |logger: &str, msg: String| info(logger, "main", msg);
    if strimzi {
        // Strimzi's entrypoint script prepares key stores before starting the JVM.
        b.after(0, Entry::raw(format!("STRIMZI_BROKER_ID={id}")));
        for (ms, l) in [
            (30, "Preparing truststore for replication listener"),
            (
                20,
                "Adding /opt/kafka/cluster-ca-certs/ca.crt to truststore /tmp/kafka/cluster.truststore.p12 with alias ca",
            ),
            (600, "Certificate was added to keystore"),
            (
                5,
                "Preparing truststore for replication listener is complete",
            ),
            (10, "Looking for the right CA"),
            (15, "Found the right CA: /opt/kafka/cluster-ca-certs/ca.crt"),
            (
                5,
                "Preparing keystore for replication and clienttls listener",
            ),
            (
                700,
                "Preparing keystore for replication and clienttls listener is complete",
            ),
            (10, "Starting Kafka with configuration:"),
        ] {
            b.after(ms, Entry::raw(l));
        }
        for l in [
            "##############################",
            "##############################",
            "# This file is automatically generated by the Strimzi Cluster Operator",
            "# Any changes to this file will be ignored and overwritten!",
            "##############################",
            "##############################",
            "",
            "##########",
            "# Broker ID",
            "##########",
        ] {
            b.now(Entry::raw(l));
        }
        b.now(Entry::raw(format!("broker.id={id}")));
        b.now(Entry::raw(format!("node.id={id}")));
        b.after(5, Entry::raw("+ exec /usr/bin/tini -w -e 143 -- /opt/kafka/bin/kafka-server-start.sh /tmp/strimzi.properties"));
    }
    let zk = if strimzi {
        format!("{cluster}-zookeeper-client:2181")
    } else {
        "zookeeper:2181".to_string()
    };
    let dir = kafka_log_dir(x, strimzi);
    let cluster_id = Dice::new(mix(x.seed, 0xc1d)).alnum(22);
    b.after(
        900,
        main(
            "kafka.utils.Log4jControllerRegistration$",
            "Registered kafka:type=kafka.Log4jController MBean".into(),
        ),
    );
    b.after(300, main("org.apache.zookeeper.common.X509Util", "Setting -D jdk.tls.rejectClientInitiatedRenegotiation=true to disable client-initiated TLS renegotiation".into()));
    b.after(150, main("kafka.server.KafkaServer", "starting".into()));
    b.after(
        2,
        main(
            "kafka.server.KafkaServer",
            format!("Connecting to zookeeper on {zk}"),
        ),
    );
    b.after(
        20,
        main(
            "kafka.zookeeper.ZooKeeperClient",
            format!("[ZooKeeperClient Kafka server] Initializing a new session to {zk}."),
        ),
    );
    b.after(
        30,
        main(
            "kafka.zookeeper.ZooKeeperClient",
            "[ZooKeeperClient Kafka server] Waiting until connected.".into(),
        ),
    );
    b.after(
        120,
        main(
            "kafka.zookeeper.ZooKeeperClient",
            "[ZooKeeperClient Kafka server] Connected.".into(),
        ),
    );
    b.after(
        200,
        main(
            "kafka.server.KafkaServer",
            format!("Cluster ID = {cluster_id}"),
        ),
    );
    b.after(
        400,
        main(
            "kafka.log.LogManager",
            format!("Loading logs from log dirs ArraySeq({dir})"),
        ),
    );
    let load_ms = 800 + b.dice.below(2_500);
    b.after(
        load_ms,
        main(
            "kafka.log.LogManager",
            format!("Loaded {} logs in {load_ms}ms", 60 + b.dice.below(140)),
        ),
    );
    b.after(
        3,
        main(
            "kafka.log.LogManager",
            "Starting log cleanup with a period of 300000 ms.".into(),
        ),
    );
    b.after(
        1,
        main(
            "kafka.log.LogManager",
            "Starting log flusher with a default period of 9223372036854775807 ms.".into(),
        ),
    );
    b.after(
        40,
        main("kafka.log.LogCleaner", "Starting the log cleaner".into()),
    );
    b.after(
        60,
        info(
            "kafka.log.LogCleaner$CleanerThread",
            "kafka-log-cleaner-thread-0",
            "[kafka-log-cleaner-thread-0]: Starting",
        ),
    );
    for listener in ["REPLICATION-9091", "PLAIN-9092", "TLS-9093"] {
        b.after(60, main("kafka.network.SocketServer", format!("[SocketServer listenerType=ZK_BROKER, nodeId={id}] Created data-plane acceptor and processors for endpoint : ListenerName({listener})")));
    }
    for purgatory in ["Produce", "Fetch", "DeleteRecords", "ElectLeader"] {
        let name = format!("ExpirationReaper-{id}-{purgatory}");
        b.after(
            3,
            info(
                "kafka.server.DelayedOperationPurgatory$ExpiredOperationReaper",
                name.clone(),
                format!("[{name}]: Starting"),
            ),
        );
    }
    b.after(
        80,
        main(
            "kafka.zk.KafkaZkClient",
            format!("Creating /brokers/ids/{id} (is it secure? false)"),
        ),
    );
    let host = format!("{}.{}-kafka-brokers.{}.svc", x.pod(), cluster, x.ns());
    b.after(40, main(
        "kafka.zk.KafkaZkClient",
        format!(
            "Registered broker {id} at path /brokers/ids/{id} with addresses: REPLICATION-9091://{host}:9091,PLAIN-9092://{host}:9092,TLS-9093://{host}:9093, czxid (broker epoch): {}",
            4_294_967_296 + b.dice.below(90_000)
        ),
    ));
    b.after(
        120,
        main(
            "kafka.coordinator.group.GroupCoordinator",
            format!("[GroupCoordinator {id}]: Startup complete."),
        ),
    );
    b.after(
        30,
        main(
            "kafka.coordinator.transaction.TransactionCoordinator",
            format!("[TransactionCoordinator id={id}] Startup complete."),
        ),
    );
    b.after(
        200,
        main(
            "kafka.network.SocketServer",
            format!(
                "[SocketServer listenerType=ZK_BROKER, nodeId={id}] Enabling request processing."
            ),
        ),
    );
    let version = kafka_version(x);
    let commit = format!("{:016x}", hash_str(&version));
    b.after(
        5,
        main(
            "org.apache.kafka.common.utils.AppInfoParser",
            format!("Kafka version: {version}"),
        ),
    );
    b.now(main(
        "org.apache.kafka.common.utils.AppInfoParser",
        format!("Kafka commitId: {commit}"),
    ));
    b.now(main(
        "org.apache.kafka.common.utils.AppInfoParser",
        format!("Kafka startTimeMs: {}", x.started_ms() + b.t / NS_PER_MS),
    ));
    b.after(
        1,
        main(
            "kafka.server.KafkaServer",
            format!("[KafkaServer id={id}] started"),
        ),
    );
}

fn kafka_steady(x: &Ctx, k: u64, d: &Dice) -> Vec<Entry> {
    let id = x.ordinal();
    let strimzi = matches!(x.comp, Component::Kafka { strimzi: true, .. });
    let dir = kafka_log_dir(x, strimzi);
    let topic = d.pick(KAFKA_TOPICS);
    let partition = d.below(12);
    let offset = k * 1_750 + d.below(1_700);
    let handler = format!("data-plane-kafka-request-handler-{}", d.below(8));
    let roll = d.below(100);
    let e = if roll < 35 {
        info(
            "kafka.log.LocalLog",
            handler,
            format!(
                "[LocalLog partition={topic}-{partition}, dir={dir}] Rolled new log segment at offset {offset} in {} ms.",
                d.range(1, 4)
            ),
        )
    } else if roll < 60 {
        info(
            "org.apache.kafka.storage.internals.log.ProducerStateManager",
            handler,
            format!(
                "[ProducerStateManager partition={topic}-{partition}] Wrote producer snapshot at offset {offset} with {} producer ids in {} ms.",
                d.below(4),
                d.range(1, 6)
            ),
        )
    } else if roll < 80 {
        let modified = x.started_ms() as u64 + k * 9_000;
        info(
            "kafka.log.UnifiedLog",
            format!("kafka-scheduler-{}", d.below(10)),
            format!(
                "[UnifiedLog partition={topic}-{partition}, dir={dir}] Deleting segment LogSegment(baseOffset={}, size={}, lastModifiedTime={modified}, largestRecordTimestamp={}) due to log retention time 604800000ms breach based on the largest record timestamp in the segment",
                offset.saturating_sub(90_000),
                d.range(1_000_000, 1_073_741_000),
                modified.saturating_sub(d.below(5_000))
            ),
        )
    } else if roll < 93 {
        info(
            "kafka.coordinator.group.GroupMetadataManager",
            "group-metadata-manager-0",
            format!(
                "[GroupMetadataManager brokerId={id}] Removed {} expired offsets in {} milliseconds.",
                d.below(6),
                d.below(3)
            ),
        )
    } else {
        let group = d.pick(&[
            "trino-iceberg-ingest",
            "connect-iceberg-sink",
            "airflow-offsets-audit",
        ]);
        info(
            "kafka.coordinator.group.GroupCoordinator",
            handler,
            format!(
                "[GroupCoordinator {id}]: Preparing to rebalance group {group} in state PreparingRebalance with old generation {} (__consumer_offsets-{}) (reason: Adding new member consumer-{group}-1-{} with group instance id None; client reason: need to re-join with the given member-id: consumer-{group}-1-{})",
                k / 40 + 3,
                d.below(50),
                d.uuid(),
                d.uuid()
            ),
        )
    };
    vec![e]
}

fn kafka_crash(x: &Ctx, death: Death, d: &Dice) -> Vec<Entry> {
    let id = x.ordinal();
    let strimzi = matches!(x.comp, Component::Kafka { strimzi: true, .. });
    let mut v = Vec::new();
    match death {
        Death::Fatal { startup: true } => {
            let timeout = "kafka.zookeeper.ZooKeeperClientTimeoutException: Timed out waiting for connection while in state: CONNECTING";
            let stack = [
                "kafka.zookeeper.ZooKeeperClient.waitUntilConnected(ZooKeeperClient.scala:257)",
                "kafka.zookeeper.ZooKeeperClient.<init>(ZooKeeperClient.scala:117)",
                "kafka.zk.KafkaZkClient$.apply(KafkaZkClient.scala:2284)",
                "kafka.server.KafkaServer.initZkClient(KafkaServer.scala:630)",
                "kafka.server.KafkaServer.startup(KafkaServer.scala:229)",
                "kafka.Kafka$.main(Kafka.scala:112)",
                "kafka.Kafka.main(Kafka.scala)",
            ];
            v.push(info(
                "kafka.zookeeper.ZooKeeperClient",
                "main",
                "[ZooKeeperClient Kafka server] Closing.".to_string(),
            ));
            v.push(info(
                "kafka.zookeeper.ZooKeeperClient",
                "main",
                "[ZooKeeperClient Kafka server] Closed.",
            ));
            v.push(error(
                "kafka.server.KafkaServer",
                "main",
                "Fatal error during KafkaServer startup. Prepare to shutdown",
            ));
            v.push(Entry::raw(timeout));
            frames(&mut v, &stack);
            v.push(info(
                "kafka.server.KafkaServer",
                "main",
                format!("[KafkaServer id={id}] shutting down"),
            ));
            v.push(info(
                "kafka.server.KafkaServer",
                "main",
                format!("[KafkaServer id={id}] shut down completed"),
            ));
            v.push(error(
                "kafka.Kafka$",
                "main",
                "Exiting Kafka due to fatal exception during startup.",
            ));
            v.push(Entry::raw(timeout));
            frames(&mut v, &stack[..3]);
        }
        Death::Fatal { startup: false } => {
            let dir = kafka_log_dir(x, strimzi);
            let handler = format!("data-plane-kafka-request-handler-{}", d.below(8));
            v.push(error(
                "org.apache.kafka.storage.internals.log.LogDirFailureChannel",
                handler,
                format!(
                    "Error while writing to checkpoint file {dir}/replication-offset-checkpoint"
                ),
            ));
            v.push(Entry::raw("java.io.IOException: No space left on device"));
            frames(
                &mut v,
                &[
                    "java.base/sun.nio.ch.FileDispatcherImpl.write0(Native Method)",
                    "java.base/sun.nio.ch.FileChannelImpl.write(FileChannelImpl.java:285)",
                    "org.apache.kafka.server.common.CheckpointFile.write(CheckpointFile.java:85)",
                ],
            );
            v.push(warn(
                "kafka.server.ReplicaManager",
                "LogDirFailureHandler",
                format!("[ReplicaManager broker={id}] Stopping serving replicas in dir {dir}"),
            ));
            v.push(error(
                "kafka.log.LogManager",
                "LogDirFailureHandler",
                format!("Shutdown broker because all log dirs in {dir} have failed"),
            ));
        }
        Death::Stopped | Death::Completed => {
            let hook = "kafka-shutdown-hook";
            v.push(info(
                "org.apache.kafka.common.utils.LoggingSignalHandler",
                "SIGTERM handler",
                "Terminating process due to signal SIGTERM",
            ));
            v.push(info(
                "kafka.server.KafkaServer",
                hook,
                format!("[KafkaServer id={id}] shutting down"),
            ));
            v.push(info(
                "kafka.server.KafkaServer",
                hook,
                format!("[KafkaServer id={id}] Starting controlled shutdown"),
            ));
            v.push(info("kafka.server.KafkaServer", hook, format!("[KafkaServer id={id}] Controlled shutdown request returned successfully after {}ms", d.range(30, 900))));
            v.push(info(
                "kafka.zookeeper.ZooKeeperClient",
                hook,
                "[ZooKeeperClient Kafka server] Closed.",
            ));
            v.push(info(
                "kafka.server.KafkaServer",
                hook,
                format!("[KafkaServer id={id}] shut down completed"),
            ));
            v.push(info(
                "org.apache.kafka.common.utils.AppInfoParser",
                hook,
                format!("App info kafka.server for {id} unregistered"),
            ));
        }
        _ => {
            let handler = format!("data-plane-kafka-request-handler-{}", d.below(8));
            let head = error(
                "kafka.server.KafkaApis",
                handler,
                format!(
                    "[KafkaApi-{id}] Unexpected error handling request RequestHeader(apiKey=FETCH, apiVersion=16, clientId=consumer-connect-iceberg-sink-{}, correlationId={})",
                    d.range(1, 9),
                    d.range(1_000, 900_000)
                ),
            );
            v.extend(jvm_oom(head, &[
                "java.base/java.nio.HeapByteBuffer.<init>(HeapByteBuffer.java:71)",
                "java.base/java.nio.ByteBuffer.allocate(ByteBuffer.java:391)",
                "org.apache.kafka.common.record.AbstractRecords.downConvert(AbstractRecords.java:77)",
                "kafka.server.KafkaApis.handleFetchRequest(KafkaApis.scala:876)",
            ]));
        }
    }
    v
}

fn zookeeper_thread(x: &Ctx) -> String {
    format!(
        "QuorumPeer[myid={}](plain=127.0.0.1:12181)(secure=[0:0:0:0:0:0:0:0]:2181)",
        x.ordinal() + 1
    )
}

fn zookeeper_banner(x: &Ctx, b: &mut Banner) {
    let myid = x.ordinal() + 1;
    let peer = zookeeper_thread(x);
    let main = |logger: &str, msg: String| info(logger, "main", msg);
    b.after(
        0,
        main(
            "org.apache.zookeeper.server.quorum.QuorumPeerConfig",
            "Reading configuration from: /tmp/zookeeper.properties".into(),
        ),
    );
    b.after(
        20,
        main(
            "org.apache.zookeeper.server.quorum.QuorumPeerConfig",
            "secureClientPortAddress is 0.0.0.0:2181".into(),
        ),
    );
    b.after(
        200,
        main(
            "org.apache.zookeeper.server.quorum.QuorumPeerMain",
            format!("Starting quorum peer, myid={myid}"),
        ),
    );
    b.after(
        300,
        main(
            "org.apache.zookeeper.server.ZKDatabase",
            "zookeeper.snapshotSizeFactor = 0.33".into(),
        ),
    );
    let zxid = Dice::new(mix(x.inst, 0x2d)).hex(9);
    b.after(
        250,
        main(
            "org.apache.zookeeper.server.ZKDatabase",
            format!(
                "Snapshot loaded in {} ms, highest zxid is 0x{zxid}, digest is {}",
                b.dice.range(20, 200),
                b.dice.range(100_000_000, 9_999_999_999)
            ),
        ),
    );
    b.after(
        50,
        info(
            "org.apache.zookeeper.server.quorum.QuorumPeer",
            peer.clone(),
            "Peer state changed: looking",
        ),
    );
    b.after(
        5,
        info(
            "org.apache.zookeeper.server.quorum.FastLeaderElection",
            peer.clone(),
            format!("New election. My id = {myid}, proposed zxid=0x{zxid}"),
        ),
    );
    let took = b.dice.range(200, 900);
    if myid == 1 {
        b.after(
            took,
            info(
                "org.apache.zookeeper.server.quorum.QuorumPeer",
                peer.clone(),
                "Peer state changed: leading",
            ),
        );
        b.now(info(
            "org.apache.zookeeper.server.quorum.Leader",
            peer.clone(),
            format!("LEADING - LEADER ELECTION TOOK - {took} MS"),
        ));
    } else {
        b.after(
            took,
            info(
                "org.apache.zookeeper.server.quorum.QuorumPeer",
                peer.clone(),
                "Peer state changed: following",
            ),
        );
        b.now(info(
            "org.apache.zookeeper.server.quorum.Learner",
            peer.clone(),
            format!("FOLLOWING - LEADER ELECTION TOOK - {took} MS"),
        ));
    }
    b.after(
        400,
        info(
            "org.apache.zookeeper.server.quorum.QuorumPeer",
            peer,
            "Peer state changed: following - broadcast",
        ),
    );
}

fn zookeeper_steady(x: &Ctx, k: u64, d: &Dice) -> Vec<Entry> {
    let myid = x.ordinal() + 1;
    let session = format!("0x{}{}", myid, d.hex(15));
    let e = match d.below(100) {
        0..=39 => info(
            "org.apache.zookeeper.server.ZooKeeperServer",
            "SessionTracker",
            format!("Expiring session {session}, timeout of 18000ms exceeded"),
        ),
        40..=69 => info(
            "org.apache.zookeeper.server.quorum.LearnerSessionTracker",
            format!("QuorumPeer[myid={myid}]"),
            format!("Committing global session {session}"),
        ),
        70..=89 => info(
            "org.apache.zookeeper.server.persistence.FileTxnLog",
            format!("SyncThread:{myid}"),
            format!(
                "Creating new log file: log.{:x}",
                0x1_0000_0000u64 + k * 4_096
            ),
        ),
        _ => info(
            "org.apache.zookeeper.server.ZooKeeperServer",
            "Snapshot Thread",
            format!("Snapshot taken in {} ms", d.range(2, 40)),
        ),
    };
    vec![e]
}

fn zookeeper_crash(x: &Ctx, death: Death, _d: &Dice) -> Vec<Entry> {
    let myid = x.ordinal() + 1;
    let mut v = Vec::new();
    match death {
        Death::Stopped | Death::Completed => {
            v.push(info(
                "org.apache.zookeeper.server.quorum.QuorumPeer",
                zookeeper_thread(x),
                "Shutting down",
            ));
            v.push(info(
                "org.apache.zookeeper.server.ZooKeeperServer",
                "main",
                "shutting down",
            ));
            v.push(info(
                "org.apache.zookeeper.server.persistence.FileTxnSnapLog",
                "main",
                "Snapshotting: 0x0 to /var/lib/zookeeper/data/version-2/snapshot.0",
            ));
        }
        Death::Fatal { .. } => {
            v.push(error(
                "org.apache.zookeeper.server.quorum.QuorumPeerMain",
                "main",
                "Unexpected exception, exiting abnormally",
            ));
            v.push(Entry::raw("java.io.IOException: No snapshot found, but there are log entries. Something is broken!"));
            frames(
                &mut v,
                &[
                    "org.apache.zookeeper.server.persistence.FileTxnSnapLog.restore(FileTxnSnapLog.java:290)",
                    "org.apache.zookeeper.server.ZKDatabase.loadDataBase(ZKDatabase.java:285)",
                    "org.apache.zookeeper.server.quorum.QuorumPeer.loadDataBase(QuorumPeer.java:1149)",
                    "org.apache.zookeeper.server.quorum.QuorumPeer.start(QuorumPeer.java:1135)",
                    "org.apache.zookeeper.server.quorum.QuorumPeerMain.runFromConfig(QuorumPeerMain.java:229)",
                ],
            );
            v.push(error(
                "org.apache.zookeeper.util.ServiceUtils",
                "main",
                "Exiting JVM with code 1",
            ));
        }
        _ => {
            let thread = format!("SyncThread:{myid}");
            let head = error(
                "org.apache.zookeeper.server.ZooKeeperCriticalThread",
                thread.clone(),
                format!("Severe unrecoverable error, from thread : {thread}"),
            );
            v.extend(jvm_oom(head, &[
                "java.base/java.util.Arrays.copyOf(Arrays.java:3541)",
                "org.apache.zookeeper.server.persistence.FileTxnLog.append(FileTxnLog.java:299)",
                "org.apache.zookeeper.server.SyncRequestProcessor.run(SyncRequestProcessor.java:178)",
            ]));
        }
    }
    v
}

fn connect_worker(x: &Ctx) -> String {
    format!(
        "[Worker clientId=connect-{}:8083, groupId=connect-cluster]",
        x.ip()
    )
}

fn connect_banner(x: &Ctx, strimzi: bool, b: &mut Banner) {
    let main = |logger: &str, msg: String| info(logger, "main", msg);
    if strimzi {
        for (ms, l) in [
            (0, "Preparing truststore"),
            (
                20,
                "Adding /opt/kafka/connect-certs/ca.crt to truststore /tmp/kafka/cluster.truststore.p12 with alias ca",
            ),
            (600, "Certificate was added to keystore"),
            (5, "Preparing truststore is complete"),
            (10, "Starting Kafka Connect with configuration:"),
        ] {
            b.after(ms, Entry::raw(l));
        }
        let bootstrap = format!(
            "{}-kafka-bootstrap:9093",
            kafka_cluster(x).trim_end_matches("-connect")
        );
        for l in [
            format!("bootstrap.servers={bootstrap}"),
            "group.id=connect-cluster".into(),
            "offset.storage.topic=connect-offsets".into(),
            "config.storage.topic=connect-configs".into(),
            "status.storage.topic=connect-status".into(),
        ] {
            b.now(Entry::raw(l));
        }
        b.after(5, Entry::raw("+ exec /usr/bin/tini -w -e 143 -- /opt/kafka/bin/connect-distributed.sh /tmp/strimzi-connect.properties"));
    }
    b.after(
        900,
        main(
            "org.apache.kafka.connect.cli.AbstractConnectCli",
            "Kafka Connect worker initializing ...".into(),
        ),
    );
    b.after(
        60,
        main(
            "org.apache.kafka.connect.cli.AbstractConnectCli",
            "Scanning for plugin classes. This might take a moment ...".into(),
        ),
    );
    for plugin in ["debezium-connector-postgres", "iceberg-kafka-connect"] {
        b.after(
            400,
            main(
                "org.apache.kafka.connect.runtime.isolation.PluginScanner",
                format!("Loading plugin from: /opt/kafka/plugins/{plugin}"),
            ),
        );
        b.after(1_500, main("org.apache.kafka.connect.runtime.isolation.PluginScanner", format!("Registered loader: PluginClassLoader{{pluginLocation=file:/opt/kafka/plugins/{plugin}/}}")));
    }
    b.after(
        300,
        main(
            "org.apache.kafka.connect.runtime.isolation.PluginScanner",
            format!(
                "Scanning plugins with ServiceLoaderScanner took {} ms",
                1_500 + b.dice.below(900)
            ),
        ),
    );
    // The reflective scan dominates Connect's startup: 10–20 s is normal.
    let reflect = 11_000 + b.dice.below(6_000);
    b.after(
        reflect,
        main(
            "org.apache.kafka.connect.runtime.isolation.PluginScanner",
            format!("Scanning plugins with ReflectionScanner took {reflect} ms"),
        ),
    );
    for plugin in [
        "io.debezium.connector.postgresql.PostgresConnector",
        "org.apache.iceberg.connect.IcebergSinkConnector",
        "org.apache.kafka.connect.mirror.MirrorSourceConnector",
    ] {
        b.after(
            2,
            main(
                "org.apache.kafka.connect.runtime.isolation.DelegatingClassLoader",
                format!("Added plugin '{plugin}'"),
            ),
        );
    }
    b.after(
        150,
        main(
            "org.apache.kafka.connect.runtime.WorkerConfig",
            "Creating Kafka admin client".into(),
        ),
    );
    let version = kafka_version(x);
    b.after(
        300,
        main(
            "org.apache.kafka.common.utils.AppInfoParser",
            format!("Kafka version: {version}"),
        ),
    );
    b.after(
        900,
        main(
            "org.apache.kafka.connect.runtime.WorkerConfig",
            format!(
                "Kafka cluster ID: {}",
                Dice::new(mix(x.seed, 0xc1d)).alnum(22)
            ),
        ),
    );
    b.after(
        400,
        main(
            "org.apache.kafka.connect.runtime.rest.RestServer",
            "Added connector for http://:8083".into(),
        ),
    );
    b.after(
        20,
        main(
            "org.apache.kafka.connect.runtime.rest.RestServer",
            "Initializing REST server".into(),
        ),
    );
    let ip = x.ip();
    b.after(
        600,
        main(
            "org.apache.kafka.connect.runtime.rest.RestServer",
            format!(
                "REST server listening at http://{ip}:8083/, advertising URL http://{ip}:8083/"
            ),
        ),
    );
    let herder = "DistributedHerder-connect-1-1";
    b.after(
        300,
        info(
            "org.apache.kafka.connect.runtime.distributed.DistributedHerder",
            herder,
            format!("{} Herder started", connect_worker(x)),
        ),
    );
    b.after(
        5,
        main(
            "org.apache.kafka.connect.runtime.Connect",
            "Kafka Connect started".into(),
        ),
    );
    b.after(
        1_200,
        info(
            "org.apache.kafka.connect.runtime.distributed.DistributedHerder",
            herder,
            format!(
                "{} Joined group at generation {} with protocol version 2 and got assignment: Assignment{{error=0, leader='connect-{ip}:8083-{}', leaderUrl='http://{ip}:8083/', offset={}, connectorIds=[pg-cdc, iceberg-sink], taskIds=[pg-cdc-0, iceberg-sink-0], revokedConnectorIds=[], revokedTaskIds=[], delay=0}} with rebalance delay: 0",
                connect_worker(x),
                8 + b.dice.below(40),
                b.dice.uuid(),
                b.dice.range(10, 400)
            ),
        ),
    );
    b.after(
        900,
        info(
            "org.apache.kafka.connect.runtime.distributed.DistributedHerder",
            herder,
            format!(
                "{} Finished starting connectors and tasks",
                connect_worker(x)
            ),
        ),
    );
}

fn connect_steady(_x: &Ctx, k: u64, at: Timestamp, d: &Dice) -> Vec<Entry> {
    let lsn = 0x1_A000_0000u64 + k * 0x4_0000 + d.below(0x3_0000);
    let e = match d.below(100) {
        0..=44 => info(
            "org.apache.kafka.connect.runtime.WorkerSourceTask",
            "task-thread-pg-cdc-0",
            format!(
                "[pg-cdc|task-0|offsets] WorkerSourceTask{{id=pg-cdc-0}} Committing offsets for {} acknowledged messages",
                d.range(1, 4_000)
            ),
        ),
        45..=79 => info(
            "io.debezium.connector.common.BaseSourceTask",
            "task-thread-pg-cdc-0",
            format!(
                "[pg-cdc|task-0] {} records sent during previous 00:01:0{}.{:03}, last recorded offset of {{server=datalake}} partition is {{lsn_proc={lsn}, messageType=INSERT, lsn_commit={lsn}, lsn={lsn}, txId={}, ts_usec={}}}",
                d.range(1, 9_000),
                d.below(10),
                d.below(1_000),
                d.range(700_000, 990_000),
                at.as_microsecond()
            ),
        ),
        _ => {
            let valid = civil_ns(at.as_nanosecond() - 300 * NS_PER_S)
                .map(|c| c.iso_ms())
                .unwrap_or_default();
            info(
                "org.apache.iceberg.connect.channel.Coordinator",
                "iceberg-coord",
                format!(
                    "[iceberg-sink|task-0] Commit {} complete, committed to {} table(s), valid-through {valid}",
                    d.uuid(),
                    d.range(1, 3)
                ),
            )
        }
    };
    vec![e]
}

fn connect_crash(x: &Ctx, death: Death, seen: &[&Entry], _d: &Dice) -> Vec<Entry> {
    let mut v = Vec::new();
    match death {
        Death::Stopped | Death::Completed => {
            v.push(info(
                "org.apache.kafka.connect.runtime.Connect",
                "Thread-1",
                "Kafka Connect stopping",
            ));
            v.push(info(
                "org.apache.kafka.connect.runtime.rest.RestServer",
                "Thread-1",
                "Stopping REST server",
            ));
            v.push(info(
                "org.apache.kafka.connect.runtime.distributed.DistributedHerder",
                "Thread-1",
                format!("{} Herder stopping", connect_worker(x)),
            ));
            v.push(info(
                "org.apache.kafka.connect.runtime.distributed.DistributedHerder",
                "Thread-1",
                format!("{} Herder stopped", connect_worker(x)),
            ));
            v.push(info(
                "org.apache.kafka.connect.runtime.Connect",
                "Thread-1",
                "Kafka Connect stopped",
            ));
        }
        Death::Fatal { .. } if seen.iter().any(|e| e.msg.starts_with("Kafka cluster ID")) => {
            // Past the cluster-id lookup, the usual fatal is the herder refusing an
            // internal topic that is not compacted.
            v.push(error(
                "org.apache.kafka.connect.runtime.distributed.DistributedHerder",
                "DistributedHerder-connect-1-1",
                format!(
                    "{} Uncaught exception in herder work thread, exiting: ",
                    connect_worker(x)
                ),
            ));
            v.push(Entry::raw("org.apache.kafka.common.config.ConfigException: Topic 'connect-offsets' supplied via the 'offset.storage.topic' property is required to have 'cleanup.policy=compact' to guarantee consistency and durability of source connector offsets, but found the topic currently has 'cleanup.policy=delete'. Continuing would likely result in eventually losing source connector offsets and problems restarting this Connect cluster in the future. Change the 'offset.storage.topic' property in the Connect worker configurations to use a topic with 'cleanup.policy=compact'."));
            frames(
                &mut v,
                &[
                    "org.apache.kafka.connect.util.TopicAdmin.verifyTopicCleanupPolicyOnlyCompact(TopicAdmin.java:581)",
                    "org.apache.kafka.connect.storage.KafkaOffsetBackingStore.lambda$topicInitializer$0(KafkaOffsetBackingStore.java:297)",
                    "org.apache.kafka.connect.util.KafkaBasedLog.start(KafkaBasedLog.java:247)",
                    "org.apache.kafka.connect.runtime.distributed.DistributedHerder.run(DistributedHerder.java:375)",
                ],
            );
            v.push(info(
                "org.apache.kafka.connect.runtime.Connect",
                "Thread-1",
                "Kafka Connect stopping",
            ));
            v.push(info(
                "org.apache.kafka.connect.runtime.Connect",
                "Thread-1",
                "Kafka Connect stopped",
            ));
        }
        Death::Fatal { .. } => {
            // Connect resolves the Kafka cluster id before anything else; an unreachable
            // bootstrap service makes the worker give up and exit 1.
            let bootstrap = format!(
                "{}-kafka-bootstrap.{}.svc",
                kafka_cluster(x).trim_end_matches("-connect"),
                x.ns()
            );
            let svc_ip = x.svc_ip(&bootstrap);
            for _ in 0..3 {
                v.push(warn(
                    "org.apache.kafka.clients.NetworkClient",
                    "kafka-admin-client-thread | adminclient-1",
                    format!("[AdminClient clientId=adminclient-1] Connection to node -1 ({bootstrap}/{svc_ip}:9093) could not be established. Node may not be available."),
                ));
            }
            v.push(error(
                "org.apache.kafka.connect.cli.AbstractConnectCli",
                "main",
                "Stopping due to error",
            ));
            v.push(Entry::raw("org.apache.kafka.connect.errors.ConnectException: Failed to connect to and describe Kafka cluster. Check worker's broker connection and security properties."));
            frames(
                &mut v,
                &[
                    "org.apache.kafka.connect.runtime.WorkerConfig.lookupKafkaClusterId(WorkerConfig.java:277)",
                    "org.apache.kafka.connect.runtime.WorkerConfig.lookupKafkaClusterId(WorkerConfig.java:258)",
                    "org.apache.kafka.connect.cli.ConnectDistributed.createHerder(ConnectDistributed.java:92)",
                    "org.apache.kafka.connect.cli.AbstractConnectCli.startConnect(AbstractConnectCli.java:140)",
                    "org.apache.kafka.connect.cli.AbstractConnectCli.run(AbstractConnectCli.java:101)",
                    "org.apache.kafka.connect.cli.ConnectDistributed.main(ConnectDistributed.java:116)",
                ],
            );
            v.push(Entry::raw("Caused by: java.util.concurrent.ExecutionException: org.apache.kafka.common.errors.TimeoutException: Timed out waiting for a node assignment. Call: listNodes"));
            v.push(Entry::raw("\t... 6 more"));
        }
        _ => {
            let head = error(
                "org.apache.kafka.connect.runtime.WorkerTask",
                "task-thread-iceberg-sink-0",
                "[iceberg-sink|task-0] WorkerSinkTask{id=iceberg-sink-0} Task threw an uncaught and unrecoverable exception. Task is being killed and will not recover until manually restarted",
            );
            v.extend(jvm_oom(head, &[
                "org.apache.parquet.bytes.HeapByteBufferAllocator.allocate(HeapByteBufferAllocator.java:32)",
                "org.apache.iceberg.io.BaseTaskWriter$RollingFileWriter.write(BaseTaskWriter.java:301)",
                "org.apache.iceberg.connect.data.IcebergWriter.write(IcebergWriter.java:71)",
            ]));
        }
    }
    v
}

fn exporter_banner(_x: &Ctx, b: &mut Banner) {
    let k = |file: &str, msg: String| info(file, "1", msg);
    let rev = go_revision("kafka_exporter", "1.8.0");
    b.after(
        0,
        k(
            "kafka_exporter.go:774",
            format!("Starting kafka_exporter (version=1.8.0, branch=HEAD, revision={rev})"),
        ),
    );
    b.after(1, k("kafka_exporter.go:775", "Build context (go=go1.22.5, platform=linux/amd64, user=root@buildkitsandbox, date=20240815-10:21:30, tags=unknown)".into()));
    b.after(900, k("kafka_exporter.go:934", "Done Init Clients".into()));
    b.after(
        5,
        k("kafka_exporter.go:1002", "Listening on HTTP :9404".into()),
    );
}

fn exporter_steady(x: &Ctx, d: &Dice) -> Vec<Entry> {
    if d.chance(80) {
        vec![info(
            "kafka_exporter.go:366",
            "1",
            "Refreshing client metadata",
        )]
    } else {
        let group = d.pick(&["connect-iceberg-sink", "trino-iceberg-ingest"]);
        vec![Entry::rec(
            Lvl::Error,
            "kafka_exporter.go:655",
            "1",
            format!(
                "Cannot get offset of group {group}: kafka server: The coordinator is loading and hence can't process requests for this group ({})",
                kafka_cluster(x)
            ),
        )]
    }
}

fn exporter_crash(x: &Ctx, death: Death, d: &Dice) -> Vec<Entry> {
    match death {
        Death::Stopped | Death::Completed => vec![info(
            "kafka_exporter.go:1010",
            "1",
            "Shutting down kafka_exporter",
        )],
        _ => {
            let bootstrap = format!("{}-kafka-bootstrap:9091", kafka_cluster(x));
            vec![
                Entry::rec(
                    Lvl::Fatal,
                    "kafka_exporter.go:880",
                    "1",
                    format!(
                        "Error Init Kafka Client: kafka: client has run out of available brokers to talk to: dial tcp {}:9091: connect: connection refused",
                        x.svc_ip(&bootstrap)
                    ),
                ),
                Entry::raw("goroutine 1 [running]:".to_string()),
                Entry::raw("k8s.io/klog/v2.stacks(0x1)".to_string()),
                Entry::raw(format!(
                    "\t/go/pkg/mod/k8s.io/klog/v2@v2.130.1/klog.go:1110 +0x{}",
                    d.hex(2)
                )),
                Entry::raw("main.main()"),
                Entry::raw(format!("\t/app/kafka_exporter.go:880 +0x{}", d.hex(4))),
            ]
        }
    }
}

fn strimzi_operator_banner(x: &Ctx, b: &mut Banner) {
    let v = version_of(&x.tag, "0.45.0");
    let ns = x.ns().to_string();
    b.after(
        0,
        info("Main:64", "", format!("ClusterOperator {v} is starting")),
    );
    b.after(
        600,
        info(
            "PlatformFeaturesAvailability:150",
            "",
            "Kubernetes version 1.33",
        ),
    );
    b.after(
        300,
        info(
            "Main:140",
            "",
            format!("Creating ClusterOperator for namespace {ns}"),
        ),
    );
    b.after(
        200,
        info(
            "ClusterOperator:94",
            "",
            format!("Starting ClusterOperator for namespace {ns}"),
        ),
    );
    for kind in [
        "Kafka",
        "KafkaConnect",
        "KafkaMirrorMaker2",
        "KafkaBridge",
        "KafkaRebalance",
    ] {
        b.after(
            150,
            info(
                "ClusterOperator:117",
                "",
                format!("Opened watch for {kind} operator"),
            ),
        );
    }
    b.after(
        20,
        info(
            "ClusterOperator:132",
            "",
            format!("Setting up periodic reconciliation for namespace {ns}"),
        ),
    );
    b.after(
        100,
        info(
            "Main:170",
            "",
            format!("Cluster Operator verticle started in namespace {ns} without label selector"),
        ),
    );
    b.after(
        2_000,
        info(
            "LeaderElectionManager:118",
            "",
            "Started being a leader".to_string(),
        ),
    );
}

fn strimzi_operator_steady(x: &Ctx, k: u64, _d: &Dice) -> Vec<Entry> {
    let n = k / 3 + 1;
    let cluster = "datalake";
    let (kind, name) = match n % 3 {
        0 => ("Kafka", cluster.to_string()),
        1 => ("KafkaConnect", format!("{cluster}-connect")),
        _ => ("KafkaTopic", "lakehouse.orders".to_string()),
    };
    let ns = x.ns();
    let prefix = format!("Reconciliation #{n}(timer) {kind}({ns}/{name}):");
    let e = match k % 3 {
        0 => info(
            "AbstractOperator:265",
            "",
            format!("{prefix} {kind} {name} will be checked for creation or modification"),
        ),
        1 => info(
            "CrdOperator:133",
            "",
            format!("{prefix} Status of {kind} {name} in namespace {ns} has been updated"),
        ),
        _ => info("AbstractOperator:576", "", format!("{prefix} reconciled")),
    };
    vec![e]
}

fn strimzi_operator_crash(x: &Ctx, death: Death, _d: &Dice) -> Vec<Entry> {
    let mut v = Vec::new();
    match death {
        Death::Stopped | Death::Completed => {
            v.push(info("ShutdownHook:46", "", "Shutdown hook started"));
            v.push(info("ClusterOperator:155", "", format!("Stopping ClusterOperator for namespace {}", x.ns())));
            v.push(info("ShutdownHook:73", "", "Shutdown hook completed"));
        }
        Death::Fatal { startup: true } => {
            v.push(error("Main:182", "", format!("Cluster Operator verticle in namespace {} failed to start", x.ns())));
            v.push(Entry::raw("io.fabric8.kubernetes.client.KubernetesClientException: An error has occurred."));
            frames(&mut v, &[
                "io.fabric8.kubernetes.client.KubernetesClientException.launderThrowable(KubernetesClientException.java:129)",
                "io.fabric8.kubernetes.client.dsl.internal.OperationSupport.waitForResult(OperationSupport.java:515)",
                "io.strimzi.operator.cluster.ClusterOperator.start(ClusterOperator.java:105)",
            ]);
            v.push(Entry::raw("Caused by: java.net.SocketTimeoutException: Connect timed out"));
            v.push(Entry::raw("\t... 12 more"));
        }
        _ => v.extend(jvm_oom(
            error("StrimziPodSetController:420", "", "Unexpected error in the controller loop"),
            &["java.base/java.util.Arrays.copyOf(Arrays.java:3541)", "io.fabric8.kubernetes.client.informers.impl.cache.CacheImpl.put(CacheImpl.java:149)"],
        )),
    }
    v
}

// ---------------------------------------------------------------------------------------
// Airflow 2 (`[time] {file.py:line} LEVEL - message`; gunicorn and Celery for the
// webserver and workers).

const AIRFLOW_ART: [&str; 5] = [
    "  ____________       _____________",
    " ____    |__( )_________  __/__  /________      __",
    "____  /| |_  /__  ___/_  /_ __  /_  __ \\_ | /| / /",
    "___  ___ |  / _  /   _  __/ _  / / /_/ /_ |/ |/ /",
    " _/_/  |_/_/  /_/    /_/    /_/  \\____/____/|__/",
];

/// `(dag_id, task_id, operator)` the lab's Airflow runs.
const AIRFLOW_TASKS: &[(&str, &str, &str)] = &[
    (
        "lakehouse_ingest_orders",
        "extract_orders",
        "PythonOperator",
    ),
    (
        "lakehouse_ingest_orders",
        "load_to_iceberg",
        "SQLExecuteQueryOperator",
    ),
    (
        "iceberg_maintenance",
        "expire_snapshots",
        "SQLExecuteQueryOperator",
    ),
    (
        "iceberg_maintenance",
        "rewrite_data_files",
        "SQLExecuteQueryOperator",
    ),
    ("dbt_hourly_models", "dbt_run", "KubernetesPodOperator"),
    (
        "kafka_offsets_audit",
        "check_consumer_lag",
        "PythonOperator",
    ),
    (
        "minio_bucket_lifecycle",
        "apply_lifecycle_rules",
        "PythonOperator",
    ),
];

/// Python's `datetime` text as Airflow prints it: `2026-08-23 14:05:09.123456+00:00`.
fn py_datetime(ns: i128) -> String {
    civil_ns(ns)
        .map(|c| format!("{} {}.{:06}+00:00", c.date(), c.time(), c.us()))
        .unwrap_or_default()
}

/// Run id of the hourly run whose interval ended before `at`.
fn airflow_run_id(at: Timestamp) -> String {
    let hour = (at.as_nanosecond() / (3_600 * NS_PER_S) - 1) * 3_600 * NS_PER_S;
    civil_ns(hour)
        .map(|c| format!("scheduled__{}T{}+00:00", c.date(), c.time()))
        .unwrap_or_default()
}

fn airflow_db_host(x: &Ctx) -> String {
    format!("airflow-postgresql.{}", x.ns())
}

fn airflow_banner(x: &Ctx, role: AirflowRole, b: &mut Banner) {
    let af = |file: &str, msg: String| info(file, "", msg);
    if role != AirflowRole::Worker && role != AirflowRole::Job {
        // Importing Airflow and its providers takes a few seconds before the first line.
        b.after(2_500, Entry::head(AIRFLOW_ART[0]));
        for l in &AIRFLOW_ART[1..] {
            b.now(Entry::raw(*l));
        }
    }
    match role {
        AirflowRole::Scheduler => {
            b.after(
                400,
                af(
                    "task_context_logger.py:63",
                    "Task context logging is enabled".into(),
                ),
            );
            b.after(
                20,
                af(
                    "executor_loader.py:254",
                    "Loaded executor: KubernetesExecutor".into(),
                ),
            );
            b.after(
                300,
                af(
                    "scheduler_job_runner.py:950",
                    "Starting the scheduler".into(),
                ),
            );
            b.after(
                1,
                af(
                    "scheduler_job_runner.py:957",
                    "Processing each file at most -1 times".into(),
                ),
            );
            b.after(
                40,
                af(
                    "kubernetes_executor.py:287",
                    "Start Kubernetes executor".into(),
                ),
            );
            b.after(
                600,
                af(
                    "manager.py:174",
                    format!(
                        "Launched DagFileProcessorManager with pid: {}",
                        x.pid(1, 40, 90)
                    ),
                ),
            );
            b.after(
                30,
                af(
                    "scheduler_job_runner.py:1843",
                    "Adopting or resetting orphaned tasks for active dag runs".into(),
                ),
            );
            b.after(
                40,
                af("settings.py:63", "Configured default timezone UTC".into()),
            );
        }
        AirflowRole::Webserver => {
            for l in [
                "Running the Gunicorn Server with:",
                "Workers: 4 sync",
                "Host: 0.0.0.0:8080",
                "Timeout: 120",
                "Logfiles: - -",
                "Access Logformat: ",
                "=================================================================",
            ] {
                b.after(1, Entry::raw(l));
            }
            let master = x.pid(2, 20, 60).to_string();
            b.after(1_500, info("", master.clone(), "Starting gunicorn 22.0.0"));
            b.after(
                2,
                info(
                    "",
                    master.clone(),
                    format!("Listening at: http://0.0.0.0:8080 ({master})"),
                ),
            );
            b.after(1, info("", master.clone(), "Using worker: sync"));
            let first = x.pid(3, 60, 90);
            for i in 0..4 {
                b.after(
                    15,
                    info(
                        "",
                        (first + i).to_string(),
                        format!("Booting worker with pid: {}", first + i),
                    ),
                );
            }
        }
        AirflowRole::Triggerer => {
            b.after(
                300,
                af(
                    "triggerer_job_runner.py:342",
                    "Starting the triggerer".into(),
                ),
            );
            b.after(
                20,
                af(
                    "triggerer_job_runner.py:172",
                    "Setting up TriggererHandlerWrapper with handler <FileTaskHandler (NOTSET)>"
                        .into(),
                ),
            );
            b.after(1, af("triggerer_job_runner.py:228", "Setting up logging queue listener with handlers [<RedirectStdHandler (NOTSET)>, <TriggererHandlerWrapper (NOTSET)>]".into()));
        }
        AirflowRole::Worker => {
            let c = Civil::of(x.started());
            let art = [
                " ".to_string(),
                format!(" -------------- celery@{} v5.4.0 (opalescent)", x.pod()),
                "--- ***** ----- ".to_string(),
                format!("-- ******* ---- Linux-6.8.0-1021-aws-x86_64-with-glibc2.36 {} {}", c.date(), c.time()),
                "- *** --- * --- ".to_string(),
                "- ** ---------- [config]".to_string(),
                format!("- ** ---------- .> app:         airflow.providers.celery.executors.celery_executor:0x7f{}", Dice::new(x.inst).hex(10)),
                "- ** ---------- .> transport:   redis://:**@airflow-redis:6379/0".to_string(),
                "- ** ---------- .> results:     postgresql://airflow:**@airflow-postgresql:5432/airflow".to_string(),
                "- *** --- * --- .> concurrency: 16 (prefork)".to_string(),
                "-- ******* ---- .> task events: OFF (enable -E to monitor tasks in this worker)".to_string(),
                "--- ***** ----- ".to_string(),
                " -------------- [queues]".to_string(),
                "                .> default          exchange=default(direct) key=default".to_string(),
                "                ".to_string(),
            ];
            b.after(3_000, Entry::head(art[0].clone()));
            for l in &art[1..] {
                b.now(Entry::raw(l.clone()));
            }
            b.after(
                300,
                info(
                    "",
                    "MainProcess",
                    "Connected to redis://:**@airflow-redis:6379/0",
                ),
            );
            b.after(
                20,
                info("", "MainProcess", "mingle: searching for neighbors"),
            );
            b.after(1_000, info("", "MainProcess", "mingle: all alone"));
            b.after(
                30,
                info("", "MainProcess", format!("celery@{} ready.", x.pod())),
            );
        }
        AirflowRole::Job => {
            b.after(2_500, af("providers_manager.py:283", "Optional provider feature disabled when importing 'airflow.providers.google.leveldb.hooks.leveldb.LevelDBHook' from 'apache-airflow-providers-google' package".into()));
        }
    }
}

const AIRFLOW_CLEAN_TABLES: &[&str] = &[
    "callback_request",
    "dag_run",
    "dataset_event",
    "import_error",
    "job",
    "log",
    "sla_miss",
    "task_fail",
    "task_instance",
    "task_reschedule",
    "xcom",
];

fn airflow_steady(x: &Ctx, role: AirflowRole, k: u64, at: Timestamp, d: &Dice) -> Vec<Entry> {
    let af = |file: &str, msg: String| info(file, "", msg);
    // Scheduler and worker lines follow one task instance through a few steps, so the
    // choice of task is drawn per cycle, not per line.
    let cycle = if role == AirflowRole::Worker {
        k / 3
    } else {
        k / 6
    };
    let cd = x.dice(0xa1f ^ finalize(cycle));
    let (dag, task, operator) = AIRFLOW_TASKS
        .get(cd.below(AIRFLOW_TASKS.len() as u64) as usize)
        .copied()
        .unwrap_or(("dag", "task", "PythonOperator"));
    let run_id = airflow_run_id(at);
    let key = format!(
        "TaskInstanceKey(dag_id='{dag}', task_id='{task}', run_id='{run_id}', try_number=1, map_index=-1)"
    );
    match role {
        AirflowRole::Scheduler => {
            if k % 75 == 74 {
                return vec![af(
                    "scheduler_job_runner.py:1843",
                    "Adopting or resetting orphaned tasks for active dag runs".into(),
                )];
            }
            match k % 6 {
                0 => vec![
                    af(
                        "scheduler_job_runner.py:423",
                        "1 tasks up for execution:".into(),
                    ),
                    Entry::raw(format!(
                        "\t<TaskInstance: {dag}.{task} {run_id} [scheduled]>"
                    )),
                ],
                1 => vec![af(
                    "scheduler_job_runner.py:638",
                    format!(
                        "Sending {key} to KubernetesExecutor with priority 1 and queue default"
                    ),
                )],
                2 => vec![af(
                    "base_executor.py:169",
                    format!(
                        "Adding to queue: ['airflow', 'tasks', 'run', '{dag}', '{task}', '{run_id}', '--local', '--subdir', 'DAGS_FOLDER/{dag}.py']"
                    ),
                )],
                3 => vec![af(
                    "kubernetes_executor_utils.py:299",
                    format!(
                        "Event: {}-{}-{} Succeeded, annotations: <omitted>",
                        dag.replace('_', "-"),
                        task.replace('_', "-"),
                        cd.alnum(8)
                    ),
                )],
                4 => vec![af(
                    "scheduler_job_runner.py:735",
                    format!("Received executor event with state success for task instance {key}"),
                )],
                _ => {
                    let end = at.as_nanosecond() - i128::from(d.range(200, 3_000)) * NS_PER_MS;
                    let duration_ms = cd.range(900, 600_000);
                    let start = end - i128::from(duration_ms) * NS_PER_MS;
                    let queued = start - i128::from(cd.range(500, 8_000)) * NS_PER_MS;
                    vec![af(
                        "scheduler_job_runner.py:772",
                        format!(
                            "TaskInstance Finished: dag_id={dag}, task_id={task}, run_id={run_id}, map_index=-1, run_start_date={}, run_end_date={}, run_duration={}.{:03}, state=success, executor=KubernetesExecutor(parallelism=32), executor_state=success, try_number=1, max_tries=2, job_id={}, pool=default_pool, queue=default, priority_weight=1, operator={operator}, queued_dttm={}, queued_by_job_id={}, pid={}",
                            py_datetime(start),
                            py_datetime(end),
                            duration_ms / 1_000,
                            duration_ms % 1_000,
                            10_000 + k,
                            py_datetime(queued),
                            x.pid(4, 1, 400),
                            cd.range(20, 400)
                        ),
                    )]
                }
            }
        }
        AirflowRole::Webserver => {
            let c = Civil::of(at);
            let worker_base = x.pid(3, 60, 90) + 4;
            match k % 10 {
                // gunicorn's worker refresh cycle (every 30 s by default) — a familiar
                // sight in every Airflow webserver log.
                0 => vec![info(
                    "",
                    x.pid(2, 20, 60).to_string(),
                    "Handling signal: ttin",
                )],
                1 => {
                    let pid = worker_base + k / 10;
                    vec![info(
                        "",
                        pid.to_string(),
                        format!("Booting worker with pid: {pid}"),
                    )]
                }
                2 => vec![info(
                    "",
                    x.pid(2, 20, 60).to_string(),
                    "Handling signal: ttou",
                )],
                3 => {
                    let pid = (worker_base + k / 10).saturating_sub(4);
                    vec![info(
                        "",
                        pid.to_string(),
                        format!("Worker exiting (pid: {pid})"),
                    )]
                }
                _ => {
                    let (client, req, status, bytes, agent) = if d.chance(55) {
                        (
                            "10.244.0.1".to_string(),
                            "GET /health HTTP/1.1",
                            200,
                            318,
                            "kube-probe/1.33",
                        )
                    } else {
                        let path = d.pick(&[
                            "GET /home HTTP/1.1",
                            "GET /api/v1/dags?limit=100 HTTP/1.1",
                            "GET /object/grid_data?dag_id=lakehouse_ingest_orders HTTP/1.1",
                            "GET /static/dist/grid.js HTTP/1.1",
                            "POST /api/v1/dags/iceberg_maintenance/dagRuns HTTP/1.1",
                        ]);
                        (
                            Ctx::peer_ip(d),
                            path,
                            if d.chance(95) { 200 } else { 302 },
                            d.range(300, 90_000),
                            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
                        )
                    };
                    vec![Entry::head(format!(
                        "{client} - - [{}] \"{req}\" {status} {bytes} \"-\" \"{agent}\"",
                        c.clf()
                    ))]
                }
            }
        }
        AirflowRole::Triggerer => vec![af(
            "triggerer_job_runner.py:510",
            format!("{} triggers currently running", d.below(4)),
        )],
        AirflowRole::Worker => {
            let task_id = cd.uuid();
            let name = "airflow.providers.celery.executors.celery_executor_utils.execute_command";
            let pool = format!("ForkPoolWorker-{}", cd.range(1, 16));
            match k % 3 {
                0 => vec![info(
                    "",
                    "MainProcess",
                    format!("Task {name}[{task_id}] received"),
                )],
                1 => vec![info(
                    "",
                    pool,
                    format!(
                        "[{task_id}] Executing command in Celery: ['airflow', 'tasks', 'run', '{dag}', '{task}', '{run_id}', '--local', '--subdir', 'DAGS_FOLDER/{dag}.py']"
                    ),
                )],
                _ => vec![info(
                    "",
                    pool,
                    format!(
                        "Task {name}[{task_id}] succeeded in {}s: None",
                        cd.float(1, 600, 9)
                    ),
                )],
            }
        }
        AirflowRole::Job => {
            let table = AIRFLOW_CLEAN_TABLES
                .get((k / 4) as usize % AIRFLOW_CLEAN_TABLES.len())
                .copied()
                .unwrap_or("log");
            airflow_clean_step(table, k % 4, at, d)
        }
    }
}

/// One step of `airflow db clean` for `table`.
fn airflow_clean_step(table: &str, step: u64, at: Timestamp, d: &Dice) -> Vec<Entry> {
    let af = |file: &str, msg: String| info(file, "", msg);
    match step {
        0 => vec![af("db_cleanup.py:203", format!("Checking table {table}"))],
        1 => vec![af(
            "db_cleanup.py:217",
            format!(
                "Found {} rows meeting deletion criteria.",
                d.range(0, 40_000)
            ),
        )],
        2 => {
            let c = Civil::of(at);
            vec![af(
                "db_cleanup.py:227",
                format!(
                    "Moving data to table _airflow_deleted__{table}__{:04}{:02}{:02}{:02}{:02}{:02}",
                    c.y, c.mo, c.d, c.h, c.mi, c.s
                ),
            )]
        }
        _ => vec![af("db_cleanup.py:245", "Finished Performing Delete".into())],
    }
}

fn airflow_db_error(x: &Ctx, v: &mut Vec<Entry>) {
    py_traceback(
        v,
        &[
            (
                "sqlalchemy/engine/base.py",
                3371,
                "_wrap_pool_connect",
                "return fn()",
            ),
            (
                "sqlalchemy/pool/base.py",
                327,
                "connect",
                "return _ConnectionFairy._checkout(self)",
            ),
            (
                "sqlalchemy/engine/default.py",
                598,
                "connect",
                "return self.dbapi.connect(*cargs, **cparams)",
            ),
            (
                "psycopg2/__init__.py",
                122,
                "connect",
                "conn = _connect(dsn, connection_factory=connection_factory, **kwasync)",
            ),
        ],
        &format!(
            "sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) connection to server at \"{}\" ({}), port 5432 failed: Connection refused",
            airflow_db_host(x),
            x.svc_ip(&airflow_db_host(x))
        ),
    );
    v.push(Entry::raw(
        "\tIs the server running on that host and accepting TCP/IP connections?",
    ));
    v.push(Entry::raw(""));
    v.push(Entry::raw(
        "(Background on this error at: https://sqlalche.me/e/14/e3q8)",
    ));
}

fn airflow_memory_error(v: &mut Vec<Entry>) {
    py_traceback(
        v,
        &[
            (
                "airflow/jobs/scheduler_job_runner.py",
                986,
                "_execute",
                "self._run_scheduler_loop()",
            ),
            (
                "airflow/jobs/scheduler_job_runner.py",
                1124,
                "_run_scheduler_loop",
                "num_queued_tis = self._do_scheduling(session)",
            ),
            (
                "airflow/jobs/scheduler_job_runner.py",
                1216,
                "_do_scheduling",
                "callback_tuples = self._schedule_all_dag_runs(guard, dag_runs, session)",
            ),
            (
                "sqlalchemy/orm/query.py",
                2773,
                "all",
                "return self._iter().all()",
            ),
        ],
        "MemoryError",
    );
}

fn airflow_crash(
    x: &Ctx,
    role: AirflowRole,
    death: Death,
    died: Timestamp,
    d: &Dice,
) -> Vec<Entry> {
    let af = |lvl: Lvl, file: &str, msg: String| Entry::rec(lvl, file, "", msg);
    let mut v = Vec::new();
    match (role, death) {
        (AirflowRole::Webserver, Death::Oom) => {
            let pid = x.pid(3, 60, 90) + d.range(4, 400);
            let master = x.pid(2, 20, 60).to_string();
            v.push(Entry::rec(
                Lvl::Fatal,
                "",
                master.clone(),
                format!("WORKER TIMEOUT (pid:{pid})"),
            ));
            v.push(error(
                "",
                master,
                format!("Worker (pid:{pid}) was sent SIGKILL! Perhaps out of memory?"),
            ));
        }
        (AirflowRole::Webserver, Death::Stopped | Death::Completed) => {
            let master = x.pid(2, 20, 60);
            v.push(info("", master.to_string(), "Handling signal: term"));
            let first = x.pid(3, 60, 90);
            for i in 0..4 {
                v.push(info(
                    "",
                    (first + i).to_string(),
                    format!("Worker exiting (pid: {})", first + i),
                ));
            }
            v.push(info("", master.to_string(), "Shutting down: Master"));
        }
        (AirflowRole::Worker, Death::Oom) => {
            let job = d.range(10, 900);
            v.push(error(
                "",
                "MainProcess",
                format!(
                    "Process 'ForkPoolWorker-{}' pid:{} exited with 'signal 9 (SIGKILL)'",
                    d.range(1, 16),
                    d.range(200, 9_000)
                ),
            ));
            v.push(error("", "MainProcess", format!("Task handler raised error: WorkerLostError('Worker exited prematurely: signal 9 (SIGKILL) Job: {job}.')")));
            v.push(Entry::raw("Traceback (most recent call last):"));
            v.push(Entry::raw("  File \"/home/airflow/.local/lib/python3.12/site-packages/billiard/pool.py\", line 1265, in mark_as_worker_lost"));
            v.push(Entry::raw("    raise WorkerLostError("));
            v.push(Entry::raw(format!("billiard.exceptions.WorkerLostError: Worker exited prematurely: signal 9 (SIGKILL) Job: {job}.")));
        }
        (AirflowRole::Worker, Death::Stopped | Death::Completed) => {
            v.push(Entry::head(""));
            v.push(Entry::raw("worker: Warm shutdown (MainProcess)"));
        }
        (AirflowRole::Worker, _) => {
            v.push(Entry::rec(
                Lvl::Fatal,
                "",
                "MainProcess",
                "Unrecoverable error: ConnectionRefusedError(111, 'Connection refused')",
            ));
            py_traceback(
                &mut v,
                &[
                    (
                        "celery/worker/worker.py",
                        202,
                        "start",
                        "self.blueprint.start(self)",
                    ),
                    (
                        "kombu/connection.py",
                        449,
                        "_reraise_as_library_errors",
                        "raise ConnectionError(str(exc)) from exc",
                    ),
                ],
                "kombu.exceptions.OperationalError: Error 111 connecting to airflow-redis:6379. Connection refused.",
            );
        }
        (AirflowRole::Job, Death::Completed) => {
            v.extend(airflow_clean_step("xcom", 0, died, d));
            for step in 1..4 {
                v.extend(
                    airflow_clean_step("xcom", step, died, d)
                        .into_iter()
                        .map(Entry::cont),
                );
            }
        }
        (_, Death::Stopped | Death::Completed) => {
            let pid = x.pid(1, 40, 90);
            let runner = if role == AirflowRole::Triggerer {
                "triggerer_job_runner.py:306"
            } else {
                "scheduler_job_runner.py:264"
            };
            v.push(af(
                Lvl::Info,
                runner,
                "Exiting gracefully upon receiving signal 15".into(),
            ));
            v.push(af(
                Lvl::Info,
                "process_utils.py:132",
                format!("Sending 15 to group {pid}. PIDs of all processes in the group: [{pid}]"),
            ));
            v.push(af(
                Lvl::Info,
                "process_utils.py:87",
                format!("Sending the signal 15 to group {pid}"),
            ));
            let started = Civil::of(x.started());
            v.push(af(
                Lvl::Info,
                "process_utils.py:80",
                format!("Process psutil.Process(pid={pid}, status='terminated', exitcode=0, started='{}') (pid={pid}) exited with exit code 0", started.time()),
            ));
            if role == AirflowRole::Scheduler {
                v.push(af(
                    Lvl::Info,
                    "scheduler_job_runner.py:1027",
                    "Exited execute loop".into(),
                ));
            }
        }
        (_, Death::Oom) => {
            v.push(af(
                Lvl::Error,
                "scheduler_job_runner.py:1013",
                "Exception when executing SchedulerJob._run_scheduler_loop".into(),
            ));
            airflow_memory_error(&mut v);
        }
        _ => {
            let (file, msg) = match role {
                AirflowRole::Scheduler => ("job.py:226", "Scheduler heartbeat got an exception"),
                AirflowRole::Triggerer => ("job.py:226", "TriggererJob heartbeat got an exception"),
                _ => ("db.py:1012", "Unable to connect to the metadata database"),
            };
            let head = af(Lvl::Error, file, msg.into());
            // The webserver's own lines are gunicorn-formatted; this one comes from Airflow.
            v.push(if role == AirflowRole::Webserver {
                head.with(Fmt::Airflow)
            } else {
                head
            });
            airflow_db_error(x, &mut v);
        }
    }
    v
}

/// CPython's fault handler output for SIGSEGV.
fn py_segv(d: &Dice) -> Vec<Entry> {
    vec![
        Entry::head("Fatal Python error: Segmentation fault"),
        Entry::raw(""),
        Entry::raw(format!(
            "Current thread 0x00007f{} (most recent call first):",
            d.hex(10)
        )),
        Entry::raw(
            "  File \"/home/airflow/.local/lib/python3.12/site-packages/pyarrow/parquet/core.py\", line 1843 in read_table",
        ),
        Entry::raw(
            "  File \"/home/airflow/.local/lib/python3.12/site-packages/airflow/models/taskinstance.py\", line 767 in _execute_task",
        ),
        Entry::raw(""),
        Entry::raw(
            "Extension modules: psycopg2._psycopg, pyarrow.lib, pyarrow._parquet (total: 86)",
        ),
    ]
}

// ---------------------------------------------------------------------------------------
// PostgreSQL (default `log_line_prefix = '%m [%p] '`; Bitnami's image adds its shell
// init script and logs in GMT).

fn postgres_version(x: &Ctx) -> (u32, String) {
    let v = version_of(&x.tag, "17.4");
    let mut parts = v.split('.');
    let major: u32 = parts.next().and_then(|p| p.parse().ok()).unwrap_or(17);
    let minor: u32 = parts.next().and_then(|p| p.parse().ok()).unwrap_or(4);
    (major, format!("{major}.{minor}"))
}

fn postgres_data_dir(bitnami: bool) -> &'static str {
    if bitnami {
        "/bitnami/postgresql/data"
    } else {
        "/var/lib/postgresql/data"
    }
}

/// Pid of the checkpointer, stable for the instance (the postmaster is pid 1).
fn postgres_checkpointer(x: &Ctx) -> u64 {
    x.pid(5, 40, 160)
}

fn pg(lvl: Lvl, pid: impl ToString, msg: impl Into<String>) -> Entry {
    Entry::rec(lvl, "", pid.to_string(), msg)
}

/// A continuation record (`DETAIL`, `STATEMENT`, …) of the same backend.
fn pg_more(word: &str, pid: impl ToString, msg: impl Into<String>) -> Entry {
    Entry::rec(Lvl::Info, word, pid.to_string(), msg).cont()
}

fn postgres_banner(x: &Ctx, bitnami: bool, b: &mut Banner) {
    let (_, version) = postgres_version(x);
    let ckpt = postgres_checkpointer(x);
    let shutdown_at =
        civil_ns(x.started().as_nanosecond() - i128::from(x.pid(6, 20, 300)) * NS_PER_S);
    let zone = if bitnami { "GMT" } else { "UTC" };
    let shut = shutdown_at
        .map(|c| format!("{} {} {zone}", c.date(), c.time()))
        .unwrap_or_default();
    if bitnami {
        let init = |msg: &str| info("", "", msg).with(Fmt::BitnamiInit);
        for (ms, l) in [
            (0, ""),
            (80, "Welcome to the Bitnami postgresql container"),
            (
                1,
                "Subscribe to project updates by watching https://github.com/bitnami/containers",
            ),
            (
                1,
                "Submit issues and feature requests at https://github.com/bitnami/containers/issues",
            ),
            (2, ""),
            (200, "** Starting PostgreSQL setup **"),
            (30, "Validating settings in POSTGRESQL_* env vars.."),
            (10, "Loading custom pre-init scripts..."),
            (200, "Initializing PostgreSQL database..."),
            (100, "pg_hba.conf file not detected. Generating it..."),
            (10, "Generating local authentication configuration"),
            (20, "Deploying PostgreSQL with persisted data..."),
            (30, "Configuring replication parameters"),
            (40, "Configuring fsync"),
            (20, "Configuring synchronous_replication"),
            (30, "Loading custom scripts..."),
            (20, "Enabling remote connections"),
            (10, "** PostgreSQL setup finished! **"),
        ] {
            b.after(ms, init(l));
        }
        b.after(5, Entry::raw(""));
        b.after(20, init("** Starting PostgreSQL **"));
        b.after(60, pg(Lvl::Info, 1, "pgaudit extension initialized"));
        b.after(10, pg(Lvl::Info, 1, format!("starting PostgreSQL {version} on x86_64-pc-linux-gnu, compiled by gcc (Debian 12.2.0-14+deb12u1) 12.2.0, 64-bit")));
    } else {
        b.after(0, Entry::raw(""));
        b.now(Entry::raw(
            "PostgreSQL Database directory appears to contain a database; Skipping initialization",
        ));
        b.now(Entry::raw(""));
        b.after(60, pg(Lvl::Info, 1, format!("starting PostgreSQL {version} (Debian {version}-1.pgdg120+2) on x86_64-pc-linux-gnu, compiled by gcc (Debian 12.2.0-14) 12.2.0, 64-bit")));
    }
    b.after(
        2,
        pg(
            Lvl::Info,
            1,
            "listening on IPv4 address \"0.0.0.0\", port 5432",
        ),
    );
    b.now(pg(
        Lvl::Info,
        1,
        "listening on IPv6 address \"::\", port 5432",
    ));
    let socket = if bitnami {
        "/tmp/.s.PGSQL.5432"
    } else {
        "/var/run/postgresql/.s.PGSQL.5432"
    };
    b.after(
        4,
        pg(
            Lvl::Info,
            1,
            format!("listening on Unix socket \"{socket}\""),
        ),
    );
    b.after(
        10,
        pg(
            Lvl::Info,
            ckpt + 3,
            format!("database system was shut down at {shut}"),
        ),
    );
    b.after(
        10,
        pg(
            Lvl::Info,
            1,
            "database system is ready to accept connections",
        ),
    );
}

fn postgres_lsn(v: u64) -> String {
    format!("{:X}/{:X}", v >> 32, v & 0xffff_ffff)
}

fn postgres_checkpoint_complete(major: u32, lsn: u64, d: &Dice) -> String {
    let buffers = d.range(3, 4_000);
    let write = d.range(300, 269_900);
    let sync = d.range(2, 90);
    let mut msg = format!(
        "checkpoint complete: wrote {buffers} buffers ({}.{}%); 0 WAL file(s) added, 0 removed, {} recycled; write={}.{:03} s, sync={}.{:03} s, total={}.{:03} s; sync files={}, longest={}.{:03} s, average=0.{:03} s; distance={} kB, estimate={} kB",
        buffers / 160,
        buffers % 10,
        d.below(3),
        write / 1_000,
        write % 1_000,
        sync / 1_000,
        sync % 1_000,
        (write + sync) / 1_000,
        (write + sync) % 1_000,
        d.range(2, 80),
        sync / 2_000,
        (sync / 2) % 1_000,
        d.below(5),
        d.range(16, 40_000),
        d.range(2_000, 60_000)
    );
    if major >= 17 {
        msg.push_str(&format!(
            "; lsn={}, redo lsn={}",
            postgres_lsn(lsn),
            postgres_lsn(lsn.saturating_sub(d.range(40, 4_000)))
        ));
    }
    msg
}

/// `(database user, a table, an insert statement)` fitting the database's owner.
fn postgres_app(x: &Ctx) -> (&'static str, &'static str, &'static str) {
    if x.ns().contains("airflow") {
        (
            "airflow",
            "dag_run_dag_id_run_id_key",
            "INSERT INTO dag_run (dag_id, queued_at, execution_date, start_date, end_date, state, run_id, creating_job_id, external_trigger, run_type, conf) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING dag_run.id",
        )
    } else if x.ns().contains("keycloak") {
        (
            "keycloak",
            "uk_ru8tt6t700s9v50bu18ws5ha6",
            "insert into USER_ENTITY (CREATED_TIMESTAMP,EMAIL,EMAIL_CONSTRAINT,EMAIL_VERIFIED,ENABLED,FEDERATION_LINK,FIRST_NAME,LAST_NAME,NOT_BEFORE,REALM_ID,SERVICE_ACCOUNT_CLIENT_LINK,USERNAME,ID) values ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)",
        )
    } else {
        (
            "app",
            "events_pkey",
            "INSERT INTO events (id, payload, created_at) VALUES ($1, $2, $3)",
        )
    }
}

fn postgres_steady(x: &Ctx, k: u64, d: &Dice) -> Vec<Entry> {
    let (major, _) = postgres_version(x);
    let ckpt = postgres_checkpointer(x);
    let pair = k / 2;
    let lsn = 0x2_0000_0000u64 + pair * 0x60_0000 + x.dice(0x15 ^ pair).below(0x50_0000);
    // Checkpoints come in start/complete pairs; every seventh pair is replaced by what
    // client connections leave behind.
    if pair % 7 != 3 {
        let pd = x.dice(0xc4e ^ finalize(pair));
        return if k.is_multiple_of(2) {
            vec![pg(Lvl::Info, ckpt, "checkpoint starting: time")]
        } else {
            vec![pg(
                Lvl::Info,
                ckpt,
                postgres_checkpoint_complete(major, lsn, &pd),
            )]
        };
    }
    let backend = d.range(1_000, 60_000);
    let (user, constraint, statement) = postgres_app(x);
    if k.is_multiple_of(2) {
        vec![pg(
            Lvl::Info,
            backend,
            "could not receive data from client: Connection reset by peer",
        )]
    } else if d.chance(60) {
        vec![
            pg(
                Lvl::Error,
                backend,
                format!("duplicate key value violates unique constraint \"{constraint}\""),
            ),
            pg_more("DETAIL", backend, "Key already exists."),
            pg_more("STATEMENT", backend, statement),
        ]
    } else {
        vec![
            pg(
                Lvl::Fatal,
                backend,
                format!("password authentication failed for user \"{user}\""),
            ),
            pg_more(
                "DETAIL",
                backend,
                format!(
                    "Connection matched file \"{}/pg_hba.conf\" line 4: \"host     all             all             0.0.0.0/0               md5\"",
                    if matches!(x.comp, Component::Postgres { bitnami: true }) {
                        "/opt/bitnami/postgresql/conf"
                    } else {
                        "/var/lib/postgresql/data"
                    }
                ),
            ),
        ]
    }
}

fn postgres_crash(x: &Ctx, bitnami: bool, death: Death, died: Timestamp, d: &Dice) -> Vec<Entry> {
    let (major, _) = postgres_version(x);
    let ckpt = postgres_checkpointer(x);
    let backend = d.range(1_000, 60_000);
    let mut v = Vec::new();
    match death {
        Death::Fatal { startup: true } => {
            v.push(pg(
                Lvl::Fatal,
                1,
                format!(
                    "data directory \"{}\" has invalid permissions",
                    postgres_data_dir(bitnami)
                ),
            ));
            v.push(pg_more(
                "DETAIL",
                1,
                "Permissions should be u=rwx (0700) or u=rwx,g=rx (0750).",
            ));
        }
        Death::Fatal { startup: false } => {
            let walwriter = ckpt + 2;
            let startup = d.range(200, 9_000);
            let last_up = civil_ns(died.as_nanosecond() - 40 * NS_PER_S)
                .map(|c| {
                    format!(
                        "{} {} {}",
                        c.date(),
                        c.time(),
                        if bitnami { "GMT" } else { "UTC" }
                    )
                })
                .unwrap_or_default();
            v.push(pg(Lvl::Fatal, walwriter, format!("could not write to file \"pg_wal/xlogtemp.{walwriter}\": No space left on device")).with_src("PANIC"));
            v.push(pg(
                Lvl::Info,
                1,
                format!("WAL writer process (PID {walwriter}) was terminated by signal 6: Aborted"),
            ));
            v.push(pg(
                Lvl::Info,
                1,
                "terminating any other active server processes",
            ));
            v.push(pg(
                Lvl::Info,
                1,
                "all server processes terminated; reinitializing",
            ));
            v.push(pg(
                Lvl::Info,
                startup,
                format!("database system was interrupted; last known up at {last_up}"),
            ));
            v.push(pg(
                Lvl::Fatal,
                startup,
                format!(
                    "could not write to file \"pg_wal/xlogtemp.{startup}\": No space left on device"
                ),
            ));
            v.push(pg(
                Lvl::Info,
                1,
                format!("startup process (PID {startup}) exited with exit code 1"),
            ));
            v.push(pg(
                Lvl::Info,
                1,
                "aborting startup due to startup process failure",
            ));
            v.push(pg(Lvl::Info, 1, "database system is shut down"));
        }
        Death::Oom | Death::Segv => {
            let signal = if death == Death::Oom {
                "signal 9: Killed"
            } else {
                "signal 11: Segmentation fault"
            };
            // The query a memory-hungry client of this database would be running.
            let query = match postgres_app(x).0 {
                "airflow" => {
                    "SELECT task_instance.dag_id, task_instance.task_id, task_instance.run_id FROM task_instance JOIN dag_run ON dag_run.dag_id = task_instance.dag_id ORDER BY task_instance.start_date"
                }
                "keycloak" => {
                    "select ous.user_session_id, ous.data from offline_user_session ous join offline_client_session ocs on ous.user_session_id = ocs.user_session_id"
                }
                _ => "SELECT payload FROM events ORDER BY created_at",
            };
            v.push(pg(
                Lvl::Info,
                1,
                format!("server process (PID {backend}) was terminated by {signal}"),
            ));
            v.push(pg_more(
                "DETAIL",
                1,
                format!("Failed process was running: {query}"),
            ));
            v.push(pg(
                Lvl::Info,
                1,
                "terminating any other active server processes",
            ));
        }
        _ => {
            v.push(pg(Lvl::Info, 1, "received fast shutdown request"));
            v.push(pg(Lvl::Info, 1, "aborting any active transactions"));
            v.push(pg(Lvl::Info, 1, format!("background worker \"logical replication launcher\" (PID {}) exited with exit code 1", ckpt + 5)));
            v.push(pg(Lvl::Info, ckpt, "shutting down"));
            v.push(pg(
                Lvl::Info,
                ckpt,
                "checkpoint starting: shutdown immediate",
            ));
            let lsn = 0x2_0000_0000u64 + d.below(0x1000_0000);
            v.push(pg(
                Lvl::Info,
                ckpt,
                postgres_checkpoint_complete(major, lsn, d),
            ));
            v.push(pg(Lvl::Info, 1, "database system is shut down"));
        }
    }
    v
}

// ---------------------------------------------------------------------------------------
// Keycloak and Nessie (Quarkus: `date time,ms LEVEL [category] (thread) message`).

fn quarkus_for_keycloak(version: &str) -> &'static str {
    match version.get(..4) {
        Some("26.0") => "3.15.1",
        Some("26.2") => "3.20.1",
        Some("26.3") => "3.20.2",
        _ => "3.15.3.1",
    }
}

fn keycloak_node(x: &Ctx) -> String {
    format!(
        "{}-{}",
        x.pod(),
        Dice::new(mix(x.inst, 0x0de)).range(10_000, 65_000)
    )
}

fn keycloak_banner(x: &Ctx, b: &mut Banner) {
    let version = version_of(&x.tag, "26.1.4");
    let main = |cat: &str, msg: String| info(cat, "main", msg);
    // Without --optimized, the server first rebuilds itself for the configuration.
    b.after(
        600,
        Entry::raw("Changes detected in configuration. Updating the server image."),
    );
    b.after(
        30,
        Entry::raw(
            "Updating the configuration and installing your custom providers, if any. Please wait.",
        ),
    );
    let augment = 9_000 + b.dice.below(6_000);
    b.after(
        augment,
        main(
            "io.quarkus.deployment.QuarkusAugmentor",
            format!("Quarkus augmentation completed in {augment}ms"),
        ),
    );
    for l in [
        "Server configuration updated and persisted. Run the following command to review the configuration:",
        "",
        "\tkc.sh show-config",
        "",
        "Next time you run the server, just run:",
        "",
        "\tkc.sh start --optimized",
        "",
    ] {
        b.after(1, Entry::raw(l));
    }
    let node = keycloak_node(x);
    let ip = x.ip();
    b.after(
        2_500,
        main(
            "org.keycloak.url.HostnameV2ProviderFactory",
            "If hostname is specified, hostname-strict is effectively ignored".into(),
        ),
    );
    b.after(
        1_800,
        main(
            "org.keycloak.spi.infinispan.impl.embedded.JGroupsConfigurator",
            "JGroups JDBC_PING discovery enabled.".into(),
        ),
    );
    b.after(
        400,
        main(
            "org.infinispan.CONTAINER",
            "Virtual threads support enabled".into(),
        ),
    );
    b.after(
        300,
        main(
            "org.keycloak.connections.infinispan.DefaultInfinispanConnectionProviderFactory",
            format!("Node name: {node}, Site name: null"),
        ),
    );
    b.after(
        200,
        main(
            "org.jgroups.JChannel",
            format!("local_addr: {}, name: {node}", b.dice.uuid()),
        ),
    );
    b.after(
        50,
        main(
            "org.jgroups.protocols.FD_SOCK2",
            "server listening on *:57800".into(),
        ),
    );
    b.after(
        2_000,
        main(
            "org.infinispan.CLUSTER",
            format!(
                "ISPN000094: Received new cluster view for channel ISPN: [{node}|0] (1) [{node}]"
            ),
        ),
    );
    b.after(20, main("org.infinispan.CLUSTER", format!("ISPN000079: Channel `ISPN` local address is `{node}`, physical addresses are `[{ip}:7800]`")));
    b.after(
        900,
        main(
            "org.keycloak.broker.provider.AbstractIdentityProviderMapper",
            "Registering class org.keycloak.broker.provider.mappersync.ConfigSyncEventListener"
                .into(),
        ),
    );
    b.after(1_500, main("io.quarkus", String::new()));
    let secs = b.secs() - augment as f64 / 1_000.0;
    if let Some((_, e)) = b.items.last_mut() {
        e.msg = format!(
            "Keycloak {version} on JVM (powered by Quarkus {}) started in {secs:.3}s. Listening on: http://0.0.0.0:8080. Management interface listening on http://0.0.0.0:9000.",
            quarkus_for_keycloak(&version)
        );
    }
    b.after(1, main("io.quarkus", "Profile prod activated.".into()));
    b.now(main("io.quarkus", "Installed features: [agroal, cdi, hibernate-orm, jdbc-postgresql, keycloak, narayana-jta, opentelemetry, reactive-routes, rest, rest-jackson, smallrye-context-propagation, smallrye-health, vertx]".into()));
}

fn keycloak_steady(x: &Ctx, d: &Dice) -> Vec<Entry> {
    let realm_id = Dice::new(mix(x.seed, 0x4ea1)).uuid();
    let client = d.pick(&["trino", "airflow", "grafana", "minio-console", "nessie"]);
    let ip = Ctx::peer_ip(d);
    let thread = format!("executor-thread-{}", d.range(1, 60));
    let roll = d.below(100);
    let e = if roll < 45 {
        let user = d.pick(&[
            "alice",
            "bob",
            "etl-bot",
            "svc-airflow",
            "data.eng",
            "admin",
        ]);
        warn(
            "org.keycloak.events",
            thread,
            format!(
                "type=\"LOGIN_ERROR\", realmId=\"{realm_id}\", realmName=\"datalake\", clientId=\"{client}\", userId=\"null\", ipAddress=\"{ip}\", error=\"invalid_user_credentials\", auth_method=\"openid-connect\", auth_type=\"code\", redirect_uri=\"https://{client}.datalake.local/oauth2/callback\", code_id=\"{}\", username=\"{user}\"",
                d.uuid()
            ),
        )
    } else if roll < 70 {
        warn(
            "org.keycloak.events",
            thread,
            format!(
                "type=\"REFRESH_TOKEN_ERROR\", realmId=\"{realm_id}\", realmName=\"datalake\", clientId=\"{client}\", userId=\"null\", ipAddress=\"{ip}\", error=\"invalid_token\", reason=\"Token is not active\", grant_type=\"refresh_token\""
            ),
        )
    } else if roll < 88 {
        warn(
            "org.keycloak.events",
            thread,
            format!(
                "type=\"CODE_TO_TOKEN_ERROR\", realmId=\"{realm_id}\", realmName=\"datalake\", clientId=\"{client}\", userId=\"null\", ipAddress=\"{ip}\", error=\"invalid_code\", grant_type=\"authorization_code\", code_id=\"{}\"",
                d.uuid()
            ),
        )
    } else {
        warn(
            "org.keycloak.services",
            thread,
            "KC-SERVICES0091: Request is missing scope 'openid' so it's not treated as OIDC, but just pure OAuth2 request.",
        )
    };
    vec![e]
}

fn keycloak_crash(x: &Ctx, death: Death, _d: &Dice) -> Vec<Entry> {
    let handler = "org.keycloak.quarkus.runtime.cli.ExecutionExceptionHandler";
    let db = format!("{}-postgresql:5432", x.workload());
    match death {
        Death::Stopped | Death::Completed => vec![info(
            "io.quarkus",
            "Shutdown thread",
            format!("Keycloak stopped in 0.{:03}s", x.pid(7, 40, 400)),
        )],
        Death::Fatal { startup: true } => {
            let mut v = vec![warn(
                "io.agroal.pool",
                "agroal-11",
                format!(
                    "Datasource '<default>': Connection to {db} refused. Check that the hostname and port are correct and that the postmaster is accepting TCP/IP connections."
                ),
            )];
            for msg in [
                "ERROR: Failed to start server in (production) mode".to_string(),
                "ERROR: Failed to obtain JDBC connection".to_string(),
                format!("ERROR: Connection to {db} refused. Check that the hostname and port are correct and that the postmaster is accepting TCP/IP connections."),
                "ERROR: Connection refused".to_string(),
                "For more details run the same command passing the '--verbose' option. Also you can use '--help' to see the details about the usage of the particular command.".to_string(),
            ] {
                v.push(error(handler, "main", msg));
            }
            v
        }
        _ => jvm_oom(
            error(
                "org.keycloak.services.error.KeycloakErrorHandler",
                "executor-thread-12",
                "Uncaught server error",
            ),
            &[
                "java.base/java.util.Arrays.copyOf(Arrays.java:3541)",
                "org.infinispan.commons.marshall.ProtoStreamMarshaller.objectToByteBuffer(ProtoStreamMarshaller.java:82)",
                "org.keycloak.models.sessions.infinispan.InfinispanUserSessionProvider.getUserSessionsStream(InfinispanUserSessionProvider.java:412)",
            ],
        ),
    }
}

fn nessie_banner(x: &Ctx, b: &mut Banner) {
    let version = version_of(&x.tag, "0.103.0");
    let main = |cat: &str, msg: String| info(cat, "main", msg);
    b.after(0, Entry::raw("INFO exec -a \"java\" java -XX:MaxRAMPercentage=80.0 -XX:+UseParallelGC -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=20 -XX:GCTimeRatio=4 -XX:AdaptiveSizePolicyWeight=90 -XX:+ExitOnOutOfMemoryError -cp \".\" -jar /deployments/quarkus-run.jar"));
    b.after(2, Entry::raw("INFO running in /deployments"));
    b.after(900, Entry::head(" _   _                _"));
    for l in [
        "| \\ | | ___  ___ ___ (_) ___",
        "|  \\| |/ _ \\/ __/ __|| |/ _ \\",
        "| |\\  |  __/\\__ \\__ \\| |  __/",
        "|_| \\_|\\___||___/___/|_|\\___|",
        "                    https://projectnessie.org/",
    ] {
        b.now(Entry::raw(l));
    }
    b.after(
        1_200,
        main(
            "org.projectnessie.quarkus.providers.storage.PersistProvider",
            "Using Nessie version store type JDBC2".into(),
        ),
    );
    b.after(
        500,
        main(
            "org.projectnessie.quarkus.providers.storage.JdbcBackendBuilder",
            "Creating/verifying JDBC repository schema with datasource postgresql".into(),
        ),
    );
    b.after(700, main("io.quarkus", String::new()));
    let secs = b.secs();
    if let Some((_, e)) = b.items.last_mut() {
        e.msg = format!(
            "nessie-quarkus {version} on JVM (powered by Quarkus 3.19.2) started in {secs:.3}s. Listening on: http://0.0.0.0:19120. Management interface listening on http://0.0.0.0:9000."
        );
    }
    b.after(1, main("io.quarkus", "Profile prod activated.".into()));
    b.now(main("io.quarkus", "Installed features: [agroal, amazon-sdk-s3, cdi, hibernate-validator, jdbc-postgresql, micrometer, oidc, opentelemetry, rest, rest-jackson, security, smallrye-context-propagation, smallrye-health, smallrye-openapi, vertx]".into()));
}

fn nessie_steady(_x: &Ctx, at: Timestamp, d: &Dice) -> Vec<Entry> {
    let thread = format!("executor-thread-{}", d.range(1, 40));
    if d.chance(3) {
        return vec![warn(
            "io.vertx.core.impl.BlockedThreadChecker",
            "vertx-blocked-thread-checker",
            format!(
                "Thread Thread[#{},vert.x-eventloop-thread-{},5,main] has been blocked for {} ms, time limit is 2000 ms",
                d.range(40, 90),
                d.below(4),
                d.range(2_001, 4_800)
            ),
        )];
    }
    let table = d.pick(&[
        "sales.orders",
        "sales.customers",
        "web.clickstream",
        "finance.payments",
    ]);
    let (req, status, bytes) = match d.below(100) {
        0..=39 => (
            format!(
                "GET /iceberg/v1/main/namespaces/{}/tables/{} HTTP/1.1",
                table.split('.').next().unwrap_or("sales"),
                table.split('.').nth(1).unwrap_or("orders")
            ),
            200,
            d.range(2_000, 40_000),
        ),
        40..=59 => (
            "GET /iceberg/v1/config?warehouse=lakehouse HTTP/1.1".to_string(),
            200,
            d.range(300, 900),
        ),
        60..=79 => (
            "GET /api/v2/trees/main HTTP/1.1".to_string(),
            200,
            d.range(120, 300),
        ),
        80..=94 => (
            format!(
                "POST /iceberg/v1/main/namespaces/{}/tables/{} HTTP/1.1",
                table.split('.').next().unwrap_or("sales"),
                table.split('.').nth(1).unwrap_or("orders")
            ),
            200,
            d.range(2_000, 40_000),
        ),
        _ => (
            "POST /iceberg/v1/main/namespaces/sales/tables/orders HTTP/1.1".to_string(),
            409,
            220,
        ),
    };
    vec![info(
        "io.quarkus.http.access-log",
        thread,
        format!(
            "{} - - [{}] \"{req}\" {status} {bytes}",
            Ctx::peer_ip(d),
            Civil::of(at).clf()
        ),
    )]
}

fn nessie_crash(x: &Ctx, death: Death, _d: &Dice) -> Vec<Entry> {
    match death {
        Death::Stopped | Death::Completed => vec![info(
            "io.quarkus",
            "Shutdown thread",
            "nessie-quarkus stopped in 0.087s",
        )],
        Death::Fatal { startup: true } => {
            let db = format!("{}-postgresql:5432", x.workload());
            let mut v = vec![error(
                "io.quarkus.runtime.Application",
                "main",
                "Failed to start application: java.lang.RuntimeException: Failed to start quarkus",
            )];
            frames(
                &mut v,
                &[
                    "io.quarkus.runner.ApplicationImpl.doStart(Unknown Source)",
                    "io.quarkus.runtime.Application.start(Application.java:101)",
                    "io.quarkus.runtime.ApplicationLifecycleManager.run(ApplicationLifecycleManager.java:121)",
                    "io.quarkus.runtime.Quarkus.run(Quarkus.java:77)",
                    "io.quarkus.runner.GeneratedMain.main(Unknown Source)",
                ],
            );
            v.push(Entry::raw(format!("Caused by: org.postgresql.util.PSQLException: Connection to {db} refused. Check that the hostname and port are correct and that the postmaster is accepting TCP/IP connections.")));
            frames(
                &mut v,
                &[
                    "org.postgresql.core.v3.ConnectionFactoryImpl.openConnectionImpl(ConnectionFactoryImpl.java:352)",
                ],
            );
            v.push(Entry::raw("\t... 18 more"));
            v.push(Entry::raw(
                "Caused by: java.net.ConnectException: Connection refused",
            ));
            v.push(Entry::raw("\t... 27 more"));
            v
        }
        _ => jvm_oom(
            error(
                "io.quarkus.vertx.http.runtime.QuarkusErrorHandler",
                "executor-thread-7",
                "HTTP Request to /iceberg/v1/main/namespaces/sales/tables/orders failed, error id: 5e8d0b7c-3c1f-4b7e-9f54-0a4d3c2b1e90-1",
            ),
            &[
                "java.base/java.util.Arrays.copyOf(Arrays.java:3541)",
                "com.fasterxml.jackson.core.util.ByteArrayBuilder.toByteArray(ByteArrayBuilder.java:128)",
                "org.projectnessie.catalog.service.impl.CatalogServiceImpl.retrieveSnapshot(CatalogServiceImpl.java:311)",
            ],
        ),
    }
}

// ---------------------------------------------------------------------------------------
// ingress-nginx: a klog controller whose stdout also carries nginx's access log.

fn klog(lvl: Lvl, file: &str, tid: impl ToString, msg: impl Into<String>) -> Entry {
    Entry::rec(lvl, file, tid.to_string(), msg)
}

/// `(upstream name, host, paths)` the lab's ingresses route to.
const INGRESS_ROUTES: &[(&str, &str, &[&str])] = &[
    (
        "trino-trino-coordinator-8080",
        "trino.datalake.local",
        &[
            "POST /v1/statement",
            "GET /v1/statement/executing/{q}/1",
            "GET /ui/api/query",
            "GET /ui/",
        ],
    ),
    (
        "airflow-airflow-webserver-8080",
        "airflow.datalake.local",
        &[
            "GET /home",
            "GET /api/v1/dags?limit=100",
            "GET /object/grid_data?dag_id=lakehouse_ingest_orders",
            "GET /static/dist/main.js",
        ],
    ),
    (
        "keycloak-keycloak-8080",
        "sso.datalake.local",
        &[
            "POST /realms/datalake/protocol/openid-connect/token",
            "GET /realms/datalake/protocol/openid-connect/auth?client_id=grafana&response_type=code",
            "GET /realms/datalake/.well-known/openid-configuration",
        ],
    ),
    (
        "monitoring-grafana-3000",
        "grafana.datalake.local",
        &[
            "POST /api/ds/query?ds_type=prometheus",
            "GET /api/search?limit=30",
            "GET /api/live/ws",
        ],
    ),
    (
        "minio-minio-console-9443",
        "console.minio.datalake.local",
        &["GET /api/v1/buckets", "GET /api/v1/admin/info"],
    ),
    (
        "nessie-nessie-19120",
        "nessie.datalake.local",
        &[
            "GET /api/v2/config",
            "GET /iceberg/v1/config?warehouse=lakehouse",
        ],
    ),
];

fn ingress_banner(x: &Ctx, b: &mut Banner) {
    let version = format!("v{}", version_of(&x.tag, "1.12.1"));
    let nginx = if version.starts_with("v1.12") || version.starts_with("v1.13") {
        "nginx/1.25.5"
    } else {
        "nginx/1.21.6"
    };
    b.after(
        0,
        Entry::raw(
            "-------------------------------------------------------------------------------",
        ),
    );
    b.now(Entry::raw("NGINX Ingress controller"));
    b.now(Entry::raw(format!("  Release:       {version}")));
    b.now(Entry::raw(format!(
        "  Build:         {:016x}{:016x}",
        hash_str(&version),
        hash_str(nginx)
    )));
    b.now(Entry::raw(
        "  Repository:    https://github.com/kubernetes/ingress-nginx",
    ));
    b.now(Entry::raw(format!("  nginx version: {nginx}")));
    b.now(Entry::raw(""));
    b.now(Entry::raw(
        "-------------------------------------------------------------------------------",
    ));
    b.now(Entry::raw(""));
    let ns = x.ns();
    let k = |lvl: Lvl, file: &str, msg: String| klog(lvl, file, 7, msg);
    b.after(20, k(Lvl::Warn, "client_config.go:667", "Neither --kubeconfig nor --master was specified.  Using the inClusterConfig.  This might not work.".into()));
    b.after(
        1,
        k(
            Lvl::Info,
            "main.go:205",
            "\"Creating API client\" host=\"https://10.96.0.1:443\"".into(),
        ),
    );
    b.after(30, k(Lvl::Info, "main.go:248", "\"Running in Kubernetes cluster\" major=\"1\" minor=\"33\" git=\"v1.33.0\" state=\"clean\" commit=\"60a317eadfcb839692a68eab88b2096f4d708f4f\" platform=\"linux/amd64\"".into()));
    b.after(300, k(Lvl::Info, "main.go:101", "\"SSL fake certificate created\" file=\"/etc/ingress-controller/ssl/default-fake-certificate.pem\"".into()));
    b.after(40, k(Lvl::Info, "ssl.go:535", "\"loading tls certificate\" path=\"/usr/local/certificates/cert\" key=\"/usr/local/certificates/key\"".into()));
    b.after(
        30,
        k(
            Lvl::Info,
            "nginx.go:271",
            "\"Starting NGINX Ingress controller\"".into(),
        ),
    );
    b.after(10, k(Lvl::Info, "event.go:377", format!("Event(v1.ObjectReference{{Kind:\"ConfigMap\", Namespace:\"{ns}\", Name:\"ingress-nginx-controller\", UID:\"{}\", APIVersion:\"v1\", ResourceVersion:\"{}\", FieldPath:\"\"}}): type: 'Normal' reason: 'CREATE' ConfigMap {ns}/ingress-nginx-controller", b.dice.uuid(), b.dice.range(1_000, 90_000))));
    for (upstream, _, _) in INGRESS_ROUTES.iter().take(4) {
        let name = upstream.rsplit_once('-').map_or(*upstream, |(n, _)| n);
        let (svc_ns, svc) = name.split_once('-').unwrap_or(("default", name));
        b.after(
            60,
            k(
                Lvl::Info,
                "store.go:440",
                format!(
                    "\"Found valid IngressClass\" ingress=\"{svc_ns}/{svc}\" ingressclass=\"nginx\""
                ),
            ),
        );
    }
    b.after(
        900,
        k(
            Lvl::Info,
            "nginx.go:317",
            "\"Starting NGINX process\"".into(),
        ),
    );
    b.after(
        2,
        k(
            Lvl::Info,
            "leaderelection.go:257",
            format!("attempting to acquire leader lease {ns}/ingress-nginx-leader..."),
        ),
    );
    b.after(80, k(Lvl::Info, "nginx.go:337", "\"Starting validation webhook\" address=\":8443\" certPath=\"/usr/local/certificates/cert\" keyPath=\"/usr/local/certificates/key\"".into()));
    b.after(
        300,
        k(
            Lvl::Info,
            "controller.go:196",
            "\"Configuration changes detected, backend reload required\"".into(),
        ),
    );
    b.after(
        20,
        k(
            Lvl::Info,
            "leaderelection.go:271",
            format!("successfully acquired lease {ns}/ingress-nginx-leader"),
        ),
    );
    b.after(
        1,
        k(
            Lvl::Info,
            "status.go:85",
            format!("\"New leader elected\" identity=\"{}\"", x.pod()),
        ),
    );
    b.after(
        500,
        k(
            Lvl::Info,
            "controller.go:216",
            "\"Backend successfully reloaded\"".into(),
        ),
    );
    b.after(
        1,
        k(
            Lvl::Info,
            "controller.go:227",
            "\"Initial sync, sleeping for 1 second\"".into(),
        ),
    );
    b.after(1, k(Lvl::Info, "event.go:377", format!("Event(v1.ObjectReference{{Kind:\"Pod\", Namespace:\"{ns}\", Name:\"{}\", UID:\"{}\", APIVersion:\"v1\", ResourceVersion:\"{}\", FieldPath:\"\"}}): type: 'Normal' reason: 'RELOAD' NGINX reload triggered due to a change in configuration", x.pod(), b.dice.uuid(), b.dice.range(1_000, 90_000))));
}

fn ingress_steady(_x: &Ctx, at: Timestamp, d: &Dice) -> Vec<Entry> {
    let roll = d.below(1_000);
    if roll < 8 {
        let c = Civil::of(at);
        let worker = d.range(20, 60);
        return vec![Entry::head(format!(
            "{:04}/{:02}/{:02} {} [error] {worker}#{worker}: *{} upstream timed out (110: Operation timed out) while reading response header from upstream, client: {}, server: trino.datalake.local, request: \"POST /v1/statement HTTP/1.1\", upstream: \"http://{}:8080/v1/statement\", host: \"trino.datalake.local\"",
            c.y,
            c.mo,
            c.d,
            c.time(),
            d.range(10_000, 9_999_999),
            Ctx::peer_ip(d),
            Ctx::peer_ip(d)
        ))];
    }
    if roll < 12 {
        return vec![klog(
            Lvl::Warn,
            "controller.go:1216",
            7,
            "Service \"airflow/airflow-webserver\" does not have any active Endpoint.",
        )];
    }
    let (upstream, host, paths) = INGRESS_ROUTES
        .get(d.below(INGRESS_ROUTES.len() as u64) as usize)
        .copied()
        .unwrap_or(INGRESS_ROUTES[0]);
    let path = d.pick(paths).replace(
        "{q}",
        &format!("{}_{}", Civil::of(at).date().replace('-', ""), d.alnum(5)),
    );
    let status = match d.below(100) {
        0..=88 => 200,
        89..=92 => 304,
        93..=95 => 401,
        96..=97 => 404,
        98 => 499,
        _ => 502,
    };
    let bytes = if status == 304 {
        0
    } else {
        d.range(90, 120_000)
    };
    let req_time = d.range(
        1,
        if host.starts_with("trino") {
            9_000
        } else {
            800
        },
    );
    let upstream_addr = format!(
        "{}:{}",
        Ctx::peer_ip(d),
        upstream.rsplit('-').next().unwrap_or("8080")
    );
    let agent = if host.starts_with("trino") {
        "Trino JDBC Driver/476"
    } else {
        d.pick(&["Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", "python-requests/2.32.3", "Go-http-client/2.0"])
    };
    let up_status = if status == 499 {
        "-".to_string()
    } else {
        status.to_string()
    };
    vec![Entry::head(format!(
        "{} - - [{}] \"{path} HTTP/{}\" {status} {bytes} \"-\" \"{agent}\" {} {}.{:03} [{upstream}] [] {upstream_addr} {bytes} {}.{:03} {up_status} {}",
        Ctx::peer_ip(d),
        Civil::of(at).clf(),
        if d.chance(70) { "2.0" } else { "1.1" },
        d.range(60, 1_500),
        req_time / 1_000,
        req_time % 1_000,
        req_time / 1_000,
        req_time % 1_000,
        d.hex(32)
    ))]
}

fn ingress_crash(death: Death, died: Timestamp, d: &Dice) -> Vec<Entry> {
    let k = |lvl: Lvl, file: &str, msg: String| klog(lvl, file, 7, msg);
    match death {
        Death::Stopped | Death::Completed => {
            let c = Civil::of(died);
            vec![
                k(Lvl::Info, "main.go:180", "\"Received SIGTERM, shutting down\"".into()),
                k(Lvl::Info, "nginx.go:379", "\"Shutting down controller queues\"".into()),
                k(Lvl::Info, "nginx.go:387", "\"Stopping admission controller\"".into()),
                k(Lvl::Info, "nginx.go:395", "\"Stopping NGINX process\"".into()),
                Entry::head(format!("{:04}/{:02}/{:02} {} [notice] {}#{}: signal process started", c.y, c.mo, c.d, c.time(), d.range(20, 60), d.range(20, 60))),
                k(Lvl::Info, "nginx.go:408", "\"NGINX process has stopped\"".into()),
                k(Lvl::Info, "main.go:188", "\"Handled quit, delaying controller exit for 10 seconds\"".into()),
                k(Lvl::Info, "main.go:191", "\"Exiting\" code=0".into()),
            ]
        }
        Death::Fatal { startup: true } => vec![
            k(Lvl::Fatal, "main.go:67", "port 80 is already in use. Please check the flag --http-port".into()),
            Entry::raw("goroutine 1 [running]:"),
            Entry::raw("main.main()"),
            Entry::raw(format!("\tk8s.io/ingress-nginx/cmd/nginx/main.go:67 +0x{}", d.hex(3))),
        ],
        _ => vec![
            k(
                Lvl::Fatal,
                "main.go:100",
                "Error while initiating a connection to the Kubernetes API server. This could mean the cluster is misconfigured (e.g. it has invalid API server certificates or Service Accounts configuration). Reason: Get \"https://10.96.0.1:443/version\": dial tcp 10.96.0.1:443: i/o timeout".into(),
            ),
            Entry::raw("Refer to the troubleshooting guide for more information: https://kubernetes.github.io/ingress-nginx/troubleshooting/"),
        ],
    }
}

// ---------------------------------------------------------------------------------------
// Velero (logrus text: `time="…" level=info msg="…" key=value … logSource="…"`).

/// logrus sorts fields by name; callers pass them pre-sorted.
fn velero(lvl: Lvl, msg: impl Into<String>, fields: impl Into<String>) -> Entry {
    Entry::rec(lvl, fields, "", msg)
}

fn velero_banner(x: &Ctx, b: &mut Banner) {
    let version = format!("v{}", version_of(&x.tag, "1.16.0"));
    let commit = format!(
        "{:016x}{:016x}{:08x}",
        hash_str(&version),
        hash_str("velero"),
        hash_str(&version) >> 32
    );
    let server = |line: u32| format!("logSource=\"pkg/cmd/server/server.go:{line}\"");
    b.after(
        0,
        velero(Lvl::Info, "setting log-level to INFO", server(191)),
    );
    b.after(
        1,
        velero(
            Lvl::Info,
            format!("Starting Velero server {version} ({commit})"),
            server(193),
        ),
    );
    b.after(
        1,
        velero(Lvl::Info, "No feature flags enabled", server(197)),
    );
    for (kind, name, command) in [
        ("BackupItemAction", "velero.io/crd-remap-version", "/velero"),
        ("BackupItemAction", "velero.io/pod", "/velero"),
        ("BackupItemAction", "velero.io/pv", "/velero"),
        ("BackupItemAction", "velero.io/service-account", "/velero"),
        ("RestoreItemAction", "velero.io/add-pv-from-pvc", "/velero"),
        ("RestoreItemAction", "velero.io/pod", "/velero"),
        (
            "ObjectStore",
            "velero.io/aws",
            "/plugins/velero-plugin-for-aws",
        ),
        (
            "VolumeSnapshotter",
            "velero.io/aws",
            "/plugins/velero-plugin-for-aws",
        ),
    ] {
        b.after(8, velero(Lvl::Info, "registering plugin", format!("command={command} kind={kind} logSource=\"pkg/plugin/clientmgmt/process/registry.go:102\" name={name}")));
    }
    let ns = x.ns();
    b.after(
        200,
        velero(
            Lvl::Info,
            "Checking existence of namespace.",
            format!("{} namespace={ns}", server(504)),
        ),
    );
    b.after(
        5,
        velero(
            Lvl::Info,
            "Namespace exists",
            format!("{} namespace={ns}", server(510)),
        ),
    );
    b.after(
        900,
        velero(
            Lvl::Info,
            "Checking existence of Velero custom resource definitions",
            server(539),
        ),
    );
    b.after(
        1_500,
        velero(
            Lvl::Info,
            "All Velero custom resource definitions exist",
            server(573),
        ),
    );
    b.after(10, velero(Lvl::Info, "Starting controllers", server(683)));
    b.after(
        2,
        velero(
            Lvl::Info,
            "Starting metric server at address [:8085]",
            server(688),
        ),
    );
    b.after(300, velero(Lvl::Info, "Server starting...", server(1012)));
}

fn velero_steady(x: &Ctx, k: u64, d: &Dice) -> Vec<Entry> {
    let ns = x.ns();
    let bsl = "logSource=\"pkg/controller/backup_storage_location_controller.go";
    let e = match k % 4 {
        0 => velero(
            Lvl::Info,
            "Checking for existing backup locations ready to be verified; there needs to be at least 1 backup location available",
            format!("controller=backup-storage-location {bsl}:141\""),
        ),
        1 => velero(
            Lvl::Info,
            "Validating BackupStorageLocation",
            format!(
                "backup-storage-location={ns}/default controller=backup-storage-location {bsl}:152\""
            ),
        ),
        2 => velero(
            Lvl::Info,
            "BackupStorageLocations is valid, marking as available",
            format!(
                "backup-storage-location={ns}/default controller=backup-storage-location {bsl}:127\""
            ),
        ),
        _ => velero(
            Lvl::Info,
            "plugin process exited",
            format!(
                "cmd=/plugins/velero-plugin-for-aws controller=backup-sync id={} logSource=\"pkg/plugin/clientmgmt/process/logrus_adapter.go:80\" plugin=/plugins/velero-plugin-for-aws",
                d.range(100, 99_999)
            ),
        ),
    };
    vec![e]
}

fn velero_crash(x: &Ctx, death: Death, _d: &Dice) -> Vec<Entry> {
    let runtime = "logSource=\"/go/pkg/mod/github.com/bombsimon/logrusr/v3@v3.0.0/logrusr.go:108\"";
    match death {
        Death::Stopped | Death::Completed => vec![
            velero(
                Lvl::Info,
                "Stopping and waiting for non leader election runnables",
                runtime,
            ),
            velero(
                Lvl::Info,
                "Stopping and waiting for leader election runnables",
                runtime,
            ),
            velero(
                Lvl::Info,
                "Wait completed, proceeding to shutdown the manager",
                runtime,
            ),
        ],
        _ => vec![
            velero(
                Lvl::Info,
                "Checking existence of namespace.",
                format!(
                    "logSource=\"pkg/cmd/server/server.go:504\" namespace={}",
                    x.ns()
                ),
            ),
            Entry::head(
                "An error occurred: some backup storage locations are invalid: backup store for location \"default\" is invalid: rpc error: code = Unknown desc = NoSuchBucket: The specified bucket does not exist",
            ),
        ],
    }
}

// ---------------------------------------------------------------------------------------
// Go services with slog / go-kit / Grafana logfmt output.

fn slog(lvl: Lvl, source: &str, msg: impl Into<String>, fields: impl Into<String>) -> Entry {
    Entry::rec(lvl, source, fields, msg)
}

/// The first `n` characters of an ASCII id (git hashes are quoted abbreviated).
fn short(s: &str, n: usize) -> &str {
    s.get(..n).unwrap_or(s)
}

/// A stable, made-up 40-hex-digit git revision for a build of `name`.
fn go_revision(name: &str, version: &str) -> String {
    format!(
        "{:016x}{:016x}{:08x}",
        hash_str(name),
        hash_str(version),
        hash_str(&format!("{name}{version}")) >> 32
    )
}

fn sealed_secrets_banner(x: &Ctx, b: &mut Banner) {
    let version = version_of(&x.tag, "0.29.0");
    b.after(
        0,
        slog(
            Lvl::Info,
            "",
            "Starting sealed-secrets controller",
            format!("version={version}"),
        ),
    );
    b.after(
        5,
        slog(Lvl::Info, "", "Searching for existing private keys", ""),
    );
    b.after(
        300,
        slog(
            Lvl::Info,
            "",
            "registered private key",
            format!(
                "secretname=sealed-secrets-key{}",
                Dice::new(mix(x.seed, 0x5e)).alnum(5)
            ),
        ),
    );
    b.after(10, slog(Lvl::Info, "", "HTTP server serving", "addr=:8080"));
    b.after(
        5,
        slog(Lvl::Info, "", "HTTP metrics server serving", "addr=:8081"),
    );
}

fn sealed_secrets_steady(_x: &Ctx, d: &Dice) -> Vec<Entry> {
    let (ns, name) = [
        ("airflow", "airflow-fernet-key"),
        ("keycloak", "keycloak-db"),
        ("minio", "datalake-env-configuration"),
        ("trino", "trino-catalog-secrets"),
    ]
    .get(d.below(4) as usize)
    .copied()
    .unwrap_or(("default", "secret"));
    if d.chance(50) {
        vec![slog(Lvl::Info, "", "Updating", format!("key={ns}/{name}"))]
    } else {
        // Events go through client-go's broadcaster, which logs them with klog.
        vec![klog(
            Lvl::Info,
            "event.go:377",
            1,
            format!(
                "Event(v1.ObjectReference{{Kind:\"SealedSecret\", Namespace:\"{ns}\", Name:\"{name}\", UID:\"{}\", APIVersion:\"bitnami.com/v1alpha1\", ResourceVersion:\"{}\", FieldPath:\"\"}}): type: 'Normal' reason: 'Unsealed' SealedSecret unsealed successfully",
                d.uuid(),
                d.range(1_000, 900_000)
            ),
        )
        .with(Fmt::Klog)]
    }
}

fn prometheus_banner(x: &Ctx, b: &mut Banner) {
    let version = version_of(&x.tag, "3.2.1");
    let revision = go_revision("prometheus", &version);
    b.after(
        0,
        slog(
            Lvl::Info,
            "main.go:640",
            "No time or size retention was set so using the default time retention",
            "duration=15d",
        ),
    );
    b.after(
        1,
        slog(
            Lvl::Info,
            "main.go:687",
            "Starting Prometheus Server",
            format!(
                "mode=server version=\"(version={version}, branch=HEAD, revision={revision})\""
            ),
        ),
    );
    b.after(1, slog(Lvl::Info, "main.go:692", "operational information", "build_context=\"(go=go1.23.6, platform=linux/amd64, user=root@buildkitsandbox, date=20250220-11:13:36, tags=netgo,builtinassets,stringlabels)\" host_details=\"(Linux 6.8.0-1021-aws #23-Ubuntu SMP x86_64 prometheus-k8s-0 (none))\" fd_limits=\"(soft=1048576, hard=1048576)\" vm_limits=\"(soft=unlimited, hard=unlimited)\""));
    b.after(
        20,
        slog(
            Lvl::Info,
            "web.go:654",
            "Start listening for connections",
            "component=web address=0.0.0.0:9090",
        ),
    );
    b.after(5, slog(Lvl::Info, "main.go:1230", "Starting TSDB ...", ""));
    b.after(
        2,
        slog(
            Lvl::Info,
            "tls_config.go:347",
            "Listening on",
            "component=web address=[::]:9090",
        ),
    );
    b.after(
        1,
        slog(
            Lvl::Info,
            "tls_config.go:350",
            "TLS is disabled.",
            "component=web http2=false address=[::]:9090",
        ),
    );
    b.after(
        40,
        slog(
            Lvl::Info,
            "head.go:630",
            "Replaying on-disk memory mappable chunks if any",
            "component=tsdb",
        ),
    );
    b.after(
        800,
        slog(
            Lvl::Info,
            "head.go:717",
            "On-disk memory mappable chunks replay completed",
            format!(
                "component=tsdb duration={}.{:03}ms",
                b.dice.range(100, 900),
                b.dice.below(1_000)
            ),
        ),
    );
    b.after(
        1,
        slog(
            Lvl::Info,
            "head.go:725",
            "Replaying WAL, this may take a while",
            "component=tsdb",
        ),
    );
    let segments = 3 + b.dice.below(6);
    let first = 200 + b.dice.below(400);
    for s in 0..segments {
        b.after(
            1_200,
            slog(
                Lvl::Info,
                "head.go:797",
                "WAL segment loaded",
                format!(
                    "component=tsdb segment={} maxSegment={}",
                    first + s,
                    first + segments - 1
                ),
            ),
        );
    }
    b.after(20, slog(Lvl::Info, "head.go:834", "WAL replay completed", format!("component=tsdb checkpoint_replay_duration={}ms wal_replay_duration={}s wbl_replay_duration=154ns chunk_snapshot_load_duration=0s mmap_chunk_replay_duration={}ms total_replay_duration={}s", b.dice.range(10, 90), b.dice.range(3, 12), b.dice.range(100, 900), b.dice.range(4, 14))));
    b.after(
        100,
        slog(
            Lvl::Info,
            "main.go:1251",
            "filesystem information",
            "fs_type=EXT4_SUPER_MAGIC",
        ),
    );
    b.after(1, slog(Lvl::Info, "main.go:1254", "TSDB started", ""));
    b.after(
        1,
        slog(
            Lvl::Info,
            "main.go:1436",
            "Loading configuration file",
            "filename=/etc/prometheus/config_out/prometheus.env.yaml",
        ),
    );
    b.after(80, slog(Lvl::Info, "main.go:1476", "Completed loading of configuration file", format!("db_storage=1.21µs remote_storage=1.8µs web_handler=520ns query_engine=830ns scrape={}ms scrape_sd={}ms notify=31µs notify_sd=170µs rules={}ms tracing=5.1µs filename=/etc/prometheus/config_out/prometheus.env.yaml totalDuration={}ms", b.dice.range(1, 9), b.dice.range(1, 9), b.dice.range(10, 90), b.dice.range(40, 140))));
    b.after(
        1,
        slog(
            Lvl::Info,
            "main.go:1212",
            "Server is ready to receive web requests.",
            "",
        ),
    );
    b.after(
        1,
        slog(
            Lvl::Info,
            "manager.go:175",
            "Starting rule manager...",
            "component=\"rule manager\"",
        ),
    );
}

fn prometheus_steady(_x: &Ctx, k: u64, at: Timestamp, d: &Dice) -> Vec<Entry> {
    let hour = at.as_nanosecond() / NS_PER_MS / 7_200_000 * 7_200_000;
    let ulid = d.ulid();
    let e = match k % 6 {
        0 => slog(
            Lvl::Info,
            "compact.go:576",
            "write block",
            format!(
                "component=tsdb mint={} maxt={} ulid={ulid} duration={}.{:03}s ooo=false",
                hour - 7_200_000,
                hour,
                d.range(1, 9),
                d.below(1_000)
            ),
        ),
        1 => slog(
            Lvl::Info,
            "head.go:1356",
            "Head GC completed",
            format!(
                "component=tsdb caller=truncateMemory duration={}ms",
                d.range(20, 400)
            ),
        ),
        2 => slog(
            Lvl::Info,
            "checkpoint.go:101",
            "Creating checkpoint",
            format!(
                "component=tsdb from_segment={} to_segment={} mint={hour}",
                300 + k,
                302 + k
            ),
        ),
        3 => slog(
            Lvl::Info,
            "head.go:1318",
            "WAL checkpoint complete",
            format!(
                "component=tsdb first={} last={} duration={}ms",
                300 + k,
                302 + k,
                d.range(100, 2_000)
            ),
        ),
        4 => slog(
            Lvl::Warn,
            "scrape.go:1884",
            "Error on ingesting samples with different value but same timestamp",
            format!(
                "component=\"scrape manager\" scrape_pool=serviceMonitor/monitoring/trino/0 target=http://{}:8080/metrics num_dropped={}",
                Ctx::peer_ip(d),
                d.range(1, 40)
            ),
        ),
        _ => slog(
            Lvl::Info,
            "compact.go:751",
            "Deleting obsolete block",
            format!("component=tsdb block={}", d.ulid()),
        ),
    };
    vec![e]
}

fn alertmanager_banner(x: &Ctx, b: &mut Banner) {
    let version = version_of(&x.tag, "0.28.1");
    let ip = x.ip();
    b.after(
        0,
        slog(
            Lvl::Info,
            "main.go:191",
            "Starting Alertmanager",
            format!(
                "version=\"(version={version}, branch=HEAD, revision={})\"",
                go_revision("alertmanager", &version)
            ),
        ),
    );
    b.after(1, slog(Lvl::Info, "main.go:192", "Build context", "build_context=\"(go=go1.23.7, platform=linux/amd64, user=root@buildkitsandbox, date=20250307-15:05:18, tags=netgo)\""));
    b.after(
        10,
        slog(
            Lvl::Info,
            "cluster.go:186",
            "setting advertise address explicitly",
            format!("component=cluster addr={ip} port=9094"),
        ),
    );
    b.after(
        30,
        slog(
            Lvl::Info,
            "cluster.go:683",
            "Waiting for gossip to settle...",
            "component=cluster interval=2s",
        ),
    );
    b.after(
        40,
        slog(
            Lvl::Info,
            "coordinator.go:112",
            "Loading configuration file",
            "component=configuration file=/etc/alertmanager/config_out/alertmanager.env.yaml",
        ),
    );
    b.after(
        10,
        slog(
            Lvl::Info,
            "coordinator.go:125",
            "Completed loading of configuration file",
            "component=configuration file=/etc/alertmanager/config_out/alertmanager.env.yaml",
        ),
    );
    b.after(
        20,
        slog(
            Lvl::Info,
            "tls_config.go:347",
            "Listening on",
            "address=[::]:9093",
        ),
    );
    b.after(
        1,
        slog(
            Lvl::Info,
            "tls_config.go:350",
            "TLS is disabled.",
            "http2=false address=[::]:9093",
        ),
    );
    b.after(
        10_000,
        slog(
            Lvl::Info,
            "cluster.go:708",
            "gossip settled; proceeding",
            format!("component=cluster elapsed={}.{:03}s", 10, b.dice.below(20)),
        ),
    );
}

fn alertmanager_steady(d: &Dice) -> Vec<Entry> {
    let alert = d.pick(&[
        "KubePodCrashLooping",
        "KubeContainerWaiting",
        "TrinoWorkerDown",
        "KafkaConsumerLagHigh",
        "VeleroBackupFailed",
    ]);
    if d.chance(70) {
        vec![slog(
            Lvl::Warn,
            "notify.go:867",
            "Notify attempt failed, will retry later",
            format!(
                "component=dispatcher receiver=slack-oncall integration=slack[0] aggrGroup=\"{{}}/{{severity=\\\"critical\\\"}}:{{alertname=\\\"{alert}\\\"}}\" attempts=1 err=\"Post \\\"<redacted>\\\": context deadline exceeded\""
            ),
        )]
    } else {
        vec![slog(
            Lvl::Info,
            "silence.go:375",
            "Running maintenance",
            "component=silences",
        )]
    }
}

fn prometheus_operator_banner(x: &Ctx, b: &mut Banner) {
    let version = version_of(&x.tag, "0.81.0");
    b.after(
        0,
        slog(
            Lvl::Info,
            "main.go:213",
            "Starting Prometheus Operator",
            format!(
                "version=\"(version={version}, branch=, revision={})\"",
                short(&go_revision("prometheus-operator", &version), 7)
            ),
        ),
    );
    b.after(1, slog(Lvl::Info, "main.go:214", "Operator's configuration", "watch_referenced_objects_in_all_namespaces=false controller_id=\"\" enable_config_reloader_probes=false"));
    b.after(40, slog(Lvl::Info, "main.go:228", "Namespaces filtering configuration ", "config=\"{allow_list=\\\"\\\",deny_list=\\\"\\\",prometheus_allow_list=\\\"\\\",alertmanager_allow_list=\\\"\\\",alertmanagerconfig_allow_list=\\\"\\\",thanosruler_allow_list=\\\"\\\"}\""));
    b.after(
        100,
        slog(
            Lvl::Info,
            "server.go:295",
            "starting secure server",
            "address=[::]:8443 http2=false",
        ),
    );
    for c in [
        "prometheus-controller",
        "alertmanager-controller",
        "thanos-controller",
        "prometheusagent-controller",
    ] {
        b.after(
            50,
            slog(
                Lvl::Info,
                "operator.go:404",
                "successfully synced all caches",
                format!("component={c}"),
            ),
        );
    }
}

fn prometheus_operator_steady(_x: &Ctx, d: &Dice) -> Vec<Entry> {
    let ns = "monitoring";
    let e = match d.below(3) {
        0 => slog(
            Lvl::Info,
            "operator.go:846",
            "sync prometheus",
            format!("component=prometheus-controller key={ns}/k8s"),
        ),
        1 => slog(
            Lvl::Info,
            "operator.go:671",
            "sync alertmanager",
            format!("component=alertmanager-controller key={ns}/main"),
        ),
        _ => slog(
            Lvl::Info,
            "operator.go:513",
            "Prometheus configuration unchanged",
            format!("component=prometheus-controller key={ns}/k8s"),
        ),
    };
    vec![e]
}

fn node_exporter_banner(x: &Ctx, b: &mut Banner) {
    let version = version_of(&x.tag, "1.9.0");
    b.after(
        0,
        slog(
            Lvl::Info,
            "node_exporter.go:216",
            "Starting node_exporter",
            format!(
                "version=\"(version={version}, branch=HEAD, revision={})\"",
                go_revision("node_exporter", &version)
            ),
        ),
    );
    b.after(1, slog(Lvl::Info, "node_exporter.go:217", "Build context", "build_context=\"(go=go1.23.6, platform=linux/amd64, user=root@buildkitsandbox, date=20250217-12:33:02, tags=unknown)\""));
    b.after(
        5,
        slog(Lvl::Info, "node_exporter.go:135", "Enabled collectors", ""),
    );
    for c in [
        "arp",
        "bcache",
        "conntrack",
        "cpu",
        "diskstats",
        "filesystem",
        "loadavg",
        "meminfo",
        "netdev",
        "netstat",
        "pressure",
        "stat",
        "time",
        "vmstat",
    ] {
        b.now(slog(
            Lvl::Info,
            "node_exporter.go:141",
            "",
            format!("collector={c}"),
        ));
    }
    b.after(
        3,
        slog(
            Lvl::Info,
            "tls_config.go:347",
            "Listening on",
            "address=[::]:9100",
        ),
    );
    b.now(slog(
        Lvl::Info,
        "tls_config.go:350",
        "TLS is disabled.",
        "http2=false address=[::]:9100",
    ));
}

fn node_exporter_steady(d: &Dice) -> Vec<Entry> {
    vec![slog(
        Lvl::Error,
        "collector.go:161",
        "collector failed",
        format!(
            "name=hwmon duration_seconds=0.00{} err=\"open /sys/class/hwmon/hwmon1/temp1_input: no such device\"",
            d.range(100, 999)
        ),
    )]
}

fn grafana(lvl: Lvl, logger: &str, msg: impl Into<String>, fields: impl Into<String>) -> Entry {
    Entry::rec(lvl, logger, fields, msg)
}

fn grafana_banner(x: &Ctx, b: &mut Banner) {
    let version = version_of(&x.tag, "11.5.2");
    b.after(
        0,
        grafana(
            Lvl::Info,
            "settings",
            "Starting Grafana",
            format!(
                "version={version} commit={} branch=HEAD compiled=2025-02-18T12:00:00Z",
                short(&go_revision("grafana", &version), 10)
            ),
        ),
    );
    b.after(
        1,
        grafana(
            Lvl::Info,
            "settings",
            "Config loaded from",
            "file=/usr/share/grafana/conf/defaults.ini",
        ),
    );
    b.now(grafana(
        Lvl::Info,
        "settings",
        "Config overridden from Environment variable",
        "var=\"GF_PATHS_DATA=/var/lib/grafana/\"",
    ));
    b.now(grafana(
        Lvl::Info,
        "settings",
        "Path Home",
        "path=/usr/share/grafana",
    ));
    b.now(grafana(
        Lvl::Info,
        "settings",
        "Path Data",
        "path=/var/lib/grafana/",
    ));
    b.after(
        30,
        grafana(Lvl::Info, "sqlstore", "Connecting to DB", "dbtype=sqlite3"),
    );
    b.after(20, grafana(Lvl::Info, "migrator", "Locking database", ""));
    b.after(
        1,
        grafana(Lvl::Info, "migrator", "Starting DB migrations", ""),
    );
    b.after(
        300,
        grafana(
            Lvl::Info,
            "migrator",
            "migrations completed",
            format!(
                "performed=0 skipped=629 duration={}ms",
                b.dice.range(100, 600)
            ),
        ),
    );
    b.after(1, grafana(Lvl::Info, "migrator", "Unlocking database", ""));
    b.after(
        20,
        grafana(
            Lvl::Info,
            "secrets",
            "Envelope encryption state",
            "enabled=true currentprovider=secretKey.v1",
        ),
    );
    b.after(
        200,
        grafana(Lvl::Info, "plugin.store", "Loading plugins...", ""),
    );
    b.after(
        600,
        grafana(
            Lvl::Info,
            "plugin.store",
            "Plugins loaded",
            format!("count=55 duration={}ms", b.dice.range(200, 900)),
        ),
    );
    b.after(
        200,
        grafana(
            Lvl::Info,
            "http.server",
            "HTTP Server Listen",
            "address=[::]:3000 protocol=http subUrl= socket=",
        ),
    );
    b.after(
        10,
        grafana(
            Lvl::Info,
            "ngalert.state.manager",
            "Warming state cache for startup",
            "",
        ),
    );
    b.after(
        10,
        grafana(
            Lvl::Info,
            "ngalert.multiorg.alertmanager",
            "Starting MultiOrg Alertmanager",
            "",
        ),
    );
    b.after(
        50,
        grafana(
            Lvl::Info,
            "ngalert.state.manager",
            "State cache has been initialized",
            format!("states=0 duration={}ms", b.dice.range(1, 40)),
        ),
    );
    b.after(
        5,
        grafana(
            Lvl::Info,
            "ngalert.scheduler",
            "Starting scheduler",
            "tickInterval=10s maxAttempts=3",
        ),
    );
    b.after(
        300,
        grafana(
            Lvl::Info,
            "plugins.update.checker",
            "Update check succeeded",
            format!("duration={}ms", b.dice.range(100, 900)),
        ),
    );
}

fn grafana_steady(d: &Dice) -> Vec<Entry> {
    let e = match d.below(100) {
        0..=29 => grafana(
            Lvl::Info,
            "cleanup",
            "Completed cleanup jobs",
            format!("duration={}.{:06}ms", d.range(5, 60), d.below(1_000_000)),
        ),
        30..=49 => grafana(
            Lvl::Info,
            "plugins.update.checker",
            "Update check succeeded",
            format!("duration={}ms", d.range(100, 900)),
        ),
        50..=79 => {
            let (status, path) = if d.chance(60) {
                (401, "/api/live/ws")
            } else {
                (404, "/public/build/3951.4c0d2ef2e6a38e1e3f22.js")
            };
            grafana(
                Lvl::Info,
                "context userId=0 orgId=0 uname=",
                "Request Completed",
                format!(
                    "method=GET path={path} status={status} remote_addr={} time_ms={} duration={}ms size={} referer= handler={path} status_source=server",
                    Ctx::peer_ip(d),
                    d.range(0, 5),
                    d.range(0, 5),
                    d.range(20, 900)
                ),
            )
        }
        _ => grafana(
            Lvl::Info,
            "infra.usagestats",
            "Usage stats are ready to report",
            "",
        ),
    };
    vec![e]
}

fn gokit(lvl: Lvl, caller: &str, msg: impl Into<String>, fields: impl Into<String>) -> Entry {
    Entry::rec(lvl, caller, fields, msg)
}

fn loki_banner(x: &Ctx, b: &mut Banner) {
    let version = version_of(&x.tag, "3.4.2");
    b.after(
        0,
        gokit(
            Lvl::Info,
            "main.go:126",
            "Starting Loki",
            format!(
                "version=\"(version={version}, branch=release-3.4.x, revision={})\"",
                short(&go_revision("loki", &version), 10)
            ),
        ),
    );
    b.after(
        1,
        gokit(
            Lvl::Info,
            "main.go:127",
            "Loading configuration file",
            "filename=/etc/loki/config/config.yaml",
        ),
    );
    b.after(
        20,
        gokit(
            Lvl::Info,
            "server.go:351",
            "server listening on addresses",
            "http=[::]:3100 grpc=[::]:9095",
        ),
    );
    for module in [
        "server",
        "ring",
        "analytics",
        "store",
        "ingester",
        "distributor",
        "query-frontend",
        "querier",
        "compactor",
    ] {
        b.after(
            40,
            gokit(
                Lvl::Info,
                "module_service.go:82",
                "starting",
                format!("module={module}"),
            ),
        );
    }
    b.after(
        600,
        gokit(
            Lvl::Info,
            "loki.go:549",
            "Loki started",
            format!("startup_time={}ms", b.dice.range(600, 2_000)),
        ),
    );
}

fn loki_steady(_x: &Ctx, d: &Dice) -> Vec<Entry> {
    let ns = d.pick(&["trino", "airflow", "kafka", "minio", "keycloak"]);
    let e = match d.below(100) {
        0..=54 => gokit(
            Lvl::Info,
            "metrics.go:237",
            "",
            format!(
                "component=frontend org_id=fake latency=fast query=\"{{namespace=\\\"{ns}\\\"}} |= \\\"ERROR\\\"\" query_hash={} query_type=filter range_type=range length=1h0m0s start_delta=1h0m0.{}s end_delta={}ms step=14s duration={}ms status=200 limit=1000 returned_lines={} throughput={}MB total_bytes={}MB total_entries={} queue_time={}µs subqueries=1 source=grafana",
                d.range(100_000_000, 4_000_000_000),
                d.range(100, 999),
                d.range(100, 999),
                d.range(20, 900),
                d.range(0, 1_000),
                d.range(1, 90),
                d.range(1, 40),
                d.range(0, 1_000),
                d.range(50, 900)
            ),
        ),
        55..=84 => gokit(
            Lvl::Info,
            "flush.go:305",
            "flushing stream",
            format!(
                "component=ingester user=fake fp={} immediate=false num_chunks=1 total_comp=\"{} kB\" avg_comp=\"{} kB\" total_uncomp=\"{} kB\" avg_uncomp=\"{} kB\" full=0 idle=1 max_age=0 reason=idle labels=\"{{namespace=\\\"{ns}\\\"}}\"",
                d.hex(16),
                d.range(2, 400),
                d.range(2, 400),
                d.range(10, 2_000),
                d.range(10, 2_000)
            ),
        ),
        _ => gokit(
            Lvl::Info,
            "table_manager.go:136",
            "uploading tables",
            "index-store=tsdb-2024-04-01",
        ),
    };
    vec![e]
}

fn promtail_banner(x: &Ctx, b: &mut Banner) {
    let version = version_of(&x.tag, "3.4.2");
    b.after(
        0,
        gokit(
            Lvl::Info,
            "server.go:351",
            "server listening on addresses",
            "http=[::]:3101 grpc=[::]:9095",
        ),
    );
    b.after(
        2,
        gokit(
            Lvl::Info,
            "main.go:173",
            "Starting Promtail",
            format!(
                "version=\"(version={version}, branch=release-3.4.x, revision={})\"",
                short(&go_revision("promtail", &version), 10)
            ),
        ),
    );
    b.after(
        100,
        gokit(Lvl::Warn, "promtail.go:263", "enable watchConfig", ""),
    );
    for ns in ["trino", "airflow", "kafka", "minio"] {
        b.after(
            30,
            gokit(
                Lvl::Info,
                "filetargetmanager.go:372",
                "Adding target",
                format!(
                    "key=\"/var/log/pods/*{}/*/*.log:{{namespace=\\\"{ns}\\\"}}\"",
                    b.dice.uuid()
                ),
            ),
        );
    }
}

fn promtail_steady(_x: &Ctx, d: &Dice) -> Vec<Entry> {
    let ns = d.pick(&["trino", "airflow", "kafka", "minio", "keycloak", "nessie"]);
    let path = format!(
        "/var/log/pods/{ns}_{ns}-{}-{}_{}/{ns}/0.log",
        d.alnum(9),
        d.alnum(5),
        d.uuid()
    );
    let e = match d.below(4) {
        0 => gokit(
            Lvl::Info,
            "tailer.go:147",
            "tail routine: started",
            format!("component=tailer path={path}"),
        ),
        1 => gokit(
            Lvl::Info,
            "tailer.go:238",
            "stopped tailing file",
            format!("component=tailer path={path}"),
        ),
        2 => gokit(
            Lvl::Info,
            "filetarget.go:313",
            "watching new directory",
            format!(
                "directory={}",
                path.rsplit_once('/').map_or(path.as_str(), |(dir, _)| dir)
            ),
        ),
        _ => gokit(
            Lvl::Info,
            "log.go:168",
            format!("Re-opening moved/deleted file {path} ..."),
            "",
        ),
    };
    vec![e]
}

fn coredns_banner(x: &Ctx, b: &mut Banner) {
    let version = version_of(&x.tag, "1.12.0");
    let d = Dice::new(mix(x.seed, 0xc0de));
    b.after(0, Entry::head(".:53"));
    b.after(
        1,
        Entry::head(format!(
            "[INFO] plugin/reload: Running configuration SHA512 = {}",
            d.hex(128)
        )),
    );
    b.after(1, Entry::head(format!("CoreDNS-{version}")));
    b.now(Entry::raw(format!("linux/amd64, go1.23.3, {}", d.hex(7))));
    b.after(300, Entry::head(format!("[INFO] 127.0.0.1:{} - {} \"HINFO IN {}.{}. udp 57 false 512\" NXDOMAIN qr,rd,ra 57 0.0{}s", d.range(30_000, 60_000), d.range(1, 65_000), d.range(1_000_000_000, 9_999_999_999), d.range(1_000_000_000, 9_999_999_999), d.range(1_000, 9_999))));
}

fn coredns_steady(_x: &Ctx, d: &Dice) -> Vec<Entry> {
    let name = d.pick(&[
        "api.github.com",
        "hooks.slack.com",
        "sts.amazonaws.com",
        "pypi.org",
    ]);
    vec![Entry::head(format!(
        "[ERROR] plugin/errors: 2 {name}. A: read udp {}:{}->10.0.0.2:53: i/o timeout",
        Ctx::peer_ip(d),
        d.range(30_000, 60_000)
    ))]
}

fn coredns_crash(death: Death, d: &Dice) -> Vec<Entry> {
    match death {
        Death::Stopped | Death::Completed => vec![
            Entry::head("[INFO] SIGTERM: Shutting down servers then terminating"),
            Entry::head("[INFO] plugin/health: Going into lameduck mode for 5s"),
        ],
        _ => vec![Entry::head(format!(
            "[FATAL] plugin/loop: Loop (127.0.0.1:{} -> :53) detected for zone \".\", see https://coredns.io/plugins/loop#troubleshooting. Query: \"HINFO {}.{}.\"",
            d.range(30_000, 60_000),
            d.range(1_000_000_000, 9_999_999_999),
            d.range(1_000_000_000, 9_999_999_999)
        ))],
    }
}

/// The fatal lines of the slog / go-kit / Grafana / klog services.
fn go_service_crash(x: &Ctx, death: Death, d: &Dice) -> Vec<Entry> {
    let stopped = matches!(death, Death::Stopped | Death::Completed);
    match x.comp {
        Component::Prometheus if stopped => vec![
            slog(
                Lvl::Warn,
                "main.go:1020",
                "Received an OS signal, exiting gracefully...",
                "signal=terminated",
            ),
            slog(
                Lvl::Info,
                "main.go:1045",
                "Stopping scrape discovery manager...",
                "",
            ),
            slog(
                Lvl::Info,
                "main.go:1059",
                "Stopping notify discovery manager...",
                "",
            ),
            slog(
                Lvl::Info,
                "manager.go:187",
                "Stopping rule manager...",
                "component=\"rule manager\"",
            ),
            slog(Lvl::Info, "main.go:1367", "Notifier manager stopped", ""),
            slog(Lvl::Info, "main.go:1381", "See you next time!", ""),
        ],
        Component::Prometheus => vec![slog(
            Lvl::Error,
            "main.go:1392",
            "Fatal error",
            "err=\"opening storage failed: lock DB directory: resource temporarily unavailable\"",
        )],
        Component::Alertmanager if stopped => vec![slog(
            Lvl::Info,
            "main.go:574",
            "Received SIGTERM, exiting gracefully...",
            "",
        )],
        Component::Alertmanager => vec![slog(
            Lvl::Error,
            "coordinator.go:117",
            "Loading configuration file failed",
            "component=configuration file=/etc/alertmanager/config_out/alertmanager.env.yaml err=\"open /etc/alertmanager/config_out/alertmanager.env.yaml: no such file or directory\"",
        )],
        Component::NodeExporter if stopped => vec![slog(
            Lvl::Info,
            "node_exporter.go:230",
            "Received signal, shutting down",
            "signal=terminated",
        )],
        Component::NodeExporter => vec![slog(
            Lvl::Error,
            "node_exporter.go:244",
            "Error starting HTTP server",
            "err=\"listen tcp :9100: bind: address already in use\"",
        )],
        Component::PrometheusOperator if stopped => vec![slog(
            Lvl::Info,
            "main.go:637",
            "Received SIGTERM, exiting gracefully...",
            "",
        )],
        Component::PrometheusOperator => vec![slog(
            Lvl::Error,
            "main.go:256",
            "failed to create Kubernetes client configuration",
            "err=\"Get \\\"https://10.96.0.1:443/version\\\": dial tcp 10.96.0.1:443: i/o timeout\"",
        )],
        Component::SealedSecrets if stopped => {
            vec![slog(Lvl::Info, "", "Shutting down controller", "")]
        }
        Component::SealedSecrets => vec![slog(
            Lvl::Error,
            "",
            "Error setting up key registry",
            "error=\"secrets is forbidden: User \\\"system:serviceaccount:sealed-secrets:sealed-secrets-controller\\\" cannot list resource \\\"secrets\\\" in API group \\\"\\\" in the namespace \\\"sealed-secrets\\\"\"",
        )],
        Component::Grafana if stopped => vec![
            grafana(
                Lvl::Info,
                "server",
                "Shutdown started",
                "reason=\"System signal: terminated\"",
            ),
            grafana(
                Lvl::Info,
                "ticker",
                "stopped",
                format!("last_tick={}", Civil::of(x.started()).iso_s()),
            ),
        ],
        Component::Grafana => vec![
            grafana(
                Lvl::Error,
                "migrator",
                "Executing migration failed",
                "id=\"add index dashboard_version.dashboard_id\" error=\"database is locked\" duration=5.0s",
            ),
            grafana(
                Lvl::Error,
                "server",
                "Server shutdown",
                "error=\"*sqlstore.SQLStore run error: migration failed (id = add index dashboard_version.dashboard_id): database is locked\"",
            ),
            Entry::head(
                "Error: ✗ *sqlstore.SQLStore run error: migration failed (id = add index dashboard_version.dashboard_id): database is locked",
            ),
        ],
        Component::Loki if stopped => vec![
            gokit(
                Lvl::Info,
                "signals.go:55",
                "=== received SIGINT/SIGTERM ===\n*** exiting",
                "",
            ),
            gokit(
                Lvl::Info,
                "loki.go:560",
                "Loki stopped",
                format!("running_time={}s", d.range(60, 900_000)),
            ),
        ],
        Component::Loki => vec![gokit(
            Lvl::Error,
            "log.go:230",
            "error running loki",
            "err=\"failed to init module services: error initialising module: store: failed to create object client: NoSuchBucket: The specified bucket does not exist\"",
        )],
        Component::Promtail if stopped => vec![gokit(
            Lvl::Info,
            "signals.go:55",
            "=== received SIGINT/SIGTERM ===\n*** exiting",
            "",
        )],
        Component::Promtail => vec![gokit(
            Lvl::Error,
            "main.go:170",
            "error creating promtail",
            "error=\"failed to make file target manager: too many open files\"",
        )],
        _ if stopped => vec![klog(
            Lvl::Info,
            "main.go:91",
            1,
            "\"Received termination signal, shutting down\"",
        )],
        _ => controller_fatal(x, d),
    }
}

// ---------------------------------------------------------------------------------------
// Go controllers logging with klog (cert-manager, metrics-server, kube-state-metrics,
// kube-proxy, the MinIO operator, …).

#[derive(Clone, Copy, PartialEq, Eq)]
enum Flavor {
    CertManager,
    MetricsServer,
    KubeStateMetrics,
    KubeProxy,
    MinioOperator,
    Other,
}

fn flavor(x: &Ctx) -> Flavor {
    let name = x.repo.rsplit('/').next().unwrap_or("");
    if name.starts_with("cert-manager") {
        Flavor::CertManager
    } else if name == "metrics-server" {
        Flavor::MetricsServer
    } else if name == "kube-state-metrics" {
        Flavor::KubeStateMetrics
    } else if name == "kube-proxy" {
        Flavor::KubeProxy
    } else if x.repo.contains("minio") {
        Flavor::MinioOperator
    } else {
        Flavor::Other
    }
}

fn controller_period(x: &Ctx) -> i128 {
    match flavor(x) {
        Flavor::CertManager => 120_000,
        Flavor::MetricsServer => 300_000,
        Flavor::MinioOperator => 60_000,
        _ => 600_000,
    }
}

fn controller_banner(x: &Ctx, b: &mut Banner) {
    let version = format!("v{}", version_of(&x.tag, "1.0.0"));
    let name = x
        .repo
        .rsplit('/')
        .next()
        .unwrap_or("controller")
        .to_string();
    let ns = x.ns().to_string();
    let k = |file: &str, msg: String| klog(Lvl::Info, file, 1, msg);
    match flavor(x) {
        Flavor::CertManager => {
            let logger = if name.ends_with("webhook") {
                "cert-manager.webhook"
            } else if name.ends_with("cainjector") {
                "cert-manager.cainjector"
            } else {
                "cert-manager.controller"
            };
            b.after(0, k("controller.go:284", format!("\"starting cert-manager\" logger=\"{logger}\" version=\"{version}\" git_commit=\"{}\" go_version=\"go1.23.6\" platform=\"linux/amd64\"", short(&go_revision("cert-manager", &version), 40))));
            if logger == "cert-manager.controller" {
                b.after(5, k("controller.go:285", "\"configured acme dns01 nameservers\" logger=\"cert-manager.controller.build-context\" nameservers=[\"10.96.0.10:53\"]".into()));
                b.after(40, k("controller.go:89", "\"enabled controllers: [certificaterequests-approver certificaterequests-issuer-acme certificaterequests-issuer-ca certificaterequests-issuer-selfsigned certificates-issuing certificates-key-manager certificates-readiness certificates-request-manager certificates-revision-manager certificates-trigger challenges clusterissuers ingress-shim issuers orders]\" logger=\"cert-manager.controller\"".into()));
                b.after(30, k("controller.go:143", "\"starting metrics server\" logger=\"cert-manager.controller\" address=\"[::]:9402\"".into()));
                b.after(
                    20,
                    k(
                        "leaderelection.go:257",
                        "attempting to acquire leader lease kube-system/cert-manager-controller..."
                            .into(),
                    ),
                );
                b.after(
                    2_000,
                    k(
                        "leaderelection.go:271",
                        "successfully acquired lease kube-system/cert-manager-controller".into(),
                    ),
                );
                for c in [
                    "certificates-trigger",
                    "certificates-issuing",
                    "certificates-readiness",
                    "issuers",
                    "clusterissuers",
                    "orders",
                    "challenges",
                    "ingress-shim",
                ] {
                    b.after(10, k("controller.go:178", format!("\"starting controller\" logger=\"cert-manager.controller\" controller=\"{c}\"")));
                }
            } else {
                b.after(30, k("server.go:190", format!("\"listening for secure connections\" logger=\"{logger}\" address=\"[::]:10250\"")));
            }
        }
        Flavor::MetricsServer => {
            b.after(
                0,
                k(
                    "serving.go:374",
                    "Generated self-signed cert (/tmp/apiserver.crt, /tmp/apiserver.key)".into(),
                ),
            );
            b.after(
                400,
                k(
                    "handler.go:275",
                    "Adding GroupVersion metrics.k8s.io v1beta1 to ResourceManager".into(),
                ),
            );
            b.after(
                100,
                k(
                    "requestheader_controller.go:172",
                    "Starting RequestHeaderAuthRequestController".into(),
                ),
            );
            b.after(
                1,
                k(
                    "shared_informer.go:313",
                    "Waiting for caches to sync for RequestHeaderAuthRequestController".into(),
                ),
            );
            b.after(1, k("configmap_cafile_content.go:205", "\"Starting controller\" name=\"client-ca::kube-system::extension-apiserver-authentication::client-ca-file\"".into()));
            b.after(
                2,
                k(
                    "secure_serving.go:213",
                    "Serving securely on [::]:10250".into(),
                ),
            );
            b.after(
                1,
                k(
                    "tlsconfig.go:243",
                    "\"Starting DynamicServingCertificateController\"".into(),
                ),
            );
            b.after(
                100,
                k(
                    "shared_informer.go:320",
                    "Caches are synced for RequestHeaderAuthRequestController".into(),
                ),
            );
        }
        Flavor::KubeStateMetrics => {
            b.after(
                0,
                k("wrapper.go:120", "\"Starting kube-state-metrics\"".into()),
            );
            b.after(1, k("server.go:199", "\"Used default resources\"".into()));
            b.after(1, k("types.go:227", "\"Using all namespaces\"".into()));
            b.after(1, k("server.go:226", "\"Metric allow-denylisting\" allowDenyStatus=\"Excluding the following lists that were on denylist: \"".into()));
            b.after(
                20,
                k("utils.go:70", "\"Tested communication with server\"".into()),
            );
            b.after(5, k("utils.go:75", "\"Run with Kubernetes cluster version\" major=\"1\" minor=\"33\" gitVersion=\"v1.33.0\" gitTreeState=\"clean\" gitCommit=\"60a317eadfcb839692a68eab88b2096f4d708f4f\" platform=\"linux/amd64\"".into()));
            b.after(
                1,
                k(
                    "utils.go:76",
                    "\"Communication with server successful\"".into(),
                ),
            );
            b.after(
                2,
                k(
                    "server.go:361",
                    "\"Started metrics server\" metricsServerAddress=\"[::]:8080\"".into(),
                ),
            );
            b.after(1, k("server.go:350", "\"Started kube-state-metrics self metrics server\" telemetryAddress=\"[::]:8081\"".into()));
            b.after(300, k("builder.go:282", "\"Active resources\" activeStoreNames=\"certificatesigningrequests,configmaps,cronjobs,daemonsets,deployments,endpoints,horizontalpodautoscalers,ingresses,jobs,leases,limitranges,mutatingwebhookconfigurations,namespaces,networkpolicies,nodes,persistentvolumeclaims,persistentvolumes,poddisruptionbudgets,pods,replicasets,replicationcontrollers,resourcequotas,secrets,services,statefulsets,storageclasses,validatingwebhookconfigurations,volumeattachments\"".into()));
        }
        Flavor::KubeProxy => {
            b.after(
                0,
                k("server_linux.go:66", "\"Using iptables proxy\"".into()),
            );
            b.after(
                30,
                k(
                    "server.go:698",
                    format!(
                        "\"Successfully retrieved node IP(s)\" IPs=[\"10.0.0.{}\"]",
                        10 + x.seed % 5
                    ),
                ),
            );
            b.after(
                20,
                k(
                    "conntrack.go:60",
                    "\"Setting nf_conntrack_max\" nfConntrackMax=131072".into(),
                ),
            );
            b.after(
                10,
                k(
                    "server.go:243",
                    "\"kube-proxy running in dual-stack mode\" primary ipFamily=\"IPv4\"".into(),
                ),
            );
            b.after(
                5,
                k(
                    "config.go:199",
                    "\"Starting service config controller\"".into(),
                ),
            );
            b.after(
                1,
                k(
                    "shared_informer.go:313",
                    "Waiting for caches to sync for service config".into(),
                ),
            );
            b.after(
                1,
                k(
                    "config.go:105",
                    "\"Starting endpoint slice config controller\"".into(),
                ),
            );
            b.after(
                1,
                k(
                    "config.go:329",
                    "\"Starting node config controller\"".into(),
                ),
            );
            b.after(
                100,
                k(
                    "shared_informer.go:320",
                    "Caches are synced for node config".into(),
                ),
            );
            b.after(
                1,
                k(
                    "shared_informer.go:320",
                    "Caches are synced for service config".into(),
                ),
            );
            b.after(
                1,
                k(
                    "shared_informer.go:320",
                    "Caches are synced for endpoint slice config".into(),
                ),
            );
        }
        Flavor::MinioOperator => {
            b.after(
                0,
                k("main-controller.go:600", "Setting up event handlers".into()),
            );
            b.after(
                5,
                k(
                    "main-controller.go:612",
                    format!("Starting MinIO Operator {version}"),
                ),
            );
            b.after(
                20,
                k(
                    "leaderelection.go:257",
                    format!("attempting to acquire leader lease {ns}/minio-operator-lock..."),
                ),
            );
            b.after(
                1_500,
                k(
                    "leaderelection.go:271",
                    format!("successfully acquired lease {ns}/minio-operator-lock"),
                ),
            );
            b.after(
                5,
                k(
                    "main-controller.go:631",
                    "Waiting for informer caches to sync".into(),
                ),
            );
            b.after(
                200,
                k(
                    "main-controller.go:657",
                    "Starting Tenant controller".into(),
                ),
            );
        }
        Flavor::Other => {
            b.after(
                0,
                k(
                    "main.go:88",
                    format!("\"Starting {name}\" version=\"{version}\""),
                ),
            );
            b.after(
                30,
                k(
                    "leaderelection.go:257",
                    format!("attempting to acquire leader lease {ns}/{name}..."),
                ),
            );
            b.after(
                1_500,
                k(
                    "leaderelection.go:271",
                    format!("successfully acquired lease {ns}/{name}"),
                ),
            );
            b.after(
                5,
                k(
                    "shared_informer.go:313",
                    format!("Waiting for caches to sync for {name}"),
                ),
            );
            b.after(
                150,
                k(
                    "shared_informer.go:320",
                    format!("Caches are synced for {name}"),
                ),
            );
        }
    }
}

fn controller_steady(x: &Ctx, d: &Dice) -> Vec<Entry> {
    let e = match flavor(x) {
        Flavor::CertManager => {
            let (ns, cert) = [
                ("trino", "trino-tls"),
                ("keycloak", "sso-tls"),
                ("airflow", "airflow-tls"),
                ("minio", "minio-console-tls"),
            ]
            .get(d.below(4) as usize)
            .copied()
            .unwrap_or(("default", "tls"));
            match d.below(3) {
                0 => klog(
                    Lvl::Info,
                    "conditions.go:203",
                    1,
                    format!(
                        "\"Setting lastTransitionTime for Certificate condition\" logger=\"cert-manager.controller\" condition=\"Ready\" lastTransitionTime=\"{}\"",
                        Civil::of(x.started()).iso_s()
                    ),
                ),
                1 => klog(
                    Lvl::Info,
                    "controller.go:152",
                    1,
                    format!(
                        "\"re-queuing item due to optimistic locking on resource\" logger=\"cert-manager.controller\" controller=\"certificates-readiness\" key=\"{ns}/{cert}\" error=\"Operation cannot be fulfilled on certificates.cert-manager.io \\\"{cert}\\\": the object has been modified; please apply your changes to the latest version and try again\""
                    ),
                ),
                _ => klog(
                    Lvl::Info,
                    "trigger_controller.go:215",
                    1,
                    format!(
                        "\"Not re-issuing certificate as an attempt has been made in the last hour\" logger=\"cert-manager.controller\" key=\"{ns}/{cert}\" retry_delay={}s",
                        d.range(60, 3_600)
                    ),
                ),
            }
        }
        Flavor::MetricsServer => klog(
            Lvl::Error,
            "scraper.go:149",
            1,
            format!(
                "\"Failed to scrape node\" err=\"Get \\\"https://10.0.0.{}:10250/metrics/resource\\\": context deadline exceeded\" node=\"worker-{}\"",
                d.range(10, 14),
                d.range(1, 4)
            ),
        ),
        Flavor::MinioOperator => klog(
            Lvl::Info,
            "monitoring.go:123",
            1,
            format!(
                "'minio/datalake' Failed to get cluster health: Get \"https://minio.minio.svc.cluster.local/minio/health/cluster\": dial tcp {}:443: connect: connection refused",
                x.svc_ip("minio")
            ),
        ),
        _ => klog(
            Lvl::Warn,
            "reflector.go:484",
            1,
            "k8s.io/client-go/informers/factory.go:160: watch of *v1.Secret ended with: an error on the server (\"unable to decode an event from the watch stream: http2: client connection lost\") has prevented the request from succeeding",
        ),
    };
    vec![e]
}

fn controller_fatal(x: &Ctx, _d: &Dice) -> Vec<Entry> {
    match flavor(x) {
        Flavor::CertManager | Flavor::MinioOperator | Flavor::Other => vec![klog(
            Lvl::Error,
            "main.go:43",
            1,
            "\"error executing command\" err=\"error creating manager: Get \\\"https://10.96.0.1:443/api?timeout=32s\\\": dial tcp 10.96.0.1:443: i/o timeout\"",
        )],
        _ => {
            vec![klog(
                Lvl::Error,
                "run.go:72",
                1,
                "\"command failed\" err=\"failed to get server version: Get \\\"https://10.96.0.1:443/version\\\": dial tcp 10.96.0.1:443: connect: connection refused\"",
            )]
        }
    }
}

// ---------------------------------------------------------------------------------------
// dbt (`HH:MM:SS  message`).

const DBT_MODELS: &[&str] = &[
    "stg_orders",
    "stg_customers",
    "stg_payments",
    "stg_clickstream",
    "int_order_items",
    "int_sessions",
    "dim_customers",
    "dim_products",
    "fct_orders",
    "fct_daily_revenue",
    "fct_sessions",
    "mart_finance_kpis",
];
const DBT_TOTAL: u64 = 42;

fn dbt_model(i: u64) -> &'static str {
    DBT_MODELS
        .get((i % DBT_MODELS.len() as u64) as usize)
        .copied()
        .unwrap_or("model")
}

/// dbt pads its progress lines with dots to a fixed width.
fn dbt_line(left: &str, right: &str) -> String {
    let width = 96usize;
    let dots = width.saturating_sub(left.len() + right.len() + 2).max(3);
    format!("{left} {} {right}", ".".repeat(dots))
}

fn dbt_banner(x: &Ctx, b: &mut Banner) {
    let version = version_of(&x.tag, "1.9.0");
    for (ms, l) in [
        (1_800, format!("Running with dbt={version}")),
        (700, format!("Registered adapter: trino={version}")),
        (
            300,
            "Unable to do partial parsing because saved manifest not found. Starting full parse."
                .to_string(),
        ),
        (
            6_000,
            format!("Found {DBT_TOTAL} models, 118 data tests, 12 sources, 601 macros"),
        ),
        (5, String::new()),
        (200, "Concurrency: 4 threads (target='prod')".to_string()),
        (1, String::new()),
    ] {
        b.after(ms, info("", "", l));
    }
}

fn dbt_steady(k: u64, d: &Dice) -> Vec<Entry> {
    let i = (k / 2) % DBT_TOTAL + 1;
    let model = format!("analytics.{}", dbt_model(i));
    let text = if k.is_multiple_of(2) {
        dbt_line(
            &format!("{i} of {DBT_TOTAL} START sql table model {model}"),
            "[RUN]",
        )
    } else {
        dbt_line(
            &format!("{i} of {DBT_TOTAL} OK created sql table model {model}"),
            &format!(
                "[SUCCESS {} in {}s]",
                d.range(0, 2_000_000),
                d.float(1, 6, 2)
            ),
        )
    };
    vec![info("", "", text)]
}

fn dbt_model_path(model: &str) -> String {
    let dir = if model.starts_with("stg_") {
        "staging"
    } else if model.starts_with("int_") {
        "intermediate"
    } else {
        "marts"
    };
    format!("models/{dir}/{model}.sql")
}

fn dbt_crash(x: &Ctx, death: Death, died: Timestamp, next: u64, d: &Dice) -> Vec<Entry> {
    let secs =
        u64::try_from((died.as_nanosecond() - x.started().as_nanosecond()) / NS_PER_S).unwrap_or(0);
    let centis = d.below(100);
    let finished = format!(
        "Finished running {DBT_TOTAL} table models in 0 hours {} minutes and {}.{centis:02} seconds ({secs}.{centis:02}s).",
        secs / 60,
        secs % 60
    );
    let line = |s: String| info("", "", s);
    // The model being built when the process died: the one after the last finished.
    let i = (next / 2) % DBT_TOTAL + 1;
    let model = dbt_model(i);
    match death {
        Death::Completed | Death::Stopped => vec![
            line(String::new()),
            line(finished),
            line(String::new()),
            line("Completed successfully".into()),
            line(String::new()),
            line(format!(
                "Done. PASS={DBT_TOTAL} WARN=0 ERROR=0 SKIP=0 NO-OP=0 TOTAL={DBT_TOTAL}"
            )),
        ],
        Death::Oom => {
            let mut v = Vec::new();
            if next.is_multiple_of(2) {
                v.push(line(dbt_line(
                    &format!("{i} of {DBT_TOTAL} START sql table model analytics.{model}"),
                    "[RUN]",
                )));
            }
            v.push(Entry::head("Traceback (most recent call last):"));
            v.push(Entry::raw("  File \"/usr/local/lib/python3.11/site-packages/dbt/adapters/trino/connections.py\", line 241, in fetchall"));
            v.push(Entry::raw("    return self._cursor.fetchall()"));
            v.push(Entry::raw("MemoryError"));
            v
        }
        _ => {
            let query_id = trino_query_id(x, died, d.range(100, 9_000));
            vec![
                line(dbt_line(
                    &format!("{i} of {DBT_TOTAL} ERROR creating sql table model analytics.{model}"),
                    &format!("[ERROR in {}s]", d.float(0, 20, 2)),
                )),
                line(String::new()),
                line(finished),
                line(String::new()),
                line("Completed with 1 error, 0 partial successes, and 0 warnings:".into()),
                line(String::new()),
                line(format!(
                    "  Database Error in model {model} ({})",
                    dbt_model_path(model)
                )),
                line(format!(
                    "  TrinoUserError(type=USER_ERROR, name=TABLE_NOT_FOUND, message=\"line 12:8: Table 'lakehouse.staging.stg_orders_v2' does not exist\", query_id={query_id})"
                )),
                line(format!(
                    "  compiled code at target/run/lakehouse/{}",
                    dbt_model_path(model)
                )),
                line(String::new()),
                line(format!(
                    "Done. PASS={} WARN=0 ERROR=1 SKIP={} NO-OP=0 TOTAL={DBT_TOTAL}",
                    i - 1,
                    DBT_TOTAL - i
                )),
            ]
        }
    }
}

// ---------------------------------------------------------------------------------------
// Anything else: a neutral, ISO-timestamped format.

fn generic_name(x: &Ctx) -> String {
    x.repo.rsplit('/').next().unwrap_or("app").to_string()
}

fn generic_banner(x: &Ctx, b: &mut Banner) {
    let name = generic_name(x);
    let main = |msg: String| info("", "main", msg);
    b.after(0, main(format!("Starting {name} {}", x.tag)));
    b.after(
        40,
        main(format!("Loaded configuration from /etc/{name}/config.yaml")),
    );
    b.after(
        300,
        main(format!(
            "Listening on 0.0.0.0:8080 (pod {}, namespace {})",
            x.pod(),
            x.ns()
        )),
    );
    b.after(5, main("Ready".into()));
}

fn generic_steady(_x: &Ctx, k: u64, d: &Dice) -> Vec<Entry> {
    let worker = format!("worker-{}", d.range(1, 8));
    let e = match d.below(100) {
        0..=69 => info(
            "",
            worker,
            format!(
                "Processed batch {} ({} items) in {}ms",
                k + 1,
                d.range(1, 500),
                d.range(2, 900)
            ),
        ),
        70..=94 => info(
            "",
            "http",
            format!("GET /healthz 200 {}µs", d.range(40, 900)),
        ),
        _ => warn(
            "",
            worker,
            format!(
                "Retrying request after transient error (attempt {}/5): connection reset by peer",
                d.range(1, 3)
            ),
        ),
    };
    vec![e]
}

fn generic_crash(x: &Ctx, death: Death, _d: &Dice) -> Vec<Entry> {
    let name = generic_name(x);
    match death {
        Death::Stopped | Death::Completed => vec![
            info("", "main", "Received SIGTERM, shutting down"),
            info("", "main", "Shutdown complete"),
        ],
        Death::Oom => vec![
            Entry::rec(
                Lvl::Error,
                "",
                "main",
                format!("{name}: out of memory (allocation of 268435456 bytes failed)"),
            ),
            Entry::head("Killed"),
        ],
        Death::Segv => vec![Entry::head("Segmentation fault (core dumped)")],
        _ => vec![
            Entry::rec(
                Lvl::Fatal,
                "",
                "main",
                format!(
                    "Fatal error: cannot connect to dependency: dial tcp {}:5432: connect: connection refused",
                    x.svc_ip("db")
                ),
            ),
            Entry::head("exit status 1"),
        ],
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use jiff::SignedDuration;

    const START: &str = "2026-08-23T14:05:09.123456789Z";

    fn start() -> Timestamp {
        START.parse().unwrap()
    }

    fn plus(at: Timestamp, secs: f64) -> Timestamp {
        at.checked_add(SignedDuration::from_secs_f64(secs)).unwrap()
    }

    fn src<'a>(
        image: &'a str,
        namespace: &'a str,
        pod: &'a str,
        container: &'a str,
        started_at: Timestamp,
    ) -> LogSource<'a> {
        LogSource {
            image,
            namespace,
            pod,
            container,
            started_at,
        }
    }

    /// `(image, namespace, pod, container)` for every component style.
    const CASES: &[(&str, &str, &str, &str)] = &[
        (
            "trinodb/trino:476",
            "trino",
            "trino-coordinator-6d9f7c8b5-k2x9p",
            "trino-coordinator",
        ),
        (
            "trinodb/trino:476",
            "trino",
            "trino-worker-1",
            "trino-worker",
        ),
        (
            "quay.io/minio/minio:RELEASE.2025-04-22T22-12-26Z",
            "minio",
            "datalake-pool-0-2",
            "minio",
        ),
        (
            "quay.io/strimzi/kafka:0.45.0-kafka-3.9.0",
            "kafka",
            "datalake-kafka-0",
            "kafka",
        ),
        (
            "quay.io/strimzi/kafka:0.45.0-kafka-3.9.0",
            "kafka",
            "datalake-zookeeper-1",
            "zookeeper",
        ),
        (
            "quay.io/strimzi/kafka:0.45.0-kafka-3.9.0",
            "kafka",
            "datalake-kafka-connect-7d9f8b6c5d-x2x4k",
            "datalake-connect",
        ),
        (
            "quay.io/strimzi/kafka:0.45.0-kafka-3.9.0",
            "kafka",
            "datalake-kafka-exporter-5c8d7f9b6-q2w3e",
            "kafka-exporter",
        ),
        (
            "quay.io/strimzi/operator:0.45.0",
            "kafka",
            "strimzi-cluster-operator-6b8c9d7f5-zx8cv",
            "strimzi-cluster-operator",
        ),
        ("apache/kafka:3.9.0", "kafka", "kafka-0", "kafka"),
        (
            "apache/airflow:2.10.5",
            "airflow",
            "airflow-scheduler-6b7c9d8f5-q7w2e",
            "scheduler",
        ),
        (
            "apache/airflow:2.10.5",
            "airflow",
            "airflow-webserver-5d6f7c8b9-m3n4b",
            "webserver",
        ),
        (
            "apache/airflow:2.10.5",
            "airflow",
            "airflow-triggerer-0",
            "triggerer",
        ),
        (
            "apache/airflow:2.10.5",
            "airflow",
            "airflow-worker-0",
            "worker",
        ),
        (
            "apache/airflow:2.10.5",
            "airflow",
            "airflow-db-cleanup-29012345-7kq2x",
            "db-cleanup",
        ),
        (
            "docker.io/bitnami/postgresql:17.4.0",
            "airflow",
            "airflow-postgresql-0",
            "postgresql",
        ),
        ("postgres:16.4", "nessie", "nessie-postgresql-0", "postgres"),
        (
            "quay.io/keycloak/keycloak:26.1.4",
            "keycloak",
            "keycloak-0",
            "keycloak",
        ),
        (
            "ghcr.io/projectnessie/nessie:0.103.0",
            "nessie",
            "nessie-5f7d8c9b4-abcde",
            "nessie",
        ),
        (
            "registry.k8s.io/ingress-nginx/controller:v1.12.1",
            "ingress-nginx",
            "ingress-nginx-controller-5d88495688-7xk2p",
            "controller",
        ),
        (
            "velero/velero:v1.16.0",
            "velero",
            "velero-7d8f9c6b5-abcde",
            "velero",
        ),
        (
            "docker.io/bitnami/sealed-secrets-controller:0.29.0",
            "sealed-secrets",
            "sealed-secrets-controller-7c9d8b6f5-plm2n",
            "controller",
        ),
        (
            "quay.io/prometheus/prometheus:v3.2.1",
            "monitoring",
            "prometheus-k8s-0",
            "prometheus",
        ),
        (
            "quay.io/prometheus/alertmanager:v0.28.1",
            "monitoring",
            "alertmanager-main-0",
            "alertmanager",
        ),
        (
            "quay.io/prometheus-operator/prometheus-operator:v0.81.0",
            "monitoring",
            "prometheus-operator-6d5c8b7f9-abcde",
            "prometheus-operator",
        ),
        (
            "quay.io/prometheus/node-exporter:v1.9.0",
            "monitoring",
            "node-exporter-x7k2p",
            "node-exporter",
        ),
        (
            "docker.io/grafana/grafana:11.5.2",
            "monitoring",
            "grafana-6f7d8c9b4-abcde",
            "grafana",
        ),
        (
            "docker.io/grafana/loki:3.4.2",
            "monitoring",
            "loki-0",
            "loki",
        ),
        (
            "docker.io/grafana/promtail:3.4.2",
            "monitoring",
            "promtail-4kx9z",
            "promtail",
        ),
        (
            "registry.k8s.io/coredns/coredns:v1.12.0",
            "kube-system",
            "coredns-7db6d8ff4d-abcde",
            "coredns",
        ),
        (
            "quay.io/jetstack/cert-manager-controller:v1.17.1",
            "cert-manager",
            "cert-manager-6d8b9c7f5-abcde",
            "cert-manager-controller",
        ),
        (
            "registry.k8s.io/metrics-server/metrics-server:v0.7.2",
            "kube-system",
            "metrics-server-5f8d7c9b6-abcde",
            "metrics-server",
        ),
        (
            "registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.15.0",
            "monitoring",
            "kube-state-metrics-6c7d8f9b5-abcde",
            "kube-state-metrics",
        ),
        (
            "registry.k8s.io/kube-proxy:v1.33.0",
            "kube-system",
            "kube-proxy-8x7k2",
            "kube-proxy",
        ),
        (
            "quay.io/minio/operator:v7.0.1",
            "minio",
            "minio-operator-5d6c7b8f9-abcde",
            "operator",
        ),
        (
            "ghcr.io/dbt-labs/dbt-trino:1.9.0",
            "airflow",
            "dbt-full-refresh-x2k9p",
            "dbt",
        ),
        (
            "example.com/team/mystery-app:2.3.4",
            "default",
            "mystery-app-7f8d9c6b5-abcde",
            "app",
        ),
    ];

    fn each_case(mut f: impl FnMut(&LogSource)) {
        for (image, ns, pod, container) in CASES {
            f(&src(image, ns, pod, container, start()));
        }
    }

    fn texts(lines: &[LogLine]) -> Vec<&str> {
        lines.iter().map(|l| l.text.as_str()).collect()
    }

    #[test]
    fn each_component_is_recognised_from_a_realistic_image() {
        let cases: &[(&str, &str, Component)] = &[
            ("trinodb/trino:476", "trino-worker", Component::Trino),
            (
                "quay.io/minio/minio:RELEASE.2025-04-22T22-12-26Z",
                "minio",
                Component::Minio,
            ),
            (
                "minio/minio@sha256:0123456789abcdef",
                "minio",
                Component::Minio,
            ),
            (
                "quay.io/strimzi/kafka:0.45.0-kafka-3.9.0",
                "kafka",
                Component::Kafka {
                    role: KafkaRole::Broker,
                    strimzi: true,
                },
            ),
            (
                "quay.io/strimzi/kafka:0.45.0-kafka-3.9.0",
                "zookeeper",
                Component::Kafka {
                    role: KafkaRole::ZooKeeper,
                    strimzi: true,
                },
            ),
            (
                "quay.io/strimzi/kafka:0.45.0-kafka-3.9.0",
                "datalake-connect",
                Component::Kafka {
                    role: KafkaRole::Connect,
                    strimzi: true,
                },
            ),
            (
                "quay.io/strimzi/kafka:0.45.0-kafka-3.9.0",
                "kafka-exporter",
                Component::KafkaExporter,
            ),
            (
                "quay.io/strimzi/operator:0.45.0",
                "strimzi-cluster-operator",
                Component::StrimziOperator,
            ),
            (
                "apache/kafka:3.9.0",
                "kafka",
                Component::Kafka {
                    role: KafkaRole::Broker,
                    strimzi: false,
                },
            ),
            (
                "apache/airflow:2.10.5",
                "scheduler",
                Component::Airflow(AirflowRole::Scheduler),
            ),
            (
                "apache/airflow:2.10.5",
                "webserver",
                Component::Airflow(AirflowRole::Webserver),
            ),
            (
                "apache/airflow:2.10.5",
                "worker",
                Component::Airflow(AirflowRole::Worker),
            ),
            (
                "apache/airflow:2.10.5",
                "db-cleanup",
                Component::Airflow(AirflowRole::Job),
            ),
            (
                "postgres:16",
                "postgres",
                Component::Postgres { bitnami: false },
            ),
            (
                "postgres",
                "postgres",
                Component::Postgres { bitnami: false },
            ),
            (
                "docker.io/bitnami/postgresql:17.4.0",
                "postgresql",
                Component::Postgres { bitnami: true },
            ),
            (
                "quay.io/keycloak/keycloak:26.1.4",
                "keycloak",
                Component::Keycloak,
            ),
            (
                "registry.k8s.io/ingress-nginx/controller:v1.12.1",
                "controller",
                Component::IngressNginx,
            ),
            (
                "registry.k8s.io/ingress-nginx/kube-webhook-certgen:v1.5.2",
                "create",
                Component::GoController,
            ),
            ("velero/velero:v1.16.0", "velero", Component::Velero),
            (
                "ghcr.io/projectnessie/nessie:0.103.0",
                "nessie",
                Component::Nessie,
            ),
            (
                "localhost:5000/velero/velero:v1.16.0",
                "velero",
                Component::Velero,
            ),
            ("ghcr.io/dbt-labs/dbt-trino:1.9.0", "dbt", Component::Dbt),
            (
                "quay.io/prometheus-operator/prometheus-operator:v0.81.0",
                "prometheus-operator",
                Component::PrometheusOperator,
            ),
            (
                "quay.io/prometheus/prometheus:v3.2.1",
                "prometheus",
                Component::Prometheus,
            ),
            ("docker.io/grafana/loki:3.4.2", "loki", Component::Loki),
            (
                "quay.io/jetstack/cert-manager-controller:v1.17.1",
                "cert-manager-controller",
                Component::GoController,
            ),
            (
                "quay.io/minio/operator:v7.0.1",
                "operator",
                Component::GoController,
            ),
            (
                "example.com/team/mystery-app:2.3.4",
                "app",
                Component::Generic,
            ),
            ("busybox", "sh", Component::Generic),
        ];
        for (image, container, want) in cases {
            assert_eq!(detect(image, container), *want, "{image} / {container}");
        }
    }

    #[test]
    fn image_references_split_into_repository_and_tag() {
        assert_eq!(
            split_image("trinodb/trino:476"),
            ("trinodb/trino".into(), "476".into())
        );
        assert_eq!(
            split_image("localhost:5000/app"),
            ("localhost:5000/app".into(), "latest".into())
        );
        assert_eq!(
            split_image("Quay.io/MinIO/minio:RELEASE.2025-04-22T22-12-26Z@sha256:ab"),
            (
                "quay.io/minio/minio".into(),
                "RELEASE.2025-04-22T22-12-26Z".into()
            )
        );
        assert_eq!(split_image(""), (String::new(), "latest".into()));
    }

    #[test]
    fn same_inputs_give_the_same_lines() {
        let end = plus(start(), 4.0 * 3_600.0);
        each_case(|s| {
            assert_eq!(
                lines_between(s, start(), end, 2_000),
                lines_between(s, start(), end, 2_000),
                "{}",
                s.image
            );
            assert_eq!(
                crash_lines(s, end, "Error", 1),
                crash_lines(s, end, "Error", 1),
                "{}",
                s.image
            );
        });
    }

    #[test]
    fn a_restarted_instance_writes_different_lines() {
        let s1 = src(
            "trinodb/trino:476",
            "trino",
            "trino-coordinator-6d9f7c8b5-k2x9p",
            "trino-coordinator",
            start(),
        );
        let s2 = LogSource {
            started_at: plus(start(), 600.0),
            ..s1
        };
        let a = lines_between(
            &s1,
            plus(s1.started_at, 60.0),
            plus(s1.started_at, 600.0),
            50,
        );
        let b = lines_between(
            &s2,
            plus(s2.started_at, 60.0),
            plus(s2.started_at, 600.0),
            50,
        );
        assert!(!a.is_empty() && !b.is_empty());
        assert_ne!(texts(&a), texts(&b));
    }

    #[test]
    fn lines_are_in_order_and_inside_the_window() {
        let (from, to) = (plus(start(), -30.0), plus(start(), 7_200.0));
        each_case(|s| {
            let lines = lines_between(s, from, to, usize::MAX);
            assert!(!lines.is_empty(), "{}", s.image);
            assert!(
                lines.windows(2).all(|w| w[0].at < w[1].at),
                "{} not strictly ordered",
                s.image
            );
            assert!(
                lines
                    .iter()
                    .all(|l| l.at >= s.started_at && l.at >= from && l.at < to),
                "{}",
                s.image
            );
            assert!(
                lines.iter().all(|l| !l.text.contains('\n')),
                "{} has an embedded newline",
                s.image
            );
        });
    }

    #[test]
    fn consecutive_windows_concatenate_to_the_single_window() {
        let from = plus(start(), -5.0);
        let to = plus(start(), 3.0 * 3_600.0);
        // Irregular steps, as a `logs -f` driven by a wall clock would produce.
        let steps = [0.25, 1.7, 3.0, 0.9, 11.0, 47.0, 123.456_789, 0.5, 600.0];
        each_case(|s| {
            let whole = lines_between(s, from, to, usize::MAX);
            let mut pieces = Vec::new();
            let mut at = from;
            let mut i = 0;
            while at < to {
                let next = plus(at, steps[i % steps.len()]).min(to);
                pieces.extend(lines_between(s, at, next, usize::MAX));
                at = next;
                i += 1;
            }
            assert_eq!(pieces, whole, "{}", s.image);
        });
    }

    #[test]
    fn windows_split_exactly_at_a_line_keep_it_once() {
        each_case(|s| {
            let to = plus(start(), 1_800.0);
            let whole = lines_between(s, start(), to, usize::MAX);
            for cut in [1, whole.len() / 3, whole.len() / 2, whole.len() - 1] {
                let at = whole[cut].at;
                let mut joined = lines_between(s, start(), at, usize::MAX);
                assert_eq!(joined.len(), cut, "{}", s.image);
                joined.extend(lines_between(s, at, to, usize::MAX));
                assert_eq!(joined, whole, "{}", s.image);
            }
        });
    }

    #[test]
    fn max_returns_the_last_lines_of_the_window() {
        let (from, to) = (start(), plus(start(), 900.0));
        each_case(|s| {
            let whole = lines_between(s, from, to, usize::MAX);
            let n = whole.len();
            for max in [1, 2, 5, 37, n.saturating_sub(1), n, n + 10] {
                let tail = lines_between(s, from, to, max);
                assert_eq!(
                    tail.as_slice(),
                    &whole[n.saturating_sub(max)..],
                    "{} max={max}",
                    s.image
                );
            }
        });
    }

    #[test]
    fn max_reaching_into_the_banner_keeps_its_tail() {
        let s = src(
            "trinodb/trino:476",
            "trino",
            "trino-worker-1",
            "trino-worker",
            start(),
        );
        let to = plus(start(), 60.0);
        let whole = lines_between(&s, start(), to, usize::MAX);
        let steady = whole
            .iter()
            .filter(|l| l.text.contains("JmxGcMonitor"))
            .count();
        let tail = lines_between(&s, start(), to, steady + 2);
        assert_eq!(tail.as_slice(), &whole[whole.len() - steady - 2..]);
        assert!(
            tail[1].text.ends_with("======== SERVER STARTED ========"),
            "{}",
            tail[1].text
        );
    }

    #[test]
    fn empty_and_degenerate_windows() {
        each_case(|s| {
            assert!(lines_between(s, plus(start(), 10.0), plus(start(), 10.0), 100).is_empty());
            assert!(lines_between(s, plus(start(), 20.0), plus(start(), 10.0), 100).is_empty());
            assert!(lines_between(s, start(), plus(start(), 600.0), 0).is_empty());
            assert!(lines_between(s, plus(start(), -600.0), start(), 100).is_empty());
            // The far end of time: no panic, whatever comes back.
            let _ = lines_between(s, plus(Timestamp::MAX, -10.0), Timestamp::MAX, 10);
            let _ = crash_lines(s, Timestamp::MAX, "Error", 1);
            let _ = crash_lines(s, Timestamp::MIN, "OOMKilled", 137);
        });
    }

    #[test]
    fn a_month_old_container_is_cheap_to_read() {
        let now: Timestamp = "2026-09-22T08:00:00Z".parse().unwrap();
        let started = plus(now, -30.0 * 86_400.0);
        let s = src(
            "registry.k8s.io/ingress-nginx/controller:v1.12.1",
            "ingress-nginx",
            "ingress-nginx-controller-5d88495688-7xk2p",
            "controller",
            started,
        );
        // A follow poll: about one access-log line per 1.5 s.
        let poll = lines_between(&s, plus(now, -1.0), now, 5_000);
        assert!(poll.len() <= 2, "{}", poll.len());
        // A tail over the whole month (≈1.7 million lines) returns just the tail.
        let tail = lines_between(&s, started, now, 100);
        assert_eq!(tail.len(), 100);
        assert!(tail.iter().all(|l| l.at < now && l.at > plus(now, -600.0)));
        // The default cap over a 30-day window of a 6 s cadence.
        let t = src(
            "trinodb/trino:476",
            "trino",
            "trino-coordinator-6d9f7c8b5-k2x9p",
            "trino-coordinator",
            started,
        );
        assert_eq!(lines_between(&t, started, now, 5_000).len(), 5_000);
        let last_hour = lines_between(&t, plus(now, -3_600.0), now, 5_000);
        assert!(
            (400..=900).contains(&last_hour.len()),
            "{}",
            last_hour.len()
        );
    }

    fn tail_text(lines: &[LogLine], n: usize) -> String {
        let start = lines.len().saturating_sub(n);
        texts(&lines[start..]).join("\n")
    }

    #[test]
    fn crash_lines_end_with_the_fatal_error() {
        // (image, namespace, pod, container, marker after Error/1, marker after OOMKilled/137)
        let cases: &[(&str, &str, &str, &str, &str, &str)] = &[
            (
                "trinodb/trino:476",
                "trino",
                "trino-worker-1",
                "trino-worker",
                "java.lang.OutOfMemoryError: Java heap space",
                "Terminating due to java.lang.OutOfMemoryError: Java heap space",
            ),
            (
                "quay.io/minio/minio:RELEASE.2025-04-22T22-12-26Z",
                "minio",
                "datalake-pool-0-2",
                "minio",
                "ERROR Unable to initialize backend",
                "fatal error: runtime: out of memory",
            ),
            (
                "quay.io/strimzi/kafka:0.45.0-kafka-3.9.0",
                "kafka",
                "datalake-kafka-0",
                "kafka",
                "Shutdown broker because all log dirs",
                "java.lang.OutOfMemoryError",
            ),
            (
                "quay.io/strimzi/kafka:0.45.0-kafka-3.9.0",
                "kafka",
                "datalake-kafka-connect-7d9f8b6c5d-x2x4k",
                "datalake-connect",
                "Uncaught exception in herder work thread",
                "java.lang.OutOfMemoryError",
            ),
            (
                "apache/airflow:2.10.5",
                "airflow",
                "airflow-scheduler-6b7c9d8f5-q7w2e",
                "scheduler",
                "sqlalchemy.exc.OperationalError",
                "MemoryError",
            ),
            (
                "apache/airflow:2.10.5",
                "airflow",
                "airflow-webserver-5d6f7c8b9-m3n4b",
                "webserver",
                "sqlalchemy.exc.OperationalError",
                "Perhaps out of memory?",
            ),
            (
                "docker.io/bitnami/postgresql:17.4.0",
                "airflow",
                "airflow-postgresql-0",
                "postgresql",
                "No space left on device",
                "was terminated by signal 9: Killed",
            ),
            (
                "postgres:16.4",
                "nessie",
                "nessie-postgresql-0",
                "postgres",
                "No space left on device",
                "was terminated by signal 9: Killed",
            ),
            (
                "quay.io/keycloak/keycloak:26.1.4",
                "keycloak",
                "keycloak-0",
                "keycloak",
                "java.lang.OutOfMemoryError",
                "java.lang.OutOfMemoryError",
            ),
            (
                "registry.k8s.io/ingress-nginx/controller:v1.12.1",
                "ingress-nginx",
                "ingress-nginx-controller-5d88495688-7xk2p",
                "controller",
                "Error while initiating a connection to the Kubernetes API server",
                "fatal error: runtime: out of memory",
            ),
            (
                "velero/velero:v1.16.0",
                "velero",
                "velero-7d8f9c6b5-abcde",
                "velero",
                "An error occurred:",
                "fatal error: runtime: out of memory",
            ),
            (
                "ghcr.io/projectnessie/nessie:0.103.0",
                "nessie",
                "nessie-5f7d8c9b4-abcde",
                "nessie",
                "java.lang.OutOfMemoryError",
                "java.lang.OutOfMemoryError",
            ),
            (
                "example.com/team/mystery-app:2.3.4",
                "default",
                "mystery-app-7f8d9c6b5-abcde",
                "app",
                "Fatal error",
                "out of memory",
            ),
        ];
        for (image, ns, pod, container, on_error, on_oom) in cases {
            let s = src(image, ns, pod, container, start());
            let died = plus(start(), 7_200.0);
            for (reason, code, marker) in [("Error", 1, on_error), ("OOMKilled", 137, on_oom)] {
                let crash = crash_lines(&s, died, reason, code);
                assert!(!crash.is_empty(), "{image} {reason}");
                let tail = tail_text(&crash, 12);
                assert!(
                    tail.contains(marker),
                    "{image} {reason}: no {marker:?} in\n{tail}"
                );
                // Stamped after everything the instance logged before, and before death.
                let before = lines_between(&s, start(), died, 1);
                assert!(crash[0].at > before[0].at, "{image} {reason}");
                assert!(
                    crash.windows(2).all(|w| w[0].at <= w[1].at),
                    "{image} {reason}"
                );
                assert!(crash.iter().all(|l| l.at < died), "{image} {reason}");
            }
        }
    }

    #[test]
    fn every_component_dies_with_an_error_line() {
        each_case(|s| {
            for (reason, code) in [
                ("Error", 1),
                ("OOMKilled", 137),
                ("Error", 2),
                ("Error", 139),
                ("Error", 255),
            ] {
                let crash = crash_lines(s, plus(start(), 3_600.0), reason, code);
                let tail = tail_text(&crash, 12).to_lowercase();
                assert!(
                    [
                        "error",
                        "fatal",
                        "failed",
                        "killed",
                        "out of memory",
                        "panic",
                        "segmentation",
                        "#"
                    ]
                    .iter()
                    .any(|m| tail.contains(m)),
                    "{} {reason} {code}:\n{tail}",
                    s.image
                );
            }
        });
    }

    #[test]
    fn a_crash_during_startup_is_a_startup_failure() {
        // The default crash loop dies 15 s in, before Trino has finished starting.
        let worker = src(
            "trinodb/trino:476",
            "trino",
            "trino-worker-1",
            "trino-worker",
            start(),
        );
        let text = tail_text(&crash_lines(&worker, plus(start(), 15.0), "Error", 1), 40);
        assert!(
            text.contains("\tERROR\tmain\tio.trino.server.Server\t"),
            "{text}"
        );
        assert!(
            text.contains("Configuration is invalid") || text.contains("Configuration errors:"),
            "{text}"
        );
        let early = tail_text(&crash_lines(&worker, plus(start(), 1.5), "Error", 1), 40);
        assert!(early.contains("Configuration is invalid"), "{early}");

        let keycloak = src(
            "quay.io/keycloak/keycloak:26.1.4",
            "keycloak",
            "keycloak-0",
            "keycloak",
            start(),
        );
        let text = tail_text(&crash_lines(&keycloak, plus(start(), 15.0), "Error", 1), 12);
        assert!(
            text.contains("ERROR: Failed to start server in (production) mode"),
            "{text}"
        );
        assert!(text.contains("keycloak-postgresql:5432"), "{text}");

        // The seed's Kafka Connect crash loop: 20 s, exit 1.
        let connect = src(
            "quay.io/strimzi/kafka:0.45.0-kafka-3.9.0",
            "kafka",
            "datalake-kafka-connect-7d9f8b6c5d-x2x4k",
            "datalake-connect",
            start(),
        );
        let text = tail_text(&crash_lines(&connect, plus(start(), 20.0), "Error", 1), 20);
        assert!(
            text.contains("ERROR Stopping due to error")
                || text.contains("Uncaught exception in herder work thread"),
            "{text}"
        );
    }

    #[test]
    fn exit_codes_pick_the_kind_of_ending() {
        let trino = src(
            "trinodb/trino:476",
            "trino",
            "trino-worker-1",
            "trino-worker",
            start(),
        );
        let stopped = crash_lines(&trino, plus(start(), 600.0), "Error", 143);
        assert!(
            stopped
                .last()
                .unwrap()
                .text
                .ends_with("Life cycle stopped.")
        );
        let jvm_oom = crash_lines(&trino, plus(start(), 600.0), "Error", 3);
        assert!(
            jvm_oom
                .last()
                .unwrap()
                .text
                .contains("Terminating due to java.lang.OutOfMemoryError")
        );
        let segv = crash_lines(&trino, plus(start(), 600.0), "Error", 139);
        assert!(tail_text(&segv, 20).contains("SIGSEGV (0xb)"));

        let dbt = src(
            "ghcr.io/dbt-labs/dbt-trino:1.9.0",
            "airflow",
            "dbt-full-refresh-x2k9p",
            "dbt",
            start(),
        );
        let done = crash_lines(&dbt, plus(start(), 300.0), "Completed", 0);
        assert_eq!(
            done.last().unwrap().text.split_once("  ").unwrap().1,
            "Done. PASS=42 WARN=0 ERROR=0 SKIP=0 NO-OP=0 TOTAL=42"
        );
        let failed = crash_lines(&dbt, plus(start(), 300.0), "Error", 1);
        assert!(failed.last().unwrap().text.contains("ERROR=1"));

        let velero = src(
            "velero/velero:v1.16.0",
            "velero",
            "velero-7d8f9c6b5-abcde",
            "velero",
            start(),
        );
        let panic = crash_lines(&velero, plus(start(), 600.0), "Error", 2);
        assert!(panic[0].text.starts_with(
            "panic: runtime error: invalid memory address or nil pointer dereference"
        ));

        let pg = src(
            "postgres:16.4",
            "nessie",
            "nessie-postgresql-0",
            "postgres",
            start(),
        );
        let shutdown = crash_lines(&pg, plus(start(), 600.0), "Completed", 0);
        assert!(
            shutdown
                .last()
                .unwrap()
                .text
                .ends_with("LOG:  database system is shut down")
        );
    }

    #[test]
    fn lines_look_like_the_real_components() {
        let until = |s: &LogSource, secs: f64| {
            texts(&lines_between(
                s,
                s.started_at,
                plus(s.started_at, secs),
                usize::MAX,
            ))
            .into_iter()
            .map(str::to_string)
            .collect::<Vec<_>>()
        };
        let has = |lines: &[String], needle: &str| lines.iter().any(|l| l.contains(needle));

        let trino = until(
            &src(
                "trinodb/trino:476",
                "trino",
                "trino-coordinator-6d9f7c8b5-k2x9p",
                "trino-coordinator",
                start(),
            ),
            120.0,
        );
        let started = trino
            .iter()
            .find(|l| l.ends_with("SERVER STARTED ========"))
            .unwrap();
        let fields: Vec<&str> = started.split('\t').collect();
        assert_eq!(fields.len(), 5, "{started}");
        assert!(
            fields[0].len() == 24 && fields[0].ends_with('Z') && &fields[0][10..11] == "T",
            "{started}"
        );
        assert_eq!(
            &fields[1..],
            &[
                "INFO",
                "main",
                "io.trino.server.Server",
                "======== SERVER STARTED ========"
            ]
        );
        assert!(has(
            &trino,
            "io.trino.event.QueryMonitor\tTIMELINE: Query 2026"
        ));

        let kafka = until(
            &src(
                "quay.io/strimzi/kafka:0.45.0-kafka-3.9.0",
                "kafka",
                "datalake-kafka-0",
                "kafka",
                start(),
            ),
            60.0,
        );
        assert!(kafka.iter().any(|l| l.starts_with("2026-08-23 14:05:")
            && l.ends_with(" INFO [KafkaServer id=0] started (kafka.server.KafkaServer) [main]")));
        let plain = until(
            &src("apache/kafka:3.9.0", "kafka", "kafka-0", "kafka", start()),
            60.0,
        );
        assert!(plain.iter().any(|l| l.starts_with("[2026-08-23 14:05:")
            && l.ends_with("] INFO [KafkaServer id=0] started (kafka.server.KafkaServer)")));

        let minio = until(
            &src(
                "quay.io/minio/minio:RELEASE.2025-04-22T22-12-26Z",
                "minio",
                "minio-0",
                "minio",
                start(),
            ),
            10.0,
        );
        assert!(has(&minio, "MinIO Object Storage Server"));
        assert!(
            minio
                .iter()
                .any(|l| l.starts_with("API: http://10.244.") && l.contains(":9000"))
        );

        let pg = until(
            &src(
                "docker.io/bitnami/postgresql:17.4.0",
                "airflow",
                "airflow-postgresql-0",
                "postgresql",
                start(),
            ),
            1_200.0,
        );
        assert!(pg.iter().any(|l| l.starts_with("postgresql 14:05:")
            && l.ends_with(" INFO  ==> ** Starting PostgreSQL setup **")));
        assert!(
            pg.iter().any(
                |l| l.contains(" GMT [1] LOG:  database system is ready to accept connections")
            )
        );
        assert!(has(&pg, "LOG:  checkpoint starting: time"));

        let nginx = until(
            &src(
                "registry.k8s.io/ingress-nginx/controller:v1.12.1",
                "ingress-nginx",
                "ingress-nginx-controller-5d88495688-7xk2p",
                "controller",
                start(),
            ),
            120.0,
        );
        assert!(nginx.iter().any(|l| l.starts_with("I0823 14:05:")
            && l.contains("       7 nginx.go:")
            && l.contains("] \"Starting NGINX Ingress controller\"")));
        assert!(
            nginx
                .iter()
                .any(|l| l.contains(" - - [23/Aug/2026:14:0") && l.contains("\" 200 "))
        );

        let airflow = until(
            &src(
                "apache/airflow:2.10.5",
                "airflow",
                "airflow-scheduler-6b7c9d8f5-q7w2e",
                "scheduler",
                start(),
            ),
            120.0,
        );
        assert!(airflow.iter().any(|l| l.starts_with("[2026-08-23T14:05:")
            && l.contains("+0000] {scheduler_job_runner.py:")
            && l.contains("} INFO - Starting the scheduler")));

        let keycloak = until(
            &src(
                "quay.io/keycloak/keycloak:26.1.4",
                "keycloak",
                "keycloak-0",
                "keycloak",
                start(),
            ),
            120.0,
        );
        assert!(
            keycloak.iter().any(|l| l.contains(
                " INFO  [io.quarkus] (main) Keycloak 26.1.4 on JVM (powered by Quarkus "
            ) && l.contains("Listening on: http://0.0.0.0:8080"))
        );

        let velero = until(
            &src(
                "velero/velero:v1.16.0",
                "velero",
                "velero-7d8f9c6b5-abcde",
                "velero",
                start(),
            ),
            60.0,
        );
        assert!(
            velero
                .iter()
                .any(|l| l.starts_with("time=\"2026-08-23T14:05:")
                    && l.contains("level=info msg=\"Starting Velero server v1.16.0 ("))
        );

        let nessie = until(
            &src(
                "ghcr.io/projectnessie/nessie:0.103.0",
                "nessie",
                "nessie-5f7d8c9b4-abcde",
                "nessie",
                start(),
            ),
            60.0,
        );
        assert!(has(&nessie, "nessie-quarkus 0.103.0 on JVM"));

        let generic = until(
            &src(
                "example.com/team/mystery-app:2.3.4",
                "default",
                "mystery-app-7f8d9c6b5-abcde",
                "app",
                start(),
            ),
            60.0,
        );
        assert!(
            generic[0].ends_with(" INFO  [main] Starting mystery-app 2.3.4"),
            "{}",
            generic[0]
        );
    }
}
