//! The reports of a fleet: device management scripts run on its Windows devices (device
//! and user run states), app configurations reported by its phones (device and user
//! statuses), macOS software update summaries of its Macs, and the tenant's software update
//! status summary. The states are written as they are; their summaries are computed after
//! the load by the store (`recompute_summaries`), so every summary equals its aggregate.

use std::collections::BTreeMap;

use odata::Value;

use super::people::{DAY, Device, Platform, TODAY, User};
use super::rng::Rng;
use super::writer::Writer;

const SCRIPTS: &str = "deviceManagement/deviceManagementScripts";
const CONFIGURATIONS: &str = "deviceAppManagement/mobileAppConfigurations";

const SCRIPT_NAMES: &[&str] = &[
    "Set time zone",
    "Configure BitLocker recovery",
    "Install Company Portal",
    "Inventory collector",
    "Remove consumer apps",
    "Map network drives",
    "Rotate local admin password",
    "Enable Windows Hello for Business",
    "Collect diagnostic logs",
    "Set power plan",
];

/// A row's values, by property.
type Row = Vec<(String, Value)>;

fn text(name: &str, value: impl Into<String>) -> (String, Value) {
    (name.to_string(), Value::String(value.into()))
}

/// A row's enum property: `name` set to the member `value`.
pub(super) fn member(name: &str, value: &str) -> (String, Value) {
    (name.to_string(), Value::Enum(value.into()))
}

fn time(name: &str, ticks: i64) -> (String, Value) {
    (name.to_string(), Value::DateTimeOffset(ticks))
}

fn int(name: &str, value: i64) -> (String, Value) {
    (name.to_string(), Value::Int(value))
}

/// The fleet's device management scripts, each run on most of its Windows devices: a run
/// state per device (linked to it), and per user a user run state holding that user's
/// device run states. Returns how many scripts were written.
pub async fn scripts(
    w: &mut Writer,
    seed: u64,
    devices: &[Device],
    users: &[User],
) -> anyhow::Result<u64> {
    let scripts = w.table(SCRIPTS)?;
    let summaries = w.table(&format!("{SCRIPTS}/runSummary"))?;
    let device_states = w.table(&format!("{SCRIPTS}/deviceRunStates"))?;
    let user_states = w.table(&format!("{SCRIPTS}/userRunStates"))?;
    let nested = w.table(&format!("{SCRIPTS}/userRunStates/deviceRunStates"))?;
    let count = (devices.len() as u64 / 1500).clamp(3, SCRIPT_NAMES.len() as u64);
    for s in 0..count {
        let mut rng = Rng::new(seed, "script", s);
        let id = rng.guid();
        let created = TODAY - (200 + rng.below(300) as i64) * DAY;
        let values = vec![
            text("displayName", SCRIPT_NAMES[s as usize]),
            text("description", "Deployed by the endpoint team."),
            text(
                "fileName",
                format!("{}.ps1", SCRIPT_NAMES[s as usize].replace(' ', "-")),
            ),
            member(
                "runAsAccount",
                if rng.chance(0.7) { "system" } else { "user" },
            ),
            ("enforceSignatureCheck".into(), Value::Bool(rng.chance(0.3))),
            ("runAs32Bit".into(), Value::Bool(false)),
            time("createdDateTime", created),
            time(
                "lastModifiedDateTime",
                created + rng.below(100) as i64 * DAY,
            ),
        ];
        w.row(scripts, "", &id, None, values).await?;
        let summary = w.derived_id(summaries, &id);
        w.row(summaries, &id, &summary, None, Vec::new()).await?;
        w.flush_all(&[scripts, summaries]).await?;
        let reach = 0.6 + rng.below(40) as f64 / 100.0;
        let mut by_user: BTreeMap<u64, Vec<(String, Row)>> = BTreeMap::new();
        for (i, device) in devices.iter().enumerate() {
            w.step();
            let mut rng = Rng::new(seed, &format!("run{s}"), i as u64);
            if device.platform != Platform::Windows || !rng.chance(reach) {
                continue;
            }
            let state = *rng.weighted(&[
                ("success", 85),
                ("fail", 4),
                ("scriptError", 3),
                ("pending", 6),
                ("unknown", 2),
            ]);
            let (code, message) = match state {
                "success" => (0, "Script ran successfully."),
                "fail" => (-2_016_345_060, "Script failed: exit code 1."),
                "scriptError" => (-2_016_345_061, "Script error: access is denied."),
                _ => (0, ""),
            };
            let values = vec![
                member("runState", state),
                int("errorCode", code),
                text("resultMessage", message),
                time(
                    "lastStateUpdateDateTime",
                    device.last_sync - rng.below(3) as i64 * DAY,
                ),
                text("_managedDevice", device.id.clone()),
            ];
            w.row(device_states, &id, &rng.guid(), None, values.clone())
                .await?;
            by_user
                .entry(device.user)
                .or_default()
                .push((rng.guid(), values));
        }
        w.flush(device_states).await?;
        let mut nested_rows = Vec::new();
        for (user, states) in by_user {
            let user_state = Rng::new(seed, &format!("user-run{s}"), user).guid();
            let values = vec![text(
                "userPrincipalName",
                users[user as usize].principal_name.clone(),
            )];
            w.row(user_states, &id, &user_state, None, values).await?;
            nested_rows.extend(states.into_iter().map(|(n, v)| (user_state.clone(), n, v)));
        }
        w.flush(user_states).await?;
        for (parent, state, values) in nested_rows {
            w.row(nested, &parent, &state, None, values).await?;
        }
        w.flush(nested).await?;
    }
    Ok(count)
}

/// The fleet's app configurations: iOS and Android (beta) configurations, each reported by
/// the phones of its platform, with a device status per phone and a user status per user
/// (the user's worst device status). Returns how many configurations were written.
pub async fn configurations(
    w: &mut Writer,
    seed: u64,
    devices: &[Device],
    users: &[User],
) -> anyhow::Result<u64> {
    let configurations = w.table(CONFIGURATIONS)?;
    let device_summary = w.table(&format!("{CONFIGURATIONS}/deviceStatusSummary"))?;
    let user_summary = w.table(&format!("{CONFIGURATIONS}/userStatusSummary"))?;
    let device_statuses = w.table(&format!("{CONFIGURATIONS}/deviceStatuses"))?;
    let user_statuses = w.table(&format!("{CONFIGURATIONS}/userStatuses"))?;
    let count = (devices.len() as u64 / 2500).clamp(2, 8);
    // Statuses from best to worst, for a user's status over their devices.
    const STATUSES: &[(&str, u32)] = &[
        ("compliant", 82),
        ("notApplicable", 3),
        ("unknown", 6),
        ("remediated", 2),
        ("nonCompliant", 4),
        ("conflict", 1),
        ("error", 2),
    ];
    for c in 0..count {
        let mut rng = Rng::new(seed, "configuration", c);
        let id = rng.guid();
        let (platform, type_name, name) = if c % 2 == 0 {
            (
                Platform::Ios,
                "iosMobileAppConfiguration",
                "Outlook for iOS",
            )
        } else {
            (
                Platform::Android,
                "androidManagedStoreAppConfiguration",
                "Outlook for Android",
            )
        };
        let version = 1 + rng.below(6) as i64;
        let created = TODAY - (100 + rng.below(300) as i64) * DAY;
        let values = vec![
            text("displayName", format!("{name} ({})", c / 2 + 1)),
            text("description", "Mail and calendar settings."),
            int("version", version),
            time("createdDateTime", created),
            time("lastModifiedDateTime", created + rng.below(90) as i64 * DAY),
        ];
        w.row(configurations, "", &id, Some(type_name), values)
            .await?;
        for summary in [device_summary, user_summary] {
            let summary_id = w.derived_id(summary, &id);
            w.row(summary, &id, &summary_id, None, Vec::new()).await?;
        }
        w.flush_all(&[configurations, device_summary, user_summary])
            .await?;
        let mut worst: BTreeMap<u64, (usize, i64, i64)> = BTreeMap::new();
        for (i, device) in devices.iter().enumerate() {
            w.step();
            if device.platform != platform {
                continue;
            }
            let mut rng = Rng::new(seed, &format!("status{c}"), i as u64);
            let status = *rng.weighted(STATUSES);
            let rank = STATUSES.iter().position(|(s, _)| *s == status).unwrap_or(0);
            let reported = device.last_sync - rng.below(2) as i64 * DAY;
            let user = &users[device.user as usize];
            let values = vec![
                text("deviceDisplayName", device.name.clone()),
                text("deviceModel", device.model.clone()),
                text("userName", user.display_name.clone()),
                text("userPrincipalName", user.principal_name.clone()),
                int("platform", if platform == Platform::Ios { 2 } else { 3 }),
                member("status", status),
                time("lastReportedDateTime", reported),
                time(
                    "complianceGracePeriodExpirationDateTime",
                    reported + 7 * DAY,
                ),
            ];
            w.row(device_statuses, &id, &rng.guid(), None, values)
                .await?;
            let entry = worst.entry(device.user).or_insert((rank, reported, 0));
            *entry = (entry.0.max(rank), entry.1.max(reported), entry.2 + 1);
        }
        w.flush(device_statuses).await?;
        for (user, (rank, reported, devices)) in worst {
            let person = &users[user as usize];
            let values = vec![
                text("userDisplayName", person.display_name.clone()),
                text("userPrincipalName", person.principal_name.clone()),
                int("devicesCount", devices),
                member("status", STATUSES[rank].0),
                time("lastReportedDateTime", reported),
            ];
            let status_id = Rng::new(seed, &format!("user-status{c}"), user).guid();
            w.row(user_statuses, &id, &status_id, None, values).await?;
        }
        w.flush(user_statuses).await?;
    }
    Ok(count)
}
