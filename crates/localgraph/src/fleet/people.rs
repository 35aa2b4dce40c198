//! The people and devices of a fleet: users with one or two devices each, a plausible mix
//! of Windows, iOS, Android and macOS with their makers, models and OS versions, compliance
//! states, and enrollment and sync dates spread over the months before the fleet's day.

use odata::Value;

use super::reports::member;
use super::rng::Rng;

/// The day a fleet is seen from (fixed, so a fleet is the same whenever it is seeded):
/// 2026-11-30T00:00:00Z, in ticks.
pub const TODAY: i64 = 639_315_936_000_000_000;
/// One day in ticks.
pub const DAY: i64 = 24 * 3600 * 10_000_000;

const FIRST: &[&str] = &[
    "Ada", "Ben", "Chloe", "David", "Emma", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kemi",
    "Liam", "Mia", "Noah", "Olga", "Priya", "Quinn", "Rosa", "Sven", "Tara", "Umar", "Vera", "Wei",
    "Yara", "Zoe",
];
const LAST: &[&str] = &[
    "Adams", "Berg", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Hansen", "Ito", "Jansen",
    "Kowalski", "Lopez", "Müller", "Novak", "Okafor", "Petrov", "Rossi", "Silva", "Tanaka",
    "Weber",
];

/// A user of the fleet.
pub struct User {
    /// The user's id (a GUID, as Entra ID's object ids are).
    pub id: String,
    /// `first.last{n}@domain`.
    pub principal_name: String,
    /// `First Last`.
    pub display_name: String,
}

/// User `index` of the fleet.
pub fn user(seed: u64, index: u64, domain: &str) -> User {
    let mut rng = Rng::new(seed, "user", index);
    let (first, last) = (*rng.pick(FIRST), *rng.pick(LAST));
    User {
        id: rng.guid(),
        principal_name: format!(
            "{}.{}{index}@{domain}",
            first.to_lowercase(),
            last.to_lowercase().replace('ü', "ue")
        ),
        display_name: format!("{first} {last}"),
    }
}

/// The operating systems of a fleet, by share.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    /// Windows 10 and 11 PCs.
    Windows,
    /// iPhones and iPads.
    Ios,
    /// Android phones.
    Android,
    /// Macs.
    MacOs,
}

const PLATFORMS: &[(Platform, u32)] = &[
    (Platform::Windows, 55),
    (Platform::Ios, 20),
    (Platform::Android, 15),
    (Platform::MacOs, 10),
];

/// A device of the fleet.
pub struct Device {
    /// The device's id.
    pub id: String,
    /// Its user (index into the users).
    pub user: u64,
    /// Its platform.
    pub platform: Platform,
    /// `deviceName`.
    pub name: String,
    /// `model`.
    pub model: String,
    /// `osVersion`.
    pub os_version: String,
    /// `complianceState`.
    pub compliance: &'static str,
    /// `lastSyncDateTime`, in ticks.
    pub last_sync: i64,
    /// The rest of its properties.
    pub values: Vec<(String, Value)>,
}

/// Device `index` of a fleet of `devices` devices and `users` users.
pub fn device(seed: u64, index: u64, users: u64) -> Device {
    let mut rng = Rng::new(seed, "device", index);
    let id = rng.guid();
    let platform = *rng.weighted(PLATFORMS);
    // Users own consecutive devices: most one, some two.
    let user = index * users / (users * 10 / 7).max(1);
    let serial: String = (0..10)
        .map(|_| *rng.pick(&b"ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"[..]) as char)
        .collect();
    let (manufacturer, model, os_version, name) = match platform {
        Platform::Windows => {
            let (maker, model) = *rng.pick(&[
                ("Dell Inc.", "Latitude 7440"),
                ("Dell Inc.", "OptiPlex 7010"),
                ("LENOVO", "ThinkPad T14 Gen 4"),
                ("LENOVO", "ThinkPad X1 Carbon Gen 11"),
                ("HP", "EliteBook 840 G10"),
                ("Microsoft Corporation", "Surface Laptop 5"),
            ]);
            let os = *rng.weighted(&[
                ("10.0.22631.4460", 45),
                ("10.0.26100.2314", 30),
                ("10.0.19045.5131", 25),
            ]);
            (maker, model, os, format!("DESKTOP-{}", &serial[..7]))
        }
        Platform::Ios => {
            let model = *rng.pick(&[
                "iPhone 15",
                "iPhone 14",
                "iPhone 13",
                "iPad Air (5th generation)",
            ]);
            let os = *rng.weighted(&[("18.1", 50), ("17.6.1", 35), ("16.7.10", 15)]);
            (
                "Apple",
                model,
                os,
                format!("{}'s {}", "iPhone", &serial[..4]),
            )
        }
        Platform::Android => {
            let (maker, model) = *rng.pick(&[
                ("samsung", "SM-S911B"),
                ("samsung", "SM-A546B"),
                ("Google", "Pixel 8"),
                ("motorola", "moto g84 5G"),
            ]);
            let os = *rng.weighted(&[("14", 55), ("13", 30), ("12", 15)]);
            (maker, model, os, format!("{model}_{}", &serial[..4]))
        }
        Platform::MacOs => {
            let model = *rng.pick(&[
                "MacBook Pro (14-inch, 2023)",
                "MacBook Air (M2, 2022)",
                "iMac (24-inch, M3)",
            ]);
            let os = *rng.weighted(&[("15.1", 40), ("14.7.1", 45), ("13.7.1", 15)]);
            ("Apple", model, os, format!("MAC-{}", &serial[..7]))
        }
    };
    let compliance = *rng.weighted(&[
        ("compliant", 80),
        ("noncompliant", 11),
        ("inGracePeriod", 4),
        ("unknown", 3),
        ("error", 2),
    ]);
    let enrolled = TODAY - rng.below(540) as i64 * DAY - rng.below(DAY as u64) as i64;
    let last_sync = TODAY - rng.below(30) as i64 * DAY - rng.below(DAY as u64) as i64;
    let last_sync = last_sync.max(enrolled);
    let gib = 1024 * 1024 * 1024_i64;
    let storage = *rng.pick(&[128, 256, 512]) * gib;
    let free = storage * (10 + rng.below(70) as i64) / 100;
    let memory = *rng.pick(&[8, 16, 32]) * gib;
    let phone = matches!(platform, Platform::Ios | Platform::Android);
    let text = |name: &str, value: String| (name.to_string(), Value::String(value));
    let mut values = vec![
        text("deviceName", name.clone()),
        text("managedDeviceName", format!("{name}_{}", &serial[..4])),
        text("operatingSystem", os_name(platform).to_string()),
        text("osVersion", os_version.to_string()),
        text("manufacturer", manufacturer.to_string()),
        text("model", model.to_string()),
        text("serialNumber", serial.clone()),
        member("complianceState", compliance),
        member("managementState", "managed"),
        member(
            "managementAgent",
            if platform == Platform::Windows && rng.chance(0.3) {
                "configurationManagerClientMdm"
            } else {
                "mdm"
            },
        ),
        member(
            "managedDeviceOwnerType",
            if phone && rng.chance(0.25) {
                "personal"
            } else {
                "company"
            },
        ),
        member(
            "deviceEnrollmentType",
            match platform {
                Platform::Windows => "windowsAzureADJoin",
                Platform::Ios | Platform::MacOs => "appleBulkWithUser",
                Platform::Android => "userEnrollment",
            },
        ),
        member("deviceRegistrationState", "registered"),
        ("enrolledDateTime".into(), Value::DateTimeOffset(enrolled)),
        ("lastSyncDateTime".into(), Value::DateTimeOffset(last_sync)),
        ("totalStorageSpaceInBytes".into(), Value::Int(storage)),
        ("freeStorageSpaceInBytes".into(), Value::Int(free)),
        (
            "physicalMemoryInBytes".into(),
            Value::Int(if phone { 0 } else { memory }),
        ),
        (
            "isEncrypted".into(),
            Value::Bool(compliance != "noncompliant" || rng.chance(0.5)),
        ),
        (
            "isSupervised".into(),
            Value::Bool(platform == Platform::Ios),
        ),
        ("azureADRegistered".into(), Value::Bool(true)),
        text("azureADDeviceId", rng.guid()),
        text("jailBroken", "False".into()),
        text(
            "wiFiMacAddress",
            format!("{:012x}", rng.next() & 0xffff_ffff_ffff),
        ),
    ];
    if phone {
        values.push(text(
            "imei",
            format!("35{:013}", rng.below(10_000_000_000_000)),
        ));
        values.push(text(
            "phoneNumber",
            format!("+1425555{:04}", rng.below(10_000)),
        ));
    }
    Device {
        id,
        user,
        platform,
        name,
        model: model.to_string(),
        os_version: os_version.to_string(),
        compliance,
        last_sync,
        values,
    }
}

/// The `operatingSystem` Intune reports for a platform.
pub fn os_name(platform: Platform) -> &'static str {
    match platform {
        Platform::Windows => "Windows",
        Platform::Ios => "iOS",
        Platform::Android => "Android",
        Platform::MacOs => "macOS",
    }
}

/// The properties that tie a device to its user.
pub fn owned_by(user: &User) -> Vec<(String, Value)> {
    let text = |name: &str, value: &str| (name.to_string(), Value::String(value.to_string()));
    vec![
        text("userId", &user.id),
        text("userPrincipalName", &user.principal_name),
        text("userDisplayName", &user.display_name),
        text("emailAddress", &user.principal_name),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn today_is_the_30th_of_november_2026() {
        assert_eq!(odata::datetime::parse("2026-11-30T00:00:00Z"), Some(TODAY));
    }

    #[test]
    fn a_fleet_is_a_plausible_mix_and_the_same_for_a_seed() {
        let devices: Vec<Device> = (0..2000).map(|i| device(7, i, 1400)).collect();
        let share = |p: Platform| devices.iter().filter(|d| d.platform == p).count();
        assert!((950..1250).contains(&share(Platform::Windows)));
        assert!((100..300).contains(&share(Platform::MacOs)));
        let compliant = devices
            .iter()
            .filter(|d| d.compliance == "compliant")
            .count();
        assert!((1450..1750).contains(&compliant), "{compliant}");
        assert!(
            devices
                .iter()
                .all(|d| d.user < 1400 && d.last_sync <= TODAY)
        );
        assert_eq!(device(7, 5, 1400).id, devices[5].id);
        assert_ne!(device(8, 5, 1400).id, devices[5].id);
        let owners: std::collections::HashSet<u64> = devices.iter().map(|d| d.user).collect();
        assert!(
            owners.len() > 1300,
            "most users own a device: {}",
            owners.len()
        );
    }
}
