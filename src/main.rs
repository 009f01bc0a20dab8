use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = storepos::transports::cli::Cli::parse();
    // The one place the CLI installs its subscriber: the library only emits events.
    if let Some((data, stderr)) = cli.log_target() {
        storepos::app::logs::install(data.as_deref(), stderr);
        tracing::info!(
            version = env!("CARGO_PKG_VERSION"),
            mode = cli.mode(),
            data = %data.as_deref().map(|d| d.display().to_string()).unwrap_or_default(),
            "storepos starting"
        );
    }
    storepos::transports::cli::run(cli)
}
