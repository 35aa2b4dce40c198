//! Path patterns of fault rules: `/beta/deviceManagement/deviceManagementScripts/*/runSummary`,
//! `deviceManagement/**`. A pattern that starts with a version (`v1.0`, `beta`) matches
//! that version only; one without matches every version. `*` matches one segment, `**`
//! (last only) the rest, none included. Segments compare case-insensitively, as Graph
//! compares names, after percent-decoding; a key in parentheses (`scripts('id')`) is a
//! segment of its own, so `scripts/*` matches both `scripts/id` and `scripts('id')`.

use intune::ApiVersion;
use odata::path::percent_decode;

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
        if text.len() > 2000 || text.contains(['?', '#']) || text.chars().any(char::is_control) {
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
    fn bad_patterns_are_refused() {
        for bad in ["", "/", "a?b=1", "**/a", "a/**/b", "a#b"] {
            assert!(Pattern::parse(bad).is_err(), "{bad}");
        }
        assert!(Pattern::parse("a/*/b/**").is_ok());
    }
}
