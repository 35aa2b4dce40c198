//! Path patterns of fault rules: `/beta/deviceManagement/deviceManagementScripts/*/runSummary`,
//! `deviceManagement/**`. A pattern that starts with a version (`v1.0`, `beta`) matches
//! that version only; one without matches every version. `*` matches one segment, `**`
//! (last only) the rest, none included. Segments compare case-insensitively, as Graph
//! compares names, after percent-decoding; a key in parentheses (`scripts('id')`) is a
//! segment of its own, so `scripts/*` matches both `scripts/id` and `scripts('id')`.

use intune::{ApiVersion, Schema};
use odata::path::percent_decode;

use crate::graph_paths::ServiceRoute;

/// The longest pattern, in characters (as JSON Schema's `maxLength` counts them).
pub const MAX_CHARS: usize = 2000;

/// One segment of a pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    /// A segment, lower case.
    Literal(String),
    /// `*`.
    One,
    /// `**`.
    Rest,
}

/// A checked pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    versioned: bool,
    parts: Vec<Part>,
}

impl Pattern {
    /// Checks a pattern.
    pub fn parse(text: &str) -> Result<Pattern, &'static str> {
        if text.chars().count() > MAX_CHARS
            || text.contains(['?', '#'])
            || text.chars().any(char::is_control)
        {
            return Err("not a path pattern");
        }
        let segments = Pattern::segments(text);
        if segments.is_empty() {
            return Err("an empty pattern");
        }
        let parts: Vec<Part> = segments
            .iter()
            .map(|s| match s.as_str() {
                "*" => Part::One,
                "**" => Part::Rest,
                other => Part::Literal(other.to_string()),
            })
            .collect();
        if parts[..parts.len() - 1].contains(&Part::Rest) {
            return Err("'**' only at the end");
        }
        let versioned =
            matches!(&parts[0], Part::Literal(first) if ApiVersion::parse(first).is_some());
        Ok(Pattern { versioned, parts })
    }

    /// The first segment the pattern names after its version, if it names one (`None`
    /// for `*`, `**` and a bare version).
    pub fn first_name(&self) -> Option<&str> {
        let after = if self.versioned { 1 } else { 0 };
        match self.parts.get(after) {
            Some(Part::Literal(name)) => Some(name),
            _ => None,
        }
    }

    /// Why no request the controls see can match the pattern, if none can: it names the
    /// control API or another path of localgraph's own (outside the controls), a version
    /// localgraph does not serve, or something no version serves. `None` when one can.
    pub fn never_applies(&self, schema: &Schema) -> Option<String> {
        let first = self.first_name()?;
        let versions = ApiVersion::ALL.map(ApiVersion::as_str).join(", ");
        if matches!(first, "_localgraph" | "healthz" | "metrics") {
            return Some(format!(
                "fault rules act on Graph requests only, and the control API, /healthz and /metrics are outside them; give a Graph path, with or without its version ({versions})."
            ));
        }
        let served = |version: &ApiVersion| schema.places(*version).singleton(first).is_some();
        if ApiVersion::ALL.iter().any(served)
            || ServiceRoute::ALL
                .iter()
                .any(|route| route.segment().eq_ignore_ascii_case(first))
        {
            return None;
        }
        if first
            .strip_prefix('v')
            .is_some_and(|v| v.starts_with(|c: char| c.is_ascii_digit()))
        {
            return Some(format!(
                "'{first}' is not a version localgraph serves ({versions})."
            ));
        }
        Some(format!(
            "no version serves '{first}'; after its version ({versions}), or first without one, a rule's path names one of {}, or '*' or '**'.",
            Pattern::first_names(schema).join(", ")
        ))
    }

    /// The names a pattern's first segment after its version may be, for it to match a
    /// request the controls see: the singletons some version serves, then the service
    /// routes (`$batch`, …).
    pub fn first_names(schema: &Schema) -> Vec<&str> {
        let mut names: Vec<&str> = ApiVersion::ALL
            .iter()
            .flat_map(|version| schema.places(*version).iter())
            .filter(|place| place.parent.is_none())
            .map(|place| place.name.as_str())
            .collect();
        names.sort_unstable();
        names.dedup();
        names.extend(ServiceRoute::ALL.map(ServiceRoute::segment));
        names
    }

    /// A path's segments as patterns see them: decoded, lower case, keys apart.
    pub fn segments(path: &str) -> Vec<String> {
        let mut out = Vec::new();
        for raw in path.split('/').filter(|s| !s.is_empty()) {
            let segment = percent_decode(raw).to_lowercase();
            match segment.split_once('(') {
                Some((name, key)) if key.ends_with(')') && !name.is_empty() => {
                    out.push(name.to_string());
                    let key = &key[..key.len() - 1];
                    out.push(key.trim_matches('\'').to_string());
                }
                _ => out.push(segment),
            }
        }
        out
    }

    /// Whether a request path (its [`Pattern::segments`], version first) matches.
    pub fn matches(&self, segments: &[String]) -> bool {
        let rest = if self.versioned {
            segments
        } else {
            match segments.split_first() {
                Some((_, rest)) => rest,
                None => return false,
            }
        };
        let mut given = rest.iter();
        for part in &self.parts {
            match part {
                Part::Rest => return true,
                Part::One => {
                    if given.next().is_none() {
                        return false;
                    }
                }
                Part::Literal(literal) => {
                    if given.next() != Some(literal) {
                        return false;
                    }
                }
            }
        }
        given.next().is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(pattern: &str, path: &str) -> bool {
        Pattern::parse(pattern)
            .unwrap()
            .matches(&Pattern::segments(path))
    }

    #[test]
    fn patterns_match_with_or_without_the_version() {
        let summary = "/beta/deviceManagement/deviceManagementScripts/abc/runSummary";
        assert!(matches(
            "/beta/deviceManagement/deviceManagementScripts/*/runSummary",
            summary
        ));
        assert!(matches(
            "deviceManagement/deviceManagementScripts/*/runSummary",
            summary
        ));
        assert!(matches("deviceManagement/**", summary));
        assert!(matches("**", summary));
        assert!(matches("/BETA/DEVICEMANAGEMENT/**", summary));
        assert!(!matches("/v1.0/deviceManagement/**", summary));
        assert!(!matches("deviceManagement/*", summary), "* is one segment");
        assert!(!matches(
            "deviceManagement/deviceManagementScripts/*",
            summary
        ));
        assert!(matches(
            "deviceManagement/deviceManagementScripts/*/runSummary",
            "/beta/deviceManagement/deviceManagementScripts('abc')/runSummary"
        ));
        assert!(matches(
            "deviceManagement/deviceManagementScripts/abc/**",
            "/beta/deviceManagement/deviceManagementScripts/abc"
        ));
        assert!(matches(
            "/v1.0/deviceManagement/softwareUpdateStatusSummary/$ref",
            "/v1.0/deviceManagement/softwareUpdateStatusSummary/%24ref"
        ));
    }

    #[test]
    fn patterns_no_graph_request_can_match_say_why() {
        let schema = Schema::load().expect("the bundled CSDL");
        let why = |pattern: &str| Pattern::parse(pattern).unwrap().never_applies(&schema);
        for reachable in [
            "**",
            "/beta",
            "*/runSummary",
            "/v1.0/deviceManagement/**",
            "deviceAppManagement/*",
            "/BETA/$batch",
            "$metadata",
            "/v1.0/openapi.json",
        ] {
            assert_eq!(why(reachable), None, "{reachable}");
        }
        let never = why("/_localgraph/faults").unwrap();
        assert!(never.contains("the control API"), "{never}");
        assert_eq!(
            why("/v2.0/x").unwrap(),
            "'v2.0' is not a version localgraph serves (v1.0, beta)."
        );
        let never = why("/beta/users/**").unwrap();
        assert!(never.starts_with("no version serves 'users'"), "{never}");
        assert!(
            never.contains("deviceAppManagement, deviceManagement, $batch"),
            "{never}"
        );
    }

    #[test]
    fn bad_patterns_are_refused() {
        for bad in ["", "/", "a?b=1", "**/a", "a/**/b", "a#b"] {
            assert!(Pattern::parse(bad).is_err(), "{bad}");
        }
        assert!(Pattern::parse("a/*/b/**").is_ok());
    }
}
