//! `localgraph seed --devices N` as a user runs it: a fleet seeded through the CLI, served,
//! and every summary checked against a recount of its states through the API; the same
//! seed gives the same fleet.

mod common;

use std::path::Path;

use common::{Server, client, exchange, localgraph, postgres_schema};
use intune::reports::{Aggregate, SUMMARIES};
use serde_json::Value;
use store::Executor;
use store::catalog::ColumnType;
use store::plan::{Expect, Plan, Statement};
use store::sql::Param;

const TENANT: &str = "contoso.example";

fn seed(data: &Path, extra: &[&str]) -> String {
    let data = data.to_str().unwrap();
    let mut args = vec![
        "seed",
        "--data-dir",
        data,
        "--tenant",
        TENANT,
        "--devices",
        "400",
    ];
    args.extend_from_slice(extra);
    let (ok, out, err) = localgraph(&args, &[]);
    assert!(ok, "seed: {out}{err}");
    out
}

struct Api {
    client: reqwest::Client,
    token: String,
    base: String,
}

impl Api {
    async fn get(&self, path: &str) -> Value {
        let (status, _, body) = exchange(
            &self.client,
            &self.token,
            "GET",
            &format!("{}{path}", self.base),
            None,
        )
        .await;
        assert_eq!(status, 200, "{path}: {body}");
        body
    }

    async fn count(&self, path: &str) -> i64 {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{path}");
        response.text().await.unwrap().parse().unwrap()
    }

    /// Every entity of a collection, through its next links.
    async fn all(&self, path: &str) -> Vec<Value> {
        let mut out = Vec::new();
        let mut page = self.get(path).await;
        loop {
            out.extend(page["value"].as_array().unwrap().iter().cloned());
            match page["@odata.nextLink"].as_str() {
                Some(next) => page = self.get(next.strip_prefix(&self.base).unwrap()).await,
                None => return out,
            }
        }
    }

    /// Asserts that the summary of `place` at `url`, held by `holder`, equals a recount.
    async fn assert_summary(&self, place: &str, url: &str, holder: &str) {
        let summary = SUMMARIES.iter().find(|s| s.place == place).unwrap();
        let read = self.get(url).await;
        for (name, aggregate) in summary.properties {
            let expected = match *aggregate {
                Aggregate::Count { of, filter: "" } => {
                    Value::from(self.count(&format!("{holder}/{of}/$count")).await)
                }
                Aggregate::Count { of, filter } => Value::from(
                    self.count(&format!("{holder}/{of}/$count?$filter={filter}"))
                        .await,
                ),
                Aggregate::Sum { of, property } => {
                    let items = self.all(&format!("{holder}/{of}")).await;
                    Value::from(
                        items
                            .iter()
                            .map(|i| i[property].as_i64().unwrap())
                            .sum::<i64>(),
                    )
                }
                Aggregate::Latest { of, property } => {
                    let page = self
                        .get(&format!("{holder}/{of}?$orderby={property} desc&$top=1"))
                        .await;
                    page["value"][0][property].clone()
                }
                Aggregate::Holder { property } => self.get(holder).await[property].clone(),
            };
            assert_eq!(read[name], expected, "{url} {name}");
        }
    }
}

async fn serve(data: &Path, args: &[&str]) -> (Server, Api) {
    let data_dir = data.to_str().unwrap();
    // The token is signed with the key of the data set the server serves.
    let mut token_args = vec!["token", "--data-dir", data_dir, "--tenant", TENANT];
    if let Some(at) = args.iter().position(|a| *a == "--database") {
        token_args.extend_from_slice(&args[at..at + 2]);
    }
    let (ok, token, err) = localgraph(&token_args, &[]);
    assert!(ok, "{err}");
    let server = Server::on_with(data, args);
    let api = Api {
        client: client(),
        token: token.trim().lines().last().unwrap().to_string(),
        base: server.base.clone(),
    };
    (server, api)
}

#[tokio::test]
async fn a_seeded_fleet_is_served_and_every_summary_equals_its_states() {
    let data = tempfile::tempdir().unwrap();
    let out = seed(data.path(), &["--seed", "5"]);
    assert!(out.contains("400 devices of 280 users"), "{out}");
    let (_server, api) = serve(data.path(), &[]).await;
    assert_eq!(
        api.count("/beta/deviceManagement/managedDevices/$count")
            .await,
        400
    );
    let windows = api
        .count("/v1.0/deviceManagement/managedDevices/$count?$filter=operatingSystem eq 'Windows'")
        .await;
    assert!((170..280).contains(&windows), "{windows} Windows devices");

    let scripts = api
        .all("/beta/deviceManagement/deviceManagementScripts")
        .await;
    assert_eq!(scripts.len(), 3);
    for script in &scripts {
        let holder = format!(
            "/beta/deviceManagement/deviceManagementScripts/{}",
            script["id"].as_str().unwrap()
        );
        let place = "deviceManagement/deviceManagementScripts";
        api.assert_summary(
            &format!("{place}/runSummary"),
            &format!("{holder}/runSummary"),
            &holder,
        )
        .await;
        let users = api.all(&format!("{holder}/userRunStates?$top=999")).await;
        assert!(!users.is_empty());
        for user in users.iter().take(25) {
            let user = format!("{holder}/userRunStates/{}", user["id"].as_str().unwrap());
            api.assert_summary(&format!("{place}/userRunStates"), &user, &user)
                .await;
        }
        // Each run state links to the Windows device it ran on.
        let states = api
            .get(&format!(
                "{holder}/deviceRunStates?$expand=managedDevice&$top=20"
            ))
            .await;
        for state in states["value"].as_array().unwrap() {
            assert_eq!(
                state["managedDevice"]["operatingSystem"], "Windows",
                "{state}"
            );
        }
    }
    let configurations = api
        .all("/beta/deviceAppManagement/mobileAppConfigurations")
        .await;
    assert_eq!(configurations.len(), 2);
    for configuration in &configurations {
        let holder = format!(
            "/beta/deviceAppManagement/mobileAppConfigurations/{}",
            configuration["id"].as_str().unwrap()
        );
        for summary in ["deviceStatusSummary", "userStatusSummary"] {
            let place = format!("deviceAppManagement/mobileAppConfigurations/{summary}");
            api.assert_summary(&place, &format!("{holder}/{summary}"), &holder)
                .await;
        }
    }
    let accounts = api
        .all("/beta/deviceManagement/macOSSoftwareUpdateAccountSummaries")
        .await;
    let macs = api
        .count("/beta/deviceManagement/managedDevices/$count?$filter=operatingSystem eq 'macOS'")
        .await;
    assert_eq!(accounts.len() as i64, macs, "one summary per Mac");
    for account in accounts.iter().take(10) {
        let holder = format!(
            "/beta/deviceManagement/macOSSoftwareUpdateAccountSummaries/{}",
            account["id"].as_str().unwrap()
        );
        let place = "deviceManagement/macOSSoftwareUpdateAccountSummaries";
        api.assert_summary(place, &holder, &holder).await;
        for category in api.all(&format!("{holder}/categorySummaries")).await {
            let category = format!(
                "{holder}/categorySummaries/{}",
                category["id"].as_str().unwrap()
            );
            api.assert_summary(&format!("{place}/categorySummaries"), &category, &category)
                .await;
        }
    }
    let summary = api
        .get("/v1.0/deviceManagement/softwareUpdateStatusSummary")
        .await;
    let devices: i64 = [
        "compliant",
        "remediated",
        "unknown",
        "nonCompliant",
        "error",
        "notApplicable",
        "conflict",
    ]
    .iter()
    .map(|k| summary[format!("{k}DeviceCount")].as_i64().unwrap())
    .sum();
    assert_eq!(devices, 400, "{summary}");
}

#[tokio::test]
async fn the_same_seed_gives_the_same_fleet() {
    let (a, b, c) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    seed(a.path(), &["--seed", "9"]);
    seed(b.path(), &["--seed", "9"]);
    seed(c.path(), &["--seed", "10"]);
    let export = |dir: &Path| {
        let out = dir.join("fleet.jsonl");
        let (ok, _, err) = localgraph(
            &[
                "export",
                "--data-dir",
                dir.to_str().unwrap(),
                "--tenant",
                TENANT,
                "--out",
                out.to_str().unwrap(),
            ],
            &[],
        );
        assert!(ok, "{err}");
        std::fs::read_to_string(out).unwrap()
    };
    let (first, second, other) = (export(a.path()), export(b.path()), export(c.path()));
    assert!(first.lines().count() > 2000);
    assert!(first == second, "the same seed, the same rows");
    assert!(first != other);
    // Seeding again replaces the fleet: the same rows, no more.
    seed(a.path(), &["--seed", "9"]);
    assert!(export(a.path()) == first);
}

#[tokio::test]
async fn a_fleet_seeds_into_postgresql() {
    let Some(schema) = postgres_schema("a_fleet_seeds_into_postgresql").await else {
        return;
    };
    let url = schema.url().to_string();
    let data = tempfile::tempdir().unwrap();
    seed(data.path(), &["--database", &url]);
    // The seed leaves the planner's statistics behind: without them PostgreSQL read by id
    // with an index that scans the whole tenant, until autovacuum came by.
    let executor = store::PostgresExecutor::connect(&url, 1).await.unwrap();
    let estimate = Statement {
        text: "SELECT reltuples::bigint FROM pg_class \
               WHERE oid = '\"deviceManagement__managedDevices\"'::regclass"
            .into(),
        params: Vec::new(),
        expect: Expect::Rows,
        decode: vec![ColumnType::Integer],
    };
    let plan = Plan {
        write: false,
        by_key: false,
        statements: vec![estimate],
        max_bytes: None,
        row: None,
    };
    let rows = executor.run(plan).await.unwrap();
    assert_eq!(
        rows[0][0][0],
        Param::Int(400),
        "the devices the planner expects"
    );
    let (_server, api) = serve(data.path(), &["--database", &url]).await;
    assert_eq!(
        api.count("/beta/deviceManagement/managedDevices/$count")
            .await,
        400
    );
    let scripts = api
        .all("/beta/deviceManagement/deviceManagementScripts")
        .await;
    let holder = format!(
        "/beta/deviceManagement/deviceManagementScripts/{}",
        scripts[0]["id"].as_str().unwrap()
    );
    api.assert_summary(
        "deviceManagement/deviceManagementScripts/runSummary",
        &format!("{holder}/runSummary"),
        &holder,
    )
    .await;
}
