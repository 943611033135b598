//! Running the command: output streamed with the stage's prefix and kept in its log, a
//! timeout, and the whole process group stopped on cancel.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Mutex;
use std::thread::sleep;
use std::time::{Duration, Instant};

use clarity_engine::StageContext;

use super::ExecError;

/// The lines of stderr kept for the failure message.
pub(super) const TAIL_LINES: usize = 10;

/// Streams the child's stdout and stderr, line by line, to the reporter (prefixed with the
/// stage name) and to `log`, and waits for it, stopping it on Ctrl-C or `timeout`. Returns
/// its exit status and the last lines of its stderr.
pub(super) fn stream_and_wait(
    mut child: Child,
    ctx: &StageContext<'_>,
    program: &str,
    timeout: Option<f64>,
    log: File,
) -> miette::Result<(ExitStatus, String)> {
    let log = Mutex::new(log);
    let tail = Mutex::new(VecDeque::new());
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    let started = Instant::now();
    std::thread::scope(|scope| {
        if let Some(out) = stdout {
            let log = &log;
            scope.spawn(move || pump(out, ctx, log, None));
        }
        if let Some(err) = stderr {
            let (log, tail) = (&log, &tail);
            scope.spawn(move || pump(err, ctx, log, Some(tail)));
        }
        let stopped = loop {
            match child.try_wait() {
                Ok(Some(status)) => break Ok(status),
                Ok(None) => {}
                Err(e) => {
                    stop(&mut child);
                    break Err(miette::miette!("waiting for `{program}`: {e}"));
                }
            }
            if ctx.cancelled() {
                stop(&mut child);
                break Err(ExecError::Cancelled {
                    program: program.to_owned(),
                }
                .into());
            }
            if let Some(seconds) = timeout.filter(|s| started.elapsed().as_secs_f64() > *s) {
                stop(&mut child);
                break Err(ExecError::Timeout {
                    program: program.to_owned(),
                    seconds,
                }
                .into());
            }
            sleep(Duration::from_millis(10));
        };
        if stopped.is_ok() {
            // The command is done; anything it left running in its group holds the pipes
            // open, so stop that too rather than wait for it.
            kill_group(&child);
        }
        stopped
    })
    .map(|status| {
        let tail = tail.into_inner().unwrap_or_default();
        let lines: Vec<String> = tail.into_iter().collect();
        (status, lines.join("\n"))
    })
}

/// Copies lines from `from` to the reporter and the log; keeps the last ones in `tail`.
pub(super) fn pump(
    from: impl Read,
    ctx: &StageContext<'_>,
    log: &Mutex<File>,
    tail: Option<&Mutex<VecDeque<String>>>,
) {
    let mut reader = BufReader::new(from);
    let mut line = Vec::new();
    loop {
        line.clear();
        match reader.read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        if let Ok(mut log) = log.lock() {
            let _ = log.write_all(&line);
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\n', '\r']);
        ctx.info(text);
        if let Some(tail) = tail
            && let Ok(mut tail) = tail.lock()
        {
            if tail.len() == TAIL_LINES {
                tail.pop_front();
            }
            tail.push_back(text.to_owned());
        }
    }
}

/// Stops the child and everything in its process group.
pub(super) fn stop(child: &mut Child) {
    kill_group(child);
    let _ = child.kill();
    let _ = child.wait();
}

#[cfg(unix)]
pub(super) fn kill_group(child: &Child) {
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{}", child.id())])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

#[cfg(not(unix))]
pub(super) fn kill_group(_: &Child) {}
