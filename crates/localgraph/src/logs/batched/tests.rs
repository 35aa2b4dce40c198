use std::sync::Mutex;
use std::time::Instant;

use super::*;

/// Every write the log thread (or a logging thread) made, in order.
#[derive(Clone, Default)]
struct Writes(Arc<Mutex<Vec<Vec<u8>>>>);

impl Writes {
    fn sink(&self) -> Sink {
        let writes = self.clone();
        Box::new(move || Box::new(writes.clone()))
    }

    fn all(&self) -> Vec<Vec<u8>> {
        self.0.lock().unwrap().clone()
    }

    fn text(&self) -> String {
        String::from_utf8(self.all().concat()).unwrap()
    }
}

impl Write for Writes {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().push(bytes.to_vec());
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn log(batched: &Batched, line: &str) {
    batched.make_writer().write_all(line.as_bytes()).unwrap();
}

#[test]
fn every_line_from_every_thread_is_written_whole_and_in_its_threads_order() {
    let writes = Writes::default();
    let (batched, flusher) = to(writes.sink());
    let batched = Arc::new(batched);
    let threads: Vec<_> = (0..4)
        .map(|thread| {
            let batched = batched.clone();
            std::thread::spawn(move || {
                for n in 0..2000 {
                    log(
                        &batched,
                        &format!("thread {thread} line {n} {}\n", "x".repeat(n % 300)),
                    );
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
        let numbers: Vec<usize> = text
            .lines()
            .filter_map(|line| line.strip_prefix(&format!("thread {thread} line ")))
            .map(|rest| {
                let (n, xs) = rest.split_once(' ').unwrap();
                let n: usize = n.parse().unwrap();
                assert_eq!(xs, "x".repeat(n % 300), "a line cut or mixed: {rest}");
                n
            })
            .collect();
        assert_eq!(numbers, (0..2000).collect::<Vec<_>>(), "thread {thread}");
    }
    // Gathered: far fewer writes than lines.
    assert!(
        writes.all().len() < 8000 / 10,
        "{} writes",
        writes.all().len()
    );
}

#[test]
fn a_line_is_written_soon_without_waiting_for_the_end() {
    let writes = Writes::default();
    let (batched, _flusher) = to(writes.sink());
    log(&batched, "one line\n");
    let start = Instant::now();
    while writes.text().is_empty() {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "not written in 5 s"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    assert_eq!(writes.text(), "one line\n");
}

#[test]
fn no_write_holds_more_than_the_limit_and_lines_after_the_end_are_written_directly() {
    let writes = Writes::default();
    let (batched, flusher) = to(writes.sink());
    let line = format!("{}\n", "y".repeat(1023));
    // 3 MiB in a moment: more than the buffer may hold before the thread wakes.
    for _ in 0..3 * 1024 {
        log(&batched, &line);
    }
    drop(flusher);
    log(&batched, "after the end\n");
    let all = writes.all();
    assert!(
        all.iter().all(|write| write.len() <= LIMIT),
        "a write past the limit"
    );
    assert_eq!(all.last().unwrap(), b"after the end\n");
    assert_eq!(
        writes.text().len(),
        3 * 1024 * 1024 + "after the end\n".len()
    );
}
