use clap::Parser;
use golive::cli::Cli;

/// mimalloc (v2): normalizing builds a few dozen short strings per row on every thread,
/// and glibc's allocator was ~10 % of that time (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let cli = Cli::parse();
    if let Err(err) = golive::commands::dispatch(&cli) {
        // The reader of our output went away (`| head`): nothing failed.
        if golive::commands::output::is_broken_pipe(&err) {
            return;
        }
        eprintln!("error: {}", golive::commands::output::error_message(&err));
        let code = err
            .chain()
            .find_map(|e| e.downcast_ref::<golive::Error>())
            .map_or(1, |e| e.exit_code());
        std::process::exit(code);
    }
}
