use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Instant;

use super::*;

/// Every write made to the sink, in order.
#[derive(Clone, Default)]
struct Writes(Arc<Mutex<Vec<Vec<u8>>>>);

impl Writes {
    fn sink(&self) -> Sink {
        let writes = self.clone();
        Box::new(move |bytes| writes.0.lock().unwrap().push(bytes.to_vec()))
    }

    /// A sink that records every write, its first only once the returned sender has
    /// sent (10 s at most, so that a failing test ends instead of hanging in the
    /// flusher) and `then` has returned (it may panic instead).
    fn gated(&self, then: fn()) -> (Sink, mpsc::Sender<()>) {
        let (release, gate) = mpsc::channel::<()>();
        let gate = Mutex::new(Some(gate));
        let writes = self.clone();
        let sink: Sink = Box::new(move |bytes| {
            let first = gate.lock().unwrap().take();
            if let Some(gate) = first {
                let _ = gate.recv_timeout(Duration::from_secs(10));
                then();
            }
            writes.0.lock().unwrap().push(bytes.to_vec());
        });
        (sink, release)
    }

    fn all(&self) -> Vec<Vec<u8>> {
        self.0.lock().unwrap().clone()
    }

    fn text(&self) -> String {
        String::from_utf8(self.all().concat()).unwrap()
    }
}

fn log(batched: &Batched, line: &str) {
    batched.make_writer().write_all(line.as_bytes()).unwrap();
}

/// Waits up to 5 s for `done`.
fn eventually(what: &str, done: impl Fn() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "not {what} in 5 s"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// The numbers of `thread`'s lines (`thread T line N …`), in the order written.
fn numbers(text: &str, thread: usize) -> Vec<usize> {
    let prefix = format!("thread {thread} line ");
    text.lines()
        .filter_map(|line| line.strip_prefix(&prefix))
        .map(|rest| {
            let (n, xs) = rest.split_once(' ').unwrap_or((rest, ""));
            let n: usize = n.parse().unwrap();
            assert_eq!(xs, "x".repeat(n % 300), "a line cut or mixed: {rest}");
            n
        })
        .collect()
}

fn line(thread: usize, n: usize) -> String {
    format!("thread {thread} line {n} {}\n", "x".repeat(n % 300))
}

#[test]
fn every_line_from_every_thread_is_written_whole_and_in_its_threads_order() {
    let writes = Writes::default();
    let (batched, flusher) = writing_to(writes.sink(), true);
    let batched = Arc::new(batched);
    let threads: Vec<_> = (0..4)
        .map(|thread| {
            let batched = batched.clone();
            std::thread::spawn(move || {
                for n in 0..2000 {
                    log(&batched, &line(thread, n));
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    drop(flusher);
    let text = writes.text();
    assert_eq!(text.lines().count(), 8000);
    for thread in 0..4 {
        let expected: Vec<_> = (0..2000).collect();
        assert_eq!(numbers(&text, thread), expected, "thread {thread}");
    }
    // Gathered: far fewer writes than lines.
    assert!(
        writes.all().len() < 8000 / 10,
        "{} writes",
        writes.all().len()
    );
}

#[test]
fn a_line_is_written_before_the_end() {
    let writes = Writes::default();
    let (batched, _flusher) = writing_to(writes.sink(), true);
    log(&batched, "one line\n");
    eventually("written", || !writes.text().is_empty());
    assert_eq!(writes.text(), "one line\n");
}

#[test]
fn a_full_buffer_holds_its_line_back_until_the_log_thread_has_taken_it() {
    // The first write waits for the test: the buffer fills behind it.
    let writes = Writes::default();
    let (sink, release) = writes.gated(|| {});
    let (batched, flusher) = writing_to(sink, true);
    let batched = Arc::new(batched);
    log(&batched, "first\n");
    let shared = batched.0.clone();
    eventually("taken", || shared.state().lines.is_empty());
    let logger = {
        let batched = batched.clone();
        std::thread::spawn(move || {
            let line = format!("{}\n", "y".repeat(1023));
            for _ in 0..3 * 1024 {
                log(&batched, &line);
            }
        })
    };
    eventually("full", || shared.state().lines.len() + 1024 > LIMIT);
    std::thread::sleep(Duration::from_millis(50));
    assert!(!logger.is_finished(), "the logger waits for room");
    assert!(shared.state().lines.len() <= LIMIT);
    assert!(
        writes.all().is_empty(),
        "nothing overtook the batch being written"
    );
    release.send(()).unwrap();
    logger.join().unwrap();
    drop(flusher);
    let all = writes.all();
    assert_eq!(all[0], b"first\n");
    assert!(
        all.iter().all(|write| write.len() <= LIMIT),
        "a write past the limit"
    );
    assert_eq!(writes.text().len(), "first\n".len() + 3 * 1024 * 1024);
}

#[test]
fn lines_logged_while_the_flusher_ends_keep_their_order() {
    let writes = Writes::default();
    let (batched, flusher) = writing_to(writes.sink(), true);
    let batched = Arc::new(batched);
    let logged = Arc::new(AtomicUsize::new(0));
    let logger = {
        let (batched, logged) = (batched.clone(), logged.clone());
        std::thread::spawn(move || {
            for n in 0..20_000 {
                log(&batched, &line(0, n));
                logged.store(n + 1, Ordering::Relaxed);
            }
        })
    };
    // Ended part-way: some lines batched before, the rest written as they come.
    eventually("started", || !writes.text().is_empty());
    eventually("part-way", || logged.load(Ordering::Relaxed) > 1000);
    drop(flusher);
    logger.join().unwrap();
    assert_eq!(numbers(&writes.text(), 0), (0..20_000).collect::<Vec<_>>());
}

#[test]
fn without_batching_each_line_is_written_as_it_comes() {
    let writes = Writes::default();
    let (batched, _flusher) = writing_to(writes.sink(), false);
    log(&batched, "one\n");
    assert_eq!(writes.all(), [b"one\n".to_vec()]);
    log(&batched, "two\n");
    assert_eq!(writes.all(), [b"one\n".to_vec(), b"two\n".to_vec()]);
}

#[test]
fn lines_left_by_a_panicking_sink_come_before_later_ones() {
    let writes = Writes::default();
    let (sink, release) = writes.gated(|| panic!("the sink fails"));
    let (batched, flusher) = writing_to(sink, true);
    log(&batched, "lost with the failing write\n");
    let shared = batched.0.clone();
    eventually("taken", || shared.state().lines.is_empty());
    log(&batched, "b\n");
    log(&batched, "c\n");
    release.send(()).unwrap();
    eventually("ended", || !shared.state().running);
    log(&batched, "d\n");
    assert_eq!(writes.text(), "b\nc\nd\n");
    drop(flusher);
    assert_eq!(writes.text(), "b\nc\nd\n");
}
