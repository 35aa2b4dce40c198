//! Stderr written in batches by a thread of its own.
//!
//! Writing each request's line on the request's thread cost a `write` a request, with the
//! runtime's threads taking turns at the file's lock (bench/HISTORY.md, step 32). Here a
//! line is appended to a buffer in memory; the first line into an empty buffer wakes the
//! log thread, which waits [`GATHER`] for more lines to arrive and then writes the whole
//! buffer in one `write`. A line is therefore on stderr at most about [`GATHER`] after it
//! was logged, and a busy server makes one `write` and one wake-up per [`GATHER`] instead
//! of one `write` a request. A buffer grown past [`LIMIT`] is written by the thread that
//! finds it so, before its own line: memory stays bounded and no line is dropped.
//!
//! Lines still in the buffer when the process is killed (`kill -9`, a crash) are lost.
//! Dropping the [`Flusher`] writes them and stops the thread: `main` holds it, so Ctrl-C,
//! SIGTERM and errors end the process with every line written.

use std::io::{self, Write};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use tracing_subscriber::fmt::MakeWriter;

/// Where the batches go: stderr, or a test's sink.
type Sink = Box<dyn Fn() -> Box<dyn Write> + Send + Sync>;

/// How long the log thread gathers lines after the first one before writing them.
const GATHER: Duration = Duration::from_millis(5);
/// The buffer's size past which the thread logging a line writes the buffer itself.
const LIMIT: usize = 1 << 20;

/// The buffer the lines go to, shared by every thread that logs and the log thread.
struct Shared {
    state: Mutex<State>,
    /// Signalled when the buffer gets its first line, and on stop.
    wake: Condvar,
    sink: Sink,
}

#[derive(Default)]
struct State {
    lines: Vec<u8>,
    /// Set by [`Flusher`]'s drop: the thread writes what is left and ends.
    stop: bool,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        // A thread that panicked while holding the lock left whole lines: each is
        // appended in one step.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Writes `bytes` to the sink. Nowhere to report a failure to: the lines are lost, as
    /// they were with a direct write.
    fn write(&self, bytes: &[u8]) {
        let _ = (self.sink)().write_all(bytes);
    }
}

/// The writer tracing's subscriber writes each line to (one `write_all` a line).
pub struct Batched(Arc<Shared>);

/// One line's writer, lent by [`Batched`].
pub struct Line<'a>(&'a Shared);

/// Writes what is buffered and stops the log thread when dropped.
pub struct Flusher {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

/// Stderr, batched: the writer, and the guard that writes the last lines.
pub fn stderr() -> (Batched, Flusher) {
    to(Box::new(|| Box::new(io::stderr())))
}

/// Batches written to `sink`. If the log thread cannot be started, lines are written as
/// they come.
fn to(sink: Sink) -> (Batched, Flusher) {
    let shared = Arc::new(Shared {
        state: Mutex::default(),
        wake: Condvar::new(),
        sink,
    });
    let theirs = shared.clone();
    let thread = std::thread::Builder::new()
        .name("localgraph-log".into())
        .spawn(move || write_batches(&theirs))
        .ok();
    if thread.is_none() {
        shared.state().stop = true;
    }
    (Batched(shared.clone()), Flusher { shared, thread })
}

/// The log thread: waits for a first line, gathers, writes, until stopped.
fn write_batches(shared: &Shared) {
    let mut batch = Vec::new();
    loop {
        let mut state = shared.state();
        while state.lines.is_empty() && !state.stop {
            state = shared
                .wake
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
        let stop = state.stop;
        if !stop {
            drop(state);
            std::thread::sleep(GATHER);
            state = shared.state();
        }
        std::mem::swap(&mut state.lines, &mut batch);
        drop(state);
        shared.write(&batch);
        batch.clear();
        if stop {
            return;
        }
    }
}

impl Write for Line<'_> {
    fn write(&mut self, line: &[u8]) -> io::Result<usize> {
        let mut state = self.0.state();
        if state.stop {
            // No log thread (it could not start, or the process is ending).
            drop(state);
            self.0.write(line);
            return Ok(line.len());
        }
        if state.lines.len() + line.len() > LIMIT {
            self.0.write(&state.lines);
            state.lines.clear();
        }
        let first = state.lines.is_empty();
        state.lines.extend_from_slice(line);
        drop(state);
        if first {
            self.0.wake.notify_one();
        }
        Ok(line.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Batched {
    type Writer = Line<'a>;

    fn make_writer(&'a self) -> Line<'a> {
        Line(&self.0)
    }
}

impl Drop for Flusher {
    fn drop(&mut self) {
        self.shared.state().stop = true;
        self.shared.wake.notify_one();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests;
