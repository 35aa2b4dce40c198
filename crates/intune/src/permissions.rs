//! Which Graph permissions each served place needs: one table, kept as data next to the
//! schema (`schema/permissions.json`), one rule per place, with its evidence.
//!
//! A place is a served path's names without keys, casts, versions or `$count`/`$ref`
//! (`deviceManagement/deviceManagementScripts/runSummary`, `…/deviceManagementScripts/assign`);
//! see [`odata::Places`]. Each rule lists the permissions that allow a read, those that
//! allow a write, and for an action those that allow invoking it, per Graph's permission
//! reference (`research/graph-behavior.md` §6.3). The names hold for delegated tokens (`scp`)
//! and app-only tokens (`roles`) alike. A place with no rule allows nothing: a test keeps
//! every served place covered, so a new place cannot silently inherit another's rule.

use std::sync::LazyLock;

use serde::Deserialize;

/// What a request does at a place: GET reads, POST/PATCH/PUT/DELETE write, and a `POST`
/// to an action invokes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Access {
    /// GET.
    Read,
    /// POST, PATCH, PUT, DELETE.
    Write,
    /// POST to a bound action.
    Invoke,
}

/// One row of the table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// The place this rule covers.
    pub place: String,
    /// Permissions that allow a read, any one of them.
    #[serde(default)]
    pub read: Vec<String>,
    /// Permissions that allow a write, any one of them.
    #[serde(default)]
    pub write: Vec<String>,
    /// Permissions that allow invoking the action at this place, any one of them.
    #[serde(default)]
    pub invoke: Vec<String>,
    /// Where the rule comes from.
    pub evidence: String,
}

impl Rule {
    /// The permissions of which any one allows `access`.
    pub fn allowing(&self, access: Access) -> &[String] {
        match access {
            Access::Read => &self.read,
            Access::Write => &self.write,
            Access::Invoke => &self.invoke,
        }
    }
}

/// The permission table: one rule per served place.
#[derive(Debug, Clone)]
pub struct Permissions {
    rules: Vec<Rule>,
    /// Every permission that allows a write somewhere, each once, in table order.
    writes: Vec<String>,
}

/// The bundled table, `schema/permissions.json`.
const BUNDLED: &str = include_str!("../schema/permissions.json");

static DEFAULT: LazyLock<Permissions> = LazyLock::new(|| {
    // The file is part of the build, and tests read it: it is valid.
    Permissions::from_json(BUNDLED).expect("schema/permissions.json is a valid permission table")
});

impl Permissions {
    /// The bundled table.
    pub fn bundled() -> &'static Permissions {
        &DEFAULT
    }

    /// Reads a table in the bundled file's form: a JSON array of rules.
    pub fn from_json(json: &str) -> Result<Permissions, serde_json::Error> {
        let rules: Vec<Rule> = serde_json::from_str(json)?;
        let mut writes: Vec<String> = Vec::new();
        for name in rules.iter().flat_map(|rule| &rule.write) {
            if !writes.contains(name) {
                writes.push(name.clone());
            }
        }
        Ok(Permissions { rules, writes })
    }

    /// Every rule, in file order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The rule of a place (its path, compared case-insensitively), if it has one.
    pub fn rule(&self, place: &str) -> Option<&Rule> {
        self.rules
            .iter()
            .find(|r| r.place.eq_ignore_ascii_case(place))
    }

    /// The permissions of which any one allows `access` at `place`; empty when the table
    /// has no rule (then nothing allows it).
    pub fn required(&self, place: &str, access: Access) -> &[String] {
        self.rule(place).map_or(&[], |r| r.allowing(access))
    }

    /// Every permission that allows a write at some place (the `ReadWrite` ones), each
    /// once, in table order: what a caller holds one of to change a tenant through the
    /// control API (a token that may only read may not wipe or restore its data).
    pub fn writes(&self) -> &[String] {
        &self.writes
    }

    /// Every permission the table names, each once, in table order: what an
    /// all-powerful token (the one `serve` prints, `--auth off`) holds.
    pub fn all(&self) -> Vec<&str> {
        let mut all: Vec<&str> = Vec::new();
        for rule in &self.rules {
            for name in rule.read.iter().chain(&rule.write).chain(&rule.invoke) {
                if !all.contains(&name.as_str()) {
                    all.push(name);
                }
            }
        }
        all
    }
}

#[cfg(test)]
mod tests;
