//! The dashboard's page and assets, as a browser fetches them (no browser here: the real
//! browser test is `browser/` at the repository root): every file of
//! `crates/server/dashboard/` is served with its content type and revalidation headers,
//! without a token, and every module a script imports is served too.

use std::path::{Path, PathBuf};

use crate::helpers::TestApp;

const ASSETS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/dashboard");

/// Every file under the assets directory, relative to it, with `/` separators.
fn asset_files() -> Vec<String> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("the assets directory") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(Path::new(ASSETS), &mut files);
    let mut names: Vec<String> = files
        .iter()
        .map(|f| {
            let relative = f.strip_prefix(ASSETS).expect("under the assets");
            relative.to_string_lossy().replace('\\', "/")
        })
        .collect();
    names.sort();
    names
}

fn expected_type(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        other => panic!("an asset of an unexpected kind: {other:?}"),
    }
}

#[tokio::test]
async fn the_page_is_served_at_the_root_without_a_token() {
    let app = TestApp::spawn().await;
    let page = app.anonymous().get("/").await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert!(
        page.text
            .contains(r#"<script type="module" src="/_localgraph/ui/js/app.js"></script>"#)
    );
    let policy = page.header("content-security-policy").unwrap();
    assert!(policy.contains("script-src 'self'"), "{policy}");
    assert!(policy.contains("connect-src 'self'"), "{policy}");
    assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(page.header("referrer-policy"), Some("no-referrer"));
    assert_eq!(page.header("cache-control"), Some("no-cache"));
    assert!(page.header("request-id").is_some(), "the usual headers too");
}

#[tokio::test]
async fn every_asset_is_served_with_its_content_type() {
    let app = TestApp::spawn().await;
    let files = asset_files();
    assert!(files.len() >= 10, "{files:?}");
    for name in &files {
        let reply = app
            .anonymous()
            .get(&format!("/_localgraph/ui/{name}"))
            .await;
        assert_eq!(reply.status, 200, "{name}: {}", reply.text);
        assert_eq!(
            reply.header("content-type"),
            Some(expected_type(name)),
            "{name}"
        );
        let on_disk = std::fs::read_to_string(Path::new(ASSETS).join(name)).unwrap();
        assert_eq!(
            reply.text, on_disk,
            "{name} is served as it is in the repository"
        );
        assert_eq!(reply.header("cache-control"), Some("no-cache"), "{name}");
        assert_eq!(
            reply.header("x-content-type-options"),
            Some("nosniff"),
            "{name}"
        );
        let etag = reply.header("etag").unwrap_or_default();
        assert!(
            etag.starts_with('"') && etag.ends_with('"') && etag.len() > 10,
            "{name}: {etag}"
        );
    }
}

#[tokio::test]
async fn every_import_and_link_of_the_page_resolves() {
    let app = TestApp::spawn().await;
    let mut checked = 0;
    for name in asset_files() {
        let text = std::fs::read_to_string(Path::new(ASSETS).join(&name)).unwrap();
        let base = Path::new(&name).parent().unwrap_or(Path::new(""));
        // `from './x.js'` in modules, `/_localgraph/ui/…` in the page.
        let relative = text
            .split("from '")
            .skip(1)
            .filter_map(|rest| rest.split('\'').next())
            .filter(|target| target.starts_with('.'))
            .map(|target| normalize(&base.join(target)));
        let absolute = text
            .split("\"/_localgraph/ui/")
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
            .map(str::to_string);
        for target in relative.chain(absolute).collect::<Vec<_>>() {
            let reply = app
                .anonymous()
                .get(&format!("/_localgraph/ui/{target}"))
                .await;
            assert_eq!(reply.status, 200, "{name} refers to {target}");
            checked += 1;
        }
    }
    assert!(checked >= 20, "only {checked} references found");
}

/// `js/pages/../api.js` → `js/api.js`.
fn normalize(path: &Path) -> String {
    let mut parts: Vec<String> = Vec::new();
    for part in path.components() {
        match part.as_os_str().to_str().unwrap() {
            "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other.to_string()),
        }
    }
    parts.join("/")
}

#[tokio::test]
async fn an_unchanged_asset_answers_304() {
    let app = TestApp::spawn().await;
    let first = app.anonymous().get("/_localgraph/ui/style.css").await;
    let etag = first.header("etag").unwrap().to_string();
    let again = app
        .anonymous()
        .request(
            "GET",
            "/_localgraph/ui/style.css",
            None,
            &[("if-none-match", &etag)],
        )
        .await;
    assert_eq!(again.status, 304);
    assert!(again.text.is_empty());
    assert_eq!(again.header("etag"), Some(etag.as_str()));
    let changed = app
        .anonymous()
        .request(
            "GET",
            "/_localgraph/ui/style.css",
            None,
            &[("if-none-match", "\"something-else\"")],
        )
        .await;
    assert_eq!(changed.status, 200);
}

#[tokio::test]
async fn unknown_assets_and_other_methods_get_graph_errors() {
    let app = TestApp::spawn().await;
    let missing = app.anonymous().get("/_localgraph/ui/js/nothing.js").await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.error().0, "ResourceNotFound");
    // Only the listed assets exist: no path reaches the file system.
    let escape = app
        .anonymous()
        .get("/_localgraph/ui/..%2F..%2FCargo.toml")
        .await;
    assert_eq!(escape.status, 404);
    assert_eq!(escape.error().0, "ResourceNotFound");
    let post = app.anonymous().post("/", "{}").await;
    assert_eq!(post.status, 405);
    assert_eq!(post.error().0, "Request_BadRequest");
    // The Graph versions are unchanged: a path without one is still Graph's 404.
    let no_version = app.get("/deviceManagement").await;
    assert_eq!(no_version.error().1, "Invalid version: devicemanagement");
}
