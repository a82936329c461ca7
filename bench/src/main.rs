use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    warroom_bench::install_crypto_provider();
    let cli = warroom_bench::cli::Cli::parse();
    match warroom_bench::cli::run(cli).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::from(2)
        }
    }
}
