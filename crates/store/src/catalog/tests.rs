use std::sync::Arc;

use super::*;
use intune::Schema;
use odata::Value;

fn catalog() -> Catalog {
    let schema = Schema::load().unwrap();
    Catalog::build(&schema).unwrap()
}

#[test]
fn every_place_an_entity_lives_gets_one_table() {
    let catalog = catalog();
    let tables: Vec<(String, TableKind)> = catalog
        .tables()
        .iter()
        .map(|t| (t.path.clone(), t.kind))
        .collect();
    for (path, kind) in [
        (
            "deviceManagement/softwareUpdateStatusSummary",
            TableKind::Summary,
        ),
        (
            "deviceManagement/macOSSoftwareUpdateAccountSummaries",
            TableKind::Collection,
        ),
        (
            "deviceManagement/macOSSoftwareUpdateAccountSummaries/categorySummaries/updateStateSummaries",
            TableKind::Collection,
        ),
        (
            "deviceManagement/deviceManagementScripts/runSummary",
            TableKind::Summary,
        ),
        (
            "deviceManagement/deviceManagementScripts/userRunStates/deviceRunStates",
            TableKind::Collection,
        ),
        (
            "deviceAppManagement/mobileAppConfigurations/userStatusSummary",
            TableKind::Contained,
        ),
        (
            "deviceAppManagement/mobileAppConfigurations/deviceStatusSummary",
            TableKind::Contained,
        ),
    ] {
        assert!(
            tables.contains(&(path.to_string(), kind)),
            "{path} {kind:?}"
        );
    }
    for t in catalog.tables() {
        assert!(t.sql_name.len() <= 63, "{}", t.sql_name);
        if let Some(parent) = t.parent {
            assert!(parent < t.id, "parents come first");
        }
    }
}

#[test]
fn columns_are_the_union_of_versions_and_derived_types() {
    let catalog = catalog();
    let by_path = |p: &str| {
        catalog
            .tables()
            .iter()
            .find(|t| t.path == p)
            .unwrap()
            .clone()
    };
    let summary = by_path("deviceAppManagement/mobileAppConfigurations/userStatusSummary");
    let conflict = summary
        .column("conflictCount")
        .expect("beta-only column is stored");
    assert_eq!(conflict.default, Some(Value::Int(0)));
    let configs = by_path("deviceAppManagement/mobileAppConfigurations");
    assert!(
        configs.column("settings").is_some(),
        "from iosMobileAppConfiguration"
    );
    assert!(configs.column("roleScopeTagIds").is_some(), "beta-only");
    assert!(configs.column("id").is_none(), "the key is not a column");
    assert_eq!(
        configs.column("createdDateTime").unwrap().stamp,
        Some(Stamp::Created)
    );
    assert_eq!(
        configs.column("lastModifiedDateTime").unwrap().stamp,
        Some(Stamp::Modified)
    );
    let states = by_path(
        "deviceManagement/macOSSoftwareUpdateAccountSummaries/categorySummaries/updateStateSummaries",
    );
    let ColumnType::Enum(members) = &states.column("state").unwrap().ty else {
        panic!("state is an enum column");
    };
    assert!(members.contains(&("installFailed".into(), 2006)));
}

#[test]
fn postgres_ddl_sorts_text_by_bytes_and_types_every_column() {
    use crate::sql::{Dialect, Postgres, create_table};
    let catalog = catalog();
    let scripts = catalog
        .tables()
        .iter()
        .find(|t| t.path == "deviceManagement/deviceManagementScripts")
        .unwrap();
    let ddl = create_table(&Postgres, scripts, None).join("\n");
    for expected in [
        r#""_tenant" TEXT COLLATE "C" NOT NULL"#,
        r#""id" TEXT COLLATE "C" NOT NULL"#,
        r#""displayName" TEXT COLLATE "C""#,
        r#""runAsAccount" BIGINT NOT NULL DEFAULT 0"#,
        r#""enforceSignatureCheck" BOOLEAN NOT NULL DEFAULT FALSE"#,
        r#""createdDateTime" BIGINT"#,
    ] {
        assert!(ddl.contains(expected), "{expected} not in\n{ddl}");
    }
    assert_eq!(
        (Postgres.nulls_order(false), Postgres.nulls_order(true)),
        (" NULLS FIRST", " NULLS LAST")
    );
    let mut text = String::from("a = ");
    Postgres.push_placeholder(&mut text, 3);
    Postgres.push_placeholder(&mut text, 12);
    assert_eq!(text, "a = $3$12");
}

#[test]
fn an_enum_column_keeps_the_members_of_every_version() {
    let catalog = catalog();
    let devices = catalog
        .tables()
        .iter()
        .find(|t| t.path == "deviceManagement/managedDevices")
        .unwrap();
    let ColumnType::Enum(members) = &devices.column("deviceEnrollmentType").unwrap().ty else {
        panic!("deviceEnrollmentType is an enum column");
    };
    let has = |name: &str, value: i64| members.contains(&(name.into(), value));
    assert!(has("windowsCoManagement", 9), "in both versions");
    assert!(has("androidEnterpriseFullyManaged", 16), "beta-only");
    assert!(has("unknownFutureValue", 26));

    let member = |name: &str, value: i64| (Arc::<str>::from(name), value);
    let v1 = ColumnType::Enum([member("a", 0), member("b", 1)].into());
    let beta = ColumnType::Enum([member("a", 0), member("c", 2)].into());
    assert_eq!(
        merged(&v1, &beta),
        Some(ColumnType::Enum(
            [member("a", 0), member("b", 1), member("c", 2)].into()
        ))
    );
    let renumbered = ColumnType::Enum([member("b", 2)].into());
    assert_eq!(
        merged(&v1, &renumbered),
        None,
        "b means 1 in one, 2 in the other"
    );
    let renamed = ColumnType::Enum([member("z", 1)].into());
    assert_eq!(merged(&v1, &renamed), None, "1 would decode to two names");
    assert_eq!(merged(&v1, &ColumnType::Text), None);
    assert_eq!(
        merged(&ColumnType::Text, &ColumnType::Text),
        Some(ColumnType::Text)
    );
}
