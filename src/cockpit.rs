//! The cockpit's runtime: connects (kubeconfig rules, or the in-process lab for
//! `demo`), checks the connection before touching the terminal (so a bad kubeconfig or an
//! unreachable server is a plain message and exit code 1), then runs the loop —
//! terminal events, source messages and a 1 s clock feed `app::update`; effects start
//! and stop source tasks, and carry out what the operator confirmed through ops/ (check,
//! preview, execute) and runbook/ (start, answer, note, abort); a frame is drawn only
//! when something changed, no more often than the frame floor. Restarts a source task
//! that died.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossterm::event::{Event, EventStream, KeyEventKind};
use futures_util::StreamExt;
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config as KubeConfig};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::app::dialog::{OpPreview, OpRefusal};
use crate::app::keymap::Keymap;
use crate::app::runs::{ParamInfo, RunbookInfo};
use crate::app::{self, AppState, Connection, Effect, Msg, Scope, SourceId, View};
use crate::audit::AuditLog;
use crate::config::{Config, PlatformFlags};
use crate::endpoints::Platform;
use crate::endpoints::http::ProxyAccess;
use crate::ops::{Op, OpError, Ops};
use crate::runbook::{self, Answer, Catalog, RunContext, RunEvent, RunHandle};
use crate::sources;
use crate::terminal::Tui;
use crate::theme::Theme;

/// Where the cockpit connects and how it looks.
#[derive(Debug, Clone, Default)]
pub struct CockpitOptions {
    pub kubeconfig: Option<PathBuf>,
    pub context: Option<String>,
    pub namespace: Option<String>,
    pub all_namespaces: bool,
    pub readonly: bool,
    pub config: Option<PathBuf>,
    pub theme: Option<String>,
}

/// What the cockpit starts with, decided before the terminal is taken over
/// ([`crate::startup`]).
#[derive(Debug, Clone)]
pub struct Start {
    pub scope: Scope,
    /// Beside the namespace in the header (e.g. "all namespaces forbidden").
    pub scope_note: Option<String>,
    /// The namespaces to fall back to, in order, when all namespaces are forbidden
    /// (also after `:ctx`).
    pub candidates: Vec<String>,
    /// Footer messages for the start (the first one shows).
    pub notices: Vec<String>,
}

impl Default for Start {
    fn default() -> Self {
        Start {
            scope: Scope::All,
            scope_note: None,
            candidates: Vec::new(),
            notices: Vec::new(),
        }
    }
}

/// A ready connection: the client plus what the header shows.
pub struct Target {
    pub client: Client,
    pub connection: Connection,
    pub default_namespace: String,
    pub kubeconfig: Option<Kubeconfig>,
    /// The file it came from, so `:ctx` switches within the same file.
    pub kubeconfig_path: Option<PathBuf>,
    /// The kubeconfig credentials, for `service:` platform endpoints.
    pub proxy: ProxyAccess,
}

/// Builds a client the way kubectl would (explicit file, KUBECONFIG, ~/.kube/config,
/// in-cluster), with kube-rs's silent retries off so outages show as outages.
pub async fn connect(
    kubeconfig: Option<&PathBuf>,
    context: Option<&str>,
) -> Result<Target, String> {
    let options = KubeConfigOptions {
        context: context.map(str::to_string),
        ..Default::default()
    };
    let (mut config, file) = match kubeconfig {
        Some(path) => {
            if !path.exists() {
                return Err(format!(
                    "kubeconfig {} does not exist — pass an existing file with --kubeconfig, or leave it out to use KUBECONFIG / ~/.kube/config (`lakedeck demo` needs none)",
                    path.display()
                ));
            }
            let kc = Kubeconfig::read_from(path).map_err(|e| {
                format!("cannot read kubeconfig {}: {e} — fix the file or pass another with --kubeconfig", path.display())
            })?;
            check_context(&kc, context, &path.display().to_string())?;
            let c = KubeConfig::from_custom_kubeconfig(kc.clone(), &options)
                .await
                .map_err(|e| format!("kubeconfig {}: {e}", path.display()))?;
            (c, Some(kc))
        }
        None => match Kubeconfig::read() {
            Ok(kc) => {
                check_context(&kc, context, "from KUBECONFIG or ~/.kube/config")?;
                let c = KubeConfig::from_custom_kubeconfig(kc.clone(), &options)
                    .await
                    .map_err(|e| format!("kubeconfig: {e}"))?;
                (c, Some(kc))
            }
            Err(read_err) => match KubeConfig::incluster() {
                Ok(c) => (c, None),
                Err(_) => {
                    return Err(format!(
                        "no kubeconfig found ({read_err}) and not running in a cluster — set KUBECONFIG, pass --kubeconfig, or try `lakedeck demo`"
                    ));
                }
            },
        },
    };
    config.default_retry = false;
    let context_name = context
        .map(str::to_string)
        .or_else(|| file.as_ref().and_then(|k| k.current_context.clone()))
        .unwrap_or_else(|| "in-cluster".into());
    let server = config.cluster_url.to_string();
    if let Some(what) = sendable_credentials(&config.auth_info)
        && crate::endpoints::http::is_cleartext_remote(&server)
    {
        return Err(crate::endpoints::http::cleartext_refusal(
            &format!("the {what} of context {context_name}"),
            &server,
        ));
    }
    let connection = Connection {
        context: context_name,
        server,
        user: None,
        readonly: false,
    };
    let default_namespace = config.default_namespace.clone();
    let proxy = ProxyAccess::from_kube_config(&config);
    let client = Client::try_from(config).map_err(|e| format!("cannot build a client: {e}"))?;
    Ok(Target {
        client,
        connection,
        default_namespace,
        kubeconfig: file,
        kubeconfig_path: kubeconfig.cloned(),
        proxy,
    })
}

/// An unknown `--context` (or `:ctx`) names the ones the kubeconfig has, like kubectl's
/// `kubectl config get-contexts` would show them.
fn check_context(kc: &Kubeconfig, context: Option<&str>, file: &str) -> Result<(), String> {
    let Some(wanted) = context else {
        return Ok(());
    };
    if kc.contexts.iter().any(|c| c.name == wanted) {
        return Ok(());
    }
    let names: Vec<&str> = kc.contexts.iter().map(|c| c.name.as_str()).collect();
    Err(if names.is_empty() {
        format!("no context {wanted:?} in the kubeconfig {file}: it has no contexts at all")
    } else {
        format!(
            "no context {wanted:?} in the kubeconfig {file}; it has: {} — pass one of them with --context",
            names.join(", ")
        )
    })
}

/// What of the kubeconfig user's credentials would travel in a request header (a client
/// certificate cannot: without TLS there is no handshake to present it in).
fn sendable_credentials(auth: &kube::config::AuthInfo) -> Option<&'static str> {
    if auth.token.is_some() || auth.token_file.is_some() {
        Some("bearer token")
    } else if auth.password.is_some() {
        Some("password")
    } else if auth.exec.is_some() || auth.auth_provider.is_some() {
        Some("token from its credential plugin")
    } else {
        None
    }
}

/// The kubeconfig user entry `context` authenticates with, for the audit log's
/// `kubeconfig_user` (None in-cluster or when the context names none).
pub fn kubeconfig_user(kubeconfig: Option<&Kubeconfig>, context: &str) -> Option<String> {
    kubeconfig?
        .contexts
        .iter()
        .find(|c| c.name == context)?
        .context
        .as_ref()?
        .user
        .clone()
}

struct Tasks {
    client: Client,
    tx: mpsc::Sender<Msg>,
    scope: Scope,
    /// The current context's platform endpoints (MinIO … Alerts panes).
    platform: Platform,
    running: HashMap<&'static str, JoinHandle<()>>,
}

impl Tasks {
    fn start(&mut self, name: &'static str) {
        let c = self.client.clone();
        let tx = self.tx.clone();
        let handle = match name {
            "pods" => sources::watch_pods(c, self.scope.clone(), tx),
            "nodes" => sources::watch_nodes(c, tx),
            "metrics" => sources::poll_metrics(c, self.scope.clone(), tx),
            "identity" => sources::identify(c, tx),
            platform => match sources::platform::spawn(platform, self.platform.clone(), tx) {
                Some(handle) => handle,
                None => return,
            },
        };
        if let Some(old) = self.running.insert(name, handle) {
            old.abort();
        }
    }

    fn start_all(&mut self) {
        for name in ["pods", "nodes", "metrics", "identity"] {
            self.start(name);
        }
        for name in sources::platform::TASKS {
            self.start(name);
        }
    }

    /// Restarts watchers that died (a panic in a task must not end the cockpit).
    async fn supervise(&mut self) {
        let dead: Vec<&'static str> = self
            .running
            .iter()
            .filter(|(name, h)| **name != "identity" && h.is_finished())
            .map(|(n, _)| *n)
            .collect();
        for name in dead {
            let _ = self
                .tx
                .send(Msg::TaskFailed(format!(
                    "the {name} source stopped unexpectedly"
                )))
                .await;
            self.start(name);
        }
    }

    fn stop_all(&mut self) {
        for (_, h) in self.running.drain() {
            h.abort();
        }
    }
}

/// The default keymap with the config's `keys:` applied.
pub fn keymap_from(config: &Config) -> Result<Keymap, String> {
    use crate::config::KeyCodeName as K;
    use crossterm::event::{KeyCode, KeyModifiers};
    let overrides = config.key_overrides()?;
    let mapped = overrides.into_iter().map(|(name, specs)| {
        let keys = specs
            .into_iter()
            .map(|k| {
                let code = match k.code {
                    K::Char(c) => KeyCode::Char(c),
                    K::Up => KeyCode::Up,
                    K::Down => KeyCode::Down,
                    K::Left => KeyCode::Left,
                    K::Right => KeyCode::Right,
                    K::PageUp => KeyCode::PageUp,
                    K::PageDown => KeyCode::PageDown,
                    K::Home => KeyCode::Home,
                    K::End => KeyCode::End,
                    K::Enter => KeyCode::Enter,
                    K::Esc => KeyCode::Esc,
                    K::Tab => KeyCode::Tab,
                    K::BackTab => KeyCode::BackTab,
                    K::Backspace => KeyCode::Backspace,
                    K::Delete => KeyCode::Delete,
                    K::F(n) => KeyCode::F(n),
                };
                let mut m = KeyModifiers::NONE;
                m.set(KeyModifiers::CONTROL, k.ctrl);
                m.set(KeyModifiers::ALT, k.alt);
                m.set(KeyModifiers::SHIFT, k.shift);
                (code, m)
            })
            .collect();
        (name, keys)
    });
    Keymap::default().with_overrides(mapped)
}

/// The poller that shows `source`, if it is a platform feed.
fn platform_task(source: SourceId) -> Option<&'static str> {
    Some(match source {
        SourceId::Minio => "minio",
        SourceId::Trino => "trino",
        SourceId::Kafka => "kafka",
        SourceId::Velero => "velero",
        SourceId::Alerts => "alerts",
        _ => return None,
    })
}

/// Ops::preview: its gate refuses (read-only, RBAC, API unavailable) and audits the
/// refusal exactly as for a headless run, else the server's dry run; answers
/// `Msg::OpPrepared`.
async fn prepare_op(ops: Arc<Ops>, id: u64, op: Op, tx: mpsc::Sender<Msg>) {
    let result = match ops.preview(&op).await {
        Ok(p) => Ok(OpPreview {
            summary: op.summary(),
            lines: p.lines,
            confirmation: p.confirmation,
        }),
        Err(OpError::ReadOnly(why)) => Err(OpRefusal::ReadOnly(why)),
        Err(OpError::Forbidden(why)) => Err(OpRefusal::Forbidden(why)),
        Err(e) => Err(OpRefusal::Failed(e.to_string())),
    };
    let _ = tx.send(Msg::OpPrepared { id, result }).await;
}

/// Ops::execute (audited before and after); answers `Msg::OpDone`.
async fn execute_op(ops: Arc<Ops>, id: u64, op: Op, tx: mpsc::Sender<Msg>) {
    let result = ops
        .execute(&op, None)
        .await
        .map(|o| o.summary)
        .map_err(|e| e.to_string());
    let _ = tx.send(Msg::OpDone { id, result }).await;
}

/// The cockpit's side of the active run: where answers, notes and the abort go.
struct RunControl {
    answers: mpsc::Sender<Answer>,
    notes: mpsc::Sender<String>,
    abort: runbook::AbortHandle,
}

fn run_context(ops: &Arc<Ops>, tasks: &Tasks, data_dir: &std::path::Path) -> RunContext {
    RunContext {
        ops: ops.clone(),
        prometheus: tasks.platform.prometheus().ok().cloned(),
        kube: tasks.client.clone(),
        data_dir: data_dir.to_path_buf(),
        dry_run: false,
    }
}

/// Tells the app whether the run started and forwards its events as messages.
async fn follow_run(
    started: Result<RunHandle, String>,
    tx: &mpsc::Sender<Msg>,
) -> Option<RunControl> {
    match started {
        Ok(handle) => {
            let _ = tx.send(Msg::RunStarted(Ok(handle.id.clone()))).await;
            let RunHandle {
                mut events,
                answers,
                notes,
                abort,
                ..
            } = handle;
            let tx = tx.clone();
            tokio::spawn(async move {
                while let Some(ev) = events.recv().await {
                    let msg = match ev {
                        RunEvent::State(s) => Msg::RunState(s),
                        RunEvent::Ask(q) => Msg::RunAsk(q),
                        RunEvent::Finished(s) => Msg::RunFinished(s),
                    };
                    if tx.send(msg).await.is_err() {
                        return;
                    }
                }
            });
            Some(RunControl {
                answers,
                notes,
                abort,
            })
        }
        Err(e) => {
            let _ = tx.send(Msg::RunStarted(Err(e))).await;
            None
        }
    }
}

/// The catalog as the runbook views show it.
pub fn runbook_infos(catalog: &Catalog) -> Vec<RunbookInfo> {
    catalog
        .list()
        .iter()
        .map(|rb| RunbookInfo {
            name: rb.name.clone(),
            title: rb.title.clone(),
            summary: rb.summary.clone(),
            alerts: rb.alerts.clone(),
            aliases: rb.aliases.clone(),
            params: rb
                .params
                .iter()
                .map(|p| ParamInfo {
                    name: p.name.clone(),
                    help: p.help.clone(),
                    default: p.default.clone(),
                })
                .collect(),
            steps: rb
                .steps
                .iter()
                .map(|st| (st, ""))
                .chain(rb.finally.iter().map(|st| (st, "finally: ")))
                .map(|(st, prefix)| {
                    let title = st.title.as_ref().map_or(st.id.as_str(), |t| t.src.as_str());
                    format!("{prefix}{title} ({})", st.kind_name())
                })
                .collect(),
        })
        .collect()
}

/// Runs the cockpit against `target` until the user quits; returns the exit code.
/// `data_dir` holds the audit log, runbook runs and reports.
pub async fn run(
    target: Target,
    start: Start,
    readonly: bool,
    config: &Config,
    flags: PlatformFlags,
    theme: Theme,
    data_dir: PathBuf,
) -> i32 {
    let mut connection = target.connection.clone();
    connection.readonly = readonly;
    let keymap = match keymap_from(config) {
        Ok(k) => k,
        Err(e) => {
            eprintln!("lakedeck: {e}");
            return 2;
        }
    };
    let Start {
        scope,
        scope_note,
        candidates,
        notices,
    } = start;
    let mut state = AppState::new(
        connection,
        scope.clone(),
        keymap,
        config.favourites.clone(),
        config.log_buffer_lines,
    );
    state.scope_note = scope_note;
    let (tx, mut rx) = mpsc::channel::<Msg>(4096);
    let platform_for = |context: &str, proxy: &ProxyAccess, client: &Client| {
        Platform::new(
            config.platform_for(context, flags.clone()),
            context,
            proxy,
            client.clone(),
        )
    };
    let mut tasks = Tasks {
        client: target.client.clone(),
        tx: tx.clone(),
        scope,
        platform: platform_for(&target.connection.context, &target.proxy, &target.client),
        running: HashMap::new(),
    };
    let mut kubeconfig = target.kubeconfig;
    let kubeconfig_path = target.kubeconfig_path;
    // The write gate: read-only, RBAC pre-check, dry-run preview, audit.
    let mut ops = Arc::new(
        Ops::new(&tasks.platform, readonly, AuditLog::in_dir(&data_dir)).with_kubeconfig_user(
            kubeconfig_user(kubeconfig.as_ref(), &target.connection.context),
        ),
    );
    // Before any task runs: a task's panic is logged, never printed over the screen.
    crate::terminal::install_panic_hook();
    tasks.start_all();
    let mut logs: Option<JoinHandle<()>> = None;
    // Runbooks: the catalog (a bad user file is reported, the rest still load), the runs
    // a dead process left behind, and the run this cockpit drives.
    let (catalog, problems) = Catalog::load_lenient(runbook::default_user_dir().as_deref());
    let _ = tx.send(Msg::Runbooks(Ok(runbook_infos(&catalog)))).await;
    if let Some(first) = problems.first() {
        let _ = tx
            .send(Msg::Notice(format!(
                "runbooks: {} file(s) skipped — {first}",
                problems.len()
            )))
            .await;
    }
    for notice in notices {
        let _ = tx.send(Msg::Notice(notice)).await;
    }
    let _ = tx
        .send(Msg::Interrupted(runbook::interrupted(&data_dir)))
        .await;
    {
        let (client, tx) = (tasks.client.clone(), tx.clone());
        tokio::spawn(async move {
            if let Ok(found) = crate::ops::drill_namespaces(&client).await {
                let _ = tx.send(Msg::DrillNamespaces(found)).await;
            }
        });
    }
    let mut run: Option<RunControl> = None;

    let mut tui = match Tui::enter() {
        Ok(t) => t,
        Err(e) => {
            eprintln!("lakedeck: cannot take over the terminal: {e}");
            return 1;
        }
    };
    if let Ok(size) = tui.terminal.size() {
        state.size = (size.width, size.height);
    }
    let floor = Duration::from_millis(config.frame_ms.max(10));
    let mut last_draw: Option<Instant> = None;
    let mut events = EventStream::new();
    let hangup = crate::terminal::watch_hangup();
    let mut clock = tokio::time::interval(Duration::from_secs(1));
    clock.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        if state.dirty {
            let due = last_draw.is_none_or(|t| t.elapsed() >= floor);
            if due {
                state.prepare();
                if let Err(e) = tui.draw(|f| crate::ui::draw(&state, &theme, f)) {
                    drop(tui);
                    eprintln!("lakedeck: cannot draw: {e}");
                    return 1;
                }
                state.dirty = false;
                last_draw = Some(Instant::now());
            }
        }
        let wait = last_draw.map_or(Duration::ZERO, |t| floor.saturating_sub(t.elapsed()));
        let mut msgs = Vec::new();
        tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(Event::Key(k))) if k.kind == KeyEventKind::Press => msgs.push(Msg::Key(k)),
                Some(Ok(Event::Resize(w, h))) => msgs.push(Msg::Resize(w, h)),
                Some(Ok(_)) => {}
                Some(Err(_)) | None => break,
            },
            // The terminal is gone: nothing can be shown or typed any more.
            () = hangup.notified() => break,
            Some(m) = rx.recv() => {
                msgs.push(m);
                // Coalesce a burst (a re-list, a log flood) into one frame.
                while msgs.len() < 2000 {
                    match rx.try_recv() {
                        Ok(m) => msgs.push(m),
                        Err(_) => break,
                    }
                }
            }
            _ = clock.tick() => {
                msgs.push(Msg::Tick(jiff::Timestamp::now()));
                tasks.supervise().await;
            }
            _ = tokio::time::sleep(wait), if state.dirty => {}
        }
        for msg in msgs {
            for effect in app::update(&mut state, msg) {
                match effect {
                    Effect::Quit => {
                        tasks.stop_all();
                        if let Some(h) = logs.take() {
                            h.abort();
                        }
                        drop(tui);
                        return 0;
                    }
                    Effect::WatchPods(scope) => {
                        tasks.scope = scope;
                        tasks.start("pods");
                        tasks.start("metrics");
                    }
                    Effect::FetchDescribe(target) | Effect::FetchYaml(target) => {
                        let yaml = matches!(state.view(), View::Detail { title, .. } if title.starts_with("yaml"));
                        if let View::Detail { title, .. } = state.view() {
                            sources::fetch_detail(
                                tasks.client.clone(),
                                target,
                                yaml,
                                title.clone(),
                                tx.clone(),
                            );
                        }
                    }
                    Effect::StreamLogs(req) => {
                        if let Some(h) = logs.replace(sources::stream_logs(
                            tasks.client.clone(),
                            req,
                            tx.clone(),
                        )) {
                            h.abort();
                        }
                    }
                    Effect::StopLogs => {
                        if let Some(h) = logs.take() {
                            h.abort();
                        }
                    }
                    Effect::ListContexts => {
                        let names = kubeconfig
                            .as_ref()
                            .map(|k| k.contexts.iter().map(|c| c.name.clone()).collect())
                            .unwrap_or_default();
                        let _ = tx.send(Msg::Contexts(names)).await;
                    }
                    Effect::FetchTrinoQuery(id) => {
                        tokio::spawn(sources::platform::fetch_query(
                            tasks.platform.clone(),
                            id,
                            tx.clone(),
                        ));
                    }
                    Effect::PrepareOp { id, op } => {
                        tokio::spawn(prepare_op(ops.clone(), id, op, tx.clone()));
                    }
                    Effect::CheckWrites(asks) => {
                        let (ops, tx) = (ops.clone(), tx.clone());
                        tokio::spawn(async move {
                            let mut answers = Vec::with_capacity(asks.len());
                            for (action, namespace, op) in asks {
                                let allowed = ops.check(&op).await.is_allowed();
                                answers.push((action, namespace, allowed));
                            }
                            let _ = tx.send(Msg::WritesChecked(answers)).await;
                        });
                    }
                    Effect::ExecuteOp { id, op } => {
                        tokio::spawn(execute_op(ops.clone(), id, op, tx.clone()));
                    }
                    Effect::Refresh(source) => {
                        if let Some(name) = platform_task(source) {
                            tasks.start(name);
                        }
                    }
                    Effect::StartRunbook { name, params } => {
                        let ctx = run_context(&ops, &tasks, &data_dir);
                        let started = match catalog.get(&name) {
                            Some(rb) => runbook::start(rb, params, ctx).map_err(|e| e.to_string()),
                            None => Err(format!("no runbook {name}")),
                        };
                        run = follow_run(started, &tx).await;
                    }
                    Effect::ResumeRun(id) => {
                        let ctx = run_context(&ops, &tasks, &data_dir);
                        let started = runbook::resume(&id, ctx).map_err(|e| e.to_string());
                        run = follow_run(started, &tx).await;
                    }
                    Effect::CleanupRun(id) => {
                        let ctx = run_context(&ops, &tasks, &data_dir);
                        let started = runbook::cleanup(&id, ctx).map_err(|e| e.to_string());
                        run = follow_run(started, &tx).await;
                    }
                    Effect::AnswerRun(answer) => {
                        if let Some(r) = &run {
                            let _ = r.answers.send(answer).await;
                        }
                    }
                    Effect::RunNote(text) => {
                        if let Some(r) = &run {
                            let _ = r.notes.send(text).await;
                        }
                    }
                    Effect::AbortRun => {
                        if let Some(r) = &run {
                            r.abort.abort();
                        }
                    }
                    Effect::LoadReport { run: id, path } => {
                        let tx = tx.clone();
                        tokio::task::spawn_blocking(move || {
                            let result = std::fs::read_to_string(&path)
                                .map(|t| t.lines().map(str::to_string).collect())
                                .map_err(|e| format!("cannot read {}: {e}", path.display()));
                            let _ = tx.blocking_send(Msg::RunReport { run: id, result });
                        });
                    }
                    Effect::SwitchContext(name)
                        if kubeconfig
                            .as_ref()
                            .is_some_and(|k| !k.contexts.iter().any(|c| c.name == name)) =>
                    {
                        // A mistyped name: show the list to pick from (a footer line
                        // cannot hold every context's name).
                        let names = kubeconfig
                            .as_ref()
                            .map(|k| k.contexts.iter().map(|c| c.name.clone()).collect())
                            .unwrap_or_default();
                        let _ = tx.send(Msg::Contexts(names)).await;
                        let _ = tx
                            .send(Msg::Notice(format!(
                                "no context {name:?} in the kubeconfig — pick one from the list"
                            )))
                            .await;
                    }
                    Effect::SwitchContext(name) => {
                        match connect(kubeconfig_path.as_ref(), Some(&name)).await {
                            Ok(t) => {
                                tasks.stop_all();
                                // All namespaces may be forbidden to the other user:
                                // fall back the way the start does.
                                if state.scope == Scope::All || state.scope_note.is_some() {
                                    // The new context's own namespace comes first.
                                    let own = t.kubeconfig.as_ref().and_then(|k| {
                                        crate::startup::kubeconfig_namespace(k, Some(&name))
                                    });
                                    let tried = crate::startup::candidates(
                                        None,
                                        own.as_deref(),
                                        &candidates,
                                    );
                                    let chosen = crate::startup::choose_scope(
                                        &t.client,
                                        &crate::startup::Wanted::All,
                                        &tried,
                                    )
                                    .await;
                                    if let Ok(chosen) = chosen {
                                        tasks.scope = chosen.scope.clone();
                                        state.scope = chosen.scope;
                                        state.scope_note = chosen.note;
                                        if let Some(n) = chosen.notice {
                                            let _ = tx.send(Msg::Notice(n)).await;
                                        }
                                    }
                                }
                                tasks.platform =
                                    platform_for(&t.connection.context, &t.proxy, &t.client);
                                ops =
                                    Arc::new(
                                        Ops::new(
                                            &tasks.platform,
                                            readonly,
                                            AuditLog::in_dir(&data_dir),
                                        )
                                        .with_kubeconfig_user(kubeconfig_user(
                                            t.kubeconfig.as_ref(),
                                            &t.connection.context,
                                        )),
                                    );
                                tasks.client = t.client;
                                kubeconfig = t.kubeconfig;
                                state.connection = Connection {
                                    readonly,
                                    ..t.connection
                                };
                                state.writes.clear();
                                state.pods.replace_all(Vec::new());
                                state.nodes.replace_all(Vec::new());
                                state.sources.clear();
                                tasks.start_all();
                            }
                            Err(e) => {
                                let _ = tx
                                    .send(Msg::Notice(format!("cannot switch to {name}: {e}")))
                                    .await;
                            }
                        }
                        state.dirty = true;
                    }
                }
            }
        }
    }
    tasks.stop_all();
    drop(tui);
    0
}
