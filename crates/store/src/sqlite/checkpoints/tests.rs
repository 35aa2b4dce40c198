//! The writer's and the thread's decisions, without SQLite; and the checkpoints with the read
//! mark's hold, on a file ([`held`]).

use super::*;

/// The steps after commits that left these WAL sizes, the thread never catching up.
fn steps(watch: &mut Watch, pages: &[c_int]) -> Vec<Step> {
    pages.iter().map(|&p| watch.after_commit(p, 0)).collect()
}

#[test]
fn the_thread_is_woken_at_each_thousand_pages_of_growth() {
    let mut watch = Watch::default();
    assert_eq!(
        steps(&mut watch, &[400, 999, 1000, 1500, 1999, 2100, 2900, 3100]),
        [
            Step::Wait,
            Step::Wait,
            Step::Wake,
            Step::Wait,
            Step::Wait,
            Step::Wake,
            Step::Wait,
            Step::Wake
        ]
    );
}

#[test]
fn past_the_bound_the_writer_checkpoints_at_once_then_at_each_thousand_pages() {
    let mut watch = Watch::default();
    steps(&mut watch, &[1000, 2000, 3500]);
    // 4,000 is only 500 past the last wake-up: the bound does not wait for growth.
    assert_eq!(
        steps(&mut watch, &[4000, 4100, 4900, 5000, 5100]),
        [
            Step::Checkpoint,
            Step::Wait,
            Step::Wait,
            Step::Checkpoint,
            Step::Wait
        ]
    );
}

#[test]
fn a_wal_that_started_over_starts_the_counts_over() {
    let mut watch = Watch::default();
    steps(&mut watch, &[1000, 2000, 3000, 4000]);
    assert_eq!(watch.generation, 1);
    assert_eq!(
        steps(&mut watch, &[40, 999, 1000]),
        [Step::Wait, Step::Wait, Step::Wake]
    );
    assert_eq!(watch.generation, 2);
}

#[test]
fn the_writer_checkpoints_when_the_thread_caught_up_with_this_wal() {
    let mut watch = Watch::default();
    steps(&mut watch, &[1000, 2000, 3000]);
    assert_eq!(watch.after_commit(3100, 1), Step::Checkpoint);
    // Should the WAL not start over (a reader in it), the writer checkpoints again 1,000
    // pages on, not at every commit past the bound.
    assert_eq!(
        steps(&mut watch, &[3500, 4000, 4100, 4200]),
        [Step::Wait, Step::Wait, Step::Checkpoint, Step::Wait]
    );
}

#[test]
fn word_of_an_earlier_wal_is_not_taken_for_this_ones() {
    let mut watch = Watch::default();
    steps(&mut watch, &[1000, 2000, 3000, 3300, 20]);
    assert_eq!(watch.generation, 2);
    steps(&mut watch, &[1000, 2000, 3000]);
    // The thread caught up with the first WAL, and said so after the second had begun.
    assert_eq!(watch.after_commit(3100, 1), Step::Wait);
    assert_eq!(watch.after_commit(3200, 2), Step::Checkpoint);
}

fn pass(wal: i64, copied: i64) -> Option<Pass> {
    Some(Pass { wal, copied })
}

#[test]
fn one_pass_below_the_writers_threshold_or_past_the_bound() {
    let mut series = Series::new(1);
    assert_eq!(series.after_pass(1, pass(1000, 1000)), Next::Stop);
    assert_eq!(series.after_pass(1, pass(2999, 2999)), Next::Stop);
    assert_eq!(series.after_pass(1, pass(4000, 4000)), Next::Stop);
}

#[test]
fn a_failed_or_busy_pass_ends_the_series() {
    let mut series = Series::new(1);
    assert_eq!(series.after_pass(1, pass(3000, 3000)), Next::Again);
    assert_eq!(series.after_pass(1, None), Next::Stop);
    assert_eq!(series.after_pass(1, pass(-1, -1)), Next::Stop);
}

#[test]
fn passes_go_on_until_little_is_left_to_copy() {
    let mut series = Series::new(1);
    assert_eq!(series.after_pass(1, pass(3000, 3000)), Next::Again);
    assert_eq!(series.after_pass(1, pass(3250, 3250)), Next::Again);
    assert_eq!(series.after_pass(1, pass(3377, 3377)), Next::CaughtUp(1));
}

#[test]
fn pages_a_reader_kept_from_being_copied_count_as_left() {
    let mut series = Series::new(1);
    assert_eq!(series.after_pass(1, pass(3000, 2900)), Next::Again);
    // 3,050 − 2,900: 150 were left for this pass.
    assert_eq!(series.after_pass(1, pass(3050, 3000)), Next::Again);
    assert_eq!(series.after_pass(1, pass(3100, 3100)), Next::CaughtUp(1));
}

#[test]
fn passes_of_an_earlier_wal_do_not_count() {
    let mut series = Series::new(1);
    assert_eq!(series.after_pass(1, pass(3900, 3900)), Next::Again);
    // A new WAL the writer has not seen yet: smaller, so not "little left".
    assert_eq!(series.after_pass(1, pass(3050, 3050)), Next::Again);
    // One the writer has seen: a new series.
    let mut series = Series::new(1);
    assert_eq!(series.after_pass(1, pass(3900, 3900)), Next::Again);
    assert_eq!(series.after_pass(2, pass(3950, 3950)), Next::Again);
    assert_eq!(series.after_pass(2, pass(4001, 4001)), Next::Stop);
}

/// Whether a pass copied the whole WAL.
#[test]
fn only_a_pass_that_copied_every_page_copied_all() {
    assert!(copied_all(pass(40, 40)));
    assert!(copied_all(pass(0, 0)));
    assert!(!copied_all(pass(40, 39)));
    assert!(!copied_all(None));
    // Another checkpoint was running: nothing known, nothing copied.
    assert!(!copied_all(pass(-1, -1)));
}

/// The checkpoints with the read mark's hold, on a file. Each test but the last holds
/// through a [`Shared`] of its own, with no thread behind it whose idle passes would run
/// between the test's steps.
mod held {
    use std::time::{Duration, Instant};

    use super::*;

    /// Adds `rows` rows to the table `t` (made if missing) on `connection`.
    fn write(connection: &Connection, rows: u32) {
        connection
            .execute_batch("CREATE TABLE IF NOT EXISTS t (v TEXT)")
            .unwrap();
        connection
            .execute(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1)
                 INSERT INTO t SELECT hex(randomblob(500)) FROM n",
                [rows],
            )
            .unwrap();
    }

    /// A `PASSIVE` checkpoint on a connection that holds nothing.
    fn passive(connection: &Connection) -> Pass {
        checkpoint(connection, Logged::Debug).unwrap()
    }

    /// What a server's writer and thread share, holding the file at `path`.
    fn holding(path: &Path) -> Shared {
        Shared::new(Some(Hold::open(path).unwrap()))
    }

    /// Whether `shared`'s hold is taken.
    fn held(shared: &Shared) -> bool {
        shared.turn.lock().unwrap().as_ref().unwrap().held()
    }

    #[test]
    fn a_hold_keeps_checkpoints_from_copying_until_it_is_released() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("held.sqlite");
        let hold = Hold::open(&path).unwrap();
        assert!(hold.held());
        let writer = connection::open(&path).unwrap();
        write(&writer, 2);
        let held = passive(&writer);
        assert!(held.wal > 0, "the writes are in the WAL");
        assert_eq!(held.copied, 0, "held: nothing copied");

        hold.release();
        assert!(!hold.held());
        let released = passive(&writer);
        assert_eq!(released.copied, released.wal, "released: all copied");
    }

    #[test]
    fn a_checkpoint_copies_all_despite_the_hold_and_takes_it_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("held.sqlite");
        let shared = holding(&path);
        let writer = connection::open(&path).unwrap();
        write(&writer, 2);
        let copied = shared.checkpoint(&writer, Logged::Debug).unwrap();
        assert!(copied.wal > 0);
        assert_eq!(copied.copied, copied.wal);
        assert!(held(&shared));

        // Held again: another commit stays in the WAL for a checkpoint that does not
        // release the hold.
        write(&writer, 1);
        let other = passive(&writer);
        assert!(other.copied < other.wal, "the hold is taken again");
    }

    #[tokio::test]
    async fn a_command_does_not_hold() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("command.sqlite");
        let checkpoints = Checkpoints::start(&path, false).await.unwrap();
        assert!(checkpoints.shared.turn.lock().unwrap().is_none());
        let writer = connection::open(&path).unwrap();
        write(&writer, 2);
        let all = passive(&writer);
        assert_eq!(all.copied, all.wal);
    }

    /// Two processes that hold (two servers on one file) do not keep each other from
    /// copying: after a write, a pass of each, in either order, copies the WAL whole (the
    /// first, finding the other's hold, leaves its own released).
    #[test]
    fn two_holders_copy_all_in_a_pass_each() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("two.sqlite");
        let (first, second) = (holding(&path), holding(&path));
        let writer = connection::open(&path).unwrap();
        for (one, other) in [(&first, &second), (&second, &first)] {
            // Nothing left to copy: both take their hold again.
            one.checkpoint(&writer, Logged::Debug).unwrap();
            other.checkpoint(&writer, Logged::Debug).unwrap();
            assert!(held(one) && held(other));
            write(&writer, 50);
            let blocked = one.checkpoint(&writer, Logged::Debug).unwrap();
            assert!(blocked.copied < blocked.wal, "the other one holds");
            assert!(!held(one));
            let last = other.checkpoint(&writer, Logged::Debug).unwrap();
            assert!(last.wal > 0);
            assert_eq!(last.copied, last.wal);
            assert!(held(other));
        }
    }

    /// What another process commits wakes no one: a server's thread's idle pass copies
    /// it in, within a few seconds at most.
    #[tokio::test]
    async fn an_idle_pass_copies_in_what_another_connection_committed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("held.sqlite");
        let _checkpoints = Checkpoints::start(&path, true).await.unwrap();
        let size = || std::fs::metadata(&path).unwrap().len();
        let before = size();
        write(&connection::open(&path).unwrap(), 50);
        let deadline = Instant::now() + 10 * IDLE_PASS;
        while size() <= before {
            assert!(
                Instant::now() < deadline,
                "the commit was not copied into the file"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}
