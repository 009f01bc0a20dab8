use clap::Parser;

fn main() -> std::process::ExitCode {
    storepos::cli::run(storepos::cli::Cli::parse())
}
