//! `lakedeck runbook list|show|run|resume|cleanup|report`: the headless front end of
//! the engine. Questions go to stderr and answers come from stdin (`--yes` answers
//! them, typing the name where one is asked for, but never gets past read-only mode or
//! RBAC); progress lines go to stderr; Ctrl-C aborts (finally steps still run).
//! Exit codes: 0 success, 1 failure, 2 bad usage (unknown runbook or parameter, the
//! asked-for runbook's file does not load, a run another process holds). Other bad
//! runbook files are skipped with a warning.
//!
//! Owns only the terminal side; running is the engine's.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use clap::Subcommand;
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::cli::CockpitArgs;
use crate::ops::Confirmation;
use crate::runbook::state::{RunState, RunStatus, StepOutcome};
use crate::runbook::{
    Answer, Catalog, Question, RunContext, RunEvent, RunHandle, RunbookError, params,
};

#[derive(Debug, clap::Args)]
pub struct RunbookArgs {
    #[command(subcommand)]
    pub command: RunbookCommand,
    /// Your runbooks directory (default: <config dir>/runbooks, e.g. ~/.config/lakedeck/runbooks)
    #[arg(long, global = true, value_name = "DIR")]
    pub runbook_dir: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum RunbookCommand {
    /// The runbooks (shipped and yours) and any interrupted runs
    List,
    /// A runbook's parameters and steps
    Show { name: String },
    /// Run a runbook against the current context
    Run {
        name: String,
        /// NAME=VALUE (repeatable)
        #[arg(long = "param", short = 'p', value_name = "NAME=VALUE")]
        params: Vec<String>,
        /// Preview every op (server-side dry run); change nothing
        #[arg(long)]
        dry_run: bool,
        /// Answer every question yes (read-only mode and RBAC still refuse)
        #[arg(long, short = 'y')]
        yes: bool,
    },
    /// Continue an interrupted run from the step that was running
    Resume {
        run: String,
        #[arg(long, short = 'y')]
        yes: bool,
    },
    /// Run only the finally (cleanup) steps of an interrupted run
    Cleanup {
        run: String,
        #[arg(long, short = 'y')]
        yes: bool,
    },
    /// Print a run's report (Markdown)
    Report { run: String },
}

fn fail(e: &RunbookError) -> i32 {
    eprintln!("lakedeck runbook: {e}");
    match e {
        RunbookError::Io(_) => 1,
        _ => 2,
    }
}

pub async fn run(args: RunbookArgs, common: &CockpitArgs) -> i32 {
    let user_dir = args
        .runbook_dir
        .clone()
        .or_else(crate::runbook::default_user_dir);
    // A file that does not load is skipped with a located warning, like the cockpit
    // does; only asking for that very runbook fails (with the same location).
    let (catalog, problems) = Catalog::load_lenient(user_dir.as_deref());
    let asked = match &args.command {
        RunbookCommand::Show { name } | RunbookCommand::Run { name, .. } => {
            catalog.require(name).err().map(|e| e.to_string())
        }
        _ => None,
    };
    for p in problems.iter().map(ToString::to_string) {
        if asked.as_deref() != Some(p.as_str()) {
            eprintln!("lakedeck runbook: warning: skipped a runbook file that does not load: {p}");
        }
    }
    let data_dir = match crate::audit::data_dir(common.data_dir.as_deref()) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("lakedeck runbook: {e}");
            return 2;
        }
    };
    let cleanup = matches!(args.command, RunbookCommand::Cleanup { .. });
    match args.command {
        RunbookCommand::List => list(&catalog, &data_dir),
        RunbookCommand::Show { name } => match catalog.require(&name) {
            Ok(rb) => {
                show(rb);
                0
            }
            Err(e) => fail(&e),
        },
        RunbookCommand::Report { run } => report(&data_dir, &run),
        RunbookCommand::Run {
            name,
            params,
            dry_run,
            yes,
        } => {
            let rb = match catalog.require(&name) {
                Ok(rb) => rb.clone(),
                Err(e) => return fail(&e),
            };
            let given = match params::parse_assignments(&params)
                .and_then(|g| params::check_given(&rb, &g).map(|()| g))
            {
                Ok(g) => g,
                Err(e) => return fail(&e),
            };
            let ctx = match context(common, dry_run).await {
                Ok(c) => c,
                Err(code) => return code,
            };
            match crate::runbook::start(&rb, given, ctx) {
                Ok(h) => drive(h, yes, false).await,
                Err(e) => fail(&e),
            }
        }
        RunbookCommand::Resume { run, yes } | RunbookCommand::Cleanup { run, yes } => {
            // Check the run before connecting, so a typo is a usage error.
            if let Err(e) = crate::runbook::state::load(&data_dir, &run) {
                return fail(&e);
            }
            let ctx = match context(common, false).await {
                Ok(c) => c,
                Err(code) => return code,
            };
            let backend = ctx.backend();
            match crate::runbook::continue_with(&catalog, &run, backend, &data_dir, cleanup) {
                Ok(h) => drive(h, yes, cleanup).await,
                Err(e) => fail(&e),
            }
        }
    }
}

fn list(catalog: &Catalog, data_dir: &std::path::Path) -> i32 {
    let width = catalog
        .list()
        .iter()
        .map(|r| r.name.len())
        .max()
        .unwrap_or(4);
    for rb in catalog.list() {
        let alerts = if rb.alerts.is_empty() {
            String::new()
        } else {
            format!("  [{}]", rb.alerts.join(", "))
        };
        println!("{:width$}  {}{alerts}", rb.name, rb.title);
    }
    let stuck = crate::runbook::interrupted(data_dir);
    if !stuck.is_empty() {
        println!("\ninterrupted runs (lakedeck runbook resume RUN, or cleanup RUN):");
        for s in stuck {
            let at = s
                .resume_at()
                .and_then(|i| s.steps.get(i))
                .map_or("-".into(), |st| st.name.clone());
            println!("  {}  at step: {at}", s.id);
        }
    }
    0
}

fn show(rb: &crate::runbook::Runbook) {
    println!("{} — {}", rb.name, rb.title);
    if !rb.summary.is_empty() {
        println!("\n{}", rb.summary);
    }
    if !rb.alerts.is_empty() {
        println!("\nalerts: {}", rb.alerts.join(", "));
    }
    println!("\nparameters:");
    if rb.params.is_empty() {
        println!("  none");
    }
    for p in &rb.params {
        let mut extra = Vec::new();
        if let Some(d) = &p.default {
            extra.push(format!("default {d}"));
        } else {
            extra.push("required".into());
        }
        if let Some(m) = &p.min {
            extra.push(format!("min {m}"));
        }
        if let Some(m) = &p.max {
            extra.push(format!("max {m}"));
        }
        println!(
            "  {} ({}; {}) {}",
            p.name,
            p.kind.label(),
            extra.join(", "),
            p.help
        );
    }
    println!("\nsteps:");
    for (n, s) in rb.steps.iter().enumerate() {
        println!(
            "  {}. [{}] {}{}",
            n + 1,
            s.kind_name(),
            s.title.as_ref().map_or(s.id.as_str(), |t| t.src.as_str()),
            s.when
                .as_ref()
                .map_or(String::new(), |w| format!("  (when {})", w.src))
        );
    }
    if !rb.finally.is_empty() {
        println!("finally:");
        for s in &rb.finally {
            println!(
                "  - [{}] {}{}",
                s.kind_name(),
                s.title.as_ref().map_or(s.id.as_str(), |t| t.src.as_str()),
                s.when
                    .as_ref()
                    .map_or(String::new(), |w| format!("  (when {})", w.src))
            );
        }
    }
    println!("\nsource: {}", rb.source);
}

fn report(data_dir: &std::path::Path, run: &str) -> i32 {
    let state = match crate::runbook::state::load(data_dir, run) {
        Ok(s) => s,
        Err(e) => return fail(&e),
    };
    let md = crate::runbook::report::reports_dir(data_dir).join(format!("{run}.md"));
    match std::fs::read_to_string(&md) {
        Ok(text) => print!("{text}"),
        // Not finished yet (or interrupted): show what is known so far.
        Err(_) => print!("{}", crate::runbook::report::to_markdown(&state)),
    }
    0
}

/// Connects to the context and builds the run context; Err = exit code.
async fn context(common: &CockpitArgs, dry_run: bool) -> Result<RunContext, i32> {
    let options = common.session_options().map_err(|e| {
        eprintln!("lakedeck runbook: {e}");
        2
    })?;
    let session = crate::session::Session::open(&options).await.map_err(|e| {
        eprintln!("lakedeck runbook: {}", e.message);
        e.code
    })?;
    Ok(RunContext {
        ops: session.ops.clone(),
        prometheus: session.platform.prometheus().ok().cloned(),
        kube: session.target.client.clone(),
        data_dir: session.data_dir.clone(),
        dry_run,
    })
}

/// Prints progress for each step once it ends.
struct Progress {
    printed: BTreeMap<usize, String>,
    started: Instant,
}

impl Progress {
    fn update(&mut self, s: &RunState) {
        let total = s.steps.len();
        for (i, st) in s.steps.iter().enumerate() {
            let key = match &st.state {
                StepOutcome::Pending => continue,
                StepOutcome::Running => "running".to_string(),
                StepOutcome::Waiting => "waiting".to_string(),
                other => other.label(),
            };
            if self.printed.get(&i) == Some(&key) {
                continue;
            }
            self.printed.insert(i, key.clone());
            let tag = format!(
                "[{}/{}]{}",
                i + 1,
                total,
                if st.is_finally { " finally" } else { "" }
            );
            match &st.state {
                StepOutcome::Running | StepOutcome::Pending => {}
                StepOutcome::Waiting => {
                    if let Some(d) = st.detail.last().filter(|d| d.starts_with("waiting")) {
                        eprintln!("{tag} {} … {d}", st.name);
                    }
                }
                done => {
                    let secs = match (st.started, st.ended) {
                        (Some(a), Some(b)) => b.duration_since(a).as_secs_f64(),
                        _ => 0.0,
                    };
                    let what = st
                        .detail
                        .first()
                        .filter(|d| !d.is_empty())
                        .map_or(String::new(), |d| format!(" — {d}"));
                    let outcome = match done {
                        StepOutcome::Done => "done".to_string(),
                        other => other.label(),
                    };
                    eprintln!("{tag} {}{what} … {outcome} ({secs:.1}s)", st.name);
                    for line in st.detail.iter().skip(1).take(6) {
                        eprintln!("        {line}");
                    }
                }
            }
        }
    }
}

/// Runs the engine's conversation to the end; the exit code. A cleanup succeeds when
/// its finally steps did.
async fn drive(mut h: RunHandle, yes: bool, cleanup: bool) -> i32 {
    eprintln!("lakedeck runbook: run {}", h.id);
    let mut progress = Progress {
        printed: BTreeMap::new(),
        started: Instant::now(),
    };
    let mut stdin = BufReader::new(tokio::io::stdin()).lines();
    let mut interrupted = false;
    loop {
        let ev = tokio::select! {
            ev = h.events.recv() => ev,
            _ = tokio::signal::ctrl_c(), if !interrupted => {
                interrupted = true;
                eprintln!("lakedeck runbook: interrupted — stopping; finally steps still run");
                h.abort.abort();
                continue;
            }
        };
        let Some(ev) = ev else { break };
        match ev {
            RunEvent::State(s) => progress.update(&s),
            RunEvent::Ask(q) => {
                let a = ask(&q, yes, &mut stdin).await;
                let _ = h.answers.send(a).await;
            }
            RunEvent::Finished(s) => {
                progress.update(&s);
                let took = progress.started.elapsed().as_secs_f64();
                let report = s
                    .report
                    .as_ref()
                    .map_or("(no report)".into(), |p| p.display().to_string());
                eprintln!(
                    "lakedeck runbook: run {} {} in {took:.1}s; report: {report}",
                    s.id,
                    s.status.label()
                );
                let cleaned = cleanup
                    && s.status == RunStatus::Aborted
                    && !s
                        .steps
                        .iter()
                        .any(|st| st.is_finally && matches!(st.state, StepOutcome::Failed(_)));
                return if s.status == RunStatus::Succeeded || cleaned {
                    0
                } else {
                    1
                };
            }
        }
    }
    match h.task.await {
        Ok(s) if s.status == RunStatus::Succeeded => 0,
        _ => 1,
    }
}

async fn read_line(stdin: &mut tokio::io::Lines<BufReader<tokio::io::Stdin>>) -> Option<String> {
    stdin.next_line().await.ok().flatten()
}

async fn ask(
    q: &Question,
    yes: bool,
    stdin: &mut tokio::io::Lines<BufReader<tokio::io::Stdin>>,
) -> Answer {
    match q {
        Question::Acknowledge { text, .. } => {
            eprintln!("\n{text}");
            if yes {
                eprintln!("(--yes: acknowledged)");
                return Answer::Yes;
            }
            eprint!("Press Enter when done (n to stop): ");
            match read_line(stdin).await {
                Some(l) if l.trim().eq_ignore_ascii_case("n") => Answer::No,
                Some(_) => Answer::Yes,
                None => Answer::No,
            }
        }
        Question::Confirm { text, .. } => {
            if yes {
                eprintln!("{text} (--yes: yes)");
                return Answer::Yes;
            }
            eprint!("{text} [y/N]: ");
            yes_no(read_line(stdin).await)
        }
        Question::ConfirmOp {
            summary,
            preview,
            confirmation,
            ..
        } => {
            eprintln!("about to: {summary}");
            for l in preview {
                eprintln!("    {l}");
            }
            match confirmation {
                Confirmation::TypeName(name) => {
                    if yes {
                        eprintln!("(--yes: typed {name})");
                        return Answer::Typed(name.clone());
                    }
                    eprint!("Type {name} to confirm: ");
                    Answer::Typed(
                        read_line(stdin)
                            .await
                            .unwrap_or_default()
                            .trim()
                            .to_string(),
                    )
                }
                Confirmation::YesNo => {
                    if yes {
                        eprintln!("(--yes: confirmed)");
                        return Answer::Yes;
                    }
                    eprint!("Proceed? [y/N]: ");
                    yes_no(read_line(stdin).await)
                }
            }
        }
    }
}

fn yes_no(line: Option<String>) -> Answer {
    match line.map(|l| l.trim().to_ascii_lowercase()) {
        Some(l) if l == "y" || l == "yes" => Answer::Yes,
        _ => Answer::No,
    }
}
