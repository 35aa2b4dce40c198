use super::*;

fn read(value: Json_) -> Result<FaultRule, String> {
    FaultRule::read(value.as_object().unwrap())
        .map(|(rule, _)| rule)
        .map_err(|e| e.to_string())
}

#[test]
fn rules_are_completed_with_graphs_codes_and_headers() {
    let rule = read(json!({"path": "deviceManagement/**", "status": 503})).unwrap();
    assert_eq!(rule.code.as_deref(), Some("ServiceUnavailable"));
    assert_eq!(rule.retry_after, Some(1));
    assert_eq!(
        (rule.method, rule.times, rule.probability),
        (None, None, 1.0)
    );
    let rule = read(json!({"method": "patch", "path": "/beta/x", "status": 429, "retryAfter": null, "times": 2})).unwrap();
    assert_eq!(rule.method.as_deref(), Some("PATCH"));
    assert_eq!(rule.retry_after, None);
    assert_eq!(rule.times, Some(2));
    let rule = read(json!({"path": "x", "delayMs": 50})).unwrap();
    assert_eq!((rule.status, rule.code, rule.delay_ms), (None, None, 50));
}

#[test]
fn bad_rules_are_refused_with_the_reason() {
    for (bad, reason) in [
        (json!({"status": 500}), "'path' is required"),
        (
            json!({"path": "x"}),
            "give a 'status', a 'delayMs', or both",
        ),
        (
            json!({"path": "x", "status": 600}),
            "'status' must be an integer from 400 to 599",
        ),
        (json!({"path": "x", "status": 399}), "'status' must be"),
        (json!({"path": "x", "status": "500"}), "'status' must be"),
        (
            json!({"path": "x", "status": 500, "probability": 1.5}),
            "'probability' must be a number from 0 to 1",
        ),
        (
            json!({"path": "x", "status": 500, "probability": -0.1}),
            "'probability'",
        ),
        (
            json!({"path": "x", "status": 500, "times": 0}),
            "'times' must be",
        ),
        (
            json!({"path": "x", "status": 500, "delayMs": 120001}),
            "'delayMs'",
        ),
        (
            json!({"path": "x", "status": 500, "retryAfter": "soon"}),
            "'retryAfter' must be",
        ),
        (
            json!({"path": "x", "status": 500, "method": "TRACE"}),
            "'method' must be",
        ),
        (json!({"path": "x?$top=1", "status": 500}), "'path' must be"),
        (json!({"path": "**/x", "status": 500}), "'path' must be"),
        (
            json!({"path": "x", "status": 500, "colour": "red"}),
            "the property 'colour' does not exist",
        ),
        (
            json!({"path": "x", "delayMs": 5, "code": "X"}),
            "go with a 'status'",
        ),
    ] {
        let error = read(bad.clone()).expect_err(&bad.to_string());
        assert!(error.contains(reason), "{bad}: {error}");
    }
}

#[test]
fn stored_rules_read_back() {
    let rule = read(json!({"path": "/v1.0/**", "status": 500, "times": 3})).unwrap();
    let fault = Fault::load("id", &serde_json::to_value(&rule).unwrap(), Some(0)).unwrap();
    assert_eq!(fault.rule, rule);
    assert!(
        !fault.matches(&Method::GET, &Pattern::segments("/v1.0/a")),
        "used up"
    );
    let fault = Fault::load("id", &serde_json::to_value(&rule).unwrap(), Some(3)).unwrap();
    assert!(fault.matches(&Method::GET, &Pattern::segments("/v1.0/a")));
    assert!(!fault.matches(&Method::GET, &Pattern::segments("/beta/a")));
}
