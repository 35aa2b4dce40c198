//! The rows `seed` and `import` write, as a node's `/metrics` shows them: counted in the
//! data set, so a server started after them (or on another node) reports them.

mod common;

use std::path::Path;

use common::{Server, localgraph};

/// The number after `word` in `text` ("… 1234 rows …" with word "rows": 1234).
fn number_before(text: &str, word: &str) -> u64 {
    let words: Vec<&str> = text.split_whitespace().collect();
    let at = words.iter().position(|w| *w == word).expect(word);
    words[at - 1].parse().expect("a number")
}

/// `localgraph_data_set_rows_written{by="…"}` on a server of `data`.
async fn rows_written(data: &Path) -> (f64, f64) {
    let server = Server::on(data);
    let url = format!("{}/metrics", server.base);
    let response = common::client().get(&url).send().await.unwrap();
    let text = response.text().await.unwrap();
    let value = |by: &str| {
        let series = format!("localgraph_data_set_rows_written{{by=\"{by}\"}} ");
        text.lines()
            .find_map(|l| l.strip_prefix(&series))
            .unwrap_or_else(|| panic!("no {series} in\n{text}"))
            .parse::<f64>()
            .unwrap()
    };
    (value("seed"), value("import"))
}

#[tokio::test]
async fn rows_seeded_and_imported_are_counted_in_the_data_set() {
    let seeded_dir = tempfile::tempdir().unwrap();
    let dir = seeded_dir.path().to_str().unwrap();
    let seed = [
        "seed",
        "--data-dir",
        dir,
        "--tenant",
        "contoso.example",
        "--devices",
        "40",
    ];
    let (ok, out, err) = localgraph(&seed, &[]);
    assert!(ok, "{err}");
    let seeded = number_before(&out, "rows");
    assert!(seeded > 40, "{out}");
    assert_eq!(rows_written(seeded_dir.path()).await, (seeded as f64, 0.0));
    // Seeding again adds up.
    let (ok, out, err) = localgraph(&seed, &[]);
    assert!(ok, "{err}");
    let again = number_before(&out, "rows");
    assert_eq!(
        rows_written(seeded_dir.path()).await,
        ((seeded + again) as f64, 0.0)
    );

    // An export leaves the counts behind; the import counts what it writes.
    let file = seeded_dir.path().join("all.jsonl");
    let file = file.to_str().unwrap();
    let (ok, _, err) = localgraph(&["export", "--out", file, "--data-dir", dir], &[]);
    assert!(ok, "{err}");
    let imported_dir = tempfile::tempdir().unwrap();
    let target = imported_dir.path().to_str().unwrap();
    let (ok, _, err) = localgraph(&["import", file, "--data-dir", target], &[]);
    assert!(ok, "{err}");
    let imported = number_before(&err, "rows");
    assert!(imported > 40, "{err}");
    assert_eq!(
        rows_written(imported_dir.path()).await,
        (0.0, imported as f64)
    );
}
