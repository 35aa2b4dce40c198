//! SQLite under concurrent writers: no "database is locked", no lost merge.

use crate::helpers::TestApp;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_creates_all_succeed() {
    let app = std::sync::Arc::new(TestApp::spawn().await);
    let base = "/beta/deviceManagement/macOSSoftwareUpdateAccountSummaries";
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let app = app.clone();
            tokio::spawn(async move {
                app.post(base, &format!(r#"{{"displayName": "Mac {i}"}}"#))
                    .await
            })
        })
        .collect();
    for task in tasks {
        let reply = task.await.unwrap();
        assert_eq!(reply.status, 201, "{}", reply.text);
    }
    assert_eq!(app.get(&format!("{base}/$count")).await.text, "50");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_patches_of_different_properties_all_land() {
    let app = std::sync::Arc::new(TestApp::spawn().await);
    let path = "/v1.0/deviceManagement/softwareUpdateStatusSummary";
    let properties = [
        "compliantDeviceCount",
        "nonCompliantDeviceCount",
        "remediatedDeviceCount",
        "errorDeviceCount",
        "unknownDeviceCount",
        "conflictDeviceCount",
        "notApplicableDeviceCount",
        "compliantUserCount",
    ];
    let tasks: Vec<_> = properties
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let app = app.clone();
            let body = format!(r#"{{"{p}": {}}}"#, i + 1);
            tokio::spawn(async move { app.patch(path, &body).await.status })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap(), 200);
    }
    let summary = app.get(path).await.json();
    for (i, p) in properties.iter().enumerate() {
        assert_eq!(summary[p], (i + 1) as i64, "{p}");
    }
}
