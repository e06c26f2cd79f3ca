//! What can be wrong with a name, a value, a record set or a plan. Each
//! variant carries what a caller needs to act on it; the message (its
//! `Display`) is what a user sees, placed by the caller at a file position
//! (see [`crate::Diagnostic`]).

use crate::name::Name;
use crate::rdata::{RType, CAA_TAGS, MAX_TTL};

/// A domain name that is not valid where it was written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NameError {
    /// An absolute name was expected, but it lacks the final dot.
    #[error("'{name}' is not fully qualified: end it with a dot ('{name}.')")]
    NotFullyQualified {
        /// The name as written.
        name: String,
    },
    /// A record name (relative to its zone) ends with a dot.
    #[error("record name '{name}' ends with a dot: names in zone files are relative to the zone")]
    OwnerEndsWithDot {
        /// The name as written.
        name: String,
    },
    /// The name is longer than 255 octets on the wire.
    #[error("name '{name}' is {octets} octets in wire form, more than 255")]
    TooLong {
        /// The name as written, without its final dot.
        name: String,
        /// Its length in wire form.
        octets: usize,
    },
    /// Two dots in a row, or a dot at the start.
    #[error("name '{name}' has an empty label")]
    EmptyLabel {
        /// The name as written, without its final dot.
        name: String,
    },
    /// A label is longer than `max` octets.
    #[error("label '{label}' in '{name}' is {} octets, more than {max}", label.len())]
    LabelTooLong {
        /// The name as written, without its final dot.
        name: String,
        /// The label that is too long.
        label: String,
        /// The longest label allowed (63).
        max: usize,
    },
    /// A `*` label that is not the leftmost one.
    #[error("'*' in '{name}' is only allowed as the leftmost label")]
    MisplacedWildcard {
        /// The name as written, without its final dot.
        name: String,
    },
    /// A character that a host name cannot hold.
    #[error(
        "name '{name}' contains '{character}', which is not allowed in a host name{}",
        if character.is_ascii() { "" } else { "; write internationalized names in punycode (xn--...)" }
    )]
    BadCharacter {
        /// The name as written, without its final dot.
        name: String,
        /// The first character not allowed.
        character: char,
    },
}

/// A record value (or one of its fields) that is not valid for its type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RDataError {
    /// A word that is not one of the [`RType`]s the toolkit manages.
    #[error("unknown record type '{given}' (supported: {})", supported_types())]
    UnknownType {
        /// The type as written.
        given: String,
    },
    /// The value has the wrong number of fields for its type.
    #[error("{rtype} needs {expected} field(s), found {found}")]
    FieldCount {
        /// The record type.
        rtype: RType,
        /// The number of fields it takes (at least).
        expected: usize,
        /// The number given.
        found: usize,
    },
    /// A TXT value without any character-string.
    #[error("TXT needs at least one string")]
    EmptyTxt,
    /// A field that should be a domain name is not one.
    #[error(transparent)]
    Name(#[from] NameError),
    /// Not an IPv4 address.
    #[error("'{value}' is not an IPv4 address")]
    Ipv4 {
        /// The text given.
        value: String,
    },
    /// Not an IPv6 address.
    #[error("'{value}' is not an IPv6 address")]
    Ipv6 {
        /// The text given.
        value: String,
    },
    /// A numeric field that is not a number, or out of its range.
    #[error("{field} '{value}' is not a number in range")]
    Number {
        /// Which field, e.g. `MX preference`.
        field: &'static str,
        /// The text given.
        value: String,
    },
    /// Not a TTL.
    #[error("'{value}' is not a TTL (seconds, or units like 1h30m, at most {MAX_TTL})")]
    Ttl {
        /// The text given.
        value: String,
    },
    /// A CAA tag that is not 1 to 15 letters or digits.
    #[error("CAA tag '{tag}' must be 1 to 15 letters or digits")]
    CaaTagSyntax {
        /// The tag given.
        tag: String,
    },
    /// A well-formed CAA tag that is not registered.
    #[error("unknown CAA tag '{tag}' (known: {})", CAA_TAGS.join(", "))]
    UnknownCaaTag {
        /// The tag given.
        tag: String,
    },
    /// A digest field that is not an even-length hex string.
    #[error("{field} '{value}' is not an even-length hex string")]
    NotHex {
        /// Which field, e.g. `TLSA data`.
        field: &'static str,
        /// The text given.
        value: String,
    },
    /// A digest of the wrong length for its hash type.
    #[error("{field} has {found} hex digits, expected {expected} for its hash type")]
    DigestLength {
        /// Which field, e.g. `SSHFP fingerprint`.
        field: &'static str,
        /// The hex digits given.
        found: usize,
        /// The hex digits the hash type gives.
        expected: usize,
    },
    /// An SVCB/HTTPS value that is not valid.
    #[error(transparent)]
    Svcb(#[from] SvcbError),
}

/// What is wrong with the parameters of an SVCB or HTTPS value (RFC 9460),
/// checked as BIND and Knot check them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SvcbError {
    /// A key that is neither registered nor `keyNNNNN`.
    #[error("unknown SVCB parameter '{key}' (known: {}, or keyNNNNN)", crate::rdata::SVC_KEYS.join(", "))]
    UnknownKey {
        /// The key as written.
        key: String,
    },
    /// A key given twice.
    #[error("SVCB parameter '{key}' is given twice")]
    DuplicateKey {
        /// The key.
        key: String,
    },
    /// A parameter that needs a value has none.
    #[error("SVCB parameter '{key}' needs a value")]
    MissingValue {
        /// The key.
        key: String,
    },
    /// `no-default-alpn` with a value.
    #[error("SVCB parameter 'no-default-alpn' takes no value")]
    NoDefaultAlpnValue,
    /// `no-default-alpn` without `alpn`.
    #[error("SVCB parameter 'no-default-alpn' needs 'alpn' as well (RFC 9460)")]
    NoDefaultAlpnAlone,
    /// A `port` that is not a port number.
    #[error("SVCB port '{value}' is not a port number")]
    Port {
        /// The text given.
        value: String,
    },
    /// An `ipv4hint` entry that is not an IPv4 address.
    #[error("ipv4hint '{value}' is not an IPv4 address")]
    Ipv4Hint {
        /// The entry given.
        value: String,
    },
    /// An `ipv6hint` entry that is not an IPv6 address.
    #[error("ipv6hint '{value}' is not an IPv6 address")]
    Ipv6Hint {
        /// The entry given.
        value: String,
    },
    /// An `alpn` id outside 2 to 255 octets.
    #[error("alpn '{value}' has an entry of {octets} octets; each takes 2 to 255")]
    AlpnLength {
        /// The whole `alpn` value.
        value: String,
        /// The length of the offending id.
        octets: usize,
    },
    /// `mandatory` lists itself, a key twice, or a key the record lacks.
    #[error("mandatory '{value}' must list other parameters of the record, each once ('{key}')")]
    Mandatory {
        /// The whole `mandatory` value.
        value: String,
        /// The offending key.
        key: String,
    },
    /// An `ech` value that is not canonical base64.
    #[error("SVCB ech '{value}' is not base64")]
    Ech {
        /// The text given.
        value: String,
    },
    /// A value list with a backslash, which Knot cannot load.
    #[error("'{value}': a backslash in an SVCB value list is not supported (Knot refuses it)")]
    Backslash {
        /// The whole value.
        value: String,
    },
    /// An escape `\DDD` above 255.
    #[error("escape \\{number} is not an octet")]
    Escape {
        /// The number in the escape.
        number: u32,
    },
    /// A quoted value ending with a backslash.
    #[error("{value} ends with a lone backslash")]
    LoneBackslash {
        /// The value as written.
        value: String,
    },
    /// A value whose escapes do not form UTF-8 text.
    #[error("{value} is not UTF-8 text")]
    NotUtf8 {
        /// The value as written.
        value: String,
    },
    /// A value in wire form that does not decode.
    #[error("SVCB {key} {problem}")]
    Wire {
        /// The key's name.
        key: String,
        /// What is wrong, e.g. `is not 2 octets`.
        problem: &'static str,
    },
    /// Alias mode (priority 0) with parameters.
    #[error("an SVCB record with priority 0 (alias mode) takes no parameters")]
    AliasWithParams,
}

/// A record set that cannot be built from the values given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RecordSetError {
    /// No values.
    #[error("a {rtype} record set needs at least one value")]
    Empty {
        /// The set's type.
        rtype: RType,
    },
    /// A value of another type than the set's.
    #[error("a {value} value cannot be part of a {rtype} record set")]
    WrongType {
        /// The set's type.
        rtype: RType,
        /// The value's type.
        value: RType,
    },
    /// More than one value for a type that holds one (CNAME, SOA).
    #[error("a {rtype} record set holds exactly one value, found {found}")]
    NotSingle {
        /// The set's type.
        rtype: RType,
        /// The number of distinct values given.
        found: usize,
    },
}

/// A plan that crosses a safety threshold ([`crate::plan::Safety`]).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SafetyError {
    /// The plan changes a larger share of the zone's record sets than allowed.
    #[error("the plan would {verb} {count} of {existing} existing record sets in {} ({percent:.0}%, above the {max}% threshold); check it, then re-run with --force", zone.as_str().trim_end_matches('.'))]
    Threshold {
        /// The zone.
        zone: Name,
        /// What the plan does too much of: `update` or `delete`.
        verb: &'static str,
        /// How many record sets it would change so.
        count: usize,
        /// The record sets the zone has.
        existing: usize,
        /// `count` as a share of `existing`.
        percent: f64,
        /// The threshold crossed, in percent.
        max: f64,
    },
}

fn supported_types() -> String {
    let known: Vec<_> = RType::ALL.iter().map(|t| t.as_str()).collect();
    known.join(", ")
}
