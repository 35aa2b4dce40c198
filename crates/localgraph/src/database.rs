//! Which database holds the data set: the SQLite file in the data directory (the default)
//! or a PostgreSQL database (`--database postgres://…`), shared by `serve`, `export` and
//! `import`.

use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::Args;
use server::DEFAULT_TENANT_SETTING;
use store::{Catalog, PostgresExecutor, SqlStore, SqliteExecutor, Store};

/// `--database` and `--pool-size`.
#[derive(Debug, Clone, Args)]
pub struct DatabaseArgs {
    /// A PostgreSQL database (`postgres://user:password@host:port/name`) instead of the
    /// SQLite file in the data directory. Several nodes can share one.
    #[arg(long, env = "LOCALGRAPH_DATABASE", value_name = "URL")]
    pub database: Option<String>,
    /// The most PostgreSQL connections this node keeps open.
    #[arg(long, env = "LOCALGRAPH_POOL_SIZE", default_value_t = 10)]
    pub pool_size: u32,
}

impl DatabaseArgs {
    /// Where the data lives, for logs and messages (without a password).
    pub fn describe(&self, data_dir: &Path) -> String {
        match &self.database {
            Some(url) => redact(url),
            None => sqlite_path(data_dir).display().to_string(),
        }
    }

    /// Opens the data set with the bundled schema's tables.
    pub async fn open_bundled(
        &self,
        data_dir: &Path,
        need: Need,
    ) -> anyhow::Result<Arc<dyn Store>> {
        let schema = intune::Schema::load().context("the bundled schema is invalid")?;
        let catalog =
            Catalog::build(&schema).context("the bundled schema has no storage layout")?;
        self.open(data_dir, catalog, need, Purpose::Command).await
    }

    /// Opens the data set for `purpose` and lays out (or migrates) its tables. With
    /// [`Need::Existing`] it refuses where there is no data set (a typo in `--data-dir`, or
    /// the default `./data` from another directory) instead of starting an empty one.
    pub async fn open(
        &self,
        data_dir: &Path,
        catalog: Catalog,
        need: Need,
        purpose: Purpose,
    ) -> anyhow::Result<Arc<dyn Store>> {
        let where_ = self.describe(data_dir);
        let store: Arc<dyn Store> = match self.database.as_deref() {
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                let executor = PostgresExecutor::connect(url, self.pool_size)
                    .await
                    .with_context(|| format!("cannot connect to {}", redact(url)))?;
                let store = SqlStore::open(catalog, executor)
                    .await
                    .context("cannot lay out the database")?;
                Arc::new(store)
            }
            Some(other) => bail!(
                "--database {} is not a PostgreSQL URL (postgres://…); leave it out for the SQLite file in the data directory",
                redact(other)
            ),
            None => {
                let path = sqlite_path(data_dir);
                if need == Need::Existing && !path.exists() {
                    bail!(no_data_set(&absolute(&path), false));
                }
                std::fs::create_dir_all(data_dir).with_context(|| {
                    format!("cannot create the data directory {}", data_dir.display())
                })?;
                let executor = match purpose {
                    Purpose::Serve => SqliteExecutor::open_to_serve(&path).await,
                    Purpose::Command => SqliteExecutor::open(&path).await,
                };
                let executor =
                    executor.with_context(|| format!("cannot open {}", path.display()))?;
                let store = SqlStore::open(catalog, executor)
                    .await
                    .context("cannot lay out the database")?;
                Arc::new(store)
            }
        };
        match need {
            Need::Create => {
                let fresh = uuid::Uuid::new_v4().to_string();
                store.setting(DEFAULT_TENANT_SETTING, &fresh).await?;
            }
            Need::Existing => {
                if store.find_setting(DEFAULT_TENANT_SETTING).await?.is_none() {
                    bail!(no_data_set(&where_, true));
                }
            }
        }
        Ok(store)
    }
}

/// Whether a command may begin a data set where there is none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// `serve`, `import` and `seed` begin one.
    Create,
    /// `token`, `client add` and `export` need one: they refuse where there is none.
    Existing,
}

/// What the data set is opened for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// `serve`: on SQLite, with the hold that keeps its reads from locking the file (see
    /// `SqliteExecutor::open_to_serve`).
    Serve,
    /// A command that ends by itself.
    Command,
}

/// The refusal of a command that needs a data set where there is none.
fn no_data_set(place: &str, database: bool) -> String {
    let hint = if database {
        "Start `localgraph serve --database …` on it once, or pass the --database URL the server uses."
    } else {
        "Pass the --data-dir (env LOCALGRAPH_DATA_DIR) the server uses (the default, ./data, is relative to the current directory), or start `localgraph serve` once to create the data set."
    };
    format!("no data set at {place}: nothing was changed. {hint}")
}

fn absolute(path: &Path) -> String {
    std::path::absolute(path)
        .unwrap_or_else(|_| path.to_path_buf())
        .display()
        .to_string()
}

/// The SQLite file of a data directory.
pub fn sqlite_path(data_dir: &Path) -> std::path::PathBuf {
    data_dir.join("localgraph.sqlite")
}

/// A URL with its password replaced by `***`.
fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    match rest.split_once('@') {
        Some((user_info, host)) => {
            let user = user_info.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}:***@{host}")
        }
        None => url.to_string(),
    }
}

/// Refreshes the planner's statistics after a bulk load (`seed`, `import`). The rows are
/// committed by then, so a failure is a warning, not the command's.
pub async fn analyze(store: &dyn Store) {
    if let Err(error) = store.analyze().await {
        tracing::warn!(%error, "the planner's statistics were not refreshed (ANALYZE)");
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_not_shown() {
        assert_eq!(
            super::redact("postgres://lg:secret@127.0.0.1:5432/lg"),
            "postgres://lg:***@127.0.0.1:5432/lg"
        );
        assert_eq!(
            super::redact("postgres://127.0.0.1/lg"),
            "postgres://127.0.0.1/lg"
        );
    }
}
