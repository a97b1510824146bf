#![forbid(unsafe_code)]

use clap::Parser;

fn main() {
    let cli = lakedeck::cli::Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("lakedeck: cannot start the async runtime: {e}");
            std::process::exit(1);
        }
    };
    let code = runtime.block_on(lakedeck::cli::run(cli));
    // Background tasks (watch streams, log follows) must not keep the process alive.
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    std::process::exit(code);
}
