//! Timestamps as yaml.v3 reads them and Go's `time.Time.MarshalText` writes
//! them (RFC 3339 with nanoseconds, trailing zeros trimmed, `Z` for UTC).

fn num(s: &[u8], i: &mut usize, min: usize, max: usize) -> Option<u32> {
    let start = *i;
    while *i < s.len() && *i - start < max && s[*i].is_ascii_digit() {
        *i += 1;
    }
    if *i - start < min {
        return None;
    }
    std::str::from_utf8(&s[start..*i]).ok()?.parse().ok()
}

fn days_in_month(y: u32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ => {
            if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 {
                29
            } else {
                28
            }
        }
    }
}

/// Parses a YAML timestamp (the forms yaml.v3 accepts: `2006-1-2`,
/// `2006-1-2T15:4:5.999999999Z07:00`, with `t`, or with a space and no zone)
/// and returns Go's RFC 3339 text of it, or `None` if it is not one.
pub(crate) fn yaml_timestamp(s: &str) -> Option<String> {
    parse(s, true)
}

/// Normalises an RFC 3339 timestamp to Go's `MarshalText` form.
pub(crate) fn normalize_rfc3339(s: &str) -> Option<String> {
    parse(s, false)
}

fn parse(s: &str, yaml: bool) -> Option<String> {
    let b = s.as_bytes();
    let mut i = 0;
    let year = num(b, &mut i, 4, 4)?;
    if b.get(i) != Some(&b'-') {
        return None;
    }
    i += 1;
    let (dmin, dmax) = if yaml { (1, 2) } else { (2, 2) };
    let month = num(b, &mut i, dmin, dmax)?;
    if b.get(i) != Some(&b'-') {
        return None;
    }
    i += 1;
    let day = num(b, &mut i, dmin, dmax)?;
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let date = format!("{year:04}-{month:02}-{day:02}");
    if i == b.len() {
        return yaml.then(|| format!("{date}T00:00:00Z"));
    }
    let sep = b[i];
    let spaced = sep == b' ';
    if !(sep == b'T' || (yaml && (sep == b't' || spaced))) {
        return None;
    }
    i += 1;
    // Go's `time.Parse(time.RFC3339, …)` (and so `UnmarshalText`, whose
    // strict checks Go has disabled) takes a one-digit hour.
    let hour = num(b, &mut i, 1, 2)?;
    if b.get(i) != Some(&b':') {
        return None;
    }
    i += 1;
    let min = num(b, &mut i, dmin, 2)?;
    if b.get(i) != Some(&b':') {
        return None;
    }
    i += 1;
    let sec = num(b, &mut i, dmin, 2)?;
    if hour > 23 || min > 59 || sec > 59 {
        return None;
    }
    let mut frac = String::new();
    // Go takes a comma too, and any number of digits, keeping nanoseconds
    // (the rest is cut, not rounded).
    if matches!(b.get(i), Some(b'.' | b',')) {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return None;
        }
        frac = s[start..i.min(start + 9)].trim_end_matches('0').to_string();
    }
    let zone = if i == b.len() {
        if spaced {
            "Z".to_string()
        } else {
            return None;
        }
    } else if spaced {
        return None;
    } else if b[i] == b'Z' && i + 1 == b.len() {
        "Z".to_string()
    } else if (b[i] == b'+' || b[i] == b'-') && b.len() == i + 6 && b[i + 3] == b':' {
        let sign = b[i] as char;
        let mut j = i + 1;
        let zh = num(b, &mut j, 2, 2)?;
        j += 1;
        let zm = num(b, &mut j, 2, 2)?;
        if zh > 23 || zm > 59 {
            return None;
        }
        if zh == 0 && zm == 0 {
            "Z".to_string()
        } else {
            format!("{sign}{zh:02}:{zm:02}")
        }
    } else {
        return None;
    };
    let frac = if frac.is_empty() {
        String::new()
    } else {
        format!(".{frac}")
    };
    Some(format!("{date}T{hour:02}:{min:02}:{sec:02}{frac}{zone}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_forms() {
        assert_eq!(
            yaml_timestamp("2024-01-02").unwrap(),
            "2024-01-02T00:00:00Z"
        );
        assert_eq!(
            yaml_timestamp("2001-12-14t21:59:43.10-05:00").unwrap(),
            "2001-12-14T21:59:43.1-05:00"
        );
        assert_eq!(
            yaml_timestamp("2001-12-14 21:59:43.10").unwrap(),
            "2001-12-14T21:59:43.1Z"
        );
        assert_eq!(
            yaml_timestamp("2001-2-3T1:2:3+00:00").unwrap(),
            "2001-02-03T01:02:03Z"
        );
        assert!(yaml_timestamp("2001-02-30").is_none());
        assert!(yaml_timestamp("20010-02-03").is_none());
        assert!(yaml_timestamp("2001-02-03x").is_none());
        assert_eq!(
            normalize_rfc3339("2026-11-22T03:08:45Z").unwrap(),
            "2026-11-22T03:08:45Z"
        );
        assert!(normalize_rfc3339("2026-11-22").is_none());
        // What Go's time.Parse(time.RFC3339, …) also takes.
        assert_eq!(
            normalize_rfc3339("2026-11-22T3:08:45,1234567891234+02:00").unwrap(),
            "2026-11-22T03:08:45.123456789+02:00"
        );
        assert_eq!(
            normalize_rfc3339("2026-11-22T03:08:45.0000000009Z").unwrap(),
            "2026-11-22T03:08:45Z"
        );
        assert!(normalize_rfc3339("2026-11-22T03:08:45.Z").is_none());
        assert!(normalize_rfc3339("2026-11-22T03:8:45Z").is_none());
    }
}
