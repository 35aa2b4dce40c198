//! The ceiling: a minimal axum server that answers the same JSON as localgraph from memory,
//! with no database, no token check, no validation and no logging. What localgraph gets
//! of its throughput, measured minutes apart on the same machine, is the ratio the report
//! prints: it cancels most of the machine's noise (other builds on the 2 cores, CPU
//! frequency), which bare numbers cannot.
//!
//! It is given real answers of the localgraph it is compared with ([`Samples`]), one per
//! ceiling, each served under `/c/{name}` in one of four shapes:
//! - [`Answer::Fixed`]: one entity (a summary), serialized per request (W1, W5, W10);
//! - [`Answer::ById`]: `/c/{name}/{id}`, one of many entities from a hash map, 404 for
//!   others (W2, W3, W8, W12);
//! - [`Answer::Query`]: a page of 100 rows **filtered and serialized per request**: the
//!   rows are held in the order the workload reads them (what an in-memory index on the
//!   sort key would walk), each request walks them, keeps those the predicate accepts,
//!   joins the expanded entity from a hash map when the workload expands one, and
//!   serializes the first 100 with an `@odata.nextLink` when a 101st matches (W4, W7, W9,
//!   W11);
//! - [`Answer::Walk`]: one page repeated with `$skiptoken` links until `rows` are walked
//!   (W6).
//!
//! Each answer is serialized per request from `serde_json` values, as any JSON API does.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};
use serde_json::{Map, Value};

/// Real answers of localgraph the ceiling repeats, by ceiling name (`C-summary`, …).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Samples {
    /// The answers, by name.
    pub answers: Vec<(String, Answer)>,
}

/// What one ceiling serves.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Answer {
    /// The same entity for every request.
    Fixed(Map<String, Value>),
    /// One entity by id: `entity` with its `id` replaced, for each id.
    ById {
        /// A real entity.
        entity: Map<String, Value>,
        /// The ids served.
        ids: Ids,
    },
    /// A filtered (and joined) page of `rows`.
    Query(QueryAnswer),
    /// One page walked `rows / page` times.
    Walk {
        /// A real first page (its `@odata.context` and `value`).
        page: Map<String, Value>,
        /// Rows in the walked collection.
        rows: u64,
    },
}

/// The ids a [`Answer::ById`] serves.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Ids {
    /// `localgraph seed --macos N`'s ids 0..N.
    Seeded(u64),
    /// These ids.
    List(Vec<String>),
}

/// A page filtered per request.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct QueryAnswer {
    /// The page's `@odata.context`.
    pub context: String,
    /// The rows, in the workload's order, without the expanded navigation.
    pub rows: Vec<Map<String, Value>>,
    /// Which rows the workload's `$filter` keeps.
    pub filter: Option<Predicate>,
    /// The expanded navigation: its name, each row's key of the joined entity, and the
    /// entities by key.
    pub join: Option<Join>,
}

/// A `$filter` of one comparison.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Predicate {
    /// `property gt n`.
    Gt(String, i64),
    /// `property eq 'text'`.
    Eq(String, String),
}

impl Predicate {
    /// Whether `row` matches.
    pub fn accepts(&self, row: &Map<String, Value>) -> bool {
        match self {
            Predicate::Gt(property, n) => row
                .get(property)
                .and_then(Value::as_i64)
                .is_some_and(|v| v > *n),
            Predicate::Eq(property, text) => {
                row.get(property).and_then(Value::as_str) == Some(text.as_str())
            }
        }
    }
}

/// An expanded single-valued navigation, joined per request.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Join {
    /// The navigation property (`managedDevice`).
    pub navigation: String,
    /// Per row, the key of its linked entity.
    pub keys: Vec<Option<String>>,
    /// The linked entities, by key.
    pub entities: HashMap<String, Map<String, Value>>,
}

/// The id of seeded row `i`, as `localgraph seed --macos` makes it.
pub fn seeded_id(i: u64) -> String {
    format!("00000000-0000-7000-8000-{i:012}")
}

/// What the server holds: the answers by name, entities by id materialized.
struct Data {
    fixed: HashMap<String, Map<String, Value>>,
    by_id: HashMap<String, HashMap<String, Map<String, Value>>>,
    queries: HashMap<String, QueryAnswer>,
    walks: HashMap<String, (Map<String, Value>, u64)>,
}

/// Serves the ceiling on `listen` until the process is stopped; prints the address.
pub async fn serve(listen: SocketAddr, samples: Samples) -> anyhow::Result<()> {
    let mut data = Data {
        fixed: HashMap::new(),
        by_id: HashMap::new(),
        queries: HashMap::new(),
        walks: HashMap::new(),
    };
    for (name, answer) in samples.answers {
        match answer {
            Answer::Fixed(body) => {
                data.fixed.insert(name, body);
            }
            Answer::ById { entity, ids } => {
                let ids: Vec<String> = match ids {
                    Ids::Seeded(n) => (0..n).map(seeded_id).collect(),
                    Ids::List(ids) => ids,
                };
                let entities = ids
                    .into_iter()
                    .map(|id| {
                        let mut entity = entity.clone();
                        entity.insert("id".into(), Value::String(id.clone()));
                        (id, entity)
                    })
                    .collect();
                data.by_id.insert(name, entities);
            }
            Answer::Query(query) => {
                data.queries.insert(name, query);
            }
            Answer::Walk { page, rows } => {
                data.walks.insert(name, (page, rows));
            }
        }
    }
    let app = Router::new()
        .route("/c/{name}", get(collection))
        .route("/c/{name}/{id}", get(entity))
        .with_state(Arc::new(data));
    let listener = tokio::net::TcpListener::bind(listen).await?;
    println!("ceiling listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}

fn json(body: &impl Serialize) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    ([(header::CONTENT_TYPE, "application/json")], bytes).into_response()
}

async fn entity(
    State(data): State<Arc<Data>>,
    Path((name, id)): Path<(String, String)>,
) -> Response {
    match data.by_id.get(&name).and_then(|entities| entities.get(&id)) {
        Some(entity) => json(entity),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

#[derive(Deserialize)]
struct PageQuery {
    #[serde(rename = "$skiptoken")]
    skiptoken: Option<usize>,
}

/// A page as localgraph writes it: context, next link, value.
#[derive(Serialize)]
struct PageBody<'a, T: Serialize> {
    #[serde(rename = "@odata.context")]
    context: &'a Value,
    #[serde(rename = "@odata.nextLink", skip_serializing_if = "Option::is_none")]
    next: Option<String>,
    value: T,
}

/// A row with its expanded entity appended (serialized by reference, as a server that
/// joins in memory would).
struct Joined<'a> {
    row: &'a Map<String, Value>,
    expanded: Option<(&'a str, Option<&'a Map<String, Value>>)>,
}

impl Serialize for Joined<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        for (key, value) in self.row {
            map.serialize_entry(key, value)?;
        }
        if let Some((navigation, entity)) = self.expanded {
            map.serialize_entry(navigation, &entity)?;
        }
        map.end()
    }
}

const PAGE: usize = 100;

async fn collection(
    State(data): State<Arc<Data>>,
    Path(name): Path<String>,
    Query(query): Query<PageQuery>,
    headers: HeaderMap,
) -> Response {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    let offset = query.skiptoken.unwrap_or(0);
    let link = |at: usize| format!("http://{host}/c/{name}?$skiptoken={at}");
    if let Some(body) = data.fixed.get(&name) {
        return json(body);
    }
    if let Some((page, rows)) = data.walks.get(&name) {
        let body = PageBody {
            context: page.get("@odata.context").unwrap_or(&Value::Null),
            next: ((offset + PAGE) < *rows as usize).then(|| link(offset + PAGE)),
            value: page.get("value").unwrap_or(&Value::Null),
        };
        return json(&body);
    }
    let Some(answer) = data.queries.get(&name) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    // Walk the rows in order, keep the matches: a page and one more, to know if another
    // page follows.
    let matching: Vec<usize> = (offset..answer.rows.len())
        .filter(|&i| {
            answer
                .filter
                .as_ref()
                .is_none_or(|p| p.accepts(&answer.rows[i]))
        })
        .take(PAGE + 1)
        .collect();
    let next = (matching.len() > PAGE).then(|| link(matching[PAGE]));
    let value: Vec<Joined> = matching
        .iter()
        .take(PAGE)
        .map(|&i| Joined {
            row: &answer.rows[i],
            expanded: answer.join.as_ref().map(|join| {
                let key = join.keys.get(i).and_then(Option::as_ref);
                (
                    join.navigation.as_str(),
                    key.and_then(|key| join.entities.get(key)),
                )
            }),
        })
        .collect();
    let context = Value::String(answer.context.clone());
    json(&PageBody {
        context: &context,
        next,
        value,
    })
}
