//! The ceiling: a minimal axum server that answers the same JSON as localgraph from memory,
//! with no database, no token check, no validation and no logging. What localgraph gets
//! of its throughput, measured minutes apart on the same machine, is the ratio the report
//! prints: it cancels most of the machine's noise (other builds on the 2 cores, CPU
//! frequency), which bare numbers cannot.
//!
//! It is given real answers of the localgraph it is compared with (one summary, one entity,
//! one page), and serves:
//! - `GET /v1.0/deviceManagement/softwareUpdateStatusSummary`: the summary (W1, W5);
//! - `GET /beta/deviceManagement/macOSSoftwareUpdateAccountSummaries/{id}`: one of `rows`
//!   entities by id from a hash map, 404 for others (W2, W3);
//! - `GET /beta/deviceManagement/macOSSoftwareUpdateAccountSummaries[?$skiptoken=N]`: a page
//!   of 100 with an `@odata.nextLink` until `rows` are walked (W4, W6, W7).
//!
//! Each answer is serialized per request from a `serde_json` value, as any JSON API does.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Real answers of localgraph the ceiling repeats.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Samples {
    /// The body of W1.
    pub summary: Map<String, Value>,
    /// The body of one W3 answer.
    pub entity: Map<String, Value>,
    /// The body of the first page of the collection (its `value` and `@odata.context`).
    pub page: Map<String, Value>,
}

/// The id of seeded row `i`, as `localgraph seed` makes it.
pub fn seeded_id(i: u64) -> String {
    format!("00000000-0000-7000-8000-{i:012}")
}

struct Data {
    summary: Map<String, Value>,
    entities: HashMap<String, Map<String, Value>>,
    page: Map<String, Value>,
    rows: u64,
}

/// Serves the ceiling on `listen` until the process is stopped; prints the address.
pub async fn serve(listen: SocketAddr, samples: Samples, rows: u64) -> anyhow::Result<()> {
    let entities = (0..rows)
        .map(|i| {
            let mut entity = samples.entity.clone();
            entity.insert("id".into(), Value::String(seeded_id(i)));
            (seeded_id(i), entity)
        })
        .collect();
    let data = Arc::new(Data {
        summary: samples.summary,
        entities,
        page: samples.page,
        rows,
    });
    let collection = "/beta/deviceManagement/macOSSoftwareUpdateAccountSummaries";
    let app = Router::new()
        .route(
            "/v1.0/deviceManagement/softwareUpdateStatusSummary",
            get(summary),
        )
        .route(collection, get(page))
        .route(&format!("{collection}/{{id}}"), get(entity))
        .with_state(data);
    let listener = tokio::net::TcpListener::bind(listen).await?;
    println!("ceiling listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}

fn json(body: &Map<String, Value>) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    ([(header::CONTENT_TYPE, "application/json")], bytes).into_response()
}

async fn summary(State(data): State<Arc<Data>>) -> Response {
    json(&data.summary)
}

async fn entity(State(data): State<Arc<Data>>, Path(id): Path<String>) -> Response {
    match data.entities.get(&id) {
        Some(entity) => json(entity),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

#[derive(Deserialize)]
struct PageQuery {
    #[serde(rename = "$skiptoken")]
    skiptoken: Option<u64>,
}

/// A page as localgraph writes it: context, next link, value.
#[derive(Serialize)]
struct PageBody<'a> {
    #[serde(rename = "@odata.context")]
    context: Option<&'a Value>,
    #[serde(rename = "@odata.nextLink", skip_serializing_if = "Option::is_none")]
    next: Option<String>,
    value: Option<&'a Value>,
}

async fn page(
    State(data): State<Arc<Data>>,
    Query(query): Query<PageQuery>,
    headers: HeaderMap,
) -> Response {
    let offset = query.skiptoken.unwrap_or(0);
    let next = (offset + 100 < data.rows).then(|| {
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("127.0.0.1");
        format!(
            "http://{host}/beta/deviceManagement/macOSSoftwareUpdateAccountSummaries?$skiptoken={}",
            offset + 100
        )
    });
    let body = PageBody {
        context: data.page.get("@odata.context"),
        next,
        value: data.page.get("value"),
    };
    let bytes = serde_json::to_vec(&body).unwrap_or_default();
    ([(header::CONTENT_TYPE, "application/json")], bytes).into_response()
}
