//! Software updates of a fleet: a macOS software update account summary per Mac with its
//! update categories and their update states (the counts are computed after the load), and
//! the tenant's software update status summary, from its Windows devices.

use odata::Value;

use super::people::{DAY, Device, Platform};
use super::reports::member;
use super::rng::Rng;
use super::writer::Writer;

const ACCOUNTS: &str = "deviceManagement/macOSSoftwareUpdateAccountSummaries";

const CATEGORIES: &[(&str, &str)] = &[
    ("critical", "Critical"),
    ("configurationDataFile", "Configuration data file"),
    ("firmware", "Firmware"),
    ("other", "Other"),
];

/// A summary per Mac, with one to four update categories of one to four updates each.
/// Returns how many accounts were written.
pub async fn macos(
    w: &mut Writer,
    seed: u64,
    devices: &[Device],
    users: &[super::people::User],
) -> anyhow::Result<u64> {
    let accounts = w.table(ACCOUNTS)?;
    let categories = w.table(&format!("{ACCOUNTS}/categorySummaries"))?;
    let states = w.table(&format!(
        "{ACCOUNTS}/categorySummaries/updateStateSummaries"
    ))?;
    let text = |name: &str, value: String| (name.to_string(), Value::String(value));
    let mut written = 0;
    let mut category_rows = Vec::new();
    let mut state_rows = Vec::new();
    for (i, device) in devices.iter().enumerate() {
        w.step();
        if device.platform != Platform::MacOs {
            continue;
        }
        let mut rng = Rng::new(seed, "macos", i as u64);
        let account = rng.guid();
        let user = &users[device.user as usize];
        let values = vec![
            text("displayName", device.name.clone()),
            text("deviceId", device.id.clone()),
            text("userId", user.id.clone()),
            text("deviceName", device.name.clone()),
            text("userPrincipalName", user.principal_name.clone()),
            text("osVersion", device.os_version.clone()),
        ];
        w.row(accounts, "", &account, None, values).await?;
        written += 1;
        let first = rng.below(CATEGORIES.len() as u64) as usize;
        for (category, label) in CATEGORIES.iter().skip(first) {
            let id = rng.guid();
            let values = vec![
                text("displayName", label.to_string()),
                member("updateCategory", category),
                text("deviceId", device.id.clone()),
                text("userId", user.id.clone()),
            ];
            category_rows.push((account.clone(), id.clone(), values));
            for u in 0..=rng.below(3) {
                let state = *rng.weighted(&[
                    ("success", 70),
                    ("available", 10),
                    ("downloading", 4),
                    ("installing", 3),
                    ("downloadFailed", 4),
                    ("installFailed", 5),
                    ("installInsufficientSpace", 2),
                    ("commandFailed", 2),
                ]);
                let version = format!("{}.{}", device.os_version, u + 1);
                let values = vec![
                    text("displayName", format!("{label} update {version}")),
                    text(
                        "productKey",
                        format!("MSU_UPDATE_{}_{version}", category.to_uppercase()),
                    ),
                    text("updateVersion", version),
                    member("state", state),
                    member("updateCategory", category),
                    (
                        "lastUpdatedDateTime".to_string(),
                        Value::DateTimeOffset(device.last_sync - rng.below(20) as i64 * DAY),
                    ),
                ];
                state_rows.push((id.clone(), rng.guid(), values));
            }
        }
    }
    w.flush(accounts).await?;
    for (parent, id, values) in category_rows {
        w.row(categories, &parent, &id, None, values).await?;
    }
    w.flush(categories).await?;
    for (parent, id, values) in state_rows {
        w.row(states, &parent, &id, None, values).await?;
    }
    w.flush(states).await?;
    Ok(written)
}

/// The tenant's software update status summary, from its Windows devices: devices by
/// compliance (in grace period counts as remediated), users by the worst state of their
/// Windows devices; the devices and users with no Windows device are not applicable.
pub async fn software_update_summary(w: &mut Writer, devices: &[Device]) -> anyhow::Result<()> {
    let table = w.table("deviceManagement/softwareUpdateStatusSummary")?;
    // From best to worst; the last is "not applicable".
    const NAMES: [&str; 6] = [
        "compliant",
        "remediated",
        "unknown",
        "nonCompliant",
        "error",
        "notApplicable",
    ];
    let severity = |device: &Device| match (device.platform, device.compliance) {
        (Platform::Windows, "compliant") => 0,
        (Platform::Windows, "inGracePeriod") => 1,
        (Platform::Windows, "noncompliant") => 3,
        (Platform::Windows, "error") => 4,
        (Platform::Windows, _) => 2,
        _ => 5,
    };
    let mut device_counts = [0i64; 6];
    let mut worst_by_user: std::collections::BTreeMap<u64, usize> = Default::default();
    for device in devices {
        let s = severity(device);
        device_counts[s] += 1;
        let worst = worst_by_user.entry(device.user).or_insert(s);
        // A Windows state outranks "not applicable"; among Windows states the worst wins.
        *worst = match (*worst, s) {
            (5, s) | (s, 5) => s,
            (a, b) => a.max(b),
        };
    }
    let mut user_counts = [0i64; 6];
    for worst in worst_by_user.values() {
        user_counts[*worst] += 1;
    }
    let mut values = vec![(
        "displayName".to_string(),
        Value::String("Windows update compliance".into()),
    )];
    for (i, name) in NAMES.iter().enumerate() {
        values.push((format!("{name}DeviceCount"), Value::Int(device_counts[i])));
        values.push((format!("{name}UserCount"), Value::Int(user_counts[i])));
    }
    let id = w.derived_id(table, "");
    w.row(table, "", &id, None, values).await?;
    w.flush(table).await
}
