//! Property tests: everything we write reads back to the same zone, in both
//! formats, and no input makes a parser panic.

mod gen;

use gen::{origin, zone};
use proptest::prelude::*;
use zone::{parse_zone_file, parse_zone_yaml, write_zone_file, write_zone_yaml, Zone};

/// `check` on a generated zone: its YAML read back. Only the wire limits and
/// an NS at a wildcard may refuse a generated zone (the generators make
/// nothing else invalid).
fn check(z: &Zone) -> Result<Option<Zone>, TestCaseError> {
    let text = write_zone_yaml(z);
    match parse_zone_yaml(&text, &origin(), "t") {
        Ok(back) => Ok(Some(back)),
        Err(e)
            if e.items.iter().filter(|d| !d.warning).all(|d| {
                d.message.contains("octets") || d.message.starts_with("NS record at wildcard")
            }) =>
        {
            Ok(None)
        }
        Err(e) => Err(TestCaseError::fail(format!("{e}\n{text}"))),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn yaml_round_trips(z in zone(true, false)) {
        // What the YAML writer (backups, pull) writes, the reader reads back equal.
        if let Some(back) = check(&z)? {
            prop_assert_eq!(&back, &z);
            prop_assert_eq!(write_zone_yaml(&back), write_zone_yaml(&z));
        }
    }

    #[test]
    fn zone_file_of_every_checked_zone_round_trips(z in zone(false, false)) {
        // For every zone `check` accepts, the local provider's file reads back.
        if let Some(checked) = check(&z)? {
            let text = write_zone_file(&checked);
            let back = parse_zone_file(&text, &origin(), "t").map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
            prop_assert_eq!(&back, &checked);
            prop_assert_eq!(write_zone_file(&back), text);
        }
    }

    #[test]
    fn yaml_parser_never_panics(text in "[ -~\n\t]{0,300}") {
        let _ = parse_zone_yaml(&text, &origin(), "t");
    }

    #[test]
    fn yaml_parser_never_panics_on_near_valid_input(z in zone(true, false), cut in any::<prop::sample::Index>(), junk in "[ -~\n]{0,8}") {
        let mut text = write_zone_yaml(&z);
        let at = cut.index(text.len() + 1);
        if text.is_char_boundary(at) {
            text.insert_str(at, &junk);
        }
        let _ = parse_zone_yaml(&text, &origin(), "t");
    }

    #[test]
    fn zone_file_parser_never_panics(text in "[ -~\n\t]{0,300}") {
        let _ = parse_zone_file(&text, &origin(), "t");
    }

    #[test]
    fn zone_file_parser_never_panics_on_near_valid_input(z in zone(false, false), cut in any::<prop::sample::Index>(), junk in "[ -~\n]{0,8}") {
        let mut text = write_zone_file(&z);
        let at = cut.index(text.len() + 1);
        if text.is_char_boundary(at) {
            text.insert_str(at, &junk);
        }
        let _ = parse_zone_file(&text, &origin(), "t");
    }
}
