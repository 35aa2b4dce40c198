use super::*;

#[test]
fn a_count_stays_in_the_window_for_200_slots() {
    let mut window = Window::new(SLOTS);
    window.add();
    window.advance(SLOTS + 10);
    window.add();
    window.add();
    assert_eq!(window.total, 3);
    window.advance(2 * SLOTS - 1);
    assert_eq!(window.total, 3, "the first count is still in the window");
    window.advance(2 * SLOTS);
    assert_eq!(window.total, 2, "the first count left after 200 slots");
    window.advance(5 * SLOTS);
    assert_eq!(window.total, 0);
}

#[test]
fn room_comes_when_enough_old_counts_leave() {
    let mut window = Window::new(SLOTS);
    window.add(); // slot 200
    window.advance(SLOTS + 50);
    window.add(); // slot 250
    window.add();
    // Limit 3: full. One count must leave: slot 200's, which leaves at slot 400.
    assert_eq!(window.room_at(3), 2 * SLOTS);
    // Limit 2: two must leave, the second of them at 450.
    assert_eq!(window.room_at(2), 2 * SLOTS + 50);
    assert_eq!(window.room_at(1), 2 * SLOTS + 50);
}

#[test]
fn custom_limits_count_the_tenant_across_apps_and_refuse_past_them() {
    let counters = Counters::default();
    let custom = Throttling::Custom {
        writes: 2,
        requests: 3,
    };
    let bucket = Bucket::Devices;
    assert_eq!(counters.admit(custom, "t", "a", bucket, true), Ok(()));
    assert_eq!(counters.admit(custom, "t", "b", bucket, true), Ok(()));
    let retry = counters
        .admit(custom, "t", "c", bucket, true)
        .expect_err("the third write of the tenant");
    assert!((1..=20).contains(&retry), "{retry}");
    assert_eq!(counters.admit(custom, "t", "c", bucket, false), Ok(()));
    assert!(counters.admit(custom, "t", "a", bucket, false).is_err());
    // Another bucket, another tenant: their own windows.
    assert_eq!(
        counters.admit(custom, "t", "a", Bucket::Applications, false),
        Ok(())
    );
    assert_eq!(counters.admit(custom, "u", "a", bucket, true), Ok(()));
    assert_eq!(
        counters.admit(Throttling::Off, "t", "a", bucket, true),
        Ok(())
    );
}

#[test]
fn intune_limits_are_per_app_and_per_tenant() {
    let counters = Counters::default();
    let bucket = Bucket::DeviceConfiguration;
    let limits = bucket.limits();
    for _ in 0..limits.app_writes {
        assert_eq!(
            counters.admit(Throttling::Intune, "t", "a", bucket, true),
            Ok(())
        );
    }
    assert!(
        counters
            .admit(Throttling::Intune, "t", "a", bucket, true)
            .is_err()
    );
    assert_eq!(
        counters.admit(Throttling::Intune, "t", "a", bucket, false),
        Ok(()),
        "reads have their own limit"
    );
    for _ in 0..limits.tenant_writes - limits.app_writes {
        assert_eq!(
            counters.admit(Throttling::Intune, "t", "b", bucket, true),
            Ok(())
        );
    }
    assert!(
        counters
            .admit(Throttling::Intune, "t", "c", bucket, true)
            .is_err(),
        "the tenant's limit across apps"
    );
}

#[test]
fn settings_are_checked_strictly() {
    let read = |v: Json_| Throttling::read(&v).map_err(|e| e.to_string());
    assert_eq!(read(json!({"mode": "intune"})), Ok(Throttling::Intune));
    assert_eq!(read(json!({"mode": "off"})), Ok(Throttling::Off));
    assert_eq!(
        read(json!({"mode": "custom", "writesPer20Seconds": 1, "requestsPer20Seconds": 3})),
        Ok(Throttling::Custom {
            writes: 1,
            requests: 3
        })
    );
    for bad in [
        json!({}),
        json!({"mode": "fast"}),
        json!({"mode": "custom", "writesPer20Seconds": 1}),
        json!({"mode": "custom", "writesPer20Seconds": 0, "requestsPer20Seconds": 3}),
        json!({"mode": "custom", "writesPer20Seconds": "1", "requestsPer20Seconds": 3}),
        json!({"mode": "custom", "writesPer20Seconds": 1, "requestsPer20Seconds": 1000001}),
        json!({"mode": "off", "writesPer20Seconds": 1}),
        json!({"mode": "intune", "burst": true}),
    ] {
        assert!(read(bad.clone()).is_err(), "{bad}");
    }
    for setting in [
        Throttling::Intune,
        Throttling::Off,
        Throttling::Custom {
            writes: 5,
            requests: 7,
        },
    ] {
        assert_eq!(Throttling::from_json(&setting.to_json()), Some(setting));
    }
}

/// The place table agrees with Microsoft's type lists: every served place lands in the
/// bucket that lists its type, and a place whose type no bucket lists is not throttled.
/// The middleware's shortcut (singleton and navigation read from the path) agrees too.
#[test]
fn every_served_place_is_in_the_bucket_that_lists_its_type() {
    let schema = intune::Schema::load().unwrap();
    let mut checked = 0;
    for version in intune::ApiVersion::ALL {
        let places = schema.places(version);
        for place in places.iter() {
            let listed = Bucket::ALL
                .into_iter()
                .find(|b| b.documented_types().contains(&place.entity_type.as_str()));
            let bucket = intune::throttling::bucket(&place.path);
            assert_eq!(bucket, listed, "{} ({})", place.path, place.entity_type);
            // A path to the place, with a key after each collection above it.
            let lineage = places.lineage(place.id);
            let mut path = Vec::new();
            for (i, step) in lineage.iter().enumerate() {
                path.push(step.name.clone());
                if step.kind == odata::PlaceKind::Collection && i + 1 < lineage.len() {
                    path.push("k".into());
                }
            }
            let path = path.join("/");
            let shortcut = crate::control::layer::bucket_of(places, &path);
            assert_eq!(shortcut, bucket, "{path}");
            checked += 1;
        }
    }
    assert!(checked > 20, "{checked}");
}
