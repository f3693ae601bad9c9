use clap::Parser;
use golive::cli::Cli;

fn main() {
    let cli = Cli::parse();
    if let Err(err) = golive::commands::dispatch(&cli) {
        eprintln!("error: {err:#}");
        let code = err
            .chain()
            .find_map(|e| e.downcast_ref::<golive::Error>())
            .map_or(1, |e| e.exit_code());
        std::process::exit(code);
    }
}
