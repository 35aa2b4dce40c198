//! Places: a served path's names from the singleton on, without keys, casts, versions or
//! system segments, joined by `/` (`deviceManagement/deviceManagementScripts/runSummary`;
//! see `odata::Places`). [`crate::throttling`]'s rules cover their place and everything
//! under it.

/// Whether the rule's place `rule` is `place` or a place above it (names compare
/// case-insensitively, as Graph compares them).
pub fn covers(rule: &str, place: &str) -> bool {
    // Runs on every request: no splitting, no allocation.
    place.len() >= rule.len()
        && place.is_char_boundary(rule.len())
        && place[..rule.len()].eq_ignore_ascii_case(rule)
        && (place.len() == rule.len() || place.as_bytes()[rule.len()] == b'/')
}

#[cfg(test)]
mod tests {
    use super::covers;

    #[test]
    fn a_rule_covers_its_place_and_what_is_under_it() {
        assert!(covers("a/b", "a/b"));
        assert!(covers("a/b", "A/B/c"));
        assert!(!covers("a/b", "a"));
        assert!(!covers("a/b", "a/x"));
        assert!(!covers("a", ""));
        assert!(!covers("a/b", "a/bc"), "a name is matched whole");
        assert!(!covers("ab", "a"));
    }
}
