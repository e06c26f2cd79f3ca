//! Number and string formatting the way Go's `strconv`, `encoding/json` and
//! `yaml.v3` do it, so our output matches sops byte for byte.

/// `strconv.FormatFloat(f, 'f', -1, 64)`: shortest digits, no exponent.
pub(crate) fn format_f(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    format!("{f}")
}

/// Shortest digits and decimal exponent (scientific: d.ddd × 10^exp).
fn sci_parts(f: f64) -> (bool, String, i32) {
    let s = format!("{:e}", f.abs());
    let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let digits: String = mant.chars().filter(|c| *c != '.').collect();
    (f.is_sign_negative(), digits, exp.parse().unwrap_or(0))
}

fn go_exp_form(neg: bool, digits: &str, exp: i32, min_exp_digits: usize) -> String {
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    out.push_str(&digits[..1]);
    if digits.len() > 1 {
        out.push('.');
        out.push_str(&digits[1..]);
    }
    out.push('e');
    out.push(if exp < 0 { '-' } else { '+' });
    let e = exp.unsigned_abs().to_string();
    for _ in e.len()..min_exp_digits {
        out.push('0');
    }
    out.push_str(&e);
    out
}

/// `strconv.FormatFloat(f, 'g', -1, 64)` (what yaml.v3 writes for floats),
/// with yaml's spellings of infinities and NaN.
pub(crate) fn format_yaml_float(f: f64) -> String {
    if f.is_nan() {
        return ".nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 {
            ".inf".into()
        } else {
            "-.inf".into()
        };
    }
    if f == 0.0 {
        return if f.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    let (neg, digits, exp) = sci_parts(f);
    if !(-4..6).contains(&exp) {
        return go_exp_form(neg, &digits, exp, 2);
    }
    format!("{f}")
}

/// What Go's `encoding/json` writes for a float64.
pub(crate) fn format_json_float(f: f64) -> String {
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        let (neg, digits, exp) = sci_parts(f);
        // Go cleans e-09 to e-9: exponent written with at least one digit.
        return go_exp_form(neg, &digits, exp, 1);
    }
    if f == 0.0 {
        return if f.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    format!("{f}")
}

/// Go's `json.Marshal` of a string (with HTML escaping, as sops uses it).
#[cfg(test)]
fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    json_string_into(s, &mut out);
    out
}

/// Whether a byte needs a look in a JSON string: an escape (`"`, `\\`,
/// control characters, Go's HTML escapes) or the lead byte of U+2028/U+2029.
#[inline(always)]
fn json_special(b: u8) -> bool {
    // `|`, not `||`: no branches, so `find_special` vectorizes.
    (b < 0x20) | (b == b'"') | (b == b'\\') | (b == b'<') | (b == b'>') | (b == b'&') | (b == 0xE2)
}

/// The index of the first byte at or after `from` that `special` picks, or
/// the length. Looks at 32 bytes at a time (branch-free, so the compiler
/// vectorizes it, as long as `special` uses `|` rather than `||`): long runs of ordinary text, like the base64 of a large
/// encrypted value, go at memory speed.
#[inline(always)]
pub(crate) fn find_special(bytes: &[u8], from: usize, special: impl Fn(u8) -> bool) -> usize {
    let mut i = from;
    while let Some(chunk) = bytes.get(i..i + 32) {
        if chunk.iter().fold(false, |a, &b| a | special(b)) {
            break;
        }
        i += 32;
    }
    while i < bytes.len() && !special(bytes[i]) {
        i += 1;
    }
    i
}

/// Whether Go's `json.Marshal` writes this string as it is, between quotes.
pub(crate) fn json_string_is_plain(s: &str) -> bool {
    find_special(s.as_bytes(), 0, json_special) == s.len()
}

/// Appends Go's `json.Marshal` of a string to `out`.
pub(crate) fn json_string_into(s: &str, out: &mut String) {
    out.reserve(s.len() + 2);
    out.push('"');
    let bytes = s.as_bytes();
    let mut start = 0;
    let mut i = 0;
    loop {
        i = find_special(bytes, i, json_special);
        if i >= bytes.len() {
            break;
        }
        let b = bytes[i];
        if b == 0xE2 {
            // U+2028 / U+2029 are E2 80 A8 / E2 80 A9.
            if bytes.get(i + 1) == Some(&0x80) && matches!(bytes.get(i + 2), Some(0xA8 | 0xA9)) {
                out.push_str(&s[start..i]);
                out.push_str(if bytes[i + 2] == 0xA8 {
                    "\\u2028"
                } else {
                    "\\u2029"
                });
                i += 3;
                start = i;
            } else {
                i += 1;
            }
            continue;
        }
        out.push_str(&s[start..i]);
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            b'<' => out.push_str("\\u003c"),
            b'>' => out.push_str("\\u003e"),
            b'&' => out.push_str("\\u0026"),
            c => out.push_str(&format!("\\u{:04x}", c)),
        }
        i += 1;
        start = i;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_like_go() {
        assert_eq!(format_f(1e20), "100000000000000000000");
        assert_eq!(format_f(0.75), "0.75");
        assert_eq!(format_f(3.0), "3");
        assert_eq!(format_yaml_float(1e20), "1e+20");
        assert_eq!(format_yaml_float(1.5e-7), "1.5e-07");
        assert_eq!(format_yaml_float(123456789.0), "1.23456789e+08");
        assert_eq!(format_yaml_float(1e6), "1e+06");
        assert_eq!(format_yaml_float(100000.0), "100000");
        assert_eq!(format_yaml_float(-0.0), "-0");
        assert_eq!(format_yaml_float(0.5), "0.5");
        assert_eq!(format_yaml_float(f64::NEG_INFINITY), "-.inf");
        assert_eq!(
            format_json_float(1234567890123456789.0),
            "1234567890123456800"
        );
        assert_eq!(format_json_float(3.0), "3");
        assert_eq!(format_json_float(1e21), "1e+21");
        assert_eq!(format_json_float(1e-7), "1e-7");
    }

    #[test]
    fn json_strings_like_go() {
        assert_eq!(json_string("<a&b>"), r#""\u003ca\u0026b\u003e""#);
        assert_eq!(json_string("a\"\\\n\u{1}"), r#""a\"\\\n\u0001""#);
        assert_eq!(json_string("x\u{2028}y\u{2029}é✓"), r#""x\u2028y\u2029é✓""#);
        // Specials before, inside and after 32-byte runs.
        let long = format!(
            "{}<{}\u{2028}{}\"",
            "a".repeat(40),
            "b".repeat(70),
            "c".repeat(31)
        );
        let want = format!(
            r#""{}\u003c{}\u2028{}\"""#,
            "a".repeat(40),
            "b".repeat(70),
            "c".repeat(31)
        );
        assert_eq!(json_string(&long), want);
        assert!(json_string_is_plain(&"x".repeat(100)));
        assert!(!json_string_is_plain(&format!("{}&", "x".repeat(100))));
    }
}
