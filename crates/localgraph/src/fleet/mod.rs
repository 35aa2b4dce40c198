//! `localgraph seed --devices N`: a realistic fleet in one command. N managed devices of
//! users with one or two each, device management scripts with their device and user run
//! states, app configurations with their device and user statuses, macOS software update
//! summaries of the Macs and the tenant's software update status summary, all written in
//! batches through the `Store` trait; then every summary is computed from its states, so
//! each equals its aggregate. The same `--seed` gives the same fleet (ids included), and
//! seeding again replaces it.

mod people;
mod reports;
mod rng;
mod updates;
mod writer;

use std::sync::Arc;
use std::time::Instant;

use store::Store;

pub use writer::Writer;

/// What a fleet holds, for the closing line.
pub struct Seeded {
    /// Managed devices.
    pub devices: u64,
    /// Their users.
    pub users: u64,
    /// Device management scripts.
    pub scripts: u64,
    /// App configurations.
    pub configurations: u64,
    /// macOS software update account summaries.
    pub macs: u64,
    /// Rows written.
    pub rows: u64,
}

/// Seeds `tenant` of `store` with a fleet of `devices` devices.
pub async fn seed(
    store: Arc<dyn Store>,
    tenant: &str,
    devices: u64,
    seed: u64,
) -> anyhow::Result<Seeded> {
    let users_count = (devices * 7).div_ceil(10);
    let domain = if tenant.contains('.') {
        tenant.to_string()
    } else {
        "contoso.example".to_string()
    };
    let users: Vec<people::User> = (0..users_count)
        .map(|u| people::user(seed, u, &domain))
        .collect();
    let scripts_count = (devices / 1500).clamp(3, 10);
    let configurations_count = (devices / 2500).clamp(2, 8);
    let passes = 1 + scripts_count + configurations_count + 1;
    let mut w = Writer::new(store.clone(), tenant, devices * passes)?;
    let table = w.table("deviceManagement/managedDevices")?;
    // The devices are written as they are made; what the reports need of them is kept.
    let mut fleet = Vec::with_capacity(devices as usize);
    for i in 0..devices {
        w.step();
        let mut device = people::device(seed, i, users_count);
        let mut values = std::mem::take(&mut device.values);
        values.extend(people::owned_by(&users[device.user as usize]));
        w.row(table, "", &device.id, None, values).await?;
        fleet.push(device);
    }
    w.flush(table).await?;
    let scripts = reports::scripts(&mut w, seed, &fleet, &users).await?;
    let configurations = reports::configurations(&mut w, seed, &fleet, &users).await?;
    let macs = updates::macos(&mut w, seed, &fleet, &users).await?;
    updates::software_update_summary(&mut w, &fleet).await?;
    store.recompute_summaries(tenant).await?;
    w.finish();
    Ok(Seeded {
        devices,
        users: users_count,
        scripts,
        configurations,
        macs,
        rows: w.written,
    })
}

/// Seeds and prints the closing line.
pub async fn run(
    store: Arc<dyn Store>,
    tenant: &str,
    devices: u64,
    seed_value: u64,
) -> anyhow::Result<()> {
    let started = Instant::now();
    let seeded = seed(store.clone(), tenant, devices, seed_value).await?;
    let seconds = started.elapsed().as_secs_f64();
    let rows = usize::try_from(seeded.rows).unwrap_or(usize::MAX);
    crate::dump::count_rows(store.as_ref(), "seed", rows).await?;
    println!(
        "seeded a fleet for tenant {tenant} (seed {seed_value}): {} devices of {} users, {} scripts, \
         {} app configurations, {} macOS update summaries; {} rows in {seconds:.1} s ({:.0} rows/s)",
        seeded.devices,
        seeded.users,
        seeded.scripts,
        seeded.configurations,
        seeded.macs,
        seeded.rows,
        seeded.rows as f64 / seconds.max(0.001)
    );
    Ok(())
}
