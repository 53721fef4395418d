//! TLS-PEER-CERT-FORMAT read as the standards it names, so that every spelling they allow
//! passes and nothing else does: RFC 3339 UTC instants, and RFC 4514 distinguished names
//! compared by their unescaped values.

use crate::script::{CaseResult, Failure, expect};

/// `got` must be an RFC 3339 date-time in UTC (`Z` or `+00:00`, with or without fractional
/// seconds) naming the same instant as `expected` (written `YYYY-MM-DDTHH:MM:SSZ`).
pub(super) fn expect_utc_instant(what: &str, got: &str, expected: &str) -> CaseResult {
    let want =
        utc_instant(expected).map_err(|e| Failure::new(format!("{what}: the expected {expected:?}: {e}")))?;
    match utc_instant(got) {
        Ok(instant) => {
            expect(instant == want, || format!("{what}: expected the instant {expected}, got {got:?}"))
        }
        Err(e) => {
            Err(Failure::new(format!("{what}: expected an RFC 3339 UTC time ({expected}), got {got:?}: {e}")))
        }
    }
}

/// `got` must be an RFC 4514 string of the RDNs `expected` (each `(type, value)`, in the
/// string's order: the last RDN of the name first), compared by unescaped value, so `\,` and
/// `\2C` are the same. Attribute types compare without regard to case.
pub(super) fn expect_dn(what: &str, got: &str, expected: &[(&str, &str)]) -> CaseResult {
    let rdns =
        rfc4514(got).map_err(|e| Failure::new(format!("{what}: {got:?} is not an RFC 4514 string: {e}")))?;
    let same = rdns.len() == expected.len()
        && rdns.iter().zip(expected).all(
            |(rdn, (kind, value))| matches!(&rdn[..], [(k, v)] if k.eq_ignore_ascii_case(kind) && v == value),
        );
    expect(same, || {
        let want: Vec<String> = expected.iter().map(|(k, v)| format!("{k}={v:?}")).collect();
        format!(
            "{what}: expected the RDNs [{}] in this order, got {got:?} (read as {rdns:?})",
            want.join(", ")
        )
    })
}

/// The value of the attribute `kind` in the RFC 4514 string `dn`, unescaped, if there is one.
pub(super) fn dn_value(dn: &str, kind: &str) -> Option<String> {
    rfc4514(dn).ok()?.into_iter().flatten().find(|(k, _)| k.eq_ignore_ascii_case(kind)).map(|(_, v)| v)
}

/// An RFC 3339 `date-time` whose offset is `Z` or `+00:00`, as seconds since 1970 and the
/// digits of its fraction of a second without trailing zeros (equal instants, equal pairs).
fn utc_instant(text: &str) -> Result<(i64, String), String> {
    let bytes = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| -> Result<i64, String> {
        let part = bytes.get(range.clone()).filter(|p| p.iter().all(u8::is_ascii_digit));
        let part = part.ok_or_else(|| format!("no digits at {}..{}", range.start, range.end))?;
        Ok(part.iter().fold(0, |n, d| n * 10 + i64::from(d - b'0')))
    };
    let punctuation = [(4, b'-'), (7, b'-'), (13, b':'), (16, b':')];
    if punctuation.iter().any(|&(at, c)| bytes.get(at) != Some(&c))
        || !matches!(bytes.get(10), Some(b'T' | b't'))
    {
        return Err("not YYYY-MM-DDTHH:MM:SS".into());
    }
    let (year, month, day) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
    let (hour, minute, second) = (digits(11..13)?, digits(14..16)?, digits(17..19)?);
    let mut rest = &text[19..];
    let mut fraction = "";
    if let Some(after_dot) = rest.strip_prefix('.') {
        let count = after_dot.bytes().take_while(u8::is_ascii_digit).count();
        if count == 0 {
            return Err("a '.' without fractional digits".into());
        }
        fraction = after_dot[..count].trim_end_matches('0');
        rest = &after_dot[count..];
    }
    if !matches!(rest, "Z" | "z" | "+00:00") {
        return Err(format!("the offset {rest:?} is not UTC (Z or +00:00)"));
    }
    let month_days = [31, 28 + i64::from(is_leap(year)), 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let day_limit = usize::try_from(month - 1).ok().and_then(|m| month_days.get(m)).copied().unwrap_or(0);
    if day < 1 || day > day_limit || hour > 23 || minute > 59 || second > 60 {
        return Err("a field out of range".into());
    }
    let days = days_from_civil(year, month, day);
    Ok((days * 86_400 + hour * 3_600 + minute * 60 + second, fraction.to_string()))
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

/// Days from 1970-01-01 to the proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The RDNs of an RFC 4514 string, in its order, each a list of `(type, unescaped value)`.
/// Refuses what RFC 4514 section 2.4 says must be escaped but is not (`"`, `;`, `<`, `>`, a
/// leading `#` or space, a trailing space), a bad escape, and a value that is not UTF-8.
fn rfc4514(dn: &str) -> Result<Vec<Vec<(String, String)>>, String> {
    let mut rdns = vec![Vec::new()];
    let mut input = dn.as_bytes().iter().copied().peekable();
    while input.peek().is_some() {
        let kind: String = std::iter::from_fn(|| input.next_if(|&c| c != b'=')).map(char::from).collect();
        if input.next() != Some(b'=') || kind.is_empty() {
            return Err(format!("an attribute without '=' after {kind:?}"));
        }
        let mut value = Vec::new();
        let mut last_escaped = false;
        let mut separator = None;
        while let Some(c) = input.next() {
            last_escaped = c == b'\\';
            match c {
                b',' | b'+' => {
                    separator = Some(c);
                    break;
                }
                b'\\' => value.push(unescape(&mut input)?),
                b'"' | b';' | b'<' | b'>' => {
                    return Err(format!("an unescaped {:?} in {kind}", char::from(c)));
                }
                b'#' | b' ' if value.is_empty() => {
                    return Err(format!("an unescaped leading {:?} in {kind}", char::from(c)));
                }
                _ => value.push(c),
            }
        }
        if value.last() == Some(&b' ') && !last_escaped {
            return Err(format!("an unescaped trailing space in {kind}"));
        }
        let value = String::from_utf8(value).map_err(|_| format!("the value of {kind} is not UTF-8"))?;
        if let Some(rdn) = rdns.last_mut() {
            rdn.push((kind, value));
        }
        match separator {
            Some(b',') => rdns.push(Vec::new()),
            Some(_) => {}
            None if input.peek().is_none() => {}
            None => return Err("trailing text".into()),
        }
        if separator.is_some() && input.peek().is_none() {
            return Err("a separator at the end".into());
        }
    }
    Ok(rdns.into_iter().filter(|rdn| !rdn.is_empty()).collect())
}

/// The byte an escape stands for, `\` already read: a special character, or two hex digits.
fn unescape(input: &mut impl Iterator<Item = u8>) -> Result<u8, String> {
    match input.next() {
        Some(c @ (b'"' | b'+' | b',' | b';' | b'<' | b'>' | b'\\' | b' ' | b'#' | b'=')) => Ok(c),
        Some(high) if high.is_ascii_hexdigit() => {
            let low = input.next().filter(u8::is_ascii_hexdigit).ok_or("a '\\' and one hex digit")?;
            let hex = [high, low];
            let text = std::str::from_utf8(&hex).map_err(|_| "a bad hex escape")?;
            u8::from_str_radix(text, 16).map_err(|_| "a bad hex escape".into())
        }
        other => Err(format!("a '\\' before {:?}", other.map(char::from))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_instants_in_every_rfc3339_utc_spelling() {
        let want = "2025-01-01T00:00:00Z";
        for got in [
            "2025-01-01T00:00:00Z",
            "2025-01-01T00:00:00.000Z",
            "2025-01-01T00:00:00+00:00",
            "2025-01-01t00:00:00z",
        ] {
            assert!(expect_utc_instant("t", got, want).is_ok(), "{got}");
        }
        for got in [
            "2025-01-02T00:00:00Z",
            "2025-01-01T00:00:00.5Z",
            "2025-01-01T01:00:00+01:00",
            "2025-01-01T00:00:00-00:00",
            "2025-01-01T00:00:00",
            "2025-01-01 00:00:00Z",
            "Jan  1 00:00:00 2025 GMT",
            "2025-02-30T00:00:00Z",
            "",
        ] {
            assert!(expect_utc_instant("t", got, want).is_err(), "{got}");
        }
        assert_eq!(utc_instant("2036-01-01T00:00:00.250Z"), Ok((2_082_758_400, "25".to_string())));
    }

    #[test]
    fn dns_compare_unescaped_values_in_order() {
        let want = [("O", "Caspian Conformance"), ("CN", "caspian-good")];
        assert!(expect_dn("s", "O=Caspian Conformance,CN=caspian-good", &want).is_ok());
        assert!(expect_dn("s", "o=Caspian Conformance,cn=caspian\\2Dgood", &want).is_ok());
        for got in [
            "CN=caspian-good,O=Caspian Conformance",
            "O=Caspian Conformance+CN=caspian-good",
            "O=Caspian Conformance,CN=caspian-other",
            "O=Caspian Conformance",
            "O=Caspian Conformance,CN=caspian-good,",
            "O=Caspian Conformance, CN=caspian-good",
        ] {
            assert!(expect_dn("s", got, &want).is_err(), "{got}");
        }
        let escaped = [("O", "Caspian Conformance"), ("CN", "#1 Caspian, \"Escaped\" + <Test>; a\\b ")];
        for got in [
            r#"O=Caspian Conformance,CN=\#1 Caspian\, \"Escaped\" \+ \<Test\>\; a\\b\ "#,
            r"O=Caspian Conformance,CN=\231 Caspian\2C \22Escaped\22 \2B \3CTest\3E\3B a\5Cb\20",
        ] {
            assert!(expect_dn("s", got, &escaped).is_ok(), "{got}");
        }
        for got in [
            r#"O=Caspian Conformance,CN=#1 Caspian\, \"Escaped\" \+ \<Test\>\; a\\b\ "#,
            r#"O=Caspian Conformance,CN=\#1 Caspian\, "Escaped" \+ \<Test\>\; a\\b\ "#,
            r#"O=Caspian Conformance,CN=\#1 Caspian\, \"Escaped\" \+ \<Test\>\; a\\b "#,
            r#"O=Caspian Conformance,CN=\#1 Caspian, \"Escaped\" \+ \<Test\>\; a\\b\ "#,
        ] {
            assert!(expect_dn("s", got, &escaped).is_err(), "{got}");
        }
        assert_eq!(
            dn_value("O=Caspian Conformance,CN=caspian\\2Dgood", "cn").as_deref(),
            Some("caspian-good")
        );
    }
}
