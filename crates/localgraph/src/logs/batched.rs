//! Stderr written in batches by a thread of its own, for `serve`; the other commands
//! write each line as it comes.
//!
//! Writing each request's line on the request's thread cost a `write` a request, with the
//! runtime's threads taking turns at the file's lock (bench/HISTORY.md, step 32). Here a
//! line is appended to a buffer in memory; the first line into an empty buffer wakes the
//! log thread, which waits [`GATHER`] for more lines to arrive and then writes the whole
//! buffer in one `write`. A busy server makes one `write` and one wake-up per [`GATHER`]
//! instead of one `write` a request, and a line reaches stderr about [`GATHER`] after it
//! was logged (later if stderr's reader is slow).
//!
//! While the log thread runs it is the only writer, so lines keep the order they were
//! logged in. A line that would take the buffer past [`LIMIT`] waits until the log
//! thread has taken the buffer, as a line waited for a slow stderr before: memory stays
//! bounded and no line is dropped. Once the thread has ended (dropping the [`Flusher`]
//! ends it after it has written every buffered line), lines are written as they come.
//! Lines still buffered when the process is killed are lost.

use std::io::{self, Write};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use tracing_subscriber::fmt::MakeWriter;

/// Where the lines go: stderr, or a test's sink.
type Sink = Box<dyn Fn(&[u8]) + Send + Sync>;

/// How long the log thread gathers lines after the first one before writing them.
const GATHER: Duration = Duration::from_millis(5);
/// The most the buffer holds (unless one line is longer).
const LIMIT: usize = 1 << 20;
/// The capacity a batch keeps between writes: a burst's larger buffer is given back.
const KEPT: usize = 64 * 1024;

/// The buffer the lines go to, shared by every thread that logs and the log thread.
struct Shared {
    state: Mutex<State>,
    /// Signalled when the buffer gets its first line, and on stop.
    wake: Condvar,
    /// Signalled when the log thread has taken the buffer, or ended.
    room: Condvar,
    sink: Sink,
}

/// What the lock guards.
#[derive(Default)]
struct State {
    /// The lines not yet taken by the log thread.
    lines: Vec<u8>,
    /// Whether the log thread runs: while it does, it alone writes to the sink.
    running: bool,
    /// Set by [`Flusher`]'s drop: the log thread writes what is buffered and ends.
    stop: bool,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        // A thread that panicked while holding the lock left whole lines: each is
        // appended in one step.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The writer tracing's subscriber writes each line to (one `write_all` a line).
pub struct Batched(Arc<Shared>);

/// One line's writer, lent by [`Batched`].
pub struct Line<'a>(&'a Shared);

/// Writes what is buffered and ends the log thread when dropped.
#[must_use = "dropping it ends the batching: hold it for the life of the command"]
pub struct Flusher {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

/// Stderr, in batches if `batching` (else each line as it comes): the writer, and the
/// guard that writes the last lines.
pub fn stderr(batching: bool) -> (Batched, Flusher) {
    // Nowhere to report a failed write to: the lines are lost, as with a direct write.
    let sink: Sink = Box::new(|bytes| {
        let _ = io::stderr().write_all(bytes);
    });
    writing_to(sink, batching)
}

/// Lines written to `sink`, in batches by a log thread if `batching` and the thread can
/// be started, else as they come.
fn writing_to(sink: Sink, batching: bool) -> (Batched, Flusher) {
    let shared = Arc::new(Shared {
        state: Mutex::new(State {
            running: batching,
            ..State::default()
        }),
        wake: Condvar::new(),
        room: Condvar::new(),
        sink,
    });
    let theirs = shared.clone();
    let thread = batching
        .then(|| {
            std::thread::Builder::new()
                .name("localgraph-log".into())
                .spawn(move || write_batches(&theirs))
                .ok()
        })
        .flatten();
    if thread.is_none() {
        shared.state().running = false;
    }
    (Batched(shared.clone()), Flusher { shared, thread })
}

/// The log thread: waits for a first line, gathers, writes; once stopped, writes until
/// the buffer is empty and ends.
fn write_batches(shared: &Shared) {
    // Marks the thread ended however it ends (a panicking sink included), so that
    // lines are then written as they come instead of waiting for it.
    struct Ended<'a>(&'a Shared);
    impl Drop for Ended<'_> {
        fn drop(&mut self) {
            self.0.state().running = false;
            self.0.room.notify_all();
        }
    }
    let _ended = Ended(shared);
    let mut batch = Vec::new();
    loop {
        let mut state = shared.state();
        while state.lines.is_empty() && !state.stop {
            state = shared
                .wake
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
        if state.lines.is_empty() {
            // Stopped, and everything written: from now on lines are written as they
            // come, marked in the same hold of the lock so that none is left behind.
            state.running = false;
            return;
        }
        if !state.stop {
            drop(state);
            std::thread::sleep(GATHER);
            state = shared.state();
        }
        std::mem::swap(&mut state.lines, &mut batch);
        drop(state);
        shared.room.notify_all();
        (shared.sink)(&batch);
        batch.clear();
        batch.shrink_to(KEPT);
    }
}

impl Write for Line<'_> {
    fn write(&mut self, line: &[u8]) -> io::Result<usize> {
        let shared = self.0;
        let mut state = shared.state();
        while state.running && !state.lines.is_empty() && state.lines.len() + line.len() > LIMIT {
            state = shared
                .room
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
        if !state.running {
            // Under the lock, so that lines written this way keep their order too, after
            // any the log thread left behind (a panicking sink ends it early).
            if !state.lines.is_empty() {
                (shared.sink)(&std::mem::take(&mut state.lines));
            }
            (shared.sink)(line);
            return Ok(line.len());
        }
        let first = state.lines.is_empty();
        state.lines.extend_from_slice(line);
        drop(state);
        if first {
            shared.wake.notify_one();
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
        // Lines left behind if a panicking sink ended the thread early (the batch it was
        // writing is lost with it).
        let mut state = self.shared.state();
        if !state.lines.is_empty() {
            let lines = std::mem::take(&mut state.lines);
            (self.shared.sink)(&lines);
        }
    }
}

#[cfg(test)]
mod tests;
