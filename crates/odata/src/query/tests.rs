use super::*;
use crate::fixture::model;

fn filter(text: &str) -> Result<String, String> {
    let model = model();
    let ty = model.structured("deviceManagementScript").unwrap();
    parse_filter("$filter", text)
        .and_then(|e| check_filter(&model, ty, e))
        .map(|e| e.to_string())
        .map_err(|e| e.to_string())
}

#[test]
fn filters_parse_with_odata_precedence() {
    let cases = [
        "displayName eq 'a' and runAs32Bit eq true or state eq 'fail'",
        "displayName eq 'a' and (runAs32Bit eq true or state eq microsoft.graph.runState'success')",
        "not startswith(displayName, 'It''s') and contains(tolower(displayName), 'x')",
        "createdDateTime gt 2024-01-01T00:00:00.1234567+02:00 and createdDateTime le 2025-01-01T00:00:00Z",
        "state in ('unknown', 'fail') or displayName in ('a', 'b')",
        "displayName eq null or displayName ne null",
        "DISPLAYNAME Eq 'x' AND id eq 01a20299-c7cc-71d1-8a9b-ab17618ed916",
        "endswith(displayName,'z')",
    ];
    let out: Vec<String> = cases
        .iter()
        .map(|c| {
            format!(
                "{c}\n  => {}",
                filter(c).unwrap_or_else(|e| format!("ERROR {e}"))
            )
        })
        .collect();
    insta::assert_snapshot!(out.join("\n"));
}

#[test]
fn filter_errors_name_the_option_the_position_and_the_types() {
    let cases = [
        "displayName eq",
        "(displayName eq 'a'",
        "displayName eq 'a' garbage",
        "displayName eq 'unclosed",
        "startswith(displayName)",
        "frobnicate(displayName, 'a')",
        "displayName eq 5",
        "runAs32Bit eq 'true'",
        "state eq 'sideways'",
        "nothing eq 1",
        "runSummary eq null",
        "roleScopeTagIds eq 'a'",
        "displayName",
        "not displayName eq 'a'",
        "createdDateTime gt '2024-01-01T00:00:00Z'",
        "displayName gt null",
        "displayName eq #",
        "and eq 1",
        "roleScopeTagIds/any(t: t eq 'a')",
    ];
    let out: Vec<String> = cases
        .iter()
        .map(|c| {
            format!(
                "{c}\n  => {}",
                filter(c).err().unwrap_or_else(|| "accepted".into())
            )
        })
        .collect();
    insta::assert_snapshot!(out.join("\n"));
}

/// A literal in a syntax error reads as the option wrote it, not reformatted.
#[test]
fn filter_errors_quote_literals_as_written() {
    let cases = [
        ("displayName eq 'a' 1e2", "unexpected 1e2 after"),
        ("displayName eq 'a' 1.50", "unexpected 1.50 after"),
        ("displayName eq 'a' -0", "unexpected -0 after"),
        ("displayName in (1.0E+1 2)", "found 2"),
        ("displayName in ('a' 2.50)", "found 2.50"),
        (
            "displayName eq 'a' 2024-01-01T00:00:00+02:00",
            "unexpected 2024-01-01T00:00:00+02:00 after",
        ),
        (
            "displayName eq 'a' 01A20299-C7CC-71D1-8A9B-AB17618ED916",
            "unexpected 01A20299-C7CC-71D1-8A9B-AB17618ED916 after",
        ),
        ("displayName eq 'a' 'it''s'", "unexpected 'it''s' after"),
    ];
    for (text, quoted) in cases {
        let error = filter(text).expect_err(text);
        assert!(error.contains(quoted), "{text}: {error}");
    }
}

#[test]
fn options_are_case_insensitive_with_an_optional_dollar_and_plus_as_space() {
    let model = model();
    let ty = model.structured("deviceManagementScript").unwrap();
    let parsed = QueryOptions::parse(
        Some("$FILTER=displayName+eq+'a%20b'&top=5&$Select=DisplayName,id&$orderby=createdDateTime%20desc,displayName&$count=true&other=1"),
        &model,
        ty,
    )
    .unwrap();
    assert_eq!(parsed.filter.unwrap().to_string(), "(eq displayName 'a b')");
    assert_eq!(parsed.top, Some(5));
    assert_eq!(
        parsed.select,
        Some(vec!["displayName".to_string(), "id".to_string()])
    );
    assert_eq!(parsed.orderby.len(), 2);
    assert!(parsed.orderby[0].descending && !parsed.orderby[1].descending);
    assert!(parsed.count);
    assert_eq!(
        parsed.given,
        ["$filter", "$top", "$select", "$orderby", "$count"]
    );
    let clamped = QueryOptions::parse(Some("$top=5000"), &model, ty).unwrap();
    assert_eq!(clamped.top, Some(MAX_PAGE_SIZE));
    // `*` selects every property, alone or among names (each still checked).
    let every: Vec<String> = ty.properties.iter().map(|p| p.name.clone()).collect();
    for select in ["$select=*", "$select=displayName,*", "$select=*,id"] {
        let parsed = QueryOptions::parse(Some(select), &model, ty).unwrap();
        assert_eq!(parsed.select.as_ref(), Some(&every), "{select}");
    }
    // A navigation property may be selected (its link, which minimal metadata omits).
    let link = QueryOptions::parse(Some("$select=displayName,RunSummary"), &model, ty).unwrap();
    assert_eq!(
        link.select,
        Some(vec!["displayName".to_string(), "runSummary".to_string()])
    );
    let every_and_link = QueryOptions::parse(Some("$select=runSummary,*"), &model, ty).unwrap();
    let mut expected = every.clone();
    expected.push("runSummary".into());
    assert_eq!(every_and_link.select, Some(expected));

    let errors: Vec<String> = [
        "$top=0",
        "$top=x",
        "$skip=-1",
        "$count=maybe",
        "$count=TRUE",
        "$filter=id eq 'a'&filter=id eq 'b'",
        "$bogus=1",
        "$search=x",
        "$select=nope",
        "$select=*,*",
        "$select=*,nope",
        "$select=displayName,*,displayName",
        "$select=runSummary,runSummary",
        "$select=*,",
        "$expand=nope",
        "$expand=assignments($top=x)",
        "$expand=runSummary($top=1)",
        "$orderby=roleScopeTagIds",
        "$expand=assignments(",
        "$expand=,",
        "$expand=assignments,,runSummary",
        "$expand=assignments,runSummary,Assignments($top=1)",
        "$expand=assignments($top=1;$top=3)",
        "$expand=assignments($filter=id eq 'a';filter=id eq 'b')",
        "$expand=runSummary($select=id;$SELECT=id)",
        "$orderby=displayName sideways",
        "$orderby=displayName desc,id,DisplayName",
        "$filter=displayName eq '%FF%FE'",
        "$filter=displayName eq 'a%00b'",
        "$select=displayName%00",
    ]
    .iter()
    .map(|q| {
        format!(
            "{q} => {}",
            QueryOptions::parse(Some(q), &model, ty).unwrap_err()
        )
    })
    .collect();
    insta::assert_snapshot!(errors.join("\n"));
}

#[test]
fn expand_takes_nested_options() {
    let model = model();
    let ty = model.structured("deviceManagementScript").unwrap();
    let parsed = QueryOptions::parse(
        Some("$expand=runSummary($select=successDeviceCount),Assignments($filter=id eq 'x';$top=2;$orderby=id desc)"),
        &model,
        ty,
    )
    .unwrap();
    assert_eq!(parsed.expand.len(), 2);
    assert_eq!(parsed.expand[0].navigation, "runSummary");
    assert!(!parsed.expand[0].collection);
    assert_eq!(
        parsed.expand[0].select.as_deref(),
        Some(&["successDeviceCount".to_string()][..])
    );
    assert_eq!(parsed.expand[1].navigation, "assignments");
    assert_eq!(parsed.expand[1].top, Some(2));
    assert_eq!(
        parsed.expand[1].filter.as_ref().unwrap().to_string(),
        "(eq id 'x')"
    );
}
