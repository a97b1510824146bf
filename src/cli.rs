//! The command line: `lakedeck lab …` today; the cockpit and `demo` join with their
//! issue. Parses flags (clap) and runs the chosen command; owns exit codes (2 for bad
//! input such as an unknown scenario, 1 for runtime failures).

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::lab::{self, Lab, LabError, LabOptions};

#[derive(Debug, Parser)]
#[command(
    name = "lakedeck",
    version,
    about = "Terminal operations cockpit for a Kubernetes-hosted data lakehouse"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the simulated lakehouse cluster over a real Kubernetes API (for kubectl, tests and demos)
    Lab(LabArgs),
}

#[derive(Debug, clap::Args)]
pub struct LabArgs {
    /// Address to listen on (loopback only unless --allow-remote); port 0 picks a free port
    #[arg(long, default_value = "127.0.0.1:6443")]
    pub listen: SocketAddr,
    /// Allow a non-loopback --listen address (the lab has no TLS)
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
    /// Where to write the kubeconfig (contexts lakedeck-lab and lakedeck-lab-viewer)
    #[arg(long)]
    pub write_kubeconfig: Option<PathBuf>,
    /// Watch events kept for resuming watches; older resumes get 410 Expired
    #[arg(long, default_value_t = lab::DEFAULT_HISTORY)]
    pub watch_history: usize,
}

/// Runs the parsed command; returns the process exit code.
pub async fn run(cli: Cli) -> i32 {
    match cli.command {
        Command::Lab(args) => run_lab(args).await,
    }
}

async fn run_lab(args: LabArgs) -> i32 {
    let opts = LabOptions {
        listen: args.listen,
        allow_remote: args.allow_remote,
        scenario: args.scenario,
        extra_pods: args.pods,
        speed: args.speed,
        history: args.watch_history,
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
        "  contexts: {} (admin), {} (read-only viewer)",
        lab::kubeconfig::ADMIN_CONTEXT,
        lab::kubeconfig::VIEWER_CONTEXT
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
