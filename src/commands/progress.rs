//! Progress bars on long work, the CLI's rendering of [`crate::progress::Progress`]:
//! shown on a terminal, silent in pipes, CI and with --quiet.
//! Counts and rates as people read them (`435,970 rows/s`); a time left only once
//! the rate has had a few seconds to settle.

use crate::progress::{Progress, Task, Work};
use indicatif::{HumanDuration, ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};
use std::io::IsTerminal;
use std::time::Duration;

/// Before this, a rate (and an ETA from it) is mostly start-up noise.
const SETTLE: Duration = Duration::from_secs(3);

#[derive(Clone, Copy, Debug)]
pub struct Bars {
    visible: bool,
}

/// `435970.27` → `435,970`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `, 435,970 rows/s` once half a second has passed.
fn rate_text(elapsed: Duration, per_sec: f64) -> String {
    if elapsed >= Duration::from_millis(500) {
        format!(", {} rows/s", thousands(per_sec as u64))
    } else {
        String::new()
    }
}

/// `, 12 seconds left` once the rate has settled.
fn eta_text(elapsed: Duration, pos: u64, eta: Duration) -> String {
    if elapsed >= SETTLE && pos > 0 {
        format!(", {} left", HumanDuration(eta))
    } else {
        String::new()
    }
}

fn rate(state: &ProgressState, w: &mut dyn std::fmt::Write) {
    let _ = w.write_str(&rate_text(state.elapsed(), state.per_sec()));
}

fn eta(state: &ProgressState, w: &mut dyn std::fmt::Write) {
    let _ = w.write_str(&eta_text(state.elapsed(), state.pos(), state.eta()));
}

fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .with_key("rate", rate)
        .with_key("eta_late", eta)
        .progress_chars("=> ")
}

impl Task for ProgressBar {
    fn inc(&self, n: u64) {
        ProgressBar::inc(self, n);
    }

    fn detail(&self, text: &str) {
        self.set_prefix(format!("; {text}"));
    }

    fn finish(&self) {
        self.finish_and_clear();
    }
}

impl Progress for Bars {
    fn task(&self, what: &str, work: Work) -> Box<dyn Task> {
        Box::new(match work {
            Work::Rows(n) => self.bar(n, what),
            Work::StreamedRows => self.counter(what),
            Work::Uncounted => self.spinner(what),
        })
    }
}

impl Bars {
    pub fn new(quiet: bool) -> Self {
        Bars {
            visible: !quiet && std::io::stderr().is_terminal(),
        }
    }

    fn draw(&self, bar: ProgressBar, what: &str) -> ProgressBar {
        bar.set_draw_target(ProgressDrawTarget::stderr_with_hz(8));
        bar.set_message(what.to_string());
        bar
    }

    /// A counter for rows of unknown number (rows streaming from a file).
    fn counter(&self, what: &str) -> ProgressBar {
        if !self.visible {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::new_spinner()
            .with_style(style("{spinner} {msg} {human_pos} rows ({elapsed}{rate})"));
        self.draw(bar, what)
    }

    /// A spinner for work that counts nothing (matching, linking): elapsed time only.
    fn spinner(&self, what: &str) -> ProgressBar {
        if !self.visible {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::new_spinner().with_style(style("{spinner} {msg} ({elapsed})"));
        bar.enable_steady_tick(Duration::from_millis(125));
        self.draw(bar, what)
    }

    /// A bar for rows of known number.
    fn bar(&self, len: u64, what: &str) -> ProgressBar {
        if !self.visible {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::new(len).with_style(style(
            "{msg} [{bar:30}] {human_pos}/{human_len} rows ({elapsed}{rate}{eta_late}{prefix})",
        ));
        self.draw(bar, what)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_detail_goes_at_the_end_of_the_line() {
        let bar = ProgressBar::hidden();
        Task::detail(&bar, "retried: 1 throttled");
        assert_eq!(bar.prefix(), "; retried: 1 throttled");
    }

    #[test]
    fn rates_read_as_whole_grouped_numbers() {
        assert_eq!(thousands(435_970), "435,970");
        assert_eq!(thousands(1_000_000), "1,000,000");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(0), "0");
    }

    #[test]
    fn rate_and_time_left_wait_until_they_mean_something() {
        let s = Duration::from_secs;
        assert_eq!(rate_text(Duration::from_millis(100), 9e6), "");
        assert_eq!(rate_text(s(2), 435_970.266_2), ", 435,970 rows/s");
        assert_eq!(
            eta_text(s(1), 10, s(1920)),
            "",
            "no `32m left` at the start"
        );
        assert_eq!(eta_text(s(5), 0, s(10)), "");
        assert_eq!(eta_text(s(5), 10, s(12)), ", 12 seconds left");
    }
}
