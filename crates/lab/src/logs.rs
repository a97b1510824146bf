//! Synthetic container logs for the lab: each component's own line format (Trino's
//! airlift log, MinIO's banner, Kafka's log4j, Airflow, PostgreSQL, Keycloak/Quarkus,
//! nginx access logs, Go klog and logfmt for controllers and monitoring), a start-up
//! banner, steady lines at a component-typical cadence, and the lines a crashed
//! container wrote before it died. Deterministic: line k of a container instance has a
//! fixed time and text, so successive windows of a `follow` stream neither repeat nor
//! skip lines, and a window far from the start is computed without generating the
//! lines before it. Must not do I/O.

use jiff::{SignedDuration, Timestamp};

/// The container instance whose log is asked for.
pub struct LogSource<'a> {
    pub image: &'a str,
    pub namespace: &'a str,
    pub pod: &'a str,
    pub container: &'a str,
    pub started_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    pub at: Timestamp,
    pub text: String,
}

/// How a component writes its lines.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Trino,
    Minio,
    Kafka,
    Zookeeper,
    Airflow,
    Postgres,
    Keycloak,
    Nessie,
    Nginx,
    Prometheus,
    Klog,
    Generic,
}

fn kind_of(image: &str, container: &str) -> Kind {
    let repo = image
        .rsplit_once(':')
        .map_or(image, |(r, _)| r)
        .to_ascii_lowercase();
    let has = |s: &str| repo.contains(s);
    if has("trino") {
        Kind::Trino
    } else if has("minio") && !has("operator") {
        Kind::Minio
    } else if has("kafka") && container.contains("zookeeper") {
        Kind::Zookeeper
    } else if has("strimzi") && has("operator") {
        Kind::Klog
    } else if has("kafka") {
        Kind::Kafka
    } else if has("airflow") {
        Kind::Airflow
    } else if has("postgres") {
        Kind::Postgres
    } else if has("keycloak") {
        Kind::Keycloak
    } else if has("nessie") {
        Kind::Nessie
    } else if has("nginx") {
        Kind::Nginx
    } else if has("prometheus/prometheus")
        || has("alertmanager")
        || has("loki")
        || has("promtail")
        || has("grafana")
        || has("node-exporter")
    {
        Kind::Prometheus
    } else if has("registry.k8s.io")
        || has("jetstack")
        || has("velero")
        || has("sealed-secrets")
        || has("operator")
        || has("kube-state-metrics")
    {
        Kind::Klog
    } else {
        Kind::Generic
    }
}

/// Per-component text: banner lines, steady-state templates and seconds between lines.
fn script(kind: Kind) -> (&'static [&'static str], &'static [&'static str], i64) {
    match kind {
        Kind::Trino => (
            &[
                "INFO\tmain\tio.airlift.log.Logging\tLogging to stderr",
                "INFO\tmain\tBootstrap\tjava.vm.name = OpenJDK 64-Bit Server VM",
                "INFO\tmain\tio.trino.server.PluginManager\t-- Loading plugin /usr/lib/trino/plugin/iceberg --",
                "INFO\tmain\tio.trino.connector.StaticCatalogManager\t-- Added catalog iceberg using connector iceberg --",
                "INFO\tmain\tio.trino.server.Server\t======== SERVER STARTED ========",
            ],
            &[
                "INFO\tdispatcher-query-{n}\tio.trino.event.QueryMonitor\tTIMELINE: Query 2026{id}_{n}_00{n}_abcde :: FINISHED :: elapsed {n}ms :: planning {n}ms :: waiting 0ms :: scheduling {n}ms :: running {n}ms :: finishing 1ms",
                "INFO\tnode-state-poller-0\tio.trino.metadata.DiscoveryNodeManager\tPrevious node state: ACTIVE, new state ACTIVE",
                "INFO\tTask-20261121_{id}-{n}\tio.trino.execution.SqlTaskManager\tTask 20261121_{id}.{n}.0.0 finished",
                "WARN\tScheduledMemoryRevoking\tio.trino.memory.MemoryRevokingScheduler\tRevoking memory: pool reserved {n}MB of 12288MB",
            ],
            6,
        ),
        Kind::Minio => (
            &[
                "MinIO Object Storage Server",
                "Copyright: 2015-2025 MinIO, Inc.",
                "License: GNU AGPLv3 - https://www.gnu.org/licenses/agpl-3.0.html",
                "Version: RELEASE.2025-04-22T22-12-26Z (go1.24.2 linux/amd64)",
                "",
                "API: https://minio.minio.svc.cluster.local ",
                "WebUI: https://{pod}.minio.svc.cluster.local:9443 ",
                "",
                "Docs: https://docs.min.io",
                "Status:         16 Online, 0 Offline. ",
            ],
            &[
                "API: SYSTEM.scanner\tTime: {time}\tDeploymentID: 4f1c{id}\tMessage: Scanner cycle {n} completed in {n}ms",
                "API: PutObject(bucket=bronze, object=events/dt=2026-11-21/part-{n}.parquet)\tTime: {time}\tRemoteHost: 10.244.6.{b}\tStatus: 200 OK",
                "API: SYSTEM.healing\tTime: {time}\tMessage: Healing sequence for bucket silver completed, objects healed: 0",
            ],
            15,
        ),
        Kind::Kafka => (
            &[
                "INFO Registered kafka:type=kafka.Log4jController MBean (kafka.utils.Log4jControllerRegistration$)",
                "INFO Starting (kafka.server.KafkaServer)",
                "INFO [ZooKeeperClient Kafka server] Connected. (kafka.zookeeper.ZooKeeperClient)",
                "INFO [KafkaServer id={ordinal}] started (kafka.server.KafkaServer)",
            ],
            &[
                "INFO [LocalLog partition=cdc.orders-{n}, dir=/var/lib/kafka/data/kafka-log{ordinal}] Rolled new log segment at offset {n}{n} in {n} ms. (kafka.log.LocalLog)",
                "INFO [GroupCoordinator {ordinal}]: Member connector-consumer-s3-sink-{n} in group connect-s3-sink has sent heartbeat (kafka.coordinator.group.GroupCoordinator)",
                "INFO [ProducerStateManager partition=events.clicks-{n}] Wrote producer snapshot at offset {n}{n} with 0 producer ids in 1 ms. (kafka.log.ProducerStateManager)",
            ],
            10,
        ),
        Kind::Zookeeper => (
            &[
                "INFO  Reading configuration from: /tmp/zookeeper.properties (org.apache.zookeeper.server.quorum.QuorumPeerConfig) [main]",
                "INFO  Started AdminServer on address 0.0.0.0, port 8080 (org.apache.zookeeper.server.admin.JettyAdminServer) [main]",
                "INFO  FOLLOWING - LEADER ELECTION TOOK - {n} MS (org.apache.zookeeper.server.quorum.Learner) [QuorumPeer]",
            ],
            &[
                "INFO  Committing global session 0x{id} (org.apache.zookeeper.server.quorum.LearnerSessionTracker) [CommitProcessor:1]",
            ],
            20,
        ),
        Kind::Airflow => (
            &[
                "[{time}] {{executor_loader.py:258}} INFO - Loaded executor: KubernetesExecutor",
                "[{time}] {{scheduler_job_runner.py:950}} INFO - Starting the scheduler",
                "[{time}] {{scheduler_job_runner.py:957}} INFO - Processing each file at most -1 times",
            ],
            &[
                "[{time}] {{scheduler_job_runner.py:426}} INFO - 1 tasks up for execution:\n\t<TaskInstance: dbt_daily.run_models scheduled__2026-11-21T00:00:00+00:00 [scheduled]>",
                "[{time}] {{kubernetes_executor.py:324}} INFO - Add task TaskInstanceKey(dag_id='ingest_cdc', task_id='load_silver', run_id='scheduled__2026-11-21', try_number=1, map_index=-1) with command [...]",
                "[{time}] {{scheduler_job_runner.py:1905}} INFO - Adopting or resetting orphaned tasks for active dag runs",
                "10.244.6.{b} - - [{clf}] \"GET /health HTTP/1.1\" 200 {n} \"-\" \"kube-probe/1.33\"",
            ],
            5,
        ),
        Kind::Postgres => (
            &[
                "postgresql {time} INFO  ==> ** Starting PostgreSQL **",
                "{time} UTC [1] LOG:  starting PostgreSQL 17.4 on x86_64-pc-linux-gnu, compiled by gcc (Debian 12.2.0-14) 12.2.0, 64-bit",
                "{time} UTC [1] LOG:  listening on IPv4 address \"0.0.0.0\", port 5432",
                "{time} UTC [1] LOG:  database system is ready to accept connections",
            ],
            &[
                "{time} UTC [{n}] LOG:  checkpoint starting: time",
                "{time} UTC [{n}] LOG:  checkpoint complete: wrote {n} buffers (0.{n}%); 0 WAL file(s) added, 0 removed, 1 recycled",
                "{time} UTC [{n}] LOG:  archive command succeeded for WAL segment 00000001000000{id}",
            ],
            60,
        ),
        Kind::Keycloak | Kind::Nessie => (
            &[
                "{time} INFO  [io.quarkus] (main) Profile prod activated.",
                "{time} INFO  [io.quarkus] (main) Installed features: [agroal, cdi, hibernate-orm, jdbc-postgresql, narayana-jta, reactive-routes, smallrye-context-propagation, vertx]",
                "{time} INFO  [io.quarkus] (main) {app} started in {n}.{n}s. Listening on: http://0.0.0.0:8080",
            ],
            &[
                "{time} INFO  [org.keycloak.services] (executor-thread-{n}) KC-SERVICES0009: Token refreshed for client airflow-ui",
                "{time} WARN  [org.keycloak.events] (executor-thread-{n}) type=\"LOGIN_ERROR\", realmId=\"lakehouse\", clientId=\"trino\", error=\"invalid_user_credentials\"",
                "{time} INFO  [org.projectnessie.services] (executor-thread-{n}) Commit to branch main: {n} operations",
            ],
            8,
        ),
        Kind::Nginx => (
            &[
                "-------------------------------------------------------------------------------",
                "NGINX Ingress controller",
                "  Release:       v1.12.1",
                "-------------------------------------------------------------------------------",
                "I1121 {klog}       7 controller.go:214] \"Backend successfully reloaded\"",
            ],
            &[
                "10.0.0.{b} - - [{clf}] \"GET /ui/ HTTP/2.0\" 200 {n} \"-\" \"Mozilla/5.0\" {n} 0.0{n} [trino-trino-8080] [] 10.244.7.{b}:8080 {n} 0.0{n} 200 {id}",
                "10.0.0.{b} - - [{clf}] \"POST /v1/statement HTTP/2.0\" 200 {n} \"-\" \"trino-python-client/0.330.0\" {n} 0.{n} [trino-trino-8080] [] 10.244.7.{b}:8080 {n} 0.{n} 200 {id}",
            ],
            3,
        ),
        Kind::Prometheus => (
            &[
                "ts={iso} level=info caller=main.go:{n} msg=\"Starting {app}\" version=\"(version=3.2.1, branch=HEAD)\"",
                "ts={iso} level=info caller=main.go:{n} msg=\"Server is ready to receive web requests.\"",
            ],
            &[
                "ts={iso} level=info caller=compact.go:{n} msg=\"write block\" duration={n}ms",
                "ts={iso} level=info caller=head.go:{n} msg=\"Head GC completed\" duration={n}ms",
                "ts={iso} level=debug caller=dispatch.go:{n} msg=\"Received alert\" alert=KafkaConsumerLagHigh[{id}]",
            ],
            30,
        ),
        Kind::Klog => (
            &[
                "I1121 {klog}       1 main.go:{n}] \"Starting\" controller=\"{app}\"",
                "I1121 {klog}       1 leaderelection.go:257] \"successfully acquired lease\" lock=\"{ns}/{app}\"",
            ],
            &[
                "I1121 {klog}       1 controller.go:{n}] \"Reconciling\" object=\"{ns}/{app}-{n}\"",
                "I1121 {klog}       1 reflector.go:{n}] \"Watch close\" reflector=\"k8s.io/client-go/informers/factory.go:160\" type=\"*v1.Secret\" totalItems={n}",
            ],
            20,
        ),
        Kind::Generic => (&["starting {app}"], &["{app}: heartbeat {n}"], 30),
    }
}

/// The last lines before a crash, by component and termination reason.
fn death(kind: Kind, reason: &str, exit_code: i32) -> Vec<String> {
    if reason == "OOMKilled" {
        return match kind {
            Kind::Trino | Kind::Kafka | Kind::Zookeeper | Kind::Keycloak | Kind::Nessie => vec![
                "WARN\tTask-executor-{n}\tio.trino.memory.ClusterMemoryManager\tHeap usage at 97% of max".into(),
                "java.lang.OutOfMemoryError: Java heap space".into(),
                "\tat java.base/java.util.Arrays.copyOf(Arrays.java:3541)".into(),
                "Killed".into(),
            ],
            _ => vec!["memory usage above limit, process killed by the kernel OOM killer".into(), "Killed".into()],
        };
    }
    match kind {
        // What Keycloak prints when its database refuses the password it was given.
        Kind::Keycloak => vec![
            "{time} WARN  [io.agroal.pool] (agroal-11) Datasource '<default>': FATAL: password authentication failed for user \"keycloak\"".into(),
            "{time} ERROR [org.hibernate.engine.jdbc.env.internal.JdbcEnvironmentInitiator] (JPA Startup Thread) HHH000342: Could not obtain connection to query metadata: org.postgresql.util.PSQLException: FATAL: password authentication failed for user \"keycloak\"".into(),
            "{time} ERROR [org.keycloak.quarkus.runtime.cli.ExecutionExceptionHandler] (main) ERROR: Failed to start server in (production) mode".into(),
            "{time} ERROR [org.keycloak.quarkus.runtime.cli.ExecutionExceptionHandler] (main) ERROR: FATAL: password authentication failed for user \"keycloak\"".into(),
        ],
        Kind::Trino => vec![
            "ERROR\tmain\tio.trino.server.Server\tConfiguration is invalid".into(),
            "==========".into(),
            "Errors:".into(),
            "1) Invalid configuration property query.max-memory-per-node: must be less than heap size".into(),
            "1 error".into(),
            "==========".into(),
        ],
        Kind::Kafka => vec![
            "ERROR [Worker clientId=connect-1, groupId=datalake-connect] Failed to start connector debezium-postgres-orders (org.apache.kafka.connect.runtime.Worker)".into(),
            "org.apache.kafka.connect.errors.ConnectException: Error configuring an instance of PostgresConnectorTask; check the logs for details".into(),
            "\tat io.debezium.connector.postgresql.PostgresConnectorTask.start(PostgresConnectorTask.java:146)".into(),
            "Caused by: org.postgresql.util.PSQLException: FATAL: password authentication failed for user \"debezium\"".into(),
            format!("ERROR Stopping due to error (org.apache.kafka.connect.cli.ConnectDistributed) exit code {exit_code}"),
        ],
        Kind::Airflow | Kind::Generic => vec![
            "Traceback (most recent call last):".into(),
            "  File \"/home/airflow/.local/bin/airflow\", line 8, in <module>".into(),
            "sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) connection to server at \"airflow-postgresql\" (10.96.4.12), port 5432 failed: Connection refused".into(),
        ],
        _ => vec![
            "E1121 {klog}       1 run.go:72] \"command failed\" err=\"failed to connect to the API: context deadline exceeded\"".into(),
            format!("exit status {exit_code}"),
        ],
    }
}

fn hash(parts: &[&str], k: u64) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain([0u8]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    // splitmix64 finaliser over the line index, so neighbouring lines differ.
    let mut z = h ^ k.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn fill(template: &str, src: &LogSource, at: Timestamp, seed: u64) -> String {
    let mut out = template.to_string();
    let mut n = seed;
    // {n}: a small number; {b}: an address byte.
    while let Some(i) = out.find("{n}") {
        n = n.rotate_left(11) ^ 0x5bd1_e995;
        out.replace_range(i..i + 3, &(n % 997 + 3).to_string());
    }
    while let Some(i) = out.find("{b}") {
        n = n.rotate_left(13) ^ 0x27d4_eb2f;
        out.replace_range(i..i + 3, &(n % 250 + 2).to_string());
    }
    let ordinal = src
        .pod
        .rsplit('-')
        .next()
        .filter(|s| s.chars().all(|c| c.is_ascii_digit()))
        .unwrap_or("0");
    let app = src.container;
    out.replace("{id}", &format!("{:08x}", seed as u32))
        .replace("{pod}", src.pod)
        .replace("{ns}", src.namespace)
        .replace("{app}", app)
        .replace("{ordinal}", ordinal)
        .replace("{time}", &at.strftime("%Y-%m-%d %H:%M:%S,%3f").to_string())
        .replace("{iso}", &at.strftime("%Y-%m-%dT%H:%M:%S.%3fZ").to_string())
        .replace("{clf}", &at.strftime("%d/%b/%Y:%H:%M:%S +0000").to_string())
        .replace("{klog}", &at.strftime("%H:%M:%S.%6f").to_string())
}

/// Prefixes lines the way each component stamps them (those that put the time first).
fn stamp(kind: Kind, at: Timestamp, text: String) -> String {
    match kind {
        Kind::Trino => format!("{}\t{text}", at.strftime("%Y-%m-%dT%H:%M:%S.%3fZ")),
        Kind::Kafka | Kind::Zookeeper => format!("{} {text}", at.strftime("%Y-%m-%d %H:%M:%S,%3f")),
        _ => text,
    }
}

fn offset(t: Timestamp, ms: i64) -> Timestamp {
    t.checked_add(SignedDuration::from_millis(ms)).unwrap_or(t)
}

/// The time of line `k` of an instance: banner lines 150 ms apart, then steady lines
/// every `cadence` seconds with a deterministic jitter of under half a cadence.
fn time_of(src: &LogSource, kind: Kind, k: u64) -> Timestamp {
    let (banner, _, cadence) = script(kind);
    let b = banner.len() as u64;
    if k < b {
        return offset(src.started_at, 150 * k as i64);
    }
    let j = (k - b) as i64;
    let jitter =
        (hash(&[src.namespace, src.pod, src.container], k) % (cadence as u64 * 500)) as i64;
    offset(
        src.started_at,
        150 * b as i64 + 1000 * cadence * (j + 1) + jitter,
    )
}

fn text_of(src: &LogSource, kind: Kind, k: u64) -> String {
    let (banner, steady, _) = script(kind);
    let at = time_of(src, kind, k);
    let seed = hash(&[src.namespace, src.pod, src.container], k);
    let template = match banner.get(k as usize) {
        Some(t) => t,
        None => steady
            .get((seed % steady.len().max(1) as u64) as usize)
            .unwrap_or(&""),
    };
    stamp(kind, at, fill(template, src, at, seed))
}

/// First line index whose time is at or after `t`.
fn first_at_or_after(src: &LogSource, kind: Kind, t: Timestamp) -> u64 {
    let (banner, _, cadence) = script(kind);
    let b = banner.len() as u64;
    if t <= src.started_at {
        return 0;
    }
    let since_ms = t.duration_since(src.started_at).as_millis().max(0) as i64;
    // Steady line j sits in [base + cadence*(j+1), base + cadence*(j+1.5)); start a step early.
    let steady_ms = since_ms - 150 * b as i64;
    let mut k = if steady_ms <= 0 {
        0
    } else {
        b + (steady_ms / (1000 * cadence) - 1).max(0) as u64
    };
    while time_of(src, kind, k) < t {
        k += 1;
    }
    k
}

/// Lines with times in [from, to), at most the last `max` of them.
pub fn lines_between(src: &LogSource, from: Timestamp, to: Timestamp, max: usize) -> Vec<LogLine> {
    let kind = kind_of(src.image, src.container);
    if to <= from || max == 0 {
        return Vec::new();
    }
    let start = first_at_or_after(src, kind, from);
    let end = first_at_or_after(src, kind, to);
    let start = start.max(end.saturating_sub(max as u64));
    (start..end)
        .map(|k| LogLine {
            at: time_of(src, kind, k),
            text: text_of(src, kind, k),
        })
        .collect()
}

/// The last lines a crashed instance wrote, ending with its fatal error, stamped in the
/// second before `died_at`.
pub fn crash_lines(
    src: &LogSource,
    died_at: Timestamp,
    reason: &str,
    exit_code: i32,
) -> Vec<LogLine> {
    let kind = kind_of(src.image, src.container);
    let lines = death(kind, reason, exit_code);
    let n = lines.len() as i64;
    lines
        .into_iter()
        .enumerate()
        .map(|(i, template)| {
            let at = offset(died_at, -900 + 900 * i as i64 / n.max(1));
            let seed = hash(&[src.namespace, src.pod, src.container, "crash"], i as u64);
            LogLine {
                at,
                text: stamp(kind, at, fill(&template, src, at, seed)),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(image: &'static str, started: Timestamp) -> LogSource<'static> {
        LogSource {
            image,
            namespace: "trino",
            pod: "trino-worker-1",
            container: "trino-worker",
            started_at: started,
        }
    }

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap_or(Timestamp::UNIX_EPOCH)
    }

    #[test]
    fn components_are_recognised_from_real_image_names() {
        let cases = [
            ("trinodb/trino:476", "trino", Kind::Trino),
            (
                "quay.io/minio/minio:RELEASE.2025-04-22T22-12-26Z",
                "minio",
                Kind::Minio,
            ),
            (
                "quay.io/strimzi/kafka:0.45.0-kafka-3.9.0",
                "kafka",
                Kind::Kafka,
            ),
            (
                "quay.io/strimzi/kafka:0.45.0-kafka-3.9.0",
                "zookeeper",
                Kind::Zookeeper,
            ),
            ("apache/airflow:2.10.5", "scheduler", Kind::Airflow),
            (
                "docker.io/bitnami/postgresql:17.4.0",
                "postgresql",
                Kind::Postgres,
            ),
            (
                "quay.io/keycloak/keycloak:26.1.4",
                "keycloak",
                Kind::Keycloak,
            ),
            (
                "registry.k8s.io/ingress-nginx/controller:v1.12.1",
                "controller",
                Kind::Nginx,
            ),
            ("velero/velero:v1.16.0", "velero", Kind::Klog),
            (
                "ghcr.io/projectnessie/nessie:0.103.0",
                "nessie",
                Kind::Nessie,
            ),
            ("docker.io/library/busybox:1.37", "app", Kind::Generic),
        ];
        for (image, container, kind) in cases {
            assert_eq!(kind_of(image, container), kind, "{image}");
        }
    }

    #[test]
    fn trino_starts_with_its_banner_in_its_own_format() {
        let s = src("trinodb/trino:476", t("2026-11-21T10:00:00Z"));
        let lines = lines_between(
            &s,
            t("2026-11-21T10:00:00Z"),
            t("2026-11-21T10:00:30Z"),
            100,
        );
        assert!(
            lines[0]
                .text
                .starts_with("2026-11-21T10:00:00.000Z\tINFO\tmain")
        );
        assert!(
            lines
                .iter()
                .any(|l| l.text.contains("======== SERVER STARTED ========"))
        );
        assert!(lines.len() > 5, "banner plus steady lines");
    }

    #[test]
    fn consecutive_windows_concatenate_to_the_whole_window() {
        let s = src("apache/airflow:2.10.5", t("2026-11-21T10:00:00Z"));
        let whole = lines_between(
            &s,
            t("2026-11-21T10:00:00Z"),
            t("2026-11-21T10:05:00Z"),
            10_000,
        );
        let mut pieces = Vec::new();
        let mut from = t("2026-11-21T10:00:00Z");
        while from < t("2026-11-21T10:05:00Z") {
            let to = offset(from, 7_300);
            let to = to.min(t("2026-11-21T10:05:00Z"));
            pieces.extend(lines_between(&s, from, to, 10_000));
            from = to;
        }
        assert_eq!(pieces, whole);
        assert!(whole.windows(2).all(|w| w[0].at <= w[1].at), "time ordered");
        assert_eq!(
            whole,
            lines_between(
                &s,
                t("2026-11-21T10:00:00Z"),
                t("2026-11-21T10:05:00Z"),
                10_000
            ),
            "deterministic"
        );
    }

    #[test]
    fn tail_of_a_month_old_container_is_cheap_and_is_the_last_lines() {
        let s = src(
            "quay.io/minio/minio:RELEASE.2025-04-22T22-12-26Z",
            t("2026-10-21T10:00:00Z"),
        );
        let to = t("2026-11-21T10:00:00Z");
        let tail = lines_between(&s, t("2026-10-21T10:00:00Z"), to, 5);
        assert_eq!(tail.len(), 5);
        let last_hour = lines_between(&s, t("2026-11-21T09:00:00Z"), to, 10_000);
        assert_eq!(tail.as_slice(), &last_hour[last_hour.len() - 5..]);
    }

    #[test]
    fn a_window_in_the_first_steady_interval_works() {
        // Regression: just after the banner the step-back went below zero (overflow).
        let s = src(
            "quay.io/strimzi/kafka:0.45.0-kafka-3.9.0",
            t("2026-11-21T10:00:00Z"),
        );
        let lines = lines_between(
            &s,
            t("2026-11-21T10:00:00Z"),
            t("2026-11-21T10:00:05Z"),
            100,
        );
        assert!(!lines.is_empty());
        for from in 0..40 {
            let f = offset(t("2026-11-21T10:00:00Z"), from * 250);
            let _ = lines_between(&s, f, offset(f, 3000), 10);
        }
    }

    #[test]
    fn crashes_end_with_the_fatal_line() {
        let died = t("2026-11-21T10:00:00Z");
        let kafka = LogSource {
            image: "quay.io/strimzi/kafka:0.45.0-kafka-3.9.0",
            namespace: "kafka",
            pod: "datalake-kafka-connect-x",
            container: "datalake-connect",
            started_at: died,
        };
        let lines = crash_lines(&kafka, died, "Error", 1);
        assert!(
            lines
                .last()
                .is_some_and(|l| l.text.contains("Stopping due to error"))
        );
        assert!(lines.iter().all(|l| l.at < died));
        let trino = src("trinodb/trino:476", died);
        assert!(crash_lines(&trino, died, "OOMKilled", 137).iter().any(|l| {
            l.text
                .contains("java.lang.OutOfMemoryError: Java heap space")
        }));
        assert!(
            crash_lines(&trino, died, "Error", 1)
                .iter()
                .any(|l| l.text.contains("Configuration is invalid"))
        );
    }
}
