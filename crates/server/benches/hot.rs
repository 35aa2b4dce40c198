//! Micro-benchmarks of the pure code on every data request's path: verifying the bearer
//! token, and rendering entities and pages from the model. Run with `cargo bench -p
//! server`; not part of `cargo test`.

use std::time::Duration;

use intune::{ApiVersion, Schema};
use odata::Value;
use server::auth::{KeySet, SigningKey, TokenSpec, verify};
use server::render;
use store::{Names, Record};

fn main() {
    divan::main();
}

const ACCOUNT: &str = "macOSSoftwareUpdateAccountSummary";

/// The columns of a macOS account summary's table, one list shared by every record of a
/// read as the store shares it (a page renders a record with another list by searching
/// its values by name).
fn columns() -> Names {
    [
        "displayName",
        "deviceId",
        "userId",
        "deviceName",
        "userPrincipalName",
        "osVersion",
        "successfulUpdateCount",
        "failedUpdateCount",
        "totalUpdateCount",
        "lastUpdatedDateTime",
    ]
    .into_iter()
    .map(Into::into)
    .collect()
}

/// A macOS account summary as the store returns it, its values named by `columns`.
fn record(i: u64, columns: &Names) -> Record {
    let values = [
        Value::String(format!("Mac {i}")),
        Value::String(format!("device-{i:07}")),
        Value::String(format!("user-{i:06}")),
        Value::String(format!("MAC-{i:07}")),
        Value::String(format!("user{i}@contoso.example")),
        Value::String("14.2.1".into()),
        Value::Int(7),
        Value::Int(2),
        Value::Int(9),
        Value::DateTimeOffset(638_812_864_123_456_700),
    ];
    Record {
        type_name: ACCOUNT.into(),
        id: format!("00000000-0000-7000-8000-{i:012}"),
        names: columns.clone(),
        values: values.into(),
        expanded: Vec::new(),
    }
}

const CONTEXT: &str =
    "http://127.0.0.1:8080/beta/$metadata#deviceManagement/macOSSoftwareUpdateAccountSummaries";

fn entity<'a>(model: &'a odata::Model, record: &'a Record) -> render::Entity<'a> {
    render::Entity {
        model,
        record,
        declared: ACCOUNT,
        select: None,
        expand: &[],
        annotations: render::TypeAnnotations::Always,
        context: None,
    }
}

#[divan::bench]
fn render_entity(bencher: divan::Bencher) {
    let schema = Schema::load().expect("schema");
    let model = schema.model(ApiVersion::Beta);
    let record = record(1, &columns());
    bencher.bench(|| {
        let context = format!("{CONTEXT}/$entity");
        let body = render::Entity {
            context: Some(&context),
            ..entity(model, divan::black_box(&record))
        };
        body.to_bytes()
    });
}

#[divan::bench]
fn render_page_of_100(bencher: divan::Bencher) {
    let schema = Schema::load().expect("schema");
    let model = schema.model(ApiVersion::Beta);
    let columns = columns();
    let records: Vec<Record> = (0..100).map(|i| record(i, &columns)).collect();
    bencher.bench(|| {
        let records = divan::black_box(&records).iter();
        render::page(CONTEXT, None, None, records.map(|r| entity(model, r)))
    });
}

#[divan::bench]
fn verify_token(bencher: divan::Bencher) {
    let pem = SigningKey::generate_pem().expect("key");
    let key = SigningKey::from_pem(&pem).expect("key");
    let keys = KeySet::own(&key);
    let spec = TokenSpec::everything(
        "b0000000-0000-4000-8000-00000000be9c",
        Duration::from_secs(3600),
    );
    let token = key.mint(&spec).expect("token");
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    bencher.bench(|| verify::verify(&keys, divan::black_box(&token), now).expect("valid"));
}
