//! The data set's persistent settings (its default tenant, keys, registered clients,
//! counts) in the `_settings` table: read, made once, added to, listed, replaced.

use super::{Executor, SqlStore};
use crate::StoreError;
use crate::plan::{Expect, Rows, SETTINGS, statement};
use crate::sql::{Param, Sql};

impl<E: Executor> SqlStore<E> {
    pub(super) async fn setting_or_insert(
        &self,
        key: &str,
        initial: &str,
    ) -> Result<String, StoreError> {
        let mut sql = Sql::new(self.executor.dialect());
        sql.push("INSERT INTO ")
            .ident(SETTINGS)
            .push(" (key, value) VALUES (")
            .bind(Param::Text(key.into()))
            .push(", ")
            .bind(Param::Text(initial.into()))
            .push(") ON CONFLICT (key) DO NOTHING");
        let insert = statement(sql, Expect::Affected, Vec::new());
        let select = self.planner().setting(key);
        let rows = self.run_one(true, vec![insert], select).await?;
        setting_value(key, rows)?.ok_or(StoreError::NotFound)
    }

    pub(super) async fn read_setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        let select = self.planner().setting(key);
        setting_value(key, self.run_one(false, Vec::new(), select).await?)
    }

    pub(super) async fn add_setting(&self, key: &str, delta: i64) -> Result<i64, StoreError> {
        let planner = self.planner();
        let add = planner.add_to_setting(key, delta);
        let rows = self.run_one(true, vec![add], planner.setting(key)).await?;
        let sum = setting_value(key, rows)?.ok_or(StoreError::NotFound)?;
        sum.parse()
            .map_err(|_| StoreError::Backend(format!("setting {key} is not a count").into()))
    }

    pub(super) async fn all_settings(&self) -> Result<Vec<(String, String)>, StoreError> {
        let rows = self
            .run_one(false, Vec::new(), self.planner().settings())
            .await?;
        Ok(rows
            .into_iter()
            .filter_map(|row| match <[Param; 2]>::try_from(row) {
                Ok([Param::Text(key), Param::Text(value)]) => Some((key, value)),
                _ => None,
            })
            .collect())
    }

    pub(super) async fn write_setting(&self, key: &str, value: &str) -> Result<(), StoreError> {
        let put = self.planner().put_setting(key, value);
        self.run(true, Vec::new(), vec![put]).await.map(|_| ())
    }
}

/// The value a setting's select found, if any.
fn setting_value(key: &str, rows: Rows) -> Result<Option<String>, StoreError> {
    match rows.into_iter().next().map(|row| row.into_iter().next()) {
        None => Ok(None),
        Some(Some(Param::Text(value))) => Ok(Some(value)),
        Some(_) => Err(StoreError::Backend(
            format!("setting {key} is not text").into(),
        )),
    }
}
