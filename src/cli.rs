//! The command line: `lakedeck` (the cockpit on your kubeconfig), `lakedeck demo` (the
//! cockpit on an in-process lab) and `lakedeck lab` (the lab alone, for kubectl and
//! tests). Parses flags (clap) and runs the chosen command; owns exit codes (2 for bad
//! input such as an unknown scenario or a broken config file, 1 for runtime failures
//! such as an unreachable API server).

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::lab::{self, Lab, LabError, LabOptions};
use crate::startup;

#[derive(Debug, Parser)]
#[command(
    name = "lakedeck",
    version,
    about = "Terminal operations cockpit for a Kubernetes-hosted data lakehouse"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub cockpit: CockpitArgs,
}

/// How the cockpit connects and looks (also accepted by `demo`, except the connection).
#[derive(Debug, Clone, clap::Args)]
pub struct CockpitArgs {
    /// Kubeconfig file (default: KUBECONFIG, then ~/.kube/config, then in-cluster)
    #[arg(long, global = true)]
    pub kubeconfig: Option<PathBuf>,
    /// Kubeconfig context to use
    #[arg(long, global = true)]
    pub context: Option<String>,
    /// Namespace to show (default: the context's)
    #[arg(short = 'n', long, global = true)]
    pub namespace: Option<String>,
    /// All namespaces
    #[arg(short = 'A', long, global = true)]
    pub all_namespaces: bool,
    /// Read-only: no action may write to the cluster
    #[arg(long, global = true)]
    pub readonly: bool,
    /// Config file (default: ~/.config/lakedeck/config.yaml)
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
    /// Theme: default, high-contrast, mono, or a theme file (NO_COLOR forces mono)
    #[arg(long, global = true)]
    pub theme: Option<String>,
    /// Prometheus: a URL, or service:<namespace>/<service>:<port> through the API server
    /// (overrides the context's `prometheus:` in the config)
    #[arg(long, global = true, value_name = "URL")]
    pub prometheus: Option<String>,
    /// Alertmanager: a URL or service:<namespace>/<service>:<port>
    #[arg(long, global = true, value_name = "URL")]
    pub alertmanager: Option<String>,
    /// Trino coordinator: a URL or service:<namespace>/<service>:<port>
    #[arg(long, global = true, value_name = "URL")]
    pub trino: Option<String>,
    /// Where the audit log, runbook runs and drill reports live
    /// (default: ~/.local/share/lakedeck)
    #[arg(long, global = true, env = "LAKEDECK_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
}

impl CockpitArgs {
    /// `--prometheus`, `--alertmanager`, `--trino`, checked.
    pub(crate) fn platform_flags(&self) -> Result<crate::config::PlatformFlags, String> {
        let parse = |flag: &str, value: &Option<String>| {
            value
                .as_deref()
                .map(crate::config::platform::EndpointConfig::parse)
                .transpose()
                .map_err(|e| format!("--{flag}: {e}"))
        };
        Ok(crate::config::PlatformFlags {
            prometheus: parse("prometheus", &self.prometheus)?,
            alertmanager: parse("alertmanager", &self.alertmanager)?,
            trino: parse("trino", &self.trino)?,
        })
    }

    /// The connection settings of a headless command (`runbook …`).
    pub fn session_options(&self) -> Result<crate::session::SessionOptions, String> {
        Ok(crate::session::SessionOptions {
            kubeconfig: self.kubeconfig.clone(),
            context: self.context.clone(),
            config: self.config.clone(),
            readonly: self.readonly,
            data_dir: self.data_dir.clone(),
            flags: self.platform_flags()?,
        })
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The cockpit against a simulated lakehouse started in-process (no cluster needed)
    Demo(DemoArgs),
    /// Serve the simulated lakehouse cluster over a real Kubernetes API (for kubectl, tests and demos)
    Lab(LabArgs),
    /// Runbooks: list, show, run (headless), resume, cleanup, report
    Runbook(crate::runbook_cli::RunbookArgs),
    /// Print the audit log of every write (and dry run, and refusal) lakedeck made
    Audit(AuditArgs),
}

#[derive(Debug, clap::Args)]
pub struct AuditArgs {
    /// Only records newer than this: a duration back from now (30m, 2h, 7d) or a time
    /// (2026-11-21T10:00:00Z)
    #[arg(long, value_name = "WHEN")]
    pub since: Option<String>,
    /// Only records older than this (same forms as --since)
    #[arg(long, value_name = "WHEN")]
    pub until: Option<String>,
    /// Only this operation (scale, rollout-restart, drain, restore, rotate-secret, …)
    #[arg(long)]
    pub op: Option<String>,
    /// Only targets containing this text (e.g. trino-worker, node compute-1)
    #[arg(long)]
    pub target: Option<String>,
    /// Only records of this runbook run
    #[arg(long)]
    pub run: Option<String>,
    /// Print the matching records as JSON lines instead of a table
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Built-in scenario name (seed, node-failure) or path to a scenario YAML file
    #[arg(long, default_value = "seed")]
    pub scenario: String,
    /// Simulated time runs F times faster than the wall clock
    #[arg(long, default_value_t = 1.0)]
    pub speed: f64,
}

#[derive(Debug, clap::Args)]
pub struct LabArgs {
    /// Address to listen on (loopback only unless --allow-remote); port 0 picks a free port
    #[arg(long, default_value = "127.0.0.1:6443")]
    pub listen: SocketAddr,
    /// Allow a non-loopback --listen address (the lab serves HTTPS with a CA made at start,
    /// but anyone who can reach it and read its kubeconfig is cluster admin)
    #[arg(long)]
    pub allow_remote: bool,
    /// Built-in scenario name (seed, node-failure) or path to a scenario YAML file
    #[arg(long, default_value = "seed")]
    pub scenario: String,
    /// Add N more pods (in scale-NNN namespaces, ~50 per extra node) for scale tests
    #[arg(long, default_value_t = 0)]
    pub pods: usize,
    /// Simulated time runs F times faster than the wall clock
    #[arg(long, default_value_t = 1.0)]
    pub speed: f64,
    /// Where to write the kubeconfig (contexts lakedeck-lab, lakedeck-lab-viewer and
    /// lakedeck-lab-team); lakedeck.yaml and the CA go beside it
    #[arg(long)]
    pub write_kubeconfig: Option<PathBuf>,
    /// Watch events kept for resuming watches; older resumes get 410 Expired
    #[arg(long, default_value_t = lab::DEFAULT_HISTORY)]
    pub watch_history: usize,
    /// Start simulated time here instead of now (RFC 3339, e.g. 2030-12-31T23:59:00Z):
    /// the seed's ages, last night's backups and every timestamp follow it
    #[arg(long, value_name = "TIME", value_parser = parse_start_time)]
    pub start_time: Option<jiff::Timestamp>,
}

fn parse_start_time(value: &str) -> Result<jiff::Timestamp, String> {
    value.parse::<jiff::Timestamp>().map_err(|e| {
        format!("{e}: give an RFC 3339 time with its offset, like 2030-12-31T23:59:00Z")
    })
}

/// Runs the parsed command; returns the process exit code.
pub async fn run(cli: Cli) -> i32 {
    match cli.command {
        Some(Command::Lab(args)) => run_lab(args).await,
        Some(Command::Runbook(args)) => {
            crate::logging::init();
            crate::runbook_cli::run(args, &cli.cockpit).await
        }
        Some(Command::Audit(args)) => run_audit(&args, &cli.cockpit),
        Some(Command::Demo(args)) => {
            crate::logging::init();
            run_demo(args, cli.cockpit).await
        }
        None => {
            crate::logging::init();
            run_cockpit(cli.cockpit).await
        }
    }
}

/// Config and theme, or the exit code after saying what is wrong with them.
fn look(args: &CockpitArgs) -> Result<(crate::config::Config, crate::theme::Theme), i32> {
    let actions: Vec<&str> = crate::app::action::BINDABLE
        .iter()
        .map(|(name, _)| *name)
        .collect();
    let (config, _) =
        crate::config::Config::load_checking_actions(args.config.as_deref(), &actions).map_err(
            |e| {
                eprintln!("lakedeck: {e}");
                2
            },
        )?;
    let no_color = crate::theme::Theme::no_color_from_env();
    let requested = args.theme.clone().unwrap_or_else(|| config.theme.clone());
    let theme = crate::theme::Theme::load(&requested, no_color).map_err(|e| {
        eprintln!("lakedeck: {e}");
        2
    })?;
    Ok((config, theme))
}

async fn run_cockpit(args: CockpitArgs) -> i32 {
    let (mut config, theme) = match look(&args) {
        Ok(v) => v,
        Err(code) => return code,
    };
    let mut notices = Vec::new();
    match lab_config(&args, &mut config) {
        Ok(Some(path)) => notices.push(format!(
            "platform endpoints from {} (written by lakedeck lab beside the kubeconfig)",
            path.display()
        )),
        Ok(None) => {}
        Err(e) => {
            eprintln!("lakedeck: {e}");
            return 2;
        }
    }
    let flags = match args.platform_flags() {
        Ok(f) => f,
        Err(e) => {
            eprintln!("lakedeck: {e}");
            return 2;
        }
    };
    let target =
        match crate::cockpit::connect(args.kubeconfig.as_ref(), args.context.as_deref()).await {
            Ok(t) => t,
            Err(e) => {
                eprintln!("lakedeck: {e}");
                return 1;
            }
        };
    let per_context = config.context(&target.connection.context);
    // Prove the connection before taking over the terminal: errors belong on the normal
    // screen. A 403 is an answer: the start falls back to a namespace the user may read.
    let wanted = match (&args.namespace, args.all_namespaces) {
        (_, true) => startup::Wanted::All,
        (Some(ns), false) => startup::Wanted::Namespace(ns.clone()),
        (None, false) => startup::Wanted::Default,
    };
    let candidates = startup::candidates(
        per_context.namespace.as_deref(),
        Some(target.default_namespace.as_str()),
        &config.favourites,
    );
    let chosen = match startup::choose_scope(&target.client, &wanted, &candidates).await {
        Ok(c) => c,
        Err(refusal) => {
            let (server, context) = (&target.connection.server, &target.connection.context);
            match refusal {
                startup::Refusal::Unreachable(why) => eprintln!(
                    "lakedeck: cannot reach the Kubernetes API at {server} (context {context}): {why} — check the cluster is up and your kubeconfig, or try `lakedeck demo`"
                ),
                startup::Refusal::Unauthenticated(why) => eprintln!(
                    "lakedeck: the Kubernetes API at {server} (context {context}) does not accept your credentials: {why} — refresh the token or certificate in your kubeconfig"
                ),
            }
            return 1;
        }
    };
    notices.extend(chosen.notice.clone());
    let readonly = args.readonly || per_context.readonly.unwrap_or(false);
    let data_dir = match crate::audit::data_dir(args.data_dir.as_deref()) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("lakedeck: {e}");
            return 2;
        }
    };
    let start = crate::cockpit::Start {
        scope: chosen.scope,
        scope_note: chosen.note,
        candidates,
        notices,
    };
    crate::cockpit::run(target, start, readonly, &config, flags, theme, data_dir).await
}

/// Without `--config`, a kubeconfig written by `lakedeck lab` names the lakedeck config
/// it wrote beside itself; that file is layered over the user's config (its contexts'
/// endpoints win). Returns the file used, if any.
fn lab_config(
    args: &CockpitArgs,
    config: &mut crate::config::Config,
) -> Result<Option<PathBuf>, String> {
    if args.config.is_some() {
        return Ok(None);
    }
    let Some(path) = startup::kubeconfig_file(args.kubeconfig.as_deref())
        .and_then(|k| startup::lab_config_beside(&k, args.context.as_deref()))
    else {
        return Ok(None);
    };
    let actions: Vec<&str> = crate::app::action::BINDABLE
        .iter()
        .map(|(name, _)| *name)
        .collect();
    config
        .layer_file(&path, Some(&actions))
        .map_err(|e| e.to_string())?;
    Ok(Some(path))
}

async fn run_demo(args: DemoArgs, cockpit: CockpitArgs) -> i32 {
    let (config, theme) = match look(&cockpit) {
        Ok(v) => v,
        Err(code) => return code,
    };
    let mut flags = match cockpit.platform_flags() {
        Ok(f) => f,
        Err(e) => {
            eprintln!("lakedeck demo: {e}");
            return 2;
        }
    };
    let opts = LabOptions {
        scenario: args.scenario,
        speed: args.speed,
        ..LabOptions::default()
    };
    let lab = match Lab::start(opts).await {
        Ok(lab) => lab,
        Err(e) => {
            eprintln!("lakedeck demo: {e}");
            return match e {
                LabError::Scenario(_) | LabError::NotLoopback(_) | LabError::Speed(_) => 2,
                LabError::Bind { .. } | LabError::Start(_) => 1,
            };
        }
    };
    let dir = std::env::temp_dir().join(format!("lakedeck-demo-{}", std::process::id()));
    let path = dir.join("kubeconfig");
    let ca_path = dir.join("ca.pem");
    let written = std::fs::create_dir_all(&dir)
        .and_then(|()| lab::kubeconfig::write(&path, &lab.url, &lab.ca_pem, &lab.tokens))
        .and_then(|()| std::fs::write(&ca_path, &lab.ca_pem));
    if let Err(e) = written {
        eprintln!(
            "lakedeck demo: cannot write the demo kubeconfig under {}: {e}",
            dir.display()
        );
        return 1;
    }
    let target =
        match crate::cockpit::connect(Some(&path), Some(lab::kubeconfig::ADMIN_CONTEXT)).await {
            Ok(t) => t,
            Err(e) => {
                eprintln!("lakedeck demo: {e}");
                return 1;
            }
        };
    let scope = match cockpit.namespace {
        Some(ns) if !cockpit.all_namespaces => crate::app::Scope::Namespace(ns),
        _ => crate::app::Scope::All,
    };
    // The lab serves Prometheus, Alertmanager and Trino on its own listener; flags
    // given on the command line still win.
    let lab_endpoint = |prefix: &str| {
        let mut e = crate::config::platform::EndpointConfig::from_target(
            crate::config::platform::EndpointTarget::Url(format!("{}/{prefix}", lab.url)),
        );
        e.ca_file = Some(ca_path.clone());
        e.user = Some("lakedeck".into());
        e
    };
    flags.prometheus = flags
        .prometheus
        .or_else(|| Some(lab_endpoint("prometheus")));
    flags.alertmanager = flags
        .alertmanager
        .or_else(|| Some(lab_endpoint("alertmanager")));
    flags.trino = flags.trino.or_else(|| Some(lab_endpoint("trino")));
    // The demo keeps its audit log and runs with the demo unless told otherwise.
    let data_dir = cockpit.data_dir.clone().unwrap_or_else(|| dir.join("data"));
    let start = crate::cockpit::Start {
        scope,
        // After `:ctx lakedeck-lab-team`, where all namespaces are forbidden.
        candidates: startup::candidates(None, None, &config.favourites),
        ..Default::default()
    };
    let code = crate::cockpit::run(
        target,
        start,
        cockpit.readonly,
        &config,
        flags,
        theme,
        data_dir,
    )
    .await;
    lab.shutdown();
    let _ = std::fs::remove_dir_all(&dir);
    code
}

async fn run_lab(args: LabArgs) -> i32 {
    let opts = LabOptions {
        listen: args.listen,
        allow_remote: args.allow_remote,
        scenario: args.scenario,
        extra_pods: args.pods,
        speed: args.speed,
        history: args.watch_history,
        start_time: args.start_time,
    };
    let started = std::time::Instant::now();
    let lab = match Lab::start(opts).await {
        Ok(lab) => lab,
        Err(e) => {
            eprintln!("lakedeck lab: {e}");
            return match e {
                LabError::Scenario(_) | LabError::NotLoopback(_) | LabError::Speed(_) => 2,
                LabError::Bind { .. } | LabError::Start(_) => 1,
            };
        }
    };
    let kubeconfig = args.write_kubeconfig.unwrap_or_else(|| {
        std::env::temp_dir().join(format!("lakedeck-lab-{}.kubeconfig", lab.addr.port()))
    });
    if let Err(e) = lab::kubeconfig::write(&kubeconfig, &lab.url, &lab.ca_pem, &lab.tokens) {
        eprintln!(
            "lakedeck lab: cannot write the kubeconfig to {}: {e} — pass --write-kubeconfig with a writable path",
            kubeconfig.display()
        );
        return 1;
    }
    let pods = lab.store.count(lab::resources::ids::pods());
    println!(
        "lakedeck lab serving {} ({pods} pods, ready in {:.1}s)",
        lab.url,
        started.elapsed().as_secs_f64()
    );
    println!("kubeconfig: {}", kubeconfig.display());
    println!("  export KUBECONFIG={}", kubeconfig.display());
    println!(
        "  contexts: {} (admin), {} (read-only viewer), {} (team: namespaces {} only)",
        lab::kubeconfig::ADMIN_CONTEXT,
        lab::kubeconfig::VIEWER_CONTEXT,
        lab::kubeconfig::TEAM_CONTEXT,
        lab::server::TEAM_NAMESPACES.join(" and ")
    );
    let kubeconfig = std::path::absolute(&kubeconfig).unwrap_or(kubeconfig);
    let config = kubeconfig
        .parent()
        .unwrap_or(std::path::Path::new("."))
        .join(lab::kubeconfig::CONFIG_FILE);
    let exe =
        std::env::current_exe().map_or_else(|_| "lakedeck".into(), |p| p.display().to_string());
    println!(
        "cockpit: {} --kubeconfig {} --config {}",
        shell_word(&exe),
        shell_word(&kubeconfig.display().to_string()),
        shell_word(&config.display().to_string())
    );
    println!(
        "  (--config may be left out: the cockpit finds {} through the lab's mark in this kubeconfig)",
        lab::kubeconfig::CONFIG_FILE
    );
    println!("press Ctrl-C to stop");
    match tokio::signal::ctrl_c().await {
        Ok(()) => {
            lab.shutdown();
            println!("lakedeck lab stopped");
            0
        }
        Err(e) => {
            eprintln!("lakedeck lab: cannot wait for Ctrl-C: {e}");
            lab.shutdown();
            1
        }
    }
}

/// `word` as one POSIX shell word (quoted only when it needs to be).
fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+=:,@".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// `--since 2h` or `--since 2026-11-21T10:00:00Z`.
fn parse_when(flag: &str, value: &str, now: jiff::Timestamp) -> Result<jiff::Timestamp, String> {
    if let Some(back) = crate::model::duration::parse_duration(value) {
        let back = jiff::SignedDuration::try_from(back).map_err(|e| format!("--{flag}: {e}"))?;
        return Ok(now - back);
    }
    value.parse::<jiff::Timestamp>().map_err(|_| {
        format!("--{flag} {value:?}: give a duration back from now (30m, 2h, 7d) or a time like 2026-11-21T10:00:00Z")
    })
}

fn run_audit(args: &AuditArgs, cockpit: &CockpitArgs) -> i32 {
    use crate::audit::{AuditFilter, AuditLog, data_dir, format_line};
    let now = jiff::Timestamp::now();
    let parsed = (|| -> Result<(AuditFilter, std::path::PathBuf), String> {
        let when = |flag: &str, v: &Option<String>| {
            v.as_deref().map(|v| parse_when(flag, v, now)).transpose()
        };
        let filter = AuditFilter {
            since: when("since", &args.since)?,
            until: when("until", &args.until)?,
            op: args.op.clone(),
            target: args.target.clone(),
            run: args.run.clone(),
        };
        Ok((filter, data_dir(cockpit.data_dir.as_deref())?))
    })();
    let (filter, dir) = match parsed {
        Ok(v) => v,
        Err(e) => {
            eprintln!("lakedeck audit: {e}");
            return 2;
        }
    };
    let log = AuditLog::in_dir(&dir);
    let (records, problems) = match log.read() {
        Ok(v) => v,
        Err(e) => {
            eprintln!("lakedeck audit: {e}");
            return 1;
        }
    };
    for p in &problems {
        eprintln!("lakedeck audit: skipped an unreadable line: {p}");
    }
    if records.is_empty() {
        eprintln!(
            "lakedeck audit: no records yet in {} — every write, dry run and refusal lakedeck makes is recorded there",
            log.path().display()
        );
        return 0;
    }
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for r in records.iter().filter(|r| filter.matches(r)) {
        let line = if args.json {
            serde_json::to_string(r).unwrap_or_default()
        } else {
            format_line(r)
        };
        // A closed pipe (`| head`) ends the listing quietly.
        if std::io::Write::write_all(&mut out, format!("{line}\n").as_bytes()).is_err() {
            return 0;
        }
    }
    let _ = std::io::Write::flush(&mut out);
    0
}
