//! What commands print on stdout. A reader that goes away early (`golive run DIR
//! | head -1`) must not stop a migration halfway: once the pipe is closed, the rest
//! of the report is dropped and the work goes on to its end (exit 0, as ripgrep and
//! xsv do).

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

static GONE: AtomicBool = AtomicBool::new(false);

/// Write to stdout; after the first failed write (closed pipe, full disk) nothing more is tried.
pub fn print_text(text: &str) {
    if GONE.load(Ordering::Relaxed) {
        return;
    }
    let mut out = std::io::stdout().lock();
    if out
        .write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .is_err()
    {
        GONE.store(true, Ordering::Relaxed);
    }
}

/// `println!` that never panics on a closed pipe.
#[macro_export]
macro_rules! say {
    () => {
        $crate::commands::output::print_text("\n")
    };
    ($($arg:tt)*) => {
        $crate::commands::output::print_text(&format!("{}\n", format_args!($($arg)*)))
    };
}

/// Whether an error is only the reader of stdout having gone away.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        let io = e
            .downcast_ref::<std::io::Error>()
            .or_else(|| match e.downcast_ref::<crate::Error>() {
                Some(crate::Error::Io { source, .. }) => Some(source),
                _ => None,
            })
            .or_else(
                || match e.downcast_ref::<csv::Error>().map(csv::Error::kind) {
                    Some(csv::ErrorKind::Io(io)) => Some(io),
                    _ => None,
                },
            );
        io.is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// An error and its causes on one line, each cause once: a wrapped error's text
/// usually repeats in its wrapper's (`file: Permission denied (os error 13)`).
pub fn error_message(err: &anyhow::Error) -> String {
    let mut message = String::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if !message.contains(&text) {
            if !message.is_empty() {
                message.push_str(": ");
            }
            message.push_str(&text);
        }
    }
    message
}

/// The process's peak resident memory (`VmHWM` on Linux), e.g. `1.2 GB`; `?` elsewhere.
pub fn peak_memory() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
            let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
            Some(format!("{:.2} GB", kb / 1e6))
        })
        .unwrap_or_else(|| "?".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_cause_is_said_once() {
        let io = std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        let err = anyhow::Error::from(crate::Error::io("/p/.golive/workspace.db", io));
        let m = error_message(&err);
        assert_eq!(m.matches("ermission denied").count(), 1, "{m}");
        assert!(m.starts_with("/p/.golive/workspace.db: "), "{m}");
        let err = anyhow::anyhow!("outer").context("context");
        assert_eq!(error_message(&err), "context: outer");
    }

    #[test]
    fn only_a_closed_pipe_counts_as_one() {
        let pipe = std::io::Error::from(std::io::ErrorKind::BrokenPipe);
        assert!(is_broken_pipe(&anyhow::Error::from(pipe)));
        let csv_err = csv::Error::from(std::io::Error::from(std::io::ErrorKind::BrokenPipe));
        assert!(is_broken_pipe(&anyhow::Error::from(csv_err)));
        let other = std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        assert!(!is_broken_pipe(&anyhow::Error::from(other)));
    }
}
