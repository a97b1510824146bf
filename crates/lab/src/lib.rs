//! The embedded lab: a simulated lakehouse cluster behind a real Kubernetes API over HTTP
//! on loopback (`lakedeck lab`, and in-process for `lakedeck demo` and tests). It is
//! product code, not a test helper, and never imports the cockpit's app or ui.
//!
//! Pieces: `resources` (served kinds), `store` (objects, versions, watch history),
//! `server` (HTTP API), `semantics` (what the API server does on writes), `sim`
//! (controllers, kubelets, scheduler, Velero), `scenario` + `seed` (the starting
//! cluster), `logs`/`usage` (synthetic logs and metrics), `kubeconfig`.

pub mod clock;
pub mod kubeconfig;
pub mod logs;
pub mod platform;
pub mod resources;
pub mod scenario;
pub mod seed;
pub mod selectors;
pub mod semantics;
pub mod server;
pub mod sim;
pub mod status;
pub mod store;
pub mod templates;
pub mod usage;

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;

use clock::SimClock;
use scenario::{Scenario, ScenarioError};
use server::{Ctx, Faults, Tokens};
use store::Store;

/// Default bounded watch-event history, as in the issue: resuming from older → 410.
pub const DEFAULT_HISTORY: usize = 10_000;

#[derive(Debug, Clone)]
pub struct LabOptions {
    pub listen: SocketAddr,
    pub allow_remote: bool,
    pub scenario: String,
    pub extra_pods: usize,
    pub speed: f64,
    pub history: usize,
    /// Where simulated time starts (default: now).
    pub start_time: Option<jiff::Timestamp>,
}

impl Default for LabOptions {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            allow_remote: false,
            scenario: "seed".into(),
            extra_pods: 0,
            speed: 1.0,
            history: DEFAULT_HISTORY,
            start_time: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LabError {
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    #[error(
        "refusing to listen on {0}: the lab is a simulated cluster whose admin token sits in a kubeconfig on this machine and whose fault endpoints can take it down; serve it on a loopback address (127.0.0.1), or pass --allow-remote if every machine that can reach {0} is yours"
    )]
    NotLoopback(SocketAddr),
    #[error(
        "cannot listen on {addr}: {source} — is another lab or API server using that port? Pass --listen 127.0.0.1:0 to pick a free port"
    )]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("--speed must be a positive number, got {0}")]
    Speed(f64),
    #[error("the lab could not start: {0}")]
    Start(String),
}

/// A running lab.
pub struct Lab {
    pub addr: SocketAddr,
    pub url: String,
    pub tokens: Tokens,
    /// PEM of the lab's CA, for clients' trust (the kubeconfig embeds it).
    pub ca_pem: String,
    pub store: Arc<Store>,
    pub ctx: Arc<Ctx>,
    server: tokio::task::JoinHandle<()>,
    sim: tokio::task::JoinHandle<()>,
    platform_task: tokio::task::JoinHandle<()>,
}

impl Lab {
    /// Seeds the scenario, binds, and starts serving and simulating in the background.
    pub async fn start(opts: LabOptions) -> Result<Lab, LabError> {
        if !opts.allow_remote && !opts.listen.ip().is_loopback() {
            return Err(LabError::NotLoopback(opts.listen));
        }
        if !(opts.speed.is_finite() && opts.speed > 0.0) {
            return Err(LabError::Speed(opts.speed));
        }
        let scenario = Scenario::load(&opts.scenario)?;
        let listener = TcpListener::bind(opts.listen)
            .await
            .map_err(|source| LabError::Bind {
                addr: opts.listen,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| LabError::Bind {
            addr: opts.listen,
            source,
        })?;
        let url = format!("https://{addr}");
        let tls = server::tls::generate(addr.ip()).map_err(LabError::Start)?;
        let store = Arc::new(Store::new(
            SimClock::starting_at(
                opts.start_time.unwrap_or_else(jiff::Timestamp::now),
                opts.speed,
            ),
            opts.history,
        ));
        let seeded = seed::seed(&store, &scenario, opts.extra_pods)
            .map_err(|e| LabError::Start(e.message))?;
        let mut sim = sim::Sim::new(store.clone(), &scenario.timeline);
        for (name, namespaces) in &seeded.backups {
            sim.capture_backup(name, namespaces);
        }
        for check in &scenario.credential_checks {
            sim.pin_credentials(check);
        }
        sim.settle();
        let platform = Arc::new(platform::Platform::new(store.clone(), &scenario));
        platform.tick();
        let tokens = Tokens::random();
        let ctx = Arc::new(Ctx {
            store: store.clone(),
            tokens: tokens.clone(),
            faults: Faults::new(),
            server_url: url.clone(),
            platform: platform.clone(),
        });
        let app = server::router(ctx.clone());
        let server = tokio::spawn(server::tls::serve(listener, tls.config, app));
        let sim = tokio::spawn(sim.run());
        // Steps Trino and re-evaluates alerts on the scrape grid even when nobody asks.
        let platform_task = tokio::spawn(async move {
            let mut every = tokio::time::interval(std::time::Duration::from_millis(250));
            loop {
                every.tick().await;
                platform.tick();
            }
        });
        Ok(Lab {
            addr,
            url,
            tokens,
            ca_pem: tls.ca_pem,
            store,
            ctx,
            server,
            sim,
            platform_task,
        })
    }

    /// Stops serving: closes watches and follow streams and ends both tasks.
    pub fn shutdown(&self) {
        self.ctx.faults.drop_all_watches();
        self.server.abort();
        self.sim.abort();
        self.platform_task.abort();
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        self.shutdown();
    }
}
