//! What a run reads from a served data set before it measures: the targets of the
//! workloads (a sample of device ids, a script), and localgraph's own answers, which the
//! ceiling repeats ([`Samples`]).

use std::collections::HashMap;

use anyhow::{Context, bail};
use serde_json::{Map, Value};

use crate::ceiling::{Answer, Ids, Join, Predicate, QueryAnswer, Samples};
use crate::workloads::{Targets, named};

/// How many device ids W8 picks from (spread over the fleet).
const DEVICE_SAMPLE: usize = 1000;
/// How many rows a filtered ceiling holds, in the workload's order: enough for a page of
/// the rarest filter (W4 keeps about one row in nine).
const QUERY_ROWS: usize = 2000;

/// A client of one served data set, with a token of each tenant.
pub struct Reader<'a> {
    client: reqwest::Client,
    /// The server, `http://127.0.0.1:PORT`.
    pub base: &'a str,
    /// A token of the macOS rows' tenant.
    pub macos_token: &'a str,
    /// A token of the fleet's tenant.
    pub fleet_token: &'a str,
}

impl<'a> Reader<'a> {
    /// A reader of the server at `base`.
    pub fn new(base: &'a str, macos_token: &'a str, fleet_token: &'a str) -> Reader<'a> {
        Reader {
            client: reqwest::Client::new(),
            base,
            macos_token,
            fleet_token,
        }
    }

    async fn get(&self, url: &str, token: &str) -> anyhow::Result<Map<String, Value>> {
        let response = self.client.get(url).bearer_auth(token).send().await?;
        let response = response
            .error_for_status()
            .with_context(|| format!("GET {url}"))?;
        Ok(response.json().await?)
    }

    /// Rows of the collection at `url` (the first page and its next links) until at
    /// least `wanted` are read or the collection ends.
    async fn rows(
        &self,
        url: &str,
        token: &str,
        wanted: usize,
    ) -> anyhow::Result<Vec<Map<String, Value>>> {
        let mut rows = Vec::new();
        let mut next = Some(url.to_string());
        while let Some(url) = next.take() {
            let page = self.get(&url, token).await?;
            rows.extend(
                page.get("value")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|v| v.as_object().cloned()),
            );
            if rows.len() < wanted {
                next = page
                    .get("@odata.nextLink")
                    .and_then(Value::as_str)
                    .map(str::to_string);
            }
        }
        Ok(rows)
    }

    /// The workloads' targets: `macos_rows`, a spread sample of the fleet's device ids
    /// and its first script.
    pub async fn targets(&self, macos_rows: u64) -> anyhow::Result<Targets> {
        let devices = format!(
            "{}/v1.0/deviceManagement/managedDevices?$select=id&$top=999",
            self.base
        );
        let all = self.rows(&devices, self.fleet_token, usize::MAX).await?;
        let ids: Vec<String> = all.iter().filter_map(id).collect();
        if ids.is_empty() {
            bail!("the fleet has no devices");
        }
        let step = ids.len().div_ceil(DEVICE_SAMPLE);
        let devices = ids.into_iter().step_by(step).collect();
        let scripts = format!(
            "{}/beta/deviceManagement/deviceManagementScripts?$select=id&$top=1",
            self.base
        );
        let scripts = self.rows(&scripts, self.fleet_token, 1).await?;
        let script = scripts
            .first()
            .and_then(id)
            .context("the fleet has no script")?;
        Ok(Targets {
            macos_rows,
            devices,
            script,
        })
    }

    /// localgraph's answers for every ceiling. A filtered ceiling is given the rows in
    /// its workload's order *unfiltered*, and is checked to answer the same first page.
    pub async fn samples(&self, targets: &Targets) -> anyhow::Result<Samples> {
        let (m, f) = (self.macos_token, self.fleet_token);
        let url = |workload: &str| named(workload).page(self.base, targets);
        let unfiltered = |workload: &str| {
            let url = url(workload);
            let (path, query) = url.split_once('?').unwrap_or((&url, ""));
            let kept: Vec<&str> = query
                .split('&')
                .filter(|o| o.starts_with("$orderby") || o.starts_with("$expand"))
                .collect();
            format!("{path}?{}&$top=999", kept.join("&"))
        };
        let mut answers = vec![
            (
                "C-summary".into(),
                Answer::Fixed(self.get(&url("W1"), m).await?),
            ),
            (
                "C-entity".into(),
                Answer::ById {
                    entity: self.get(&url("W3"), m).await?,
                    ids: Ids::Seeded(targets.macos_rows),
                },
            ),
            (
                "C-walk".into(),
                Answer::Walk {
                    page: self.get(&url("W6"), m).await?,
                    rows: targets.macos_rows,
                },
            ),
            (
                "C-device".into(),
                Answer::ById {
                    entity: self.get(&url("W8"), f).await?,
                    ids: Ids::List(targets.devices.clone()),
                },
            ),
            (
                "C-runSummary".into(),
                Answer::Fixed(self.get(&url("W10"), f).await?),
            ),
        ];
        let queries = [
            (
                "C-filter",
                "W4",
                m,
                Some(Predicate::Gt("failedUpdateCount".into(), 3)),
            ),
            ("C-order", "W7", m, None),
            (
                "C-devices",
                "W9",
                f,
                Some(Predicate::Eq("operatingSystem".into(), "Windows".into())),
            ),
            ("C-states", "W11", f, None),
        ];
        for (name, workload, token, filter) in queries {
            let page = self.get(&url(workload), token).await?;
            let mut rows = self.rows(&unfiltered(workload), token, QUERY_ROWS).await?;
            let join = (workload == "W11").then(|| split_join(&mut rows, "managedDevice"));
            let context = page
                .get("@odata.context")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let answer = QueryAnswer {
                context,
                rows,
                filter,
                join,
            };
            check_first_page(name, &answer, &page)?;
            answers.push((name.into(), Answer::Query(answer)));
        }
        Ok(Samples { answers })
    }
}

fn id(row: &Map<String, Value>) -> Option<String> {
    row.get("id").and_then(Value::as_str).map(str::to_string)
}

/// Takes the expanded `navigation` out of each row into a join: the rows keep their own
/// properties, the join the linked entities by key.
fn split_join(rows: &mut [Map<String, Value>], navigation: &str) -> Join {
    let mut keys = Vec::with_capacity(rows.len());
    let mut entities = HashMap::new();
    for row in rows.iter_mut() {
        match row.shift_remove(navigation) {
            Some(Value::Object(entity)) => {
                let key = id(&entity);
                if let Some(key) = &key {
                    entities.insert(key.clone(), entity);
                }
                keys.push(key);
            }
            _ => keys.push(None),
        }
    }
    Join {
        navigation: navigation.into(),
        keys,
        entities,
    }
}

/// The ceiling's first page must hold the rows localgraph's does, in its order.
fn check_first_page(
    name: &str,
    answer: &QueryAnswer,
    page: &Map<String, Value>,
) -> anyhow::Result<()> {
    let expected: Vec<String> = page
        .get("value")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_object().and_then(id))
        .collect();
    let served: Vec<String> = answer
        .rows
        .iter()
        .filter(|r| answer.filter.as_ref().is_none_or(|p| p.accepts(r)))
        .take(expected.len())
        .filter_map(id)
        .collect();
    if expected.is_empty() || served != expected {
        bail!(
            "{name}: the ceiling's first page ({} rows) is not localgraph's ({} rows)",
            served.len(),
            expected.len()
        );
    }
    Ok(())
}
