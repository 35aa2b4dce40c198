//! Places: a resource path's navigation names from the singleton on, without keys, version
//! or system segments (`deviceManagement/deviceManagementScripts/runSummary`). The tables
//! kept as data ([`crate::throttling`]) are keyed by place, a rule covering its place and
//! everything under it.

/// How many names `rule` (`a/b/c`) has when it covers `place` (it names the first names of
/// `place`, case-insensitively, as Graph compares names); `None` when it does not.
pub fn covers<S: AsRef<str>>(rule: &str, place: &[S]) -> Option<usize> {
    // Walks the rule name by name without splitting it: this runs on every request.
    let mut rest = rule;
    for (depth, name) in place.iter().enumerate() {
        let name = name.as_ref();
        if !rest.get(..name.len())?.eq_ignore_ascii_case(name) {
            return None;
        }
        rest = &rest[name.len()..];
        if rest.is_empty() {
            return Some(depth + 1);
        }
        rest = rest.strip_prefix('/')?;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::covers;

    #[test]
    fn a_rule_covers_its_place_and_what_is_under_it() {
        assert_eq!(covers("a/b", &["a", "b"]), Some(2));
        assert_eq!(covers("a/b", &["A", "B", "c"]), Some(2));
        assert_eq!(covers("a/b", &["a"]), None);
        assert_eq!(covers("a/b", &["a", "x"]), None);
        assert_eq!(covers::<&str>("a", &[]), None);
        assert_eq!(covers("ab/c", &["a", "b"]), None, "a name is matched whole");
        assert_eq!(covers("a/bc", &["a", "b"]), None);
        assert_eq!(covers("a/b", &["a", "b/"]), None);
    }
}
