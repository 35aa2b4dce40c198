//! Micro-benchmarks of the pure code every request runs: query-option parsing and checking
//! (`$filter`, `$orderby`) and request-body validation, against the served beta schema.
//! Run with `cargo bench -p odata`; not part of `cargo test`.

use odata::input::Numbers;
use odata::query::QueryOptions;
use odata::value::read_entity;
use odata::{Model, WriteMode};
use serde_json::{Map, Value};

fn main() {
    divan::main();
}

fn beta() -> Model {
    Model::from_csdl(include_str!("../../intune/schema/beta.csdl.xml")).expect("beta CSDL")
}

const ACCOUNT: &str = "macOSSoftwareUpdateAccountSummary";

/// The query strings of the benchmark workloads, and a harder one.
const QUERIES: [(&str, &str); 3] = [
    ("w4_filter", "$filter=failedUpdateCount%20gt%203&$top=100"),
    ("w7_orderby", "$orderby=lastUpdatedDateTime%20desc&$top=100"),
    (
        "complex",
        "$filter=(failedUpdateCount%20gt%203%20and%20startswith(deviceName,'MAC-00'))%20or%20lastUpdatedDateTime%20lt%202025-06-01T00:00:00Z%20or%20osVersion%20in%20('14.1.0','14.2.1')&$orderby=deviceName,lastUpdatedDateTime%20desc&$select=id,deviceName&$count=true",
    ),
];

#[divan::bench(args = QUERIES.map(|(name, _)| name))]
fn query_options(bencher: divan::Bencher, name: &str) {
    let model = beta();
    let ty = model.structured(ACCOUNT).expect("account type");
    let raw = QUERIES.iter().find(|(n, _)| *n == name).map(|(_, q)| *q);
    bencher.bench(|| QueryOptions::parse(divan::black_box(raw), &model, ty).expect("valid"));
}

/// Seed document 002's body.
const CREATE: &str = r##"{"@odata.type":"#microsoft.graph.macOSSoftwareUpdateAccountSummary","displayName":"Display Name value","deviceId":"Device Id value","userId":"User Id value","deviceName":"Device Name value","userPrincipalName":"User Principal Name value","osVersion":"Os Version value","successfulUpdateCount":5,"failedUpdateCount":1,"totalUpdateCount":0,"lastUpdatedDateTime":"2017-01-01T00:00:56.8321556-08:00"}"##;

#[divan::bench]
fn read_entity_create(bencher: divan::Bencher) {
    let model = beta();
    let body: Map<String, Value> = serde_json::from_str(CREATE).expect("JSON");
    bencher.bench(|| {
        read_entity(
            &model,
            ACCOUNT,
            divan::black_box(&body),
            &Numbers::default(),
            WriteMode::Create,
        )
        .expect("valid")
    });
}

#[divan::bench]
fn parse_and_read_entity_create(bencher: divan::Bencher) {
    let model = beta();
    bencher.bench(|| {
        let body: Map<String, Value> =
            serde_json::from_str(divan::black_box(CREATE)).expect("JSON");
        read_entity(
            &model,
            ACCOUNT,
            &body,
            &Numbers::default(),
            WriteMode::Create,
        )
        .expect("valid")
    });
}
