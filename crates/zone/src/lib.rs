//! The dnsctl zone model: domain names, typed record values, record sets and
//! zones; octoDNS YAML and RFC 1035 zone files; validation with file:line:col
//! diagnostics; and the [`plan`] that turns desired and live state into changes.
//!
//! ```
//! use zone::{Name, parse_zone_yaml, write_zone_file};
//!
//! let origin = Name::parse_fqdn("example.com.").unwrap();
//! let zone = parse_zone_yaml("www: {type: A, ttl: 300, value: 192.0.2.1}\n", &origin, "example.com.yaml").unwrap();
//! assert_eq!(write_zone_file(&zone), "$ORIGIN example.com.\nwww\t300\tIN\tA\t192.0.2.1\n");
//! ```

#![deny(missing_docs, unreachable_pub)]

pub mod diag;
pub mod error;
pub mod model;
pub mod name;
pub mod plan;
pub mod rdata;
pub mod validate;
pub mod yaml;
pub mod zone_yaml;
pub mod zonefile;

pub use diag::{Diagnostic, Diagnostics, Pos};
pub use error::{NameError, RDataError, RecordSetError, SafetyError, SvcbError};
pub use model::{Meta, RecordSet, Zone, DEFAULT_TTL};
pub use name::Name;
pub use plan::{Change, Plan, PlanOptions};
pub use rdata::{RData, RType};
pub use zone_yaml::{parse_zone_yaml, parse_zone_yaml_with_warnings, write_zone_yaml};
pub use zonefile::{parse_zone_file, parse_zone_file_skipping, write_zone_file, Skipped};
