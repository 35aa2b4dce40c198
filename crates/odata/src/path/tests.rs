use super::*;
use crate::fixture::model;

fn parse(raw: &str) -> Result<ResourcePath, PathError> {
    ResourcePath::parse(&model(), raw)
}

#[test]
fn resolves_each_seed_shape() {
    let p = parse("deviceManagement/softwareUpdateStatusSummary/$ref").unwrap();
    assert_eq!(p.suffix, Some(Suffix::Ref));
    assert_eq!(p.target_type(), "softwareUpdateStatusSummary");

    let p = parse("deviceManagement/deviceManagementScripts/abc/runSummary/$ref").unwrap();
    assert_eq!(p.segments[2], Segment::Key("abc".into()));
    assert_eq!(p.target_type(), "runSummary");

    let p = parse("deviceAppManagement/mobileAppConfigurations/c1/userStatusSummary").unwrap();
    assert_eq!(p.suffix, None);
    assert!(matches!(
        p.segments[3],
        Segment::Navigation {
            contained: true,
            collection: false,
            ..
        }
    ));
}

#[test]
fn accepts_parenthesized_keys_and_any_case() {
    let a = parse("deviceManagement/deviceManagementScripts('a''b')/runSummary").unwrap();
    let b = parse("DEVICEMANAGEMENT/devicemanagementscripts/a'b/RunSummary").unwrap();
    assert_eq!(a, b);
    assert_eq!(
        parse("deviceManagement/deviceManagementScripts(id='x')")
            .unwrap()
            .segments[2],
        Segment::Key("x".into())
    );
    assert_eq!(
        parse("deviceManagement/deviceManagementScripts/a%20b")
            .unwrap()
            .segments[2],
        Segment::Key("a b".into())
    );
}

#[test]
fn unknown_segments_name_the_segment() {
    let cases = [
        (
            "deviceManagement/macOSSoftwareUpdateAccountSummaries",
            "macOSSoftwareUpdateAccountSummaries",
        ),
        ("nothing", "nothing"),
        (
            "deviceManagement/softwareUpdateStatusSummary/extra",
            "extra",
        ),
        ("deviceManagement/deviceManagementScripts/$ref", "$ref"),
        (
            "deviceAppManagement/mobileAppConfigurations/c/userStatusSummary/$ref",
            "$ref",
        ),
        (
            "deviceManagement/deviceManagementScripts/$count/more",
            "more",
        ),
        (
            "deviceManagement/softwareUpdateStatusSummary('x')",
            "softwareUpdateStatusSummary('x')",
        ),
    ];
    for (raw, segment) in cases {
        assert_eq!(
            parse(raw),
            Err(PathError::UnknownSegment(segment.into())),
            "{raw}"
        );
    }
    assert_eq!(parse(""), Err(PathError::Empty));
}

#[test]
fn context_fragments_follow_graph() {
    let cases = [
        (
            "deviceManagement/deviceManagementScripts",
            "deviceManagement/deviceManagementScripts",
        ),
        (
            "deviceManagement/deviceManagementScripts/s1",
            "deviceManagement/deviceManagementScripts/$entity",
        ),
        (
            "deviceManagement/deviceManagementScripts/s1/runSummary",
            "deviceManagement/deviceManagementScripts('s1')/runSummary/$entity",
        ),
        (
            "deviceManagement/deviceManagementScripts/s1/assignments",
            "deviceManagement/deviceManagementScripts('s1')/assignments",
        ),
        (
            "deviceManagement/deviceManagementScripts/s1/assignments/a1",
            "deviceManagement/deviceManagementScripts('s1')/assignments/$entity",
        ),
        (
            "deviceManagement/softwareUpdateStatusSummary",
            "deviceManagement/softwareUpdateStatusSummary/$entity",
        ),
        ("deviceManagement", "deviceManagement"),
    ];
    for (raw, fragment) in cases {
        assert_eq!(parse(raw).unwrap().context_fragment(), fragment, "{raw}");
    }
    assert_eq!(
        parse("deviceManagement/deviceManagementScripts/a b")
            .unwrap()
            .canonical(),
        "deviceManagement/deviceManagementScripts('a%20b')"
    );
}
